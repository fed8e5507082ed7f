import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../lambdas/core/clock.ts';
import { ANALYSIS_TRIGGER } from '../lambdas/core/schedule.ts';
import { DAYS_PER_MONTH } from '../lambdas/ops/cost-model.ts';
import { runSourceCycle } from '../lambdas/core/source.ts';
import { createCycleDeps, createUpstreamClient } from '../lambdas/runtime/deps.ts';
import { decodeFeed, parseFeed } from '../lambdas/sources/sec-filings/feed.ts';
import { secFilingsSource } from '../lambdas/sources/sec-filings/source.ts';
import { FakeUpstream } from '../test/support/fake-upstream.ts';
import { runCostBench, type SourceRunCount } from './cost.ts';
import { EVENT_DRIVEN_DESIGN } from './designs.ts';
import { hasSharedFixtures, shared } from '../test/support/fixtures.ts';
import { startLocalDynamo, testConfig } from '../test/support/local-aws.ts';
import {
  atomFeed,
  type FeedEntrySpec,
  registerSecFeed,
  registerSecSubmissions,
  registerSecTickers,
  SEC_DEMO_FIXTURES,
  type SubmissionRowSpec,
  submissionsJson,
} from '../test/support/upstreams/sec.ts';

/**
 * Cost and politeness at sector scale (issue 17, item 4): a watch-list of a whole sector
 * (150 companies, as SIC 3674 semiconductors roughly is) through an earnings week, each
 * company filing its 10-Q and its results 8-K (Item 2.02) once, at times of day taken
 * from the recorded EDGAR feed (the `<updated>` stamps of the two shared feed pages: a
 * Monday morning and a Thursday after-close burst). The `sec-filings` cycles run for real
 * against the fake EDGAR on a virtual clock: every busy minute (a sector filing appeared)
 * is a cycle with the real feed page underneath the new entries; quiet minutes are one
 * measured quiet cycle times their number.
 */

/** One kind of cycle's measured figures. */
export interface CycleFigures {
  cycles: number;
  requestsPerCycle: number;
  bytesPerCycle: number;
  /** Compute measured here, plus requests × the assumed upstream latency (section 6). */
  lambdaMsPerCycle: number;
}

/** What an earnings week costs the `sec-filings` function of a sector watch-list. */
export interface SectorWeek {
  companies: number;
  filings: number;
  quiet: CycleFigures;
  busy: CycleFigures;
  /** Most requests one cycle made (the SEC budget is 10/s across functions). */
  maxRequestsInOneCycle: number;
  /** Requests of the whole week, all cycles. */
  weekRequests: number;
  weekBytes: number;
}

const UPSTREAM_LATENCY_MS = 250;
const WEEK_MONDAY = Date.parse('2026-01-12T00:00:00-05:00');

/** Seconds after midnight ET of each recorded feed entry (the day's rhythm of filings). */
export function recordedTimesOfDay(): number[] {
  const files = hasSharedFixtures ? ['sec/feeds/getcurrent-start0-count100.atom.xml', 'sec/feeds/getcurrent-start5000-count100.atom.xml'] : [];
  const out: number[] = [];
  for (const f of files) {
    for (const filing of parseFeed(decodeFeed(readFileSync(shared(f)))).filings) {
      const [h, m, s] = filing.updated.slice(11, 19).split(':').map(Number);
      out.push((h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0));
    }
  }
  // Without the fixtures: the two peaks EDGAR shows every day, before the open and after the close.
  return out.length > 0 ? out.sort((a, b) => a - b) : [7.5 * 3600, 8 * 3600, 16.1 * 3600, 16.5 * 3600, 17.2 * 3600];
}

/** The sector's filings of the week: a results 8-K and, 10 minutes later, the 10-Q, per company. */
export function earningsWeek(companies: readonly string[]): Array<{ cik: string; form: string; accession: string; at: number }> {
  const times = recordedTimesOfDay();
  const out: Array<{ cik: string; form: string; accession: string; at: number }> = [];
  companies.forEach((cik, i) => {
    const day = i % 5;
    const tod = times[(i * 7) % times.length] as number;
    const at = WEEK_MONDAY + day * 86_400_000 + tod * 1000;
    out.push({ cik, form: '8-K', accession: `${cik.padStart(10, '0')}-26-000101`, at });
    out.push({ cik, form: '10-Q', accession: `${cik.padStart(10, '0')}-26-000102`, at: at + 10 * 60_000 });
  });
  return out.sort((a, b) => a.at - b.at);
}

