import { join, relative, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AppConfig, loadConfig } from '#core/config.ts';
import { runningEndpoint } from '../local/runtime.ts';
import { startDynalite } from '../local/services.ts';
import { DynamoChangeLog } from '#store/change-log.ts';
import { ensureTables } from '#store/create-tables.ts';
import { DynamoSourceState } from '#store/source-state.ts';

/**
 * Where the analyst commands read and write: the local store of a data dir (attaching to a
 * running runtime when there is one: LevelDB allows one process per store) or deployed
 * tables through the standard AWS credential chain.
 */
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
export interface AnalystStore {
  /** The configuration (read on first use: reading a deployed change log needs no config file). */
  config(): AppConfig;
  db: DynamoDBDocumentClient;
  /** The change log; undefined when only a deployed state table was named. */
  changes: DynamoChangeLog | undefined;
  /** Source state; undefined when only a deployed change-log table was named. */
  state: DynamoSourceState | undefined;
  /** "local store <dir>" or "table <name> (<region>)", for messages. */
  description: string;
  close(): Promise<void>;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const MARSHALL = { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true } };

/** Open the local or deployed store; call `close()` when done. */
export async function openStore(opts: StoreOptions): Promise<AnalystStore> {
  const env = { ...process.env, ...(opts.env ?? {}), ...(opts.config ? { EXPORT_WATCH_CONFIG: opts.config } : {}) };
  let loaded: AppConfig | undefined;
  const config = () => {
    loaded ??= loadConfig(env);
    return loaded;
  };
  if (opts.table || opts.stateTable) {
    const client = new DynamoDBClient(opts.region ? { region: opts.region } : {});
    const db = DynamoDBDocumentClient.from(client, MARSHALL);
    const names = [opts.table, opts.stateTable].filter(Boolean).join(', ');
    return {
      config,
      db,
      changes: opts.table ? new DynamoChangeLog(db, opts.table) : undefined,
      state: opts.stateTable ? new DynamoSourceState(db, opts.stateTable) : undefined,
      description: `table ${names}${opts.region ? ` (${opts.region})` : ''}`,
      close: async () => client.destroy(),
    };
  }
  const dataDir = resolve(opts.dataDir);
  const attached = await runningEndpoint(dataDir);
  const service = attached ? undefined : await startDynalite({ path: join(dataDir, 'dynamodb') });
  const client = new DynamoDBClient({ endpoint: attached ?? service?.url, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  try {
    await ensureTables(client, config().tables);
  } catch (err) {
    client.destroy();
    await service?.close();
    throw err;
  }
  const db = DynamoDBDocumentClient.from(client, MARSHALL);
  return {
    config,
    db,
    changes: new DynamoChangeLog(db, config().tables.changes),
    state: new DynamoSourceState(db, config().tables.state),
    description: `local store ${displayPath(join(dataDir, 'dynamodb'))}${attached ? ' (running runtime)' : ''}`,
    close: async () => {
      client.destroy();
      await service?.close();
    },
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
