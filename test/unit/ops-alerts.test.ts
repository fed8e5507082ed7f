import { describe, expect, it } from 'vitest';
import type { SourceName } from '#core/change.ts';
import type { AlertState, SourceState } from '#core/ports.ts';
import { FIXED_SCHEDULES } from '../support/schedules.ts';
import {
  type AlertThresholds,
  type DeliveryNotification,
  evaluateDelivery,
  evaluateOps,
  reminderDelayMinutes,
  type SourceNotification,
} from '#ops/alerts.ts';
import { renderOpsNotification } from '#ops/render.ts';

const thresholds: AlertThresholds = {
  failureThreshold: 3,
  blockedThreshold: 1,
  stalenessMultiplier: 3,
  staleGraceMinutes: 10,
  reminderInitialMinutes: 60,
  reminderMaxMinutes: 24 * 60,
};
const MIN = 60_000;

/**
 * A little world: one source whose state the test changes, and the ops check run at
 * chosen instants; alert states are carried over like the store would.
 */
function world(source: SourceName, start: string) {
  let now = new Date(start).getTime();
  let state: SourceState | undefined;
  const alerts = new Map<SourceName, AlertState>();
  const sent: Array<SourceNotification & { when: string }> = [];
  const check = () => {
    const actions = evaluateOps({
      sources: [source],
      states: new Map(state ? [[source, state]] : []),
      alerts,
      now: new Date(now),
      schedules: FIXED_SCHEDULES,
      thresholds,
    });
    for (const a of actions) {
      if (a.notification) sent.push({ ...a.notification, when: new Date(now).toISOString() });
      if (a.next) alerts.set(a.source, a.next);
    }
    return actions;
  };
  const at = () => new Date(now).toISOString();
  return {
    sent,
    alerts,
    check,
    advance: (ms: number) => {
      now += ms;
    },
    succeed: () => {
      state = { source, cursor: {}, lastAttemptAt: at(), lastSuccessAt: at(), consecutiveFailures: 0 };
    },
    fail: (kind: 'network' | 'blocked' = 'network') => {
      const previous = state ?? { source, consecutiveFailures: 0 };
      state = {
        ...previous,
        lastAttemptAt: at(),
        consecutiveFailures: previous.consecutiveFailures + 1,
        lastError: { kind, message: 'upstream down', at: at() },
      };
    },
  };
}

describe('reminderDelayMinutes', () => {
  it('backs off 1 h, 2 h, 4 h … and caps at 24 h', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => reminderDelayMinutes(n, thresholds))).toEqual([60, 120, 240, 480, 960, 1440, 1440, 1440]);
  });
});

