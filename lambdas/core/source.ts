import { randomUUID } from 'node:crypto';
import type { Change, ChangeDraft, SourceName } from './change.ts';
import { finalizeChange } from './change.ts';
import type { AppConfig } from './config.ts';
import type { Clock } from './clock.ts';
import { errorKindOf, errorMessageOf, SourceError, type SourceErrorKind } from './errors.ts';
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
  | {
      source: SourceName;
      status: 'ok';
      baseline: boolean;
      changesCreated: number;
      duplicates: number;
      suppressed: number;
      itemsSeen: number;
      durationMs: number;
      warnings?: SourceWarning[];
    }
  | { source: SourceName; status: 'failed'; errorKind: SourceErrorKind; error: string; consecutiveFailures: number; durationMs: number }
  | { source: SourceName; status: 'skipped'; reason: string; durationMs: number };

export interface CycleDeps {
  config: AppConfig;
  http: UpstreamClient;
  clock: Clock;
  changes: ChangeLogPort;
  state: SourceStatePort;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** How long a run may hold its lease (≥ the Lambda timeout). Default {@link DEFAULT_LEASE_MS}. */
  leaseMs?: number;
  /**
   * Wall-clock budget of the poll in milliseconds, counted from the start of the cycle
   * (the Lambda handler derives it from the remaining invocation time, keeping a margin for
   * the write phase). At the deadline the poll is abandoned and its HTTP requests aborted:
   * the cycle is recorded as a `timeout` failure, nothing of it is written and the lease is
   * released. Undefined: no deadline (local runtime, CLI).
   */
  deadlineMs?: number;
}

/** Lease length when the caller does not say (≥ the 5-minute source function timeout). */
export const DEFAULT_LEASE_MS = 15 * 60 * 1000;

/** Most warnings kept per run (a watch-list of typos should not fill the state item). */
const MAX_WARNINGS = 20;

/** Cool-down after an upstream block (SEC lifts rate blocks ~10 min after traffic stops). */
export const BLOCK_COOL_DOWN_MS = 15 * 60 * 1000;

/**
 * Longest cool-down taken from an upstream's Retry-After (429, or 503 with Retry-After).
 * The upstream's wish is honoured up to 6 hours: long enough to stop hammering a host that
 * asked for a day's silence, short enough that a mistaken or hostile header cannot silence
 * a source for days (ops see the cool-down in health, and the source goes stale).
 */
export const RATE_LIMIT_COOL_DOWN_MAX_MS = 6 * 60 * 60 * 1000;

/**
 * Largest serialised change (JSON bytes) the write phase accepts: safely under DynamoDB's
 * 400 KB item limit, leaving room for the index attributes the store adds (`day`,
 * `outbox`, `notifiedAt`). The same bound applies to each extra state item and the state
 * item itself.
 */
export const MAX_CHANGE_ITEM_BYTES = 350_000;

/**
 * Run one cycle of a source: the use case behind every source Lambda, the local runtime
 * and the tests. Failures become state, never changes: the cursor stays where it was and
 * the next run catches up. Every change is finalised and size-checked before the first
 * write, so a cycle refused for its content writes nothing. Changes are written before
 * the cursor, so a crash (or a storage error) in between only repeats work that the
 * deterministic ids make idempotent.
 */
