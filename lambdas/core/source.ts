import { randomUUID } from 'node:crypto';
import type { Change, ChangeDraft, SourceName } from './change.ts';
import { finalizeChange } from './change.ts';
import type { AppConfig } from './config.ts';
import type { Clock } from './clock.ts';
import { errorKindOf, errorMessageOf, type SourceErrorKind } from './errors.ts';
import type { UpstreamClient } from './http.ts';
import type { ChangeLogPort, ChangeQuery, ItemWrite, SourceState, SourceStatePort, SourceWarning } from './ports.ts';

/** What a source sees during one cycle. */
export interface SourceContext<TCursor> {
  config: AppConfig;
  http: UpstreamClient;
  clock: Clock;
  /** The cursor of the last successful run; undefined on the first (baseline) run. */
  cursor: TCursor | undefined;
  /** Read extra state items written by earlier runs. */
  readItem(key: string): Promise<Record<string, unknown> | undefined>;
  readItems(keyPrefix: string): Promise<Array<{ key: string; value: Record<string, unknown> }>>;
  /**
   * Read the change log (newest first). Analyses fed by another source use it: the revenue
   * and export-language analyses read `filing.new` changes detected since their cursor.
   */
  queryChanges(query: ChangeQuery): AsyncIterable<Change>;
  log(message: string, fields?: Record<string, unknown>): void;
}

/** What one successful cycle produced. Nothing is written unless the whole cycle succeeded. */
export interface PollResult<TCursor> {
  changes: ChangeDraft[];
  cursor: TCursor;
  itemsSeen: number;
  itemWrites?: ItemWrite[];
  /**
   * Partial failures the cycle worked around: it succeeded for everything else, but ops must
   * hear about these (stored in the source state; the ops check alerts on them).
   */
  warnings?: SourceWarning[];
}

/** A source: fetch → parse → compare, returning changes and the next cursor. */
export interface SourceDefinition<TCursor = unknown> {
  name: SourceName;
  poll(ctx: SourceContext<TCursor>): Promise<PollResult<TCursor>>;
}

/** Outcome of one cycle, for logs, metrics and the CLI's exit summary. */
export type CycleOutcome =
  | { source: SourceName; status: 'ok'; baseline: boolean; changesCreated: number; duplicates: number; suppressed: number; itemsSeen: number; durationMs: number; warnings?: SourceWarning[] }
  | { source: SourceName; status: 'failed'; errorKind: SourceErrorKind; error: string; consecutiveFailures: number; durationMs: number }
  | { source: SourceName; status: 'skipped'; reason: string; durationMs: number };

export interface CycleDeps {
  config: AppConfig;
  http: UpstreamClient;
  clock: Clock;
  changes: ChangeLogPort;
  state: SourceStatePort;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** How long a run may hold its lease (≥ the Lambda timeout). */
  leaseMs?: number;
}

/** Most warnings kept per run (a watch-list of typos should not fill the state item). */
const MAX_WARNINGS = 20;

/** Cool-down after an upstream block (SEC lifts rate blocks ~10 min after traffic stops). */
export const BLOCK_COOL_DOWN_MS = 15 * 60 * 1000;

/**
 * Run one cycle of a source: the use case behind every source Lambda, the local runtime
 * and the tests. Failures become state, never changes: the cursor stays where it was and
 * the next run catches up. Changes are written before the cursor, so a crash in between
 * only repeats work that the deterministic ids make idempotent.
 */
