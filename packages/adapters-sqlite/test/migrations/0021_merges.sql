create table "crm_merged_record" ("tenant_id" text not null, "id" text not null, "created_at" text not null, "updated_at" text not null, "entity" text not null, "merged_id" text not null, "survivor_id" text not null, "merged_at" text not null, primary key ("tenant_id", "id"));
create unique index "crm_merged_record_merged" on "crm_merged_record" ("tenant_id", "entity", "merged_id");
create index "crm_merged_record_survivor" on "crm_merged_record" ("tenant_id", "entity", "survivor_id");
