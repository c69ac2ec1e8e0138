import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Deal, ManualClock } from '@crmkit/core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../index.js';

/**
 * The pages in a real browser, against the real server over HTTP: the
 * system's Chromium (playwright-core never downloads one). Without it the
 * test is skipped on a laptop, but fails in CI (`.ci/run` installs it and
 * sets CI), so that CI can never pass without having run it. Another
 * Chromium (or Chrome) is used from `CRMKIT_CHROMIUM`.
 *
 * The screenshots go to a temporary folder, or with `UPDATE_SCREENSHOTS=1`
 * to docs/images/http-api/, where docs/http-api.md shows them.
 */
const chromiumPath = process.env.CRMKIT_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium && !process.env.CI) console.warn(`browser.test.ts skipped: no Chromium at ${chromiumPath} (apt-get install -y chromium); CI fails instead`);

const forDocs = process.env.UPDATE_SCREENSHOTS === '1';
let screenshots = fileURLToPath(new URL('../../../docs/images/http-api/', import.meta.url));
// A few hundred deals: a full board, and a seed of about a second.
const limit = 300;
const timeout = 5_000;

describe.skipIf(!hasChromium && !process.env.CI)('the web pages in Chromium', () => {
  // The server's clock is frozen at the real time (cookies expire by the browser's real clock);
  // the case queue's page gets Playwright's clock from the same instant.
  const clock = new ManualClock(new Date());
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`CI is set but there is no Chromium at ${chromiumPath}: .ci/run installs it`);
    if (forDocs) await mkdir(screenshots, { recursive: true });
    else screenshots = `${await mkdtemp(join(tmpdir(), 'crmkit-screenshots-'))}/`;
    [server, browser] = await Promise.all([
      startServer({ port: 0, dbFile: ':memory:', limit, clock }),
      chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] }),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (!forDocs) await rm(screenshots, { recursive: true, force: true });
  });

  /** A browser of its own for a sign-in member, signed in through the sign-in page. */
  async function signedIn(role: keyof RunningServer['keys'], reader: { timezoneId?: string; locale?: string } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...reader });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(timeout);
    await page.goto(`${server.url}/app/sign-in?key=${server.keys[role].token}`);
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('signed-in-as').filter({ hasText: server.keys[role].member.name }).waitFor();
    return page;
  }

  /** A GET of the API as a member: the test's view of what was stored. */
  const api = async (path: string, token: string): Promise<any> => {
    const res = await fetch(`${server.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return res.json();
  };

  /** The rep's newest deal in a stage of Sales (Prospecting: the seed's deals of this week). */
  async function newestDeal(stageKey = 'prospecting'): Promise<Deal> {
    const t = server.host.crm.system('demo');
    const pipeline = (await t.pipelines.findByName('Sales'))!;
    const stageId = pipeline.stages.find((s) => s.key === stageKey)!.id;
    const [deal] = (await t.deals.list({ where: { ownerId: server.keys.rep.member.id, stageId }, orderBy: [{ stageEnteredAt: 'desc' }], limit: 1 })).items;
    return deal!;
  }

  /** A deal's card in a column of the board. */
  const cardIn = (page: Page, stageKey: string, dealId: string) => page.locator(`[data-testid="stage-${stageKey}"] [data-testid="deal-${dealId}"]`);
  /**
   * Where a card is dropped on a column: its head. A full column is taller than the window, and
   * scrolling to its middle between press and dragstart would start the drag on another card.
   */
  const columnHead = (page: Page, stageKey: string) => page.locator(`[data-testid="stage-${stageKey}"] .column-head`);

  /** The rep's board in a browser of its own, once the deal's card is on it. */
  async function boardWith(deal: Deal, stageKey = 'prospecting') {
    const page = await signedIn('rep');
    await page.goto(`${server.url}/app/board`);
    const card = cardIn(page, stageKey, deal.id);
    await card.waitFor();
    return { page, card };
  }

  describe('the board', () => {
    it("moves a deal by dragging its card to the next stage, and the move is kept and on the contact's timeline", async () => {
      const deal = await newestDeal();
      const { page, card } = await boardWith(deal);
      // Real mouse moves, which Chromium turns into HTML5 drag events (dragstart, dragover, drop with a DataTransfer).
      await card.dragTo(columnHead(page, 'engaging'));
      const moved = cardIn(page, 'engaging', deal.id);
      await moved.waitFor().catch(async (error) => {
        throw new Error(`the card did not move; toast: ${await page.locator('#toast').textContent()}; contacts: ${JSON.stringify(deal.contactIds ?? null)}`, { cause: error });
      });
      await page.screenshot({ path: `${screenshots}board.png` });

      await page.reload();
      await moved.waitFor();
      const [stored, pipelines] = await Promise.all([api(`/deals/${deal.id}`, server.keys.rep.token), api('/pipelines', server.keys.rep.token)]);
      const engaging = pipelines.items[0].stages.find((s: { key: string }) => s.key === 'engaging');
      expect(stored.stageId).toBe(engaging.id);
      expect(stored.version).toBeGreaterThan(deal.version);

      await page.goto(`${server.url}/app/contacts/${deal.contactIds[0]}`);
      const change = page.getByTestId('timeline').locator('[data-testid="timeline-item"][data-kind="stageChange"]').filter({ hasText: 'moved to Engaging' });
      await change.first().waitFor();
      await page.screenshot({ path: `${screenshots}contact.png` });
    });

    it('puts a stale card back and says why when the deal changed after the board was loaded', async () => {
      const deal = await newestDeal();
      const { page, card } = await boardWith(deal);
      // Someone else edits the deal: the card still carries the version it was read at.
      const changed = await server.host.crm.system('demo').deals.update(deal.id, { title: `${deal.title} (renewal)` });
      await card.dragTo(columnHead(page, 'engaging'));
      await page.locator('#toast').filter({ hasText: 'was changed by someone else' }).waitFor();
      await card.waitFor();
      const stored = await api(`/deals/${deal.id}`, server.keys.rep.token);
      expect({ stageId: stored.stageId, version: stored.version }).toEqual({ stageId: deal.stageId, version: changed.version });
    });

    it('asks why a deal dropped on Lost was lost, and keeps the reason; cancelling moves nothing', async () => {
      const deal = await newestDeal('engaging');
      const { page, card } = await boardWith(deal, 'engaging');
      const lost = columnHead(page, 'lost');
      const dialog = page.getByTestId('loss-dialog');
      await card.dragTo(lost);
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await card.waitFor();
      expect((await api(`/deals/${deal.id}`, server.keys.rep.token)).version).toBe(deal.version);

      await card.dragTo(lost);
      await page.getByTestId('loss-reason').fill('Chose a competitor');
      await page.getByTestId('loss-confirm').click();
      await cardIn(page, 'lost', deal.id).waitFor();
      const stored = await api(`/deals/${deal.id}`, server.keys.rep.token);
      expect({ status: stored.status, lostReason: stored.lostReason }).toEqual({ status: 'lost', lostReason: 'Chose a competitor' });
    });
  });

  describe('the inbox', () => {
    it("completes a task with its button, and shows due times in the reader's time zone", async () => {
      const reader = { timezoneId: 'Asia/Kolkata', locale: 'en-GB' };
      const page = await signedIn('rep', reader);
      await page.goto(`${server.url}/app/inbox`);
      const first = page.locator('[data-testid^="task-"][data-status="open"]').first();
      // The server writes UTC; app.js rewrites it for the reader (and keeps the UTC text as its title).
      const due = first.locator('time[data-local]');
      const [at, title, shown] = await Promise.all([due.getAttribute('datetime'), due.getAttribute('title'), due.textContent()]);
      expect(title).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
      expect(shown).toBe(new Intl.DateTimeFormat(reader.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: reader.timezoneId }).format(new Date(at!)));
      const taskId = (await first.getAttribute('data-testid'))!.slice('task-'.length);
      await page.screenshot({ path: `${screenshots}inbox.png` });
      await page.getByTestId(`complete-${taskId}`).click();
      await page.locator(`[data-testid="task-${taskId}"][data-status="done"]`).waitFor();
      expect((await api(`/tasks/${taskId}`, server.keys.rep.token)).status).toBe('done');
    });
  });

  describe('the case queue', () => {
    it('counts an SLA due time down as time passes', async () => {
      const page = await signedIn('agent');
      await page.clock.install({ time: clock.now() });
      await page.goto(`${server.url}/app/cases`);
      const countdown = page.locator('[data-testid^="sla-"][data-due]').first();
      await countdown.waitFor();
      const before = await countdown.textContent();
      expect(before).toMatch(/^(\d+[dhm] )*\d+[dhm] left$|^overdue /);
      await page.screenshot({ path: `${screenshots}cases.png` });
      // Playwright's clock, not a sleep: a minute passes for the page's timers at once.
      await page.clock.runFor(61_000);
      expect(await countdown.textContent()).not.toBe(before);
    });
  });

  describe('the reports page', () => {
    it('draws its charts as SVG', async () => {
      const page = await signedIn('manager');
      await page.goto(`${server.url}/app/reports`);
      for (const name of ['funnel', 'forecast', 'win-loss', 'sla', 'rfm']) await page.locator(`svg[data-testid="chart-${name}"]`).waitFor();
      await page.screenshot({ path: `${screenshots}reports.png`, fullPage: true });
    });
  });
});
