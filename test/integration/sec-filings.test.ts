import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import { DEFAULT_SCHEDULES } from '#core/schedule.ts';
import { runSourceCycle } from '#core/source.ts';
import { evaluateOps } from '#ops/alerts.ts';
import { renderOpsNotification } from '#ops/render.ts';
import { formatHealthLine, healthReport } from '#ops/report.ts';
import { createCycleDeps, createUpstreamClient } from '#app/compose.ts';
import type { SecFilingsCursor } from '#sources/sec-filings/source.ts';
import { secFilingsSource } from '#sources/sec-filings/source.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { describeWithSharedFixtures, itWithSharedFixtures, shared } from '../support/fixtures.ts';
import { startLocalDynamo, testConfig } from '../support/local-aws.ts';
import {
  atomFeed,
  filterColumnar,
  type FeedEntrySpec,
  readSecDemoSubmissions,
  registerSecDemo,
  registerSecFeed,
  registerSecFromSharedFixtures,
  registerSecSubmissions,
  registerSecTickers,
  SEC_DEMO_FIXTURES,
  SEC_DEMO_NEWS,
  SEC_FEED_PATH,
  submissionsJson,
} from '../support/upstreams/sec.ts';

let fake: FakeUpstream;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  fake = await new FakeUpstream().start();
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
  fake.clearRequests();
});
afterAll(async () => {
  await fake.stop();
});

/** Baseline time of the demo: 16:45:30 ET on 27 Aug 2025, just after the quiet feed page. */
const T0 = '2025-08-27T20:45:30Z';
const MINUTE = 60_000;

async function harness(env: Record<string, string> = {}, start = T0) {
  const config = testConfig({ ...fake.env(), ...env });
  const local = await startLocalDynamo(config.tables);
  cleanups.push(() => local.stop());
  const clock = new ManualClock(start);
  const http = createUpstreamClient(config, { secRequestsPerSecond: 1000, backoffBaseMs: 1, maxRetries: 1 });
  const deps = createCycleDeps(config, { db: local.db, clock, http });
  return {
    config,
    deps,
    clock,
    run: () => runSourceCycle(secFilingsSource, deps),
    async changes(): Promise<Change[]> {
      const out: Change[] = [];
      for await (const c of deps.changes.query({ source: 'sec-filings' })) out.push(c);
      return out;
    },
    state: () => deps.state.get('sec-filings'),
    cursor: async () => (await deps.state.get('sec-filings'))?.cursor as SecFilingsCursor | undefined,
  };
}
type Harness = Awaited<ReturnType<typeof harness>>;

