import type { TimelineItem } from '@crmkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hour, salesStages, testCrm } from './helpers.js';

let env: Awaited<ReturnType<typeof testCrm>>;
beforeEach(async () => {
  env = await testCrm();
});
afterEach(() => env.crm.close());

const describeItem = (i: TimelineItem) => (i.kind === 'interaction' ? `i:${i.interaction.subject}` : i.kind === 'task' ? `t:${i.task.title}` : `s:${i.change.toStageId}`);

describe('timeline', () => {
  it('merges interactions, stage changes and tasks of a contact newest first, page by page', async () => {
    const t = env.crm.tenant('acme');
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const other = await t.contacts.create({ firstName: 'Other' });
    const pipeline = await t.pipelines.create({ name: 'Sales', stages: salesStages });
    const deal = await t.deals.create({ title: 'D', pipelineId: pipeline.id, contactIds: [ada.id] });
    const expected: string[] = [`s:${pipeline.stages[0]?.id}`];
    for (let i = 0; i < 5; i++) {
      env.clock.advance(hour);
      await t.interactions.log({ type: 'call', subject: `call ${i}`, contactIds: [ada.id] });
      expected.push(`i:call ${i}`);
      await t.interactions.log({ type: 'email', subject: `not ada ${i}`, contactIds: [other.id] });
      env.clock.advance(hour);
      await t.tasks.create({ title: `task ${i}`, link: { type: 'contact', id: ada.id } });
      expected.push(`t:task ${i}`);
      if (i === 2) {
        await t.deals.moveToStage(deal.id, 'proposal');
        expected.push(`s:${pipeline.stages[1]?.id}`);
      }
    }
    expected.reverse();
    const all = await t.timeline.forContact(ada.id, { limit: 100 });
    expect(all.items.map(describeItem)).toEqual(expected);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.timeline.forContact(ada.id, { limit: 3, ...(cursor ? { cursor } : {}) });
      paged.push(...page.items.map(describeItem));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(expected);
  });

  it('shows a deal its own interactions and a company the deals of its own', async () => {
    const t = env.crm.tenant('acme');
    const co = await t.companies.create({ name: 'Acme' });
    const pipeline = await t.pipelines.create({ name: 'Sales', stages: salesStages });
    const deal = await t.deals.create({ title: 'D', pipelineId: pipeline.id, companyId: co.id });
    env.clock.advance(hour);
    const call = await t.interactions.log({ type: 'meeting', subject: 'kickoff', dealId: deal.id });
    expect(call.companyId).toBe(co.id);
    const dealLine = (await t.timeline.forDeal(deal.id)).items.map((i) => i.kind);
    expect(dealLine).toEqual(['interaction', 'stageChange']);
    const companyLine = (await t.timeline.forCompany(co.id)).items.map((i) => i.kind);
    expect(companyLine).toEqual(['interaction', 'stageChange']);
  });
});
