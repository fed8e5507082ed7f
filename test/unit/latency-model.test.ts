import { describe, expect, it } from 'vitest';
import { ANALYSIS_TRIGGER, analysesTriggeredBy, cadencesOf, DEFAULT_SCHEDULES } from '#core/schedule.ts';
import { EVENT_DRIVEN_DESIGN, type PipelineDesign, POLLING_DESIGN } from '#bench/designs.ts';
import { fireTimes, LATENCY_GOALS, percentile, RUN_SECONDS, recordedDay, replay, sweep } from '#bench/latency.ts';
import { hasSharedFixtures, SHARED_FIXTURES_MISSING } from '../support/fixtures.ts';

describe('latency model (bench/latency.ts)', () => {
  it('enumerates fire times in New York time: every minute 06:00–22:59 on a weekday, none at night', () => {
    const day = Date.parse('2026-01-12T00:00:00-05:00'); // a Monday
    const fires = fireTimes([DEFAULT_SCHEDULES['sec-filings']], day, day + 24 * 3_600_000);
    expect(fires).toHaveLength(17 * 60);
    expect(new Date(fires[0]!).toISOString()).toBe('2026-01-12T11:00:00.000Z');
    expect(new Date(fires.at(-1)!).toISOString()).toBe('2026-01-13T03:59:00.000Z');
  });

  it('a base cadence and its burst window are merged, duplicates dropped', () => {
    const day = Date.parse('2026-10-02T00:00:00-04:00'); // a Friday
    const fires = fireTimes(cadencesOf('federal-register'), day, day + 24 * 3_600_000);
    expect(fires).toHaveLength(144 + 30 * 11);
    expect(new Set(fires).size).toBe(fires.length);
  });

  it('nearest-rank percentiles', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(95);
    expect(sweep(0, 100_000, 37)).toEqual([0, 37_000, 74_000]);
  });

  it('replays one filing by hand: visible 10:00:30, next 10-minute poll 10:10, written 2 s later, notifier woken 30 s after', () => {
    const visible = Date.parse('2026-01-12T10:00:30-05:00');
    const rows = replay(POLLING_DESIGN, { filings: [visible], publicInspection: [] }, { sweeps: false });
    const filing = rows.find((r) => r.family === 'filing.new')!;
    expect(filing.samples).toBe(1);
    expect(filing.medianSeconds).toBe(
      10 * 60 - 30 + RUN_SECONDS.filings + POLLING_DESIGN.notifierTrigger.batchingWindowSeconds + RUN_SECONDS.notifier,
    );
    // Its analyses: the language slot at 10:16 (the later of :13 and :16), one document, then the notifier.
    const analyses = rows.find((r) => r.family === 'analyses')!;
    expect(analyses.medianSeconds).toBe(
      16 * 60 - 30 + RUN_SECONDS.analysisBase + RUN_SECONDS.analysisPerFiling + 30 + RUN_SECONDS.notifier,
    );
    // The event-driven design: the 10:01 poll, the trigger 5 s after the write.
    const now = replay(EVENT_DRIVEN_DESIGN, { filings: [visible], publicInspection: [] }, { sweeps: false });
    expect(now.find((r) => r.family === 'filing.new')!.medianSeconds).toBe(30 + RUN_SECONDS.filings + 30 + RUN_SECONDS.notifier);
    expect(now.find((r) => r.family === 'analyses')!.medianSeconds).toBe(
      30 + RUN_SECONDS.filings + 5 + RUN_SECONDS.analysisBase + RUN_SECONDS.analysisPerFiling + 30 + RUN_SECONDS.notifier,
    );
  });

  it('a burst of filings written by one cycle is one analysis run that reads them one by one', () => {
    const visible = Date.parse('2026-01-12T10:00:30-05:00');
    const rows = replay(
      EVENT_DRIVEN_DESIGN,
      { filings: Array.from({ length: 10 }, () => visible), publicInspection: [] },
      { sweeps: false },
    );
    const analyses = rows.find((r) => r.family === 'analyses')!;
    // All ten are mailed together after one run of 1 + 10 × 6 s.
    expect(analyses.p95Seconds).toBe(
      30 + RUN_SECONDS.filings + 5 + RUN_SECONDS.analysisBase + 10 * RUN_SECONDS.analysisPerFiling + 30 + RUN_SECONDS.notifier,
    );
  });

  it('the deployed design meets every goal of issue 16 on the replayed day; the polling design did not', () => {
    if (!hasSharedFixtures) console.warn(SHARED_FIXTURES_MISSING);
    const day = recordedDay();
    const now = replay(EVENT_DRIVEN_DESIGN, day);
    const before = replay(POLLING_DESIGN, day);
    for (const row of now) {
      expect(row.medianSeconds, row.family).toBeLessThanOrEqual(LATENCY_GOALS[row.family].median);
      expect(row.p95Seconds, row.family).toBeLessThanOrEqual(LATENCY_GOALS[row.family].p95);
      expect(row.met).toBe(true);
    }
    expect(before.filter((r) => !r.met).map((r) => r.family)).toEqual(
      expect.arrayContaining(['filing.new', 'analyses', 'fr.public-inspection', 'entity']),
    );
    for (const row of now) expect(row.medianSeconds).toBeLessThan(before.find((b) => b.family === row.family)!.medianSeconds);
  });

  it('a lost trigger costs latency, not the alert: without triggers the analyses still run, on the hourly sweep', () => {
    const withoutTrigger: PipelineDesign = { ...EVENT_DRIVEN_DESIGN, name: 'no trigger', analysisTrigger: undefined };
    const rows = replay(withoutTrigger, { filings: [], publicInspection: [] });
    const analyses = rows.find((r) => r.family === 'analyses')!;
    expect(analyses.samples).toBeGreaterThan(1000);
    expect(analyses.medianSeconds).toBeGreaterThan(15 * 60);
    expect(analyses.p95Seconds).toBeLessThanOrEqual(75 * 60);
  });
});

describe('analysis trigger rule (lambdas/core/schedule.ts)', () => {
  const enabled = ['sec-filings', 'sec-revenue', 'sec-export-language', 'federal-register'] as const;
  it('a sec-filings cycle that wrote filings starts the enabled analyses', () => {
    expect(analysesTriggeredBy({ source: 'sec-filings', status: 'ok', baseline: false, changesCreated: 2 }, [...enabled])).toEqual([
      ...ANALYSIS_TRIGGER.analyses,
    ]);
    expect(
      analysesTriggeredBy({ source: 'sec-filings', status: 'ok', baseline: false, changesCreated: 2 }, ['sec-filings', 'sec-revenue']),
    ).toEqual(['sec-revenue']);
  });
  it('nothing new, a baseline, a failure, or another source starts nothing', () => {
    expect(analysesTriggeredBy({ source: 'sec-filings', status: 'ok', baseline: false, changesCreated: 0 }, [...enabled])).toEqual([]);
    expect(analysesTriggeredBy({ source: 'sec-filings', status: 'ok', baseline: true, changesCreated: 0 }, [...enabled])).toEqual([]);
    expect(analysesTriggeredBy({ source: 'sec-filings', status: 'failed' }, [...enabled])).toEqual([]);
    expect(analysesTriggeredBy({ source: 'federal-register', status: 'ok', baseline: false, changesCreated: 3 }, [...enabled])).toEqual([]);
  });
});
