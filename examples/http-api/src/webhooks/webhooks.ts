// PLACEHOLDER: the webhooks helper replaces this whole file (see /work/notes/http-api.md).
import type { Clock, Crm } from '@crmkit/core';
import type { EffectHandler, WorkflowDefinition, WorkflowEngine } from '@crmkit/workflows';

export class Webhooks {
  readonly workflows: WorkflowDefinition[] = [];
  readonly actions: Record<string, EffectHandler> = {};
  constructor(readonly deps: { crm: Crm; clock: Clock; fetch: typeof fetch }) {}
  bind(_engine: WorkflowEngine): void {}
  start(): void {}
  async stop(): Promise<void> {}
  async dispatch(): Promise<number> { return 0; }
}