describe('evaluateOps', () => {
  it('records when it first sees a source, silently', () => {
    const w = world('entity-list', '2026-03-03T15:00:00Z');
    const [action] = w.check();
    expect(action?.notification).toBeUndefined();
    expect(action?.next).toEqual({ source: 'entity-list', watchedSince: '2026-03-03T15:00:00.000Z' });
    // Nothing changed: no write the second time.
    expect(w.check()[0]?.next).toBeUndefined();
  });

  it('one alert at the failure threshold, reminders with back-off while broken, one recovery when healed', () => {
    const w = world('entity-list', '2026-03-03T15:40:00Z'); // Tue, hourly source
    w.succeed();
    w.check();
    for (let run = 1; run <= 2; run++) {
      w.advance(60 * MIN);
      w.fail();
      w.check();
    }
    expect(w.sent).toEqual([]);
    w.advance(60 * MIN);
    w.fail();
    w.check();
    expect(w.sent.map((n) => n.type)).toEqual(['alert']);
    expect(w.sent[0]).toMatchObject({
      source: 'entity-list',
      openedAt: '2026-03-03T18:40:00.000Z',
      health: { verdict: 'failing', consecutiveFailures: 3 },
    });

    // The source keeps failing every hour; the ops check runs every 15 min for two days.
    for (let minute = 15; minute <= 48 * 60; minute += 15) {
      w.advance(15 * MIN);
      if (minute % 60 === 0) w.fail();
      w.check();
    }
    const reminders = w.sent.filter((n) => n.type === 'reminder');
    const hoursAfterAlert = reminders.map((n) => (Date.parse(n.when) - Date.parse('2026-03-03T18:40:00Z')) / (60 * MIN));
    // 1, 1+2, 1+2+4, … capped gaps of 24 h.
    expect(hoursAfterAlert).toEqual([1, 3, 7, 15, 31]);
    expect(reminders.map((n) => (n.type === 'reminder' ? n.reminder : 0))).toEqual([1, 2, 3, 4, 5]);
    expect(w.sent.filter((n) => n.type === 'alert')).toHaveLength(1);
    const last = reminders.at(-1);
    expect(last?.type === 'reminder' && last.nextReminderAt).toBe(new Date(Date.parse(last!.when) + 24 * 60 * MIN).toISOString());

    w.advance(15 * MIN);
    w.succeed();
    w.check();
    w.advance(15 * MIN);
    w.check();
    const recoveries = w.sent.filter((n) => n.type === 'recovery');
    expect(recoveries).toHaveLength(1);
    expect(recoveries[0]).toMatchObject({ openedAt: '2026-03-03T18:40:00.000Z', health: { verdict: 'ok' } });
    expect(w.alerts.get('entity-list')?.incident).toBeUndefined();
    expect(w.alerts.get('entity-list')?.lastRecoveryAt).toBeDefined();
  });

  it('a new failure streak after recovery opens a new incident', () => {
    const w = world('federal-register', '2026-03-03T15:00:00Z');
    w.succeed();
    w.check();
    for (let i = 0; i < 3; i++) {
      w.advance(15 * MIN);
      w.fail();
      w.check();
    }
    w.advance(15 * MIN);
    w.succeed();
    w.check();
    for (let i = 0; i < 3; i++) {
      w.advance(15 * MIN);
      w.fail();
      w.check();
    }
    expect(w.sent.map((n) => n.type)).toEqual(['alert', 'recovery', 'alert']);
  });

  it('a source whose function never runs at all is alerted as stale, and recovers on its first success', () => {
    const w = world('entity-list', '2026-03-03T15:00:00Z');
    for (let i = 0; i < 16; i++) {
      w.check();
      w.advance(15 * MIN);
    }
    expect(w.sent.map((n) => [n.type, n.health.verdict])).toEqual([['alert', 'stale']]);
    expect(w.sent[0]?.when).toBe('2026-03-03T18:00:00.000Z'); // runs due 15:40, 16:40, 17:40 + 10 min grace → first check after 17:50
    w.succeed();
    w.check();
    expect(w.sent.map((n) => n.type)).toEqual(['alert', 'recovery']);
  });

  it('an SEC source is not alerted over a weekend with no runs (outside filing hours)', () => {
    const w = world('sec-filings', '2026-03-07T03:45:00Z'); // Fri 22:45 ET
    w.succeed();
    for (let t = 0; t < 55 * 4; t++) {
      w.check();
      w.advance(15 * MIN);
    } // until Mon ~06:50 ET
    const alert = w.sent.find((n) => n.type === 'alert');
    // Monday 06:00/06:10/06:20 EDT missed + grace → stale from 06:30 EDT (10:30Z).
    expect(alert?.when).toBe('2026-03-09T10:30:00.000Z');
  });

  it('a block alerts at once (blockedThreshold 1)', () => {
    const w = world('sec-filings', '2026-03-03T15:00:00Z');
    w.succeed();
    w.check();
    w.advance(10 * MIN);
    w.fail('blocked');
    w.check();
    expect(w.sent.map((n) => [n.type, n.health.verdict])).toEqual([['alert', 'blocked']]);
  });

  it('evaluates only the sources it is given (disabled or undeployed sources are not watched)', () => {
    const actions = evaluateOps({
      sources: ['federal-register'],
      states: new Map(),
      alerts: new Map(),
      now: new Date('2026-03-03T15:00:00Z'),
      schedules: FIXED_SCHEDULES,
      thresholds,
    });
    expect(actions.map((a) => a.source)).toEqual(['federal-register']);
  });
});

describe('delivery alerts (issue 19, item 1)', () => {
  const now = new Date('2026-03-02T15:00:00Z');
  const event = (seq: number, type: 'rejected' | 'parked' = 'rejected') => ({
    seq,
    type,
    email: `s${seq}@example.com`,
    at: '2026-03-02T14:00:00.000Z',
    detail: 'MessageRejected: not verified',
  });

  it('tells each event once: nothing when acknowledged, only the new ones otherwise, and counts those no longer held', () => {
    expect(evaluateDelivery(undefined, now)).toBeUndefined();
    expect(
      evaluateDelivery({ seq: 3, ackSeq: 3, totals: { rejected: 3, parked: 0 }, events: [event(1), event(2), event(3)] }, now),
    ).toBeUndefined();
    const due = evaluateDelivery({ seq: 3, ackSeq: 1, totals: { rejected: 3, parked: 0 }, events: [event(1), event(2), event(3)] }, now);
    expect(due?.ackSeq).toBe(3);
    expect(due?.notification.events.map((e) => e.seq)).toEqual([2, 3]);
    expect(due?.notification.omitted).toBe(0);
    // 60 events since the last check, 50 kept: 10 are counted, not listed.
    const flood = Array.from({ length: 50 }, (_, i) => event(i + 11));
    const many = evaluateDelivery({ seq: 60, ackSeq: 0, totals: { rejected: 60, parked: 0 }, events: flood }, now);
    expect(many?.notification.omitted).toBe(10);
    const message = renderOpsNotification(many?.notification as DeliveryNotification, 'test');
    expect(message.subject).toBe('[export-watch ops] DELIVERY: 50 messages rejected, 10 more event(s)');
    expect(message.subject.length).toBeLessThanOrEqual(100);
  });

  it('names parked subscribers and how to re-enable them', () => {
    const due = evaluateDelivery(
      { seq: 1, ackSeq: 0, totals: { rejected: 0, parked: 1 }, events: [{ ...event(1, 'parked'), changes: 260 }] },
      now,
    );
    const message = renderOpsNotification(due?.notification as DeliveryNotification, 'test');
    expect(message.subject).toBe('[export-watch ops] DELIVERY: 1 subscriber parked');
    expect(message.text).toContain('PARKED    s1@example.com');
    expect(message.text).toContain('(260 pending change(s) not sent)');
    expect(message.text).toContain('subscribers update <email> --reconfirm');
  });
});
