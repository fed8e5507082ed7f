import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Change, type ChangeDraft, finalizeChange } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import { loadConfig } from '#core/config.ts';
import { SourceError } from '#core/errors.ts';
import { UpstreamClient } from '#core/http.ts';
import type { ChangeQuery } from '#core/ports.ts';
import type { SourceContext } from '#core/source.ts';
import { revenueCommand, type RevenueReport } from '#app/cli/revenue.ts';
import { LabelCache } from '#sources/sec-revenue/fetch-labels.ts';
import { createSecRevenueSource, type SecRevenueCursor } from '#sources/sec-revenue/source.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { itWithSharedFixtures, OWN_FIXTURES, REPO_ROOT, shared } from '../support/fixtures.ts';
import { NVDA_10Q_PATH, registerRevenueDemo } from '../support/upstreams/sec-revenue.ts';

const EXCERPT = join(OWN_FIXTURES, 'sec-revenue/nvda-20250727-excerpt.htm');
const WWW = 'https://www.sec.gov';
const config = loadConfig({
  SEC_USER_AGENT: 'export-watch tests tests@example.com',
  EXPORT_WATCH_CONFIG: join(REPO_ROOT, 'export-watch.config.json'),
});

/** A `filing.new` change as sec-filings logs it. */
function filingChange(accession: string, form: string, detectedAt: string, extra: Record<string, unknown> = {}): Change {
  const folder = accession.replace(/-/g, '');
  const draft: ChangeDraft = {
    source: 'sec-filings',
    kind: 'filing.new',
    naturalKey: accession,
    subject: 'NVDA',
    title: `NVIDIA ${form}`,
    summary: '',
    data: {
      cik: '1045810',
      accession,
      form,
      companyName: 'NVIDIA CORP',
      primaryDocument: 'doc.htm',
      primaryDocumentUrl: `${WWW}/Archives/edgar/data/1045810/${folder}/doc.htm`,
      ...extra,
    },
  };
  return finalizeChange(draft, new Date(detectedAt));
}

