import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localClients } from '#app/compose.ts';
import { type AppConfig, loadConfig } from '#core/config.ts';
import { ensureTables } from '#store/create-tables.ts';
import { type LocalService, startDynalite, startSesLocal } from '#app/local/services.ts';
import { join } from 'node:path';
import { REPO_ROOT } from './fixtures.ts';

/** In-memory dynalite with the project's tables, plus a document client for it. */
export interface LocalDynamo {
  service: LocalService;
  client: DynamoDBClient;
  db: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

let tableCounter = 0;

/** Start an in-memory dynalite and create fresh tables named for this test. */
export async function startLocalDynamo(tables: AppConfig['tables']): Promise<LocalDynamo> {
  const service = await startDynalite();
  // The local runtime's clients: the same credentials, region and marshalling.
  const { dynamo: client, db } = localClients({ dynamo: service.url });
  await ensureTables(client, tables);
  return {
    service,
    client,
    db,
    stop: async () => {
      client.destroy();
      await service.close();
    },
  };
}

/** Start local SES. */
export function startLocalSes(): Promise<LocalService> {
  return startSesLocal();
}

/**
 * A test configuration: the shipped config file, upstreams pointed at a fake server,
 * unique table names, and a test SEC User-Agent.
 */
export function testConfig(env: Record<string, string> = {}, file = join(REPO_ROOT, 'export-watch.config.json')): AppConfig {
  const n = ++tableCounter;
  return loadConfig({
    SEC_USER_AGENT: 'export-watch tests tests@example.com',
    EXPORT_WATCH_CONFIG: file,
    CHANGES_TABLE: `t${n}-changes`,
    STATE_TABLE: `t${n}-state`,
    SUBSCRIBERS_TABLE: `t${n}-subscribers`,
    ...env,
  });
}
