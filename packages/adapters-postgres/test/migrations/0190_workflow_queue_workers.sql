create table "crmkit_wf_queue_worker" ("tenant_id" text not null, "id" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "worker_ids" jsonb not null, "due_at" timestamptz not null, primary key ("tenant_id", "id"));
create index "crmkit_wf_queue_worker_due" on "crmkit_wf_queue_worker" ("tenant_id", "due_at");
