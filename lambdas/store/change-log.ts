import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Change, SOURCE_NAMES } from '#core/change.ts';
import type { ChangeLogPort, ChangeQuery, PutOutcome } from '#core/ports.ts';
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
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(id)' }));
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

  /**
   * Changes matching a query, newest first, streamed page by page. With a source or a
   * subject one index query serves it; without, one query per source on the by-source
   * index (a handful of queries whatever the time window, never a scan), merged lazily so
   * a large export never holds the table in memory.
   */
  async *query(q: ChangeQuery): AsyncIterable<Change> {
    const streams = this.streams(q, undefined, undefined);
    let remaining = q.limit ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const next = await newest(streams);
      if (!next) return;
      yield next.take();
      remaining--;
    }
  }

  /**
   * One page of a query: at most `limit` changes and, when more follow, an opaque token
   * for the next page. The token holds the key of the last change returned per index
   * (DynamoDB's ExclusiveStartKey), so pages never repeat or skip a change, even among
   * changes with the same `detectedAt`. It also holds the query: a later page may repeat
   * the query's fields or omit them, but not change them.
   */
  async queryPage(q: ChangeQuery, options: { limit: number; pageToken?: string | undefined }): Promise<ChangePage> {
    const limit = Math.max(1, Math.floor(options.limit));
    const token = options.pageToken === undefined ? undefined : decodePageToken(options.pageToken);
    const query = token ? continueQuery(q, token.q) : tokenQuery(q);
    const streams = this.streams(query, token, Math.min(1000, Math.max(50, limit + 1)));
    const changes: Change[] = [];
    while (changes.length < limit) {
      const next = await newest(streams);
      if (!next) break;
      changes.push(next.take());
    }
    const more = changes.length === limit && (await newest(streams)) !== undefined;
    return { changes, ...(more ? { nextPageToken: encodePageToken(query, streams) } : {}) };
  }

  /** The index streams that answer a query, positioned after a page token's keys. */
  private streams(q: ChangeQuery, token: PageTokenBody | undefined, pageSize: number | undefined): IndexStream[] {
    if (q.subject) return [new IndexStream(this.db, this.tableName, 'bySubject', q.subject, q, token?.k, pageSize)];
    if (q.source) return [new IndexStream(this.db, this.tableName, 'bySource', q.source, q, token?.k, pageSize)];
    return SOURCE_NAMES.map(
      (source) =>
        new IndexStream(
          this.db,
          this.tableName,
          'bySource',
          source,
          q,
          token ? (token.m?.[source] ?? undefined) : undefined,
          pageSize,
          token?.m?.[source] === null,
        ),
    );
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

  /**
   * One page of the outbox, oldest first. The token is DynamoDB's LastEvaluatedKey, so a
   * run can read past changes that stay pending (a subscriber whose sends fail holds
   * them) instead of re-reading the same first page forever. Taking a change out of the
   * outbox while paging is safe: the next page starts after the key, present or not.
   */
  async pendingNotificationPage(limit: number, pageToken?: string): Promise<{ changes: Change[]; nextPageToken?: string | undefined }> {
    let startKey: Record<string, unknown> | undefined;
    if (pageToken !== undefined) {
      try {
        startKey = JSON.parse(Buffer.from(pageToken, 'base64url').toString('utf8')) as Record<string, unknown>;
      } catch {
        throw new PageTokenError('the outbox page token is malformed');
      }
    }
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'outbox',
        KeyConditionExpression: 'outbox = :p',
        ExpressionAttributeValues: { ':p': OUTBOX_PENDING },
        ScanIndexForward: true,
        Limit: Math.max(1, Math.floor(limit)),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const next = out.LastEvaluatedKey ? Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url') : undefined;
    return { changes: (out.Items ?? []).map(toChange), ...(next ? { nextPageToken: next } : {}) };
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

function keyCondition(
  attr: string,
  value: string,
  range: { since?: string | undefined; until?: string | undefined },
): Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  const names = { '#k': attr, '#t': 'detectedAt' };
  if (range.since && range.until) {
    return {
      KeyConditionExpression: '#k = :v AND #t BETWEEN :a AND :b',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':v': value, ':a': range.since, ':b': range.until },
    };
  }
  if (range.since) {
    return {
      KeyConditionExpression: '#k = :v AND #t >= :a',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':v': value, ':a': range.since },
    };
  }
  if (range.until) {
    return {
      KeyConditionExpression: '#k = :v AND #t <= :b',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':v': value, ':b': range.until },
    };
  }
  return { KeyConditionExpression: '#k = :v', ExpressionAttributeNames: { '#k': attr }, ExpressionAttributeValues: { ':v': value } };
}

/** One page of changes and, when more follow, the token of the next page. */
export interface ChangePage {
  changes: Change[];
  nextPageToken?: string | undefined;
}

/** A page token that is malformed or belongs to another query. */
export class PageTokenError extends Error {
  override readonly name = 'PageTokenError';
}

/**
 * True when a change passes a query's filters besides the index key and time window:
 * kind (exact or dotted prefix: `fr` matches `fr.document`), source, subject, country
 * (one of `countries`) and text (case-insensitive, in the title or the summary).
 */
export function matchesQuery(change: Change, q: ChangeQuery): boolean {
  if (q.kind && change.kind !== q.kind && !change.kind.startsWith(`${q.kind}.`)) return false;
  if (q.source && change.source !== q.source) return false;
  if (q.subject && change.subject !== q.subject) return false;
  if (q.country && !(change.countries ?? []).includes(q.country.toUpperCase())) return false;
  if (q.text) {
    const needle = q.text.toLowerCase();
    // Joined by a line break so a match never spans the end of the title and the start of the summary.
    if (!`${change.title}\n${change.summary}`.toLowerCase().includes(needle)) return false;
  }
  return true;
}

