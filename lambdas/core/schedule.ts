import type { SourceName } from './change.ts';

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

export const SCHEDULE_TIME_ZONE = 'America/New_York';

/** Default cadence per source, and the notifier's. */
export const DEFAULT_SCHEDULES: Record<SourceName | 'notifier', Schedule> = {
  // EDGAR accepts filings Mon–Fri 06:00–22:00 ET; the current-filings feed holds ~36 min per 100 entries.
  'sec-filings': { minute: '*/10', hour: '6-22', weekdays: 'MON-FRI', description: 'every 10 min, 06:00–22:59 ET, Mon–Fri' },
  // The analyses read new filing.new changes from the change log a few minutes after each
  // filings run (a quiet run is two DynamoDB queries), so an alert follows its filing quickly.
  'sec-revenue': { minute: '3,13,23,33,43,53', hour: '6-23', weekdays: 'MON-FRI', description: 'every 10 min at :03, 06:03–23:53 ET, Mon–Fri' },
  'sec-export-language': { minute: '6,16,26,36,46,56', hour: '6-23', weekdays: 'MON-FRI', description: 'every 10 min at :06, 06:06–23:56 ET, Mon–Fri' },
  // Public inspection posts regular filings at 08:45 ET, specials through the day.
  'federal-register': { minute: '*/15', hour: '*', weekdays: '*', description: 'every 15 min' },
  // The consolidated screening list is rebuilt about hourly; conditional GET keeps quiet cycles cheap.
  'entity-list': { minute: '40', hour: '*', weekdays: '*', description: 'hourly at :40' },
  notifier: { minute: '*/5', hour: '*', weekdays: '*', description: 'every 5 min' },
};

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
