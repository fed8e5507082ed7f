import type { Change, SourceName } from './change.ts';
import type { SourceErrorKind } from './errors.ts';
import type { Subscriber, SubscriberStatus } from './subscriber.ts';

/**
 * Ports: what the use cases need from storage, mail, secrets and the ops channel. The
 * DynamoDB adapters live in `lambdas/store`, SES/SNS/Secrets Manager and local-file ones
 * in `lambdas/adapters`, and `lambdas/app/compose.ts` wires them; the use cases
 * (`lambdas/notify`, `lambdas/ops`, `lambdas/analytics`) import only these interfaces,
 * never an adapter or AWS.
 */

/**
 * The store an analyst command reads: the change log and the source state, either of which
 * is absent when only the other deployed table was named. Opened by the app layer (local
 * data dir or deployed tables); the analytics use cases take it as is.
 */
export interface AnalystStorePort {
  /** The change log; undefined when only a deployed state table was named. */
  changes: ChangeLogPort | undefined;
  /** Source state; undefined when only a deployed change-log table was named. */
  state: SourceStatePort | undefined;
  /** "local store <dir>" or "table <name> (<region>)", for messages. */
  description: string;
}

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

/** One delivery of one change to one subscriber. */
export interface Delivery {
  email: string;
  changeId: string;
  messageId: string;
  sentAt: string;
  /** `immediate` alert or `digest`. */
  via?: 'immediate' | 'digest' | undefined;
}

/**
 * Fields an update may set. `null` removes the attribute (e.g. clearing filters is done
 * with `filters: {}`, clearing a timestamp with `confirmationSentAt: null`).
 */
export type SubscriberUpdate = {
  [K in Exclude<keyof Subscriber, 'email' | 'createdAt'>]?: Subscriber[K] | null;
};

/** Conditions for {@link SubscribersPort.update}. */
export interface UpdateCondition {
  /** Only update when the current status is one of these. */
  statusIn?: readonly SubscriberStatus[];
  /**
   * Only update when `lastDigestAt` still has this value (`null`: still absent). Two
   * notifier runs can then never both advance the same digest.
   */
  lastDigestAt?: string | null;
  /** The same for `lastRollupAt` (the daily round-up of immediate subscribers). */
  lastRollupAt?: string | null;
}

/**
 * The subscribers and their deliveries, as the notifier, the SES feedback handler and the
 * confirm/unsubscribe endpoint use them. Emails are matched in any case.
 */
export interface SubscribersPort {
  /** Insert a subscriber unless one with that email exists; true if inserted. */
  addIfAbsent(subscriber: Subscriber): Promise<boolean>;
  get(email: string): Promise<Subscriber | undefined>;
  list(): Promise<Subscriber[]>;
  /** Apply `changes` when `condition` holds; the updated subscriber, or undefined when it did not hold (or none exists). */
  update(email: string, changes: SubscriberUpdate, condition?: UpdateCondition): Promise<Subscriber | undefined>;
  /** Which of `changeIds` this subscriber already has. */
  deliveredAmong(email: string, changeIds: string[]): Promise<Set<string>>;
  /** Record one delivery; false when it was already recorded. */
  recordDelivery(delivery: Delivery): Promise<boolean>;
}

/** Sends one raw MIME message; returns the provider's message id. */
export interface Mailer {
  send(message: { from: string; to: string; raw: Buffer }): Promise<string>;
}

/** Returns the link-signing key. */
export type KeyProvider = () => Promise<Buffer>;

/** What `export-watch status` and the alerts say about a source. */
export const HEALTH_VERDICTS = ['ok', 'failing', 'stale', 'blocked', 'degraded', 'never-run'] as const;
/** One of {@link HEALTH_VERDICTS}. */
export type HealthVerdict = (typeof HEALTH_VERDICTS)[number];

/** An open incident of one source. */
export interface Incident {
  openedAt: string;
  /** Verdict and reason when it was last alerted on. */
  verdict: HealthVerdict;
  reason: string;
  /** The alert or the latest reminder. */
  lastAlertAt: string;
  /** Reminders sent since the alert (the back-off exponent). */
  remindersSent: number;
}

/** Alert state of one source (state table: `SOURCE#<name>` × `ALERT`). */
export interface AlertState {
  source: SourceName;
  /**
   * When the ops check first saw this source. Until the source succeeds once, staleness
   * counts from here, so a source whose Lambda never runs still goes stale.
   */
  watchedSince: string;
  incident?: Incident;
  /** Last recovery notice, for `status`. */
  lastRecoveryAt?: string;
}

/**
 * The notifier's backlog incident (state table: `NOTIFIER` × `BACKLOG`): open while the
 * oldest change waiting for the notifier is older than `ops.outboxMaxAgeMinutes`.
 */
export interface BacklogAlertState {
  incident?: { openedAt: string; lastAlertAt: string; remindersSent: number; ageSeconds: number };
  lastRecoveryAt?: string;
}

/** A delivery event with its sequence number (see {@link DeliveryRecord}). */
export type SequencedDeliveryEvent = DeliveryEvent & { seq: number };

/** The notifier's delivery events as the ops check reads them, with ops' acknowledgement. */
export interface DeliveryRecord {
  /** Sequence number of the latest event. */
  seq: number;
  /** Latest event ops has been told of (0: none). */
  ackSeq: number;
  totals: { rejected: number; parked: number };
  /** The latest events kept (older ones are only counted). */
  events: SequencedDeliveryEvent[];
}

/** Alert state storage (state table: `SOURCE#<name>` × `ALERT`). */
export interface AlertStatePort {
  /** The alert states of `sources` that exist. */
  list(sources: readonly SourceName[]): Promise<Map<SourceName, AlertState>>;
  put(state: AlertState): Promise<void>;
  /**
   * The notifier's delivery events (permanent rejections, parked subscribers) and how far
   * ops has been told. Optional: without it the check watches sources only.
   */
  deliveryEvents?(): Promise<DeliveryRecord | undefined>;
  /** Store that ops has been told of every delivery event up to `seq`. */
  acknowledgeDelivery?(seq: number, at: string): Promise<void>;
  /** The notifier-backlog incident. Optional: without it the check measures the backlog but does not alert on it. */
  backlogAlert?(): Promise<BacklogAlertState | undefined>;
  putBacklogAlert?(state: BacklogAlertState): Promise<void>;
}

/** One rendered ops message. */
export interface OpsMessage {
  /** ASCII, one line, at most 100 characters (SNS's limit for e-mail subjects). */
  subject: string;
  text: string;
}

/**
 * The notification behind a message, as a publisher reads it: its type (`alert`,
 * `reminder`, `recovery`, `delivery`, `backlog`) and the source concerned (or `notifier`),
 * which the SNS adapter sets as message attributes and the mail adapter as headers. The
 * rest of the notification (the ops check passes all of it) is typed in `ops/alerts.ts`,
 * which core cannot import.
 */
export interface OpsNotificationTags {
  type: string;
  source: string;
}

/**
 * Where ops messages go. Never a subscriber address. Generic in the notification so that
 * the whole notification passes through unchanged (and literals need not be cut down).
 */
export interface OpsPublisher {
  publish<N extends OpsNotificationTags>(message: OpsMessage, notification: N): Promise<void>;
}
