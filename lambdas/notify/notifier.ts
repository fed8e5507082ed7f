import type { Change } from '../core/change.ts';
import type { Clock } from '../core/clock.ts';
import type { EmailSettings, SubscriberSeed } from '../core/config.ts';
import { errorMessageOf } from '../core/errors.ts';
import type { ChangeLogPort } from '../core/ports.ts';
import { matchesSubscriber, type Subscriber } from '../core/subscriber.ts';
import type { DynamoSubscribers } from '../store/subscribers.ts';
import { isValidEmail } from './escape.ts';
import { type LinkSettings, linksFor, type RecipientLinks } from './links.ts';
import type { Mailer } from './mailer.ts';
import { buildMime } from './mime.ts';
import { type RenderedEmail, renderConfirmationEmail, renderEmail } from './render.ts';
import { latestDigestSlot } from './time.ts';

/** What the notifier needs; the Lambda handler and the local runtime build it. */
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
  /** `email` settings of the config (truncation, From name, default digest hour). */
  email?: Partial<EmailSettings>;
  /** Countries highlighted in emails (config `countriesOfInterest`). */
  countriesOfInterest?: readonly string[];
  /**
   * Signed confirm/unsubscribe links. Without them no confirmation email can be sent and
   * messages carry no `List-Unsubscribe` header (only tests run like that).
   */
  links?: LinkSettings | undefined;
  /** The offline demo's data: every email says so (banner, `[DEMO]` subject). */
  demo?: boolean;
}

/** What one run did. */
export interface NotifierOutcome {
  /** Changes read from the outbox. */
  pending: number;
  /** Every email sent: alerts, digests and confirmations. */
  emailsSent: number;
  deliveries: number;
  failures: Array<{ email: string; error: string }>;
  /** Changes taken out of the outbox. */
  completed: number;
  // Optional so outcomes built elsewhere (metrics tests) stay valid; a run always sets them.
  /** Daily digests among `emailsSent`. */
  digestsSent?: number;
  /** Double opt-in emails among `emailsSent`. */
  confirmationsSent?: number;
  /** Subscribers skipped because their stored address is not valid. */
  skipped?: number;
}

/**
 * Changes detected up to this long before a digest window opens are read again: a source
 * stamps `detectedAt` when its cycle starts and writes the changes later (a cycle may run
 * for its whole 5-minute timeout), and the change log's indexes are eventually consistent.
 * Delivery records make the overlap harmless: nothing is ever sent twice.
 */
export const DIGEST_OVERLAP_MS = 15 * 60_000;
/** Most changes one digest reads (a quiet day has a handful; this bounds a flood). */
export const DIGEST_MAX_CHANGES = 2000;

/**
 * One notifier run, in three steps:
 *
 * 1. **Confirmations**: pending subscribers (added by CLI) get the double opt-in email
 *    once; `confirmationSentAt` records it.
 * 2. **Immediate alerts** drain the outbox (sparse GSI): match pending changes to active
 *    immediate subscribers, send one email per subscriber per batch, record a delivery
 *    per (subscriber, change) with a conditional put, then take changes every subscriber
 *    has out of the outbox.
 * 3. **Daily digests**: an active digest subscriber whose digest hour (America/New_York)
 *    has passed since their last digest gets one email with the matching changes detected
 *    since then (read from the change log's by-source index), never an empty one. Then
 *    `lastDigestAt` moves on, conditionally, so two runs cannot both advance it.
 *
 * Ordering is send → record everywhere: a crash between the two resends that one email
 * once on the next run (at-least-once); recording first could lose an alert forever,
 * which is worse for a risk alert. Deliveries already recorded are never sent again.
 * Unsubscribed, suppressed and pending subscribers get no alerts or digests.
 */
export async function runNotifier(deps: NotifierDeps): Promise<NotifierOutcome> {
  const log = deps.log ?? (() => undefined);
  const outcome: Required<NotifierOutcome> = { pending: 0, emailsSent: 0, deliveries: 0, failures: [], completed: 0, digestsSent: 0, confirmationsSent: 0, skipped: 0 };
  let subscribers = await deps.subscribers.list();
  if (await syncSeeds(deps, subscribers)) subscribers = await deps.subscribers.list();

  const usable = subscribers.filter((s) => {
    if (isValidEmail(s.email)) return true;
    outcome.skipped++;
    log('subscriber skipped: invalid address', { email: s.email });
    return false;
  });

  await sendConfirmations(usable, deps, outcome);
  await sendImmediate(usable, deps, outcome);
  await sendDigests(usable, deps, outcome);
  log('notifier run complete', { ...outcome, failures: outcome.failures.length });
  return outcome;
}

