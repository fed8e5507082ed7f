import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SourceName } from '#core/change.ts';
import type {
  AlertState,
  AlertStatePort,
  BacklogAlertState,
  DeliveryEvent,
  DeliveryRecord,
  NotifierHealthPort,
  SequencedDeliveryEvent,
} from '#core/ports.ts';

/** Sort key of a source's alert state, beside `STATE`, `LEASE` and `ITEM#…` in the state table. */
export const ALERT_SORT_KEY = 'ALERT';
/** Sort key of the notifier-backlog incident, under `NOTIFIER`. */
export const BACKLOG_SORT_KEY = 'BACKLOG';

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

  /** The notifier's delivery events and how far ops has been told of them. */
  async deliveryEvents(): Promise<DeliveryRecord | undefined> {
    const [health, ack] = await Promise.all([
      this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: NOTIFIER_PK, sk: NOTIFIER_HEALTH_SK }, ConsistentRead: true })),
      this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: NOTIFIER_PK, sk: ALERT_SORT_KEY }, ConsistentRead: true })),
    ]);
    if (!health.Item) return undefined;
    const item = health.Item as Partial<NotifierHealthItem>;
    return {
      seq: item.seq ?? 0,
      ackSeq: typeof ack.Item?.ackSeq === 'number' ? ack.Item.ackSeq : 0,
      totals: { rejected: item.rejected ?? 0, parked: item.parked ?? 0 },
      events: item.events ?? [],
    };
  }

  /** The notifier-backlog incident (`NOTIFIER` × `BACKLOG`). */
  async backlogAlert(): Promise<BacklogAlertState | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: NOTIFIER_PK, sk: BACKLOG_SORT_KEY }, ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...rest } = out.Item;
    return rest as BacklogAlertState;
  }

  async putBacklogAlert(state: BacklogAlertState): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: NOTIFIER_PK, sk: BACKLOG_SORT_KEY, ...state } }));
  }

  /** Record that ops has been told of every delivery event up to `seq`. */
  async acknowledgeDelivery(seq: number, at: string): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: NOTIFIER_PK, sk: ALERT_SORT_KEY, ackSeq: seq, lastAlertAt: at } }),
    );
  }
}

/** Partition of the notifier's items in the state table (beside the `SOURCE#…` ones). */
export const NOTIFIER_PK = 'NOTIFIER';
/** Sort key of the notifier's delivery health (its ops acknowledgement is `ALERT`). */
export const NOTIFIER_HEALTH_SK = 'DELIVERY';
/** Events kept in the item; older ones are only counted (an item stays far below 400 KB). */
export const NOTIFIER_EVENTS_KEPT = 50;

interface NotifierHealthItem {
  /** Sequence number of the latest event (events are numbered from 1). */
  seq: number;
  /** Permanent rejections and parkings ever recorded. */
  rejected: number;
  parked: number;
  /** The latest {@link NOTIFIER_EVENTS_KEPT} events, oldest first. */
  events: SequencedDeliveryEvent[];
  updatedAt: string;
}

/**
 * The notifier's side: appends delivery events to `NOTIFIER` × `DELIVERY` in the state
 * table. The notifier is its only writer (reserved concurrency 1 in AWS, serialised
 * locally), so a read and a put suffice; the ops check only reads it.
 */
export class DynamoNotifierHealthStore implements NotifierHealthPort {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recordEvents(events: readonly DeliveryEvent[]): Promise<void> {
    if (events.length === 0) return;
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: NOTIFIER_PK, sk: NOTIFIER_HEALTH_SK }, ConsistentRead: true }),
    );
    const current = (out.Item ?? {}) as Partial<NotifierHealthItem>;
    let seq = current.seq ?? 0;
    const added = events.map((e) => ({ ...stripUndefined(e), detail: e.detail.slice(0, 500), seq: ++seq }));
    const item: NotifierHealthItem = {
      seq,
      rejected: (current.rejected ?? 0) + events.filter((e) => e.type === 'rejected').length,
      parked: (current.parked ?? 0) + events.filter((e) => e.type === 'parked').length,
      events: [...(current.events ?? []), ...added].slice(-NOTIFIER_EVENTS_KEPT),
      updatedAt: events[events.length - 1]?.at ?? '',
    };
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: NOTIFIER_PK, sk: NOTIFIER_HEALTH_SK, ...item } }));
  }
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
