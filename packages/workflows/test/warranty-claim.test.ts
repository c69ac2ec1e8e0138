import {
  type CheckCoverageParams, createTriggers, type EffectContext, type ReplaceAssetParams, type SetAssetStatusParams, type SetCaseStatusParams,
  type WarrantyClaimContext, type WarrantyClaimEvent, type WarrantyClaimInput, warrantyClaim, warrantyClaimTriggers,
} from '@crmkit/workflows';
import { afterEach, describe, expect, it } from 'vitest';
import { testEngine } from './helpers.js';

let env: { crm: { close(): Promise<void> } } | undefined;
afterEach(async () => {
  await env?.crm.close();
  env = undefined;
});

/** The claim machine with every effect but `createTask` a spy: the coverage check replies what `coverage` says. */
async function withSpies(input: Partial<WarrantyClaimInput> = {}, coverage = { covered: true, contractIds: ['w-1'] }) {
  const calls: { action: string; params: unknown }[] = [];
  const spy = (action: string, reply?: (params: never) => unknown) => (ctx: EffectContext) => {
    calls.push({ action, params: ctx.params });
    return reply?.(ctx.params as never);
  };
  const base = await testEngine({
    workflows: [warrantyClaim],
    actions: {
      checkCoverage: spy('checkCoverage', (_: CheckCoverageParams) => ({ reply: { type: 'coverageChecked', ...coverage } })),
      setAssetStatus: spy('setAssetStatus'), replaceAsset: spy('replaceAsset'), setCaseStatus: spy('setCaseStatus'),
    },
  });
  env = base;
  const t = base.crm.tenant('acme');
  const agent = await t.members.create({ name: 'Ada' });
  const run = await base.engine.start('acme', 'warranty-claim', {
    input: { caseId: 'case-1', assetId: 'asset-1', claimedAt: '2026-03-01T10:00:00.000Z', ownerId: agent.id, number: 7, ...input } satisfies WarrantyClaimInput,
  });
  const send = (event: WarrantyClaimEvent) => base.engine.send('acme', run.id, event);
  const deliver = async () => {
    await base.engine.runDue();
    await base.engine.runDue();
  };
  const tasks = async () => (await t.tasks.list()).items.map((task) => [task.title, task.assigneeId]);
  return { ...base, t, agent, run, send, deliver, calls, tasks };
}

describe('warranty-claim decisions', () => {
  it('checks the coverage at the time of the claim and approves a covered one', async () => {
    const e = await withSpies();
    expect(e.run.state).toBe('checking');
    await e.deliver();
    expect(e.calls[0]).toEqual({ action: 'checkCoverage', params: { assetId: 'asset-1', at: '2026-03-01T10:00:00.000Z', caseType: 'warranty_claim' } });
    expect(await e.engine.get('acme', e.run.id)).toMatchObject({ state: 'approved', context: expect.objectContaining({ covered: true, contractIds: ['w-1'], decision: 'approved' }) });
    expect(await e.tasks()).toEqual([['Repair or replace the asset of the warranty claim of case #7', e.agent.id]]);
  });

  it('rejects a claim nothing covers, with a task to tell the customer, and lets the agent approve it anyway', async () => {
    const e = await withSpies({}, { covered: false, contractIds: [] });
    await e.deliver();
    expect(await e.engine.get('acme', e.run.id)).toMatchObject({ state: 'rejected', context: expect.objectContaining({ covered: false, decision: 'rejected' }) });
    expect(await e.tasks()).toEqual([['Tell the customer why the warranty claim of case #7 is not covered', e.agent.id]]);
    expect(await e.send({ type: 'approve', reason: 'Goodwill: loyal customer' })).toMatchObject({ state: 'approved', context: expect.objectContaining({ decision: 'approved', reason: 'Goodwill: loyal customer' }) });
  });

  it('skips the check when the host passes the coverage in', async () => {
    const e = await withSpies({ covered: false });
    expect(e.run.state).toBe('rejected');
    await e.deliver();
    expect(e.calls.map((c) => c.action)).toEqual([]);
  });

  it('lets the agent decide before the check answers', async () => {
    const e = await withSpies();
    expect(await e.send({ type: 'reject', reason: 'Water damage' })).toMatchObject({ state: 'rejected' });
    await e.deliver();
    // The check's reply comes too late: the claim stays rejected.
    expect((await e.engine.get('acme', e.run.id)).state).toBe('rejected');
  });
});