/** Insert config-seeded subscribers, and keep the settings of earlier seeds in step with the file. */
async function syncSeeds(deps: NotifierDeps, existing: Subscriber[]): Promise<boolean> {
  const now = deps.clock.now().toISOString();
  const byEmail = new Map(existing.map((s) => [s.email.toLowerCase(), s]));
  let changed = false;
  for (const seed of deps.seeds ?? []) {
    const email = seed.email.toLowerCase();
    const wanted = {
      name: seed.name,
      mode: seed.mode,
      digestHour: seed.digestHour ?? deps.email?.digestHourDefault ?? 7,
      filters: seed.filters,
    };
    const current = byEmail.get(email);
    if (!current) {
      changed = (await deps.subscribers.addIfAbsent({ email, ...wanted, status: 'active', origin: 'config', createdAt: now })) || changed;
      continue;
    }
    // Only the settings follow the file; the status never does (an unsubscribed or
    // suppressed seed stays so), and a subscriber added by CLI is left alone.
    if (current.origin !== 'config') continue;
    const differs =
      current.name !== wanted.name || current.mode !== wanted.mode || current.digestHour !== wanted.digestHour || JSON.stringify(current.filters) !== JSON.stringify(wanted.filters);
    if (differs) {
      await deps.subscribers.update(email, { name: wanted.name ?? null, mode: wanted.mode, digestHour: wanted.digestHour, filters: wanted.filters, updatedAt: now });
      changed = true;
    }
  }
  return changed;
}

async function sendConfirmations(subscribers: Subscriber[], deps: NotifierDeps, outcome: Required<NotifierOutcome>): Promise<void> {
  const links = deps.links;
  if (!links) return;
  for (const s of subscribers.filter((x) => x.status === 'pending' && !x.confirmationSentAt)) {
    try {
      const now = deps.clock.now();
      const recipientLinks = await linksFor(links, s.email, now);
      const email = renderConfirmationEmail(s, { confirmUrl: recipientLinks.confirm, linksNote: links.note });
      // No List-Unsubscribe on the opt-in itself: there is nothing to unsubscribe from yet.
      await send(email, s.email, deps, undefined, { 'X-Export-Watch-Kind': 'confirm' });
      outcome.emailsSent++;
      outcome.confirmationsSent++;
      await deps.subscribers.update(s.email, { confirmationSentAt: now.toISOString() }, { statusIn: ['pending'] });
    } catch (err) {
      outcome.failures.push({ email: s.email, error: errorMessageOf(err) });
      deps.log?.('confirmation failed; will retry next run', { email: s.email, error: errorMessageOf(err) });
    }
  }
}

async function sendImmediate(subscribers: Subscriber[], deps: NotifierDeps, outcome: NotifierOutcome): Promise<void> {
  const pending = await deps.changes.pendingNotification(deps.batchSize ?? 200);
  outcome.pending = pending.length;
  if (pending.length === 0) return;
  const recipients = subscribers.filter((s) => s.status === 'active' && s.mode === 'immediate');
  const blocked = new Set<string>(); // change ids that some subscriber still lacks
  for (const subscriber of recipients) {
    const matched = pending.filter((c) => matchesSubscriber(c, subscriber.filters));
    if (matched.length === 0) continue;
    let toSend: Change[] = [];
    try {
      const delivered = await deps.subscribers.deliveredAmong(subscriber.email, matched.map((c) => c.id));
      toSend = matched.filter((c) => !delivered.has(c.id));
      if (toSend.length === 0) continue; // never an empty email
      const messageId = await sendChanges(toSend, subscriber, deps, undefined);
      outcome.emailsSent++;
      outcome.deliveries += await recordDeliveries(toSend, subscriber, messageId, 'immediate', deps);
    } catch (err) {
      if (isPermanentRejection(err) && toSend.length > 0) {
        // SES refused this message for good (e.g. an unverified recipient in the sandbox):
        // retrying every run would never succeed and would hold the outbox. Record the
        // rejection per change (visible in the deliveries) instead of dropping it silently.
        await recordDeliveries(toSend, subscriber, `rejected: ${errorMessageOf(err)}`.slice(0, 300), 'immediate', deps);
        outcome.failures.push({ email: subscriber.email, error: `rejected permanently: ${errorMessageOf(err)}` });
        deps.log?.('delivery rejected permanently; recorded, not retried', { email: subscriber.email, error: errorMessageOf(err) });
        continue;
      }
      for (const c of matched) blocked.add(c.id);
      outcome.failures.push({ email: subscriber.email, error: errorMessageOf(err) });
      deps.log?.('delivery failed; will retry next run', { email: subscriber.email, error: errorMessageOf(err) });
    }
  }
  for (const change of pending) {
    if (blocked.has(change.id)) continue;
    await deps.changes.markNotified(change.id, deps.clock.now().toISOString());
    outcome.completed++;
  }
}