const iso = (ms: number) => {
  // The feed's own form: ET with its offset (EST in January).
  const d = new Date(ms - 5 * 3600_000);
  return `${d.toISOString().slice(0, 19)}-05:00`;
};

/** Replay the week through real `sec-filings` cycles. */
export async function runSectorBench(companyCount = 150): Promise<SectorWeek> {
  const companies = Array.from({ length: companyCount }, (_, i) => String(8_100_001 + i));
  const filings = earningsWeek(companies);
  const fake = await new FakeUpstream().start();
  // The real feed page under the sector's entries: other filers' traffic, as EDGAR shows it.
  const background: FeedEntrySpec[] = hasSharedFixtures
    ? parseFeed(decodeFeed(readFileSync(shared('sec/feeds/getcurrent-start0-count100.atom.xml')))).entries.map((e) => ({
        accession: e.accession,
        form: e.form,
        company: e.companyName,
        cik: e.cik,
        role: e.role as FeedEntrySpec['role'],
        updated: e.updated,
      }))
    : [];
  let visible: typeof filings = [];
  registerSecFeed(fake, (start) => {
    if (start !== 0) return undefined;
    const top: FeedEntrySpec[] = [...visible].reverse().map((f) => ({ accession: f.accession, form: f.form, company: `SECTOR COMPANY ${f.cik}`, cik: f.cik, updated: iso(f.at) }));
    return atomFeed([...top, ...background].slice(0, 100), iso(visible.at(-1)?.at ?? WEEK_MONDAY));
  });
  const rowsOf = (cik: string): SubmissionRowSpec[] => [
    ...visible
      .filter((f) => f.cik === cik)
      .reverse()
      .map((f) => ({ accession: f.accession, filingDate: iso(f.at).slice(0, 10), form: f.form, primaryDocument: f.form === '10-Q' ? 'q.htm' : 'results.htm', items: f.form === '8-K' ? '2.02,9.01' : '' })),
    { accession: `${cik.padStart(10, '0')}-25-000001`, filingDate: '2025-11-05', reportDate: '2025-09-30', form: '10-Q', primaryDocument: 'q3.htm' },
  ];
  registerSecSubmissions(fake, (name) => {
    const cik = /^CIK(\d{10})\.json$/.exec(name)?.[1]?.replace(/^0+/, '');
    return cik && companies.includes(cik) ? submissionsJson({ cik, name: `SECTOR COMPANY ${cik}`, rows: rowsOf(cik) }) : undefined;
  });
  // The demo's ticker file plus a row per sector company (it is refreshed daily, not per cycle).
  const tickers = JSON.parse(readFileSync(join(SEC_DEMO_FIXTURES, 'company_tickers.json'), 'utf8')) as Record<string, unknown>;
  companies.forEach((cik, i) => {
    tickers[`s${i}`] = { cik_str: Number(cik), ticker: `SEC${i}`, title: `SECTOR COMPANY ${cik}` };
  });
  registerSecTickers(fake, tickers);
  const config = testConfig({ ...fake.env(), EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: companies }) });
  const local = await startLocalDynamo(config.tables);
  const clock = new ManualClock(new Date(WEEK_MONDAY + 6 * 3600_000));
  const http = createUpstreamClient(config, { secRequestsPerSecond: 10_000, backoffBaseMs: 1 });
  const deps = createCycleDeps(config, { db: local.db, clock, http });
  const measure = async (): Promise<{ requests: number; bytes: number; ms: number }> => {
    const before = { ...http.stats };
    const t = performance.now();
    const outcome = await runSourceCycle(secFilingsSource, deps);
    if (outcome.status !== 'ok') throw new Error(`sector bench: cycle failed: ${JSON.stringify(outcome)}`);
    const requests = http.stats.requests - before.requests;
    return { requests, bytes: http.stats.bytes - before.bytes, ms: performance.now() - t };
  };
  try {
    await measure(); // baseline: every company reconciled once through its submissions JSON
    clock.advance(60_000);
    const quietOne = await measure();
    // Busy minutes: each minute in which at least one sector filing appeared.
    const minutes = [...new Set(filings.map((f) => Math.ceil(f.at / 60_000) * 60_000))].sort((a, b) => a - b);
    const busy = { requests: 0, bytes: 0, ms: 0, max: 0 };
    for (const minute of minutes) {
      clock.set(new Date(minute + 1000));
      visible = filings.filter((f) => f.at <= minute);
      const m = await measure();
      busy.requests += m.requests;
      busy.bytes += m.bytes;
      busy.ms += m.ms + m.requests * UPSTREAM_LATENCY_MS;
      busy.max = Math.max(busy.max, m.requests);
    }
    // Filing hours of the week: 17 polls an hour × 60 × 5 days, less the busy ones.
    const quietCycles = 17 * 60 * 5 - minutes.length;
    const quiet: CycleFigures = { cycles: quietCycles, requestsPerCycle: quietOne.requests, bytesPerCycle: quietOne.bytes, lambdaMsPerCycle: quietOne.ms + quietOne.requests * UPSTREAM_LATENCY_MS };
    const busyFigures: CycleFigures = { cycles: minutes.length, requestsPerCycle: busy.requests / minutes.length, bytesPerCycle: busy.bytes / minutes.length, lambdaMsPerCycle: busy.ms / minutes.length };
    return {
      companies: companyCount,
      filings: filings.length,
      quiet,
      busy: busyFigures,
      maxRequestsInOneCycle: busy.max,
      weekRequests: quiet.cycles * quiet.requestsPerCycle + busy.requests,
      weekBytes: quiet.cycles * quiet.bytesPerCycle + busy.bytes,
    };
  } finally {
    await local.stop();
    await fake.stop();
  }
}

