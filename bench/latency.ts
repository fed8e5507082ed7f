import { readFileSync } from 'node:fs';
import { Cron } from 'croner';
import { SCHEDULE_TIME_ZONE, type Schedule, toCronPattern } from '#core/schedule.ts';
import { decodeFeed, parseFeed } from '#sources/sec-filings/feed.ts';
import { hasSharedFixtures, shared } from '#test/support/fixtures.ts';
import { EVENT_DRIVEN_DESIGN, type PipelineDesign, POLLING_DESIGN } from './designs.ts';

/**
 * Alert latency on a virtual clock (issue 16): from the moment an item is visible upstream
 * to the moment its e-mail is handed to SES, for each change family, replayed through a
 * design's schedules and triggers. Nothing sleeps: the schedules are enumerated with
 * croner in America/New_York (the same cron definitions the stack deploys), the triggers
 * are their batching windows, and each run takes the seconds of {@link RUN_SECONDS}.
 *
 * Arrival times come from the shared fixtures where they are recorded: the `<updated>`
 * stamps of two EDGAR feed pages (a Monday morning and a Thursday evening burst) and the
 * `filed_at` of public-inspection postings. Where no real time exists (when the Federal
 * Register API shows a published document, when the consolidated list changes) arrivals
 * are spread evenly over a day, so no result hangs on one lucky alignment; the filing and
 * public-inspection families are also swept evenly over their hours for the same reason.
 */

/** How long each step takes, in seconds (virtual time). */
export const RUN_SECONDS = {
  /** Lease and state reads before a run's first upstream request. */
  fetchOffset: 1,
  /** A sec-filings cycle that finds filings: feed page, writes (bench section 6: 2 requests of ~250 ms plus DynamoDB). */
  filings: 2,
  /** An analysis cycle's fixed part: lease, state, the change-log query, the writes. */
  analysisBase: 1,
  /** Each filing an analysis reads: the XBRL instance or primary document (MBs at the function's SEC share, ~3.3 requests/s) and its parse (sections 1 and 1b: well under 1 s). */
  analysisPerFiling: 6,
  /** An analysis sweep that finds nothing new. */
  analysisQuiet: 0.6,
  /** A Federal Register cycle that finds a document (two API queries). */
  federalRegister: 2,
  /** An Entity List cycle on a changed list: download of ~27 MB plus the 1.1 s cycle of section 4. */
  entityListChanged: 25,
  /** A notifier run: outbox query, render, one SES call per subscriber. */
  notifier: 2,
} as const;

/** The change families and their goals (median / p95, seconds). */
export const LATENCY_GOALS = {
  'filing.new': { label: '`filing.new` (filing hours)', median: 90, p95: 150 },
  analyses: { label: 'revenue and export-language alerts', median: 180, p95: 300 },
  'fr.public-inspection': { label: 'Federal Register public inspection', median: 180, p95: 300 },
  'fr.published': { label: 'Federal Register published documents', median: 900, p95: 900 },
  entity: { label: 'Entity List (consolidated list changed)', median: 1200, p95: 1200 },
} as const;

export type LatencyFamily = keyof typeof LATENCY_GOALS;

/** One family's figures under one design. */
export interface LatencyRow {
  design: string;
  family: LatencyFamily;
  /** Arrivals replayed (recorded items, and the even sweep). */
  samples: number;
  recorded: number;
  medianSeconds: number;
  p95Seconds: number;
  met: boolean;
}

