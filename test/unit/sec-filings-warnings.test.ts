import { describe, expect, it } from 'vitest';
import type { SourceState } from '#core/ports.ts';
import { DEFAULT_SCHEDULES } from '#core/schedule.ts';
import { evaluateSourceHealth, type HealthThresholds } from '#ops/health.ts';
import { formatHealthLine } from '#ops/report.ts';

/**
 * How a partial failure of `sec-filings` (an unknown watch-list ticker) reaches ops: the
 * source succeeds with warnings, and health turns them into a `degraded`, alert-worthy
 * verdict that `export-watch status` and the ops check show.
 */

const thresholds: HealthThresholds = { failureThreshold: 3, blockedThreshold: 1, stalenessMultiplier: 3, staleGraceMinutes: 10 };
const SEC = DEFAULT_SCHEDULES['sec-filings'];
const now = new Date('2026-03-03T16:00:00Z'); // Tue 11:00 ET
const warning = {
  kind: 'config' as const,
  message: 'watchlist ticker "NOSUCH" not found in EDGAR company_tickers.json (unknown or delisted): not watched',
  at: '2026-03-03T15:55:00.000Z',
};
const state = (over: Partial<SourceState> = {}): SourceState => ({
  source: 'sec-filings',
  cursor: {},
  lastAttemptAt: '2026-03-03T15:55:00Z',
  lastSuccessAt: '2026-03-03T15:55:00Z',
  consecutiveFailures: 0,
  ...over,
});

describe('sec-filings warnings in source health', () => {
  it('a success with warnings is degraded and alerts ops at once', () => {
    const h = evaluateSourceHealth('sec-filings', state({ warnings: [warning] }), SEC, now, thresholds);
    expect(h).toMatchObject({ verdict: 'degraded', alerting: true, stale: false, warnings: [warning] });
    expect(h.reason).toBe(`last run succeeded with 1 warning(s): [config] ${warning.message}`);
    expect(formatHealthLine({ health: h, alert: undefined }, thresholds)).toMatch(
      /^sec-filings: DEGRADED — last success 2026-03-03T15:55:00Z, .*, 1 warning\(s\): \[config\] watchlist ticker "NOSUCH"/,
    );
  });

  it('without warnings the source is ok and does not alert', () => {
    expect(evaluateSourceHealth('sec-filings', state(), SEC, now, thresholds)).toMatchObject({ verdict: 'ok', alerting: false });
    expect(evaluateSourceHealth('sec-filings', state(), SEC, now, thresholds).warnings).toBeUndefined();
  });

  it('a failure below the threshold keeps the warning incident open (no false recovery); failing and stale verdicts win', () => {
    const failing = evaluateSourceHealth(
      'sec-filings',
      state({ consecutiveFailures: 1, lastError: { kind: 'network', message: 'reset', at: now.toISOString() }, warnings: [warning] }),
      SEC,
      now,
      thresholds,
    );
    expect(failing).toMatchObject({ verdict: 'failing', alerting: true });
    const stale = evaluateSourceHealth(
      'sec-filings',
      state({ lastSuccessAt: '2026-03-03T12:00:00Z', warnings: [warning] }),
      SEC,
      now,
      thresholds,
    );
    expect(stale).toMatchObject({ verdict: 'stale', alerting: true });
  });
});
