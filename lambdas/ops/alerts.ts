import type { SourceName } from '#core/change.ts';
import type {
  AlertState,
  BacklogAlertState,
  DeliveryRecord,
  HealthVerdict,
  Incident,
  SequencedDeliveryEvent,
  SourceState,
} from '#core/ports.ts';
import type { Schedule } from '#core/schedule.ts';
import { evaluateSourceHealth, type HealthThresholds, type SourceHealth } from './health.ts';

/**
 * Ops alerting as a pure function: (health states, alert states, now, schedules,
 * thresholds) → actions. The use case (`check.ts`) publishes each action's notification
 * and then stores its next alert state; nothing here does I/O or knows about AWS.
 */

/** Alerting settings: health thresholds plus the reminder back-off. */
export interface AlertThresholds extends HealthThresholds {
  /** First reminder this long after the alert... */
  reminderInitialMinutes: number;
  /** ...each later one twice the previous wait, capped here. */
  reminderMaxMinutes: number;
}

/** What to tell ops about a source. */
export type SourceNotification =
  | { type: 'alert'; source: SourceName; health: SourceHealth; openedAt: string }
  | { type: 'reminder'; source: SourceName; health: SourceHealth; openedAt: string; at: string; reminder: number; nextReminderAt: string }
  | {
      type: 'recovery';
      source: SourceName;
      health: SourceHealth;
      openedAt: string;
      recoveredAt: string /** The verdict the incident last had (what recovered). */;
      wasVerdict?: HealthVerdict | undefined;
    };

/** What to tell ops: about a source, about subscriber mail that failed for good, or about the notifier's backlog. */
export type OpsNotification = SourceNotification | DeliveryNotification | BacklogNotification;

/** Subscribers are not getting alerts: the oldest undelivered change waits too long. */
export interface BacklogNotification {
  type: 'backlog';
  source: 'notifier';
  phase: 'alert' | 'reminder' | 'recovery';
  at: string;
  openedAt: string;
  /** Age of the oldest change waiting, in seconds (0 on recovery when the outbox is empty). */
  ageSeconds: number;
  maxAgeMinutes: number;
  reminder?: number;
}

/**
 * The backlog alert due, if any, and the next backlog state: one alert when the oldest
 * undelivered change passes `maxAgeMinutes`, reminders with the sources' back-off while
 * it stays, one recovery notice. The ops check's own alert, so that lean deployments need
 * no custom metric and alarm for it (issue 16: $0.40 a month); full adds the CloudWatch
 * alarm on the same age. `ageSeconds` undefined (not measured) changes nothing.
 */
export function evaluateBacklog(
  ageSeconds: number | undefined,
  maxAgeMinutes: number,
  previous: BacklogAlertState | undefined,
  now: Date,
  thresholds: Pick<AlertThresholds, 'reminderInitialMinutes' | 'reminderMaxMinutes'>,
): { notification?: BacklogNotification; next?: BacklogAlertState } {
  if (ageSeconds === undefined) return {};
  const at = now.toISOString();
  const late = ageSeconds > maxAgeMinutes * 60;
  const incident = previous?.incident;
  const base = { type: 'backlog', source: 'notifier', at, ageSeconds, maxAgeMinutes } as const;
  if (!incident) {
    if (!late) return {};
    return {
      notification: { ...base, phase: 'alert', openedAt: at },
      next: { ...previous, incident: { openedAt: at, lastAlertAt: at, remindersSent: 0, ageSeconds } },
    };
  }
  if (!late) return { notification: { ...base, phase: 'recovery', openedAt: incident.openedAt }, next: { lastRecoveryAt: at } };
  const due = Date.parse(incident.lastAlertAt) + reminderDelayMinutes(incident.remindersSent, thresholds) * 60_000;
  if (now.getTime() < due) return {};
  const reminder = incident.remindersSent + 1;
  return {
    notification: { ...base, phase: 'reminder', openedAt: incident.openedAt, reminder },
    next: { ...previous, incident: { ...incident, lastAlertAt: at, remindersSent: reminder, ageSeconds } },
  };
}

/** Subscriber mail that needs ops: messages SES refused for good, subscribers parked. */
export interface DeliveryNotification {
  type: 'delivery';
  source: 'notifier';
  at: string;
  /** Events not told yet, oldest first. */
  events: SequencedDeliveryEvent[];
  /** Events not told yet that the record no longer holds (a flood between two checks). */
  omitted: number;
  totals: DeliveryRecord['totals'];
}

