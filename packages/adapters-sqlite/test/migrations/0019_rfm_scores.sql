create table "crm_rfm_score" ("tenant_id" text not null, "id" text not null, "created_at" text not null, "updated_at" text not null, "contact_id" text not null, "last_order_at" text not null, "recency_days" real not null, "frequency" integer not null, "monetary_minor" integer not null, "currency" text not null, "r" integer not null, "f" integer not null, "m" integer not null, "cell" text not null, "segment" text not null, "reference_date" text not null, "computed_at" text not null, primary key ("tenant_id", "id"));
create unique index "crm_rfm_score_contact" on "crm_rfm_score" ("tenant_id", "contact_id");
create index "crm_rfm_score_segment" on "crm_rfm_score" ("tenant_id", "segment", "contact_id");
create index "crm_rfm_score_cell" on "crm_rfm_score" ("tenant_id", "cell", "contact_id");
