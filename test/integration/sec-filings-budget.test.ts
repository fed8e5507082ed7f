import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Change } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import { runSourceCycle } from '#core/source.ts';
import { createCycleDeps, createUpstreamClient } from '#app/compose.ts';
import { createSecFilingsSource, parseCursor } from '#sources/sec-filings/source.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { startLocalDynamo, testConfig } from '../support/local-aws.ts';
import {
  atomFeed,
  type FeedEntrySpec,
  registerSecFeed,
  registerSecSubmissions,
  registerSecTickers,
  SEC_DEMO_FIXTURES,
  type SubmissionRowSpec,
  submissionsJson,
} from '../support/upstreams/sec.ts';

/**
 * A watch-list bigger than one cycle's submissions budget (a sector of hundreds of
 * companies): the baseline and a repair are spread over cycles instead of outrunning the
 * Lambda timeout, which would fail the cycle, and so every cycle after it, forever. Ten
 * companies with a budget of four stand in for 700 with the shipped budget of 120.
 */
describe('sec-filings submissions budget per cycle', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const COMPANIES = Array.from({ length: 10 }, (_, i) => String(8_200_001 + i));
  const BUDGET = 4;
  const other = (n: number): FeedEntrySpec => ({
    accession: `0009999999-26-${String(n).padStart(6, '0')}`,
    form: '4',
    company: `OTHER FILER ${n}`,
    cik: 9_999_999,
    updated: '2026-03-03T10:00:00-05:00',
  });

  async function world() {
    const fake = await new FakeUpstream().start();
    cleanups.push(() => fake.stop());
    /** Each company's rows, newest first; a test adds filings here. */
    const rows = new Map<string, SubmissionRowSpec[]>(
      COMPANIES.map((cik) => [
        cik,
        [
          {
            accession: `${cik.padStart(10, '0')}-25-000001`,
            filingDate: '2025-11-05',
            reportDate: '2025-09-30',
            form: '10-Q',
            primaryDocument: 'q3.htm',
          },
        ],
      ]),
    );
    let feedPage: FeedEntrySpec[] = [other(1)];
    registerSecFeed(fake, (start) => (start === 0 ? atomFeed(feedPage, '2026-03-03T10:00:00-05:00') : undefined));
    registerSecSubmissions(fake, (name) => {
      const cik = /^CIK(\d{10})\.json$/.exec(name)?.[1]?.replace(/^0+/, '');
      const list = cik ? rows.get(cik) : undefined;
      return cik && list ? submissionsJson({ cik, name: `COMPANY ${cik}`, rows: list }) : undefined;
    });
    const tickers = JSON.parse(readFileSync(join(SEC_DEMO_FIXTURES, 'company_tickers.json'), 'utf8')) as Record<string, unknown>;
    COMPANIES.forEach((cik, i) => {
      tickers[`b${i}`] = { cik_str: Number(cik), ticker: `BGT${i}`, title: `COMPANY ${cik}` };
    });
    registerSecTickers(fake, tickers);
    const config = testConfig({ ...fake.env(), EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: COMPANIES }) });
    const local = await startLocalDynamo(config.tables);
    cleanups.push(() => local.stop());
    const clock = new ManualClock('2026-03-03T15:00:00Z');
    const deps = createCycleDeps(config, {
      db: local.db,
      clock,
      http: createUpstreamClient(config, { secRequestsPerSecond: 1000, backoffBaseMs: 1, maxRetries: 0 }),
    });
    const source = createSecFilingsSource({ maxCompanyFetches: BUDGET });
    const submissionsRequests = () => fake.requests.filter((r) => r.path.includes('/submissions/')).length;
    const cycle = async () => {
      const before = submissionsRequests();
      clock.advance(60_000);
      const outcome = await runSourceCycle(source, deps);
      if (outcome.status !== 'ok') throw new Error(`cycle failed: ${JSON.stringify(outcome)}`);
      const state = await deps.state.get('sec-filings');
      return { created: outcome.changesCreated, fetched: submissionsRequests() - before, cursor: parseCursor(state?.cursor) };
    };
    const filings = async (): Promise<Change[]> => {
      const out: Change[] = [];
      for await (const c of deps.changes.query({ source: 'sec-filings', limit: 100 })) out.push(c);
      return out;
    };
    return { rows, cycle, filings, setFeed: (page: FeedEntrySpec[]) => (feedPage = page) };
  }

  it('a baseline of 10 companies takes three cycles of at most 4 submissions each, with no changes', async () => {
    const w = await world();
    const first = await w.cycle();
    expect(first).toMatchObject({ created: 0, fetched: BUDGET });
    expect(first.cursor?.companies).toHaveLength(BUDGET);
    const second = await w.cycle();
    expect(second).toMatchObject({ created: 0, fetched: BUDGET });
    const third = await w.cycle();
    expect(third).toMatchObject({ created: 0, fetched: 2 });
    expect([...(third.cursor?.companies ?? [])].sort()).toEqual([...COMPANIES].sort());
    // Baselined: a quiet cycle fetches no submissions at all.
    expect(await w.cycle()).toMatchObject({ created: 0, fetched: 0 });
    // And a filing the feed shows afterwards is news.
    const cik = COMPANIES[9] as string;
    const accession = `${cik.padStart(10, '0')}-26-000007`;
    w.rows.get(cik)?.unshift({ accession, filingDate: '2026-03-03', form: '8-K', items: '8.01', primaryDocument: 'ex.htm' });
    w.setFeed([{ accession, form: '8-K', company: `COMPANY ${cik}`, cik, updated: '2026-03-03T10:05:00-05:00' }, other(1)]);
    expect(await w.cycle()).toMatchObject({ created: 1, fetched: 1 });
    expect((await w.filings()).map((c) => c.naturalKey)).toEqual([accession]);
  });

  it("a repair after a feed gap reports every company's new filing once, over cycles within the budget", async () => {
    const w = await world();
    for (let i = 0; i < 3; i++) await w.cycle();
    // Every company files while the feed loses continuity (101 other filings, then its end).
    const added = COMPANIES.map((cik) => {
      const accession = `${cik.padStart(10, '0')}-26-000002`;
      w.rows.get(cik)?.unshift({ accession, filingDate: '2026-03-03', form: '10-K', primaryDocument: 'k.htm' });
      return accession;
    });
    w.setFeed(Array.from({ length: 100 }, (_, i) => other(100 + i)));
    const repair = await w.cycle();
    expect(repair).toMatchObject({ created: BUDGET, fetched: BUDGET });
    expect(repair.cursor?.deferred).toHaveLength(COMPANIES.length - BUDGET);
    // The deferred companies stay baselined: their filings are news, not a quiet baseline.
    expect(repair.cursor?.companies).toHaveLength(COMPANIES.length);
    const next = await w.cycle();
    expect(next).toMatchObject({ created: BUDGET, fetched: BUDGET });
    const last = await w.cycle();
    expect(last).toMatchObject({ created: 2, fetched: 2 });
    expect(last.cursor?.deferred).toBeUndefined();
    expect(await w.cycle()).toMatchObject({ created: 0, fetched: 0 });
    expect((await w.filings()).map((c) => c.naturalKey).sort()).toEqual([...added].sort());
  });
});
