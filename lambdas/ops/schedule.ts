import type { Schedule } from '#core/schedule.ts';

/**
 * Cadence of the ops check. Every 15 minutes: well inside the shortest staleness bound
 * (3 × 10 min of sec-filings plus grace), so a stale source is reported within one check
 * of going stale, and cheap (about 2,900 runs a month). It runs around the clock, unlike
 * the SEC sources, because a stuck source must be noticed whenever it happens.
 */
export const OPS_CHECK_SCHEDULE: Schedule = { minute: '*/15', hour: '*', weekdays: '*', description: 'every 15 min' };
