import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  paginateScan,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Delivery, SubscribersPort, SubscriberUpdate, UpdateCondition } from '#core/ports.ts';
import type { Subscriber } from '#core/subscriber.ts';
import { batchWriteAll, isConditionalCheckFailed } from './dynamo.ts';

const pk = (email: string) => `SUB#${email.toLowerCase()}`;

function toSubscriber(item: Record<string, unknown>): Subscriber {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as Subscriber;
}

/**
 * Subscribers and their deliveries in one table: `SUB#email` × `PROFILE` holds the
 * subscriber, `SUB#email` × `DELIVERY#changeId` one record per change sent to them.
 * Emails are stored lower-cased; every method accepts any case.
 */
export class DynamoSubscribers implements SubscribersPort {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Insert a subscriber unless one with that email exists; true if inserted. */
  async addIfAbsent(subscriber: Subscriber): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: pk(subscriber.email), sk: 'PROFILE', ...subscriber, email: subscriber.email.toLowerCase() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  /** One subscriber (strongly consistent), or undefined. */
  async get(email: string): Promise<Subscriber | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: pk(email), sk: 'PROFILE' }, ConsistentRead: true }),
    );
    return out.Item ? toSubscriber(out.Item) : undefined;
  }

  /**
   * All subscribers. The subscriber list is small (people, not data), so a filtered scan
   * is the simple and cheap choice; deliveries are skipped by the filter.
   */
  async list(): Promise<Subscriber[]> {
    const subscribers: Subscriber[] = [];
    const pages = paginateScan(
      { client: this.db },
      { TableName: this.tableName, FilterExpression: 'sk = :p', ExpressionAttributeValues: { ':p': 'PROFILE' } },
    );
    for await (const page of pages) for (const item of page.Items ?? []) subscribers.push(toSubscriber(item));
    return subscribers.sort((a, b) => a.email.localeCompare(b.email));
  }

  /**
   * Update fields of an existing subscriber. Returns the subscriber after the update, or
   * undefined when there is no such subscriber or a condition does not hold (nothing is
   * written then).
   */
  async update(email: string, changes: SubscriberUpdate, condition: UpdateCondition = {}): Promise<Subscriber | undefined> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    let i = 0;
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      const n = `#f${i}`;
      names[n] = field;
      if (value === null) removes.push(n);
      else {
        values[`:v${i}`] = value;
        sets.push(`${n} = :v${i}`);
      }
      i++;
    }
    const conditions = ['attribute_exists(pk)'];
    if (condition.statusIn) {
      names['#status'] = 'status';
      const placeholders = condition.statusIn.map((s, j) => {
        values[`:s${j}`] = s;
        return `:s${j}`;
      });
      conditions.push(`#status IN (${placeholders.join(', ')})`);
    }
    if (condition.lastDigestAt !== undefined) {
      names['#ld'] = 'lastDigestAt';
      if (condition.lastDigestAt === null) conditions.push('attribute_not_exists(#ld)');
      else {
        values[':ld'] = condition.lastDigestAt;
        conditions.push('#ld = :ld');
      }
    }
    if (condition.lastRollupAt !== undefined) {
      names['#lr'] = 'lastRollupAt';
      if (condition.lastRollupAt === null) conditions.push('attribute_not_exists(#lr)');
      else {
        values[':lr'] = condition.lastRollupAt;
        conditions.push('#lr = :lr');
      }
    }
    if (sets.length === 0 && removes.length === 0) return this.get(email);
    const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
      .filter(Boolean)
      .join(' ');
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: pk(email), sk: 'PROFILE' },
          UpdateExpression: expression,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? toSubscriber(out.Attributes) : undefined;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return undefined;
      throw err;
    }
  }

  /**
   * Delete a subscriber and every delivery record of theirs (a removed person leaves
   * nothing behind). Returns false when there was no profile.
   */
  async remove(email: string): Promise<boolean> {
    const existed = (await this.get(email)) !== undefined;
    const keys: Array<{ pk: string; sk: string }> = [{ pk: pk(email), sk: 'PROFILE' }];
    for await (const page of this.deliveryPages(email, 'pk, sk')) {
      for (const item of page.Items ?? []) keys.push({ pk: item.pk as string, sk: item.sk as string });
    }
    await batchWriteAll(
      this.db,
      this.tableName,
      keys.map((Key) => ({ DeleteRequest: { Key } })),
    );
    return existed;
  }

  /** The subset of `changeIds` already delivered to `email`. */
  async deliveredAmong(email: string, changeIds: string[]): Promise<Set<string>> {
    const delivered = new Set<string>();
    for (let i = 0; i < changeIds.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = changeIds.slice(i, i + 100).map((id) => ({ pk: pk(email), sk: `DELIVERY#${id}` }));
      for (let attempt = 0; keys?.length; attempt++) {
        if (attempt > 8) throw new Error('DynamoDB kept delivery reads unprocessed');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const out = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'sk' } } }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) delivered.add((item.sk as string).slice('DELIVERY#'.length));
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return delivered;
  }

  /** Record a delivery; false when it was already recorded (conditional put). */
  async recordDelivery(delivery: Delivery): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: pk(delivery.email), sk: `DELIVERY#${delivery.changeId}`, ...delivery, email: delivery.email.toLowerCase() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  /** Deliveries made to a subscriber (newest last). */
  async deliveriesOf(email: string): Promise<Delivery[]> {
    const out: Delivery[] = [];
    for await (const page of this.deliveryPages(email)) {
      for (const item of page.Items ?? []) {
        const { pk: _pk, sk: _sk, ...rest } = item;
        out.push(rest as Delivery);
      }
    }
    return out.sort((a, b) => a.sentAt.localeCompare(b.sentAt));
  }

  /** Pages of a subscriber's delivery records (optionally only some attributes). */
  private deliveryPages(email: string, projection?: string) {
    return paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
        ExpressionAttributeValues: { ':pk': pk(email), ':d': 'DELIVERY#' },
        ...(projection ? { ProjectionExpression: projection } : {}),
      },
    );
  }
}
