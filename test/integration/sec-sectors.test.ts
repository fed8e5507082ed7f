import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Change } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import { loadConfig } from '#core/config.ts';
import type { CycleOutcome } from '#core/source.ts';
import { LocalRuntime } from '#app/local/runtime.ts';
import { createUpstreamClient } from '#app/compose.ts';
import { SECTORS_ITEM_KEY } from '#sources/sec-filings/sectors.ts';
import { type DemoPhase, startDemoUpstream } from '../support/demo-upstream.ts';
import type { FakeUpstream } from '../support/fake-upstream.ts';
import { registerSecCompaniesBySic, registerSecDemo, SEC_FEED_PATH } from '../support/upstreams/sec.ts';
import { EXPORT_LANGUAGE_STAND_INS } from '../support/upstreams/sec-export-language.ts';

/**
 * Issue 17, item 2 (Done when): a SIC-code watch-list resolves to the sector's companies
 * from recorded company data (the company browse of SIC 3674, with companies that are in
 * no ticker file), and the analyses run on a filing of one of them (NVIDIA's 10-Q of the
 * demo's news phase), with `["SIC:3674"]` as the whole watch-list.
 */
describe('a SIC-code watch-list (local runtime, fake EDGAR)', () => {
  const opened: Array<{ runtime: LocalRuntime; fake: FakeUpstream; dir: string }> = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      await o.runtime.stop();
      await o.fake.stop();
      rmSync(o.dir, { recursive: true, force: true });
    }
  });

  async function start(watchlist: string[]) {
    const dir = mkdtempSync(join(tmpdir(), 'ew-sectors-'));
    const clock = new ManualClock('2026-03-03T15:00:00Z');
    const upstream = await startDemoUpstream({ now: clock.now() });
    const setPhase = (phase: DemoPhase) => {
      upstream.setPhase(phase);
      // The sector's companies and its recorded browse page, on top of the demo.
      registerSecDemo(upstream.fake, phase, { renumber: EXPORT_LANGUAGE_STAND_INS, sectors: true });
    };
    setPhase('quiet');
    const configFile = join(dir, 'export-watch.config.json');
    const shipped = JSON.parse(readFileSync('export-watch.config.json', 'utf8')) as Record<string, unknown>;
    writeFileSync(configFile, JSON.stringify({ ...shipped, watchlist }));
    const env = { ...upstream.fake.env(), SEC_USER_AGENT: 'export-watch tests tests@example.com', EXPORT_WATCH_CONFIG: configFile };
    const config = loadConfig({ ...process.env, ...env });
    const runtime = await LocalRuntime.start({
      dataDir: join(dir, 'data'),
      env,
      clock,
      log: () => undefined,
      http: createUpstreamClient(config, { secRequestsPerSecond: 1000, otherRequestsPerSecond: 1000, backoffBaseMs: 1, maxRetries: 1 }),
    });
    opened.push({ runtime, fake: upstream.fake, dir });
    return { runtime, fake: upstream.fake, setPhase, clock };
  }

  const created = (o: CycleOutcome | undefined) => (o?.status === 'ok' ? o.changesCreated : -1);
  async function changesOf(runtime: LocalRuntime, source: Change['source']): Promise<Change[]> {
    const out: Change[] = [];
    for await (const c of runtime['deps'].changes.query({ source, limit: 100 })) out.push(c);
    return out;
  }

  it('["SIC:3674"] watches the recorded sector (companies without a ticker entry too) and NVIDIA\'s 10-Q gets revenue and language analyses', async () => {
    const { runtime, fake, setPhase } = await start(['SIC:3674']);
    fake.clearRequests();
    // One local cycle: every source's baseline (the analyses' too), nothing is news.
    const baseline = (await runtime.runOnce()).sources.find((o) => o.source === 'sec-filings');
    expect(baseline).toMatchObject({ status: 'ok', changesCreated: 0 });
    // The roster comes from the company browse; no ticker file is needed for sectors only.
    const roster = await runtime['deps'].state.getItem('sec-filings', SECTORS_ITEM_KEY);
    expect((roster as { sectors: Record<string, { ciks: string[] }> }).sectors['3674']?.ciks).toEqual([
      '1045810',
      '2488',
      '50863',
      '723125',
      '1046179',
      '1033767',
      '1122411',
      '9999201',
    ]);
    const paths = fake.requests.map((r) => `${r.path}${r.path === SEC_FEED_PATH ? `?${new URLSearchParams(r.query).get('action')}` : ''}`);
    expect(paths.filter((p) => p === `${SEC_FEED_PATH}?getcompany`)).toHaveLength(1);
    expect(paths).not.toContain('/files/company_tickers.json');
    // Every company of the sector was baselined, TSMC and the fictional filer among them.
    const cursor = (await runtime['deps'].state.get('sec-filings'))?.cursor as { companies: string[] };
    expect(cursor.companies).toHaveLength(8);
    expect(cursor.companies).toEqual(expect.arrayContaining(['1046179', '9999201']));

    // NVIDIA files its 10-Q: one filing.new, then both analyses run on it.
    setPhase('news');
    fake.clearRequests();
    const outcomes = await runtime.runTriggered('sec-filings');
    expect(outcomes.map((o) => o.source)).toEqual(['sec-filings', 'sec-revenue', 'sec-export-language']);
    // The same-day roster is not re-read.
    expect(fake.requests.filter((r) => r.path === SEC_FEED_PATH && new URLSearchParams(r.query).get('action') === 'getcompany')).toEqual(
      [],
    );
    const filings = await changesOf(runtime, 'sec-filings');
    const tenQ = filings.filter((c) => c.kind === 'filing.new' && c.subject === 'NVDA' && (c.data as { form?: string }).form === '10-Q');
    expect(tenQ).toHaveLength(1);
    expect(created(outcomes[1])).toBeGreaterThan(0);
    expect(created(outcomes[2])).toBeGreaterThan(0);
    const analyses = [...(await changesOf(runtime, 'sec-revenue')), ...(await changesOf(runtime, 'sec-export-language'))];
    expect(analyses.length).toBeGreaterThan(0);
    expect(analyses.every((c) => c.subject === 'NVDA')).toBe(true);
  });

  it('the sector watch-list gives the analyses the same changes as the ticker watch-list', async () => {
    async function analysed(watchlist: string[]) {
      const { runtime, setPhase } = await start(watchlist);
      await runtime.runOnce();
      setPhase('news');
      await runtime.runTriggered('sec-filings');
      const all = [...(await changesOf(runtime, 'sec-revenue')), ...(await changesOf(runtime, 'sec-export-language'))];
      return all.map((c) => `${c.source} ${c.kind} ${c.subject} ${c.id}`).sort();
    }
    const bySector = await analysed(['SIC:3674']);
    const byTicker = await analysed(['NVDA']);
    expect(byTicker.length).toBeGreaterThan(0);
    expect(bySector).toEqual(byTicker);
  });

  it("SIC:3674:FPI watches only TSMC, UMC and ASE: NVIDIA's 10-Q is not theirs, so nothing is analysed", async () => {
    const { runtime, setPhase } = await start(['SIC:3674:FPI']);
    await runtime.runOnce();
    const cursor = (await runtime['deps'].state.get('sec-filings'))?.cursor as { companies: string[] };
    expect([...cursor.companies].sort()).toEqual(['1033767', '1046179', '1122411']);
    setPhase('news');
    const outcomes = await runtime.runTriggered('sec-filings');
    expect(outcomes.map((o) => o.source)).toEqual(['sec-filings']);
    expect((await changesOf(runtime, 'sec-filings')).filter((c) => c.subject === 'NVDA')).toEqual([]);
  });

  it('a day later a failed roster refresh keeps watching the sector with a warning; a first resolution failure fails the cycle', async () => {
    const { runtime, fake, clock } = await start(['SIC:3674']);
    await runtime.runOnce();
    clock.advance(25 * 60 * 60 * 1000);
    registerSecCompaniesBySic(fake, () => ({ status: 500, body: 'boom' }));
    const outcome = await runtime.runSource('sec-filings');
    expect(outcome).toMatchObject({ status: 'ok' });
    const state = await runtime['deps'].state.get('sec-filings');
    expect(state?.warnings?.map((w) => w.message)).toEqual([
      expect.stringMatching(/SIC:3674: roster refresh failed .*still watching the 8 companies/),
    ]);
    expect((state?.cursor as { companies: string[] } | undefined)?.companies).toHaveLength(8);
    const roster = (await runtime['deps'].state.getItem('sec-filings', SECTORS_ITEM_KEY)) as {
      sectors: Record<string, { ciks: string[]; fetchedAt: string }>;
    };
    expect(roster.sectors['3674']).toMatchObject({ fetchedAt: '2026-03-03T15:00:00.000Z' });
    expect(roster.sectors['3674']?.ciks).toHaveLength(8);

    const fresh = await start(['SIC:3674']);
    registerSecCompaniesBySic(fresh.fake, () => ({ status: 500, body: 'boom' }));
    const failed = await fresh.runtime.runSource('sec-filings');
    expect(failed).toMatchObject({ status: 'failed' });
    const failedState = await fresh.runtime['deps'].state.get('sec-filings');
    expect(failedState?.lastError?.message).toMatch(
      /watchlist sector SIC:3674 could not be resolved \(no earlier roster to fall back on\)/,
    );
    expect(failedState?.cursor).toBeUndefined();
  });
});
