import { readFileSync } from 'node:fs';
import { ManualClock } from '#core/clock.ts';
import { ANALYSIS_TRIGGER, cadencesOf } from '#core/schedule.ts';
import { ASSUMED_UPSTREAM_LATENCY_MS, DAYS_PER_MONTH } from './cost-assumptions.ts';
import { runSourceCycle } from '#core/source.ts';
import { createCycleDeps, createUpstreamClient } from '#app/compose.ts';
import { decodeFeed, parseFeed } from '#sources/sec-filings/feed.ts';
import { MAX_COMPANY_FETCHES_PER_CYCLE, secFilingsSource } from '#sources/sec-filings/source.ts';
import { secFullTextSource } from '#sources/sec-full-text/source.ts';
import { FakeUpstream } from '#test/support/fake-upstream.ts';
import { runCostBench, type SourceRunCount } from './cost.ts';
import { EVENT_DRIVEN_DESIGN } from './designs.ts';
import { fireTimes } from './latency.ts';
import { hasSharedFixtures, shared } from '#test/support/fixtures.ts';
import { documentHtml, type FakeDocument, PASSAGE_ENTITY_LIST, registerFullText } from '#test/support/upstreams/sec-full-text.ts';
import { startLocalDynamo, testConfig } from '#test/support/local-aws.ts';
import {
  atomFeed,
  type FeedEntrySpec,
  registerSecCompaniesBySic,
  registerSecFeed,
  registerSecSubmissions,
  type SubmissionRowSpec,
  submissionsJson,
} from '#test/support/upstreams/sec.ts';

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
  /** Company-by-SIC browse requests of the week (the roster, refreshed once a day). */
  rosterRequests: number;
  /** Cycles the first resolution and baseline of the sector took (submissions budget per cycle). */
  baselineCycles: number;
}

/** Semiconductors and related devices. */
const SECTOR_SIC = '3674';
const WEEK_MONDAY = Date.parse('2026-01-12T00:00:00-05:00');

/** Seconds after midnight ET of each recorded feed entry (the day's rhythm of filings). */
export function recordedTimesOfDay(): number[] {
  const files = hasSharedFixtures
    ? ['sec/feeds/getcurrent-start0-count100.atom.xml', 'sec/feeds/getcurrent-start5000-count100.atom.xml']
    : [];
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
    const top: FeedEntrySpec[] = [...visible]
      .reverse()
      .map((f) => ({ accession: f.accession, form: f.form, company: `SECTOR COMPANY ${f.cik}`, cik: f.cik, updated: iso(f.at) }));
    return atomFeed([...top, ...background].slice(0, 100), iso(visible.at(-1)?.at ?? WEEK_MONDAY));
  });
  const rowsOf = (cik: string): SubmissionRowSpec[] => [
    ...visible
      .filter((f) => f.cik === cik)
      .reverse()
      .map((f) => ({
        accession: f.accession,
        filingDate: iso(f.at).slice(0, 10),
        form: f.form,
        primaryDocument: f.form === '10-Q' ? 'q.htm' : 'results.htm',
        items: f.form === '8-K' ? '2.02,9.01' : '',
      })),
    {
      accession: `${cik.padStart(10, '0')}-25-000001`,
      filingDate: '2025-11-05',
      reportDate: '2025-09-30',
      form: '10-Q',
      primaryDocument: 'q3.htm',
    },
  ];
  registerSecSubmissions(fake, (name) => {
    const cik = /^CIK(\d{10})\.json$/.exec(name)?.[1]?.replace(/^0+/, '');
    return cik && companies.includes(cik) ? submissionsJson({ cik, name: `SECTOR COMPANY ${cik}`, rows: rowsOf(cik) }) : undefined;
  });
  // The watch-list is the sector itself: EDGAR's company browse by SIC lists its companies
  // (resolved on the first cycle, refreshed daily), no ticker file is needed.
  registerSecCompaniesBySic(fake, { [SECTOR_SIC]: companies.map((cik) => ({ cik })) });
  const config = testConfig({ ...fake.env(), EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: [`SIC:${SECTOR_SIC}`] }) });
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
    // Baseline: every company reconciled once through its submissions JSON, at most
    // MAX_COMPANY_FETCHES_PER_CYCLE a cycle, so a big sector takes a few cycles.
    let baselineCycles = 0;
    for (let i = 0; i < 20; i++) {
      const { requests } = await measure();
      clock.advance(60_000);
      if (requests <= 1) break;
      baselineCycles++;
    }
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
      busy.ms += m.ms + m.requests * ASSUMED_UPSTREAM_LATENCY_MS;
      busy.max = Math.max(busy.max, m.requests);
    }
    // Filing hours of the week: 17 polls an hour × 60 × 5 days, less the busy ones.
    const quietCycles = 17 * 60 * 5 - minutes.length;
    const quiet: CycleFigures = {
      cycles: quietCycles,
      requestsPerCycle: quietOne.requests,
      bytesPerCycle: quietOne.bytes,
      lambdaMsPerCycle: quietOne.ms + quietOne.requests * ASSUMED_UPSTREAM_LATENCY_MS,
    };
    const busyFigures: CycleFigures = {
      cycles: minutes.length,
      requestsPerCycle: busy.requests / minutes.length,
      bytesPerCycle: busy.bytes / minutes.length,
      lambdaMsPerCycle: busy.ms / minutes.length,
    };
    return {
      companies: companyCount,
      filings: filings.length,
      quiet,
      busy: busyFigures,
      maxRequestsInOneCycle: busy.max,
      weekRequests: quiet.cycles * quiet.requestsPerCycle + busy.requests,
      weekBytes: quiet.cycles * quiet.bytesPerCycle + busy.bytes,
      rosterRequests: fake.requests.filter((r) => r.query.includes('action=getcompany')).length,
      baselineCycles,
    };
  } finally {
    await local.stop();
    await fake.stop();
  }
}

