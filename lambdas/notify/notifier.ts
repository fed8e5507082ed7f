import type { Change } from '#core/change.ts';
import type { Clock } from '#core/clock.ts';
import type { EmailSettings, SubscriberSeed } from '#core/config.ts';
import { errorMessageOf } from '#core/errors.ts';
import type { ChangeLogPort, DeliveryEvent, Mailer, NotifierHealthPort, SubscribersPort } from '#core/ports.ts';
import { isRollupKind, matchesSubscriber, ROLLUP_SOURCES, type Subscriber } from '#core/subscriber.ts';
import { isValidEmail } from '#core/escape.ts';
import { type LinkHosts, type LinkSettings, linksFor, type RecipientLinks } from './links.ts';
import { buildMime } from '#core/mime.ts';
import { type RenderedEmail, renderConfirmationEmail, renderEmail } from './render.ts';
import { latestDigestSlot } from '#core/time.ts';

/** What the notifier needs; the Lambda handler and the local runtime build it. */
export interface NotifierDeps {
  changes: ChangeLogPort;
  subscribers: SubscribersPort;
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
  /**
   * Where delivery events (permanent rejections, parked subscribers) are recorded; the ops
   * check turns each into one ops alert. Without it they are only logged and counted.
   */
  notifierHealth?: NotifierHealthPort | undefined;
  /** When a subscriber whose sends keep failing is parked (defaults: {@link PARKING}). */
  parking?: Partial<typeof PARKING>;
  /**
   * Hosts of the configured upstream base URLs, per source (`configuredLinkHosts(config.urls)`):
   * emails link to them besides each source's public domains (issue 19, item 2).
   */
  linkHosts?: LinkHosts | undefined;
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
  /** Daily digests among `emailsSent` (and the daily round-ups of immediate subscribers). */
  digestsSent?: number;
  /** Double opt-in emails among `emailsSent`. */
  confirmationsSent?: number;
  /** Subscribers skipped because their stored address is not valid. */
  skipped?: number;
  /** Messages SES refused for good (recorded as rejected deliveries, told to ops). */
  rejected?: number;
  /** Subscribers parked by this run (their sends kept failing; told to ops). */
  parked?: number;
  /** Config-seeded subscribers marked `removed` because they left the config file. */
  removed?: number;
}

/**
 * Changes detected up to this long before a digest window opens are read again: a source
 * stamps `detectedAt` when its cycle starts and writes the changes later (a cycle may run
 * for its whole 5-minute timeout), and the change log's indexes are eventually consistent.
 * Delivery records make the overlap harmless: nothing is ever sent twice.
 */
export const DIGEST_OVERLAP_MS = 15 * 60_000;
/**
 * Most changes one digest email carries (shown, or counted in its "N more changes" line).
 * The window is always read in full; a larger backlog goes out in several digests, one
 * per run, and `lastDigestAt` moves only to the last change an email covered.
 */
export const DIGEST_MAX_CHANGES = 2000;

/**
 * When a subscriber whose sends keep failing (transiently: throttling, 5xx, a broken
 * mailbox provider…) is parked: after `afterFailedRuns` consecutive failed runs that span
 * at least `minFailingMinutes`. Both, so a burst of notifier runs (the change stream
 * triggers several a minute on a busy day) cannot park someone over a short SES hiccup.
 * Until then the subscriber's changes stay in the outbox; once parked they stop holding it.
 */
export const PARKING = { afterFailedRuns: 5, minFailingMinutes: 60 };

/** Outbox pages (of `batchSize`) one run reads at most; the rest waits for the next run. */
export const OUTBOX_MAX_PAGES_PER_RUN = 25;

