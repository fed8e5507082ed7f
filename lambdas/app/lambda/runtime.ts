import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { getConfig, type ObservabilityMode } from '#core/config.ts';
import { type CycleDeps, type CycleOutcome, runSourceCycle, type SourceDefinition } from '#core/source.ts';
import type { SourceName } from '#core/change.ts';
import { groupByDimensions, METRICS_NAMESPACE, METRICS_SERVICE, type MetricPoint, sourceCycleMetrics, splitByMode } from '#ops/metrics.ts';
import { awsClients, createCycleDeps, createUpstreamClient } from '../compose.ts';

/** Structured JSON logger shared by every handler (Powertools: correlation ids, cold start). */
export const logger = new Logger({ serviceName: 'export-watch' });

/** CloudWatch metrics in EMF (namespace `ExportWatch`; Powertools adds the `service` dimension). */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

/**
 * Write metric points as EMF log records, one record per dimension set (EMF gives all
 * metrics of a record the same dimensions). Metrics never fail a run: a bad point is
 * logged and dropped.
 *
 * `mode` (`EXPORT_WATCH_METRICS`, set by the stack from the observability mode) decides
 * which points become CloudWatch metrics: `full` all, `lean` only those the alarms need.
 * The others are written as one structured log line per dimension set, message
 * `metrics`, with the dimensions and the metric names as fields (e.g. `source`,
 * `ChangesDetected`), so Logs Insights can still sum them:
 * `filter message = "metrics" | stats sum(ChangesDetected) by source`.
 */
export function publishMetrics(points: readonly MetricPoint[], mode: ObservabilityMode = 'full'): void {
  const { emitted, logged } = splitByMode(points, mode);
  for (const group of groupByDimensions(emitted)) {
    try {
      for (const [name, value] of Object.entries(group.dimensions)) metrics.addDimension(name, value);
      for (const p of group.points) metrics.addMetric(p.name, MetricUnit[p.unit], p.value);
      metrics.publishStoredMetrics();
    } catch (err) {
      metrics.clearMetrics();
      metrics.clearDimensions();
      logger.warn('metrics dropped', { error: (err as Error).message, dimensions: group.dimensions });
    }
  }
  for (const group of groupByDimensions(logged)) {
    logger.info('metrics', { ...group.dimensions, ...Object.fromEntries(group.points.map((p) => [p.name, p.value])) });
  }
}

/**
 * Tie every log line of an invocation to one correlation id (the request id), which ops
 * alerts and errors quote so the lines are one filter away in CloudWatch Logs Insights.
 */
export function setCorrelationId(context: Context | undefined): void {
  if (context?.awsRequestId) logger.setCorrelationId(context.awsRequestId);
}

/**
 * Sources that call SEC hosts. In AWS they are separate functions that may run at the
 * same time, so each gets an equal share of the SEC budget: together they stay within
 * `http.secRequestsPerSecond` (SEC allows 10/s across all of a requester's machines).
 */
export const SEC_SOURCES: readonly SourceName[] = ['sec-filings', 'sec-revenue', 'sec-export-language', 'sec-full-text'];

/** Smallest share of the remaining invocation time kept back from the poll. */
export const DEADLINE_MARGIN_MIN_MS = 10_000;
/** Share of the remaining invocation time kept back from the poll. */
export const DEADLINE_MARGIN_RATIO = 0.1;
/** How long the lease outlives the invocation (clock skew between containers, the release write). */
export const LEASE_MARGIN_MS = 60_000;

/**
 * The cycle's deadline and lease, from the Lambda context. The poll gets the remaining time
 * minus a margin of 10 % (at least 10 s): the margin is what the cycle needs after the poll
 * (the write phase, or recording the failure, then releasing the lease and publishing
 * metrics), so a slow upstream ends as a recorded `timeout` failure instead of a killed
 * invocation that records nothing and keeps its lease. 10 % scales with longer timeouts
 * (more data to write); 10 s covers a short one (a few hundred conditional puts). The lease
 * follows the function timeout instead of a fixed 15 minutes: it lasts the remaining time
 * plus a minute, so even a run killed outright (out of memory) frees the source soon after
 * the function could have run at all.
 */
export function cycleLimits(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): { deadlineMs?: number; leaseMs?: number } {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining === undefined || !Number.isFinite(remaining)) return {};
  const margin = Math.max(DEADLINE_MARGIN_MIN_MS, Math.round(remaining * DEADLINE_MARGIN_RATIO));
  return { deadlineMs: Math.max(0, remaining - margin), leaseMs: remaining + LEASE_MARGIN_MS };
}

let deps: CycleDeps | undefined;
/** Config and clients are built once per Lambda container, at first use. */
function lambdaDeps(): CycleDeps {
  if (!deps) {
    const config = getConfig();
    deps = createCycleDeps(config, {
      db: awsClients().db,
      log: (message, fields) => logger.info(message, fields ?? {}),
      http: createUpstreamClient(config, { secRequestsPerSecond: config.http.secRequestsPerSecond / SEC_SOURCES.length }),
    });
  }
  return deps;
}

/**
 * A thin Lambda handler for a source: run one cycle and return its outcome. A failed
 * cycle is recorded in the source state (and alarmed on by ops) rather than thrown, so
 * the scheduler does not retry into an upstream that is refusing us; unexpected crashes
 * still throw and count as Lambda errors. The cycle ends before the function timeout
 * ({@link cycleLimits}), so a hanging upstream is recorded as a failure too.
 */
export function sourceHandler<T>(source: SourceDefinition<T>) {
  return middy(async (_event: unknown, context: Context): Promise<CycleOutcome> => {
    setCorrelationId(context);
    const cycleDeps = lambdaDeps();
    // The client's counters live as long as the container: the cycle's share is a delta.
    const before = { ...cycleDeps.http.stats };
    const outcome = await runSourceCycle(source, { ...cycleDeps, ...cycleLimits(context) });
    if (outcome.status === 'failed') logger.error('source cycle failed', { ...outcome });
    publishMetrics(sourceCycleMetrics(outcome, before, cycleDeps.http.stats), getConfig().metrics);
    return outcome;
  }).use(injectLambdaContext(logger, { clearState: true }));
}
