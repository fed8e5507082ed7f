import { BatchGetCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Subscriber } from '../core/subscriber.ts';
import { isConditionalCheckFailed } from './dynamo.ts';

const pk = (email: string) => `SUB#${email.toLowerCase()}`;

/** One delivery of one change to one subscriber. */
export interface Delivery {
  email: string;
  changeId: string;
  messageId: string;
  sentAt: string;
}

/**
 * Subscribers and their deliveries in one table: `SUB#email` × `PROFILE` holds the
 * subscriber, `SUB#email` × `DELIVERY#changeId` one record per change sent to them.
 */
export class DynamoSubscribers {
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

  /**
   * All subscribers. The subscriber list is small (people, not data), so a filtered scan
   * is the simple and cheap choice; deliveries are skipped by the filter.
   */
  async list(): Promise<Subscriber[]> {
    const subscribers: Subscriber[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :p',
          ExpressionAttributeValues: { ':p': 'PROFILE' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        const { pk: _pk, sk: _sk, ...rest } = item;
        subscribers.push(rest as Subscriber);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return subscribers.sort((a, b) => a.email.localeCompare(b.email));
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
          Item: { pk: pk(delivery.email), sk: `DELIVERY#${delivery.changeId}`, ...delivery },
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
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
          ExpressionAttributeValues: { ':pk': pk(email), ':d': 'DELIVERY#' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const { pk: _pk, sk: _sk, ...rest } = item;
        out.push(rest as Delivery);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out.sort((a, b) => a.sentAt.localeCompare(b.sentAt));
  }
}
