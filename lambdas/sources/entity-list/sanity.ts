import { SourceError } from '#core/errors.ts';

/**
 * Plausibility bounds checked before a list diff is published. Like the OpenSanctions
 * count assertions (docs/upstreams.md §7), a snapshot outside them fails the cycle with
 * `SourceError('sanity')` instead of mailing thousands of removals; the cursor stays,
 * and the next plausible snapshot is diffed against the last good one.
 */
export interface SanityBounds {
  /** Largest relative move of the total entry count between snapshots (0.1 = ±10%). */
  maxCountChange: number;
  /** Largest relative move of one list's count (looser: small lists grow by whole rules). */
  maxListChange: number;
  /** Lists smaller than this are not ratio-checked on their own (but may not vanish). */
  minListSizeForCheck: number;
  /**
   * Largest share of the previous entries one snapshot may amend (0.25 = 25%); default
   * {@link DEFAULT_AMEND_BOUNDS}. Optional so bounds written before it keep their meaning.
   */
  maxAmendedShare?: number;
  /** Amendments up to this many are never refused, whatever their share; default {@link DEFAULT_AMEND_BOUNDS}. */
  minAmendedForCheck?: number;
}

/**
 * The amended-share bound (issue 19, item 6). A reformat upstream (every address rewritten,
 * a field renamed) keeps the count and so passes the count bounds, yet turns every row into
 * an `entity.amended` change. A BIS rule revises tens, at most a few hundred, of ~3,400
 * entries, so 25% leaves room for a large rule and still stops a rewrite of the whole list. The floor of 50 keeps small lists (a 40-entry MEU list whose
 * rule amends a dozen entries, a test list of 4) from being refused on a share alone.
 */
export const DEFAULT_AMEND_BOUNDS: Required<Pick<SanityBounds, 'maxAmendedShare' | 'minAmendedForCheck'>> = {
  maxAmendedShare: 0.25,
  minAmendedForCheck: 50,
};

/** ±10% overall (the bound), ±50% for lists of 20+ entries. */
export const DEFAULT_SANITY_BOUNDS: SanityBounds = { maxCountChange: 0.1, maxListChange: 0.5, minListSizeForCheck: 20 };

/** Entry counts of one snapshot. */
export interface SnapshotCounts {
  count: number;
  listCounts: Record<string, number>;
}

function pct(ratio: number): string {
  return `${ratio >= 0 ? '+' : '−'}${(Math.abs(ratio) * 100).toFixed(1)}%`;
}

/**
 * Throw `SourceError('sanity')` when the new snapshot is implausible: no entries at all,
 * a total count moving beyond `maxCountChange`, a list that vanished, or a sizeable list
 * moving beyond `maxListChange`. Only lists selected in both snapshots are compared, so
 * adding or dropping a list in the configuration is not a "jump".
 */
export function checkSanity(
  current: SnapshotCounts,
  previous: SnapshotCounts | undefined,
  bounds: SanityBounds = DEFAULT_SANITY_BOUNDS,
): void {
  if (current.count === 0) {
    throw new SourceError(
      'sanity',
      `parsed screening list is empty (no rows of ${Object.keys(current.listCounts).join('; ') || 'the selected lists'}); refusing to publish`,
    );
  }
  if (!previous) return;
  const common = Object.keys(current.listCounts).filter((l) => l in previous.listCounts);
  const before = common.reduce((n, l) => n + (previous.listCounts[l] ?? 0), 0);
  const after = common.reduce((n, l) => n + (current.listCounts[l] ?? 0), 0);
  if (before > 0) {
    const ratio = (after - before) / before;
    if (Math.abs(ratio) > bounds.maxCountChange) {
      throw new SourceError(
        'sanity',
        `entry count moved from ${before} to ${after} (${pct(ratio)}), beyond the ±${(bounds.maxCountChange * 100).toFixed(0)}% bound; refusing to publish until a plausible list is served`,
      );
    }
  }
  for (const l of common) {
    const b = previous.listCounts[l] ?? 0;
    const a = current.listCounts[l] ?? 0;
    if (b > 0 && a === 0) throw new SourceError('sanity', `list "${l}" vanished (${b} entries before, none now); refusing to publish`);
    if (b >= bounds.minListSizeForCheck) {
      const ratio = (a - b) / b;
      if (Math.abs(ratio) > bounds.maxListChange) {
        throw new SourceError(
          'sanity',
          `list "${l}" moved from ${b} to ${a} entries (${pct(ratio)}), beyond the ±${(bounds.maxListChange * 100).toFixed(0)}% bound; refusing to publish`,
        );
      }
    }
  }
}

/**
 * Throw `SourceError('sanity')` when a diff would amend more than `maxAmendedShare` of the
 * `previousEntries` (entries of the lists selected in both snapshots), unless the amendments
 * number no more than `minAmendedForCheck`. Checked after the diff and before any draft is
 * returned, so a refused snapshot writes nothing and the next one is diffed against the last
 * good one.
 */
export function checkAmendedShare(amended: number, previousEntries: number, bounds: Partial<SanityBounds> = {}): void {
  const maxShare = bounds.maxAmendedShare ?? DEFAULT_AMEND_BOUNDS.maxAmendedShare;
  const floor = bounds.minAmendedForCheck ?? DEFAULT_AMEND_BOUNDS.minAmendedForCheck;
  if (amended <= floor || previousEntries <= 0) return;
  const share = amended / previousEntries;
  if (share > maxShare) {
    throw new SourceError(
      'sanity',
      `${amended} of ${previousEntries} entries (${(share * 100).toFixed(1)}%) would be amended, beyond the ${(maxShare * 100).toFixed(0)}% bound; refusing to publish until a plausible list is served (a reformatted list?)`,
    );
  }
}
