alter table "crm_event" add column "crmkit_log_xid" xid8, add column "crmkit_log_seq" bigint;
create sequence "crm_event_log_sequence";
update "crm_event" set "crmkit_log_xid" = pg_current_xact_id(), "crmkit_log_seq" = "o"."n" from (select "tenant_id", "id", row_number() over (order by "id", "tenant_id") as "n" from "crm_event") as "o" where "crm_event"."tenant_id" = "o"."tenant_id" and "crm_event"."id" = "o"."id";
select setval('"crm_event_log_sequence"', (select coalesce(max("crmkit_log_seq"), 0) + 1 from "crm_event"), false);
alter table "crm_event" alter column "crmkit_log_xid" set not null, alter column "crmkit_log_seq" set not null;
create index "crm_event_log_xid" on "crm_event" ("crmkit_log_xid");
create unique index "crm_event_log_seq" on "crm_event" ("crmkit_log_seq");
