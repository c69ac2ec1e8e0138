alter table "crmkit_wf_job" add column "version" bigint not null default 1;
