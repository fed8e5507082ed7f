/**
 * Eastern time, in one place. EDGAR accepts filings and the Federal Register publishes on
 * New York's calendar, and the schedules and digests follow it, so every calendar date,
 * wall-clock label and cron evaluation in the project uses this zone.
 */

/** The zone of the schedules, digests and upstream calendars (EDGAR, the Federal Register). */
export const NEW_YORK_TIME_ZONE = 'America/New_York';

const partsFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: NEW_YORK_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** Wall-clock fields of an instant in New York. */
function wallClock(at: Date): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const get = (type: string) => Number(partsFormat.formatToParts(at).find((p) => p.type === type)?.value ?? '0');
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** Offset of New York from UTC at `at`, in ms (e.g. −5 h in winter). */
function offsetAt(at: Date): number {
  const w = wallClock(at);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The instant New York's clock shows `hour`:00 on the given calendar day. On the spring
 * DST day 02:00 does not exist; the result is then 03:00 EDT (the same instant as 02:00
 * EST would have been), which is what "the 2 a.m. digest" should mean that day.
 */
export function newYorkInstant(year: number, month: number, day: number, hour: number): Date {
  const guess = Date.UTC(year, month - 1, day, hour);
  // The offsets on either side of a DST change give at most two candidates; keep the
  // (earlier) one whose wall clock shows the hour. None does when the hour is skipped:
  // then the later one, the first instant after the gap.
  const a = guess - offsetAt(new Date(guess));
  const b = guess - offsetAt(new Date(a));
  const showsHour = (t: number) => {
    const w = wallClock(new Date(t));
    return w.hour === hour && w.day === day;
  };
  const exact = [a, b].filter(showsHour);
  return new Date(exact.length ? Math.min(...exact) : Math.max(a, b));
}

/**
 * The latest digest slot at or before `now`: today's `hour`:00 in New York if that has
 * passed, else yesterday's. A subscriber is due when their last digest ended before it.
 */
export function latestDigestSlot(now: Date, hour: number): Date {
  const w = wallClock(now);
  const today = newYorkInstant(w.year, w.month, w.day, hour);
  if (today.getTime() <= now.getTime()) return today;
  const yesterday = new Date(Date.UTC(w.year, w.month - 1, w.day) - 86_400_000);
  return newYorkInstant(yesterday.getUTCFullYear(), yesterday.getUTCMonth() + 1, yesterday.getUTCDate(), hour);
}

/** "Tue 3 Mar 2026" in New York, for digest headings. */
export function newYorkDateLabel(at: Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: NEW_YORK_TIME_ZONE,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  })
    .format(at)
    .replace(/,/g, '');
}

/** "2026-03-03 07:00 ET". */
export function newYorkTimeLabel(at: Date): string {
  const w = wallClock(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)} ET`;
}

/** An ISO instant as "2026-10-02 08:45 ET"; an unparsable string is returned as given. */
export function formatEastern(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return newYorkTimeLabel(date);
}

const dateFormat = new Intl.DateTimeFormat('en-CA', { timeZone: NEW_YORK_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The Eastern calendar date of an instant, YYYY-MM-DD (FR publication dates and EDGAR filing dates are Eastern). */
export function easternDate(at: Date): string {
  return dateFormat.format(at);
}

/** YYYY-MM-DD plus `days` (negative to go back), on the UTC calendar so no DST shift moves it. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