describe('warranty-claim repair or replacement', () => {
  it('puts the asset in repair, back to active when repaired, and resolves the case', async () => {
    const e = await withSpies();
    await e.deliver();
    await e.send({ type: 'repair' });
    expect(await e.send({ type: 'repaired' })).toMatchObject({ state: 'fulfilled', status: 'done', context: expect.objectContaining({ outcome: 'repaired' }) });
    await e.deliver();
    expect(e.calls.slice(1)).toEqual([
      { action: 'setAssetStatus', params: { assetId: 'asset-1', status: 'in_repair' } satisfies SetAssetStatusParams },
      { action: 'setAssetStatus', params: { assetId: 'asset-1', status: 'active' } satisfies SetAssetStatusParams },
      { action: 'setCaseStatus', params: { caseId: 'case-1', status: 'resolved' } satisfies SetCaseStatusParams },
    ]);
  });

  it('replaces the asset and closes the case as asked', async () => {
    const e = await withSpies({ closeAs: 'closed' });
    await e.deliver();
    expect(await e.send({ type: 'replace', serialNumber: 'SN-2' })).toMatchObject({ state: 'fulfilled', status: 'done', context: expect.objectContaining({ outcome: 'replaced' }) });
    await e.deliver();
    expect(e.calls.slice(1)).toEqual([
      { action: 'replaceAsset', params: { assetId: 'asset-1', serialNumber: 'SN-2' } satisfies ReplaceAssetParams },
      { action: 'setCaseStatus', params: { caseId: 'case-1', status: 'closed' } },
    ]);
  });

  it('ends wherever it is when the case is closed', async () => {
    const e = await withSpies();
    expect(await e.send({ type: 'closed' })).toMatchObject({ state: 'closed', status: 'done' });
  });
});

/** A device maker: a product with a 24-month warranty, a customer's asset bought a year ago, a warranty case opened now. */
async function desk(purchasedAt = '2025-03-02') {
  const base = await testEngine({ workflows: [warrantyClaim] });
  env = base;
  const triggers = createTriggers(base.engine, warrantyClaimTriggers(), { onError: (error) => { throw error; } });
  await triggers.runDue();
  const t = base.crm.tenant('acme');
  const agent = await t.members.create({ name: 'Ada' });
  const customer = await t.contacts.create({ firstName: 'Grace', email: 'grace@example.com' });
  const product = await t.products.create({ name: 'Espresso machine', warrantyMonths: 24 });
  const asset = await t.assets.create({ productId: product.id, serialNumber: 'EM-1', contactId: customer.id, purchasedAt });
  const ticket = await t.cases.create({ subject: 'Pump broken', type: 'warranty_claim', assetId: asset.id, contactId: customer.id, ownerId: agent.id });
  expect(await triggers.runDue()).toMatchObject({ started: 1, failed: 0 });
  const [run] = await base.engine.instancesOf('acme', { type: 'case', id: ticket.id }, 'warranty-claim');
  const deliver = async () => {
    for (let i = 0; i < 3; i++) await base.engine.runDue();
  };
  return { ...base, triggers, t, agent, asset, ticket, run: run!, deliver };
}

