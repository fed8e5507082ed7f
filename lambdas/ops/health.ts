import { Cron } from 'croner';
import type { SourceName } from '#core/change.ts';
import type { SourceErrorKind } from '#core/errors.ts';
import type { HealthVerdict, SourceState } from '#core/ports.ts';
import { SCHEDULE_TIME_ZONE, type Schedule, toCronPattern } from '#core/schedule.ts';

/**
 * Source health: a pure function of a source's state item, its schedule and "now". No
 * AWS, no I/O: the ops check, the local runtime and `export-watch status` all call it.
 */

/** The knobs of health evaluation (the `ops` section of the config). */
export interface HealthThresholds {
  /** Consecutive failed runs that make a source alert-worthy. */
  failureThreshold: number;
  /** Consecutive failed runs, the last one an upstream block, that make a source alert-worthy. */
  blockedThreshold: number;
  /** Scheduled runs that may pass without a success before the source is stale. */
  stalenessMultiplier: number;
  /** Extra minutes after the last of those runs (a run may still be going). */
  staleGraceMinutes: number;
}

/** The health of one source at one instant. */
export interface SourceHealth {
  source: SourceName;
  verdict: HealthVerdict;
  /** The condition that opens (and keeps open) an ops incident holds. */
  alerting: boolean;
  /** One line for humans: why the verdict is what it is. */
  reason: string;
  stale: boolean;
  /**
   * When the source is (or will be) stale if no run succeeds before: the Nth scheduled
   * run after the reference instant, plus the grace. Undefined without a reference.
   */
  staleAt?: string;
  consecutiveFailures: number;
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  lastError?: { kind: SourceErrorKind; message: string; at: string };
  blockedUntil?: string;
  /** Partial failures of the last successful run (the source works, minus these). */
  warnings?: Array<{ kind: SourceErrorKind; message: string; at: string }>;
  /**
   * A live lease on the source: a run holds it (or was killed holding it), and every other
   * run skips the source until `until`. Only shown when given and not yet expired.
   */
  lease?: { holder: string; until: string };
}

/** A source's lease item as health evaluation needs it (the store's `SourceLease` fits). */
export interface HeldLease {
  owner: string;
  until: string;
}

/**
 * The instant a source becomes stale: the `multiplier`-th scheduled run strictly after
 * `since`, plus `graceMinutes`. Counting scheduled runs rather than wall-clock time is
 * what makes it business-hours aware: sec-filings runs Mon–Fri 06:00–22:59 ET only, so a
 * success on Friday at 22:50 stays fresh until Monday's third run (06:20) plus the grace,
 * and nights and weekends are never stale. The cron is evaluated in America/New_York, as
 * the deployed schedules are, so daylight-saving changes are followed too.
 */
export function staleAfter(schedule: Schedule, since: Date, multiplier: number, graceMinutes: number): Date | undefined {
  const cron = new Cron(toCronPattern(schedule), { timezone: SCHEDULE_TIME_ZONE, paused: true });
  const runs = cron.nextRuns(multiplier, since);
  cron.stop();
  const last = runs[multiplier - 1];
  return last ? new Date(last.getTime() + graceMinutes * 60_000) : undefined;
}

/**
 * Evaluate one source.
 *
 * @param state the source's state item; undefined when it never ran.
 * @param watchedSince when the ops check first saw the source: the staleness reference
 *   while it has never succeeded, so a source whose Lambda never runs at all goes stale.
 * @param lease the source's lease item, if any: a live one is named in the reason, since
 *   it explains why runs skip the source (e.g. "never-run" after a first run was killed).
 */
export function evaluateSourceHealth(
  source: SourceName,
  state: SourceState | undefined,
  schedule: Schedule,
  now: Date,
  thresholds: HealthThresholds,
  watchedSince?: string,
  lease?: HeldLease,
): SourceHealth {
  const failures = state?.consecutiveFailures ?? 0;
  const lastError = state?.lastError;
  const reference = state?.lastSuccessAt ?? watchedSince;
  const staleAtDate = reference
    ? staleAfter(schedule, new Date(reference), thresholds.stalenessMultiplier, thresholds.staleGraceMinutes)
    : undefined;
  const stale = staleAtDate !== undefined && now.getTime() >= staleAtDate.getTime();
  const blocked = failures > 0 && lastError?.kind === 'blocked';
  const failingOverThreshold = failures >= (blocked ? thresholds.blockedThreshold : thresholds.failureThreshold);
  // Warnings come from the last success and stay until a success without them: an unknown
  // ticker does not heal by retrying, so they alert at once and keep the incident open
  // through failed runs in between (no recovery notice while the problem is still there).
  const warnings = state?.warnings ?? [];

  let verdict: HealthVerdict;
  if (blocked) verdict = 'blocked';
  else if (failures > 0) verdict = 'failing';
  else if (stale) verdict = 'stale';
  else if (warnings.length > 0) verdict = 'degraded';
  else if (!state?.lastAttemptAt && !state?.lastSuccessAt) verdict = 'never-run';
  else verdict = 'ok';

  const reasons: string[] = [];
  if (failures > 0 && lastError) {
    reasons.push(`${failures} consecutive failed run(s), last [${lastError.kind}] ${lastError.message}`);
  } else if (failures > 0) {
    reasons.push(`${failures} consecutive failed run(s)`);
  }
  // Any failure that set a cool-down (an SEC block, or a Retry-After on 429/503): runs skip
  // the source until then, so the reason must say why nothing is happening.
  if (failures > 0 && state?.blockedUntil && state.blockedUntil > now.toISOString())
    reasons.push(`cooling down until ${state.blockedUntil}`);
  if (stale && staleAtDate) {
    reasons.push(
      state?.lastSuccessAt
        ? `no successful run since ${state.lastSuccessAt} (stale since ${staleAtDate.toISOString()}: ${thresholds.stalenessMultiplier} scheduled runs missed)`
        : `no successful run since monitoring began at ${watchedSince} (stale since ${staleAtDate.toISOString()})`,
    );
  }
  if (verdict === 'degraded') {
    reasons.push(`last run succeeded with ${warnings.length} warning(s): ${warnings.map((w) => `[${w.kind}] ${w.message}`).join('; ')}`);
  }
  if (reasons.length === 0) {
    reasons.push(verdict === 'never-run' ? 'has not run yet' : `last success ${state?.lastSuccessAt}`);
  }
  const liveLease = lease && lease.until > now.toISOString() ? lease : undefined;
  if (liveLease)
    reasons.push(
      `lease held by ${liveLease.owner} until ${liveLease.until} (a run is in progress or was killed; other runs skip the source until then)`,
    );

  const health: SourceHealth = {
    source,
    verdict,
    alerting: failingOverThreshold || stale || warnings.length > 0,
    reason: reasons.join('; '),
    stale,
    consecutiveFailures: failures,
  };
  if (staleAtDate) health.staleAt = staleAtDate.toISOString();
  if (state?.lastAttemptAt) health.lastAttemptAt = state.lastAttemptAt;
  if (state?.lastSuccessAt) health.lastSuccessAt = state.lastSuccessAt;
  if (lastError) health.lastError = lastError;
  if (state?.blockedUntil) health.blockedUntil = state.blockedUntil;
  if (warnings.length > 0) health.warnings = warnings;
  if (liveLease) health.lease = { holder: liveLease.owner, until: liveLease.until };
  return health;
}
