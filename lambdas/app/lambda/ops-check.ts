import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { SOURCE_NAMES, type SourceName } from '#core/change.ts';
import { getConfig } from '#core/config.ts';
import { ConfigError } from '#core/errors.ts';
import { logger, publishMetrics, setCorrelationId } from './runtime.ts';
import { type OpsCheckDeps, type OpsCheckOutcome, runOpsCheck } from '#ops/check.ts';
import { opsCheckMetrics } from '#ops/metrics.ts';
import { awsClients, composeOpsCheckDeps, snsOpsPublisher } from '../compose.ts';

/** Environment the stack sets on the ops-check function (besides the shared one). */
export const OPS_ENV = {
  /** ARN of the OpsAlerts topic. */
  topicArn: 'OPS_TOPIC_ARN',
  /** Comma-separated sources to watch: those deployed with an enabled schedule. */
  sources: 'OPS_SOURCES',
} as const;

/** Parse `OPS_SOURCES`; an unknown name is a deployment bug worth failing loudly on. */
export function parseOpsSources(value: string | undefined): SourceName[] {
  const names = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(SOURCE_NAMES as readonly string[]).includes(name))
      throw new ConfigError(`${OPS_ENV.sources}: unknown source ${JSON.stringify(name)}`);
  }
  return names as SourceName[];
}

let deps: OpsCheckDeps | undefined;
/** Config and clients are built once per Lambda container, at first use. */
function opsDeps(): OpsCheckDeps {
  if (!deps) {
    const config = getConfig();
    const topicArn = process.env[OPS_ENV.topicArn];
    if (!topicArn) throw new ConfigError(`${OPS_ENV.topicArn} is not set`);
    const clients = awsClients();
    const [, , , region, account] = topicArn.split(':');
    deps = composeOpsCheckDeps(config, clients, {
      sources: parseOpsSources(process.env[OPS_ENV.sources]),
      publisher: snsOpsPublisher(clients, topicArn),
      origin: `AWS ${account} ${region}`,
      log: (message, fields) => logger.info(message, fields ?? {}),
    });
  }
  return deps;
}

/**
 * The scheduled ops check (every 15 min): evaluates every watched source's health from
 * the state table, publishes alerts, reminders and recoveries to the OpsAlerts topic, and
 * emits `SourceStale` per source, `OutboxOldestAgeSeconds` and `OpsNotificationsSent`
 * (in a `lean` deployment only `OutboxOldestAgeSeconds`; the rest is logged). It is separate
 * from the source functions so that a source whose function never runs still goes stale.
 * A message it could not publish or store makes the invocation fail (the Errors alarm)
 * after the metrics are out; the next check retries it.
 */
export const handler = middy(
  async (_event: unknown, context: Context): Promise<Omit<OpsCheckOutcome, 'health'> & { unhealthy: string[] }> => {
    setCorrelationId(context);
    const base = opsDeps();
    // The request id in every message: the same id is the correlation_id of this run's log lines.
    const outcome = await runOpsCheck({ ...base, origin: `${base.origin}, request ${context?.awsRequestId ?? 'unknown'}` });
    publishMetrics(opsCheckMetrics(outcome), getConfig().metrics);
    if (outcome.failures.length > 0) {
      logger.error('ops check failures', { failures: outcome.failures });
      throw new Error(`ops check: ${outcome.failures.map((f) => `${f.source}: ${f.error}`).join('; ')}`);
    }
    const { health, ...rest } = outcome;
    return { ...rest, unhealthy: health.filter((h) => h.verdict !== 'ok').map((h) => `${h.source}: ${h.verdict}`) };
  },
).use(injectLambdaContext(logger, { clearState: true }));