export async function runSourceCycle<TCursor>(source: SourceDefinition<TCursor>, deps: CycleDeps): Promise<CycleOutcome> {
  const started = deps.clock.now();
  const startedReal = Date.now();
  const log = deps.log ?? (() => undefined);
  const elapsed = () => deps.clock.now().getTime() - started.getTime();
  const owner = randomUUID();
  const leaseUntil = new Date(started.getTime() + (deps.leaseMs ?? DEFAULT_LEASE_MS));
  if (!(await deps.state.acquireLease(source.name, owner, leaseUntil, started))) {
    return { source: source.name, status: 'skipped', reason: 'another run of this source holds the lease', durationMs: elapsed() };
  }
  try {
    const previous = (await deps.state.get(source.name)) ?? { source: source.name, consecutiveFailures: 0 };
    if (previous.blockedUntil && previous.blockedUntil > started.toISOString()) {
      const why =
        previous.lastError?.kind === 'blocked' || !previous.lastError
          ? 'upstream blocked us'
          : `upstream asked us to wait (${previous.lastError.kind})`;
      return {
        source: source.name,
        status: 'skipped',
        reason: `${why}; cooling down until ${previous.blockedUntil}`,
        durationMs: elapsed(),
      };
    }
    const baseline = previous.cursor === undefined;
    let result: PollResult<TCursor>;
    try {
      result = await pollWithin(source, deps, previous.cursor as TCursor | undefined, log, startedReal);
    } catch (err) {
      return await recordFailure(source.name, previous, err, deps, started, elapsed);
    }

    let created = 0;
    let duplicates = 0;
    try {
      // Everything that can refuse the cycle for its content is checked before the first write.
      const detectedAt = deps.clock.now();
      const changes = baseline
        ? []
        : result.changes.map((draft) => {
            if (draft.source !== source.name) throw new Error(`source ${source.name} produced a change for ${draft.source}`);
            return finalizeChange(draft, detectedAt);
          });
      for (const change of changes) {
        checkItemSize(`change ${change.id} (${change.kind}, ${change.naturalKey.slice(0, 80)})`, change);
      }
      for (const write of result.itemWrites ?? []) checkItemSize(`state item ${write.key.slice(0, 80)}`, write.value);
      const finished = deps.clock.now().toISOString();
      const warnings = (result.warnings ?? [])
        .slice(0, MAX_WARNINGS)
        .map((w) => ({ kind: w.kind, message: errorMessageOf(w.message), at: finished }));
      const nextState = {
        source: source.name,
        cursor: result.cursor,
        baselineAt: previous.baselineAt ?? (baseline ? finished : undefined),
        lastAttemptAt: started.toISOString(),
        lastSuccessAt: finished,
        consecutiveFailures: 0,
        itemsSeen: result.itemsSeen,
        lastChangeCount: 0,
        ...(warnings.length > 0 ? { warnings } : {}),
      } as SourceState;
      checkItemSize('source state (cursor)', nextState);

      for (const change of changes) {
        const outcome = await deps.changes.put(change, { notify: true });
        if (outcome === 'created') created++;
        else duplicates++;
      }
      if (result.itemWrites?.length) await deps.state.putItems(source.name, result.itemWrites);
      await deps.state.put({ ...nextState, lastChangeCount: created });
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

/**
 * Run the poll, racing it against the deadline when there is one. At the deadline the
 * poll's HTTP requests are aborted (its client view carries the signal) and its result,
 * should it still arrive, is dropped: the caller writes nothing of it.
 */
async function pollWithin<TCursor>(
  source: SourceDefinition<TCursor>,
  deps: CycleDeps,
  cursor: TCursor | undefined,
  log: NonNullable<CycleDeps['log']>,
  startedReal: number,
): Promise<PollResult<TCursor>> {
  const controller = deps.deadlineMs === undefined ? undefined : new AbortController();
  const poll = source.poll({
    config: deps.config,
    http: controller ? deps.http.withSignal(controller.signal) : deps.http,
    clock: deps.clock,
    cursor,
    readItem: (key) => deps.state.getItem(source.name, key),
    readItems: (prefix) => deps.state.getItems(source.name, prefix),
    queryChanges: (query) => deps.changes.query(query),
    log: (message, fields) => log(message, { source: source.name, ...fields }),
  });
  if (!controller || deps.deadlineMs === undefined) return poll;
  const budget = deps.deadlineMs;
  poll.catch(() => undefined); // an abandoned poll may still fail: that must not be an unhandled rejection
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        controller.abort();
        reject(
          new SourceError(
            'timeout',
            `cycle deadline of ${budget} ms reached (below the function timeout); poll abandoned, nothing written`,
          ),
        );
      },
      Math.max(0, startedReal + budget - Date.now()),
    );
  });
  deadline.catch(() => undefined);
  try {
    return await Promise.race([poll, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Refuse an item whose JSON form is over {@link MAX_CHANGE_ITEM_BYTES} (DynamoDB would reject it mid-cycle). */
function checkItemSize(what: string, value: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  if (bytes > MAX_CHANGE_ITEM_BYTES) {
    throw new SourceError(
      'sanity',
      `${what} is ${bytes} bytes serialised, over the ${MAX_CHANGE_ITEM_BYTES}-byte item limit; cycle refused, nothing written`,
    );
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
  else if (err instanceof SourceError && err.retryAfterMs !== undefined && err.retryAfterMs > 0) {
    // The upstream said when to come back (429/503 Retry-After): later runs stay away until then.
    next.blockedUntil = new Date(at.getTime() + Math.min(err.retryAfterMs, RATE_LIMIT_COOL_DOWN_MAX_MS)).toISOString();
  }
  await deps.state.put(next).catch(() => undefined); // storage down too: the run still reports the failure
  (deps.log ?? (() => undefined))('source failed', { source: name, errorKind: kind, error: message });
  return {
    source: name,
    status: 'failed',
    errorKind: kind,
    error: message,
    consecutiveFailures: next.consecutiveFailures,
    durationMs: elapsed(),
  };
}
