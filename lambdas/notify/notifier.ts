import type { Change } from '../core/change.ts';
import type { Clock } from '../core/clock.ts';
import type { SubscriberSeed } from '../core/config.ts';
import { errorMessageOf } from '../core/errors.ts';
import type { ChangeLogPort } from '../core/ports.ts';
import { matchesSubscriber, type Subscriber } from '../core/subscriber.ts';
import type { DynamoSubscribers } from '../store/subscribers.ts';
import type { Mailer } from './mailer.ts';
import { buildMime } from './mime.ts';
import { renderEmail } from './render.ts';

export interface NotifierDeps {
  changes: ChangeLogPort;
  subscribers: DynamoSubscribers;
  mailer: Mailer;
  clock: Clock;
  senderEmail: string;
  /** Subscribers from the config file, inserted (active) when absent. */
  seeds?: SubscriberSeed[];
  /** Changes taken from the outbox per run. */
  batchSize?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface NotifierOutcome {
  pending: number;
  emailsSent: number;
  deliveries: number;
  failures: Array<{ email: string; error: string }>;
  /** Changes taken out of the outbox. */
  completed: number;
}

/**
 * Drain the outbox: match pending changes to subscribers, send one email per subscriber
 * per batch, record a delivery per (subscriber, change) with a conditional write, then
 * take fully delivered changes out of the outbox.
 *
 * Ordering is send → record: a crash between the two resends that one email once on the
 * next run (at-least-once); recording first could lose an alert forever, which is worse
 * for a risk alert. Deliveries already recorded are never sent again.
 *
 * Daily-digest subscribers are not mailed here; the digest reads the change log by day.
 */
export async function runNotifier(deps: NotifierDeps): Promise<NotifierOutcome> {
  const log = deps.log ?? (() => undefined);
  const now = deps.clock.now().toISOString();
  for (const seed of deps.seeds ?? []) {
    await deps.subscribers.addIfAbsent({ ...seed, email: seed.email.toLowerCase(), status: 'active', createdAt: now });
  }
  const pending = await deps.changes.pendingNotification(deps.batchSize ?? 200);
  const outcome: NotifierOutcome = { pending: pending.length, emailsSent: 0, deliveries: 0, failures: [], completed: 0 };
  if (pending.length === 0) return outcome;

  const recipients = (await deps.subscribers.list()).filter((s) => s.status === 'active' && s.mode === 'immediate');
  const blocked = new Set<string>(); // change ids that some subscriber still lacks
  for (const subscriber of recipients) {
    const matched = pending.filter((c) => matchesSubscriber(c, subscriber.filters));
    if (matched.length === 0) continue;
    try {
      const delivered = await deps.subscribers.deliveredAmong(subscriber.email, matched.map((c) => c.id));
      const toSend = matched.filter((c) => !delivered.has(c.id));
      if (toSend.length === 0) continue; // never an empty email
      const sent = await sendBatch(toSend, subscriber, deps);
      outcome.emailsSent++;
      for (const change of toSend) {
        if (await deps.subscribers.recordDelivery({ email: subscriber.email, changeId: change.id, messageId: sent, sentAt: deps.clock.now().toISOString() })) {
          outcome.deliveries++;
        }
      }
    } catch (err) {
      for (const c of matched) blocked.add(c.id);
      outcome.failures.push({ email: subscriber.email, error: errorMessageOf(err) });
      log('delivery failed; will retry next run', { email: subscriber.email, error: errorMessageOf(err) });
    }
  }
  for (const change of pending) {
    if (blocked.has(change.id)) continue;
    await deps.changes.markNotified(change.id, deps.clock.now().toISOString());
    outcome.completed++;
  }
  log('notifier run complete', { ...outcome, failures: outcome.failures.length });
  return outcome;
}

async function sendBatch(changes: Change[], subscriber: Subscriber, deps: NotifierDeps): Promise<string> {
  const email = renderEmail(changes, subscriber);
  const raw = await buildMime(email, deps.senderEmail, subscriber.email, { 'X-Export-Watch-Changes': String(changes.length) });
  return deps.mailer.send({ from: deps.senderEmail, to: subscriber.email, raw });
}