/** Key of a change in a GSI: the index's keys plus the table key, as DynamoDB's ExclusiveStartKey wants it. */
type IndexKey = Record<string, string>;
type IndexName = 'bySource' | 'bySubject';

/** The query fields a page token pins (everything but the limit). */
const TOKEN_FIELDS = ['source', 'subject', 'kind', 'country', 'text', 'since', 'until'] as const;
type TokenQuery = Partial<Record<(typeof TOKEN_FIELDS)[number], string>>;

/** What a page token holds: the query, and the last key per index (`k`) or per source (`m`; null = that source is done). */
interface PageTokenBody {
  v: 1;
  q: TokenQuery;
  k?: IndexKey | undefined;
  m?: Record<string, IndexKey | null> | undefined;
}

function tokenQuery(q: ChangeQuery): TokenQuery {
  const out: TokenQuery = {};
  for (const f of TOKEN_FIELDS) {
    const value = q[f];
    if (value !== undefined && value !== '') out[f] = f === 'country' ? value.toUpperCase() : value;
  }
  return out;
}

/** The token's query, after checking that the fields the caller repeats are the same. */
function continueQuery(q: ChangeQuery, pinned: TokenQuery): ChangeQuery {
  const given = tokenQuery(q);
  const differing = TOKEN_FIELDS.filter((f) => given[f] !== undefined && given[f] !== pinned[f]);
  if (differing.length) {
    throw new PageTokenError(
      `the page token belongs to another query (${differing.map((f) => `${f}: ${JSON.stringify(pinned[f] ?? null)}`).join(', ')})`,
    );
  }
  return { ...pinned };
}

function isIndexKey(value: unknown): value is IndexKey {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string') &&
    'id' in value &&
    'detectedAt' in value
  );
}

function decodePageToken(token: string): PageTokenBody {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new PageTokenError('the page token is not one this command printed');
  }
  const b = body as Partial<PageTokenBody> | null;
  const validQuery =
    b !== null &&
    typeof b === 'object' &&
    b.q !== null &&
    typeof b.q === 'object' &&
    Object.entries(b.q).every(([f, v]) => (TOKEN_FIELDS as readonly string[]).includes(f) && typeof v === 'string');
  const validKeys =
    b?.k !== undefined
      ? isIndexKey(b.k)
      : b?.m !== undefined &&
        typeof b.m === 'object' &&
        b.m !== null &&
        Object.entries(b.m).every(([s, k]) => (SOURCE_NAMES as readonly string[]).includes(s) && (k === null || isIndexKey(k)));
  if (!validQuery || b?.v !== 1 || !validKeys) throw new PageTokenError('the page token is not one this command printed');
  return b as PageTokenBody;
}

function encodePageToken(q: ChangeQuery, streams: IndexStream[]): string {
  const body: PageTokenBody = { v: 1, q: tokenQuery(q) };
  if (streams.length === 1 && (q.source || q.subject)) {
    body.k = (streams[0] as IndexStream).position ?? undefined;
  } else {
    body.m = {};
    for (const s of streams) if (s.position !== undefined) body.m[s.value] = s.position;
  }
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/**
 * One index partition (a source or a subject) read newest first, page by page, with the
 * query's filters applied. `position` is the key of the last change taken (undefined:
 * none yet, null: nothing left), which is where the next page starts.
 */
class IndexStream {
  private buffer: Change[] = [];
  private startKey: Record<string, unknown> | undefined;
  private more: boolean;
  position: IndexKey | null | undefined;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly index: IndexName,
    readonly value: string,
    private readonly q: ChangeQuery,
    from: IndexKey | undefined,
    private readonly pageSize: number | undefined,
    done = false,
  ) {
    this.startKey = from;
    this.position = done ? null : from;
    this.more = !done;
  }

  /** The next matching change, without taking it. */
  async peek(): Promise<Change | undefined> {
    while (this.buffer.length === 0 && this.more) {
      const attr = this.index === 'bySubject' ? 'subject' : 'source';
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: this.index,
          ScanIndexForward: false,
          ...keyCondition(attr, this.value, this.q),
          ExclusiveStartKey: this.startKey,
          ...(this.pageSize ? { Limit: this.pageSize } : {}),
        }),
      );
      this.buffer = (out.Items ?? []).map(toChange).filter((c) => matchesQuery(c, this.q));
      this.startKey = out.LastEvaluatedKey;
      this.more = out.LastEvaluatedKey !== undefined;
    }
    const next = this.buffer[0];
    if (!next) this.position = null;
    return next;
  }

  /** Take the change {@link peek} returned. */
  take(): Change {
    const change = this.buffer.shift() as Change;
    const attr = this.index === 'bySubject' ? 'subject' : 'source';
    this.position = { [attr]: change[attr], detectedAt: change.detectedAt, id: change.id };
    return change;
  }
}

/** The stream whose next change is the newest (ties: the earlier stream, i.e. source order). */
async function newest(streams: IndexStream[]): Promise<IndexStream | undefined> {
  const heads = await Promise.all(streams.map((s) => s.peek()));
  let best: number | undefined;
  heads.forEach((c, i) => {
    if (c && (best === undefined || c.detectedAt > (heads[best] as Change).detectedAt)) best = i;
  });
  return best === undefined ? undefined : streams[best];
}