/** Requests the fake served while `fn` ran. */
async function countRequests<T>(fn: () => Promise<T>): Promise<{ result: T; paths: string[] }> {
  fake.clearRequests();
  const result = await fn();
  return {
    result,
    paths: fake.requests.map((r) => `${r.path}${r.path === SEC_FEED_PATH ? `#${new URLSearchParams(r.query).get('start')}` : ''}`),
  };
}

async function baseline(h: Harness) {
  const outcome = await h.run();
  expect(outcome).toMatchObject({ status: 'ok', baseline: true, changesCreated: 0 });
  return outcome;
}

describe('sec-filings cycle against a fake EDGAR and in-memory DynamoDB', () => {
  it('a quiet cycle costs the same requests (one feed page) for 1 and for 100 watched companies', async () => {
    registerSecDemo(fake, 'quiet', { synthesize: true });
    const one = await harness({ EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['NVDA'] }) });
    const many = await harness({
      EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['NVDA', ...Array.from({ length: 99 }, (_, i) => String(8_000_001 + i))] }),
    });

    const b1 = await countRequests(() => baseline(one));
    const b100 = await countRequests(() => baseline(many));
    // A baseline reconciles every company once: tickers + feed + one submissions JSON each.
    expect(b1.paths).toHaveLength(3);
    expect(b100.paths).toHaveLength(102);

    one.clock.advance(5 * MINUTE);
    many.clock.advance(5 * MINUTE);
    const q1 = await countRequests(() => one.run());
    const q100 = await countRequests(() => many.run());
    expect(q1.result).toMatchObject({ status: 'ok', baseline: false, changesCreated: 0 });
    expect(q100.result).toMatchObject({ status: 'ok', baseline: false, changesCreated: 0 });
    expect(q1.paths).toEqual([`${SEC_FEED_PATH}#0`]);
    expect(q100.paths).toEqual(q1.paths);

    // The day-old ticker map is refreshed once: still independent of the watch-list size.
    one.clock.advance(24 * 60 * MINUTE);
    many.clock.advance(24 * 60 * MINUTE);
    const d1 = await countRequests(() => one.run());
    const d100 = await countRequests(() => many.run());
    expect(d1.paths).toEqual(['/files/company_tickers.json', `${SEC_FEED_PATH}#0`]);
    expect(d100.paths).toEqual(d1.paths);

    // State stays small: the cursor and every item are far below DynamoDB's 400 KB.
    const cursor = await many.cursor();
    expect(cursor?.companies).toHaveLength(100);
    expect(JSON.stringify(cursor).length).toBeLessThan(10_000);
    expect(await many.changes()).toEqual([]);
  });

  it('reports a new 10-Q as exactly one filing.new change with the filing data', async () => {
    registerSecDemo(fake, 'quiet');
    const h = await harness();
    await baseline(h);

    registerSecDemo(fake, 'news');
    h.clock.advance(16 * MINUTE);
    const { result, paths } = await countRequests(() => h.run());
    expect(result).toMatchObject({ status: 'ok', baseline: false, changesCreated: 1, duplicates: 0 });
    // One feed page and the submissions JSON of the one company that filed.
    expect(paths).toEqual([`${SEC_FEED_PATH}#0`, '/sec-data/submissions/CIK0001045810.json']);

    const [change, ...rest] = await h.changes();
    expect(rest).toEqual([]);
    const archive = `${fake.url}/Archives/edgar/data/1045810/000104581025000209`;
    expect(change).toMatchObject({
      source: 'sec-filings',
      kind: 'filing.new',
      naturalKey: SEC_DEMO_NEWS.accession,
      subject: 'NVDA',
      title: 'NVIDIA CORP filed 10-Q (period 2025-07-27)',
      url: `${archive}/nvda-20250727.htm`,
      importance: 'high',
      occurredAt: '2025-08-27T20:52:07.000Z',
      data: {
        cik: '1045810',
        accession: '0001045810-25-000209',
        form: '10-Q',
        filedAt: '2025-08-27',
        acceptedAt: '2025-08-27T20:52:07.000Z',
        periodOfReport: '2025-07-27',
        items: [],
        primaryDocument: 'nvda-20250727.htm',
        primaryDocumentUrl: `${archive}/nvda-20250727.htm`,
        indexUrl: `${archive}/0001045810-25-000209-index.htm`,
        companyName: 'NVIDIA CORP',
      },
    });
    expect((await h.cursor())?.pending).toEqual([]);
  });

  it('re-running the same cycle creates no duplicate change', async () => {
    registerSecDemo(fake, 'quiet');
    const h = await harness();
    await baseline(h);
    const stateBefore = await h.state();
    const knownBefore = await h.deps.state.getItem('sec-filings', 'known#1045810');

    registerSecDemo(fake, 'news');
    h.clock.advance(16 * MINUTE);
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 1 });
    // Same upstream data again: the feed head and the known set make it a no-op.
    h.clock.advance(MINUTE);
    const again = await countRequests(() => h.run());
    expect(again.result).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 0 });
    expect(again.paths).toEqual([`${SEC_FEED_PATH}#0`]);

    // Replay the exact cycle from the earlier state (as if the cursor write had been lost):
    // the same draft comes back and the deterministic id makes it a duplicate.
    await h.deps.state.put(stateBefore as NonNullable<typeof stateBefore>);
    await h.deps.state.putItems('sec-filings', [{ key: 'known#1045810', value: knownBefore ?? null }]);
    h.clock.advance(MINUTE);
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 1 });
    expect(await h.changes()).toHaveLength(1);
  });

  itWithSharedFixtures('repairs a 3-day outage from submissions JSON (older pages only where needed) without duplicates', async () => {
    registerSecDemo(fake, 'quiet');
    const h = await harness();
    await baseline(h);

    // Three days later the feed no longer shows anything the last cycle saw: two pages, then 503.
    const later = (n: number, updated: string): FeedEntrySpec => ({
      accession: `00099990${String(n).padStart(2, '0')}-25-000001`,
      form: '4',
      company: `INSIDER ${n}`,
      cik: 9_999_000 + n,
      role: 'Reporting',
      updated,
    });
    registerSecFeed(fake, {
      0: atomFeed(
        [
          later(1, '2025-08-30T10:00:00-04:00'),
          // Also visible in the feed: must not be reported twice.
          {
            accession: '0000050863-25-900040',
            form: '8-K',
            company: 'INTEL CORP',
            cik: 50863,
            updated: '2025-08-29T17:00:00-04:00',
            items: [['8.01', 'Other Events']],
          },
        ],
        '2025-08-30T10:00:01-04:00',
      ),
      100: atomFeed([later(2, '2025-08-29T09:00:00-04:00')], '2025-08-30T10:00:01-04:00'),
    });

    // NVIDIA: the real submissions JSON as of 29 Aug (the 10-Q of the 27th, an N-PX and a 144 are new;
    // its older 8-Ks of April are history below what the baseline saw).
    const real = JSON.parse(readFileSync(shared('sec/nvidia/submissions-CIK0001045810.json'), 'utf8'));
    const nvidia = {
      ...real,
      filings: {
        recent: filterColumnar(real.filings.recent, (i) => real.filings.recent.filingDate[i] <= '2025-08-29'),
        files: real.filings.files,
      },
    };
    // Intel: one new 8-K on top of the demo rows.
    const intel = readSecDemoSubmissions('CIK0000050863.json') as { filings: { recent: Record<string, unknown[]> } };
    const intelRecent = intel.filings.recent;
    const intelNew = submissionsJson({
      cik: 50863,
      name: 'INTEL CORP',
      tickers: ['INTC'],
      rows: [
        {
          accession: '0000050863-25-900040',
          filingDate: '2025-08-29',
          reportDate: '2025-08-29',
          form: '8-K',
          items: '8.01',
          primaryDocument: 'intc-20250829.htm',
          acceptanceDateTime: '2025-08-29T21:00:00.000Z',
        },
      ],
    }) as { filings: { recent: Record<string, unknown[]> } };
    for (const [k, v] of Object.entries(intelNew.filings.recent)) intelNew.filings.recent[k] = [...v, ...(intelRecent[k] ?? [])];
    // AMD: so many filings arrived that the recent page starts after the last sync; the
    // baseline rows moved to an older page, which must be fetched.
    const amdOld = readSecDemoSubmissions('CIK0000002488.json') as { filings: { recent: Record<string, unknown[]> } };
    const amdRecent = submissionsJson({
      cik: 2488,
      name: 'ADVANCED MICRO DEVICES INC',
      tickers: ['AMD'],
      rows: [
        { accession: '0000002488-25-900015', filingDate: '2025-08-29', form: '4' },
        {
          accession: '0000002488-25-900014',
          filingDate: '2025-08-28',
          reportDate: '2025-08-28',
          form: '8-K',
          items: '5.02',
          primaryDocument: 'amd-20250828.htm',
        },
        { accession: '0000002488-25-900013', filingDate: '2025-08-28', form: '4' },
      ],
      files: [{ name: 'CIK0000002488-submissions-001.json', filingCount: 3, filingFrom: '2025-07-15', filingTo: '2025-08-06' }],
    });
    registerSecSubmissions(fake, (name) => {
      if (name === 'CIK0001045810.json') return nvidia;
      if (name === 'CIK0000050863.json') return intelNew;
      if (name === 'CIK0000002488.json') return amdRecent;
      if (name === 'CIK0000002488-submissions-001.json') return amdOld.filings.recent;
      return { file: `${SEC_DEMO_FIXTURES}/submissions/${name}` };
    });

    h.clock.set('2025-08-30T14:05:00Z');
    const { result, paths } = await countRequests(() => h.run());
    expect(result).toMatchObject({ status: 'ok', baseline: false, changesCreated: 3, duplicates: 0 });
    expect(paths.filter((p) => p.startsWith(SEC_FEED_PATH))).toEqual([
      `${SEC_FEED_PATH}#0`,
      `${SEC_FEED_PATH}#100`,
      `${SEC_FEED_PATH}#200`,
    ]);
    expect(paths.filter((p) => p.includes('/submissions/'))).toHaveLength(8);
    expect(paths).toContain('/sec-data/submissions/CIK0000002488-submissions-001.json');
    expect(paths.filter((p) => p.includes('-submissions-'))).toHaveLength(1);

    const changes = await h.changes();
    expect(changes.map((c) => [c.subject, c.data.form, c.naturalKey]).sort()).toEqual([
      ['AMD', '8-K', '0000002488-25-900014'],
      ['INTC', '8-K', '0000050863-25-900040'],
      ['NVDA', '10-Q', '0001045810-25-000209'],
    ]);
    expect(changes.find((c) => c.subject === 'INTC')).toMatchObject({ importance: 'high', data: { items: ['8.01'] } });
    expect((await h.cursor())?.lastReconcileReason).toMatch(/feed ended/);

    // The repaired cursor holds the new feed head: the next cycle is a cheap feed cycle again.
    h.clock.advance(5 * MINUTE);
    const next = await countRequests(() => h.run());
    expect(next.result).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 0 });
    expect(next.paths).toEqual([`${SEC_FEED_PATH}#0`]);
    expect(await h.changes()).toHaveLength(3);
  });

  it('a malformed feed creates no change and leaves the cursor where it was', async () => {
    registerSecDemo(fake, 'quiet');
    const h = await harness();
    await baseline(h);
    const before = await h.state();

    const news = readFileSync(`${SEC_DEMO_FIXTURES}/feeds/getcurrent-news.atom.xml`);
    registerSecDemo(fake, 'news');
    registerSecFeed(fake, { 0: news.subarray(0, Math.floor(news.length / 2)) });
    h.clock.advance(10 * MINUTE);
    const failed = await h.run();
    expect(failed).toMatchObject({ status: 'failed', errorKind: 'parse', consecutiveFailures: 1 });
    const after = await h.state();
    expect(after?.cursor).toEqual(before?.cursor);
    expect(after?.lastError?.kind).toBe('parse');
    expect(after?.lastSuccessAt).toBe(before?.lastSuccessAt);
    expect(await h.changes()).toEqual([]);

    // The next good cycle picks up from the old cursor and misses nothing.
    registerSecDemo(fake, 'news');
    h.clock.advance(10 * MINUTE);
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 1 });
    expect((await h.state())?.consecutiveFailures).toBe(0);
  });

  it('keeps a feed sighting pending while the submissions JSON lags, then reports it once', async () => {
    registerSecDemo(fake, 'quiet');
    const h = await harness();
    await baseline(h);

    // The feed already shows the 10-Q; the submissions JSON is still the old one.
    registerSecFeed(fake, { 0: { file: `${SEC_DEMO_FIXTURES}/feeds/getcurrent-news.atom.xml` } });
    h.clock.advance(10 * MINUTE);
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 0 });
    expect((await h.cursor())?.pending).toMatchObject([{ accession: SEC_DEMO_NEWS.accession, cik: '1045810', form: '10-Q' }]);

    // Still lagging: retried (one request for the company), still pending, nothing lost.
    h.clock.advance(5 * MINUTE);
    const retry = await countRequests(() => h.run());
    expect(retry.result).toMatchObject({ status: 'ok', changesCreated: 0 });
    expect(retry.paths).toEqual([`${SEC_FEED_PATH}#0`, '/sec-data/submissions/CIK0001045810.json']);
    expect((await h.cursor())?.pending).toHaveLength(1);

    registerSecDemo(fake, 'news');
    h.clock.advance(5 * MINUTE);
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 1 });
    expect((await h.cursor())?.pending).toEqual([]);
    expect((await h.changes()).map((c) => c.naturalKey)).toEqual([SEC_DEMO_NEWS.accession]);
  });

  it('watches the other companies when a ticker is unknown, and reports it to ops (status, alert, recovery once fixed)', async () => {
    registerSecDemo(fake, 'quiet');
    const h = await harness({ EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['NVDA', 'NOSUCH'] }) });
    const b = await baseline(h);
    expect(b).toMatchObject({ warnings: [{ kind: 'config', message: expect.stringContaining('"NOSUCH"') }] });
    expect((await h.cursor())?.companies).toEqual(['1045810']);
    expect(await h.deps.state.getItem('sec-filings', 'tickers')).toMatchObject({
      unresolved: ['NOSUCH'],
      byTicker: { NVDA: { cik: '1045810' } },
    });

    // NVIDIA's 10-Q is detected as with a clean watch-list; the map is not downloaded again
    // for the unknown ticker on every cycle (hourly at most).
    registerSecDemo(fake, 'news');
    h.clock.advance(16 * MINUTE);
    const { result, paths } = await countRequests(() => h.run());
    expect(result).toMatchObject({ status: 'ok', changesCreated: 1, warnings: [{ kind: 'config' }] });
    expect(paths).toEqual([`${SEC_FEED_PATH}#0`, '/sec-data/submissions/CIK0001045810.json']);
    expect((await h.changes()).map((c) => [c.subject, c.naturalKey])).toEqual([['NVDA', SEC_DEMO_NEWS.accession]]);
    h.clock.advance(60 * MINUTE);
    expect((await countRequests(() => h.run())).paths).toEqual(['/files/company_tickers.json', `${SEC_FEED_PATH}#0`]);

    // Ops: the source state carries the warning, `export-watch status` shows it, and the
    // ops check opens an incident at once (an unknown ticker does not heal by retrying).
    const state = await h.state();
    expect(state).toMatchObject({
      consecutiveFailures: 0,
      warnings: [{ kind: 'config', message: expect.stringContaining('"NOSUCH"'), at: h.clock.now().toISOString() }],
    });
    const now = h.clock.now();
    const [row] = healthReport(['sec-filings'], [state as NonNullable<typeof state>], new Map(), now, h.config.ops);
    expect(row?.health).toMatchObject({ verdict: 'degraded', alerting: true });
    const line = formatHealthLine(row as NonNullable<typeof row>, h.config.ops);
    expect(line).toMatch(/^sec-filings: DEGRADED — .*1 warning\(s\): \[config\] watchlist ticker "NOSUCH" not found/);
    const states = new Map([['sec-filings' as const, state as NonNullable<typeof state>]]);
    const [alert] = evaluateOps({
      sources: ['sec-filings'],
      states,
      alerts: new Map(),
      now,
      schedules: DEFAULT_SCHEDULES,
      thresholds: h.config.ops,
    });
    expect(alert?.notification?.type).toBe('alert');
    const mail = renderOpsNotification(alert?.notification as NonNullable<NonNullable<typeof alert>['notification']>, 'test');
    expect(mail.subject).toBe('[export-watch ops] ALERT: sec-filings is degraded');
    expect(mail.text).toContain('Warning:              [config] watchlist ticker "NOSUCH" not found in EDGAR company_tickers.json');

    // The watch-list is fixed: the next success clears the warning and the incident recovers.
    const fixed = { ...h.deps, config: testConfig({ ...fake.env(), EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['NVDA'] }) }) };
    h.clock.advance(10 * MINUTE);
    const clean = await runSourceCycle(secFilingsSource, fixed);
    expect(clean).toMatchObject({ status: 'ok', changesCreated: 0 });
    expect(clean).not.toHaveProperty('warnings');
    const healed = await h.state();
    expect(healed?.warnings).toBeUndefined();
    const [recovery] = evaluateOps({
      sources: ['sec-filings'],
      states: new Map([['sec-filings' as const, healed as NonNullable<typeof healed>]]),
      alerts: new Map([['sec-filings' as const, alert?.next as NonNullable<NonNullable<typeof alert>['next']>]]),
      now: h.clock.now(),
      schedules: DEFAULT_SCHEDULES,
      thresholds: h.config.ops,
    });
    expect(recovery?.notification?.type).toBe('recovery');
  });

  it('watches the other companies when a configured CIK is unknown to EDGAR (404), with a warning', async () => {
    registerSecDemo(fake, 'quiet');
    const h = await harness({ EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['NVDA', '7777777'] }) });
    const b = await baseline(h);
    expect(b).toMatchObject({ warnings: [{ kind: 'config', message: expect.stringContaining('CIK 7777777 is unknown to EDGAR') }] });
    expect((await h.cursor())?.companies).toEqual(['1045810']);
    registerSecDemo(fake, 'news');
    h.clock.advance(16 * MINUTE);
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 1, warnings: [{ kind: 'config' }] });
    expect((await h.state())?.warnings).toHaveLength(1);
  });

  it('fails with a config error when no watch-list entry resolves', async () => {
    registerSecDemo(fake, 'quiet');
    const h = await harness({ EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['NOSUCH', 'ZZZZ'] }) });
    const outcome = await h.run();
    expect(outcome).toMatchObject({ status: 'failed', errorKind: 'config' });
    expect(outcome.status === 'failed' && outcome.error).toContain('"NOSUCH", "ZZZZ"');
    expect((await h.state())?.cursor).toBeUndefined();
  });

  it('lets an SEC rate block fail the cycle as blocked (the runner cools down)', async () => {
    registerSecDemo(fake, 'quiet');
    const h = await harness();
    await baseline(h);
    fake.on('GET', SEC_FEED_PATH, () => ({ status: 403, body: 'Request Rate Threshold Exceeded' }));
    h.clock.advance(5 * MINUTE);
    expect(await h.run()).toMatchObject({ status: 'failed', errorKind: 'blocked' });
    expect((await h.state())?.blockedUntil).toBe(new Date(h.clock.now().getTime() + 15 * MINUTE).toISOString());
  });

  it('baselines a company newly added to the watch-list quietly', async () => {
    registerSecDemo(fake, 'quiet');
    const h = await harness({ EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['AMD'] }) });
    await baseline(h);
    // NVIDIA joins the watch-list while its 10-Q is already out: history, not news.
    const grown = testConfig({ ...fake.env(), EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['AMD', 'NVDA'] }) });
    const deps = { ...h.deps, config: grown };
    registerSecDemo(fake, 'news');
    h.clock.advance(10 * MINUTE);
    const { result, paths } = await countRequests(() => runSourceCycle(secFilingsSource, deps));
    expect(result).toMatchObject({ status: 'ok', baseline: false, changesCreated: 0 });
    expect(paths).toEqual(['/files/company_tickers.json', `${SEC_FEED_PATH}#0`, '/sec-data/submissions/CIK0001045810.json']);
    expect((await h.cursor())?.companies).toEqual(['2488', '1045810']);
  });
});

