import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, type QueryCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Change, SOURCE_NAMES } from '../core/change.ts';
import type { ChangeLogPort, ChangeQuery, PutOutcome } from '../core/ports.ts';
import { isConditionalCheckFailed } from './dynamo.ts';
import { OUTBOX_PENDING } from './tables.ts';

/** The stored item: the change plus its index keys. */
type ChangeItem = Change & { day: string; outbox?: string; notifiedAt?: string };

function toChange(item: Record<string, unknown>): Change {
  const { day: _day, outbox: _outbox, notifiedAt: _n, ...change } = item as unknown as ChangeItem;
  return change;
}

/** DynamoDB change log. */
export class DynamoChangeLog implements ChangeLogPort {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(change: Change, options: { notify: boolean }): Promise<PutOutcome> {
    const item: ChangeItem = { ...change, day: change.detectedAt.slice(0, 10) };
    if (options.notify) item.outbox = OUTBOX_PENDING;
    try {
      await this.db.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(id)' }),
      );
      return 'created';
    } catch (err) {
      if (isConditionalCheckFailed(err)) return 'duplicate';
      throw err;
    }
  }

  async get(id: string): Promise<Change | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true }));
    return out.Item ? toChange(out.Item) : undefined;
  }

  async *query(q: ChangeQuery): AsyncIterable<Change> {
    if (q.source || q.subject) {
      yield* this.queryIndex(q);
      return;
    }
    // No key given: one query per source on the by-source index (a handful of queries
    // whatever the time window, never a scan), merged newest first.
    const perSource = await Promise.all(
      SOURCE_NAMES.map(async (source) => {
        const out: Change[] = [];
        for await (const c of this.queryIndex({ ...q, source })) out.push(c);
        return out;
      }),
    );
    const merged = perSource.flat().sort((a, b) => b.detectedAt.localeCompare(a.detectedAt) || a.id.localeCompare(b.id));
    yield* merged.slice(0, q.limit ?? merged.length);
  }

  /** Query the by-subject or by-source index with the time window as key condition. */
  private async *queryIndex(q: ChangeQuery): AsyncIterable<Change> {
    const [index, attr, value] = q.subject ? ['bySubject', 'subject', q.subject] : ['bySource', 'source', q.source as string];
    let remaining = q.limit ?? Number.POSITIVE_INFINITY;
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({ TableName: this.tableName, ScanIndexForward: false, IndexName: index, ...keyCondition(attr, value, q), ExclusiveStartKey: startKey }),
      );
      for (const item of out.Items ?? []) {
        const change = toChange(item);
        if (q.kind && change.kind !== q.kind && !change.kind.startsWith(`${q.kind}.`)) continue;
        if (q.source && change.source !== q.source) continue;
        yield change;
        if (--remaining <= 0) return;
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }

  /** Changes detected on one UTC day (the by-day index), newest first. */
  async *byDay(day: string): AsyncIterable<Change> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({ TableName: this.tableName, ScanIndexForward: false, IndexName: 'byDay', ...keyCondition('day', day, {}), ExclusiveStartKey: startKey }),
      );
      for (const item of out.Items ?? []) yield toChange(item);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }

  async pendingNotification(limit: number): Promise<Change[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'outbox',
        KeyConditionExpression: 'outbox = :p',
        ExpressionAttributeValues: { ':p': OUTBOX_PENDING },
        ScanIndexForward: true,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map(toChange);
  }

  async markNotified(id: string, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { id },
        UpdateExpression: 'REMOVE outbox SET notifiedAt = :at',
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }
}

function keyCondition(attr: string, value: string, range: { since?: string | undefined; until?: string | undefined }): Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  const names = { '#k': attr, '#t': 'detectedAt' };
  if (range.since && range.until) {
    return { KeyConditionExpression: '#k = :v AND #t BETWEEN :a AND :b', ExpressionAttributeNames: names, ExpressionAttributeValues: { ':v': value, ':a': range.since, ':b': range.until } };
  }
  if (range.since) {
    return { KeyConditionExpression: '#k = :v AND #t >= :a', ExpressionAttributeNames: names, ExpressionAttributeValues: { ':v': value, ':a': range.since } };
  }
  if (range.until) {
    return { KeyConditionExpression: '#k = :v AND #t <= :b', ExpressionAttributeNames: names, ExpressionAttributeValues: { ':v': value, ':b': range.until } };
  }
  return { KeyConditionExpression: '#k = :v', ExpressionAttributeNames: { '#k': attr }, ExpressionAttributeValues: { ':v': value } };
}
