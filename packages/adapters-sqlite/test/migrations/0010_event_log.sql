create table if not exists "crmkit_log" ("name" text not null primary key, "position" integer not null);
alter table "crm_event" add column "crmkit_log_position" integer not null default 0;
update "crm_event" set "crmkit_log_position" = "o"."n" from (select "tenant_id", "id", row_number() over (order by "id", "tenant_id") as "n" from "crm_event") as "o" where "crm_event"."tenant_id" = "o"."tenant_id" and "crm_event"."id" = "o"."id";
insert into "crmkit_log" ("name", "position") select 'crm_event', coalesce(max("crmkit_log_position"), 0) from "crm_event";
create unique index "crm_event_log_position" on "crm_event" ("crmkit_log_position");
