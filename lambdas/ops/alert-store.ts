import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SourceName } from '../core/change.ts';
import type { AlertState } from './alerts.ts';
import type { AlertStatePort } from './check.ts';

/** Sort key of a source's alert state, beside `STATE`, `LEASE` and `ITEM#…` in the state table. */
export const ALERT_SORT_KEY = 'ALERT';

/**
 * Alert states in the state table, one item per source (`SOURCE#<name>` × `ALERT`). The
 * ops check is the only writer (reserved concurrency 1 in AWS, serialised locally), so
 * plain puts suffice.
 */
export class DynamoAlertStore implements AlertStatePort {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(source: SourceName): Promise<AlertState | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `SOURCE#${source}`, sk: ALERT_SORT_KEY }, ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...rest } = out.Item;
    return rest as AlertState;
  }

  async list(sources: readonly SourceName[]): Promise<Map<SourceName, AlertState>> {
    // A handful of known sources: one consistent get each, no scan.
    const states = await Promise.all(sources.map((s) => this.get(s)));
    return new Map(states.filter((s): s is AlertState => s !== undefined).map((s) => [s.source, s]));
  }

  async put(state: AlertState): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: `SOURCE#${state.source}`, sk: ALERT_SORT_KEY, ...state } }));
  }
}
