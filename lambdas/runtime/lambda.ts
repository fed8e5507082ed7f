import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { getConfig } from '../core/config.ts';
import { type CycleDeps, type CycleOutcome, runSourceCycle, type SourceDefinition } from '../core/source.ts';
import type { SourceName } from '../core/change.ts';
import { createCycleDeps, createUpstreamClient } from './deps.ts';

/** Structured JSON logger shared by every handler (Powertools: correlation ids, cold start). */
export const logger = new Logger({ serviceName: 'export-watch' });

/**
 * Sources that call SEC hosts. In AWS they are separate functions that may run at the
 * same time, so each gets an equal share of the SEC budget: together they stay within
 * `http.secRequestsPerSecond` (SEC allows 10/s across all of a requester's machines).
 */
export const SEC_SOURCES: readonly SourceName[] = ['sec-filings', 'sec-revenue', 'sec-export-language'];

let deps: CycleDeps | undefined;
/** Config and clients are built once per Lambda container, at first use. */
function lambdaDeps(): CycleDeps {
  if (!deps) {
    const config = getConfig();
    deps = createCycleDeps(config, {
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
 * still throw and count as Lambda errors.
 */
export function sourceHandler<T>(source: SourceDefinition<T>) {
  return middy(async (): Promise<CycleOutcome> => {
    const outcome = await runSourceCycle(source, lambdaDeps());
    if (outcome.status === 'failed') logger.error('source cycle failed', { ...outcome });
    return outcome;
  }).use(injectLambdaContext(logger, { clearState: true }));
}