/**
 * The delivery alert due, if any: every event recorded since the last one ops was told
 * of, in one message. Each event is told exactly once (the caller stores `ackSeq` after
 * publishing); there is no recovery notice, since each event is a fact, not a state.
 */
export function evaluateDelivery(
  record: DeliveryRecord | undefined,
  now: Date,
): { notification: DeliveryNotification; ackSeq: number } | undefined {
  if (!record || record.seq <= record.ackSeq) return undefined;
  const events = record.events.filter((e) => e.seq > record.ackSeq).sort((a, b) => a.seq - b.seq);
  const omitted = Math.max(0, record.seq - record.ackSeq - events.length);
  return {
    notification: { type: 'delivery', source: 'notifier', at: now.toISOString(), events, omitted, totals: record.totals },
    ackSeq: record.seq,
  };
}

/**
 * One source's outcome: the notification to publish (if any), then the alert state to
 * store. `next` is undefined when nothing changed (no write needed).
 */
export interface OpsAction {
  source: SourceName;
  health: SourceHealth;
  notification?: SourceNotification;
  next?: AlertState;
}

/** Inputs of {@link evaluateOps}. */
export interface OpsEvaluationInput {
  /** The sources to watch (deployed and enabled). */
  sources: readonly SourceName[];
  states: ReadonlyMap<SourceName, SourceState>;
  alerts: ReadonlyMap<SourceName, AlertState>;
  now: Date;
  schedules: Readonly<Record<SourceName, Schedule>>;
  thresholds: AlertThresholds;
}

/**
 * Wait before reminder number `remindersSent + 1`: initial × 2^remindersSent, capped
 * (defaults 1 h, 2 h, 4 h, 8 h, 16 h, 24 h, 24 h…). Back-off because a source that stays
 * broken for a day needs a nudge, not 96 identical mails.
 */
export function reminderDelayMinutes(
  remindersSent: number,
  thresholds: Pick<AlertThresholds, 'reminderInitialMinutes' | 'reminderMaxMinutes'>,
): number {
  // 2^20 minutes is two years: past any cap, and keeps the arithmetic finite.
  const factor = 2 ** Math.min(remindersSent, 20);
  return Math.min(thresholds.reminderInitialMinutes * factor, thresholds.reminderMaxMinutes);
}

/** When the next reminder of `incident` is due. */
export function nextReminderAt(incident: Incident, thresholds: AlertThresholds): Date {
  return new Date(Date.parse(incident.lastAlertAt) + reminderDelayMinutes(incident.remindersSent, thresholds) * 60_000);
}

/**
 * Decide, per source: open an incident (one alert) once it fails N consecutive runs or
 * goes stale; remind with back-off while it stays broken; send one recovery notice when
 * it heals. A source without an alert state gets one (its `watchedSince`), silently.
 */
export function evaluateOps(input: OpsEvaluationInput): OpsAction[] {
  const { now, thresholds } = input;
  const at = now.toISOString();
  return input.sources.map((source): OpsAction => {
    const previous = input.alerts.get(source);
    const watchedSince = previous?.watchedSince ?? at;
    const health = evaluateSourceHealth(source, input.states.get(source), input.schedules[source], now, thresholds, watchedSince);
    const base: AlertState = previous ?? { source, watchedSince };
    const incident = previous?.incident;

    if (!incident) {
      if (!health.alerting) return previous ? { source, health } : { source, health, next: base };
      const opened: Incident = { openedAt: at, verdict: health.verdict, reason: health.reason, lastAlertAt: at, remindersSent: 0 };
      return { source, health, notification: { type: 'alert', source, health, openedAt: at }, next: { ...base, incident: opened } };
    }

    if (!health.alerting) {
      const { incident: _closed, ...rest } = base;
      return {
        source,
        health,
        notification: { type: 'recovery', source, health, openedAt: incident.openedAt, recoveredAt: at, wasVerdict: incident.verdict },
        next: { ...rest, lastRecoveryAt: at },
      };
    }

    if (now.getTime() < nextReminderAt(incident, thresholds).getTime()) return { source, health };
    const reminded: Incident = {
      ...incident,
      verdict: health.verdict,
      reason: health.reason,
      lastAlertAt: at,
      remindersSent: incident.remindersSent + 1,
    };
    return {
      source,
      health,
      notification: {
        type: 'reminder',
        source,
        health,
        openedAt: incident.openedAt,
        at,
        reminder: reminded.remindersSent,
        nextReminderAt: nextReminderAt(reminded, thresholds).toISOString(),
      },
      next: { ...base, incident: reminded },
    };
  });
}
