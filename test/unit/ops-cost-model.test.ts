import { describe, expect, it } from 'vitest';
import { BURST_SCHEDULES, cadencesOf, DEFAULT_SCHEDULES } from '#core/schedule.ts';
import { DAYS_PER_MONTH } from '#bench/cost-assumptions.ts';
import { defaultCostAssumptions, estimateMonthlyCost, formatCostTable, runsPerMonth } from '#bench/cost-model.ts';
import { OPS_CHECK_SCHEDULE } from '#ops/schedule.ts';

describe('runsPerMonth: counted from the cron, in America/New_York', () => {
  it('sec-filings: 60 runs an hour × 17 hours × 5 weekdays', () => {
    expect(runsPerMonth(DEFAULT_SCHEDULES['sec-filings'])).toBeCloseTo((60 * 17 * 5 * DAYS_PER_MONTH) / 7, 6);
  });

  it('every-10-min, every-15-min, every-5-min schedules', () => {
    expect(runsPerMonth(DEFAULT_SCHEDULES['federal-register'])).toBeCloseTo(144 * DAYS_PER_MONTH, 6);
    expect(runsPerMonth(DEFAULT_SCHEDULES['entity-list'])).toBeCloseTo(96 * DAYS_PER_MONTH, 6);
    expect(runsPerMonth(DEFAULT_SCHEDULES.notifier)).toBeCloseTo(288 * DAYS_PER_MONTH, 6);
    expect(runsPerMonth(OPS_CHECK_SCHEDULE)).toBeCloseTo(96 * DAYS_PER_MONTH, 6);
  });

  it('a minute list (6 runs an hour) and a single minute (hourly sweep) × 18 hours × 5 weekdays', () => {
    expect(runsPerMonth({ minute: '3,13,23,33,43,53', hour: '6-23', weekdays: 'MON-FRI', description: '' })).toBeCloseTo(
      (6 * 18 * 5 * DAYS_PER_MONTH) / 7,
      6,
    );
    expect(runsPerMonth(DEFAULT_SCHEDULES['sec-revenue'])).toBeCloseTo((18 * 5 * DAYS_PER_MONTH) / 7, 6);
  });

  it('a burst window: odd minutes 08:01–18:59 on weekdays, 30 × 11 × 5 runs a week', () => {
    expect(runsPerMonth(BURST_SCHEDULES['federal-register']!)).toBeCloseTo((30 * 11 * 5 * DAYS_PER_MONTH) / 7, 6);
  });

  it('a function with two cadences is billed for both, and a triggered analysis for its triggers at their own per-run figures', () => {
    const base = { notifier: DEFAULT_SCHEDULES.notifier, opsCheck: OPS_CHECK_SCHEDULE };
    const one = estimateMonthlyCost(
      defaultCostAssumptions({ ...base, sources: { 'federal-register': [DEFAULT_SCHEDULES['federal-register']] } }),
    );
    const two = estimateMonthlyCost(defaultCostAssumptions({ ...base, sources: { 'federal-register': cadencesOf('federal-register') } }));
    expect(two.invocationsPerMonth['federal-register']! - one.invocationsPerMonth['federal-register']!).toBe(
      Math.round(runsPerMonth(BURST_SCHEDULES['federal-register']!)),
    );
    const swept = defaultCostAssumptions({
      ...base,
      sources: { 'sec-revenue': DEFAULT_SCHEDULES['sec-revenue'] },
      triggeredRunsPerMonth: { 'sec-revenue': 30 },
    });
    const revenue = swept.functions.find((f) => f.name === 'sec-revenue')!;
    expect(revenue.extraInvocationsPerMonth).toBe(30);
    // The sweep is the cheap run, the trigger does the work.
    expect(revenue.extraRun!.avgDurationMs).toBeGreaterThan(revenue.avgDurationMs);
    const polled = defaultCostAssumptions({ ...base, sources: { 'sec-revenue': DEFAULT_SCHEDULES['sec-revenue'] } });
    expect(polled.functions.find((f) => f.name === 'sec-revenue')!.extraRun).toBeUndefined();
  });
});

