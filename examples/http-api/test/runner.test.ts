import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../index.js';

// 150 opportunities: every stage but Prospecting, won deals for orders; the seed takes well under a second.
const limit = 150;

/** Calls the running server over real HTTP, as the member of `token`. */
async function call(server: RunningServer, path: string, token: string | null, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  const res = await fetch(`${server.url}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text !== '' && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

describe('the server on a fresh database', () => {
  const clock = new ManualClock(new Date());
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, dbFile: ':memory:', limit, clock });
  });
  afterAll(() => server?.close());

  it('listens on 127.0.0.1 on the port the system picked', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
  });

  it('serves the OpenAPI document without a key', async () => {
    const res = await call(server, '/api/v1/openapi.json', null);
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toContain('/me/inbox');
  });

  it('seeds the dataset, the people and the service desk it lacks', () => {
    const seeded = server.seeded!;
    expect(seeded.dataset.created.deals).toBe(limit);
    expect(seeded.contacts).toBe(170);
    expect(seeded.dealsLinked).toBe(limit - seeded.dataset.dealsWithoutAccount);
    expect(seeded.orders).toBe(seeded.dataset.dealsByStage.Won);
    expect([seeded.freshDeals, seeded.tasks, seeded.cases]).toEqual([5, 9, 6]);
  });

  it('issues a key per sign-in member that the API accepts as that member', async () => {
    expect(Object.keys(server.keys)).toEqual(['manager', 'rep', 'agent']);
    for (const { member, token } of Object.values(server.keys)) {
      expect(token.startsWith('demo/')).toBe(true);
      const inbox = await call(server, '/api/v1/me/inbox', token);
      expect(inbox.status).toBe(200);
      expect(inbox.body.items.length).toBeGreaterThan(0);
      expect(inbox.body.items.every((task: { assigneeId: string }) => task.assigneeId === member.id)).toBe(true);
    }
  });

  it("puts the rep's overdue and soon-due tasks first in their inbox", async () => {
    const inbox = await call(server, '/api/v1/me/inbox', server.keys.rep.token);
    const titles = inbox.body.items.map((task: { title: string }) => task.title);
    expect(titles).toHaveLength(5);
    expect(titles[0]).toMatch(/^Call back about/);
    expect(inbox.body.items.some((task: { dueAt: string | null }) => task.dueAt !== null && task.dueAt < clock.now().toISOString())).toBe(true);
  });

  it("shows the agent open cases with due times, the nearest minutes away", async () => {
    const cases = await call(server, `/api/v1/cases?limit=50`, server.keys.agent.token);
    expect(cases.status).toBe(200);
    const due = cases.body.items.map((c: { firstResponseDueAt: string | null }) => c.firstResponseDueAt).filter((d: string | null) => d !== null);
    const minutesLeft = due.map((d: string) => (Date.parse(d) - clock.now().getTime()) / 60_000).sort((a: number, b: number) => a - b);
    expect(cases.body.items).toHaveLength(6);
    expect(minutesLeft[0]).toBeLessThan(0); // one overdue
    expect(minutesLeft.some((m: number) => m > 0 && m <= 10)).toBe(true); // one near breach
  });

  it('refuses a request without a key', async () => {
    expect((await call(server, '/api/v1/contacts', null)).status).toBe(401);
  });
});

describe('restarting on a seeded file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crmkit-http-api-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('seeds once, then issues new keys on every start, and re-seeds with reset', async () => {
    const dbFile = join(dir, 'http-api.db');
    const first = await startServer({ port: 0, dbFile, limit: 50 });
    const firstKey = first.keys.rep.token;
    await first.close();

    const second = await startServer({ port: 0, dbFile, limit: 50 });
    try {
      expect(second.seeded).toBeUndefined();
      expect(second.keys.rep.token).not.toBe(firstKey);
      expect(second.keys.rep.member.id).toBe(first.keys.rep.member.id);
      const deals = await call(second, '/api/v1/deals?limit=1', firstKey);
      expect(deals.status).toBe(200); // the old key stays valid
    } finally {
      await second.close();
    }

    const third = await startServer({ port: 0, dbFile, limit: 50, reset: true });
    try {
      expect(third.seeded?.dataset.created.deals).toBe(50);
      expect((await call(third, '/api/v1/deals?limit=1', firstKey)).status).toBe(401);
    } finally {
      await third.close();
    }
  });
});
