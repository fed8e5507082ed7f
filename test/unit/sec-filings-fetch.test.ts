import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SourceError } from '#core/errors.ts';
import { UpstreamClient } from '#core/http.ts';
import { diffCompany } from '#sources/sec-filings/detect.ts';
import { fetchCompanySubmissions, submissionsUrl } from '#sources/sec/fetch.ts';
import { feedUrl, readFeed } from '#sources/sec-filings/fetch.ts';
import { parseSubmissions, parseSubmissionsPage } from '#sources/sec/submissions.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';
import {
  atomFeed,
  type FeedEntrySpec,
  registerSecFeed,
  registerSecFromSharedFixtures,
  SEC_FEED_PATH,
  SEC_SUBMISSIONS_ROUTE,
} from '../support/upstreams/sec.ts';

const FORMS = ['10-K', '10-Q', '8-K', '20-F', '6-K'];
let fake: FakeUpstream;
let http: UpstreamClient;

const entry = (n: number): FeedEntrySpec => ({
  accession: `00000000${String(n).padStart(2, '0')}-25-000001`,
  form: '8-K',
  company: `CO ${n}`,
  cik: n,
  updated: `2025-08-27T16:${String(59 - n).padStart(2, '0')}:00-04:00`,
});
const page = (...ns: number[]) => atomFeed(ns.map(entry), '2025-08-27T17:00:00-04:00');

beforeAll(async () => {
  fake = await new FakeUpstream().start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.clearRequests();
  http = new UpstreamClient({
    secUserAgent: 'export-watch tests tests@example.com',
    secHosts: [new URL(fake.url).host],
    secRequestsPerSecond: 1000,
    otherRequestsPerSecond: 1000,
    timeoutMs: 5000,
    maxRetries: 1,
    maxBodyBytes: 64 * 1024 * 1024,
    backoffBaseMs: 1,
  });
});

describe('sec-filings feed reading', () => {
  it('reads one page on a baseline and sends the getcurrent query EDGAR expects', async () => {
    registerSecFeed(fake, { 0: page(1, 2), 100: page(3, 4) });
    const read = await readFeed(http, fake.url, { previousHead: undefined, maxPages: 10 });
    expect(read).toMatchObject({ requests: 1, reachedPreviousHead: false, endOfFeed: false });
    expect(fake.requests[0]?.query).toBe('?action=getcurrent&type=&company=&dateb=&owner=include&start=0&count=100&output=atom');
    expect(fake.requests[0]?.headers['user-agent']).toBe('export-watch tests tests@example.com');
    expect(feedUrl('https://www.sec.gov', 200)).toContain('start=200&count=100');
  });

  it('stops on the first page that shows the previous head', async () => {
    registerSecFeed(fake, { 0: page(1, 2), 100: page(3, 4), 200: page(5, 6) });
    const onFirst = await readFeed(http, fake.url, { previousHead: new Set([entry(2).accession]), maxPages: 10 });
    expect(onFirst).toMatchObject({ requests: 1, reachedPreviousHead: true });
    const onSecond = await readFeed(http, fake.url, { previousHead: new Set([entry(4).accession, entry(5).accession]), maxPages: 10 });
    expect(onSecond).toMatchObject({ requests: 2, reachedPreviousHead: true });
    expect(onSecond.pages.flatMap((p) => p.filings.map((f) => f.accession))).toHaveLength(4);
  });

  it('gives up after maxPages without proof', async () => {
    registerSecFeed(fake, (start) => page(start / 100 + 1));
    const read = await readFeed(http, fake.url, { previousHead: new Set(['0000000099-25-000099']), maxPages: 3 });
    expect(read).toMatchObject({ requests: 3, reachedPreviousHead: false, endOfFeed: false });
  });

  it('treats a 503 after the first page as the end of the feed', async () => {
    registerSecFeed(fake, { 0: page(1) });
    const read = await readFeed(http, fake.url, { previousHead: new Set(['0000000099-25-000099']), maxPages: 10 });
    expect(read).toMatchObject({ requests: 2, reachedPreviousHead: false, endOfFeed: true });
  });

  it('treats a 503 on the first page as an outage (retried, then network error)', async () => {
    registerSecFeed(fake, {});
    await expect(readFeed(http, fake.url, { previousHead: undefined, maxPages: 10 })).rejects.toMatchObject({ kind: 'network' });
    expect(fake.requestsTo(SEC_FEED_PATH)).toHaveLength(2);
  });

  it('fails on an empty first page (sanity) and a malformed page (parse)', async () => {
    registerSecFeed(fake, { 0: atomFeed([], '2025-08-27T17:00:00-04:00') });
    await expect(readFeed(http, fake.url, { previousHead: undefined, maxPages: 10 })).rejects.toMatchObject({ kind: 'sanity' });
    registerSecFeed(fake, { 0: page(1, 2).subarray(0, 500) });
    await expect(readFeed(http, fake.url, { previousHead: undefined, maxPages: 10 })).rejects.toMatchObject({ kind: 'parse' });
  });

  it('lets an SEC rate block through as kind blocked', async () => {
    fake.on('GET', SEC_FEED_PATH, () => ({
      status: 403,
      body: '<html><h1>Your Request Originates from an Undeclared Automated Tool</h1>Request Rate Threshold Exceeded</html>',
    }));
    const err = await readFeed(http, fake.url, { previousHead: undefined, maxPages: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).kind).toBe('blocked');
  });
});