/** Is a digest due for `subscriber` at `now`? Returns the start of the window it covers. */
export function digestDue(subscriber: Subscriber, now: Date): string | undefined {
  const last = subscriber.lastDigestAt ?? subscriber.confirmedAt ?? subscriber.createdAt;
  const slot = latestDigestSlot(now, subscriber.digestHour);
  return last < slot.toISOString() ? last : undefined;
}

async function sendDigests(subscribers: Subscriber[], deps: NotifierDeps, outcome: Required<NotifierOutcome>): Promise<void> {
  const now = deps.clock.now();
  const until = now.toISOString();
  for (const subscriber of subscribers.filter((s) => s.status === 'active' && s.mode === 'daily')) {
    const since = digestDue(subscriber, now);
    if (since === undefined) continue;
    try {
      const readFrom = new Date(Date.parse(since) - DIGEST_OVERLAP_MS).toISOString();
      const matched: Change[] = [];
      for await (const c of deps.changes.query({ since: readFrom, until, limit: DIGEST_MAX_CHANGES })) {
        if (matchesSubscriber(c, subscriber.filters)) matched.push(c);
      }
      const delivered = await deps.subscribers.deliveredAmong(subscriber.email, matched.map((c) => c.id));
      const toSend = matched.filter((c) => !delivered.has(c.id));
      if (toSend.length > 0) {
        const messageId = await sendChanges(toSend, subscriber, deps, { since, until });
        outcome.emailsSent++;
        outcome.digestsSent++;
        outcome.deliveries += await recordDeliveries(toSend, subscriber, messageId, 'digest', deps);
      }
      // Moved on even when nothing matched: the window is done either way.
      await deps.subscribers.update(subscriber.email, { lastDigestAt: until }, { lastDigestAt: subscriber.lastDigestAt ?? null, statusIn: ['active'] });
    } catch (err) {
      outcome.failures.push({ email: subscriber.email, error: errorMessageOf(err) });
      deps.log?.('digest failed; will retry next run', { email: subscriber.email, error: errorMessageOf(err) });
    }
  }
}

async function recordDeliveries(changes: Change[], subscriber: Subscriber, messageId: string, via: 'immediate' | 'digest', deps: NotifierDeps): Promise<number> {
  let recorded = 0;
  const sentAt = deps.clock.now().toISOString();
  for (const change of changes) {
    if (await deps.subscribers.recordDelivery({ email: subscriber.email, changeId: change.id, messageId, sentAt, via })) recorded++;
  }
  return recorded;
}

async function sendChanges(changes: Change[], subscriber: Subscriber, deps: NotifierDeps, digest: { since: string; until: string } | undefined): Promise<string> {
  const links = deps.links ? await linksFor(deps.links, subscriber.email, deps.clock.now()) : undefined;
  const email = renderEmail(changes, subscriber, {
    maxChanges: deps.email?.maxChangesPerEmail ?? 25,
    countriesOfInterest: deps.countriesOfInterest ?? [],
    digest,
    unsubscribeUrl: links?.unsubscribe,
    linksNote: deps.links?.note,
    demo: deps.demo,
  });
  return send(email, subscriber.email, deps, links, { 'X-Export-Watch-Kind': digest ? 'digest' : 'alert', 'X-Export-Watch-Changes': String(changes.length) });
}

async function send(email: RenderedEmail, to: string, deps: NotifierDeps, links: RecipientLinks | undefined, headers: Record<string, string>): Promise<string> {
  const raw = await buildMime(email, {
    from: { address: deps.senderEmail, name: deps.email?.fromName ?? 'export-watch' },
    to,
    headers,
    unsubscribe: links ? { url: links.unsubscribe, mailto: links.unsubscribeMailto } : undefined,
  });
  return deps.mailer.send({ from: deps.senderEmail, to, raw });
}

/** SES errors that no retry can fix for this message (throttling and 5xx are transient). */
export function isPermanentRejection(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name ?? '';
  return name === 'MessageRejected' || name === 'InvalidParameterValue' || name === 'MailFromDomainNotVerifiedException';
}
