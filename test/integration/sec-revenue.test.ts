import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Change, type ChangeDraft, finalizeChange } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import { type CycleDeps, runSourceCycle } from '#core/source.ts';
import { createCycleDeps, createUpstreamClient } from '#app/compose.ts';
import { type SecRevenueCursor, secRevenueSource } from '#sources/sec-revenue/source.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { type LocalDynamo, startLocalDynamo, testConfig } from '../support/local-aws.ts';
import {
  NFLX_10Q_ACCESSION,
  NFLX_10Q_FOLDER,
  NFLX_10Q_PATH,
  NVDA_10Q_ACCESSION,
  NVDA_10Q_PATH,
  nvda10qDocument,
  registerNetflixFiling,
  registerRevenueDemo,
} from '../support/upstreams/sec-revenue.ts';

const GARBAGE_ACCESSION = '0001045810-25-000300';
const GARBAGE_PATH = '/Archives/edgar/data/1045810/000104581025000300/nvda-20251026.htm';

describe('sec-revenue cycle against dynalite and a fake EDGAR', () => {
  let fake: FakeUpstream;
  let local: LocalDynamo;
  let deps: CycleDeps;
  const clock = new ManualClock('2025-08-27T20:00:00Z');

  beforeAll(async () => {
    fake = await new FakeUpstream().start();
    registerRevenueDemo(fake);
    registerNetflixFiling(fake);
    const config = testConfig(fake.env());
    local = await startLocalDynamo(config.tables);
    deps = createCycleDeps(config, {
      db: local.db,
      clock,
      http: createUpstreamClient(config, { secRequestsPerSecond: 1000, backoffBaseMs: 1 }),
    });
  });
  afterAll(async () => {
    await local?.stop();
    await fake?.stop();
  });

  /** Log a `filing.new` change the way sec-filings does (already notified, not ours to mail). */
  async function seedFiling(
    accession: string,
    path: string,
    primaryDocument: string,
    company = { cik: '1045810', ticker: 'NVDA', name: 'NVIDIA CORP' },
  ) {
    const draft: ChangeDraft = {
      source: 'sec-filings',
      kind: 'filing.new',
      naturalKey: accession,
      subject: company.ticker,
      title: `${company.name} filed a 10-Q`,
      summary: '',
      url: `${fake.url}${path}`,
      data: {
        cik: company.cik,
        accession,
        form: '10-Q',
        filedAt: '2025-08-27',
        acceptedAt: '2025-08-27T16:24:37Z',
        periodOfReport: '2025-07-27',
        items: [],
        primaryDocument,
        primaryDocumentUrl: `${fake.url}${path}`,
        indexUrl: `${fake.url}${path.replace(/[^/]+$/, '')}`,
        companyName: company.name,
      },
    };
    await deps.changes.put(finalizeChange(draft, clock.now()), { notify: false });
  }

  async function revenueChanges(): Promise<Change[]> {
    const out: Change[] = [];
    for await (const c of deps.changes.query({ source: 'sec-revenue' })) out.push(c);
    return out;
  }

  const cursor = async () => (await deps.state.get('sec-revenue'))?.cursor as SecRevenueCursor | undefined;

  it('records a quiet baseline', async () => {
    const outcome = await runSourceCycle(secRevenueSource, deps);
    expect(outcome).toMatchObject({ status: 'ok', baseline: true, changesCreated: 0, itemsSeen: 0 });
    expect(await cursor()).toEqual({ since: '2025-08-20T20:00:00.000Z', processed: [] });
  });

  it('turns a new 10-Q into one revenue.regional change and the company series', async () => {
    clock.advance(60 * 60_000);
    await seedFiling(NVDA_10Q_ACCESSION, NVDA_10Q_PATH, 'nvda-20250727.htm');
    clock.advance(60 * 60_000);
    const outcome = await runSourceCycle(secRevenueSource, deps);
    expect(outcome).toMatchObject({ status: 'ok', baseline: false, changesCreated: 1, duplicates: 0, itemsSeen: 1 });
    expect(fake.requestsTo(NVDA_10Q_PATH)).toHaveLength(1);
    expect(fake.requestsTo(NVDA_10Q_PATH)[0]?.headers['user-agent']).toBe('export-watch tests tests@example.com');

    const changes = await revenueChanges();
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      source: 'sec-revenue',
      kind: 'revenue.regional',
      subject: 'NVDA',
      naturalKey: '0001045810:2025-07-27:quarter:us-gaap:Revenues',
      title: 'NVIDIA Q2 FY2026: Singapore 21.7% of revenue (+3.0 pp YoY)',
      importance: 'high',
    });
    expect(changes[0]?.countries).toEqual(expect.arrayContaining(['SG', 'TW', 'CN', 'HK']));
    expect(changes[0]?.data).toMatchObject({ total: 46_743_000_000, accession: NVDA_10Q_ACCESSION, recast: false });
    expect((await deps.changes.pendingNotification(10)).map((c) => c.source)).toContain('sec-revenue');

    const series = await deps.state.getItem('sec-revenue', 'series#0001045810');
    expect(Object.keys((series as { periods: object }).periods)).toHaveLength(4);
    expect(await cursor()).toMatchObject({ processed: [NVDA_10Q_ACCESSION] });
  });

  it('adds nothing on a re-run, nor when the same filing is analysed again', async () => {
    clock.advance(60_000);
    const rerun = await runSourceCycle(secRevenueSource, deps);
    expect(rerun).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 0, itemsSeen: 0 });
    expect(fake.requestsTo(NVDA_10Q_PATH)).toHaveLength(1);

    // Lose the cursor's memory of the accession: the document is fetched again, the split equals the stored one.
    const state = await deps.state.get('sec-revenue');
    await deps.state.put({ ...state!, cursor: { since: '2025-08-27T00:00:00.000Z', processed: [] } });
    const again = await runSourceCycle(secRevenueSource, deps);
    expect(again).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 0, itemsSeen: 1 });
    expect(fake.requestsTo(NVDA_10Q_PATH)).toHaveLength(2);
    expect(await revenueChanges()).toHaveLength(1);
  });

  it('fails with a parse error on a garbage document, keeps its cursor, and catches up once the document is good', async () => {
    fake.on('GET', GARBAGE_PATH, () => ({
      body: Buffer.from([0x00, 0xff, 0x13, 0x37, 0x3c, 0x3c, 0x3e]),
      headers: { 'content-type': 'text/html' },
    }));
    clock.advance(60_000);
    await seedFiling(GARBAGE_ACCESSION, GARBAGE_PATH, 'nvda-20251026.htm');
    clock.advance(60_000);
    const before = await cursor();
    const failed = await runSourceCycle(secRevenueSource, deps);
    expect(failed).toMatchObject({ status: 'failed', errorKind: 'parse', consecutiveFailures: 1 });
    expect(await cursor()).toEqual(before);
    expect((await deps.state.get('sec-revenue'))?.lastError).toMatchObject({
      kind: 'parse',
      message: expect.stringContaining(GARBAGE_ACCESSION),
    });
    expect(await revenueChanges()).toHaveLength(1);

    // EDGAR serves the real document on the next run (same numbers as stored: no new change).
    fake.file(GARBAGE_PATH, nvda10qDocument());
    clock.advance(60_000);
    const recovered = await runSourceCycle(secRevenueSource, deps);
    expect(recovered).toMatchObject({ status: 'ok', changesCreated: 0, itemsSeen: 1 });
    expect((await cursor())?.processed).toContain(GARBAGE_ACCESSION);
  });

  it('names a product × region split from the filing’s label linkbase (index.json, then *_lab.xml) and stores both totals', async () => {
    clock.advance(60_000);
    await seedFiling(NFLX_10Q_ACCESSION, NFLX_10Q_PATH, 'nflx-20240930_htm.xml', { cik: '1065280', ticker: 'NFLX', name: 'NETFLIX INC' });
    clock.advance(60_000);
    const outcome = await runSourceCycle(secRevenueSource, deps);
    expect(outcome).toMatchObject({ status: 'ok', changesCreated: 1, itemsSeen: 1 });
    expect(fake.requestsTo(`${NFLX_10Q_FOLDER}index.json`)).toHaveLength(1);
    expect(fake.requestsTo(`${NFLX_10Q_FOLDER}nflx-20240930_lab.xml`)).toHaveLength(1);
    expect(fake.requestsTo(`${NFLX_10Q_FOLDER}index.json`)[0]?.headers['user-agent']).toBe('export-watch tests tests@example.com');

    const change = (await revenueChanges()).find((c) => c.subject === 'NFLX');
    expect(change).toMatchObject({
      naturalKey: '0001065280:2024-09-30:quarter:us-gaap:Revenues:srt:ProductOrServiceAxis=nflx:StreamingMember',
      title: 'Netflix Q3 FY2024: United States and Canada 44.0% of Streaming revenue (+0.2 pp YoY)',
    });
    expect(change?.data).toMatchObject({
      total: null,
      consolidatedTotal: 9_824_703_000,
      shareBase: 'sumOfRegions',
      dimensionLabels: { 'srt:ProductOrServiceAxis': 'Streaming' },
    });

    const series = (await deps.state.getItem('sec-revenue', 'series#0001065280')) as { periods: Record<string, Record<string, unknown>> };
    expect(series.periods['2023-07-01..2023-09-30|srt:ProductOrServiceAxis=nflx:StreamingMember']).toMatchObject({
      total: null,
      consolidatedTotal: 8_541_668_000,
      sumOfRegions: 8_519_306_000,
      complete: null,
      shareBase: 'sumOfRegions',
    });
    expect(series.periods['2024-07-01..2024-09-30']).toMatchObject({
      total: 9_824_703_000,
      consolidatedTotal: 9_824_703_000,
      complete: false,
    });

    // Analysed again (cursor lost): the labels come from the cache, only the document is fetched.
    const state = await deps.state.get('sec-revenue');
    await deps.state.put({ ...state!, cursor: { since: '2025-08-27T00:00:00.000Z', processed: [] } });
    const again = await runSourceCycle(secRevenueSource, deps);
    expect(again).toMatchObject({ status: 'ok', changesCreated: 0 });
    expect(fake.requestsTo(NFLX_10Q_PATH)).toHaveLength(2);
    expect(fake.requestsTo(`${NFLX_10Q_FOLDER}nflx-20240930_lab.xml`)).toHaveLength(1);
  });
});
