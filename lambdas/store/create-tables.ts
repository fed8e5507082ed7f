import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import type { AppConfig } from '#core/config.ts';
import { CHANGES_TABLE, STATE_TABLE, SUBSCRIBERS_TABLE, type TableLayout } from './tables.ts';

/** Create the three tables if missing (local runtime and tests; the stack creates them in AWS). */
export async function ensureTables(client: DynamoDBClient, tables: AppConfig['tables']): Promise<void> {
  await Promise.all([
    ensureTable(client, tables.changes, CHANGES_TABLE),
    ensureTable(client, tables.state, STATE_TABLE),
    ensureTable(client, tables.subscribers, SUBSCRIBERS_TABLE),
  ]);
}

async function ensureTable(client: DynamoDBClient, name: string, layout: TableLayout): Promise<void> {
  const keyAttrs = new Set([layout.partitionKey, ...(layout.sortKey ? [layout.sortKey] : [])]);
  for (const index of layout.indexes) {
    keyAttrs.add(index.partitionKey);
    keyAttrs.add(index.sortKey);
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...keyAttrs].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: layout.partitionKey, KeyType: 'HASH' },
          ...(layout.sortKey ? [{ AttributeName: layout.sortKey, KeyType: 'RANGE' as const }] : []),
        ],
        GlobalSecondaryIndexes: layout.indexes.length
          ? layout.indexes.map((i) => ({
              IndexName: i.name,
              KeySchema: [
                { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
                { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
              ],
              Projection: { ProjectionType: 'ALL' as const },
            }))
          : undefined,
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  for (let i = 0; i < 100; i++) {
    const out = await client.send(new DescribeTableCommand({ TableName: name }));
    if (out.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`table ${name} did not become ACTIVE`);
}
