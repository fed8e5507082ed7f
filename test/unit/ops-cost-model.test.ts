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
  const fullModel = estimateMonthlyCost(defaultCostAssumptions({ sources, notifier: DEFAULT_SCHEDULES.notifier, opsCheck: OPS_CHECK_SCHEDULE, observability: 'full' }));

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

  it('totals the rows; the always-free tiers only lower it; the default (lean) deployment costs a few dollars a month', () => {
    for (const m of [model, fullModel]) {
      expect(m.totalUsd).toBeCloseTo(m.rows.reduce((s, r) => s + r.monthlyUsd, 0), 10);
      expect(m.totalUsdAfterFreeTier).toBeLessThanOrEqual(m.totalUsd);
      for (const r of m.rows) expect(r.monthlyUsdAfterFreeTier).toBeLessThanOrEqual(r.monthlyUsd + 1e-12);
    }
    expect(model.totalUsd).toBeGreaterThan(1);
    expect(model.totalUsd).toBeLessThan(4);
    expect(fullModel.totalUsd).toBeGreaterThan(8);
    expect(fullModel.totalUsd).toBeLessThan(20);
  });

  it('lean is the default: one custom metric, Errors alarms only, no dashboard, one KMS key for every topic', () => {
    const assumptions = (observability?: 'lean' | 'full') =>
      defaultCostAssumptions({ sources, notifier: DEFAULT_SCHEDULES.notifier, opsCheck: OPS_CHECK_SCHEDULE, encryptedTopics: 2, observability });
    const lean = assumptions('lean');
    expect(assumptions()).toEqual(lean);
    // 3 sources + notifier + ops check: 5 Errors alarms, 2 DLQs, backlog, heartbeat.
    expect(lean).toMatchObject({ customMetrics: 1, alarms: 5 + 2 + 2, dashboards: 0, kmsKeys: 1 });
    // + Throttles per function, SourceStale per source; per-source metrics; the dashboard; a key per topic.
    expect(assumptions('full')).toMatchObject({ customMetrics: 4 * 3 + 3, alarms: 2 * 5 + 2 + 3 + 2, dashboards: 1, kmsKeys: 2 });
    const row = (m: typeof model, service: string) => m.rows.find((r) => r.service === service)!.detail;
    expect(row(model, 'CloudWatch metrics')).toBe('1 custom metric (EMF)');
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
