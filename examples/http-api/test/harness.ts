import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { type Clock, type Member, ManualClock } from '@crmkit/core';
import { createApp } from '../src/app.js';
import { createHost, type Host, type HostOptions } from '../src/host/host.js';
import { OpenApiCheck } from './openapi-check.js';

/** The members every test host has, one per built-in role that matters here. */
export const testMembers = ['admin', 'manager', 'rep', 'rep2', 'agent'] as const;
/** One of {@link testMembers}. */
export type TestMember = (typeof testMembers)[number];

/** A response as a test reads it. */
export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Options of one {@link TestHost.call}. */
export interface CallOptions {
  /** Whose API key signs the request. @default 'admin'; `null` sends none */
  as?: TestMember | null;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An app on an in-memory database, with a tenant, members and their API keys. */
export interface TestHost {
  host: Host;
  app: ReturnType<typeof createApp>;
  clock: ManualClock;
  tenantId: string;
  members: Record<TestMember, Member>;
  keys: Record<TestMember, string>;
  /** Calls the API (`path` below /api/v1) and checks the response against the OpenAPI document. */
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<TestResponse<T>>;
  /** Calls any path of the app as is, unchecked (web pages, inbound webhooks). */
  raw(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

let check: OpenApiCheck | undefined;

/**
 * Opens a test host: SQLite in memory, a manual clock (2026-03-02 09:00 UTC,
 * a Monday), tenant `acme` with members admin (admin), manager (manager, of
 * the team `Sales`), rep and rep2 (reps in `Sales`) and agent (agent), each
 * with an API key. Every API response is checked against the OpenAPI document.
 */
export async function openTestHost(options: Partial<HostOptions> & { clock?: Clock } = {}): Promise<TestHost> {
  const clock = options.clock instanceof ManualClock ? options.clock : new ManualClock('2026-03-02T09:00:00.000Z');
  const host = await createHost({ adapter: sqliteAdapter({ filename: ':memory:' }), secret: 'test-secret-of-at-least-16-bytes', ...options, clock });
  const app = createApp(host);
  const tenantId = 'acme';
  const s = host.crm.system(tenantId);
  const admin = await s.members.create({ name: 'Alice Admin', email: 'admin@acme.test', role: 'admin' });
  const manager = await s.members.create({ name: 'Max Manager', email: 'manager@acme.test', role: 'manager' });
  const team = await s.teams.create({ name: 'Sales', managerId: manager.id });
  const managerInTeam = await s.members.update(manager.id, { teamIds: [team.id] });
  const rep = await s.members.create({ name: 'Rita Rep', email: 'rep@acme.test', role: 'rep', teamIds: [team.id] });
  const rep2 = await s.members.create({ name: 'Ravi Rep', email: 'rep2@acme.test', role: 'rep', teamIds: [team.id] });
  const agent = await s.members.create({ name: 'Aga Agent', email: 'agent@acme.test', role: 'agent' });
  const members = { admin, manager: managerInTeam, rep, rep2, agent };
  const keys = {} as Record<TestMember, string>;
  for (const name of testMembers) {
    keys[name] = (await host.credentials.issue(tenantId, members[name].id, { kind: 'api-key', label: `${name} test key` })).token;
  }
  if (!check) check = new OpenApiCheck((await (await app.request("/api/v1/openapi.json")).json()) as ConstructorParameters<typeof OpenApiCheck>[0]);

  return {
    host, app, clock, tenantId, members, keys,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const as = options.as === undefined ? 'admin' : options.as;
      if (as !== null) headers.authorization = `Bearer ${keys[as]}`;
      if (options.body !== undefined) headers['content-type'] ??= 'application/json';
      const url = `/api/v1${path}`;
      const res = await app.request(url, {
        method, headers,
        ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
      });
      const text = await res.text();
      const type = res.headers.get('content-type');
      // application/json and application/problem+json are parsed; NDJSON and CSV stay text.
      const body = text === '' ? undefined : /^application\/([\w.-]+\+)?json\b/.test(type ?? '') ? JSON.parse(text) : text;
      check!.check(method, url, res.status, type, body);
      return { status: res.status, headers: res.headers, body };
    },
    raw: (path, init) => Promise.resolve(app.request(path, init)),
    close: () => host.close(),
  };
}