/** Scheduled fire times of some cadences, as a sorted list, over [fromMs, toMs). */
export function fireTimes(cadences: readonly Schedule[], fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (const cadence of cadences) {
    const cron = new Cron(toCronPattern(cadence), { timezone: SCHEDULE_TIME_ZONE, paused: true });
    let at = new Date(fromMs - 1);
    for (;;) {
      const next = cron.nextRun(at);
      if (!next || next.getTime() >= toMs) break;
      out.push(next.getTime());
      at = next;
    }
    cron.stop();
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** First fire whose run fetches at or after `visibleMs` (binary search over sorted fires). */
function firstFetchAfter(fires: readonly number[], visibleMs: number): number {
  const earliest = visibleMs - RUN_SECONDS.fetchOffset * 1000;
  let lo = 0;
  let hi = fires.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((fires[mid] as number) < earliest) lo = mid + 1;
    else hi = mid;
  }
  const fire = fires[lo];
  if (fire === undefined) throw new Error(`no scheduled run after ${new Date(visibleMs).toISOString()} in the replayed window`);
  return fire;
}

/**
 * When the notifier hands an inserted change to SES: woken by the stream after its
 * batching window, or by its own schedule if that comes first.
 */
function mailedAt(design: PipelineDesign, notifierFires: readonly number[], insertedMs: number): number {
  const woken = insertedMs + design.notifierTrigger.batchingWindowSeconds * 1000;
  const scheduled = firstFetchAfter(notifierFires, insertedMs + RUN_SECONDS.fetchOffset * 1000);
  return Math.min(woken, scheduled) + RUN_SECONDS.notifier * 1000;
}

/** A polled family: visible → next run that fetches → written at run end → mailed. */
function polledLatencies(
  design: PipelineDesign,
  fires: readonly number[],
  notifierFires: readonly number[],
  visible: readonly number[],
  runSeconds: number,
): number[] {
  return visible.map((v) => (mailedAt(design, notifierFires, firstFetchAfter(fires, v) + runSeconds * 1000) - v) / 1000);
}

/**
 * The analyses of filings written at `insertedMs` (groups of one filings cycle), run one
 * cycle at a time (reserved concurrency 1 and the lease): each invocation — a trigger
 * after its batching window, or a scheduled sweep — reads every filing written before it
 * starts and fetches their documents one by one; its changes are written at its end. An
 * invocation that arrives while a cycle runs waits for it (a throttled trigger is retried).
 */
function analysisLatencies(
  design: PipelineDesign,
  sweepFires: readonly number[],
  notifierFires: readonly number[],
  filings: ReadonlyArray<{ visibleMs: number; insertedMs: number }>,
): number[] {
  const triggers = design.analysisTrigger ? filings.map((f) => f.insertedMs + design.analysisTrigger!.batchingWindowSeconds * 1000) : [];
  const invocations = [...new Set([...triggers, ...sweepFires])].sort((a, b) => a - b);
  const pending = [...filings].sort((a, b) => a.insertedMs - b.insertedMs);
  const out: number[] = [];
  let busyUntil = Number.NEGATIVE_INFINITY;
  let next = 0;
  for (const invocation of invocations) {
    if (next >= pending.length) break;
    const start = Math.max(invocation, busyUntil);
    const batch: typeof pending = [];
    while (next < pending.length && (pending[next] as (typeof pending)[number]).insertedMs <= start)
      batch.push(pending[next++] as (typeof pending)[number]);
    const seconds =
      batch.length === 0 ? RUN_SECONDS.analysisQuiet : RUN_SECONDS.analysisBase + RUN_SECONDS.analysisPerFiling * batch.length;
    busyUntil = start + seconds * 1000;
    for (const f of batch) out.push((mailedAt(design, notifierFires, busyUntil) - f.visibleMs) / 1000);
  }
  if (out.length < filings.length) throw new Error('replay window ended before every filing was analysed');
  return out;
}

/** Evenly spaced instants over [fromMs, toMs), `stepSeconds` apart (a step prime to 60 avoids aligning with cron minutes). */
export function sweep(fromMs: number, toMs: number, stepSeconds = 37): number[] {
  const out: number[] = [];
  for (let t = fromMs; t < toMs; t += stepSeconds * 1000) out.push(t);
  return out;
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** The recorded arrivals of the shared fixtures (empty lists when they are absent). */
export interface RecordedDay {
  /** Filings of the two feed pages in the default forms, by `<updated>`. */
  filings: number[];
  /** Public-inspection postings (`filed_at`), plus the day's `special_filings_updated_at`. */
  publicInspection: number[];
}

/** The watched forms of the default config (amendments included). */
const WATCHED_FORMS = ['10-K', '10-Q', '8-K', '20-F', '6-K'];

/** Read the recorded arrivals from ../shared/fixtures. */
export function recordedDay(): RecordedDay {
  if (!hasSharedFixtures) return { filings: [], publicInspection: [] };
  const filings: number[] = [];
  for (const page of ['sec/feeds/getcurrent-start0-count100.atom.xml', 'sec/feeds/getcurrent-start5000-count100.atom.xml']) {
    const feed = parseFeed(decodeFeed(readFileSync(shared(page))));
    for (const f of feed.filings) if (WATCHED_FORMS.includes(f.form.replace(/\/A$/, ''))) filings.push(f.updatedMs);
  }
  const pi = JSON.parse(readFileSync(shared('federal-register/fr_pi_current_2026-10-02.first10.json'), 'utf8')) as {
    results: Array<{ filed_at: string | null }>;
    special_filings_updated_at?: string;
  };
  const postings = new Set<number>();
  for (const r of pi.results) if (r.filed_at) postings.add(Date.parse(r.filed_at));
  if (pi.special_filings_updated_at) postings.add(Date.parse(pi.special_filings_updated_at));
  return { filings: filings.sort((a, b) => a - b), publicInspection: [...postings].sort((a, b) => a - b) };
}

const HOUR = 3_600_000;

/** Replay every family through one design. */
export function replay(design: PipelineDesign, day: RecordedDay = recordedDay(), options: { sweeps?: boolean } = {}): LatencyRow[] {
  const even = (from: number, to: number, step?: number) => (options.sweeps === false ? [] : sweep(from, to, step));
  // Filing hours on the Monday of the first feed page (EST, UTC−5), and the recorded filings.
  const secDay = Date.parse('2026-01-12T00:00:00-05:00');
  const filingsVisible = [...even(secDay + 6 * HOUR, secDay + 22 * HOUR), ...day.filings];
  const from = Math.min(secDay, ...day.filings) - 2 * HOUR;
  const to = Math.max(secDay + 26 * HOUR, ...day.filings.map((t) => t + 26 * HOUR));
  const notifierFires = fireTimes(design.cadences.notifier, from, to + 30 * HOUR);
  const filingFires = fireTimes(design.cadences['sec-filings'], from, to + 30 * HOUR);
  const filings = filingsVisible.map((visibleMs) => ({
    visibleMs,
    insertedMs: firstFetchAfter(filingFires, visibleMs) + RUN_SECONDS.filings * 1000,
  }));
  const filingLatencies = filings.map((f) => (mailedAt(design, notifierFires, f.insertedMs) - f.visibleMs) / 1000);
  // Each analysis runs on its own function; the slower of the two is the family's figure.
  const analyses = (['sec-revenue', 'sec-export-language'] as const).map((name) =>
    analysisLatencies(design, fireTimes(design.cadences[name], from, to + 30 * HOUR), notifierFires, filings),
  );
  const analysisWorst = (analyses[0] ?? []).map((_, i) => Math.max(...analyses.map((a) => a[i] as number)));

  // Public inspection: each recorded posting, arriving any second of the 3 minutes after its
  // stamp (the API shows it within that), and the posting windows swept evenly.
  const frDay = Date.parse('2026-10-02T00:00:00-04:00');
  const piVisible = [
    ...day.publicInspection.flatMap((t) => Array.from({ length: 180 }, (_, s) => t + s * 1000)),
    ...even(frDay + 8.75 * HOUR, frDay + 18.5 * HOUR),
  ];
  const frFrom = Math.min(frDay - 2 * HOUR, ...day.publicInspection) - HOUR;
  const frFires = fireTimes(design.cadences['federal-register'], frFrom, frDay + 30 * HOUR);
  const frNotifierFires = fireTimes(design.cadences.notifier, frFrom, frDay + 30 * HOUR);
  const pi = polledLatencies(design, frFires, frNotifierFires, piVisible, RUN_SECONDS.federalRegister);
  const published = polledLatencies(design, frFires, frNotifierFires, even(frDay, frDay + 24 * HOUR, 53), RUN_SECONDS.federalRegister);
  const elFires = fireTimes(design.cadences['entity-list'], frDay - HOUR, frDay + 26 * HOUR);
  const entity = polledLatencies(design, elFires, frNotifierFires, even(frDay, frDay + 24 * HOUR, 53), RUN_SECONDS.entityListChanged);

  const row = (family: LatencyFamily, values: number[], recorded: number): LatencyRow => {
    const goal = LATENCY_GOALS[family];
    const medianSeconds = percentile(values, 50);
    const p95Seconds = percentile(values, 95);
    return {
      design: design.name,
      family,
      samples: values.length,
      recorded,
      medianSeconds,
      p95Seconds,
      met: medianSeconds <= goal.median && p95Seconds <= goal.p95,
    };
  };
  return [
    row('filing.new', filingLatencies, day.filings.length),
    row('analyses', analysisWorst, day.filings.length),
    row('fr.public-inspection', pi, day.publicInspection.length),
    row('fr.published', published, 0),
    row('entity', entity, 0),
  ];
}

/** Both designs, side by side. */
export function runLatencyBench(): { before: LatencyRow[]; now: LatencyRow[]; day: RecordedDay } {
  const day = recordedDay();
  return { before: replay(POLLING_DESIGN, day), now: replay(EVENT_DRIVEN_DESIGN, day), day };
}

const fmt = (seconds: number) => (seconds >= 600 ? `${(seconds / 60).toFixed(1)} min` : `${Math.round(seconds)} s`);

/** Markdown table of both designs per family, with the goals. */
export function formatLatencyBench(result: ReturnType<typeof runLatencyBench>): string {
  const lines = [
    '| change family | goal (median / p95) | before: median / p95 | now: median / p95 | now meets the goal | arrivals (recorded) |',
    '|---|---|---:|---:|---|---:|',
  ];
  for (const now of result.now) {
    const before = result.before.find((r) => r.family === now.family) as LatencyRow;
    const goal = LATENCY_GOALS[now.family];
    const goalText = goal.median === goal.p95 ? `≤ ${fmt(goal.p95)}` : `≤ ${fmt(goal.median)} / ≤ ${fmt(goal.p95)}`;
    lines.push(
      `| ${goal.label} | ${goalText} | ${fmt(before.medianSeconds)} / ${fmt(before.p95Seconds)} | ${fmt(now.medianSeconds)} / ${fmt(now.p95Seconds)} | ${now.met ? 'met' : '**not met**'} | ${now.samples} (${now.recorded}) |`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatLatencyBench(runLatencyBench()));
}
