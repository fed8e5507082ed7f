import type { SourceName } from '#core/change.ts';
import type { Schedule } from '#core/schedule.ts';
import { POLLING_DESIGN } from '#bench/designs.ts';

/**
 * Fixed cadences for tests of the health, alert and report logic (the polling design's:
 * sec-filings every 10 min, entity-list hourly at :40, …), so that those tests check the
 * rules and not whatever the default schedules are today.
 */
export const FIXED_SCHEDULES: Readonly<Record<SourceName | 'notifier', Schedule>> = Object.fromEntries(
  Object.entries(POLLING_DESIGN.cadences).map(([name, cadences]) => [name, cadences[0] as Schedule]),
) as Record<SourceName | 'notifier', Schedule>;