/** A context over an in-memory change log, state items and documents served by a stub fetch. */
function harness(changes: Change[], documents: Record<string, Buffer | string | { status: number; body: string }>) {
  const items = new Map<string, Record<string, unknown>>();
  const fetched: string[] = [];
  const fetchStub = (async (input: Parameters<typeof fetch>[0]) => {
    const url = String(input);
    fetched.push(url);
    const body = documents[url];
    if (body === undefined) return new Response('missing', { status: 404 });
    if (typeof body === 'object' && 'status' in body) return new Response(body.body, { status: body.status });
    return new Response(body, { status: 200 });
  }) as typeof fetch;
  const http = new UpstreamClient({
    secUserAgent: config.secUserAgent,
    secHosts: ['www.sec.gov'],
    secRequestsPerSecond: 1000,
    otherRequestsPerSecond: 1000,
    timeoutMs: 5000,
    maxRetries: 0,
    maxBodyBytes: 64 * 1024 * 1024,
    fetch: fetchStub,
  });
  const clock = new ManualClock('2025-08-28T12:00:00Z');
  const queries: ChangeQuery[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const ctx = (cursor: SecRevenueCursor | undefined): SourceContext<SecRevenueCursor> => ({
    config,
    http,
    clock,
    cursor,
    readItem: async (key) => items.get(key),
    readItems: async (prefix) => [...items.entries()].filter(([k]) => k.startsWith(prefix)).map(([key, value]) => ({ key, value })),
    async *queryChanges(q) {
      queries.push(q);
      const list = changes
        .filter((c) => (!q.source || c.source === q.source) && (!q.kind || c.kind === q.kind) && (!q.since || c.detectedAt >= q.since))
        .sort((a, b) => (a.detectedAt < b.detectedAt ? 1 : -1));
      yield* list;
    },
    log: (message, fields) => logs.push({ message, ...fields }),
  });
  return { items, fetched, queries, ctx, clock, logs };
}

const url = (accession: string) => `${WWW}/Archives/edgar/data/1045810/${accession.replace(/-/g, '')}/doc.htm`;
/** The filing folder's listing, read to find the label linkbase. */
const indexUrl = (accession: string) => `${WWW}/Archives/edgar/data/1045810/${accession.replace(/-/g, '')}/index.json`;
const TENQ = '0001045810-25-000209';
/** A source with its own label cache, so no test sees another's cached folders. */
const freshSource = (options: Parameters<typeof createSecRevenueSource>[0] = {}) =>
  createSecRevenueSource({ labelCache: new LabelCache(), ...options });

describe('secRevenueSource.poll', () => {
  it('first run looks back 7 days, analyses 10-K/10-Q/20-F only, and stores the series', async () => {
    const changes = [
      filingChange(TENQ, '10-Q', '2025-08-27T21:00:00Z'),
      filingChange('0001045810-25-000207', '8-K', '2025-08-27T21:00:00Z'),
      filingChange('0001045810-25-000100', '10-Q', '2025-08-20T21:00:00Z'), // older than the look-back
    ];
    const h = harness(changes, { [url(TENQ)]: readFileSync(EXCERPT) });
    const source = freshSource();
    const result = await source.poll(h.ctx(undefined));
    expect(h.queries).toEqual([{ source: 'sec-filings', kind: 'filing.new', since: '2025-08-21T12:00:00.000Z' }]);
    // The document, then the folder listing (404 here: labels come from member names).
    expect(h.fetched).toEqual([url(TENQ), indexUrl(TENQ)]);
    expect(result.itemsSeen).toBe(1);
    expect(result.changes.map((c) => c.title)).toEqual(['NVIDIA Q2 FY2026: Singapore 21.7% of revenue (+3.0 pp YoY)']);
    expect(result.changes[0]).toMatchObject({
      subject: 'NVDA',
      url: url(TENQ),
      naturalKey: '0001045810:2025-07-27:quarter:us-gaap:Revenues',
    });
    expect(result.cursor).toEqual({ since: '2025-08-27T21:00:00.000Z', processed: [TENQ] });
    expect(result.itemWrites).toHaveLength(1);
    const write = (result.itemWrites ?? [])[0]!;
    expect(write.key).toBe('series#0001045810');
    expect(Object.keys((write.value as { periods: object }).periods)).toHaveLength(4);
    expect(Buffer.byteLength(JSON.stringify(write.value))).toBeLessThan(50_000);

    // Next run: the log answers the same change again (the query is inclusive); nothing is refetched.
    for (const w of result.itemWrites ?? []) h.items.set(w.key, w.value as Record<string, unknown>);
    const again = await source.poll(h.ctx(result.cursor));
    expect(h.fetched).toHaveLength(2);
    expect(again).toMatchObject({ changes: [], itemsSeen: 0, cursor: result.cursor, itemWrites: [] });
  });

  it('reports nothing for a re-announced filing whose numbers are already stored', async () => {
    const first = filingChange(TENQ, '10-Q', '2025-08-27T21:00:00Z');
    const h = harness([first], { [url(TENQ)]: readFileSync(EXCERPT) });
    const source = freshSource();
    const a = await source.poll(h.ctx(undefined));
    for (const w of a.itemWrites ?? []) h.items.set(w.key, w.value as Record<string, unknown>);
    // The cursor is lost (say, a state reset): the filing is analysed again but yields no change;
    // the folder's label lookup is cached, so only the document is fetched again.
    const b = await source.poll(h.ctx({ since: '2025-08-01T00:00:00Z', processed: [] }));
    expect(h.fetched).toEqual([url(TENQ), indexUrl(TENQ), url(TENQ)]);
    expect(b.changes).toEqual([]);
  });

  it('fails the cycle with a parse error when a document is not XBRL', async () => {
    const h = harness([filingChange(TENQ, '10-Q', '2025-08-27T21:00:00Z')], { [url(TENQ)]: '<html><body>Maintenance</body></html>' });
    const poll = freshSource().poll(h.ctx({ since: '2025-08-27T00:00:00Z', processed: [] }));
    await expect(poll).rejects.toBeInstanceOf(SourceError);
    await expect(freshSource().poll(h.ctx({ since: '2025-08-27T00:00:00Z', processed: [] }))).rejects.toMatchObject({ kind: 'parse' });
    // The document fails before any label request.
    expect(h.fetched.every((u) => !u.endsWith('index.json'))).toBe(true);
  });

  it('works through a backlog oldest first, a few filings per cycle, without skipping same-instant ones', async () => {
    const ids = ['0001045810-25-000201', '0001045810-25-000202', '0001045810-25-000203'];
    const changes = [
      filingChange(ids[0]!, '10-Q', '2025-08-27T20:00:00Z'),
      filingChange(ids[1]!, '10-K/A', '2025-08-27T21:00:00Z'),
      filingChange(ids[2]!, '20-F', '2025-08-27T21:00:00Z'),
    ];
    const docs = Object.fromEntries(ids.map((id) => [url(id), readFileSync(EXCERPT)]));
    const h = harness(changes, docs);
    const source = freshSource({ maxFilingsPerCycle: 2 });
    const one = await source.poll(h.ctx({ since: '2025-08-27T00:00:00.000Z', processed: [] }));
    const documents = () => h.fetched.filter((u) => !u.endsWith('index.json'));
    expect(documents()).toEqual([url(ids[0]!), url(ids[1]!)]);
    expect(one.cursor.since).toBe('2025-08-27T21:00:00.000Z');
    expect(one.cursor.processed).toEqual(expect.arrayContaining([ids[1]]));
    const two = await source.poll(h.ctx(one.cursor));
    expect(documents()).toEqual([url(ids[0]!), url(ids[1]!), url(ids[2]!)]);
    expect(two.itemsSeen).toBe(1);
    expect(two.cursor.since).toBe('2025-08-27T21:00:00.000Z');
  });

  it('builds the Archives URL from primaryDocument when no URL was logged', async () => {
    const change = filingChange(TENQ, '10-Q', '2025-08-27T21:00:00Z', {
      primaryDocumentUrl: undefined,
      primaryDocument: 'nvda-20250727.htm',
    });
    const h = harness([change], { [`${config.urls.secWww}${NVDA_10Q_PATH}`]: readFileSync(EXCERPT) });
    const result = await freshSource().poll(h.ctx(undefined));
    expect(h.fetched).toEqual([
      `${config.urls.secWww}${NVDA_10Q_PATH}`,
      `${config.urls.secWww}${NVDA_10Q_PATH.replace(/[^/]+$/, 'index.json')}`,
    ]);
    expect(result.changes).toHaveLength(1);
  });
});

describe('secRevenueSource.poll: member labels from the filing’s label linkbase', () => {
  // Netflix's Q3 2024 10-Q folder (accession 0001065280-24-000287), as EDGAR lists it.
  const NFLX_ACC = '0001065280-24-000287';
  const folder = `${WWW}/Archives/edgar/data/1065280/000106528024000287/`;
  const doc = `${folder}nflx-20240930_htm.xml`;
  const index = {
    directory: {
      item: [
        'nflx-20240930.htm',
        'nflx-20240930.xsd',
        'nflx-20240930_cal.xml',
        'nflx-20240930_def.xml',
        'nflx-20240930_htm.xml',
        'nflx-20240930_lab.xml',
        'nflx-20240930_pre.xml',
      ].map((name) => ({
        name,
        type: 'text.gif',
        size: '',
      })),
      name: '/Archives/edgar/data/1065280/000106528024000287',
    },
  };
  const netflix = () => ({
    ...filingChange(NFLX_ACC, '10-Q', '2024-10-18T21:00:00Z', {
      cik: '1065280',
      companyName: 'NETFLIX INC',
      primaryDocument: 'nflx-20240930_htm.xml',
      primaryDocumentUrl: doc,
    }),
    subject: 'NFLX',
  });
  const files = (extra: Record<string, Buffer | string | { status: number; body: string }> = {}) => ({
    [doc]: readFileSync(join(OWN_FIXTURES, 'sec-revenue/nflx-20240930_htm.xml')),
    [`${folder}index.json`]: JSON.stringify(index),
    [`${folder}nflx-20240930_lab.xml`]: readFileSync(join(OWN_FIXTURES, 'sec-revenue/nflx-20240930_lab.xml')),
    ...extra,
  });
  const cursor = { since: '2024-10-18T00:00:00.000Z', processed: [] };

  it('reads index.json, then the *_lab.xml it lists, and names members and the share base from it', async () => {
    const h = harness([netflix()], files());
    const result = await freshSource().poll(h.ctx(cursor));
    expect(h.fetched).toEqual([doc, `${folder}index.json`, `${folder}nflx-20240930_lab.xml`]);
    expect(h.logs.find((l) => l.message === 'filing analysed')).toMatchObject({ labels: 'linkbase' });
    expect(result.changes.map((c) => c.title)).toEqual([
      'Netflix Q3 FY2024: United States and Canada 44.0% of Streaming revenue (+0.2 pp YoY)',
    ]);
    expect(result.changes[0]?.data).toMatchObject({
      dimensions: { 'srt:ProductOrServiceAxis': 'nflx:StreamingMember' },
      dimensionLabels: { 'srt:ProductOrServiceAxis': 'Streaming' },
      total: null,
      consolidatedTotal: 9_824_703_000,
      shareBase: 'sumOfRegions',
      shareOf: 'Streaming revenue, as the sum of its regions (no Streaming subtotal reported)',
      complete: null,
    });
    expect(result.changes[0]?.summary).toMatch(
      /^No Streaming subtotal reported \(shares are of the sum of its regions\); company revenue \$9\.8B\. United States and Canada 44\.0%/,
    );
    // The stored series keeps both totals and the filer's labels.
    const series = result.itemWrites?.[0]?.value as { periods: Record<string, Record<string, unknown>> };
    expect(series.periods['2023-07-01..2023-09-30|srt:ProductOrServiceAxis=nflx:StreamingMember']).toMatchObject({
      total: null,
      consolidatedTotal: 8_541_668_000,
      sumOfRegions: 8_519_306_000,
      regions: expect.arrayContaining([
        expect.objectContaining({ member: 'us-gaap:EMEAMember', label: 'Europe, Middle East, and Africa' }),
      ]),
    });
  });

  it('falls back to member names when the folder cannot be listed, and tries again next time', async () => {
    const h = harness([netflix()], files({ [`${folder}index.json`]: { status: 500, body: 'Internal Server Error' } }));
    const source = freshSource();
    const result = await source.poll(h.ctx(cursor));
    expect(result.changes.map((c) => c.title)).toEqual([
      'Netflix Q3 FY2024: United States and Canada 44.0% of Streaming revenue (+0.2 pp YoY)',
    ]);
    expect((result.changes[0]!.data as { regions: { after: Array<{ label: string }> } }).regions.after.map((r) => r.label)).toEqual([
      'United States and Canada',
      'EMEA',
      'Latin America',
      'Asia Pacific',
    ]);
    expect(h.logs.find((l) => l.message === 'filing analysed')).toMatchObject({
      labels: 'unavailable',
      labelsError: expect.stringContaining('500'),
    });
    await source.poll(h.ctx(cursor));
    expect(h.fetched.filter((u) => u.endsWith('index.json'))).toHaveLength(2);
  });

  itWithSharedFixtures('asks for no labels when the filing has no geographic revenue (Apple Q2 FY2025 10-Q: segments only)', async () => {
    const apple = filingChange('0000320193-25-000057', '10-Q', '2024-10-18T21:00:00Z');
    const h = harness([apple], { [url('0000320193-25-000057')]: readFileSync(shared('sec/apple/aapl-20250329_htm.xml')) });
    const result = await freshSource().poll(h.ctx(cursor));
    expect(h.fetched).toEqual([url('0000320193-25-000057')]);
    expect(result.changes).toEqual([]);
  });

  it('an SEC block on the label request fails the cycle like any other', async () => {
    const block = { status: 403, body: '<html><body>Request Rate Threshold Exceeded</body></html>' };
    const h = harness([netflix()], files({ [`${folder}index.json`]: block }));
    await expect(freshSource().poll(h.ctx(cursor))).rejects.toMatchObject({ kind: 'blocked' });
  });
});

describe('revenueCommand', () => {
  it('prints one JSON object with values in units', async () => {
    const lines: string[] = [];
    await revenueCommand(EXCERPT, { json: true }, (s) => lines.push(s));
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as RevenueReport;
    expect(report.entity).toEqual({ cik: '0001045810', name: 'NVIDIA CORP', documentType: '10-Q', periodEnd: '2025-07-27' });
    expect(report.labels).toBe('member-names');
    expect(report.breakdowns).toHaveLength(4);
    expect(report.breakdowns[0]).toEqual({
      concept: 'us-gaap:Revenues',
      start: '2025-04-28',
      end: '2025-07-27',
      days: 91,
      periodKind: 'quarter',
      axis: 'srt:StatementGeographicalAxis',
      dimensions: {},
      dimensionLabels: {},
      total: 46_743_000_000,
      consolidatedTotal: 46_743_000_000,
      shareBase: 'total',
      shareOf: 'total revenue',
      sumOfRegions: 46_743_000_000,
      complete: true,
      overlapping: [],
      regions: [
        { member: 'country:US', label: 'United States', value: 23_470_000_000, share: expect.closeTo(0.5021, 4) },
        { member: 'country:SG', label: 'Singapore', value: 10_156_000_000, share: expect.closeTo(0.2173, 4) },
        { member: 'country:TW', label: 'Taiwan', value: 8_529_000_000, share: expect.closeTo(0.1825, 4) },
        {
          member: 'nvda:ChinaIncludingHongKongMember',
          label: 'China (including Hong Kong)',
          value: 2_769_000_000,
          share: expect.closeTo(0.0592, 4),
        },
        {
          member: 'nvda:AllOtherCountriesNotSeparatelyDisclosedMember',
          label: 'All other countries not separately disclosed',
          value: 1_819_000_000,
          share: expect.closeTo(0.0389, 4),
        },
      ],
    });
  });

  it('names a product × region breakdown’s two totals, with labels from the label linkbase beside a local file', async () => {
    const lines: string[] = [];
    await revenueCommand(join(OWN_FIXTURES, 'sec-revenue/nflx-20240930_htm.xml'), { json: true }, (s) => lines.push(s));
    const report = JSON.parse(lines[0]!) as RevenueReport;
    expect(report.labels).toBe('linkbase');
    const streaming = report.breakdowns.find(
      (b) => b.start === '2024-07-01' && b.end === '2024-09-30' && b.dimensions['srt:ProductOrServiceAxis'],
    );
    expect(streaming).toEqual({
      concept: 'us-gaap:Revenues',
      start: '2024-07-01',
      end: '2024-09-30',
      days: 92,
      periodKind: 'quarter',
      axis: 'srt:StatementGeographicalAxis',
      dimensions: { 'srt:ProductOrServiceAxis': 'nflx:StreamingMember' },
      dimensionLabels: { 'srt:ProductOrServiceAxis': 'Streaming' },
      total: null,
      consolidatedTotal: 9_824_703_000,
      shareBase: 'sumOfRegions',
      shareOf: 'Streaming revenue, as the sum of its regions (no Streaming subtotal reported)',
      sumOfRegions: 9_824_703_000,
      complete: null,
      regions: [
        {
          member: 'nflx:UnitedStatesAndCanadaMember',
          label: 'United States and Canada',
          value: 4_322_476_000,
          share: expect.closeTo(0.44, 4),
        },
        { member: 'us-gaap:EMEAMember', label: 'Europe, Middle East, and Africa', value: 3_133_466_000, share: expect.closeTo(0.3189, 4) },
        { member: 'srt:LatinAmericaMember', label: 'Latin America', value: 1_240_892_000, share: expect.closeTo(0.1263, 4) },
        { member: 'srt:AsiaPacificMember', label: 'Asia-Pacific', value: 1_127_869_000, share: expect.closeTo(0.1148, 4) },
      ],
      overlapping: [],
    });
    const table: string[] = [];
    await revenueCommand(join(OWN_FIXTURES, 'sec-revenue/nflx-20240930_htm.xml'), {}, (s) => table.push(s));
    const text = table.join('\n');
    expect(text).toContain('[srt:ProductOrServiceAxis=nflx:StreamingMember (Streaming)]');
    expect(text).toMatch(/Total reported\s+—\s+no total to check against/);
    expect(text).toMatch(/Company revenue\s+9,824\.703/);
    expect(text).toContain('Shares are of Streaming revenue, as the sum of its regions');
  });

  it('prints a readable table', async () => {
    const lines: string[] = [];
    await revenueCommand(EXCERPT, {}, (s) => lines.push(s));
    const text = lines.join('\n');
    expect(text).toContain('NVIDIA CORP — CIK 0001045810 — 10-Q for the period ending 2025-07-27');
    expect(text).toMatch(/Singapore\s+10,156\s+21\.7%/);
    expect(text).toMatch(/Total reported\s+46,743\s+complete/);
  });

  describe('over HTTP', () => {
    let fake: FakeUpstream;
    beforeAll(async () => {
      fake = await new FakeUpstream().start();
      registerRevenueDemo(fake);
      vi.stubEnv('SEC_USER_AGENT', 'export-watch tests tests@example.com');
      vi.stubEnv('SEC_WWW_URL', fake.url);
      vi.stubEnv('EXPORT_WATCH_CONFIG', join(REPO_ROOT, 'export-watch.config.json'));
    });
    afterAll(async () => {
      vi.unstubAllEnvs();
      await fake.stop();
    });

    it('fetches a URL with the configured client (SEC User-Agent)', async () => {
      const lines: string[] = [];
      await revenueCommand(`${fake.url}${NVDA_10Q_PATH}`, { json: true }, (s) => lines.push(s));
      expect((JSON.parse(lines[0]!) as RevenueReport).breakdowns[0]?.total).toBe(46_743_000_000);
      expect(fake.requestsTo(NVDA_10Q_PATH)[0]?.headers['user-agent']).toBe('export-watch tests tests@example.com');
    });
  });
});
