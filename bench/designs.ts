import type { SourceName } from '#core/change.ts';
import { ANALYSIS_TRIGGER, cadencesOf, DEFAULT_SCHEDULES, NOTIFIER_TRIGGER, type Schedule } from '#core/schedule.ts';

/**
 * A deployment design as the benchmarks see it: when each function runs (its cadences),
 * what the change-log stream triggers, and how many dead-letter queues it has. The latency
 * benchmark replays a day through it, the cost benchmark prices it.
 */
export interface PipelineDesign {
  name: string;
  /** Cadences per function (a base schedule, and a burst window where there is one). */
  cadences: Record<SourceName | 'notifier', readonly Schedule[]>;
  /** `filing.new` inserts start the analyses after this batching window (undefined: they wait for their schedules). */
  analysisTrigger?: { analyses: readonly SourceName[]; batchingWindowSeconds: number };
  /** Inserts wake the notifier after this batching window. */
  notifierTrigger: { batchingWindowSeconds: number };
  /** Dead-letter queues, each alarmed. */
  deadLetterQueues: number;
  /** Lean alarms on the backlog through a custom metric (before) instead of the ops check's own alert (now). */
  leanBacklogAlarm: boolean;
}

/**
 * The design before issue 16, kept here (only here) so the benchmarks can show both side
 * by side: every function on its own polling schedule, the analyses 3 and 6 minutes after
 * each 10-minute filings slot, three dead-letter queues, the backlog as a metric alarm.
 */
export const POLLING_DESIGN: PipelineDesign = {
  name: 'polling (before)',
  cadences: {
    'sec-filings': [{ minute: '*/10', hour: '6-22', weekdays: 'MON-FRI', description: 'every 10 min, 06:00–22:59 ET, Mon–Fri' }],
    'sec-revenue': [{ minute: '3,13,23,33,43,53', hour: '6-23', weekdays: 'MON-FRI', description: 'every 10 min at :03' }],
    'sec-export-language': [{ minute: '6,16,26,36,46,56', hour: '6-23', weekdays: 'MON-FRI', description: 'every 10 min at :06' }],
    'federal-register': [{ minute: '*/15', hour: '*', weekdays: '*', description: 'every 15 min' }],
    'entity-list': [{ minute: '40', hour: '*', weekdays: '*', description: 'hourly at :40' }],
    // Did not exist before issue 17: the same cadence in both designs, so the comparison is unchanged.
    'sec-full-text': cadencesOf('sec-full-text'),
    notifier: [DEFAULT_SCHEDULES.notifier],
  },
  notifierTrigger: { batchingWindowSeconds: 30 },
  deadLetterQueues: 3,
  leanBacklogAlarm: true,
};

/** The deployed design (issue 16): read from the same constants the stack and the local runtime use. */
export const EVENT_DRIVEN_DESIGN: PipelineDesign = {
  name: 'event-driven (now)',
  cadences: {
    'sec-filings': cadencesOf('sec-filings'),
    'sec-revenue': cadencesOf('sec-revenue'),
    'sec-export-language': cadencesOf('sec-export-language'),
    'federal-register': cadencesOf('federal-register'),
    'entity-list': cadencesOf('entity-list'),
    'sec-full-text': cadencesOf('sec-full-text'),
    notifier: cadencesOf('notifier'),
  },
  analysisTrigger: { analyses: ANALYSIS_TRIGGER.analyses, batchingWindowSeconds: ANALYSIS_TRIGGER.batchingWindowSeconds },
  notifierTrigger: { batchingWindowSeconds: NOTIFIER_TRIGGER.batchingWindowSeconds },
  deadLetterQueues: 1,
  leanBacklogAlarm: false,
};