describe('estimateMonthlyCost', () => {
  const sources = {
    'sec-filings': DEFAULT_SCHEDULES['sec-filings'],
    'federal-register': DEFAULT_SCHEDULES['federal-register'],
    'entity-list': DEFAULT_SCHEDULES['entity-list'],
  };
  const model = estimateMonthlyCost(
    defaultCostAssumptions({ sources, notifier: DEFAULT_SCHEDULES.notifier, opsCheck: OPS_CHECK_SCHEDULE }),
  );
  const fullModel = estimateMonthlyCost(
    defaultCostAssumptions({ sources, notifier: DEFAULT_SCHEDULES.notifier, opsCheck: OPS_CHECK_SCHEDULE, observability: 'full' }),
  );

  it('has a row per service the stack uses', () => {
    expect(model.rows.map((r) => r.service)).toEqual([
      'Lambda',
      'DynamoDB (on demand)',
      'EventBridge Scheduler',
      'SES',
      'SNS',
      'CloudWatch metrics',
      'CloudWatch alarms',
      'CloudWatch dashboard',
      'CloudWatch Logs',
      'Secrets Manager',
      'KMS',
      'SQS',
    ]);
    expect(model.invocationsPerMonth).toMatchObject({
      'sec-filings': 22176,
      'federal-register': 4383,
      'entity-list': 2922,
      'ops-check': 2922,
    });
  });

  it('totals the rows; the always-free tiers only lower it; the default (lean) deployment costs a few dollars a month', () => {
    for (const m of [model, fullModel]) {
      expect(m.totalUsd).toBeCloseTo(
        m.rows.reduce((s, r) => s + r.monthlyUsd, 0),
        10,
      );
      expect(m.totalUsdAfterFreeTier).toBeLessThanOrEqual(m.totalUsd);
      for (const r of m.rows) expect(r.monthlyUsdAfterFreeTier).toBeLessThanOrEqual(r.monthlyUsd + 1e-12);
    }
    expect(model.totalUsd).toBeGreaterThan(1);
    expect(model.totalUsd).toBeLessThan(4);
    expect(fullModel.totalUsd).toBeGreaterThan(8);
    expect(fullModel.totalUsd).toBeLessThan(20);
  });

  it('lean is the default: no custom metric, Errors alarms only, no dashboard, one KMS key for every topic', () => {
    const assumptions = (observability?: 'lean' | 'full') =>
      defaultCostAssumptions({
        sources,
        notifier: DEFAULT_SCHEDULES.notifier,
        opsCheck: OPS_CHECK_SCHEDULE,
        encryptedTopics: 2,
        observability,
      });
    const lean = assumptions('lean');
    expect(assumptions()).toEqual(lean);
    // 3 sources + notifier + ops check: 5 Errors alarms, 2 DLQs, heartbeat (the backlog is the ops check's own alert).
    expect(lean).toMatchObject({ customMetrics: 0, alarms: 5 + 2 + 1, dashboards: 0, kmsKeys: 1 });
    // Before issue 16 lean also had the backlog metric and its alarm.
    expect(
      defaultCostAssumptions({ sources, notifier: DEFAULT_SCHEDULES.notifier, opsCheck: OPS_CHECK_SCHEDULE, leanBacklogAlarm: true }),
    ).toMatchObject({ customMetrics: 1, alarms: 5 + 2 + 2 });
    // + Throttles per function, SourceStale per source; per-source metrics; the dashboard; a key per topic.
    expect(assumptions('full')).toMatchObject({ customMetrics: 4 * 3 + 3, alarms: 2 * 5 + 2 + 3 + 2, dashboards: 1, kmsKeys: 2 });
    const row = (m: typeof model, service: string) => m.rows.find((r) => r.service === service)!.detail;
    expect(row(model, 'CloudWatch metrics')).toBe('0 custom metrics (EMF)');
    expect(row(model, 'CloudWatch dashboard')).toBe('0 dashboards');
    expect(row(fullModel, 'CloudWatch dashboard')).toBe('1 dashboard');
  });

  it('scales Lambda with duration and memory (the benchmark can plug in measurements)', () => {
    const base = defaultCostAssumptions({ sources, notifier: DEFAULT_SCHEDULES.notifier, opsCheck: OPS_CHECK_SCHEDULE });
    const doubled = { ...base, functions: base.functions.map((f) => ({ ...f, avgDurationMs: f.avgDurationMs * 2 })) };
    const lambda = (m: ReturnType<typeof estimateMonthlyCost>) => m.rows.find((r) => r.service === 'Lambda')!;
    // Compute dominates the request charge, so doubling durations nearly doubles the row.
    expect(lambda(estimateMonthlyCost(doubled)).monthlyUsd / lambda(model).monthlyUsd).toBeGreaterThan(1.9);
  });

  it('formats a markdown table with a total row', () => {
    const table = formatCostTable(model);
    expect(table.split('\n')[0]).toBe('| Service | What is counted | List price / month | After always-free tiers |');
    expect(table).toMatch(/\| \*\*Total\*\* \| \| \*\*\$\d+\.\d\d\*\* \| \*\*\$\d+\.\d\d\*\* \|/);
  });
});
