import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OutboxMailer, SesMailer } from '#adapters/mailer.ts';
import { MailOpsPublisher, SnsOpsPublisher } from '#adapters/ops-publishers.ts';
import { secretsManagerKey } from '#adapters/secrets-manager.ts';
import type { SourceName } from '#core/change.ts';
import { type Clock, systemClock } from '#core/clock.ts';
import type { AppConfig } from '#core/config.ts';
import { ConfigError } from '#core/errors.ts';
import { trustedHostGroups, UpstreamClient } from '#core/http.ts';
import type { KeyProvider, Mailer, OpsPublisher, SourceStatePort } from '#core/ports.ts';
import type { CycleDeps } from '#core/source.ts';
import { configuredLinkHosts, type LinkSettings } from '#notify/links.ts';
import type { NotifierDeps } from '#notify/notifier.ts';
import type { OpsCheckDeps } from '#ops/check.ts';
import { DynamoAlertStore, DynamoNotifierHealthStore } from '#store/alert-store.ts';
import { DynamoChangeLog } from '#store/change-log.ts';
import { DynamoSourceState } from '#store/source-state.ts';
import { DynamoSubscribers } from '#store/subscribers.ts';

/**
 * The composition root: the one place in `lambdas/` that builds AWS SDK clients and the
 * upstream client, and the adapters of core's ports on top of them. Handlers, the local
 * runtime and the CLI ask it for the clients of their environment ({@link awsClients},
 * {@link localClients}) and then for the dependencies of one use case (`compose…`).
 * It imports no handler, local service or CLI file (docs/architecture.md).
 */

/** A log function as the use cases take it. */
export type Log = (message: string, fields?: Record<string, unknown>) => void;

/** The SDK clients of one process or command, each built at its first use. */
export interface Clients {
  readonly dynamo: DynamoDBClient;
  /** The document client over {@link dynamo}, with the project's one marshalling ({@link documentClient}). */
  readonly db: DynamoDBDocumentClient;
  readonly ses: SESClient;
  readonly sns: SNSClient;
  readonly secrets: SecretsManagerClient;
  /** Destroy the clients built so far (a CLI command's sockets must not keep the process alive). */
  destroy(): void;
}

/**
 * A document client over `client`. Undefined attributes are left out (optional fields of
 * changes and subscribers), and class instances are stored as maps; every table of the
 * project is written with this one setting.
 */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true } });
}

/** Clients from factories, each built once, on first access (a Lambda builds only what its use case touches). */
function lazyClients(make: {
  dynamo: () => DynamoDBClient;
  ses: () => SESClient;
  sns: () => SNSClient;
  secrets: () => SecretsManagerClient;
}): Clients {
  let dynamo: DynamoDBClient | undefined;
  let db: DynamoDBDocumentClient | undefined;
  let ses: SESClient | undefined;
  let sns: SNSClient | undefined;
  let secrets: SecretsManagerClient | undefined;
  return {
    get dynamo() {
      dynamo ??= make.dynamo();
      return dynamo;
    },
    get db() {
      db ??= documentClient(this.dynamo);
      return db;
    },
    get ses() {
      ses ??= make.ses();
      return ses;
    },
    get sns() {
      sns ??= make.sns();
      return sns;
    },
    get secrets() {
      secrets ??= make.secrets();
      return secrets;
    },
    destroy() {
      // The document client shares the DynamoDB client's handler: destroying that one suffices.
      for (const client of [dynamo, ses, sns, secrets]) client?.destroy();
    },
  };
}

/**
 * Clients for AWS through the standard SDK chain (credentials, region, and endpoints such
 * as `AWS_ENDPOINT_URL_DYNAMODB`, which the local runtime sets for dynalite). `region`
 * is the CLI's `--region` for deployed tables; without it the chain decides.
 */
export function awsClients(options: { region?: string | undefined } = {}): Clients {
  const config = options.region ? { region: options.region } : {};
  return lazyClients({
    dynamo: () => new DynamoDBClient(config),
    ses: () => new SESClient(config),
    sns: () => new SNSClient(config),
    secrets: () => new SecretsManagerClient(config),
  });
}

/** Dummy credentials: the local servers do not check them, and no real account is ever reached. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOCAL_REGION = 'us-east-1';

/**
 * Clients for the local services: dynalite at `endpoints.dynamo` and aws-ses-v2-local at
 * `endpoints.ses`. A local SES send gives up after 10 s, so a stuck server fails the
 * notifier run instead of hanging it.
 */
export function localClients(endpoints: { dynamo?: string | undefined; ses?: string | undefined }): Clients {
  const base = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  return lazyClients({
    dynamo: () => new DynamoDBClient({ endpoint: endpoints.dynamo, ...base }),
    ses: () => new SESClient({ endpoint: endpoints.ses, ...base, requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true } }),
    sns: () => new SNSClient(base),
    secrets: () => new SecretsManagerClient(base),
  });
}

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
  const db = options.db ?? awsClients().db;
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

