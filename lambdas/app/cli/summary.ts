import type { CycleOutcome } from '#core/source.ts';
import type { NotifierOutcome } from '#notify/notifier.ts';
import type { CycleSummary } from '../local/runtime.ts';

/** The lines `run` and `demo` print about a local cycle. */

/** One line about one source cycle. */
export function describeOutcome(o: CycleOutcome): string {
  switch (o.status) {
    case 'ok': {
      const warnings = o.warnings?.length ? `; ${o.warnings.length} WARNING(S): ${o.warnings.map((w) => w.message).join('; ')}` : '';
      return o.baseline
        ? `${o.source}: baseline recorded (${o.itemsSeen} items seen, ${o.suppressed} existing items not alerted)${warnings}`
        : `${o.source}: ok, ${o.changesCreated} new change(s), ${o.duplicates} already known, ${o.itemsSeen} items seen${warnings}`;
    }
    case 'failed':
      return `${o.source}: FAILED [${o.errorKind}] ${o.error} (consecutive failures: ${o.consecutiveFailures}; state not advanced)`;
    case 'skipped':
      return `${o.source}: skipped (${o.reason})`;
  }
}

/** One line about one notifier run. */
export function describeNotifier(n: NotifierOutcome): string {
  const extra = [n.digestsSent ? `${n.digestsSent} digest(s)` : '', n.confirmationsSent ? `${n.confirmationsSent} confirmation(s)` : '']
    .filter(Boolean)
    .join(', ');
  return `notifier: ${n.pending} pending change(s), ${n.emailsSent} email(s) sent${extra ? ` (${extra})` : ''}, ${n.deliveries} deliveries recorded${n.failures.length ? `, ${n.failures.length} FAILED: ${n.failures.map((f) => `${f.email}: ${f.error}`).join('; ')}` : ''}`;
}

/** One line about one ops check. */
export function describeOps(ops: CycleSummary['ops']): string {
  const unhealthy = ops.health.filter((h) => h.verdict !== 'ok');
  const health =
    unhealthy.length === 0 ? `all ${ops.health.length} source(s) ok` : unhealthy.map((h) => `${h.source} ${h.verdict}`).join(', ');
  const sent = ops.sent.length ? `, sent ${ops.sent.map((n) => `${n.type} (${n.source})`).join(', ')}` : '';
  const failed = ops.failures.length
    ? `, ${ops.failures.length} FAILED: ${ops.failures.map((f) => `${f.source}: ${f.error}`).join('; ')}`
    : '';
  return `ops check: ${health}${sent}${failed}`;
}

/** Print a cycle; true when no source failed and every email went out. */
export function printSummary(summary: CycleSummary, out: (line: string) => void): boolean {
  for (const o of summary.sources) out(describeOutcome(o));
  out(describeNotifier(summary.notifier));
  out(describeOps(summary.ops));
  return summary.sources.every((o) => o.status !== 'failed') && summary.notifier.failures.length === 0;
}