describe('warranty-claim through the CRM services', () => {
  it('approves a claim under the product warranty, replaces the unit, which keeps the coverage, and resolves the case', async () => {
    const e = await desk();
    await e.deliver();
    const claim = await e.engine.get('acme', e.run.id);
    expect(claim.state).toBe('approved');
    expect((claim.context as WarrantyClaimContext).contractIds).toHaveLength(1);
    await e.engine.send('acme', e.run.id, { type: 'replace', serialNumber: 'EM-2' } satisfies WarrantyClaimEvent);
    await e.deliver();
    const old = await e.t.assets.get(e.asset.id);
    expect(old).toMatchObject({ status: 'replaced', replacedById: expect.any(String) });
    expect(await e.t.assets.get(old.replacedById!)).toMatchObject({ serialNumber: 'EM-2', status: 'active' });
    expect((await e.t.contracts.isCovered(old.replacedById!, e.clock.now())).covered).toBe(true);
    expect(await e.t.cases.get(e.ticket.id)).toMatchObject({ status: 'resolved' });
    expect(await e.engine.get('acme', e.run.id)).toMatchObject({ state: 'fulfilled', status: 'done' });
    expect(await e.engine.deadJobs('acme')).toEqual([]);
  });

  it('rejects a claim on an asset out of warranty and repairs nothing', async () => {
    const e = await desk('2023-01-10');
    await e.deliver();
    expect(await e.engine.get('acme', e.run.id)).toMatchObject({ state: 'rejected', context: expect.objectContaining({ covered: false }) });
    const [task] = (await e.t.tasks.list({ where: { linkedId: e.ticket.id } })).items;
    expect(task).toMatchObject({ title: `Tell the customer why the warranty claim of case #${e.ticket.number} is not covered`, assigneeId: e.agent.id, linkedType: 'case' });
  });

  it('sends the asset to repair and back', async () => {
    const e = await desk();
    await e.deliver();
    await e.engine.send('acme', e.run.id, { type: 'repair' } satisfies WarrantyClaimEvent);
    await e.deliver();
    expect((await e.t.assets.get(e.asset.id)).status).toBe('in_repair');
    await e.engine.send('acme', e.run.id, { type: 'repaired' } satisfies WarrantyClaimEvent);
    await e.deliver();
    expect((await e.t.assets.get(e.asset.id)).status).toBe('active');
    expect((await e.t.cases.get(e.ticket.id)).status).toBe('resolved');
  });

  it('starts the claim when a case becomes a warranty claim after it opened, once', async () => {
    const e = await desk();
    const claims = async (caseId: string) => e.engine.instancesOf('acme', { type: 'case', id: caseId }, 'warranty-claim');
    // A question about the asset, then found to be a warranty claim.
    const question = await e.t.cases.create({ subject: 'Pump noisy', assetId: e.asset.id, ownerId: e.agent.id });
    e.clock.advance(3_600_000);
    await e.t.cases.update(question.id, { subject: 'Pump noisy, then dead' });
    expect(await e.triggers.runDue()).toMatchObject({ started: 0, failed: 0 });
    await e.t.cases.update(question.id, { type: 'warranty_claim' });
    expect(await e.triggers.runDue()).toMatchObject({ started: 1, failed: 0 });
    const [run] = await claims(question.id);
    expect(run?.context).toMatchObject({ caseId: question.id, assetId: e.asset.id, claimedAt: question.openedAt, ownerId: e.agent.id, number: question.number });
    // Already a claim: later edits start nothing.
    await e.t.cases.update(question.id, { priority: 'high' });
    await e.t.cases.update(question.id, { assetId: e.asset.id, subject: 'Pump dead' });
    expect(await e.triggers.runDue()).toMatchObject({ started: 0, failed: 0 });
    expect(await claims(question.id)).toHaveLength(1);
    // A warranty case whose asset is given later; a resolved case is too late.
    const noAsset = await e.t.cases.create({ subject: 'Something broke', type: 'warranty_claim' });
    expect(await e.triggers.runDue()).toMatchObject({ started: 0 });
    await e.t.cases.update(noAsset.id, { assetId: e.asset.id });
    const resolved = await e.t.cases.create({ subject: 'Done already', assetId: e.asset.id });
    await e.t.cases.setStatus(resolved.id, 'resolved');
    await e.t.cases.update(resolved.id, { type: 'warranty_claim' });
    expect(await e.triggers.runDue()).toMatchObject({ started: 1, failed: 0 });
    expect(await claims(noAsset.id)).toHaveLength(1);
    expect(await claims(resolved.id)).toHaveLength(0);
  });

  it('ends the claim when the case is closed', async () => {
    const e = await desk();
    await e.t.cases.setStatus(e.ticket.id, 'resolved');
    await e.t.cases.setStatus(e.ticket.id, 'closed');
    await e.triggers.runDue();
    expect(await e.engine.get('acme', e.run.id)).toMatchObject({ state: 'closed', status: 'done' });
  });
});