/** What one run learnt about each subscriber's sends, for parking and ops. */
interface RunState {
  events: DeliveryEvent[];
  /** Subscribers with a failed send this run: the last error, and changes it held back. */
  sendFailed: Map<string, { error: string; held: number }>;
  /** Subscribers with at least one successful send this run. */
  sendOk: Set<string>;
}

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
 * 4. **Daily round-ups**: the kinds of ROLLUP_KINDS (market-wide full-text mentions) are
 *    not alerts: an immediate subscriber gets them once a day at their digest hour, in one
 *    email grouped per phrase, the same way (`lastRollupAt`).
 *
 * Ordering is send → record everywhere: a crash between the two resends that one email
 * once on the next run (at-least-once); recording first could lose an alert forever,
 * which is worse for a risk alert. Deliveries already recorded are never sent again.
 * Unsubscribed, suppressed and pending subscribers get no alerts or digests.
 */
export async function runNotifier(deps: NotifierDeps): Promise<NotifierOutcome> {
  const log = deps.log ?? (() => undefined);
  const outcome: Required<NotifierOutcome> = {
    pending: 0,
    emailsSent: 0,
    deliveries: 0,
    failures: [],
    completed: 0,
    digestsSent: 0,
    confirmationsSent: 0,
    skipped: 0,
    rejected: 0,
    parked: 0,
    removed: 0,
  };
  let subscribers = await deps.subscribers.list();
  if (await syncSeeds(deps, subscribers, outcome)) subscribers = await deps.subscribers.list();
  const run: RunState = { events: [], sendFailed: new Map(), sendOk: new Set() };

  const usable = subscribers.filter((s) => {
    if (isValidEmail(s.email)) return true;
    outcome.skipped++;
    log('subscriber skipped: invalid address', { email: s.email });
    return false;
  });

  await sendConfirmations(usable, deps, outcome);
  await sendImmediate(usable, deps, outcome, run);
  await sendDaily(DIGEST, usable, deps, outcome, run);
  await sendDaily(ROLLUP, usable, deps, outcome, run);
  await trackSendFailures(usable, deps, outcome, run);
  if (run.events.length > 0) {
    try {
      if (deps.notifierHealth) await deps.notifierHealth.recordEvents(run.events);
      else log('delivery events not recorded for ops (no notifier health store)', { events: run.events.length });
    } catch (err) {
      // Still in the logs and the DeliveriesRejected/SubscribersParked metrics.
      outcome.failures.push({ email: '(ops record)', error: errorMessageOf(err) });
      log('could not record delivery events for ops', { error: errorMessageOf(err), events: run.events });
    }
  }
  log('notifier run complete', { ...outcome, failures: outcome.failures.length });
  return outcome;
}

/**
 * Count this run's failed sends per subscriber and park those that keep failing (see
 * {@link PARKING}); a successful send clears the count. Only failures of the send itself
 * count: a DynamoDB error says nothing about the subscriber and must not park everyone.
 */
async function trackSendFailures(
  subscribers: Subscriber[],
  deps: NotifierDeps,
  outcome: Required<NotifierOutcome>,
  run: RunState,
): Promise<void> {
  const parking = { ...PARKING, ...deps.parking };
  const nowDate = deps.clock.now();
  const now = nowDate.toISOString();
  for (const s of subscribers) {
    const failed = run.sendFailed.get(s.email);
    try {
      if (failed && !run.sendOk.has(s.email)) {
        const next = {
          runs: (s.deliveryFailures?.runs ?? 0) + 1,
          since: s.deliveryFailures?.since ?? now,
          lastError: failed.error.slice(0, 300),
        };
        const failingMinutes = (nowDate.getTime() - Date.parse(next.since)) / 60_000;
        if (next.runs >= parking.afterFailedRuns && failingMinutes >= parking.minFailingMinutes) {
          const reason = `sending failed in ${next.runs} consecutive runs since ${next.since}; last error: ${next.lastError}`;
          const parked = await deps.subscribers.update(
            s.email,
            { status: 'parked', parkedAt: now, parkedReason: reason, deliveryFailures: next, updatedAt: now },
            { statusIn: ['active'] },
          );
          if (parked) {
            outcome.parked++;
            run.events.push({ type: 'parked', email: s.email, at: now, detail: reason, changes: failed.held });
            deps.log?.('subscriber parked: sends kept failing; ops told', { email: s.email, reason });
          }
        } else {
          await deps.subscribers.update(s.email, { deliveryFailures: next }, { statusIn: ['active'] });
        }
      } else if (run.sendOk.has(s.email) && s.deliveryFailures) {
        await deps.subscribers.update(s.email, { deliveryFailures: null });
      }
    } catch (err) {
      outcome.failures.push({ email: s.email, error: errorMessageOf(err) });
      deps.log?.('could not record send failures', { email: s.email, error: errorMessageOf(err) });
    }
  }
}

