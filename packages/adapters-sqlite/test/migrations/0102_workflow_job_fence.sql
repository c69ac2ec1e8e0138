alter table "crmkit_wf_job" add column "version" integer not null default 1;