/** An earnings week of `sec-full-text`: the market-wide search for export-control phrases. */
export interface FullTextWeek {
  /** Mentions filed in the week: the sector's 10-Qs and other filers'. */
  documents: number;
  quiet: CycleFigures;
  busy: CycleFigures;
  maxRequestsInOneCycle: number;
  weekRequests: number;
  weekBytes: number;
  /** filing.mention changes created (one per accession and matched phrase). */
  mentions: number;
}

/** `sec-full-text` runs of the week, from its deployed schedule (DEFAULT_SCHEDULES, croner in ET). */
export function fullTextRunTimes(): number[] {
  return fireTimes(cadencesOf('sec-full-text'), WEEK_MONDAY, WEEK_MONDAY + 7 * 86_400_000);
}

/**
 * Replay the week through real `sec-full-text` cycles against the fake EFTS: each sector
 * company's 10-Q says "export license" and "Entity List" (NVIDIA's own risk-factor
 * paragraph, as most semiconductor 10-Qs do), and `otherFilers` filings of companies on no
 * watch-list say the same, at the recorded feed's times of day. A document is indexed the
 * moment it is filed (EFTS lags; a lag only moves the busy cycles). Every run of the week
 * is a real cycle (540 of them).
 */
export async function runFullTextBench(companyCount = 150, otherFilers = 150): Promise<FullTextWeek> {
  const companies = Array.from({ length: companyCount + otherFilers }, (_, i) => String(8_100_001 + i));
  const filed = earningsWeek(companies).filter((f) => f.form === '10-Q');
  const fake = await new FakeUpstream().start();
  const index: FakeDocument[] = [];
  const html = documentHtml('Quarterly Report', [PASSAGE_ENTITY_LIST]);
  const config = testConfig({ ...fake.env(), EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: [`SIC:${SECTOR_SIC}`] }) });
  const local = await startLocalDynamo(config.tables);
  const runs = fullTextRunTimes();
  const clock = new ManualClock(new Date((runs[0] as number) - 600_000));
  const http = createUpstreamClient(config, { secRequestsPerSecond: 10_000, backoffBaseMs: 1 });
  const deps = createCycleDeps(config, { db: local.db, clock, http });
  try {
    const figures = { quiet: { n: 0, requests: 0, bytes: 0, ms: 0 }, busy: { n: 0, requests: 0, bytes: 0, ms: 0 } };
    let max = 0;
    let mentions = 0;
    registerFullText(fake, index);
    await runSourceCycle(secFullTextSource, deps); // baseline, before the week
    let next = 0; // filed is in time order: index the filings up to each run's time
    for (const at of runs) {
      clock.set(new Date(at));
      const before = index.length;
      for (; next < filed.length && (filed[next] as (typeof filed)[number]).at <= at; next++) {
        const f = filed[next] as (typeof filed)[number];
        const day = iso(f.at).slice(0, 10);
        index.push({
          adsh: f.accession,
          filename: 'q.htm',
          cik: f.cik.padStart(10, '0'),
          displayName: `COMPANY ${f.cik}  (CIK ${f.cik.padStart(10, '0')})`,
          form: '10-Q',
          fileType: '10-Q',
          fileDate: day,
          html,
        });
      }
      if (index.length > before) registerFullText(fake, index); // serve the new documents' paths
      const start = { ...http.stats };
      const t = performance.now();
      const outcome = await runSourceCycle(secFullTextSource, deps);
      if (outcome.status !== 'ok') throw new Error(`full-text bench: cycle failed: ${JSON.stringify(outcome)}`);
      const requests = http.stats.requests - start.requests;
      const kind = outcome.changesCreated > 0 ? figures.busy : figures.quiet;
      mentions += outcome.changesCreated;
      kind.n++;
      kind.requests += requests;
      kind.bytes += http.stats.bytes - start.bytes;
      kind.ms += performance.now() - t + requests * ASSUMED_UPSTREAM_LATENCY_MS;
      max = Math.max(max, requests);
    }
    const per = (k: { n: number; requests: number; bytes: number; ms: number }): CycleFigures => ({
      cycles: k.n,
      requestsPerCycle: k.n ? k.requests / k.n : 0,
      bytesPerCycle: k.n ? k.bytes / k.n : 0,
      lambdaMsPerCycle: k.n ? k.ms / k.n : 0,
    });
    return {
      documents: filed.length,
      quiet: per(figures.quiet),
      busy: per(figures.busy),
      maxRequestsInOneCycle: max,
      weekRequests: figures.quiet.requests + figures.busy.requests,
      weekBytes: figures.quiet.bytes + figures.busy.bytes,
      mentions,
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
export async function sectorMonthlyCost(
  week: SectorWeek,
  counts?: SourceRunCount[],
  fullText?: FullTextWeek,
): Promise<{ lean: number; full: number; triggeredRunsPerMonth: number }> {
  const weeksPerMonth = DAYS_PER_MONTH / 7;
  const triggeredRunsPerMonth = week.busy.cycles * weeksPerMonth;
  const filingsPerRun = week.filings / week.busy.cycles;
  const { model, full } = await runCostBench(EVENT_DRIVEN_DESIGN, counts, (a) => {
    for (const fn of a.functions) {
      if (fn.name === 'sec-filings') {
        const cycles = week.quiet.cycles + week.busy.cycles;
        fn.avgDurationMs = (week.quiet.cycles * week.quiet.lambdaMsPerCycle + week.busy.cycles * week.busy.lambdaMsPerCycle) / cycles;
      }
      if (fn.name === 'sec-full-text' && fullText) {
        const cycles = fullText.quiet.cycles + fullText.busy.cycles;
        fn.avgDurationMs =
          (fullText.quiet.cycles * fullText.quiet.lambdaMsPerCycle + fullText.busy.cycles * fullText.busy.lambdaMsPerCycle) / cycles;
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
    `The watch-list is \`SIC:${SECTOR_SIC}\`: the roster took ${w.rosterRequests} company-browse requests in the week (pages of 100 companies, refreshed once a day), and the first baseline ${w.baselineCycles} cycle(s) (at most ${MAX_COMPANY_FETCHES_PER_CYCLE} submissions JSONs a cycle).`,
  ].join('\n');
}

/** Markdown of the full-text week. */
export function formatFullTextBench(w: FullTextWeek): string {
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  return [
    `\`sec-full-text\` over the same week: ${w.documents} 10-Qs mention "export license" and "Entity List" (the sector's and as many of filers on no watch-list), ${w.mentions} \`filing.mention\` changes (one per accession and phrase).`,
    '',
    '| `sec-full-text` runs in the week | runs | requests / run | bytes / run | Lambda time / run |',
    '|---|---:|---:|---:|---:|',
    `| quiet (no new mention) | ${w.quiet.cycles} | ${w.quiet.requestsPerCycle.toFixed(1)} | ${kb(w.quiet.bytesPerCycle)} | ${w.quiet.lambdaMsPerCycle.toFixed(0)} ms |`,
    `| busy (new mentions) | ${w.busy.cycles} | ${w.busy.requestsPerCycle.toFixed(1)} | ${kb(w.busy.bytesPerCycle)} | ${w.busy.lambdaMsPerCycle.toFixed(0)} ms |`,
    '',
    `Whole week: ${Math.round(w.weekRequests).toLocaleString('en-US')} requests, ${(w.weekBytes / 1024 / 1024).toFixed(1)} MB; at most ${w.maxRequestsInOneCycle} requests in one run.`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const week = await runSectorBench();
  const fullText = await runFullTextBench();
  const cost = await sectorMonthlyCost(week, undefined, fullText);
  console.log(
    `${formatSectorBench(week)}\n\n${formatFullTextBench(fullText)}\n\nMonthly cost with this watch-list (every week an earnings week): lean $${cost.lean.toFixed(2)}, full $${cost.full.toFixed(2)}; ${Math.round(cost.triggeredRunsPerMonth)} triggered analysis runs a month.`,
  );
}