describeWithSharedFixtures('sec-filings fetch on real recordings', () => {
  const json = (rel: string) => JSON.parse(readFileSync(shared(rel), 'utf8'));
  const now = new Date('2026-03-01T00:00:00Z');

  it('pages the real feed until EDGAR answers 503', async () => {
    registerSecFromSharedFixtures(fake, { feedPages: { 0: { file: shared('sec/feeds/getcurrent-start0-count100.atom.xml') } } });
    const read = await readFeed(http, fake.url, { previousHead: new Set(['0000000099-25-000099']), maxPages: 51 });
    expect(read).toMatchObject({ requests: 2, endOfFeed: true, reachedPreviousHead: false });
    expect(read.pages[0]?.filings).toHaveLength(73);
  });

  it('fetches Tesla’s older page only when the recent page does not reach back', async () => {
    registerSecFromSharedFixtures(fake);
    const recent = parseSubmissions(json('sec/tesla/submissions-CIK0001318605.json')).recent;
    const older = parseSubmissionsPage(json('sec/tesla/submissions-CIK0001318605-submissions-001.json'));

    const fresh = diffCompany({ cik: '1318605', name: 'Tesla, Inc.', known: undefined, rows: recent.slice(10), forms: FORMS, now }).next;
    const quick = await fetchCompanySubmissions(http, `${fake.url}/sec-data`, '1318605', fresh);
    expect(quick).toMatchObject({ requests: 1, olderPagesFetched: [] });
    expect(quick.rows).toHaveLength(1002);
    expect(fake.requests.map((r) => r.path)).toEqual(['/sec-data/submissions/CIK0001318605.json']);

    fake.clearRequests();
    const stale = diffCompany({ cik: '1318605', name: 'Tesla, Inc.', known: undefined, rows: older.slice(3), forms: FORMS, now }).next;
    const deep = await fetchCompanySubmissions(http, `${fake.url}/sec-data`, '1318605', stale);
    expect(deep).toMatchObject({ requests: 2, olderPagesFetched: ['CIK0001318605-submissions-001.json'] });
    expect(deep.rows).toHaveLength(1002 + 720);
    expect(fake.requests.map((r) => r.path)).toEqual([
      '/sec-data/submissions/CIK0001318605.json',
      '/sec-data/submissions/CIK0001318605-submissions-001.json',
    ]);

    fake.clearRequests();
    await fetchCompanySubmissions(http, `${fake.url}/sec-data`, '1318605', undefined);
    expect(fake.requests).toHaveLength(1);
  });

  it('refuses a document for another CIK', async () => {
    registerSecFromSharedFixtures(fake, { submissions: { 'CIK0000000001.json': json('sec/nvidia/submissions-CIK0001045810.json') } });
    await expect(fetchCompanySubmissions(http, `${fake.url}/sec-data`, '1', undefined)).rejects.toMatchObject({ kind: 'sanity' });
    expect(submissionsUrl('https://data.sec.gov', '1045810')).toBe('https://data.sec.gov/submissions/CIK0001045810.json');
  });

  it('reports a CIK EDGAR does not know as a config error, and a broken body as parse', async () => {
    registerSecFromSharedFixtures(fake);
    await expect(fetchCompanySubmissions(http, `${fake.url}/sec-data`, '7777777', undefined)).rejects.toMatchObject({
      kind: 'config',
      message: expect.stringContaining('7777777'),
    });
    fake.on('GET', SEC_SUBMISSIONS_ROUTE, () => ({ body: '{"cik": "0000000003", "filings": ' }));
    await expect(fetchCompanySubmissions(http, `${fake.url}/sec-data`, '3', undefined)).rejects.toMatchObject({ kind: 'parse' });
  });
});
