import { GetCommand, PutCommand, QueryCommand, type QueryCommandInput, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Change } from '../core/change.ts';
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
    const input = buildQuery(this.tableName, q);
    let remaining = q.limit ?? Number.POSITIVE_INFINITY;
    for (const dayInput of input) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await this.db.send(new QueryCommand({ ...dayInput, ExclusiveStartKey: startKey }));
        for (const item of out.Items ?? []) {
          const change = toChange(item);
          if (q.kind && change.kind !== q.kind && !change.kind.startsWith(`${q.kind}.`)) continue;
          if (q.source && change.source !== q.source) continue;
          if (q.subject && change.subject !== q.subject) continue;
          yield change;
          if (--remaining <= 0) return;
        }
        startKey = out.LastEvaluatedKey;
      } while (startKey);
    }
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

/**
 * Pick the cheapest access path: a source or subject index when given, else one query per
 * day of the window on the by-day index (never a table scan). Newest first.
 */
function buildQuery(tableName: string, q: ChangeQuery): QueryCommandInput[] {
  const range = timeRange(q);
  const base = { TableName: tableName, ScanIndexForward: false } as const;
  if (q.source || q.subject) {
    const [index, attr, value] = q.subject ? ['bySubject', 'subject', q.subject] : ['bySource', 'source', q.source as string];
    return [{ ...base, IndexName: index, ...keyCondition(attr, value, range) }];
  }
  const days = daysBetween(range.since ?? new Date(Date.now() - 30 * 86_400_000).toISOString(), range.until ?? new Date().toISOString());
  return days.reverse().map((day) => ({ ...base, IndexName: 'byDay', ...keyCondition('day', day, range) }));
}

function timeRange(q: ChangeQuery): { since?: string; until?: string } {
  return { since: q.since, until: q.until };
}

function keyCondition(attr: string, value: string, range: { since?: string; until?: string }): Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
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

/** UTC days from `since` to `until`, inclusive, as YYYY-MM-DD. */
export function daysBetween(since: string, until: string): string[] {
  const days: string[] = [];
  const end = new Date(until.slice(0, 10) + 'T00:00:00Z').getTime();
  for (let t = new Date(since.slice(0, 10) + 'T00:00:00Z').getTime(); t <= end && days.length < 3660; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}
