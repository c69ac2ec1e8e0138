create table "crm_segment" ("tenant_id" text not null, "id" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" bigint not null, "name" text not null, "description" text, "kind" text not null, "rule" jsonb, "refresh_every_minutes" bigint, "refresh_due_at" timestamptz, "refresh_leased_until" timestamptz, "refreshed_at" timestamptz, primary key ("tenant_id", "id"));
create unique index "crm_segment_name" on "crm_segment" ("tenant_id", "name");
create index "crm_segment_refresh_due" on "crm_segment" ("tenant_id", "refresh_due_at") where "refresh_due_at" is not null;
create table "crm_segment_member" ("tenant_id" text not null, "id" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "segment_id" text not null, "contact_id" text not null, "added_at" timestamptz not null, primary key ("tenant_id", "id"));
create unique index "crm_segment_member_segment_contact" on "crm_segment_member" ("tenant_id", "segment_id", "contact_id");
create index "crm_segment_member_contact" on "crm_segment_member" ("tenant_id", "contact_id");
