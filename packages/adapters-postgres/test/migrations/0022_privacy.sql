create table "crm_erasure" ("tenant_id" text not null, "id" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "contact_id" text not null, "erased_at" timestamptz not null, "reason" text, "requested_by" text, "actor_id" text, "counts" jsonb not null, primary key ("tenant_id", "id"));
create index "crm_erasure_contact" on "crm_erasure" ("tenant_id", "contact_id", "erased_at");
create table "crm_consent_change" ("tenant_id" text not null, "id" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "contact_id" text not null, "channel" text not null, "from_value" text, "to_value" text, "at" timestamptz not null, "source" text not null, "actor_id" text, primary key ("tenant_id", "id"));
create index "crm_consent_change_contact_at" on "crm_consent_change" ("tenant_id", "contact_id", "at");
alter table "crm_contact" add column "erased_at" timestamptz;
