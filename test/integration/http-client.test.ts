import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SourceError } from '#core/errors.ts';
import { PRODUCT_USER_AGENT, parseRetryAfter, UpstreamClient, type UpstreamClientOptions } from '#core/http.ts';
import { RateLimiter } from '#core/rate-limiter.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';

const fake = new FakeUpstream();
/** A second server: another host (another port) that no redirect may reach. */
const other = new FakeUpstream();
const sleeps: number[] = [];

function client(overrides: Partial<UpstreamClientOptions> = {}): UpstreamClient {
  return new UpstreamClient({
    secUserAgent: 'Acme Research admin@acme.com',
    secHosts: [new URL(fake.url).host],
    secRequestsPerSecond: 1000,
    otherRequestsPerSecond: 1000,
    timeoutMs: 2000,
    maxRetries: 3,
    maxBodyBytes: 1024 * 1024,
    backoffBaseMs: 10,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
    ...overrides,
  });
}

beforeAll(async () => {
  await fake.start();
  await other.start();
});
afterAll(async () => {
  await fake.stop();
  await other.stop();
});
beforeEach(() => {
  fake.clearRequests();
  other.clearRequests();
  sleeps.length = 0;
});

describe('UpstreamClient', () => {
  it('sends the declared SEC User-Agent and gzip, and decodes gzip bodies', async () => {
    fake.on('GET', '/ok', () => ({ body: 'x'.repeat(5000), headers: { 'content-type': 'text/plain' } }));
    const res = await client().get(`${fake.url}/ok`);
    expect(res.body.toString()).toBe('x'.repeat(5000));
    expect(res.bodyHash).toMatch(/^[0-9a-f]{64}$/);
    const req = fake.requestsTo('/ok')[0];
    expect(req?.headers['user-agent']).toBe('Acme Research admin@acme.com');
    expect(req?.headers['accept-encoding']).toContain('gzip');
  });

  it('refuses to call SEC without a User-Agent instead of inventing one', async () => {
    await expect(client({ secUserAgent: undefined }).get(`${fake.url}/ok`)).rejects.toMatchObject({ kind: 'config' });
    expect(fake.requests).toHaveLength(0);
  });

  it('retries 503 with exponential backoff, then succeeds', async () => {
    let calls = 0;
    fake.on('GET', '/flaky', () => (++calls < 3 ? { status: 503, body: 'busy' } : { body: 'ok' }));
    const c = client();
    const res = await c.get(`${fake.url}/flaky`);
    expect(res.body.toString()).toBe('ok');
    expect(calls).toBe(3);
    expect(sleeps).toEqual([10, 20]);
    expect(c.stats.retries).toBe(2);
  });

  it('honours Retry-After on 429 and reports rate-limited when it persists', async () => {
    fake.on('GET', '/limited', () => ({ status: 429, body: 'slow down', headers: { 'retry-after': '2' } }));
    const err = await client({ maxRetries: 2 })
      .get(`${fake.url}/limited`)
      .catch((e) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err.kind).toBe('rate-limited');
    expect(sleeps).toEqual([2000, 2000]);
    expect(fake.requestsTo('/limited')).toHaveLength(3);
  });

  it('treats a SEC rate-limit 403 as "blocked" without retrying', async () => {
    fake.on('GET', '/blocked', () => ({ status: 403, body: '<html>Request Rate Threshold Exceeded</html>' }));
    const c = client();
    await expect(c.get(`${fake.url}/blocked`)).rejects.toMatchObject({ kind: 'blocked' });
    expect(fake.requestsTo('/blocked')).toHaveLength(1);
    expect(c.stats.blocks).toBe(1);
  });

  it('reports a missing Archives file (403 S3 XML) as http, not blocked', async () => {
    fake.on('GET', '/missing', () => ({ status: 403, body: '<Error><Code>AccessDenied</Code></Error>' }));
    await expect(client().get(`${fake.url}/missing`)).rejects.toMatchObject({ kind: 'http' });
    expect(fake.requestsTo('/missing')).toHaveLength(1);
  });

  it('returns accepted statuses (the feed 503 end page) to the caller', async () => {
    fake.on('GET', '/end', () => ({ status: 503, body: 'File Unavailable' }));
    const res = await client().get(`${fake.url}/end`, { acceptStatus: [503] });
    expect(res.status).toBe(503);
    expect(fake.requestsTo('/end')).toHaveLength(1);
  });

  it('caps the body size', async () => {
    fake.on('GET', '/huge', () => ({ body: Buffer.alloc(200_000, 65) }));
    await expect(client({ maxBodyBytes: 100_000 }).get(`${fake.url}/huge`)).rejects.toMatchObject({ kind: 'sanity' });
  });

  it('uses conditional GET and reports 304 as not modified', async () => {
    fake.on('GET', '/cond', ({ headers }) =>
      headers['if-none-match'] === '"v1"'
        ? { status: 304, body: '' }
        : { body: '{"a":1}', headers: { etag: '"v1"', 'last-modified': 'Mon, 12 Jan 2026 16:28:00 GMT' } },
    );
    const c = client();
    const first = await c.getJson<{ a: number }>(`${fake.url}/cond`);
    expect(first.json).toEqual({ a: 1 });
    expect(first.response.validators.etag).toBe('"v1"');
    const second = await c.get(`${fake.url}/cond`, { validators: first.response.validators });
    expect(second.notModified).toBe(true);
    expect(fake.requestsTo('/cond')[1]?.headers['if-modified-since']).toBe('Mon, 12 Jan 2026 16:28:00 GMT');
    expect(c.stats.notModified).toBe(1);
  });

  it('maps invalid JSON to a parse error, timeouts and refused connections to network errors', async () => {
    fake.on('GET', '/bad-json', () => ({ body: '{"results": [' }));
    await expect(client().getJson(`${fake.url}/bad-json`)).rejects.toMatchObject({ kind: 'parse' });
    fake.on('GET', '/slow', () => new Promise((r) => setTimeout(() => r({ body: 'late' }), 500)));
    await expect(client({ timeoutMs: 50, maxRetries: 1 }).get(`${fake.url}/slow`)).rejects.toMatchObject({
      kind: 'network',
      message: /timed out/,
    });
    await expect(client({ maxRetries: 0 }).get('http://127.0.0.1:1/nothing')).rejects.toMatchObject({ kind: 'network' });
  });

  it('fails on unexpected statuses without retrying', async () => {
    fake.on('GET', '/gone', () => ({ status: 410, body: 'gone' }));
    await expect(client().get(`${fake.url}/gone`)).rejects.toMatchObject({ kind: 'http', message: /410/ });
    expect(fake.requestsTo('/gone')).toHaveLength(1);
  });
});

