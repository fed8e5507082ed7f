import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backfillRevenueHistory, type HistoryDeps } from '#analytics/history.ts';
import type { Change } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import type { AppConfig } from '#core/config.ts';
import { createUpstreamClient } from '#app/compose.ts';
import type { RevenueSeries } from '#sources/sec-revenue/detect.ts';
import { DynamoChangeLog } from '#store/change-log.ts';
import { DynamoSourceState } from '#store/source-state.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { describeWithSharedFixtures, REPO_ROOT, shared } from '../support/fixtures.ts';
import { type LocalDynamo, startLocalDynamo, testConfig } from '../support/local-aws.ts';
import { registerSecSubmissions, registerSecTickers, submissionsJson } from '../support/upstreams/sec.ts';

const run = promisify(execFile);

const CIK = '1045810';
const Q2_FY2026 = {
  accession: '0001045810-25-000209',
  filingDate: '2025-08-27',
  reportDate: '2025-07-27',
  form: '10-Q',
  primaryDocument: 'nvda-20250727.htm',
};
const FY2023 = {
  accession: '0001045810-23-000017',
  filingDate: '2023-02-24',
  reportDate: '2023-01-29',
  form: '10-K',
  primaryDocument: 'nvda-20230129.htm',
};
/** An 8-K and an amendment: not periodic reports the history reads. */
const EIGHT_K = {
  accession: '0001045810-26-000024',
  filingDate: '2026-03-02',
  reportDate: '2026-02-26',
  form: '8-K',
  items: '5.02,9.01',
  primaryDocument: 'nvda-20260302.htm',
};
const TEN_K_A = {
  accession: '0001045810-23-000040',
  filingDate: '2023-04-01',
  reportDate: '2023-01-29',
  form: '10-K/A',
  primaryDocument: 'nvda-10ka.htm',
};
/** A later filing the live source stored FY2023 from (a recast); the history must not overwrite it. */
const LATER_10K = {
  accession: '0001045810-24-000029',
  filingDate: '2024-02-21',
  reportDate: '2024-01-28',
  form: '10-K',
  primaryDocument: 'nvda-20240128.htm',
};

/** A label linkbase in the filer's structure (locator → label arc), with labels for its two custom region members that differ from the names derived from them. */
const FY2023_LABELS = `<?xml version="1.0" encoding="utf-8"?>
<link:linkbase xmlns:link="http://www.xbrl.org/2003/linkbase" xmlns:xlink="http://www.w3.org/1999/xlink"><link:labelLink xlink:type="extended" xlink:role="http://www.xbrl.org/2003/role/link">
${[
  ['OtherCountriesMember', 'Rest of the world'],
  ['ChinaIncludingHongKongMember', 'China incl. Hong Kong'],
]
  .map(
    ([m, l]) => `<link:loc xlink:type="locator" xlink:href="nvda-20230129.xsd#nvda_${m}" xlink:label="loc_${m}"/>
<link:label xlink:type="resource" xlink:label="lab_${m}" xlink:role="http://www.xbrl.org/2003/role/terseLabel" xml:lang="en-US">${l}</link:label>
<link:labelArc xlink:type="arc" xlink:arcrole="http://www.xbrl.org/2003/arcrole/concept-label" xlink:from="loc_${m}" xlink:to="lab_${m}"/>`,
  )
  .join('\n')}
</link:labelLink></link:linkbase>`;
const archivePath = (f: { accession: string; primaryDocument: string }) =>
  `/Archives/edgar/data/${CIK}/${f.accession.replace(/-/g, '')}/${f.primaryDocument}`;

