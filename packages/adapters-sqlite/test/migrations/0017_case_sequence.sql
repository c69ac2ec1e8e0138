create table "crm_case_sequence" ("tenant_id" text not null, "id" text not null, "created_at" text not null, "updated_at" text not null, "next" integer not null, primary key ("tenant_id", "id"));
