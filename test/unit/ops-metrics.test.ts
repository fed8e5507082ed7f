import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HttpStats } from '#core/http.ts';
import type { OpsCheckOutcome } from '#ops/check.ts';
import type { SourceHealth } from '#ops/health.ts';
import { loadConfig } from '#core/config.ts';
import {
  cloudWatchDimensions,
  groupByDimensions,
  LEAN_METRICS,
  METRIC,
  METRICS_NAMESPACE,
  type MetricPoint,
  notifierMetrics,
  opsCheckMetrics,
  sourceCycleMetrics,
  splitByMode,
} from '#ops/metrics.ts';
import { publishMetrics } from '#app/lambda/runtime.ts';

const stats = (s: Partial<HttpStats> = {}): HttpStats => ({ requests: 0, bytes: 0, retries: 0, blocks: 0, notModified: 0, ...s });

describe('sourceCycleMetrics', () => {
  it('reports the cycle’s share of the container-lifetime counters', () => {
    const points = sourceCycleMetrics(
      {
        source: 'sec-filings',
        status: 'ok',
        baseline: false,
        changesCreated: 2,
        duplicates: 0,
        suppressed: 0,
        itemsSeen: 40,
        durationMs: 900,
      },
      stats({ requests: 10, bytes: 5000, retries: 1 }),
      stats({ requests: 13, bytes: 9000, retries: 1 }),
    );
    expect(points).toEqual([
      { name: 'ChangesDetected', unit: 'Count', value: 2, dimensions: { source: 'sec-filings' } },
      { name: 'UpstreamRequests', unit: 'Count', value: 3, dimensions: { source: 'sec-filings' } },
      { name: 'UpstreamBytes', unit: 'Bytes', value: 4000, dimensions: { source: 'sec-filings' } },
    ]);
  });

  it('adds retries, blocks and the failure by error kind only when they happen', () => {
    const points = sourceCycleMetrics(
      { source: 'sec-filings', status: 'failed', errorKind: 'blocked', error: '403', consecutiveFailures: 1, durationMs: 100 },
      stats(),
      stats({ requests: 2, retries: 1, blocks: 1 }),
    );
    expect(points.map((p) => [p.name, p.value, p.dimensions])).toEqual([
      ['ChangesDetected', 0, { source: 'sec-filings' }],
      ['UpstreamRequests', 2, { source: 'sec-filings' }],
      ['UpstreamBytes', 0, { source: 'sec-filings' }],
      ['UpstreamRetries', 1, { source: 'sec-filings' }],
      ['UpstreamBlocks', 1, { source: 'sec-filings' }],
      ['SourceFailures', 1, { source: 'sec-filings', errorKind: 'blocked' }],
    ]);
  });
});

describe('opsCheckMetrics and notifierMetrics', () => {
  it('emits SourceStale 0/1 for every watched source and the outbox age', () => {
    const health = (source: SourceHealth['source'], stale: boolean) =>
      ({ source, stale, verdict: stale ? 'stale' : 'ok', consecutiveFailures: 0 }) as SourceHealth;
    const outcome: OpsCheckOutcome = {
      at: 'x',
      health: [health('sec-filings', true), health('entity-list', false)],
      sent: [],
      failures: [],
      outboxOldestAgeSeconds: 120,
    };
    expect(opsCheckMetrics(outcome)).toEqual([
      { name: 'SourceStale', unit: 'Count', value: 1, dimensions: { source: 'sec-filings' } },
      { name: 'SourceStale', unit: 'Count', value: 0, dimensions: { source: 'entity-list' } },
      { name: 'OutboxOldestAgeSeconds', unit: 'Seconds', value: 120, dimensions: {} },
    ]);
    const sent = opsCheckMetrics({ ...outcome, sent: [{ type: 'alert' } as never], outboxOldestAgeSeconds: undefined });
    expect(sent.map((p) => p.name)).toEqual(['SourceStale', 'SourceStale', 'OpsNotificationsSent']);
  });

  it('emits e-mails sent always, failures and bounces when there are some', () => {
    expect(notifierMetrics({ pending: 1, emailsSent: 3, deliveries: 3, failures: [], completed: 1 }).map((p) => [p.name, p.value])).toEqual(
      [['EmailsSent', 3]],
    );
    expect(
      notifierMetrics({
        pending: 1,
        emailsSent: 0,
        deliveries: 0,
        failures: [{ email: 'a@b.co', error: 'x' }],
        completed: 0,
        bounces: 2,
      }).map((p) => [p.name, p.value]),
    ).toEqual([
      ['EmailsSent', 0],
      ['EmailFailures', 1],
      ['Bounces', 2],
    ]);
  });
});