describeWithSharedFixtures('revenue-history: NVIDIA from past 10-Q/10-K filings', () => {
  let fake: FakeUpstream;
  let local: LocalDynamo;
  let config: AppConfig;
  let state: DynamoSourceState;
  const lines: string[] = [];
  let deps: HistoryDeps;

  beforeAll(async () => {
    // Read inside beforeAll: the files are absent where the suite is skipped.
    fake = await new FakeUpstream().start();
    registerSecTickers(fake);
    const rows = [EIGHT_K, Q2_FY2026, TEN_K_A, FY2023];
    registerSecSubmissions(fake, (name) =>
      name === 'CIK0001045810.json' ? submissionsJson({ cik: CIK, name: 'NVIDIA CORP', tickers: ['NVDA'], rows }) : undefined,
    );
    fake.file(archivePath(Q2_FY2026), shared('sec/nvidia/nvda-20250727-10q.htm'), { 'content-type': 'text/html' });
    fake.file(archivePath(FY2023), shared('sec/nvidia/nvda-20230129-10k.htm'), { 'content-type': 'text/html' });
    // FY2023's folder lists a label linkbase (the filer's own names for its custom members); Q2 FY2026's has none.
    const folder = archivePath(FY2023).replace(/[^/]*$/, '');
    fake.json(`${folder}index.json`, { directory: { item: [{ name: 'nvda-20230129.htm' }, { name: 'nvda-20230129_lab.xml' }] } });
    fake.on('GET', `${folder}nvda-20230129_lab.xml`, () => ({ body: FY2023_LABELS, headers: { 'content-type': 'application/xml' } }));
    config = testConfig(fake.env());
    local = await startLocalDynamo(config.tables);
    state = new DynamoSourceState(local.db, config.tables.state);
    deps = {
      config,
      http: createUpstreamClient(config, { secRequestsPerSecond: 1000, backoffBaseMs: 1 }),
      state,
      clock: new ManualClock('2026-03-10T12:00:00Z'),
      log: (line) => lines.push(line),
    };
  });
  afterAll(async () => {
    await local?.stop();
    await fake?.stop();
  });

  it('stores a series with FY2023 (and its comparatives) and Q2 FY2026, oldest filing first, and writes no changes', async () => {
    const result = await backfillRevenueHistory('NVDA', { filings: 8 }, deps);
    expect(result.cik).toBe('0001045810');
    expect(result.seriesKey).toBe('series#0001045810');
    // The 8-K and the 10-K/A are not read; the 10-K (filed first) comes first.
    expect(result.filings.map((f) => `${f.form} ${f.status} ${f.breakdowns}`)).toEqual(['10-K ok 3', '10-Q ok 4']);
    expect(lines).toContain('[1/2] 10-K 2023-01-29 … 3 breakdowns, new: FY2023, FY2022, FY2021');
    expect(lines.some((l) => l.startsWith('[2/2] 10-Q 2025-07-27 … 4 breakdowns'))).toBe(true);

    const stored = (await state.getItem('sec-revenue', 'series#0001045810')) as RevenueSeries | undefined;
    expect(stored?.ticker).toBe('NVDA');
    const labels = Object.values(stored?.periods ?? {}).map((p) => p.fiscalLabel);
    expect(labels).toEqual(expect.arrayContaining(['FY2023', 'FY2022', 'FY2021', 'Q2 FY2026', 'Q2 FY2025', 'H1 FY2026', 'H1 FY2025']));
    const fy2023 = stored?.periods['2022-01-31..2023-01-29'];
    expect(fy2023?.total).toBe(26_974e6);
    // Both totals are stored: for the plain breakdown the company's revenue is its own total.
    expect(fy2023).toMatchObject({ consolidatedTotal: 26_974e6, shareBase: 'total', complete: true, overlapping: [] });
    expect(fy2023?.regions.map((r) => [r.member, r.value / 1e6])).toEqual([
      ['country:US', 8292],
      ['country:TW', 6986],
      ['nvda:OtherCountriesMember', 5911],
      ['nvda:ChinaIncludingHongKongMember', 5785],
    ]);
    // The backfill reads the filer's labels like the live analysis does.
    expect(fy2023?.regions.map((r) => r.label)).toEqual(['United States', 'Taiwan', 'Rest of the world', 'China incl. Hong Kong']);
    expect(fy2023?.accession).toBe(FY2023.accession);
    const q2 = stored?.periods['2025-04-28..2025-07-27'];
    expect(q2?.regions.find((r) => r.member === 'country:SG')?.value).toBe(10_156e6);
    expect(q2?.accession).toBe(Q2_FY2026.accession);

    // History is context, not news: the change log stays empty, and the lease is released.
    const log = new DynamoChangeLog(local.db, config.tables.changes);
    const changes: Change[] = [];
    for await (const c of log.query({ since: '2000-01-01' })) changes.push(c);
    expect(changes).toEqual([]);
    expect(await state.acquireLease('sec-revenue', 'test', new Date('2026-03-10T13:00:00Z'), new Date('2026-03-10T12:00:00Z'))).toBe(true);
    await state.releaseLease('sec-revenue', 'test');
  });

  it('keeps a period stored from a later filing (a recast), and --filings 1 reads only the newest report', async () => {
    const key = 'series#0001045810';
    const before = (await state.getItem('sec-revenue', key)) as unknown as RevenueSeries;
    const recast = { ...(before.periods['2022-01-31..2023-01-29'] as RevenueSeries['periods'][string]) };
    recast.regions = [...recast.regions, { member: 'country:SG', label: 'Singapore', value: 2_288e6, share: 0.0848 }];
    recast.accession = LATER_10K.accession;
    await state.putItems('sec-revenue', [
      { key, value: { ...before, periods: { ...before.periods, '2022-01-31..2023-01-29': recast } } as unknown as Record<string, unknown> },
    ]);
    // The submissions now list the later 10-K too, so the history knows it was filed after FY2023's 10-K.
    registerSecSubmissions(fake, (name) =>
      name === 'CIK0001045810.json'
        ? submissionsJson({ cik: CIK, name: 'NVIDIA CORP', tickers: ['NVDA'], rows: [EIGHT_K, Q2_FY2026, LATER_10K, TEN_K_A, FY2023] })
        : undefined,
    );
    lines.length = 0;
    // Three reports: FY2023, the later 10-K (not served: it fails and is reported), Q2 FY2026.
    const result = await backfillRevenueHistory('NVDA', { filings: 3 }, deps);
    expect(result.filings.map((f) => `${f.form} ${f.status}`)).toEqual(['10-K ok', '10-K failed', '10-Q ok']);
    expect(lines.some((l) => l.startsWith('[2/3] 10-K 2024-01-28 … failed:'))).toBe(true);
    const after = (await state.getItem('sec-revenue', key)) as unknown as RevenueSeries;
    expect(after.periods['2022-01-31..2023-01-29']?.accession).toBe(LATER_10K.accession);
    expect(after.periods['2022-01-31..2023-01-29']?.regions.some((r) => r.member === 'country:SG')).toBe(true);

    const one = await backfillRevenueHistory('1045810', { filings: 1 }, deps);
    expect(one.filings.map((f) => f.accession)).toEqual([Q2_FY2026.accession]);
    expect(one.ticker).toBe('NVDA');
  });

  it('an unknown ticker is a config error naming it', async () => {
    await expect(backfillRevenueHistory('NOPE', {}, deps)).rejects.toThrow(/"NOPE" not found in EDGAR company_tickers\.json/);
  });

  it('the CLI prints progress and stores the series in a data dir; report then charts it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ew-history-'));
    registerSecSubmissions(fake, (name) =>
      name === 'CIK0001045810.json'
        ? submissionsJson({ cik: CIK, name: 'NVIDIA CORP', tickers: ['NVDA'], rows: [EIGHT_K, Q2_FY2026, FY2023] })
        : undefined,
    );
    const env = { ...process.env, ...fake.env(), SEC_USER_AGENT: 'export-watch tests tests@example.com' };
    const cli = join(REPO_ROOT, 'bin/export-watch-cli.mjs');
    const history = await run(process.execPath, [cli, 'revenue-history', 'NVDA', '--data-dir', dataDir], {
      cwd: REPO_ROOT,
      env,
      timeout: 120_000,
    });
    expect(history.stdout).toMatch(/\[1\/2\] 10-K 2023-01-29 … 3 breakdowns/);
    expect(history.stdout).toMatch(/\[2\/2\] 10-Q 2025-07-27 … 4 breakdowns/);
    expect(history.stdout).toMatch(/Stored series#0001045810 \(NVDA\).*quarters Q2 FY2025, Q2 FY2026; years FY2021, FY2022, FY2023/);
    expect(history.stdout).toMatch(/No changes written/);

    const out = join(dataDir, 'report.html');
    const report = await run(process.execPath, [cli, 'report', '--data-dir', dataDir, '--out', out, '--subject', 'NVDA'], {
      cwd: REPO_ROOT,
      env,
      timeout: 120_000,
    });
    expect(report.stdout).toMatch(/NVDA \(5 periods\)/);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<svg');
    for (const label of ['FY2021', 'FY2023', 'Q2 FY2025', 'Q2 FY2026', '10,156']) expect(html).toContain(label);

    const { SEC_USER_AGENT: _unset, ...withoutAgent } = env;
    const missing = await run(process.execPath, [cli, 'revenue-history', 'NVDA', '--data-dir', dataDir], {
      cwd: REPO_ROOT,
      env: withoutAgent,
      timeout: 120_000,
    }).catch((e) => e as { code: number; stderr: string });
    expect((missing as { code: number }).code).toBe(2);
    expect((missing as { stderr: string }).stderr).toMatch(/SEC_USER_AGENT is not set/);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
