import type { ContractRenewalEvent, WarrantyClaimEvent } from '@crmkit/workflows';
import type { Desk } from './desk.js';

/** One scripted moment of desk work. */
export interface Step {
  /** When it happens, Berlin time (all in winter: UTC+1). */
  at: string;
  what: string;
  run: (desk: Desk) => Promise<void>;
}

const caseSubject = (id: string) => ({ type: 'case', id });

/**
 * Three weeks of the service desk, from Monday 21 December 2026 to Friday
 * 8 January 2027, across Christmas (24-26 December) and New Year (31
 * December, 1 January): the holidays of the business calendar. What the
 * machines do in between (SLA warnings and breaches, escalations, renewal
 * tasks, surveys, a lapse) is not scripted: it follows from their timers.
 */
export const script: Step[] = [
  { at: '2026-12-21T09:30+01:00', what: 'email from the hotel: two hubs offline (the mail server delivers it twice)', run: async (desk) => {
    const message = {
      channel: 'email', from: 'Petra.Lang@seeblick-hotel.de', subject: 'Hubs in rooms 204 and 205 offline',
      body: 'Since this morning two hubs no longer answer.', messageId: '<sb-1@seeblick-hotel.de>',
    } as const;
    await desk.receive('hotelHubs', message, desk.org.ben);
    await desk.receive('hotelHubs', message, desk.org.ben);
  } },
  { at: '2026-12-21T09:50+01:00', what: 'Ben answers the hotel', run: async (desk) => {
    await desk.as(desk.org.ben).cases.respond(desk.caseId('hotelHubs'), { body: 'Please power-cycle both hubs; we are checking the cloud side.', messageId: '<desk-1@lumen.example>' });
  } },
  { at: '2026-12-21T11:00+01:00', what: 'the hotel replies: one hub is back', run: async (desk) => {
    await desk.receive('hotelHubs', {
      channel: 'email', from: 'petra.lang@seeblick-hotel.de', subject: 'Re: Hubs in rooms 204 and 205 offline', body: 'Room 204 is back, 205 is still offline.',
      messageId: '<sb-2@seeblick-hotel.de>', inReplyTo: '<desk-1@lumen.example>',
    }, desk.org.ben);
  } },
  { at: '2026-12-21T11:20+01:00', what: 'Ben answers again', run: async (desk) => {
    await desk.as(desk.org.ben).cases.respond(desk.caseId('hotelHubs'), { body: 'Room 205 gets a firmware fix pushed now.' });
  } },
  { at: '2026-12-21T14:00+01:00', what: 'Ben resolves the hotel case', run: async (desk) => {
    await desk.as(desk.org.ben).cases.setStatus(desk.caseId('hotelHubs'), 'resolved');
  } },
  { at: '2026-12-21T17:30+01:00', what: 'the hotel answers its survey: 5 of 5', run: async (desk) => {
    await desk.t.surveys.respond((await desk.openSurvey('hotelHubs')).id, { score: 5, comment: 'Fast and friendly' });
  } },
  { at: '2026-12-22T16:30+01:00', what: 'SMS from Jonas: no recordings', run: async (desk) => {
    await desk.receive('jonasRecordings', { channel: 'sms', from: '+49 151 2345678', body: 'Cam app shows no recordings since yesterday', messageId: 'sms-in-1' }, desk.org.ana);
  } },
  { at: '2026-12-23T11:00+01:00', what: 'Ana answers Jonas by SMS and waits for him (pending: clocks paused)', run: async (desk) => {
    const ana = desk.as(desk.org.ana);
    await ana.cases.respond(desk.caseId('jonasRecordings'), { body: 'Please restart the cam and reply when done.', channel: 'sms' });
    await ana.cases.setStatus(desk.caseId('jonasRecordings'), 'pending');
  } },
  { at: '2026-12-23T15:30+01:00', what: 'chat from Max: is my cam still under warranty?', run: async (desk) => {
    await desk.receive('maxCam', { channel: 'chat', from: 'max.braun@example.de', name: 'Max', body: 'My Lumen Cam stopped recording at night. Is it still under warranty?', messageId: 'chat-1' }, desk.org.ana);
  } },
  { at: '2026-12-28T09:45+01:00', what: 'email from Lea: a warranty claim for her hub', run: async (desk) => {
    await desk.receive('leaClaim', {
      channel: 'email', from: 'lea.fischer@example.de', subject: 'Hub does not power on', body: 'The LED stays dark since the power cut.',
      messageId: '<lea-1@example.de>', case: { type: 'warranty_claim', assetId: desk.customers.lea.hub.id },
    }, desk.org.ana);
  } },
  { at: '2026-12-28T10:00+01:00', what: 'Jonas replies by SMS after the holidays (the case opens again)', run: async (desk) => {
    // An SMS carries no threading headers: it continues Jonas's open SMS case.
    await desk.receive('jonasRecordings', { channel: 'sms', from: '+491512345678', body: 'Restarted, still nothing', messageId: 'sms-in-2' }, desk.org.ana);
  } },
  { at: '2026-12-28T10:15+01:00', what: 'Ana answers Lea', run: async (desk) => {
    await desk.as(desk.org.ana).cases.respond(desk.caseId('leaClaim'), { body: 'Your hub is under warranty: a new one is on its way.' });
  } },
  { at: '2026-12-28T11:30+01:00', what: 'Ana answers Jonas', run: async (desk) => {
    await desk.as(desk.org.ana).cases.respond(desk.caseId('jonasRecordings'), { body: 'A storage fault on our side; your recordings are back.', channel: 'sms' });
  } },
  { at: '2026-12-28T12:15+01:00', what: 'the team lead, escalated to, answers Max', run: async (desk) => {
    await desk.as(desk.org.lead).cases.respond(desk.caseId('maxCam'), { body: 'Sorry for the wait. The warranty of your cam ended on 1 October; a repair costs 49 EUR.' });
  } },
  { at: '2026-12-28T13:00+01:00', what: 'the team lead resolves Max\'s case', run: async (desk) => {
    await desk.as(desk.org.lead).cases.setStatus(desk.caseId('maxCam'), 'resolved');
  } },
  { at: '2026-12-28T14:00+01:00', what: 'Ana resolves Jonas\'s case', run: async (desk) => {
    await desk.as(desk.org.ana).cases.setStatus(desk.caseId('jonasRecordings'), 'resolved');
  } },
  { at: '2026-12-28T16:30+01:00', what: 'Max answers his survey: 2 of 5 (a detractor)', run: async (desk) => {
    await desk.t.surveys.respond((await desk.openSurvey('maxCam')).id, { score: 2, comment: 'Five days for an answer.' });
  } },
  { at: '2026-12-29T10:00+01:00', what: 'Ana replaces Lea\'s hub under warranty', run: async (desk) => {
    const claim = await desk.instance('warranty-claim', caseSubject(desk.caseId('leaClaim')));
    await desk.engine.send<WarrantyClaimEvent>(desk.tenantId, claim.id, { type: 'replace', serialNumber: 'LH-26-2210', by: desk.org.ana.id });
  } },
  { at: '2026-12-29T14:00+01:00', what: 'Lea answers her survey: 4 of 5', run: async (desk) => {
    await desk.t.surveys.respond((await desk.openSurvey('leaClaim')).id, { score: 4, comment: 'Quick swap, but I had to set it up again.' });
  } },
  { at: '2027-01-02T11:00+01:00', what: 'Lea buys a cam in the web shop', run: async (desk) => {
    const { lea } = desk.customers;
    const order = await desk.t.orders.create({
      number: 'W-6388', contactId: lea.contact.id, channel: 'web', currency: 'EUR', lines: [{ productId: desk.catalogue.cam.id }], externalId: 'shop-W-6388',
    });
    const [line] = await desk.t.orders.lines(order.id);
    await desk.t.assets.create({ productId: desk.catalogue.cam.id, serialNumber: 'LC-27-0150', orderLineId: line?.id ?? null, orderId: order.id });
    await desk.t.orders.setStatus(order.id, 'paid');
  } },
  { at: '2027-01-04T10:00+01:00', what: 'Clara renews the hotel\'s maintenance contract', run: async (desk) => {
    const renewal = await desk.instance('contract-renewal', { type: 'contract', id: desk.customers.hotel.maintenance.id });
    await desk.engine.send<ContractRenewalEvent>(desk.tenantId, renewal.id, { type: 'renew', name: 'Seeblick maintenance 2027', price: { minor: 1_900_00, currency: 'EUR' } });
  } },
  { at: '2027-01-04T10:30+01:00', what: 'Clara sends the hotel an NPS survey', run: async (desk) => {
    await desk.as(desk.org.accounts).surveys.send({ kind: 'nps', contactId: desk.customers.hotel.petra.id, channel: 'email' }, { idempotencyKey: 'nps-2027-seeblick' });
  } },
  { at: '2027-01-04T15:00+01:00', what: 'the hotel answers: 9 of 10', run: async (desk) => {
    const [survey] = (await desk.t.surveys.ofContact(desk.customers.hotel.petra.id)).items.filter((s) => s.kind === 'nps');
    if (survey) await desk.t.surveys.respond(survey.id, { score: 9 });
  } },
  { at: '2027-01-07T16:00+01:00', what: 'email from Lea: how to pair the new cam', run: async (desk) => {
    await desk.receive('leaPairing', {
      channel: 'email', from: 'lea.fischer@example.de', subject: 'Pairing the new cam with my hub', body: 'The app does not find the cam.', messageId: '<lea-2@example.de>',
    }, desk.org.ben);
  } },
  { at: '2027-01-08T09:30+01:00', what: 'Ben answers Lea (the case stays open)', run: async (desk) => {
    await desk.as(desk.org.ben).cases.respond(desk.caseId('leaPairing'), { body: 'Hold the pairing button for five seconds, then scan again.' });
  } },
];

/** The end of the simulated weeks. */
export const scriptEnd = '2027-01-08T12:00+01:00';
