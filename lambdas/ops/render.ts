import type { OpsMessage } from '#core/ports.ts';
import type { BacklogNotification, DeliveryNotification, OpsNotification } from './alerts.ts';
import type { SourceHealth } from './health.ts';

/** SNS accepts only printable ASCII in a subject, up to 100 characters. */
const SUBJECT_MAX = 100;

function asciiLine(value: string, max: number): string {
  const clean = value
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}

function duration(fromIso: string, toIso: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60_000));
  if (minutes < 90) return `${minutes} min`;
  const hours = minutes / 60;
  return hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} days`;
}

function healthLines(h: SourceHealth): string[] {
  const lines = [
    `Source:               ${h.source}`,
    `Verdict:              ${h.verdict}`,
    `Why:                  ${h.reason}`,
    `Last success:         ${h.lastSuccessAt ?? 'never'}`,
    `Last attempt:         ${h.lastAttemptAt ?? 'never'}`,
    `Consecutive failures: ${h.consecutiveFailures}`,
  ];
  if (h.lastError) lines.push(`Last error:           [${h.lastError.kind}] ${h.lastError.message} (at ${h.lastError.at})`);
  if (h.blockedUntil) lines.push(`Blocked until:        ${h.blockedUntil}`);
  for (const w of h.warnings ?? []) lines.push(`Warning:              [${w.kind}] ${w.message} (at ${w.at})`);
  if (h.staleAt) lines.push(`${h.stale ? 'Stale since:  ' : 'Stale from:   '}        ${h.staleAt} (if no run succeeds before)`);
  return lines;
}

/** Runbook anchor per verdict, in docs/operations.md. */
function runbook(h: SourceHealth): string {
  const anchor = h.verdict === 'blocked' ? 'source-blocked' : h.stale && h.consecutiveFailures === 0 ? 'source-stale' : 'source-failing';
  return `Runbook: docs/operations.md#${anchor}`;
}

/**
 * Render a notification. `origin` says where it comes from (e.g. "AWS 123456789012
 * us-east-1" or "local runtime"), so an operator with several deployments knows which.
 */
export function renderOpsNotification(n: OpsNotification, origin: string): OpsMessage {
  const footer = [
    '',
    `From: export-watch ops check (${origin})`,
    'Check now: export-watch status (add --table <StateTableName> --region <region> for a deployment)',
    'This goes to the ops list only; subscribers never receive ops mail.',
  ];
  switch (n.type) {
    case 'delivery':
      return renderDelivery(n, footer);
    case 'backlog':
      return renderBacklog(n, footer);
    case 'alert':
      return {
        subject: asciiLine(`[export-watch ops] ALERT: ${n.source} is ${n.health.verdict}`, SUBJECT_MAX),
        text: [
          `${n.source} needs attention: ${n.health.reason}.`,
          '',
          ...healthLines(n.health),
          `Incident opened:      ${n.openedAt}`,
          '',
          runbook(n.health),
          'Reminders follow while it stays broken (1 h, 2 h, 4 h ... at most daily); one notice when it recovers.',
          ...footer,
        ].join('\n'),
      };
    case 'reminder':
      return {
        subject: asciiLine(`[export-watch ops] REMINDER ${n.reminder}: ${n.source} still ${n.health.verdict}`, SUBJECT_MAX),
        text: [
          `${n.source} is still broken, ${duration(n.openedAt, n.at)} after the alert (incident opened ${n.openedAt}): ${n.health.reason}.`,
          '',
          ...healthLines(n.health),
          `Reminder:             ${n.reminder}; next not before ${n.nextReminderAt}`,
          '',
          runbook(n.health),
          ...footer,
        ].join('\n'),
      };
    case 'recovery':
      return {
        subject: asciiLine(`[export-watch ops] RECOVERED: ${n.source} is ${n.health.verdict}`, SUBJECT_MAX),
        text: [
          `${n.source} has recovered after ${duration(n.openedAt, n.recoveredAt)} (incident opened ${n.openedAt}, closed ${n.recoveredAt}).`,
          n.wasVerdict === 'degraded'
            ? 'The source ran throughout; what its warnings named (e.g. an unresolved watch-list entry) was not watched meanwhile, and is baselined quietly now, without alerts for the gap.'
            : 'Missed changes are caught up by the source itself: its cursor did not move while it failed.',
          '',
          ...healthLines(n.health),
          ...footer,
        ].join('\n'),
      };
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The notifier's backlog: alert, reminders, recovery. */
function renderBacklog(n: BacklogNotification, footer: string[]): OpsMessage {
  const age = duration(new Date(Date.parse(n.at) - n.ageSeconds * 1000).toISOString(), n.at);
  const subject =
    n.phase === 'recovery'
      ? '[export-watch ops] RECOVERED: notifier backlog cleared'
      : n.phase === 'reminder'
        ? `[export-watch ops] REMINDER ${n.reminder ?? 1}: notifier backlog, oldest change waiting ${age}`
        : `[export-watch ops] ALERT: notifier backlog, oldest change waiting ${age}`;
  const lines =
    n.phase === 'recovery'
      ? [
          `The notifier has caught up (backlog since ${n.openedAt}, cleared ${n.at}); nothing was lost: undelivered changes stay in the outbox until sent.`,
        ]
      : [
          `Subscribers are not getting alerts: the oldest change waiting for the notifier is ${age} old (limit ${n.maxAgeMinutes} min, ops.outboxMaxAgeMinutes).`,
          `Backlog since:        ${n.openedAt}`,
          '',
          'Runbook: docs/operations.md#notifier-backlog',
        ];
  return { subject: asciiLine(subject, SUBJECT_MAX), text: [...lines, ...footer].join('\n') };
}

/** Rejected messages and parked subscribers: each event once, with what to do. */
function renderDelivery(n: DeliveryNotification, footer: string[]): OpsMessage {
  const parked = n.events.filter((e) => e.type === 'parked');
  const rejected = n.events.filter((e) => e.type === 'rejected');
  const parts = [
    parked.length ? `${plural(parked.length, 'subscriber')} parked` : '',
    rejected.length ? `${plural(rejected.length, 'message')} rejected` : '',
  ].filter(Boolean);
  if (n.omitted > 0) parts.push(`${n.omitted} more event(s)`);
  const lines = [
    'Subscriber mail failed in a way no retry fixes; these subscribers did not get (some) alerts.',
    '',
    ...n.events.map((e) =>
      e.type === 'parked'
        ? `PARKED    ${e.email} at ${e.at}: ${e.detail}${e.changes ? ` (${e.changes} pending change(s) not sent)` : ''}`
        : `REJECTED  ${e.email} at ${e.at}: ${e.detail}${e.changes ? ` (${e.changes} change(s) in the message)` : ''}`,
    ),
  ];
  if (n.omitted > 0) lines.push(`... and ${n.omitted} earlier event(s) no longer held; see the notifier's logs.`);
  lines.push(
    '',
    `Recorded in total: ${n.totals.rejected} rejected message(s), ${n.totals.parked} parking(s).`,
    'A parked subscriber gets no mail until re-enabled: fix the address or the SES identity, then',
    '  export-watch subscribers update <email> --reconfirm',
    'A rejected message is recorded per change ("rejected: ..." in the deliveries) and not retried.',
    'Runbook: docs/reliability.md#subscriber-mail-on-busy-days-and-failing-sends',
    ...footer,
  );
  return { subject: asciiLine(`[export-watch ops] DELIVERY: ${parts.join(', ')}`, SUBJECT_MAX), text: lines.join('\n') };
}
