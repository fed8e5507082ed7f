import type { ObservabilityMode } from '#core/config.ts';
import type { HttpStats } from '#core/http.ts';
import type { CycleOutcome } from '#core/source.ts';
import type { NotifierOutcome } from '#notify/notifier.ts';
import type { OpsCheckOutcome } from './check.ts';

/**
 * The CloudWatch metrics export-watch emits, as data. The Lambdas turn these points into
 * EMF with Powertools Metrics; the stack's alarms and dashboard name the same metrics
 * from here, so a rename cannot leave an alarm watching nothing.
 */

/** CloudWatch namespace of every custom metric. */
export const METRICS_NAMESPACE = 'ExportWatch';
/** Powertools adds `service` to every metric's dimensions; alarms must name it too. */
export const METRICS_SERVICE = 'export-watch';

/** Metric names. */
export const METRIC = {
  /** New changes written by a cycle (per source). */
  changesDetected: 'ChangesDetected',
  /** HTTP requests to the upstream, retries included (per source). */
  upstreamRequests: 'UpstreamRequests',
  /** Body bytes received (per source). */
  upstreamBytes: 'UpstreamBytes',
  /** Retried requests (per source). */
  upstreamRetries: 'UpstreamRetries',
  /** SEC 403 blocks (per source). */
  upstreamBlocks: 'UpstreamBlocks',
  /** A failed cycle (per source and error kind; emitted only on failure). */
  sourceFailures: 'SourceFailures',
  /** 1 while a source is stale, else 0 (per source, from the ops check). */
  sourceStale: 'SourceStale',
  /** Age of the oldest change waiting for the notifier (from the ops check). */
  outboxOldestAge: 'OutboxOldestAgeSeconds',
  /** Ops alerts, reminders and recoveries published. */
  opsNotifications: 'OpsNotificationsSent',
  /** E-mails sent to subscribers by the notifier. */
  emailsSent: 'EmailsSent',
  /** Subscriber deliveries that failed (retried next run). */
  emailFailures: 'EmailFailures',
  /** Bounces reported back to the notifier, when it exposes them. */
  bounces: 'Bounces',
  /** Messages SES refused for good (each also becomes an ops alert). */
  deliveriesRejected: 'DeliveriesRejected',
  /** Subscribers parked because their sends kept failing (each also becomes an ops alert). */
  subscribersParked: 'SubscribersParked',
} as const;

/** A metric name. */
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/**
 * The metrics a `lean` deployment writes as EMF: only those its alarms watch, which is
 * none (issue 16: the notifier backlog became the ops check's own alert, like staleness;
 * lib/ops.ts alarms on nothing of this namespace in lean, which test/infra/ops.test.ts
 * checks). Every other point is logged as a structured `metrics`
 * line instead, still summable in Logs Insights but not billed as a custom metric (about
 * $0.30 a month per name and dimension value).
 */
export const LEAN_METRICS: ReadonlySet<MetricName> = new Set<MetricName>();

/** Units used (a subset of CloudWatch's, spelled as Powertools' `MetricUnit` values). */
export type MetricUnitName = 'Count' | 'Bytes' | 'Seconds';

/** One value of one metric with its dimensions (besides `service`). */
export interface MetricPoint {
  name: MetricName;
  unit: MetricUnitName;
  value: number;
  dimensions: Record<string, string>;
}

/** The full dimension map CloudWatch stores for a point (Powertools adds `service`). */
export function cloudWatchDimensions(dimensions: Record<string, string>): Record<string, string> {
  return { service: METRICS_SERVICE, ...dimensions };
}

/**
 * Metrics of one source cycle. The upstream client's counters accumulate over the life
 * of a Lambda container, so the cycle's share is the difference of two snapshots.
 */
