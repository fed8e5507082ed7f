import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Clock, systemClock } from '#core/clock.ts';
import type { AppConfig } from '#core/config.ts';
import { trustedHostGroups, UpstreamClient } from '#core/http.ts';
import type { CycleDeps } from '#core/source.ts';
import { DynamoChangeLog } from '#store/change-log.ts';
import { createDocumentClient } from '#store/dynamo.ts';
import { DynamoSourceState } from '#store/source-state.ts';

/**
 * The upstream client configured for this deployment: SEC hosts share one rate limit, and
 * redirects are followed only between the hosts of one upstream (its public hosts plus the
 * host of its configured base URL).
 */
export function createUpstreamClient(
  config: AppConfig,
  overrides: Partial<ConstructorParameters<typeof UpstreamClient>[0]> = {},
): UpstreamClient {
  return new UpstreamClient({
    secUserAgent: config.secUserAgent,
    secHosts: [config.urls.secWww, config.urls.secData, ...(config.urls.secEfts ? [config.urls.secEfts] : [])].map((u) =>
      new URL(u).host.toLowerCase(),
    ),
    secRequestsPerSecond: config.http.secRequestsPerSecond,
    otherRequestsPerSecond: config.http.otherRequestsPerSecond,
    timeoutMs: config.http.timeoutMs,
    maxRetries: config.http.maxRetries,
    maxBodyBytes: config.http.maxBodyBytes,
    trustedHosts: trustedHostGroups(config.urls),
    ...overrides,
  });
}

/** Everything a source cycle needs, wired to DynamoDB (real AWS or dynalite by endpoint). */
export function createCycleDeps(
  config: AppConfig,
  options: { db?: DynamoDBDocumentClient; clock?: Clock; http?: UpstreamClient; log?: CycleDeps['log'] } = {},
): CycleDeps & { db: DynamoDBDocumentClient } {
  const db = options.db ?? createDocumentClient();
  return {
    db,
    config,
    http: options.http ?? createUpstreamClient(config),
    clock: options.clock ?? systemClock,
    changes: new DynamoChangeLog(db, config.tables.changes),
    state: new DynamoSourceState(db, config.tables.state),
    log: options.log,
  };
}