/**
 * The monthly cost with a sector watch-list, as if every week were an earnings week (an
 * upper bound: outside earnings seasons a sector files a fraction of that): `sec-filings`
 * priced per quiet and busy cycle as measured above, one analysis run per busy cycle
 * (the trigger batches the filings of one cycle) reading each of its filings at the
 * demo's measured cost of one filing.
 */
export async function sectorMonthlyCost(week: SectorWeek, counts?: SourceRunCount[]): Promise<{ lean: number; full: number; triggeredRunsPerMonth: number }> {
  const weeksPerMonth = DAYS_PER_MONTH / 7;
  const triggeredRunsPerMonth = week.busy.cycles * weeksPerMonth;
  const filingsPerRun = week.filings / week.busy.cycles;
  const { model, full } = await runCostBench(EVENT_DRIVEN_DESIGN, counts, (a) => {
    for (const fn of a.functions) {
      if (fn.name === 'sec-filings') {
        const cycles = week.quiet.cycles + week.busy.cycles;
        fn.avgDurationMs = (week.quiet.cycles * week.quiet.lambdaMsPerCycle + week.busy.cycles * week.busy.lambdaMsPerCycle) / cycles;
      }
      if ((ANALYSIS_TRIGGER.analyses as readonly string[]).includes(fn.name) && fn.extraRun) {
        fn.extraInvocationsPerMonth = triggeredRunsPerMonth;
        fn.extraRun = { ...fn.extraRun, avgDurationMs: fn.extraRun.avgDurationMs * filingsPerRun };
      }
    }
  });
  return { lean: model.totalUsd, full: full.totalUsd, triggeredRunsPerMonth };
}

/** Markdown of the week. */
export function formatSectorBench(w: SectorWeek): string {
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  return [
    `${w.companies} companies, ${w.filings} filings in the week (a results 8-K and a 10-Q each).`,
    '',
    '| `sec-filings` cycles in the week | cycles | requests / cycle | bytes / cycle | Lambda time / cycle |',
    '|---|---:|---:|---:|---:|',
    `| quiet | ${w.quiet.cycles} | ${w.quiet.requestsPerCycle.toFixed(1)} | ${kb(w.quiet.bytesPerCycle)} | ${w.quiet.lambdaMsPerCycle.toFixed(0)} ms |`,
    `| busy (a sector filing appeared) | ${w.busy.cycles} | ${w.busy.requestsPerCycle.toFixed(1)} | ${kb(w.busy.bytesPerCycle)} | ${w.busy.lambdaMsPerCycle.toFixed(0)} ms |`,
    '',
    `Whole week: ${Math.round(w.weekRequests).toLocaleString('en-US')} requests, ${(w.weekBytes / 1024 / 1024).toFixed(1)} MB; at most ${w.maxRequestsInOneCycle} requests in one cycle (spread by the client at its share of SEC's 10 requests/s).`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const week = await runSectorBench();
  const cost = await sectorMonthlyCost(week);
  console.log(`${formatSectorBench(week)}\n\nMonthly cost with this watch-list (every week an earnings week): lean $${cost.lean.toFixed(2)}, full $${cost.full.toFixed(2)}; ${Math.round(cost.triggeredRunsPerMonth)} triggered analysis runs a month.`);
}