export function sourceCycleMetrics(outcome: CycleOutcome, before: HttpStats, after: HttpStats): MetricPoint[] {
  const dimensions = { source: outcome.source };
  const delta = (key: keyof HttpStats) => Math.max(0, after[key] - before[key]);
  const points: MetricPoint[] = [
    { name: METRIC.changesDetected, unit: 'Count', value: outcome.status === 'ok' ? outcome.changesCreated : 0, dimensions },
    { name: METRIC.upstreamRequests, unit: 'Count', value: delta('requests'), dimensions },
    { name: METRIC.upstreamBytes, unit: 'Bytes', value: delta('bytes'), dimensions },
  ];
  // Rare events are emitted only when they happen: CloudWatch bills a custom metric for
  // each hour it receives data, so an always-zero series would cost as much as a busy one.
  if (delta('retries') > 0) points.push({ name: METRIC.upstreamRetries, unit: 'Count', value: delta('retries'), dimensions });
  if (delta('blocks') > 0) points.push({ name: METRIC.upstreamBlocks, unit: 'Count', value: delta('blocks'), dimensions });
  if (outcome.status === 'failed') {
    points.push({
      name: METRIC.sourceFailures,
      unit: 'Count',
      value: 1,
      dimensions: { source: outcome.source, errorKind: outcome.errorKind },
    });
  }
  return points;
}

/** Metrics of one ops check: staleness per source, the notifier backlog, ops messages sent. */
export function opsCheckMetrics(outcome: OpsCheckOutcome): MetricPoint[] {
  // SourceStale is emitted every check, 0 or 1, so its alarm and graph always have data.
  const points: MetricPoint[] = outcome.health.map((h) => ({
    name: METRIC.sourceStale,
    unit: 'Count',
    value: h.stale ? 1 : 0,
    dimensions: { source: h.source },
  }));
  if (outcome.outboxOldestAgeSeconds !== undefined) {
    points.push({ name: METRIC.outboxOldestAge, unit: 'Seconds', value: outcome.outboxOldestAgeSeconds, dimensions: {} });
  }
  if (outcome.sent.length > 0) points.push({ name: METRIC.opsNotifications, unit: 'Count', value: outcome.sent.length, dimensions: {} });
  return points;
}

/** Metrics of one notifier run (bounces only if the outcome carries a count of them; rejections and parkings when there were any). */
export function notifierMetrics(outcome: NotifierOutcome & { bounces?: number }): MetricPoint[] {
  const points: MetricPoint[] = [{ name: METRIC.emailsSent, unit: 'Count', value: outcome.emailsSent, dimensions: {} }];
  if (outcome.failures.length > 0)
    points.push({ name: METRIC.emailFailures, unit: 'Count', value: outcome.failures.length, dimensions: {} });
  if (typeof outcome.bounces === 'number' && outcome.bounces > 0)
    points.push({ name: METRIC.bounces, unit: 'Count', value: outcome.bounces, dimensions: {} });
  // Rare events: emitted only when they happen (see sourceCycleMetrics).
  if (outcome.rejected) points.push({ name: METRIC.deliveriesRejected, unit: 'Count', value: outcome.rejected, dimensions: {} });
  if (outcome.parked) points.push({ name: METRIC.subscribersParked, unit: 'Count', value: outcome.parked, dimensions: {} });
  return points;
}

/**
 * Which points go out as EMF metrics (`emitted`) and which only as log fields (`logged`):
 * `full` emits everything, `lean` only {@link LEAN_METRICS}.
 */
export function splitByMode(points: readonly MetricPoint[], mode: ObservabilityMode): { emitted: MetricPoint[]; logged: MetricPoint[] } {
  if (mode === 'full') return { emitted: [...points], logged: [] };
  return { emitted: points.filter((p) => LEAN_METRICS.has(p.name)), logged: points.filter((p) => !LEAN_METRICS.has(p.name)) };
}

/** Group points by dimension set: one EMF record per group. */
export function groupByDimensions(points: readonly MetricPoint[]): Array<{ dimensions: Record<string, string>; points: MetricPoint[] }> {
  const groups = new Map<string, { dimensions: Record<string, string>; points: MetricPoint[] }>();
  for (const p of points) {
    const key = JSON.stringify(Object.entries(p.dimensions).sort(([a], [b]) => a.localeCompare(b)));
    let group = groups.get(key);
    if (!group) {
      group = { dimensions: p.dimensions, points: [] };
      groups.set(key, group);
    }
    group.points.push(p);
  }
  return [...groups.values()];
}
