import { ValidationError } from '@crmkit/core';
import { builtinEffects, type EffectContext, type EnrollInCampaignParams, winBack } from '@crmkit/workflows';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { day, testEngine } from './helpers.js';

let env: Awaited<ReturnType<typeof testEngine>> | undefined;
afterEach(async () => {
  await env?.crm.close();
  env = undefined;
});

/** A lapsing win-back of `customer` into a real campaign, on the built-in effect unless `actions` replace it. */
async function lapse(actions: Record<string, (ctx: EffectContext) => unknown> = {}) {
  env = await testEngine({ workflows: [winBack], actions });
  const t = env.crm.tenant('acme');
  const company = await t.companies.create({ name: 'Initech' });
  const [peter, joanna, outsider] = await t.contacts.createMany([
    { firstName: 'Peter', companyId: company.id },
    { firstName: 'Joanna', companyId: company.id, consent: { email: 'denied' } },
    { firstName: 'Outsider' },
  ]);
  const campaign = await t.campaigns.create({ name: 'We miss you', channel: 'email' });
  const run = await env.engine.start('acme', 'win-back', {
    subject: { type: 'company', id: company.id },
    input: { customer: { type: 'company', id: company.id, name: 'Initech' }, inactiveDays: 30, campaignId: campaign.id },
  });
  const lapseOnce = async () => {
    env!.clock.advance(30 * day);
    await env!.engine.runDue();
    await env!.engine.runDue();
  };
  await lapseOnce();
  return { t, run, campaign, lapseOnce, peter: peter!, joanna: joanna!, outsider: outsider! };
}

describe('the built-in enrollInCampaign effect', () => {
  it("enrols a lapsed company's contacts in the input's campaign, skipping the one who opted out", async () => {
    const { t, campaign, peter } = await lapse();
    expect(await env!.engine.deadJobs('acme')).toEqual([]);
    const members = (await t.campaigns.members(campaign.id)).items;
    expect(members).toEqual([expect.objectContaining({ contactId: peter.id, status: 'targeted' })]);
  });

  it('enrols nobody twice when the customer lapses again', async () => {
    const { t, run, campaign, lapseOnce } = await lapse();
    await env!.engine.send('acme', run.id, { type: 'activity' });
    await lapseOnce();
    expect((await env!.engine.get('acme', run.id)).context).toMatchObject({ lapses: 2 });
    expect(await env!.engine.deadJobs('acme')).toEqual([]);
    expect((await t.campaigns.members(campaign.id)).items).toHaveLength(1);
  });

  it('gives way to a host handler of the same name', async () => {
    const enroll = vi.fn();
    const { t, campaign } = await lapse({ enrollInCampaign: (ctx) => enroll(ctx.params) });
    expect(enroll).toHaveBeenCalledOnce();
    expect((await t.campaigns.members(campaign.id)).items).toEqual([]);
  });

  it('refuses a win-back without a campaign, which only a host handler can pick', async () => {
    env = await testEngine({ workflows: [winBack] });
    const t = env.crm.tenant('acme');
    const contact = await t.contacts.create({ firstName: 'Ada' });
    const params: EnrollInCampaignParams = { customer: { type: 'contact', id: contact.id }, campaignId: null, inactiveDays: 30 };
    const ctx = { tenant: t, params } as unknown as EffectContext;
    await expect(Promise.resolve(builtinEffects.enrollInCampaign!(ctx))).rejects.toThrow(ValidationError);
    const campaign = await t.campaigns.create({ name: 'Solo', channel: 'email' });
    await builtinEffects.enrollInCampaign!({ ...ctx, params: { ...params, campaignId: campaign.id } });
    expect((await t.campaigns.members(campaign.id)).items.map((m) => m.contactId)).toEqual([contact.id]);
  });
});
