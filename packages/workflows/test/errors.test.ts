import { CrmError, NotFoundError, ValidationError } from '@crmkit/core';
import {
  createWorkflowEngine, defineWorkflow, effect, graphileQueue, instanceModel, WorkflowDefinitionError,
} from '@crmkit/workflows';
import { afterEach, describe, expect, it } from 'vitest';
import { createActor, fromPromise, sendTo, setup } from 'xstate';
import { testEngine } from './helpers.js';

let env: Awaited<ReturnType<typeof testEngine>> | undefined;
afterEach(async () => {
  await env?.crm.close();
  env = undefined;
});

const definitionError = { name: 'WorkflowDefinitionError', code: 'WORKFLOW_DEFINITION_INVALID' };
const simple = setup({ types: {} as { events: { type: 'go' } } }).createMachine({ id: 'simple', initial: 'a', states: { a: { on: { go: 'b' } }, b: {} } });

/** Catches what `fn` throws, so the class and the code can both be asserted. */
async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('errors of the workflow package', () => {
  it('are CrmErrors with stable codes for malformed and duplicate definitions', async () => {
    const bad = await thrown(() => defineWorkflow({ id: 'Not Valid', version: 1, machine: simple }));
    expect(bad).toBeInstanceOf(WorkflowDefinitionError);
    expect(bad).toBeInstanceOf(CrmError);
    expect(bad).toMatchObject(definitionError);
    expect(await thrown(() => defineWorkflow({ id: 'simple', version: 0, machine: simple }))).toMatchObject({ ...definitionError, workflowId: 'simple' });
    const def = defineWorkflow({ id: 'simple', version: 1, machine: simple });
    env = await testEngine({ workflows: [def] });
    expect(await thrown(() => createWorkflowEngine({ crm: env!.crm, workflows: [def, def] }))).toMatchObject(definitionError);
    expect(await thrown(() => createWorkflowEngine({ crm: env!.crm, workflows: [def], maxAttempts: 0 }))).toBeInstanceOf(ValidationError);
  });

  it('name the missing workflow, instance and version', async () => {
    const def = defineWorkflow({ id: 'simple', version: 1, machine: simple });
    env = await testEngine({ workflows: [def] });
    const unknown = await thrown(() => env!.engine.start('acme', 'nope'));
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', entity: 'workflow', id: 'nope' });
    expect(await thrown(() => env!.engine.send('acme', 'missing', { type: 'go' }))).toMatchObject({ code: 'NOT_FOUND', entity: 'workflowInstance' });
    expect(await thrown(() => env!.engine.stop('acme', 'missing'))).toMatchObject({ code: 'NOT_FOUND', entity: 'workflowInstance' });
    const run = await env.engine.start('acme', 'simple');
    await env.crm.adapter.update({ model: instanceModel, tenantId: 'acme', id: run.id, data: { workflowVersion: 7 } });
    expect(await thrown(() => env!.engine.send('acme', run.id, { type: 'go' }))).toMatchObject({ ...definitionError, workflowId: 'simple' });
    expect(await thrown(() => env!.engine.list('acme', { limit: 0 }))).toMatchObject({ name: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(await thrown(() => env!.engine.list('acme', { cursor: 'garbage' }))).toMatchObject({ name: 'ValidationError', code: 'VALIDATION_FAILED' });
  });

  it('refuse what the durable runtime cannot store or replay', async () => {
    const machines = {
      sendToOther: setup({}).createMachine({ id: 'sends', entry: sendTo(() => createActor(simple), { type: 'go' }, { delay: 10 }) }),
      undelayedSendTo: setup({}).createMachine({ id: 'undelayed', entry: sendTo(({ self }) => self, { type: 'x' }) }),
      child: setup({ actors: { work: fromPromise(async () => 1) } }).createMachine({ id: 'child', invoke: { src: 'work' } }),
      badParams: setup({ actions: { notify: effect() } }).createMachine({ id: 'params', entry: { type: 'notify', params: () => ({ when: 10n }) } }),
      businessDelay: setup({ delays: { sla: 1000 } }).createMachine({ id: 'sla', initial: 'a', states: { a: { after: { sla: 'b' } }, b: {} } }),
    };
    env = await testEngine({
      workflows: Object.entries(machines).map(([id, machine]) => defineWorkflow({
        id: id.toLowerCase(), version: 1, machine, ...(id === 'businessDelay' ? { businessDelays: ['sla'] } : {}),
      })),
    });
    for (const id of Object.keys(machines)) {
      const error = await thrown(() => env!.engine.start('acme', id.toLowerCase()));
      expect(error, id).toBeInstanceOf(WorkflowDefinitionError);
      expect(error, id).toMatchObject(definitionError);
    }
  });

  it('record handler and built-in effect failures as typed errors in the dead letters', async () => {
    const machine = setup({
      types: {} as { input: { teamId: string }; context: { teamId: string } },
      actions: { missing: effect(), assignOwner: effect(), updateDeal: effect(), createManagerTask: effect() },
    }).createMachine({
      id: 'effects', context: ({ input }) => input, entry: [
        { type: 'missing', params: {} },
        { type: 'assignOwner', params: { ownerId: 'm1', recordType: 'stage', recordId: 't1' } },
        { type: 'updateDeal', params: { patch: {} } },
        { type: 'createManagerTask', params: ({ context }) => ({ title: 'Approve', teamId: context.teamId }) },
      ],
    });
    env = await testEngine({ workflows: [defineWorkflow({ id: 'effects', version: 1, machine })], maxAttempts: 1 });
    const team = await env.crm.tenant('acme').teams.create({ name: 'No manager' });
    await env.engine.start('acme', 'effects', { input: { teamId: team.id } });
    expect(await env.engine.runDue()).toMatchObject({ jobsFailed: 4 });
    const dead = Object.fromEntries((await env.engine.deadJobs('acme')).map((job) => [job.action, job.lastError]));
    expect(dead).toEqual({
      missing: expect.stringMatching(/^StateError: No effect handler named "missing"/),
      assignOwner: expect.stringMatching(/^ValidationError: assignOwner: a stage has no owner to assign/),
      updateDeal: expect.stringMatching(/^ValidationError: effects: no deal id in the params/),
      createManagerTask: expect.stringMatching(/^StateError: createManagerTask: team No manager/),
    });
  });

  it('refuse a graphile queue without PostgreSQL or with a bad schema name', async () => {
    expect(await thrown(() => graphileQueue({ schema: 'no such; schema' }))).toMatchObject({ name: 'ValidationError', code: 'VALIDATION_FAILED' });
    const def = defineWorkflow({ id: 'simple', version: 1, machine: simple });
    env = await testEngine({ workflows: [def], queue: graphileQueue() });
    expect(await thrown(() => env!.engine.runWorker())).toMatchObject({ name: 'ValidationError', code: 'VALIDATION_FAILED' });
  });
});
