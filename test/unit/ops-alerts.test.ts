import { describe, expect, it } from 'vitest';
import type { SourceName } from '../../lambdas/core/change.ts';
import type { SourceState } from '../../lambdas/core/ports.ts';
import { DEFAULT_SCHEDULES } from '../../lambdas/core/schedule.ts';
import { type AlertState, type AlertThresholds, evaluateOps, reminderDelayMinutes, type SourceNotification } from '../../lambdas/ops/alerts.ts';

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
      schedules: DEFAULT_SCHEDULES,
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
      state = { ...previous, lastAttemptAt: at(), consecutiveFailures: previous.consecutiveFailures + 1, lastError: { kind, message: 'upstream down', at: at() } };
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
    expect(w.sent[0]).toMatchObject({ source: 'entity-list', openedAt: '2026-03-03T18:40:00.000Z', health: { verdict: 'failing', consecutiveFailures: 3 } });

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
      schedules: DEFAULT_SCHEDULES,
      thresholds,
    });
    expect(actions.map((a) => a.source)).toEqual(['federal-register']);
  });
});