/** The subscribers table of the config. */
export function composeSubscribers(config: AppConfig, clients: Pick<Clients, 'db'>): DynamoSubscribers {
  return new DynamoSubscribers(clients.db, config.tables.subscribers);
}

/** SES (v1 SendRawEmail) with the deployment's configuration set (bounces and complaints are published from it). */
export function sesMailer(config: AppConfig, clients: Pick<Clients, 'ses'>): SesMailer {
  return new SesMailer(clients.ses, { configurationSet: config.emailDelivery.configurationSet });
}

/** The link-signing key in Secrets Manager (`EMAIL_SECRET_ARN`), or undefined when it is not set. */
export function secretKey(config: AppConfig, clients: Pick<Clients, 'secrets'>): KeyProvider | undefined {
  const secretArn = config.emailDelivery.secretArn;
  return secretArn ? secretsManagerKey(secretArn, clients.secrets) : undefined;
}

/**
 * The deployed confirm/unsubscribe links: the public base URL (custom domain, else the
 * function URL) and the Secrets Manager key; undefined unless both are set.
 */
export function awsLinkSettings(config: AppConfig, clients: Pick<Clients, 'secrets'>): LinkSettings | undefined {
  const baseUrl = config.email.publicBaseUrl ?? config.emailDelivery.linksUrl;
  const key = baseUrl ? secretKey(config, clients) : undefined;
  return baseUrl && key ? { baseUrl, key, mailto: config.email.unsubscribeMailto } : undefined;
}

/** What the notifier needs: the tables of the config, its e-mail settings, and the given mailer and links. */
export function composeNotifierDeps(
  config: AppConfig,
  clients: Pick<Clients, 'db'>,
  options: {
    mailer: Mailer;
    links: LinkSettings | undefined;
    clock?: Clock | undefined;
    log?: Log | undefined;
    demo?: boolean | undefined;
  },
): NotifierDeps {
  return {
    changes: new DynamoChangeLog(clients.db, config.tables.changes),
    subscribers: composeSubscribers(config, clients),
    // Rejections and parkings for the ops check (state table, `NOTIFIER` × `DELIVERY`).
    notifierHealth: new DynamoNotifierHealthStore(clients.db, config.tables.state),
    mailer: options.mailer,
    clock: options.clock ?? systemClock,
    senderEmail: config.senderEmail,
    seeds: config.subscribers,
    email: config.email,
    countriesOfInterest: config.countriesOfInterest,
    linkHosts: configuredLinkHosts(config.urls),
    links: options.links,
    ...(options.log ? { log: options.log } : {}),
    ...(options.demo !== undefined ? { demo: options.demo } : {}),
  };
}

/** The local mailer: local SES, with every message also kept as `<dir>/<messageId>.eml`. */
export function outboxMailer(clients: Pick<Clients, 'ses'>, dir: string): OutboxMailer {
  return new OutboxMailer(new SesMailer(clients.ses), dir);
}

/** The local ops channel: the config's `ops.emails` mailed through `mailer`, each message also logged. */
export function mailOpsPublisher(config: AppConfig, mailer: Mailer, log: (line: string) => void): OpsPublisher {
  return new MailOpsPublisher(mailer, config.senderEmail, config.ops.emails, log);
}

/** The OpsAlerts topic as the ops channel. */
export function snsOpsPublisher(clients: Pick<Clients, 'sns'>, topicArn: string): OpsPublisher {
  return new SnsOpsPublisher(clients.sns, topicArn);
}

/** What the ops check needs: the state and change-log tables of the config, the thresholds, and the given channel. */
export function composeOpsCheckDeps(
  config: AppConfig,
  clients: Pick<Clients, 'db'>,
  options: {
    sources: readonly SourceName[];
    publisher: OpsPublisher;
    origin: string;
    /** Source state; default the config's state table (the local runtime passes its lease-tracking one). */
    state?: SourceStatePort | undefined;
    clock?: Clock | undefined;
    log?: Log | undefined;
  },
): OpsCheckDeps {
  return {
    sources: options.sources,
    state: options.state ?? new DynamoSourceState(clients.db, config.tables.state),
    alerts: new DynamoAlertStore(clients.db, config.tables.state),
    publisher: options.publisher,
    changes: new DynamoChangeLog(clients.db, config.tables.changes),
    clock: options.clock ?? systemClock,
    thresholds: config.ops,
    origin: options.origin,
    ...(options.log ? { log: options.log } : {}),
  };
}

/**
 * What the deployed confirm/unsubscribe endpoint needs: the subscribers and the Secrets
 * Manager key. Without `EMAIL_SECRET_ARN` no token can be checked, so that is a config error.
 */
export function composeLinkEndpointDeps(
  config: AppConfig,
  clients: Pick<Clients, 'db' | 'secrets'>,
): { subscribers: DynamoSubscribers; key: KeyProvider } {
  const key = secretKey(config, clients);
  if (!key) throw new ConfigError('EMAIL_SECRET_ARN is not set: the link-signing secret is unknown');
  return { subscribers: composeSubscribers(config, clients), key };
}
