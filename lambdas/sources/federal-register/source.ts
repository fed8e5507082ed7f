import * as z from 'zod';
import type { SourceDefinition } from '#core/source.ts';
import { filterBisPublicInspection } from './api.ts';
import { addDays, easternDate } from '#core/time.ts';
import { DOC_ITEM_PREFIX, detectChanges, parseDocItems } from './detect.ts';
import { fetchBisDocuments, fetchPublicInspection } from './fetch.ts';

/** Look-back of the first (baseline) run, in days. */
export const BASELINE_LOOKBACK_DAYS = 30;

/**
 * Default look-back before the last success, in days (`federalRegister.lookbackDays`).
 * Documents appear in the API after their publication date: a correction (`C1-…`) or a
 * document whose BIS agency tag came late is listed with an older date than the newest
 * one already seen, so a cursor on the newest date would skip it for good. Re-reading a
 * window of dates instead costs nothing extra (BIS publishes a few documents a week: one
 * page of `PER_PAGE`, fetch.ts), and the per-document items plus the change log's conditional
 * puts on `<number>#published` keep the overlap from alerting twice. Counting back from the
 * last success, not from now, means a long outage widens the window rather than skipping.
 * Two weeks rather than a few days: the same single request covers longer delays.
 */
export const LOOKBACK_DAYS = 14;

/** The widest `federalRegister.lookbackDays` the config accepts (lambdas/core/config.ts). */
export const MAX_LOOKBACK_DAYS = 30;

/** Position of the source between runs. Small: the per-document state lives in items. */
export const FederalRegisterCursorSchema = z.object({
  v: z.literal(1),
  /** Start of the run that produced this cursor; the next window counts back from it. */
  lastSuccessAt: z.string(),
  /** `conditions[publication_date][gte]` of that run. */
  windowStart: z.string(),
  documentsCount: z.number(),
  publicInspection: z.object({
    regularUpdatedAt: z.string().nullable(),
    specialUpdatedAt: z.string().nullable(),
    bisCount: z.number(),
  }),
});
/** The cursor stored in the source state between runs. */
export type FederalRegisterCursor = z.infer<typeof FederalRegisterCursorSchema>;

/**
 * The first publication date to ask for: `lookbackDays` (default {@link LOOKBACK_DAYS})
 * before the Eastern date of the last success, {@link BASELINE_LOOKBACK_DAYS} on the first run.
 */
export function windowStartFor(cursor: FederalRegisterCursor | undefined, now: Date, lookbackDays = LOOKBACK_DAYS): string {
  if (!cursor) return addDays(easternDate(now), -BASELINE_LOOKBACK_DAYS);
  return addDays(easternDate(new Date(cursor.lastSuccessAt)), -lookbackDays);
}

/** True when `current` is an older list than `previous` (a stale cached copy). */
function olderThan(current: string | null, previous: string | null | undefined): boolean {
  if (!current || !previous) return false;
  const a = Date.parse(current);
  const b = Date.parse(previous);
  return Number.isFinite(a) && Number.isFinite(b) && a < b;
}

/** The later of two list update times (the newest list seen so far), or whichever exists. */
function latest(current: string | null, previous: string | null | undefined): string | null {
  if (!previous) return current;
  if (!current) return previous;
  return olderThan(current, previous) ? previous : current;
}

/**
 * Federal Register, BIS only: published rules and notices (`documents.json`, look-back
 * window, paged) and the public-inspection head start (`current.json`, filtered locally).
 * Two requests per cycle unless the window holds more than 100 documents. Documents are
 * deduplicated by number: one state item each, and deterministic change ids.
 */
export const federalRegisterSource: SourceDefinition<FederalRegisterCursor> = {
  name: 'federal-register',
  async poll(ctx) {
    const now = ctx.clock.now();
    const epochSeconds = Math.floor(now.getTime() / 1000);
    const base = ctx.config.urls.federalRegister;
    const parsedCursor = ctx.cursor === undefined ? undefined : FederalRegisterCursorSchema.safeParse(ctx.cursor);
    if (parsedCursor && !parsedCursor.success) ctx.log('federal register cursor unreadable; using the baseline window');
    const cursor = parsedCursor?.success ? parsedCursor.data : undefined;
    const windowStart = windowStartFor(cursor, now, ctx.config.federalRegister?.lookbackDays);

    const documents = await fetchBisDocuments(ctx.http, base, windowStart, epochSeconds, ctx.log);
    const current = await fetchPublicInspection(ctx.http, base, epochSeconds, ctx.log);

    // A shared cache can serve an older list (docs/upstreams.md §4.1). Processing it is safe:
    // its entries were all true, a withdrawal already seen is never undone (detect.ts) and
    // anything it lacks arrives with a fresher copy. Skipping it instead would risk losing
    // a day if the (unverified) update times do not grow the way we assume, so only log.
    const stale =
      olderThan(current.regularFilingsUpdatedAt, cursor?.publicInspection.regularUpdatedAt) ||
      olderThan(current.specialFilingsUpdatedAt, cursor?.publicInspection.specialUpdatedAt);
    if (stale) ctx.log('federal register public-inspection list is older than the last one seen (stale cache?)');
    const bisPi = filterBisPublicInspection(current.results);
    if (current.skipped)
      ctx.log('federal register public-inspection entries of other agencies skipped as malformed', { skipped: current.skipped });

    const { known, invalid } = parseDocItems(await ctx.readItems(DOC_ITEM_PREFIX));
    if (invalid.length) ctx.log('federal register state items unreadable; they will be rewritten', { keys: invalid.slice(0, 10) });

    // Items are kept for the widest window the config allows, not only this one: narrowing
    // the look-back and widening it again must not report old (or baseline) documents as new.
    const retainFrom = [windowStart, windowStartFor(cursor, now, MAX_LOOKBACK_DAYS)].sort()[0];
    const { changes, itemWrites } = detectChanges({
      published: documents.documents,
      publicInspection: bisPi,
      known,
      now,
      windowStart,
      retainFrom,
    });

    return {
      changes,
      itemsSeen: documents.documents.length + bisPi.length,
      itemWrites,
      cursor: {
        v: 1,
        lastSuccessAt: now.toISOString(),
        windowStart,
        documentsCount: documents.count,
        publicInspection: {
          regularUpdatedAt: latest(current.regularFilingsUpdatedAt, cursor?.publicInspection.regularUpdatedAt),
          specialUpdatedAt: latest(current.specialFilingsUpdatedAt, cursor?.publicInspection.specialUpdatedAt),
          bisCount: bisPi.length,
        },
      },
    };
  },
};