describeWithSharedFixtures('sec-filings cycle on the real recordings', () => {
  it('baselines NVIDIA and Tesla from real data, runs quietly on the real feed, and repairs when the feed has moved on', async () => {
    registerSecFromSharedFixtures(fake);
    registerSecTickers(fake, { file: `${SEC_DEMO_FIXTURES}/company_tickers.json` });
    const h = await harness({ EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['NVDA', 'TSLA'] }) }, '2026-03-05T12:00:00Z');
    const b = await countRequests(() => baseline(h));
    expect(b.paths).toEqual([
      '/files/company_tickers.json',
      `${SEC_FEED_PATH}#0`,
      '/sec-data/submissions/CIK0001045810.json',
      '/sec-data/submissions/CIK0001318605.json',
    ]);
    const known = await h.deps.state.getItem('sec-filings', 'known#1045810');
    expect(known?.accessions).toHaveLength(86);
    expect(JSON.stringify(known).length).toBeLessThan((400 * 1024) / 10);
    const cursor = await h.cursor();
    expect(cursor?.feedHead).toHaveLength(73);

    h.clock.advance(5 * MINUTE);
    const quiet = await countRequests(() => h.run());
    expect(quiet.result).toMatchObject({ status: 'ok', changesCreated: 0 });
    expect(quiet.paths).toEqual([`${SEC_FEED_PATH}#0`]);

    // Only the start=5000 page is left (nothing the last cycle saw), then 503: repair.
    registerSecFromSharedFixtures(fake, { feedPages: { 0: { file: shared('sec/feeds/getcurrent-start5000-count100.atom.xml') } } });
    registerSecTickers(fake, { file: `${SEC_DEMO_FIXTURES}/company_tickers.json` });
    h.clock.advance(5 * MINUTE);
    const repair = await countRequests(() => h.run());
    expect(repair.result).toMatchObject({ status: 'ok', changesCreated: 0 });
    expect(repair.paths).toEqual([
      `${SEC_FEED_PATH}#0`,
      `${SEC_FEED_PATH}#100`,
      '/sec-data/submissions/CIK0001045810.json',
      '/sec-data/submissions/CIK0001318605.json',
    ]);
  });
});
