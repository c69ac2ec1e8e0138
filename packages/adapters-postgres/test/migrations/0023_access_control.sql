create table "crm_role" ("tenant_id" text not null, "id" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" bigint not null, "name" text not null, "description" text, "grants" jsonb not null, "fields" jsonb not null, primary key ("tenant_id", "id"));
create unique index "crm_role_name" on "crm_role" ("tenant_id", "name");
create table "crm_share" ("tenant_id" text not null, "id" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "entity" text not null, "record_id" text not null, "member_id" text, "team_id" text, "access" text not null, "shared_by" text, primary key ("tenant_id", "id"));
create unique index "crm_share_member" on "crm_share" ("tenant_id", "entity", "member_id", "record_id") where "member_id" is not null;
create unique index "crm_share_team" on "crm_share" ("tenant_id", "entity", "team_id", "record_id") where "team_id" is not null;
create index "crm_share_record" on "crm_share" ("tenant_id", "entity", "record_id");
alter table "crm_member" add column "roles" jsonb not null default '[]';
