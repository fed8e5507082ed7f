import { join, relative, resolve } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AppConfig, loadConfig } from '#core/config.ts';
import type { AnalystStorePort } from '#core/ports.ts';
import { DynamoChangeLog } from '#store/change-log.ts';
import { ensureTables } from '#store/create-tables.ts';
import { DynamoSourceState } from '#store/source-state.ts';
import { awsClients, type Clients, localClients } from '../compose.ts';
import { runningEndpoint } from './runtime.ts';
import { startDynalite } from './services.ts';

/**
 * Where the CLI's commands read and write: the local store of a data dir (attaching to a
 * running runtime when there is one: LevelDB allows one process per store) or deployed
 * tables through the standard AWS credential chain.
 */

/** Open tables: the clients to reach them, and how to let go of them. */
export interface OpenTables {
  clients: Clients;
  /** The data dir's store is served by a running runtime (local only). */
  attached: boolean;
  /** Destroy the clients and stop the store this process started. */
  close(): Promise<void>;
}

/**
 * Reach deployed tables (`deployed`, with its region or the SDK's chain), or the local store
 * of `dataDir`: the running runtime's when one serves it, else a dynalite of this process,
 * with the project's tables (`tables()`, read only then) created where missing.
 */
export async function openTables(
  target: { dataDir: string; deployed?: { region?: string | undefined } | undefined },
  tables: () => AppConfig['tables'],
): Promise<OpenTables> {
  if (target.deployed) {
    const clients = awsClients({ region: target.deployed.region });
    return { clients, attached: false, close: async () => clients.destroy() };
  }
  const attached = await runningEndpoint(target.dataDir);
  const service = attached ? undefined : await startDynalite({ path: join(resolve(target.dataDir), 'dynamodb') });
  const clients = localClients({ dynamo: attached ?? service?.url });
  const close = async () => {
    clients.destroy();
    await service?.close();
  };
  try {
    await ensureTables(clients.dynamo, tables());
  } catch (err) {
    await close();
    throw err;
  }
  return { clients, attached: attached !== undefined, close };
}

/** Where the analyst commands read and write. */
export interface StoreOptions {
  /** Local data dir (ignored when `table` or `stateTable` names a deployed table). */
  dataDir: string;
  /** Config file (table names, SEC settings); default `export-watch.config.json`. */
  config?: string | undefined;
  /** Deployed change-log table. */
  table?: string | undefined;
  /** Deployed state table (sec-revenue's series items). */
  stateTable?: string | undefined;
  /** AWS region of the deployed tables (default: the SDK's chain). */
  region?: string | undefined;
  /** Environment layered over process.env (tests, fake upstreams). */
  env?: Record<string, string | undefined> | undefined;
}

/** An open store. */
export interface AnalystStore extends AnalystStorePort {
  /** The configuration (read on first use: reading a deployed change log needs no config file). */
  config(): AppConfig;
  db: DynamoDBDocumentClient;
  /** The change log; undefined when only a deployed state table was named. */
  changes: DynamoChangeLog | undefined;
  /** Source state; undefined when only a deployed change-log table was named. */
  state: DynamoSourceState | undefined;
  close(): Promise<void>;
}

/** Open the local or deployed store; call `close()` when done. */
export async function openStore(opts: StoreOptions): Promise<AnalystStore> {
  const env = { ...process.env, ...(opts.env ?? {}), ...(opts.config ? { EXPORT_WATCH_CONFIG: opts.config } : {}) };
  let loaded: AppConfig | undefined;
  const config = () => {
    loaded ??= loadConfig(env);
    return loaded;
  };
  const deployed = opts.table || opts.stateTable ? { region: opts.region } : undefined;
  const dataDir = resolve(opts.dataDir);
  const tables = await openTables({ dataDir, deployed }, () => config().tables);
  const db = tables.clients.db;
  if (deployed) {
    const names = [opts.table, opts.stateTable].filter(Boolean).join(', ');
    return {
      config,
      db,
      changes: opts.table ? new DynamoChangeLog(db, opts.table) : undefined,
      state: opts.stateTable ? new DynamoSourceState(db, opts.stateTable) : undefined,
      description: `table ${names}${opts.region ? ` (${opts.region})` : ''}`,
      close: tables.close,
    };
  }
  return {
    config,
    db,
    changes: new DynamoChangeLog(db, config().tables.changes),
    state: new DynamoSourceState(db, config().tables.state),
    description: `local store ${displayPath(join(dataDir, 'dynamodb'))}${tables.attached ? ' (running runtime)' : ''}`,
    close: tables.close,
  };
}

/** A path relative to the working directory when it lies below it (shorter in messages and reports). */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !rel.startsWith('/') ? rel : path;
}

/** Open a store, run `fn`, and close the store whatever happens. */
export async function withStore<T>(opts: StoreOptions, fn: (store: AnalystStore) => Promise<T>): Promise<T> {
  const store = await openStore(opts);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
