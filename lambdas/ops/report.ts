import type { SourceName } from '#core/change.ts';
import type { AlertState, SourceState } from '#core/ports.ts';
import { DEFAULT_SCHEDULES, type Schedule } from '#core/schedule.ts';
import type { AlertThresholds } from './alerts.ts';
import { evaluateSourceHealth, type HeldLease, type SourceHealth } from './health.ts';

/** One row of `export-watch status`. */
export interface HealthReportRow {
  health: SourceHealth;
  alert: AlertState | undefined;
}

/**
 * Health of `sources` (plus any source that has a state item) as `status` shows it. Uses
 * the same evaluation as the ops check; a source the ops check has never seen and that
 * never ran is `never-run` rather than stale (there is no reference instant). A live lease
 * in `leases` is shown on its source's row.
 */
export function healthReport(
  sources: readonly SourceName[],
  states: readonly SourceState[],
  alerts: ReadonlyMap<SourceName, AlertState>,
  now: Date,
  thresholds: AlertThresholds,
  schedules: Readonly<Record<SourceName, Schedule>> = DEFAULT_SCHEDULES,
  leases: ReadonlyArray<HeldLease & { source: SourceName }> = [],
): HealthReportRow[] {
  const bySource = new Map(states.map((s) => [s.source, s]));
  const leaseOf = new Map(leases.map((l) => [l.source, l]));
  const names = [...new Set([...sources, ...bySource.keys()])];
  return names.map((source) => {
    const alert = alerts.get(source);
    return {
      health: evaluateSourceHealth(
        source,
        bySource.get(source),
        schedules[source],
        now,
        thresholds,
        alert?.watchedSince,
        leaseOf.get(source),
      ),
      alert,
    };
  });
}

/** A status line: `name: VERDICT — details`. Keeps the field wording scripts already match. */
export function formatHealthLine(row: HealthReportRow, thresholds: Pick<AlertThresholds, 'failureThreshold'>): string {
  const h = row.health;
  const parts = [
    `last success ${h.lastSuccessAt ?? 'never'}`,
    `last attempt ${h.lastAttemptAt ?? 'never'}`,
    `consecutive failures ${h.consecutiveFailures}`,
  ];
  let line = `${h.source}: ${h.verdict.toUpperCase()} — ${parts.join(', ')}`;
  if (h.lastError && h.consecutiveFailures > 0) line += `, last error [${h.lastError.kind}] ${h.lastError.message}`;
  if (h.blockedUntil && h.verdict === 'blocked') line += `, blocked until ${h.blockedUntil}`;
  if (h.warnings?.length) line += `, ${h.warnings.length} warning(s): ${h.warnings.map((w) => `[${w.kind}] ${w.message}`).join('; ')}`;
  if (h.lease) line += `, LEASE held by ${h.lease.holder} until ${h.lease.until} (runs skip the source until then)`;
  if (h.stale) line += `, stale since ${h.staleAt}`;
  else if (h.staleAt && h.verdict !== 'never-run') line += `, stale from ${h.staleAt} if no run succeeds`;
  const incident = row.alert?.incident;
  if (incident)
    line += `; OPS INCIDENT open since ${incident.openedAt} (${incident.remindersSent} reminder(s), last alert ${incident.lastAlertAt})`;
  else if (h.verdict === 'failing' && !h.alerting) line += `; alerts ops at ${thresholds.failureThreshold} consecutive failures`;
  return line;
}