describe('UpstreamClient redirects (issue 19, item 2)', () => {
  it('follows a same-host redirect with a relative Location, for 301, 302, 303, 307 and 308', async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      fake.clearRequests();
      fake.on('GET', `/moved-${status}`, () => ({ status, headers: { location: `../target?from=${status}` }, body: 'moved' }));
      fake.on('GET', '/target', ({ url }) => ({ body: `here ${url.searchParams.get('from')}` }));
      const res = await client().get(`${fake.url}/sub/../moved-${status}`);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe(`here ${status}`);
      expect(fake.requests.map((r) => r.path)).toEqual([`/moved-${status}`, '/target']);
      // Same host: still the SEC User-Agent (the fake is an SEC host in these tests).
      expect(fake.requestsTo('/target')[0]?.headers['user-agent']).toBe('Acme Research admin@acme.com');
    }
  });

  it('refuses a redirect to another host: SourceError naming both, and the other host gets no request', async () => {
    fake.on('GET', '/to-other', () => ({ status: 302, headers: { location: `${other.url}/phish` }, body: '' }));
    other.on('GET', '/phish', () => ({ body: 'BIS revokes all licenses' }));
    const err = await client()
      .get(`${fake.url}/to-other`)
      .catch((e) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err.kind).toBe('http');
    expect(err.message).toMatch(new RegExp(`redirect from ${fake.url}/to-other to untrusted host ${new URL(other.url).host} refused`));
    expect(other.requests).toHaveLength(0);
    expect(fake.requestsTo('/to-other')).toHaveLength(1); // not retried
  });

  it('refuses a redirect to the same server under another host name (localhost vs 127.0.0.1)', async () => {
    const port = new URL(fake.url).port;
    fake.on('GET', '/to-localhost', () => ({ status: 307, headers: { location: `http://localhost:${port}/ok` }, body: '' }));
    fake.on('GET', '/ok', () => ({ body: 'ok' }));
    await expect(client().get(`${fake.url}/to-localhost`)).rejects.toMatchObject({ kind: 'http', message: /untrusted host localhost/ });
    expect(fake.requests.map((r) => r.path)).toEqual(['/to-localhost']);
  });

  it('ends a redirect loop with an error after at most 5 redirects', async () => {
    fake.on('GET', '/loop', () => ({ status: 302, headers: { location: '/loop' }, body: '' }));
    await expect(client().get(`${fake.url}/loop`)).rejects.toMatchObject({ kind: 'http', message: /more than 5 redirects/ });
    expect(fake.requestsTo('/loop')).toHaveLength(6);
  });

  it('refuses a redirect without a Location', async () => {
    fake.on('GET', '/nowhere', () => ({ status: 302, body: '' }));
    await expect(client().get(`${fake.url}/nowhere`)).rejects.toMatchObject({ kind: 'http', message: /without a Location/ });
  });

  /** A scripted fetch for https hosts the tests cannot serve: records each request's URL and User-Agent. */
  function scriptedFetch(answers: Record<string, { status: number; location?: string; body?: string }>) {
    const seen: Array<{ url: string; userAgent: string | undefined }> = [];
    const impl = (async (input: URL | string, init?: RequestInit) => {
      const url = String(input);
      seen.push({ url, userAgent: ((init?.headers ?? {}) as Record<string, string>)['user-agent'] });
      expect(init?.redirect).toBe('manual');
      const answer = answers[url];
      if (!answer) return new Response('not scripted', { status: 404 });
      return new Response(answer.body ?? '', { status: answer.status, headers: answer.location ? { location: answer.location } : {} });
    }) as typeof fetch;
    return { seen, impl };
  }

  it('follows https redirects between the hosts of one upstream, with the User-Agent of each target host', async () => {
    const { seen, impl } = scriptedFetch({
      'https://www.sec.gov/files/company_tickers.json': { status: 301, location: 'https://data.sec.gov/files/company_tickers.json' },
      'https://data.sec.gov/files/company_tickers.json': { status: 200, body: '{}' },
      'https://federalregister.gov/api/v1/documents.json': {
        status: 301,
        location: 'https://www.federalregister.gov/api/v1/documents.json',
      },
      'https://www.federalregister.gov/api/v1/documents.json': { status: 200, body: '{"count":0}' },
    });
    const c = client({ secHosts: [], fetch: impl });
    expect((await c.get('https://www.sec.gov/files/company_tickers.json')).body.toString()).toBe('{}');
    expect((await c.get('https://federalregister.gov/api/v1/documents.json')).body.toString()).toBe('{"count":0}');
    expect(seen.map((s) => s.userAgent)).toEqual([
      'Acme Research admin@acme.com',
      'Acme Research admin@acme.com',
      PRODUCT_USER_AGENT,
      PRODUCT_USER_AGENT,
    ]);
    expect(c.stats.requests).toBe(4);
  });

  it('refuses https redirects that leave the upstream or downgrade to http, and never sends the SEC User-Agent elsewhere', async () => {
    const { seen, impl } = scriptedFetch({
      'https://www.federalregister.gov/api/v1/documents.json': { status: 302, location: 'https://evil.example/bis-revokes-all-licenses' },
      'https://www.sec.gov/cgi-bin/browse-edgar': { status: 302, location: 'https://collector.example/edgar' },
      'https://data.sec.gov/submissions/CIK0001045810.json': {
        status: 302,
        location: 'http://data.sec.gov/submissions/CIK0001045810.json',
      },
      'https://www.sec.gov/Archives/x': { status: 302, location: 'https://www.federalregister.gov/x' },
    });
    const c = client({ secHosts: [], fetch: impl });
    await expect(c.get('https://www.federalregister.gov/api/v1/documents.json')).rejects.toMatchObject({
      kind: 'http',
      message: /untrusted host evil\.example refused/,
    });
    await expect(c.get('https://www.sec.gov/cgi-bin/browse-edgar')).rejects.toMatchObject({
      kind: 'http',
      message: /untrusted host collector\.example refused/,
    });
    await expect(c.get('https://data.sec.gov/submissions/CIK0001045810.json')).rejects.toMatchObject({
      kind: 'http',
      message: /not https/,
    });
    await expect(c.get('https://www.sec.gov/Archives/x')).rejects.toMatchObject({
      kind: 'http',
      message: /untrusted host www\.federalregister\.gov refused/,
    });
    expect(seen.map((s) => new URL(s.url).host)).toEqual(['www.federalregister.gov', 'www.sec.gov', 'data.sec.gov', 'www.sec.gov']);
  });

  it('trusts the hosts of the configured base URLs for their upstream', async () => {
    const { seen, impl } = scriptedFetch({
      'https://mirror.example/api/v1/documents.json': { status: 302, location: 'https://www.federalregister.gov/api/v1/documents.json' },
      'https://www.federalregister.gov/api/v1/documents.json': { status: 200, body: 'ok' },
      'https://www.federalregister.gov/other': { status: 302, location: 'https://mirror.example/other' },
      'https://mirror.example/other': { status: 200, body: 'back' },
    });
    const c = client({ secHosts: [], fetch: impl, trustedHosts: [['mirror.example', 'www.federalregister.gov', 'federalregister.gov']] });
    expect((await c.get('https://mirror.example/api/v1/documents.json')).body.toString()).toBe('ok');
    expect((await c.get('https://www.federalregister.gov/other')).body.toString()).toBe('back');
    expect(seen).toHaveLength(4);
  });
});

