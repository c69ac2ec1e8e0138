create table "crm_segment" ("tenant_id" text not null, "id" text not null, "created_at" text not null, "updated_at" text not null, "version" integer not null, "name" text not null, "description" text, "kind" text not null, "rule" text, "refresh_every_minutes" integer, "refresh_due_at" text, "refresh_leased_until" text, "refreshed_at" text, primary key ("tenant_id", "id"));
create unique index "crm_segment_name" on "crm_segment" ("tenant_id", "name");
create index "crm_segment_refresh_due" on "crm_segment" ("tenant_id", "refresh_due_at") where "refresh_due_at" is not null;
create table "crm_segment_member" ("tenant_id" text not null, "id" text not null, "created_at" text not null, "updated_at" text not null, "segment_id" text not null, "contact_id" text not null, "added_at" text not null, primary key ("tenant_id", "id"));
create unique index "crm_segment_member_segment_contact" on "crm_segment_member" ("tenant_id", "segment_id", "contact_id");
create index "crm_segment_member_contact" on "crm_segment_member" ("tenant_id", "contact_id");
