import type { Change, SourceName } from './change.ts';
import type { SourceErrorKind } from './errors.ts';

/**
 * Ports: what the use cases need from storage and mail. DynamoDB/SES adapters live in
 * `lambdas/store` and `lambdas/notify`; the use cases never import AWS.
 */

/** Result of writing one change with a conditional put. */
export type PutOutcome = 'created' | 'duplicate';

export interface ChangeQuery {
  source?: string | undefined;
  subject?: string | undefined;
  kind?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit?: number | undefined;
  /** ISO-3166 alpha-2 code that must be among the change's `countries`. */
  country?: string | undefined;
  /** Case-insensitive substring of the title or the summary. */
  text?: string | undefined;
}

export interface ChangeLogPort {
  /** Conditional put on the deterministic id; `duplicate` when it already exists. */
  put(change: Change, options: { notify: boolean }): Promise<PutOutcome>;
  get(id: string): Promise<Change | undefined>;
  /** Changes matching a query, newest first, using a key or index where one serves. */
  query(query: ChangeQuery): AsyncIterable<Change>;
  /** Changes still waiting for the notifier (the outbox), oldest first. */
  pendingNotification(limit: number): Promise<Change[]>;
  /** Take a change out of the outbox once every subscriber has it. */
  markNotified(id: string, at: string): Promise<void>;
  /**
   * One page of the outbox, oldest first, and the token of the next page when more
   * follow. Lets the notifier read past changes that a failing subscriber still holds
   * there. Optional so simple fakes need only {@link pendingNotification}.
   */
  pendingNotificationPage?(limit: number, pageToken?: string): Promise<{ changes: Change[]; nextPageToken?: string | undefined }>;
}

/**
 * Something about subscriber mail that ops must hear: a message SES refused for good
 * (`rejected`), or a subscriber whose sends kept failing and who was parked (`parked`).
 */
export interface DeliveryEvent {
  type: 'rejected' | 'parked';
  /** The subscriber concerned (ops mail only; never sent to subscribers). */
  email: string;
  at: string;
  /** The error, or why the subscriber was parked. */
  detail: string;
  /** Changes the message held (rejections) or the subscriber still lacked (parking). */
  changes?: number | undefined;
}

/**
 * The notifier's record of delivery events, which the ops check turns into ops alerts
 * (state table, `NOTIFIER` × `DELIVERY`). Each event gets a sequence number, so the ops
 * check alerts on each one exactly once.
 */
export interface NotifierHealthPort {
  recordEvents(events: readonly DeliveryEvent[]): Promise<void>;
}

/** Health and cursor of one source. */
export interface SourceState {
  source: SourceName;
  /** Opaque, source-defined position; absent until the baseline run succeeds. */
  cursor?: unknown;
  baselineAt?: string;
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  consecutiveFailures: number;
  lastError?: { kind: SourceErrorKind; message: string; at: string };
  /** While set and in the future, the source does not call its upstream (SEC 403 cool-down). */
  blockedUntil?: string;
  itemsSeen?: number;
  lastChangeCount?: number;
  /**
   * Problems the last successful run worked around (e.g. a watch-list ticker EDGAR does not
   * know: the other companies are still watched). Rewritten by every successful run, so a
   * fixed problem clears itself; ops see them as a `degraded` source.
   */
  warnings?: Array<SourceWarning & { at: string }>;
}

/** A problem a cycle worked around rather than failing for everything else. */
export interface SourceWarning {
  kind: SourceErrorKind;
  message: string;
}

export interface SourceStatePort {
  get(source: SourceName): Promise<SourceState | undefined>;
  put(state: SourceState): Promise<void>;
  list(): Promise<SourceState[]>;
  /** Lease so two overlapping runs of one source (e.g. a Lambda retry) never interleave. */
  acquireLease(source: SourceName, owner: string, until: Date, now: Date): Promise<boolean>;
  releaseLease(source: SourceName, owner: string): Promise<void>;
  /** Extra per-source items (e.g. known accessions per company, list snapshot rows). */
  getItem(source: SourceName, key: string): Promise<Record<string, unknown> | undefined>;
  getItems(source: SourceName, keyPrefix: string): Promise<Array<{ key: string; value: Record<string, unknown> }>>;
  putItems(source: SourceName, writes: ItemWrite[]): Promise<void>;
}

/** A write (or, with `value: null`, a delete) of one extra state item. */
export interface ItemWrite {
  key: string;
  value: Record<string, unknown> | null;
}
