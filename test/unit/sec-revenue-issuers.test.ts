import { describe, expect, it } from 'vitest';
import { breakdownsOf, evaluate, loadExpected } from '../support/issuer-conformance.ts';

/**
 * Regional revenue on 14 issuers' real filings (test/fixtures/sec/issuers: iXBRL and
 * instances, 2010–2025 taxonomies, old and new geographic axes, segment × region, custom
 * and overlapping members). Every breakdown a person reads from the filing's own table must
 * come out of the reader and extractor value for value, with both totals.
 * `npm run signal-quality` prints the same comparison as a table (docs/signal-quality.md).
 */
const expected = loadExpected();

describe('geographic revenue of real filings matches the filings’ own tables', () => {
  it('covers at least 12 issuers besides NVIDIA, Apple and Tesla', () => {
    expect(new Set(expected.map((e) => e.issuer)).size).toBeGreaterThanOrEqual(12);
  });

  it.each(
    expected.map(
      (e) =>
        [
          `${e.file} ${e.concept} ${e.period.start}..${e.period.end} ${Object.values(e.otherDimensions).join(' × ') || 'consolidated'}`,
          e,
        ] as const,
    ),
  )('%s', (_name, e) => {
    expect(evaluate(e).differences).toEqual([]);
  });

  it('a breakdown whose regions add up to its total is complete; shares use the total as base', () => {
    for (const e of expected) {
      const leaves = Object.entries(e.regions);
      const b = breakdownsOf(e.file).find(
        (x) =>
          x.concept === e.concept &&
          x.start === e.period.start &&
          x.end === e.period.end &&
          Object.keys(x.dimensions).length === Object.keys(e.otherDimensions).length,
      );
      if (!b || e.total === null) continue;
      const leafSum = b.regions.reduce((s, r) => s + r.value, 0);
      expect(b.sumOfRegions).toBe(leafSum);
      if (Math.abs(leafSum - e.total) <= b.tolerance) expect(b.complete, `${e.file} ${e.period.end}`).toBe(true);
      expect(b.shareBase).toBe('total');
      expect(leaves.length).toBeGreaterThan(0);
    }
  });
});
