create table "crmkit_wf_trigger_cursor" ("tenant_id" text not null, "id" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "trigger_set" text not null, "cursor_key" text not null, "position" text, "config" text, "due_at" timestamptz not null, "leased_until" timestamptz, primary key ("tenant_id", "id"));
create unique index "crmkit_wf_trigger_cursor_set_key" on "crmkit_wf_trigger_cursor" ("tenant_id", "trigger_set", "cursor_key");
create index "crmkit_wf_trigger_cursor_due" on "crmkit_wf_trigger_cursor" ("due_at");
create table "crmkit_wf_trigger_fire" ("tenant_id" text not null, "id" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "trigger_id" text not null, "source_key" text not null, "status" text not null, "instance_ids" jsonb not null, "error" text, "fired_at" timestamptz not null, primary key ("tenant_id", "id"));
create unique index "crmkit_wf_trigger_fire_trigger_source" on "crmkit_wf_trigger_fire" ("tenant_id", "trigger_id", "source_key");
create index "crmkit_wf_trigger_fire_status" on "crmkit_wf_trigger_fire" ("tenant_id", "status", "fired_at");
