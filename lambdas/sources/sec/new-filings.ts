import type { Change } from '#core/change.ts';
import type { SourceContext } from '#core/source.ts';
import { type NewFiling, readFilingNew } from './filing-ref.ts';

/**
 * The read loop of the analyses fed by `sec-filings` (regional revenue, export-control
 * language): the `filing.new` changes logged since their cursor, oldest first, each filing
 * once, cut to the cycle's budget. Each analysis keeps its own cursor rule (how far `since`
 * moves and which accessions it remembers); this only reads.
 */

/** A `filing.new` change an analysis will read, with the fields it reads from it. */
export interface PendingFiling {
  change: Change;
  filing: NewFiling;
}

/** Options of {@link readNewFilings}. */
export interface NewFilingsQuery {
  /** `detectedAt` the cursor reached; undefined on the first run. */
  since: string | undefined;
  /** Accessions the cursor says were analysed already. */
  processed: readonly string[];
  /** How far back the first run looks, in ms. */
  lookbackMs: number;
  /** The query starts this long before `since` (0: exactly at `since`; the query is inclusive). */
  overlapMs: number;
  /** Filings analysed per cycle; the rest wait for the next run. */
  maxPerCycle: number;
  /** True when the analysis reads this filing (its forms, its 8-K items). */
  analyses(filing: NewFiling): boolean;
}

/** What one read of the change log found. */
export interface NewFilingsRead {
  /** The cursor's `since`, or the first run's look-back start. */
  since: string;
  /** Every change the query returned, oldest first (the cursor moves past all of them when no backlog is left). */
  found: Change[];
  /** The filings to analyse this cycle, oldest first, at most `maxPerCycle`. */
  batch: PendingFiling[];
  /** True when more filings than `maxPerCycle` were waiting. */
  backlog: boolean;
}

/** Oldest first; one `sec-filings` cycle stamps all its changes alike, so the natural key breaks ties. */
export function byDetectedAt(a: Change, b: Change): number {
  return a.detectedAt < b.detectedAt ? -1 : a.detectedAt > b.detectedAt ? 1 : a.naturalKey.localeCompare(b.naturalKey);
}

/**
 * Read the `filing.new` changes logged since `query.since` (less `overlapMs`) and pick the
 * batch: filings the analysis reads, not yet processed, each accession once (its first
 * change), oldest first so the cursor only moves forward.
 */
export async function readNewFilings(
  ctx: Pick<SourceContext<unknown>, 'clock' | 'config' | 'queryChanges'>,
  query: NewFilingsQuery,
): Promise<NewFilingsRead> {
  const since = query.since ?? new Date(ctx.clock.now().getTime() - query.lookbackMs).toISOString();
  const processed = new Set(query.processed);
  const querySince = query.overlapMs === 0 ? since : new Date(Date.parse(since) - query.overlapMs).toISOString();

  const found: Change[] = [];
  for await (const change of ctx.queryChanges({ source: 'sec-filings', kind: 'filing.new', since: querySince })) found.push(change);
  // The log answers newest first.
  found.sort(byDetectedAt);
  const pending = new Map<string, PendingFiling>();
  for (const change of found) {
    if (change.kind !== 'filing.new') continue;
    const filing = readFilingNew(change, ctx.config.urls.secWww);
    if (!filing || !query.analyses(filing) || processed.has(filing.accession) || pending.has(filing.accession)) continue;
    pending.set(filing.accession, { change, filing });
  }
  const batch = [...pending.values()].slice(0, query.maxPerCycle);
  return { since, found, batch, backlog: pending.size > batch.length };
}
