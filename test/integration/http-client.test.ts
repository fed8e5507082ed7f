import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../lambdas/core/errors.ts';
import { parseRetryAfter, UpstreamClient, type UpstreamClientOptions } from '../../lambdas/core/http.ts';
import { RateLimiter } from '../../lambdas/core/rate-limiter.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';

const fake = new FakeUpstream();
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
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.clearRequests();
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
    const err = await client({ maxRetries: 2 }).get(`${fake.url}/limited`).catch((e) => e);
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
      headers['if-none-match'] === '"v1"' ? { status: 304, body: '' } : { body: '{"a":1}', headers: { etag: '"v1"', 'last-modified': 'Mon, 12 Jan 2026 16:28:00 GMT' } },
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
    await expect(client({ timeoutMs: 50, maxRetries: 1 }).get(`${fake.url}/slow`)).rejects.toMatchObject({ kind: 'network', message: /timed out/ });
    await expect(client({ maxRetries: 0 }).get('http://127.0.0.1:1/nothing')).rejects.toMatchObject({ kind: 'network' });
  });

  it('fails on unexpected statuses without retrying', async () => {
    fake.on('GET', '/gone', () => ({ status: 410, body: 'gone' }));
    await expect(client().get(`${fake.url}/gone`)).rejects.toMatchObject({ kind: 'http', message: /410/ });
    expect(fake.requestsTo('/gone')).toHaveLength(1);
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
