create table "crmkit_wf_queue_worker" ("tenant_id" text not null, "id" text not null, "created_at" text not null, "updated_at" text not null, "worker_ids" text not null, "due_at" text not null, primary key ("tenant_id", "id"));
create index "crmkit_wf_queue_worker_due" on "crmkit_wf_queue_worker" ("tenant_id", "due_at");