describe('observability modes: which points become CloudWatch metrics', () => {
  const points: MetricPoint[] = [
    { name: METRIC.sourceStale, unit: 'Count', value: 1, dimensions: { source: 'sec-filings' } },
    { name: METRIC.changesDetected, unit: 'Count', value: 4, dimensions: { source: 'sec-filings' } },
    { name: METRIC.outboxOldestAge, unit: 'Seconds', value: 30, dimensions: {} },
    { name: METRIC.emailsSent, unit: 'Count', value: 2, dimensions: {} },
  ];

  it('full emits every point; lean none (no lean alarm watches a custom metric), everything is logged', () => {
    expect(splitByMode(points, 'full')).toEqual({ emitted: points, logged: [] });
    const lean = splitByMode(points, 'lean');
    expect(lean.emitted).toEqual([]);
    expect(lean.logged.map((p) => p.name)).toEqual([METRIC.sourceStale, METRIC.changesDetected, METRIC.outboxOldestAge, METRIC.emailsSent]);
    expect([...LEAN_METRICS]).toEqual([]);
  });

  it('reads the mode from EXPORT_WATCH_METRICS (full when unset) and rejects anything else', () => {
    const env = { EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['NVDA'] }) };
    expect(loadConfig(env).metrics).toBe('full');
    expect(loadConfig({ ...env, EXPORT_WATCH_METRICS: 'lean' }).metrics).toBe('lean');
    expect(() => loadConfig({ ...env, EXPORT_WATCH_METRICS: 'some' })).toThrow(/EXPORT_WATCH_METRICS/);
  });
});

describe('EMF output (Powertools Metrics)', () => {
  afterEach(() => vi.restoreAllMocks());

  const capture = (): string[] => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
    return lines;
  };

  it('lean: no EMF; every count is one structured "metrics" log line per dimension set', () => {
    const lines = capture();
    publishMetrics(
      [
        { name: METRIC.changesDetected, unit: 'Count', value: 4, dimensions: { source: 'sec-filings' } },
        { name: METRIC.upstreamBytes, unit: 'Bytes', value: 900, dimensions: { source: 'sec-filings' } },
        { name: METRIC.sourceFailures, unit: 'Count', value: 1, dimensions: { source: 'sec-filings', errorKind: 'parse' } },
        { name: METRIC.outboxOldestAge, unit: 'Seconds', value: 30, dimensions: {} },
      ],
      'lean',
    );
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const emf = records.filter((r) => '_aws' in r);
    expect(emf).toHaveLength(0);
    const logged = records.filter((r) => r.message === 'metrics');
    expect(logged).toEqual([
      expect.objectContaining({ level: 'INFO', source: 'sec-filings', ChangesDetected: 4, UpstreamBytes: 900 }),
      expect.objectContaining({ source: 'sec-filings', errorKind: 'parse', SourceFailures: 1 }),
      expect.objectContaining({ OutboxOldestAgeSeconds: 30 }),
    ]);
    for (const r of logged) expect(r).not.toHaveProperty('_aws');
  });

  it('lean with nothing the alarms need writes no EMF record at all', () => {
    const lines = capture();
    publishMetrics([{ name: METRIC.emailsSent, unit: 'Count', value: 0, dimensions: {} }], 'lean');
    expect(lines.filter((l) => l.includes('_aws'))).toEqual([]);
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ message: 'metrics', EmailsSent: 0 })]);
  });

  it('writes one EMF record per dimension set, in the namespace and with the dimensions the alarms name', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    publishMetrics([
      { name: METRIC.sourceStale, unit: 'Count', value: 1, dimensions: { source: 'sec-filings' } },
      { name: METRIC.changesDetected, unit: 'Count', value: 4, dimensions: { source: 'sec-filings' } },
      { name: METRIC.sourceFailures, unit: 'Count', value: 1, dimensions: { source: 'sec-filings', errorKind: 'parse' } },
      { name: METRIC.outboxOldestAge, unit: 'Seconds', value: 30, dimensions: {} },
    ]);
    const records = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('_aws'))
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(3);
    for (const r of records) expect(r._aws.CloudWatchMetrics[0].Namespace).toBe(METRICS_NAMESPACE);
    const bySet = records.map((r) => ({
      dims: Object.fromEntries((r._aws.CloudWatchMetrics[0].Dimensions[0] as string[]).map((d) => [d, r[d]])),
      metrics: (r._aws.CloudWatchMetrics[0].Metrics as Array<{ Name: string }>).map((m) => [m.Name, r[m.Name]]),
    }));
    expect(bySet).toEqual([
      {
        dims: cloudWatchDimensions({ source: 'sec-filings' }),
        metrics: [
          ['SourceStale', 1],
          ['ChangesDetected', 4],
        ],
      },
      { dims: cloudWatchDimensions({ source: 'sec-filings', errorKind: 'parse' }), metrics: [['SourceFailures', 1]] },
      { dims: cloudWatchDimensions({}), metrics: [['OutboxOldestAgeSeconds', 30]] },
    ]);
  });

  it('groups points by dimension set regardless of key order', () => {
    const groups = groupByDimensions([
      { name: METRIC.sourceFailures, unit: 'Count', value: 1, dimensions: { source: 'a', errorKind: 'x' } },
      { name: METRIC.sourceFailures, unit: 'Count', value: 1, dimensions: { errorKind: 'x', source: 'a' } },
    ]);
    expect(groups).toHaveLength(1);
  });
});
