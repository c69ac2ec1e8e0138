/** A request the fake receiver got. */
export interface ReceivedRequest {
  url: string;
  headers: Headers;
  body: string;
}

/**
 * A webhook receiver in the test's hands, as the host's `fetch`: it records
 * every POST and answers with `status`, or fails like a refused connection
 * while `unreachable`.
 */
export class FakeReceiver {
  readonly requests: ReceivedRequest[] = [];
  status = 200;
  unreachable = false;

  readonly fetch: typeof fetch = async (input, init) => {
    if (this.unreachable) throw new TypeError('fetch failed: connect ECONNREFUSED');
    this.requests.push({ url: String(input), headers: new Headers(init?.headers), body: String(init?.body) });
    return new Response('ok', { status: this.status });
  };

  to(url: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.url === url);
  }
}
