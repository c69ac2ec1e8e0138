create index "crmkit_wf_instance_workflow_state" on "crmkit_wf_instance" ("tenant_id", "workflow_id", "state", "id");