describe('UpstreamClient Retry-After (issue 19, item 9)', () => {
  it('carries a long Retry-After on the error without waiting or retrying in the run', async () => {
    fake.on('GET', '/day', () => ({ status: 429, body: 'slow down', headers: { 'retry-after': '86400' } }));
    const err = await client({ maxRetries: 3 })
      .get(`${fake.url}/day`)
      .catch((e) => e);
    expect(err).toMatchObject({ kind: 'rate-limited', retryAfterMs: 86_400_000 });
    expect(sleeps).toEqual([]);
    expect(fake.requestsTo('/day')).toHaveLength(1);
  });

  it('reads an HTTP-date Retry-After on 503', async () => {
    const at = new Date(Date.now() + 2 * 3600_000).toUTCString();
    fake.on('GET', '/maint', () => ({ status: 503, body: 'maintenance', headers: { 'retry-after': at } }));
    const err = await client({ maxRetries: 3 })
      .get(`${fake.url}/maint`)
      .catch((e) => e);
    expect(err.kind).toBe('network');
    expect(err.retryAfterMs).toBeGreaterThan(2 * 3600_000 - 60_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(2 * 3600_000);
    expect(fake.requestsTo('/maint')).toHaveLength(1);
  });
});

describe('UpstreamClient cycle signal (issue 19, item 11)', () => {
  it('aborts a request in flight when the cycle signal fires, as a timeout, without retrying', async () => {
    fake.on('GET', '/hang', () => new Promise((r) => setTimeout(() => r({ body: 'late' }), 5000)));
    const controller = new AbortController();
    const c = client({ timeoutMs: 10_000 }).withSignal(controller.signal);
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(c.get(`${fake.url}/hang`)).rejects.toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fake.requestsTo('/hang')).toHaveLength(1);
    // Once aborted, further requests fail at once and reach nobody.
    await expect(c.get(`${fake.url}/ok`)).rejects.toMatchObject({ kind: 'timeout' });
    expect(fake.requestsTo('/ok')).toHaveLength(0);
  });

  it('shares counters and rate limits with the client it was made from', async () => {
    fake.on('GET', '/ok', () => ({ body: 'ok' }));
    const base = client();
    await base.withSignal(new AbortController().signal).get(`${fake.url}/ok`);
    expect(base.stats.requests).toBe(1);
  });
});

describe('RateLimiter', () => {
  it('spaces calls to the configured rate', async () => {
    let now = 0;
    const waits: number[] = [];
    const limiter = new RateLimiter(
      5,
      async (ms) => {
        waits.push(ms);
      },
      () => now,
    );
    for (let i = 0; i < 4; i++) await limiter.acquire();
    expect(waits).toEqual([200, 400, 600]);
    now = 10_000;
    waits.length = 0;
    await limiter.acquire();
    expect(waits).toEqual([]);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });
});
