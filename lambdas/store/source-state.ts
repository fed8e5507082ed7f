import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { SOURCE_NAMES, type SourceName } from '#core/change.ts';
import type { ItemWrite, SourceState, SourceStatePort } from '#core/ports.ts';
import { batchWriteAll, isConditionalCheckFailed, type WriteRequest } from './dynamo.ts';

const pk = (source: SourceName) => `SOURCE#${source}`;

/** A source's lease item as stored: who holds it and until when (it is free after `until`). */
export interface SourceLease {
  source: SourceName;
  owner: string;
  until: string;
}

/**
 * DynamoDB source state. The cursor is stored as JSON text so any source-defined shape
 * (empty arrays, nested maps) round-trips unchanged.
 */
export class DynamoSourceState implements SourceStatePort {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(source: SourceName): Promise<SourceState | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: pk(source), sk: 'STATE' }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async put(state: SourceState): Promise<void> {
    const { cursor, ...rest } = state;
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: pk(state.source), sk: 'STATE', ...rest, cursorJson: cursor === undefined ? undefined : JSON.stringify(cursor) },
      }),
    );
  }

  async list(): Promise<SourceState[]> {
    // The handful of sources are known: one consistent get each, no scan.
    const states = await Promise.all(SOURCE_NAMES.map((s) => this.get(s)));
    return states.filter((s): s is SourceState => s !== undefined);
  }

  async acquireLease(source: SourceName, owner: string, until: Date, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: pk(source), sk: 'LEASE', owner, until: until.toISOString() },
          ConditionExpression: 'attribute_not_exists(pk) OR #u < :now',
          ExpressionAttributeNames: { '#u': 'until' },
          ExpressionAttributeValues: { ':now': now.toISOString() },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  /** The lease item of a source, live or expired; undefined when none is held. */
  async getLease(source: SourceName): Promise<SourceLease | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: pk(source), sk: 'LEASE' }, ConsistentRead: true }),
    );
    return out.Item ? { source, owner: String(out.Item.owner), until: String(out.Item.until) } : undefined;
  }

  /** Every lease item (live or expired), for `status` and the local runtime's clean-up. */
  async leases(): Promise<SourceLease[]> {
    const leases = await Promise.all(SOURCE_NAMES.map((s) => this.getLease(s)));
    return leases.filter((l): l is SourceLease => l !== undefined);
  }

  async releaseLease(source: SourceName, owner: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: pk(source), sk: 'LEASE' },
          ConditionExpression: '#o = :o',
          ExpressionAttributeNames: { '#o': 'owner' },
          ExpressionAttributeValues: { ':o': owner },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }

  async getItem(source: SourceName, key: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: pk(source), sk: `ITEM#${key}` }, ConsistentRead: true }),
    );
    return out.Item ? (JSON.parse(out.Item.valueJson as string) as Record<string, unknown>) : undefined;
  }

  async getItems(source: SourceName, keyPrefix: string): Promise<Array<{ key: string; value: Record<string, unknown> }>> {
    const items: Array<{ key: string; value: Record<string, unknown> }> = [];
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': pk(source), ':p': `ITEM#${keyPrefix}` },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) items.push({ key: (item.sk as string).slice(5), value: JSON.parse(item.valueJson as string) });
    }
    return items;
  }

  async putItems(source: SourceName, writes: ItemWrite[]): Promise<void> {
    const requests = writes.map(
      (w): WriteRequest =>
        w.value === null
          ? { DeleteRequest: { Key: { pk: pk(source), sk: `ITEM#${w.key}` } } }
          : { PutRequest: { Item: { pk: pk(source), sk: `ITEM#${w.key}`, valueJson: JSON.stringify(w.value) } } },
    );
    await batchWriteAll(this.db, this.tableName, requests);
  }
}

function fromItem(item: Record<string, unknown>): SourceState {
  const { pk: _pk, sk: _sk, cursorJson, ...rest } = item;
  const state = rest as unknown as SourceState;
  if (typeof cursorJson === 'string') state.cursor = JSON.parse(cursorJson);
  return state;
}
