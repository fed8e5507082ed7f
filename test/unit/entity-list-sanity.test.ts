import { describe, expect, it } from 'vitest';
import { SourceError } from '#core/errors.ts';
import { ENTITY_LIST, MEU_LIST, UNVERIFIED_LIST } from '#sources/entity-list/lists.ts';
import { parseCsl } from '#sources/entity-list/parse.ts';
import {
  checkAmendedShare,
  checkSanity,
  DEFAULT_AMEND_BOUNDS,
  DEFAULT_SANITY_BOUNDS,
  type SnapshotCounts,
} from '#sources/entity-list/sanity.ts';
import { cslBody, entityListDemoRows } from '../support/upstreams/entity-list.ts';

const counts = (el: number, meu = 100, uvl = 200): SnapshotCounts => ({
  count: el + meu + uvl,
  listCounts: { [ENTITY_LIST]: el, [MEU_LIST]: meu, [UNVERIFIED_LIST]: uvl },
});

function failure(fn: () => void): SourceError | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof SourceError) return err;
    throw err;
  }
  return undefined;
}

describe('checkSanity', () => {
  const previous = counts(3400);

  it('accepts a first snapshot and moves within ±10%', () => {
    expect(failure(() => checkSanity(counts(3400), undefined))).toBeUndefined();
    expect(failure(() => checkSanity(counts(3540), previous))).toBeUndefined(); // a large FR rule: +140
    expect(failure(() => checkSanity(counts(3300), previous))).toBeUndefined();
  });

  it('rejects an empty list, even on the first run', () => {
    expect(failure(() => checkSanity(counts(0, 0, 0), undefined))?.kind).toBe('sanity');
    expect(failure(() => checkSanity(counts(0, 0, 0), previous))?.message).toMatch(/empty/);
  });

  it('rejects a list cut by half or grown by half', () => {
    const half = failure(() =>
      checkSanity({ count: 1850, listCounts: { [ENTITY_LIST]: 1700, [MEU_LIST]: 50, [UNVERIFIED_LIST]: 100 } }, previous),
    );
    expect(half?.kind).toBe('sanity');
    expect(half?.message).toMatch(/3700 to 1850 \(−50\.0%\)/);
    expect(
      failure(() => checkSanity({ count: 5550, listCounts: { [ENTITY_LIST]: 5100, [MEU_LIST]: 150, [UNVERIFIED_LIST]: 300 } }, previous))
        ?.kind,
    ).toBe('sanity');
  });

  it('rejects the planted −50% and +50% on the demo list', () => {
    const rows = entityListDemoRows('quiet');
    const parsed = (rs: typeof rows) => {
      const p = parseCsl(cslBody(rs));
      return { count: p.entries.length, listCounts: p.listCounts };
    };
    const base = parsed(rows);
    expect(failure(() => checkSanity(parsed(rows.filter((_, i) => i % 2 === 0)), base))?.kind).toBe('sanity');
    const grown = [...rows, ...rows.slice(0, 16).map((r) => ({ ...r, name: `${r.name} Copy` }))];
    expect(failure(() => checkSanity(parsed(grown), base))?.kind).toBe('sanity');
  });

  it('rejects a list that vanished or moved far although the total is within bounds', () => {
    expect(failure(() => checkSanity(counts(3500, 0), previous))?.message).toMatch(/vanished/);
    expect(failure(() => checkSanity(counts(3400, 100, 90), previous))?.message).toMatch(/Unverified/);
    // Small lists are not ratio-checked: 5 → 9 entries is a normal rule.
    expect(failure(() => checkSanity(counts(3400, 9, 200), counts(3400, 5, 200)))).toBeUndefined();
  });

  it('compares only lists selected in both snapshots', () => {
    const withSdn: SnapshotCounts = { count: 3700 + 17_000, listCounts: { ...previous.listCounts, SDN: 17_000 } };
    expect(failure(() => checkSanity(withSdn, previous))).toBeUndefined();
    expect(failure(() => checkSanity(previous, withSdn))).toBeUndefined();
  });

  it('takes its bound as a parameter', () => {
    expect(failure(() => checkSanity(counts(3800), previous, { ...DEFAULT_SANITY_BOUNDS, maxCountChange: 0.2 }))).toBeUndefined();
    expect(failure(() => checkSanity(counts(3500), previous, { ...DEFAULT_SANITY_BOUNDS, maxCountChange: 0.01 }))?.kind).toBe('sanity');
  });
});

describe('checkAmendedShare (issue 19, item 6)', () => {
  it('accepts a rule amending a few hundred entries of a 3,400-entry list', () => {
    expect(failure(() => checkAmendedShare(0, 3400))).toBeUndefined();
    expect(failure(() => checkAmendedShare(850, 3400))).toBeUndefined(); // exactly 25%
  });

  it('refuses a reformat amending most rows, saying how many and the bound', () => {
    const err = failure(() => checkAmendedShare(3409, 3409));
    expect(err?.kind).toBe('sanity');
    expect(err?.message).toMatch(/^3409 of 3409 entries \(100\.0%\) would be amended, beyond the 25% bound; refusing to publish/);
    expect(failure(() => checkAmendedShare(851, 3400))?.kind).toBe('sanity');
  });

  it('never refuses a small number of amendments, whatever the share (the absolute floor)', () => {
    expect(DEFAULT_AMEND_BOUNDS.minAmendedForCheck).toBe(50);
    expect(failure(() => checkAmendedShare(3, 4))).toBeUndefined();
    expect(failure(() => checkAmendedShare(50, 60))).toBeUndefined();
    expect(failure(() => checkAmendedShare(51, 60))?.kind).toBe('sanity');
  });

  it('takes its bound and floor as parameters', () => {
    expect(failure(() => checkAmendedShare(3409, 3409, { maxAmendedShare: 1 }))).toBeUndefined();
    expect(failure(() => checkAmendedShare(120, 3400, { maxAmendedShare: 0.02 }))?.message).toMatch(/beyond the 2% bound/);
    expect(failure(() => checkAmendedShare(10, 20, { minAmendedForCheck: 5 }))?.kind).toBe('sanity');
  });
});
