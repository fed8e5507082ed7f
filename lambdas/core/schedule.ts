import type { SourceName } from './change.ts';
import { NEW_YORK_TIME_ZONE } from './time.ts';

/**
 * A schedule in America/New_York, written once and translated both to an EventBridge
 * Scheduler cron expression (the stack) and a croner pattern (the local runtime), so
 * local runs poll on exactly the deployed cadence.
 */
export interface Schedule {
  /** Cron minute field, e.g. `*\/10` or `5`. */
  minute: string;
  /** Cron hour field, e.g. `6-22` or `*`. */
  hour: string;
  /** Day-of-week field, e.g. `MON-FRI` or `*`. */
  weekdays: string;
  /** Human description for docs and `--help`. */
  description: string;
}

/** The zone every schedule is evaluated in (EventBridge Scheduler and croner alike). */
export const SCHEDULE_TIME_ZONE = NEW_YORK_TIME_ZONE;

/**
 * Default cadence per source, and the notifier's (issue 16: alerts in about a minute).
 * Polling stays where the upstream offers nothing to wait on (EDGAR's feed, the Federal
 * Register API, the consolidated list); the analyses are started by a `filing.new`
 * trigger (the change log's stream in AWS, in-process locally; see ANALYSIS_TRIGGER) and
 * their schedules here are only the catch-up sweep that makes a lost trigger cost
 * latency, never an alert.
 */
export const DEFAULT_SCHEDULES: Record<SourceName | 'notifier', Schedule> = {
  // EDGAR accepts filings Mon–Fri 06:00–22:00 ET and its feed is seconds behind acceptance:
  // once a minute keeps filing.new within ~90 s while a quiet cycle stays one conditional
  // request (the feed page holds ~36 min of filings per 100 entries, so nothing slips).
  'sec-filings': { minute: '*', hour: '6-22', weekdays: 'MON-FRI', description: 'every minute, 06:00–22:59 ET, Mon–Fri' },
  // Catch-up sweeps only: each filing.new change triggers the analyses within seconds.
  'sec-revenue': {
    minute: '33',
    hour: '6-23',
    weekdays: 'MON-FRI',
    description: 'hourly catch-up sweep at :33, 06:33–23:33 ET, Mon–Fri (filing.new triggers the analysis)',
  },
  'sec-export-language': {
    minute: '36',
    hour: '6-23',
    weekdays: 'MON-FRI',
    description: 'hourly catch-up sweep at :36, 06:36–23:36 ET, Mon–Fri (filing.new triggers the analysis)',
  },
  // Published documents: every 10 min keeps them within 15 min of the API showing them;
  // public-inspection windows poll faster (BURST_SCHEDULES).
  'federal-register': { minute: '*/10', hour: '*', weekdays: '*', description: 'every 10 min' },
  // The consolidated screening list is rebuilt about hourly; conditional GET keeps quiet
  // cycles cheap (a 304 is a few hundred bytes), so a change is seen within 15 min.
  'entity-list': { minute: '10,25,40,55', hour: '*', weekdays: '*', description: 'every 15 min at :10, :25, :40, :55' },
  // EDGAR full-text search indexes filings minutes to hours after acceptance (and late ones
  // days after: the window looks back 3 days), so polling faster than every 10 min buys
  // nothing; 4 default queries cost 4 pages a quiet cycle inside the SEC budget. Filing hours
  // plus one hour for the indexing lag; :05 keeps it off the other SEC sweeps' minutes.
  'sec-full-text': {
    minute: '5-55/10',
    hour: '6-23',
    weekdays: 'MON-FRI',
    description: 'every 10 min at :05, 06:05–23:55 ET, Mon–Fri (EFTS indexes with a lag)',
  },
  notifier: { minute: '*/5', hour: '*', weekdays: '*', description: 'every 5 min' },
};

/**
 * Faster cadences inside a source's busy windows, deployed as a second schedule of the
 * same function. Public inspection posts regular filings at 08:45 ET and special filings
 * through the day (14:00, 16:15 seen; 11:15 and 18:00 reported), Mon–Fri. The minutes are
 * odd so they never coincide with the base schedule's; a run that overlaps another
 * anyway is skipped by the source's lease.
 */
export const BURST_SCHEDULES: Partial<Record<SourceName, Schedule>> = {
  'federal-register': {
    minute: '1-59/2',
    hour: '8-18',
    weekdays: 'MON-FRI',
    description: 'every 2 min (odd minutes), 08:01–18:59 ET, Mon–Fri: public-inspection windows',
  },
};

/** Every cadence `name` runs on: its base schedule, then its burst window if it has one. */
export function cadencesOf(name: SourceName | 'notifier'): Schedule[] {
  const burst = name === 'notifier' ? undefined : BURST_SCHEDULES[name];
  return burst ? [DEFAULT_SCHEDULES[name], burst] : [DEFAULT_SCHEDULES[name]];
}

/**
 * How a `filing.new` change starts the analyses that need the filing's document. The stack
 * reads this for the event source mappings on the change log's stream, the local runtime
 * for its in-process trigger, and the latency benchmark for its model.
 */
export const ANALYSIS_TRIGGER = {
  /** The change kind that starts them. */
  kind: 'filing.new',
  /** The source that writes that kind (locally the trigger follows its cycles). */
  producer: 'sec-filings',
  /** The analyses started. */
  analyses: ['sec-revenue', 'sec-export-language'] as const satisfies readonly SourceName[],
  /**
   * How long the stream collects records before invoking (a burst of filings becomes one
   * run per analysis, which then fetches the documents one by one at the SEC rate).
   */
  batchingWindowSeconds: 5,
  /** Records per invocation (one cycle reads every new filing anyway). */
  batchSize: 100,
} as const;

/**
 * The analyses a finished cycle starts: after a `sec-filings` cycle that wrote new
 * `filing.new` changes (it writes no other kind), every enabled analysis; otherwise none.
 * A baseline writes nothing, so it starts nothing. The local runtime's trigger; in AWS
 * the stream's event filter makes the same decision per record.
 */
export function analysesTriggeredBy(
  outcome: { source: SourceName; status: string; changesCreated?: number; baseline?: boolean },
  enabled: readonly SourceName[],
): SourceName[] {
  if (outcome.source !== ANALYSIS_TRIGGER.producer || outcome.status !== 'ok' || outcome.baseline || !outcome.changesCreated) return [];
  return ANALYSIS_TRIGGER.analyses.filter((name) => enabled.includes(name));
}

/** How the change log's stream wakes the notifier (lib/notifier.ts, bench/latency.ts). */
export const NOTIFIER_TRIGGER = {
  /** Inserts are batched for this long, so a burst of changes is one run and one e-mail per subscriber. */
  batchingWindowSeconds: 30,
  batchSize: 100,
} as const;

/** EventBridge Scheduler expression, e.g. `cron(*\/10 6-22 ? * MON-FRI *)`. */
export function toEventBridgeCron(s: Schedule): string {
  const dayOfMonth = s.weekdays === '*' ? '*' : '?';
  const dayOfWeek = s.weekdays === '*' ? '?' : s.weekdays;
  return `cron(${s.minute} ${s.hour} ${dayOfMonth} * ${dayOfWeek} *)`;
}

/** Five-field cron pattern for croner (evaluated in {@link SCHEDULE_TIME_ZONE}). */
export function toCronPattern(s: Schedule): string {
  return `${s.minute} ${s.hour} * * ${s.weekdays}`;
}