export async function runSourceCycle<TCursor>(source: SourceDefinition<TCursor>, deps: CycleDeps): Promise<CycleOutcome> {
  const started = deps.clock.now();
  const log = deps.log ?? (() => undefined);
  const elapsed = () => deps.clock.now().getTime() - started.getTime();
  const owner = randomUUID();
  const leaseUntil = new Date(started.getTime() + (deps.leaseMs ?? 15 * 60 * 1000));
  if (!(await deps.state.acquireLease(source.name, owner, leaseUntil, started))) {
    return { source: source.name, status: 'skipped', reason: 'another run of this source holds the lease', durationMs: elapsed() };
  }
  try {
    const previous = (await deps.state.get(source.name)) ?? { source: source.name, consecutiveFailures: 0 };
    if (previous.blockedUntil && previous.blockedUntil > started.toISOString()) {
      return { source: source.name, status: 'skipped', reason: `upstream blocked us; cooling down until ${previous.blockedUntil}`, durationMs: elapsed() };
    }
    const baseline = previous.cursor === undefined;
    let result: PollResult<TCursor>;
    try {
      result = await source.poll({
        config: deps.config,
        http: deps.http,
        clock: deps.clock,
        cursor: previous.cursor as TCursor | undefined,
        readItem: (key) => deps.state.getItem(source.name, key),
        readItems: (prefix) => deps.state.getItems(source.name, prefix),
        queryChanges: (query) => deps.changes.query(query),
        log: (message, fields) => log(message, { source: source.name, ...fields }),
      });
    } catch (err) {
      return await recordFailure(source.name, previous, err, deps, started, elapsed);
    }

    let created = 0;
    let duplicates = 0;
    try {
      if (!baseline) {
        const detectedAt = deps.clock.now();
        for (const draft of result.changes) {
          if (draft.source !== source.name) throw new Error(`source ${source.name} produced a change for ${draft.source}`);
          const outcome = await deps.changes.put(finalizeChange(draft, detectedAt), { notify: true });
          if (outcome === 'created') created++;
          else duplicates++;
        }
      }
      if (result.itemWrites?.length) await deps.state.putItems(source.name, result.itemWrites);
      const finished = deps.clock.now().toISOString();
      const warnings = (result.warnings ?? []).slice(0, MAX_WARNINGS).map((w) => ({ kind: w.kind, message: errorMessageOf(w.message), at: finished }));
      await deps.state.put({
        source: source.name,
        cursor: result.cursor,
        baselineAt: previous.baselineAt ?? (baseline ? finished : undefined),
        lastAttemptAt: started.toISOString(),
        lastSuccessAt: finished,
        consecutiveFailures: 0,
        itemsSeen: result.itemsSeen,
        lastChangeCount: created,
        ...(warnings.length > 0 ? { warnings } : {}),
      } as SourceState);
    } catch (err) {
      return await recordFailure(source.name, previous, err, deps, started, elapsed);
    }
    const outcome: CycleOutcome = {
      source: source.name,
      status: 'ok',
      baseline,
      changesCreated: created,
      duplicates,
      suppressed: baseline ? result.changes.length : 0,
      itemsSeen: result.itemsSeen,
      durationMs: elapsed(),
    };
    if (result.warnings?.length) outcome.warnings = result.warnings;
    log(baseline ? 'baseline recorded' : 'cycle complete', { ...outcome });
    return outcome;
  } finally {
    await deps.state.releaseLease(source.name, owner).catch(() => undefined);
  }
}

async function recordFailure(
  name: SourceName,
  previous: SourceState,
  err: unknown,
  deps: CycleDeps,
  started: Date,
  elapsed: () => number,
): Promise<CycleOutcome> {
  const kind = errorKindOf(err);
  const message = errorMessageOf(err);
  const at = deps.clock.now();
  const next: SourceState = {
    ...previous,
    source: name,
    lastAttemptAt: started.toISOString(),
    consecutiveFailures: previous.consecutiveFailures + 1,
    lastError: { kind, message, at: at.toISOString() },
  };
  if (kind === 'blocked') next.blockedUntil = new Date(at.getTime() + BLOCK_COOL_DOWN_MS).toISOString();
  await deps.state.put(next).catch(() => undefined); // storage down too: the run still reports the failure
  (deps.log ?? (() => undefined))('source failed', { source: name, errorKind: kind, error: message });
  return { source: name, status: 'failed', errorKind: kind, error: message, consecutiveFailures: next.consecutiveFailures, durationMs: elapsed() };
}
