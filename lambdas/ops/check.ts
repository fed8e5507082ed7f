import type { SourceName } from '#core/change.ts';
import type { Clock } from '#core/clock.ts';
import { errorMessageOf } from '#core/errors.ts';
import type { AlertStatePort, ChangeLogPort, OpsPublisher, SourceState, SourceStatePort } from '#core/ports.ts';
import { DEFAULT_SCHEDULES, type Schedule } from '#core/schedule.ts';
import { type AlertThresholds, evaluateBacklog, evaluateDelivery, evaluateOps, type OpsNotification } from './alerts.ts';
import type { SourceHealth } from './health.ts';
import { renderOpsNotification } from './render.ts';

/**
 * The ops-check use case: read every watched source's health and alert state, evaluate,
 * publish, store. The same code runs in the scheduled ops-check Lambda (publishing to the
 * OpsAlerts SNS topic) and after each local cycle (mailing the ops addresses through
 * local SES).
 */

/** Dependencies of {@link runOpsCheck}. */
export interface OpsCheckDeps {
  /** Sources to watch: the deployed (locally: implemented) and enabled ones. */
  sources: readonly SourceName[];
  state: Pick<SourceStatePort, 'get'>;
  alerts: AlertStatePort;
  publisher: OpsPublisher;
  /** The change log, to measure the notifier backlog (oldest change in the outbox). */
  changes?: Pick<ChangeLogPort, 'pendingNotification'>;
  clock: Clock;
  thresholds: AlertThresholds & { outboxMaxAgeMinutes?: number };
  /** @default DEFAULT_SCHEDULES */
  schedules?: Readonly<Record<SourceName, Schedule>>;
  /** Where the messages come from, for their footer. */
  origin: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** What one ops check saw and did. */
export interface OpsCheckOutcome {
  at: string;
  health: SourceHealth[];
  /** Notifications published (alerts, reminders, recoveries). */
  sent: OpsNotification[];
  /** Publishing or storing that failed; retried by the next check. */
  failures: Array<{ source: SourceName | 'outbox' | 'notifier'; error: string }>;
  /** Age of the oldest change still waiting for the notifier; 0 when none waits; undefined when not measured. */
  outboxOldestAgeSeconds?: number;
}

/**
 * Run one ops check. Per source the order is publish → store: if publishing fails the
 * alert state is not advanced and the next check tries again; if storing fails after a
 * publish, the next check may repeat that message (a duplicate beats a silent outage).
 */
export async function runOpsCheck(deps: OpsCheckDeps): Promise<OpsCheckOutcome> {
  const log = deps.log ?? (() => undefined);
  const now = deps.clock.now();
  const [stateList, alerts] = await Promise.all([Promise.all(deps.sources.map((s) => deps.state.get(s))), deps.alerts.list(deps.sources)]);
  const states = new Map<SourceName, SourceState>();
  for (const s of stateList) if (s) states.set(s.source, s);

  const actions = evaluateOps({
    sources: deps.sources,
    states,
    alerts,
    now,
    schedules: deps.schedules ?? DEFAULT_SCHEDULES,
    thresholds: deps.thresholds,
  });

  const outcome: OpsCheckOutcome = { at: now.toISOString(), health: actions.map((a) => a.health), sent: [], failures: [] };
  for (const action of actions) {
    try {
      if (action.notification) {
        await deps.publisher.publish(renderOpsNotification(action.notification, deps.origin), action.notification);
        outcome.sent.push(action.notification);
        log(`ops ${action.notification.type}`, { source: action.source, verdict: action.health.verdict, reason: action.health.reason });
      }
      if (action.next) await deps.alerts.put(action.next);
    } catch (err) {
      outcome.failures.push({ source: action.source, error: errorMessageOf(err) });
      log('ops check could not publish or store an alert; the next check retries', { source: action.source, error: errorMessageOf(err) });
    }
  }

  // Subscriber mail that failed for good: told once per event, publish → acknowledge.
  if (deps.alerts.deliveryEvents && deps.alerts.acknowledgeDelivery) {
    try {
      const due = evaluateDelivery(await deps.alerts.deliveryEvents(), now);
      if (due) {
        await deps.publisher.publish(renderOpsNotification(due.notification, deps.origin), due.notification);
        outcome.sent.push(due.notification);
        log('ops delivery alert', { events: due.notification.events.length, omitted: due.notification.omitted });
        await deps.alerts.acknowledgeDelivery(due.ackSeq, outcome.at);
      }
    } catch (err) {
      outcome.failures.push({ source: 'notifier', error: errorMessageOf(err) });
      log('ops check could not publish or store a delivery alert; the next check retries', { error: errorMessageOf(err) });
    }
  }

  if (deps.changes) {
    try {
      const [oldest] = await deps.changes.pendingNotification(1);
      outcome.outboxOldestAgeSeconds = oldest ? Math.max(0, Math.round((now.getTime() - Date.parse(oldest.detectedAt)) / 1000)) : 0;
    } catch (err) {
      outcome.failures.push({ source: 'outbox', error: errorMessageOf(err) });
    }
  }

  // Subscribers not getting alerts: the ops check's own backlog incident, publish → store.
  const maxAge = deps.thresholds.outboxMaxAgeMinutes;
  if (maxAge !== undefined && deps.alerts.backlogAlert && deps.alerts.putBacklogAlert && outcome.outboxOldestAgeSeconds !== undefined) {
    try {
      const { notification, next } = evaluateBacklog(
        outcome.outboxOldestAgeSeconds,
        maxAge,
        await deps.alerts.backlogAlert(),
        now,
        deps.thresholds,
      );
      if (notification) {
        await deps.publisher.publish(renderOpsNotification(notification, deps.origin), notification);
        outcome.sent.push(notification);
        log(`ops backlog ${notification.phase}`, { ageSeconds: notification.ageSeconds });
      }
      if (next) await deps.alerts.putBacklogAlert(next);
    } catch (err) {
      outcome.failures.push({ source: 'outbox', error: errorMessageOf(err) });
      log('ops check could not publish or store the backlog alert; the next check retries', { error: errorMessageOf(err) });
    }
  }
  log('ops check complete', {
    unhealthy: outcome.health.filter((h) => h.verdict !== 'ok').map((h) => `${h.source}:${h.verdict}`),
    sent: outcome.sent.length,
    failures: outcome.failures.length,
    outboxOldestAgeSeconds: outcome.outboxOldestAgeSeconds,
  });
  return outcome;
}
