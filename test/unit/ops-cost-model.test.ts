import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULES } from '../../lambdas/core/schedule.ts';
import { DAYS_PER_MONTH, defaultCostAssumptions, estimateMonthlyCost, formatCostTable, runsPerMonth } from '../../lambdas/ops/cost-model.ts';
import { OPS_CHECK_SCHEDULE } from '../../lambdas/ops/schedule.ts';

describe('runsPerMonth: counted from the cron, in America/New_York', () => {
  it('sec-filings: 6 runs an hour × 17 hours × 5 weekdays', () => {
    expect(runsPerMonth(DEFAULT_SCHEDULES['sec-filings'])).toBeCloseTo((6 * 17 * 5 * DAYS_PER_MONTH) / 7, 6);
  });

  it('every-15-min, hourly and every-5-min schedules', () => {
    expect(runsPerMonth(DEFAULT_SCHEDULES['federal-register'])).toBeCloseTo(96 * DAYS_PER_MONTH, 6);
    expect(runsPerMonth(DEFAULT_SCHEDULES['entity-list'])).toBeCloseTo(24 * DAYS_PER_MONTH, 6);
    expect(runsPerMonth(DEFAULT_SCHEDULES.notifier)).toBeCloseTo(288 * DAYS_PER_MONTH, 6);
    expect(runsPerMonth(OPS_CHECK_SCHEDULE)).toBeCloseTo(96 * DAYS_PER_MONTH, 6);
  });

  it('sec-revenue: a minute list, 6 runs an hour × 18 hours × 5 weekdays', () => {
    expect(runsPerMonth(DEFAULT_SCHEDULES['sec-revenue'])).toBeCloseTo((6 * 18 * 5 * DAYS_PER_MONTH) / 7, 6);
  });
});

describe('estimateMonthlyCost', () => {
  const sources = { 'sec-filings': DEFAULT_SCHEDULES['sec-filings'], 'federal-register': DEFAULT_SCHEDULES['federal-register'], 'entity-list': DEFAULT_SCHEDULES['entity-list'] };
  const model = estimateMonthlyCost(defaultCostAssumptions({ sources, notifier: DEFAULT_SCHEDULES.notifier, opsCheck: OPS_CHECK_SCHEDULE }));

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
    expect(model.invocationsPerMonth).toMatchObject({ 'sec-filings': 2218, 'federal-register': 2922, 'entity-list': 731, 'ops-check': 2922 });
  });

  it('totals the rows; the always-free tiers only lower it; the default deployment costs a few dollars a month', () => {
    expect(model.totalUsd).toBeCloseTo(model.rows.reduce((s, r) => s + r.monthlyUsd, 0), 10);
    expect(model.totalUsdAfterFreeTier).toBeLessThanOrEqual(model.totalUsd);
    for (const r of model.rows) expect(r.monthlyUsdAfterFreeTier).toBeLessThanOrEqual(r.monthlyUsd + 1e-12);
    expect(model.totalUsd).toBeGreaterThan(5);
    expect(model.totalUsd).toBeLessThan(20);
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