/**
 * Insert config-seeded subscribers, keep the settings of earlier seeds in step with the
 * file, and deactivate those who left it.
 *
 * Leaving: a subscriber with `origin: 'config'` whose address is no longer among the seeds
 * becomes `removed` (no mail; deliveries kept). Coming back reactivates a `removed` one,
 * from now on (`lastDigestAt` restarts, so no digest replays the time away). Unsubscribed,
 * suppressed and parked subscribers keep their status either way: the file never overrides
 * what the person (or ops) decided.
 *
 * An empty seed list removes nobody. The Lambdas get the seeds from the config file bundled
 * into their asset at deploy time (`/var/task/export-watch.config.json`), the local runtime
 * from the file itself;
 * a config without `subscribers` (a trimmed file, the wrong file) parses to `[]`, and
 * that must not silence everyone. To stop mail to the last config subscriber, use
 * `export-watch subscribers remove` (or their unsubscribe link).
 */
async function syncSeeds(deps: NotifierDeps, existing: Subscriber[], outcome: Required<NotifierOutcome>): Promise<boolean> {
  if (deps.seeds === undefined) return false;
  const now = deps.clock.now().toISOString();
  const byEmail = new Map(existing.map((s) => [s.email.toLowerCase(), s]));
  const seeded = new Set(deps.seeds.map((s) => s.email.toLowerCase()));
  let changed = false;
  for (const seed of deps.seeds) {
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
    if (current.status === 'removed') {
      const back = await deps.subscribers.update(
        email,
        {
          status: 'active',
          removedAt: null,
          lastDigestAt: now,
          deliveryFailures: null,
          name: wanted.name ?? null,
          mode: wanted.mode,
          digestHour: wanted.digestHour,
          filters: wanted.filters,
          updatedAt: now,
        },
        { statusIn: ['removed'] },
      );
      if (back) deps.log?.('config subscriber back in the config file: reactivated', { email });
      changed = changed || back !== undefined;
      continue;
    }
    const differs =
      current.name !== wanted.name ||
      current.mode !== wanted.mode ||
      current.digestHour !== wanted.digestHour ||
      JSON.stringify(current.filters) !== JSON.stringify(wanted.filters);
    if (differs) {
      await deps.subscribers.update(email, {
        name: wanted.name ?? null,
        mode: wanted.mode,
        digestHour: wanted.digestHour,
        filters: wanted.filters,
        updatedAt: now,
      });
      changed = true;
    }
  }
  if (deps.seeds.length === 0) {
    const kept = existing.filter((s) => s.origin === 'config' && s.status === 'active').length;
    if (kept > 0)
      deps.log?.('the config lists no subscribers: config-seeded subscribers are left active (an empty list removes nobody)', { kept });
    return changed;
  }
  for (const s of existing) {
    if (s.origin !== 'config' || seeded.has(s.email.toLowerCase())) continue;
    if (s.status !== 'active' && s.status !== 'pending') continue;
    const removed = await deps.subscribers.update(
      s.email,
      { status: 'removed', removedAt: now, updatedAt: now },
      { statusIn: ['active', 'pending'] },
    );
    if (removed) {
      outcome.removed++;
      changed = true;
      deps.log?.('config subscriber no longer in the config file: removed (no more mail)', { email: s.email });
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

/**
 * Drain the outbox page by page (oldest first), so changes a failing subscriber still
 * holds never hide the ones behind them: every other subscriber gets every change.
 */
async function sendImmediate(
  subscribers: Subscriber[],
  deps: NotifierDeps,
  outcome: Required<NotifierOutcome>,
  run: RunState,
): Promise<void> {
  const recipients = subscribers.filter((s) => s.status === 'active' && s.mode === 'immediate');
  const batchSize = deps.batchSize ?? 200;
  let token: string | undefined;
  for (let page = 0; page < OUTBOX_MAX_PAGES_PER_RUN; page++) {
    let changes: Change[];
    if (deps.changes.pendingNotificationPage) {
      const read = await deps.changes.pendingNotificationPage(batchSize, token);
      changes = read.changes;
      token = read.nextPageToken;
    } else {
      changes = await deps.changes.pendingNotification(batchSize);
      token = undefined;
    }
    outcome.pending += changes.length;
    if (changes.length > 0) await deliverPage(changes, recipients, deps, outcome, run);
    if (token === undefined) return;
  }
}

async function deliverPage(
  pending: Change[],
  recipients: Subscriber[],
  deps: NotifierDeps,
  outcome: Required<NotifierOutcome>,
  run: RunState,
): Promise<void> {
  const blocked = new Set<string>(); // change ids that some subscriber still lacks
  for (const subscriber of recipients) {
    // Round-up kinds wait for the subscriber's daily round-up (it reads the change log).
    const matched = pending.filter((c) => !isRollupKind(c.kind) && matchesSubscriber(c, subscriber.filters));
    if (matched.length === 0) continue;
    const failedEarlier = run.sendFailed.get(subscriber.email);
    if (failedEarlier) {
      // One failed send per subscriber and run: the rest of their changes wait for the next run.
      for (const c of matched) blocked.add(c.id);
      failedEarlier.held += matched.length;
      continue;
    }
    let toSend: Change[] = [];
    let sending = false;
    try {
      const delivered = await deps.subscribers.deliveredAmong(
        subscriber.email,
        matched.map((c) => c.id),
      );
      toSend = matched.filter((c) => !delivered.has(c.id));
      if (toSend.length === 0) continue; // never an empty email
      sending = true;
      const messageId = await sendChanges(toSend, subscriber, deps, undefined);
      sending = false;
      run.sendOk.add(subscriber.email);
      outcome.emailsSent++;
      outcome.deliveries += await recordDeliveries(toSend, subscriber, messageId, 'immediate', deps);
    } catch (err) {
      if (sending && isPermanentRejection(err)) {
        // SES refused this message for good (e.g. an unverified recipient in the sandbox):
        // retrying every run would never succeed and would hold the outbox. Record the
        // rejection per change (visible in the deliveries) and tell ops.
        await recordRejection(toSend, subscriber, err, 'immediate', deps, outcome, run);
        continue;
      }
      for (const c of matched) blocked.add(c.id);
      if (sending) run.sendFailed.set(subscriber.email, { error: errorMessageOf(err), held: toSend.length });
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

/** Record a permanent rejection per change and as a delivery event for ops. */
async function recordRejection(
  changes: Change[],
  subscriber: Subscriber,
  err: unknown,
  via: 'immediate' | 'digest',
  deps: NotifierDeps,
  outcome: Required<NotifierOutcome>,
  run: RunState,
): Promise<void> {
  const error = errorMessageOf(err);
  await recordDeliveries(changes, subscriber, `rejected: ${error}`.slice(0, 300), via, deps);
  outcome.rejected++;
  outcome.failures.push({ email: subscriber.email, error: `rejected permanently: ${error}` });
  run.events.push({
    type: 'rejected',
    email: subscriber.email,
    at: deps.clock.now().toISOString(),
    detail: `${via === 'digest' ? 'digest' : 'alert'} rejected by SES: ${error}`,
    changes: changes.length,
  });
  deps.log?.('delivery rejected permanently; recorded, not retried; ops told', { email: subscriber.email, error });
}

/**
 * Is a digest due for `subscriber` at `now`? Returns the start of the window it covers.
 * `ended` is where the last one ended (default: `lastDigestAt`; the round-up passes its own).
 */
export function digestDue(subscriber: Subscriber, now: Date, ended: string | undefined = subscriber.lastDigestAt): string | undefined {
  const last = ended ?? subscriber.confirmedAt ?? subscriber.createdAt;
  const slot = latestDigestSlot(now, subscriber.digestHour);
  return last < slot.toISOString() ? last : undefined;
}

/** A once-a-day email: a daily subscriber's digest, or an immediate subscriber's round-up. */
interface DailyEmail {
  mode: Subscriber['mode'];
  /** Where the window of the last one ended. */
  field: 'lastDigestAt' | 'lastRollupAt';
  /** Sources to read (undefined: the subscriber's own source filter). */
  sources?: readonly string[];
  keep(change: Change): boolean;
  rollup: boolean;
}
const DIGEST: DailyEmail = { mode: 'daily', field: 'lastDigestAt', keep: () => true, rollup: false };
const ROLLUP: DailyEmail = {
  mode: 'immediate',
  field: 'lastRollupAt',
  sources: ROLLUP_SOURCES,
  keep: (c) => isRollupKind(c.kind),
  rollup: true,
};

async function sendDaily(
  plan: DailyEmail,
  subscribers: Subscriber[],
  deps: NotifierDeps,
  outcome: Required<NotifierOutcome>,
  run: RunState,
): Promise<void> {
  const now = deps.clock.now();
  const until = now.toISOString();
  for (const subscriber of subscribers.filter((s) => s.status === 'active' && s.mode === plan.mode)) {
    // A source filter that leaves none of the round-up's sources: nothing to read, ever.
    const sources = plan.sources?.filter(
      (s) => !subscriber.filters.sources?.length || (subscriber.filters.sources as readonly string[]).includes(s),
    );
    if (sources?.length === 0) continue;
    // One send per subscriber and run: after a failed alert the round-up waits too.
    if (run.sendFailed.has(subscriber.email)) continue;
    const since = digestDue(subscriber, now, subscriber[plan.field]);
    if (since === undefined) continue;
    let toSend: Change[] = [];
    let covered = until;
    let sending = false;
    try {
      const readFrom = new Date(Date.parse(since) - DIGEST_OVERLAP_MS).toISOString();
      const matched = (await readDigestWindow(subscriber, readFrom, until, deps, sources)).filter((c) => plan.keep(c));
      const delivered = await deps.subscribers.deliveredAmong(
        subscriber.email,
        matched.map((c) => c.id),
      );
      const undelivered = matched
        .filter((c) => !delivered.has(c.id))
        .sort((a, b) => a.detectedAt.localeCompare(b.detectedAt) || a.id.localeCompare(b.id));
      toSend = undelivered.slice(0, DIGEST_MAX_CHANGES);
      if (undelivered.length > toSend.length) {
        // Cover the oldest changes and stop the window at the last one included; the next
        // run (the digest is still due then) reads on from there. Changes at the same
        // instant that did not fit are re-read through the overlap.
        const last = (toSend[toSend.length - 1] as Change).detectedAt;
        // ISO strings: the later of the two (never move the window backwards).
        covered = since;
        if (last > since) covered = last;
      }
      if (toSend.length > 0) {
        sending = true;
        const messageId = await sendChanges(toSend, subscriber, deps, { since, until: covered, rollup: plan.rollup });
        sending = false;
        run.sendOk.add(subscriber.email);
        outcome.emailsSent++;
        outcome.digestsSent++;
        outcome.deliveries += await recordDeliveries(toSend, subscriber, messageId, 'digest', deps);
      }
      // Moved on even when nothing matched: the window is done either way.
      await moveWindow(plan, subscriber, covered, deps);
    } catch (err) {
      if (sending && isPermanentRejection(err)) {
        await recordRejection(toSend, subscriber, err, 'digest', deps, outcome, run);
        // The rejected changes are recorded, so the window is done: no endless retry.
        await moveWindow(plan, subscriber, covered, deps).catch(() => undefined);
        continue;
      }
      if (sending) run.sendFailed.set(subscriber.email, { error: errorMessageOf(err), held: toSend.length });
      outcome.failures.push({ email: subscriber.email, error: errorMessageOf(err) });
      deps.log?.(`${plan.rollup ? 'round-up' : 'digest'} failed; will retry next run`, {
        email: subscriber.email,
        error: errorMessageOf(err),
      });
    }
  }
}

/** Move a daily email's window on, conditionally: two runs can never both advance it. */
async function moveWindow(plan: DailyEmail, subscriber: Subscriber, covered: string, deps: NotifierDeps): Promise<void> {
  const previous = subscriber[plan.field] ?? null;
  await deps.subscribers.update(subscriber.email, { [plan.field]: covered }, { [plan.field]: previous, statusIn: ['active'] });
}

/**
 * Every change of a digest window that passes the subscriber's filters, read in full
 * (no cap: a flood of one source must not hide another's change). With a source filter
 * only those sources' partitions of the by-source index are read, so an Entity List
 * flood costs a `sec-filings` subscriber nothing.
 */
async function readDigestWindow(
  subscriber: Subscriber,
  since: string,
  until: string,
  deps: NotifierDeps,
  only?: readonly string[],
): Promise<Change[]> {
  const sources = only ? [...only] : subscriber.filters.sources?.length ? [...new Set(subscriber.filters.sources)] : [undefined];
  const matched: Change[] = [];
  for (const source of sources) {
    for await (const c of deps.changes.query({ source, since, until })) {
      if (matchesSubscriber(c, subscriber.filters)) matched.push(c);
    }
  }
  return matched;
}

async function recordDeliveries(
  changes: Change[],
  subscriber: Subscriber,
  messageId: string,
  via: 'immediate' | 'digest',
  deps: NotifierDeps,
): Promise<number> {
  let recorded = 0;
  const sentAt = deps.clock.now().toISOString();
  for (const change of changes) {
    if (await deps.subscribers.recordDelivery({ email: subscriber.email, changeId: change.id, messageId, sentAt, via })) recorded++;
  }
  return recorded;
}

async function sendChanges(
  changes: Change[],
  subscriber: Subscriber,
  deps: NotifierDeps,
  digest: { since: string; until: string; rollup?: boolean } | undefined,
): Promise<string> {
  const links = deps.links ? await linksFor(deps.links, subscriber.email, deps.clock.now()) : undefined;
  const email = renderEmail(changes, subscriber, {
    maxChanges: deps.email?.maxChangesPerEmail ?? 25,
    countriesOfInterest: deps.countriesOfInterest ?? [],
    digest,
    unsubscribeUrl: links?.unsubscribe,
    linksNote: deps.links?.note,
    demo: deps.demo,
    linkHosts: deps.linkHosts,
    // The card shows the fields that passed; the log names the change and each failing field.
    onContractError: (error) =>
      deps.log?.('change data does not match its contract; the email shows the fields that passed', {
        changeId: error.changeId,
        kind: error.kind,
        paths: error.paths,
        email: subscriber.email,
      }),
  });
  const kind = digest ? (digest.rollup ? 'round-up' : 'digest') : 'alert';
  return send(email, subscriber.email, deps, links, { 'X-Export-Watch-Kind': kind, 'X-Export-Watch-Changes': String(changes.length) });
}

async function send(
  email: RenderedEmail,
  to: string,
  deps: NotifierDeps,
  links: RecipientLinks | undefined,
  headers: Record<string, string>,
): Promise<string> {
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
