import { describe, expect, it } from 'vitest';
import type { OpsNotification } from '#ops/alerts.ts';
import type { SourceHealth } from '#ops/health.ts';
import { formatHealthLine, healthReport } from '#ops/report.ts';
import { renderOpsNotification } from '#ops/render.ts';
import { FIXED_SCHEDULES } from '../support/schedules.ts';

const failing: SourceHealth = {
  source: 'entity-list',
  verdict: 'failing',
  alerting: true,
  reason: '3 consecutive failed run(s), last [network] GET https://data.trade.gov/… answered 500 after 4 attempt(s)',
  stale: false,
  staleAt: '2026-03-03T18:50:00.000Z',
  consecutiveFailures: 3,
  lastAttemptAt: '2026-03-03T18:40:00.000Z',
  lastSuccessAt: '2026-03-03T15:40:00.000Z',
  lastError: { kind: 'network', message: 'GET https://data.trade.gov/… answered 500 after 4 attempt(s)', at: '2026-03-03T18:40:05.000Z' },
};

describe('renderOpsNotification', () => {
  const notifications: OpsNotification[] = [
    { type: 'alert', source: 'entity-list', health: failing, openedAt: '2026-03-03T18:40:00.000Z' },
    {
      type: 'reminder',
      source: 'entity-list',
      health: failing,
      openedAt: '2026-03-03T18:40:00.000Z',
      at: '2026-03-03T21:40:00.000Z',
      reminder: 2,
      nextReminderAt: '2026-03-04T01:40:00.000Z',
    },
    {
      type: 'recovery',
      source: 'entity-list',
      health: { ...failing, verdict: 'ok', alerting: false, consecutiveFailures: 0 },
      openedAt: '2026-03-03T18:40:00.000Z',
      recoveredAt: '2026-03-04T02:10:00.000Z',
    },
  ];

  it('subjects are printable ASCII, one line, at most 100 characters (SNS e-mail subject rules)', () => {
    for (const n of notifications) {
      const { subject } = renderOpsNotification(n, 'AWS 123456789012 us-east-1');
      expect(subject).toMatch(/^[\x20-\x7e]{1,100}$/);
    }
    const long = renderOpsNotification({ ...notifications[0]!, health: { ...failing, verdict: 'failing' } } as OpsNotification, 'x');
    expect(long.subject).toBe('[export-watch ops] ALERT: entity-list is failing');
  });

  it('says what is wrong, since when, the runbook, and where it comes from', () => {
    const alert = renderOpsNotification(notifications[0]!, 'local runtime, /tmp/x');
    expect(alert.text).toMatch(/entity-list needs attention: 3 consecutive failed run/);
    expect(alert.text).toMatch(/Last error: +\[network\]/);
    expect(alert.text).toMatch(/Incident opened: +2026-03-03T18:40:00.000Z/);
    expect(alert.text).toMatch(/Runbook: docs\/operations\.md#source-failing/);
    expect(alert.text).toMatch(/local runtime, \/tmp\/x/);
    expect(alert.text).toMatch(/subscribers never receive ops mail/);
    const reminder = renderOpsNotification(notifications[1]!, 'x');
    expect(reminder.subject).toBe('[export-watch ops] REMINDER 2: entity-list still failing');
    expect(reminder.text).toMatch(/still broken, 3\.0 h after the alert/);
    expect(reminder.text).toMatch(/next not before 2026-03-04T01:40:00.000Z/);
    const recovery = renderOpsNotification(notifications[2]!, 'x');
    expect(recovery.subject).toBe('[export-watch ops] RECOVERED: entity-list is ok');
    expect(recovery.text).toMatch(/recovered after 7\.5 h/);
  });

  it('a recovery from a failure says missed changes are caught up; one from warnings says the gap is not alerted', () => {
    const fromFailure = renderOpsNotification({ ...notifications[2]!, wasVerdict: 'failing' } as OpsNotification, 'x');
    expect(fromFailure.text).toMatch(/caught up by the source itself/);
    const fromDegraded = renderOpsNotification({ ...notifications[2]!, wasVerdict: 'degraded' } as OpsNotification, 'x');
    expect(fromDegraded.text).not.toMatch(/caught up/);
    expect(fromDegraded.text).toMatch(/was not watched meanwhile/);
  });

  it('points a block and a pure staleness at their own runbooks', () => {
    const blocked = renderOpsNotification({ ...notifications[0]!, health: { ...failing, verdict: 'blocked' } } as OpsNotification, 'x');
    expect(blocked.text).toMatch(/#source-blocked/);
    const stale = renderOpsNotification(
      { ...notifications[0]!, health: { ...failing, verdict: 'stale', stale: true, consecutiveFailures: 0 } } as OpsNotification,
      'x',
    );
    expect(stale.text).toMatch(/#source-stale/);
    expect(stale.subject).toBe('[export-watch ops] ALERT: entity-list is stale');
  });

  it('keeps a hostile error message out of the subject line', () => {
    const evil = renderOpsNotification(
      {
        type: 'alert',
        source: 'federal-register',
        health: { ...failing, source: 'federal-register', verdict: 'failing\r\nBcc: x@evil.example' as never },
        openedAt: 'x',
      },
      'x',
    );
    expect(evil.subject).not.toMatch(/[\r\n]/);
  });
});

describe('status lines', () => {
  const thresholds = {
    failureThreshold: 3,
    blockedThreshold: 1,
    stalenessMultiplier: 3,
    staleGraceMinutes: 10,
    reminderInitialMinutes: 60,
    reminderMaxMinutes: 1440,
  };
  const now = new Date('2026-03-03T16:00:00Z');

  it('shows a verdict per source, never-run ones included, in the wording scripts match', () => {
    const rows = healthReport(
      ['sec-filings', 'federal-register', 'entity-list'],
      [
        { source: 'sec-filings', lastAttemptAt: '2026-03-03T15:55:00Z', lastSuccessAt: '2026-03-03T15:55:00Z', consecutiveFailures: 0 },
        {
          source: 'entity-list',
          lastAttemptAt: '2026-03-03T15:40:00Z',
          lastSuccessAt: '2026-03-03T14:40:00Z',
          consecutiveFailures: 1,
          lastError: { kind: 'parse', message: 'bad JSON', at: '2026-03-03T15:40:01Z' },
        },
      ],
      new Map(),
      now,
      thresholds,
      FIXED_SCHEDULES,
    );
    const lines = rows.map((r) => formatHealthLine(r, thresholds));
    expect(lines[0]).toMatch(
      /^sec-filings: OK — last success 2026-03-03T15:55:00Z, .*consecutive failures 0, stale from 2026-03-03T16:30:00.000Z if no run succeeds$/,
    );
    expect(lines[1]).toBe('federal-register: NEVER-RUN — last success never, last attempt never, consecutive failures 0');
    expect(lines[2]).toMatch(
      /^entity-list: FAILING — .*consecutive failures 1, last error \[parse\] bad JSON, stale from 2026-03-03T17:50:00.000Z if no run succeeds; alerts ops at 3 consecutive failures$/,
    );
  });

  it('shows an open ops incident', () => {
    const rows = healthReport(
      ['entity-list'],
      [
        {
          source: 'entity-list',
          lastAttemptAt: '2026-03-03T15:40:00Z',
          lastSuccessAt: '2026-03-03T11:40:00Z',
          consecutiveFailures: 4,
          lastError: { kind: 'network', message: '500', at: '2026-03-03T15:40:01Z' },
        },
      ],
      new Map([
        [
          'entity-list',
          {
            source: 'entity-list',
            watchedSince: '2026-03-01T00:00:00Z',
            incident: {
              openedAt: '2026-03-03T13:45:00Z',
              verdict: 'failing',
              reason: 'x',
              lastAlertAt: '2026-03-03T14:45:00Z',
              remindersSent: 1,
            },
          },
        ],
      ]),
      now,
      thresholds,
      FIXED_SCHEDULES,
    );
    expect(formatHealthLine(rows[0]!, thresholds)).toMatch(
      /stale since 2026-03-03T14:50:00.000Z; OPS INCIDENT open since 2026-03-03T13:45:00Z \(1 reminder\(s\), last alert 2026-03-03T14:45:00Z\)$/,
    );
  });
});
