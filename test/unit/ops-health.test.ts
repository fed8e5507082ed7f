import { describe, expect, it } from 'vitest';
import type { SourceState } from '#core/ports.ts';
import type { Schedule } from '#core/schedule.ts';
import { evaluateSourceHealth, type HealthThresholds, staleAfter } from '#ops/health.ts';

const thresholds: HealthThresholds = { failureThreshold: 3, blockedThreshold: 1, stalenessMultiplier: 3, staleGraceMinutes: 10 };
// Cadences written out: these tests are about the staleness rule, not about the defaults.
const SEC: Schedule = { minute: '*/10', hour: '6-22', weekdays: 'MON-FRI', description: 'every 10 min, 06:00–22:59 ET, Mon–Fri' };
const HOURLY: Schedule = { minute: '40', hour: '*', weekdays: '*', description: 'hourly at :40' };

const okState = (source: SourceState['source'], lastSuccessAt: string): SourceState => ({
  source,
  cursor: {},
  lastAttemptAt: lastSuccessAt,
  lastSuccessAt,
  consecutiveFailures: 0,
});

describe('staleAfter: counts scheduled runs, not wall-clock time', () => {
  it('sec-filings (every 10 min, 06:00–22:59 ET, Mon–Fri): a success at Tue 10:00 ET is stale after 10:30 + 10 min grace', () => {
    // 2026-03-03 is a Tuesday; EST = UTC-5.
    expect(staleAfter(SEC, new Date('2026-03-03T15:00:00Z'), 3, 10)?.toISOString()).toBe('2026-03-03T15:40:00.000Z');
  });

  it('sec-filings: nights are not stale — Tue 22:50 ET holds until Wed 06:20 + grace', () => {
    expect(staleAfter(SEC, new Date('2026-03-04T03:50:00Z'), 3, 10)?.toISOString()).toBe('2026-03-04T11:30:00.000Z');
  });

  it('sec-filings: weekends are not stale, across the spring daylight-saving change (Fri 22:50 EST → Mon 06:20 EDT + grace)', () => {
    // Friday 2026-03-06 22:50 EST; DST starts Sunday 2026-03-08; Monday 06:20 EDT = 10:20Z.
    expect(staleAfter(SEC, new Date('2026-03-07T03:50:00Z'), 3, 10)?.toISOString()).toBe('2026-03-09T10:30:00.000Z');
  });

  it('entity-list (hourly at :40): three missed runs plus grace', () => {
    expect(staleAfter(HOURLY, new Date('2026-03-03T15:41:00Z'), 3, 10)?.toISOString()).toBe('2026-03-03T18:50:00.000Z');
  });

  it('the multiplier and grace are settings', () => {
    expect(staleAfter(HOURLY, new Date('2026-03-03T15:41:00Z'), 1, 0)?.toISOString()).toBe('2026-03-03T16:40:00.000Z');
  });
});

describe('evaluateSourceHealth', () => {
  const now = new Date('2026-03-03T16:00:00Z'); // Tue 11:00 ET

  it('never-run: no state and no reference instant; not alert-worthy', () => {
    const h = evaluateSourceHealth('entity-list', undefined, HOURLY, now, thresholds);
    expect(h).toMatchObject({ verdict: 'never-run', alerting: false, stale: false, consecutiveFailures: 0 });
    expect(h.staleAt).toBeUndefined();
  });

  it('a source whose function never runs goes stale, counted from when the ops check first saw it', () => {
    const watchedSince = '2026-03-03T12:00:00Z';
    const h = evaluateSourceHealth('entity-list', undefined, HOURLY, now, thresholds, watchedSince);
    expect(h).toMatchObject({ verdict: 'stale', alerting: true, stale: true, staleAt: '2026-03-03T14:50:00.000Z' });
    expect(h.reason).toMatch(/no successful run since monitoring began/);
  });

  it('ok while within the staleness bound; the bound is reported', () => {
    const h = evaluateSourceHealth('sec-filings', okState('sec-filings', '2026-03-03T15:45:00Z'), SEC, now, thresholds);
    expect(h).toMatchObject({ verdict: 'ok', alerting: false, stale: false, staleAt: '2026-03-03T16:20:00.000Z' }); // 10:50, 11:00, 11:10 ET + 10 min
  });

  it('stale once N scheduled runs passed without a success', () => {
    const h = evaluateSourceHealth('sec-filings', okState('sec-filings', '2026-03-03T15:00:00Z'), SEC, now, thresholds);
    expect(h).toMatchObject({ verdict: 'stale', alerting: true, stale: true });
    expect(h.reason).toMatch(/no successful run since 2026-03-03T15:00:00Z/);
  });

  it('not stale on a Sunday after Friday evening’s last success', () => {
    const sunday = new Date('2026-03-08T18:00:00Z');
    const h = evaluateSourceHealth('sec-filings', okState('sec-filings', '2026-03-07T03:55:00Z'), SEC, sunday, thresholds);
    expect(h).toMatchObject({ verdict: 'ok', alerting: false });
  });

  it('failing below the threshold is shown but not alert-worthy; at the threshold it is', () => {
    const base = okState('entity-list', '2026-03-03T15:41:00Z');
    const failing = (n: number): SourceState => ({
      ...base,
      consecutiveFailures: n,
      lastError: { kind: 'network', message: 'GET … answered 500', at: now.toISOString() },
    });
    expect(evaluateSourceHealth('entity-list', failing(2), HOURLY, now, thresholds)).toMatchObject({ verdict: 'failing', alerting: false });
    const at3 = evaluateSourceHealth('entity-list', failing(3), HOURLY, now, thresholds);
    expect(at3).toMatchObject({ verdict: 'failing', alerting: true, consecutiveFailures: 3 });
    expect(at3.reason).toMatch(/3 consecutive failed run\(s\), last \[network\]/);
  });

  it('blocked by the upstream is alert-worthy from the first block (blockedThreshold 1)', () => {
    const state: SourceState = {
      ...okState('sec-filings', '2026-03-03T15:50:00Z'),
      consecutiveFailures: 1,
      lastError: { kind: 'blocked', message: 'SEC refused … (403: request rate threshold exceeded)', at: '2026-03-03T15:55:00Z' },
      blockedUntil: '2026-03-03T16:10:00Z',
    };
    const h = evaluateSourceHealth('sec-filings', state, SEC, now, thresholds);
    expect(h).toMatchObject({ verdict: 'blocked', alerting: true, blockedUntil: '2026-03-03T16:10:00Z' });
    expect(h.reason).toMatch(/cooling down until 2026-03-03T16:10:00Z/);
  });

  it('failing and stale together: verdict failing, reason names both', () => {
    const state: SourceState = {
      ...okState('entity-list', '2026-03-03T08:00:00Z'),
      lastAttemptAt: '2026-03-03T15:40:00Z',
      consecutiveFailures: 7,
      lastError: { kind: 'parse', message: 'body is not valid JSON', at: '2026-03-03T15:40:30Z' },
    };
    const h = evaluateSourceHealth('entity-list', state, HOURLY, now, thresholds);
    expect(h).toMatchObject({ verdict: 'failing', alerting: true, stale: true });
    expect(h.reason).toMatch(/7 consecutive.*; no successful run since/);
  });
});
