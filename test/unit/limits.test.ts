import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChangeDraft } from '#core/change.ts';
import { finalizeChange } from '#core/change.ts';
import { capArray, capDeep, capString, capDraft, capDraftData, DEFAULT_DRAFT_LIMITS, jsonBytes, TRUNCATION_MARKER } from '#core/limits.ts';

const draft = (over: Partial<ChangeDraft> = {}): ChangeDraft => ({
  source: 'federal-register',
  kind: 'fr.document',
  naturalKey: '2026-01234#published',
  subject: 'BIS',
  title: 'Entity List additions',
  summary: 'Rule; published 2026-10-02.',
  url: 'https://www.federalregister.gov/d/2026-01234',
  countries: ['CN'],
  data: { abstract: 'BIS adds entities.', cfrReferences: ['15 CFR 744'] },
  ...over,
});

describe('capString / capArray', () => {
  it('keeps a string that fits and cuts a longer one with a visible count', () => {
    expect(capString('abc', 3)).toBe('abc');
    expect(capString('abcdef', 3)).toBe('abc… [truncated: 3 more characters]');
  });

  it('never splits a surrogate pair', () => {
    const out = capString('a😀b', 2);
    expect(out.startsWith('a…')).toBe(true);
    expect(out).toContain('3 more characters');
  });

  it('keeps the first items and counts the rest', () => {
    expect(capArray([1, 2, 3], 5)).toEqual({ items: [1, 2, 3], omitted: 0 });
    expect(capArray([1, 2, 3, 4], 2)).toEqual({ items: [1, 2], omitted: 2 });
  });
});

describe('capDeep', () => {
  it('cuts a long string with the marker and counts cuts', () => {
    const { value, cuts } = capDeep({ note: 'x'.repeat(30_000), short: 'y' }, DEFAULT_DRAFT_LIMITS);
    expect(cuts).toBe(1);
    expect(value.note).toBe(`${'x'.repeat(20_000)}… [truncated: 10000 more characters]`);
    expect(value.short).toBe('y');
  });

  it('lets a field limit override the general one', () => {
    const addresses = Array.from({ length: 3000 }, (_, i) => ({ address: `${i} Road` }));
    const { value } = capDeep({ addresses, other: Array.from({ length: 600 }, (_, i) => i) }, DEFAULT_DRAFT_LIMITS);
    const v = value as Record<string, unknown>;
    expect((v.addresses as unknown[]).length).toBe(50);
    expect(v.addressesOmitted).toBe(2950);
    expect((v.other as unknown[]).length).toBe(500);
    expect(v.otherOmitted).toBe(100);
  });

  it('marks a nested array cut inside an array with a last element, and deep nesting with a marker', () => {
    const { value } = capDeep({ rows: [[1, 2, 3, 4]] }, { ...DEFAULT_DRAFT_LIMITS, array: 2 });
    expect(value).toEqual({ rows: [[1, 2, `${TRUNCATION_MARKER} 2 more items]`]] });
    const deep = capDeep({ a: { b: { c: 1 } } }, { ...DEFAULT_DRAFT_LIMITS, depth: 2 }).value;
    expect(deep).toEqual({ a: { b: `${TRUNCATION_MARKER} nested too deep]` } });
  });

  it('returns the very input object when nothing is cut', () => {
    const data = { a: [1, 2], b: { c: 'd' } };
    expect(capDeep(data, DEFAULT_DRAFT_LIMITS).value).toBe(data);
    expect(capDraftData(data)).toBe(data);
  });
});

describe('capDraft', () => {
  it('leaves a normal draft untouched (same object, same change id)', () => {
    const d = draft();
    expect(capDraft(d)).toBe(d);
  });

  it('cuts a 450 KB abstract, a long title and summary; the change stays far under 400 KB', () => {
    const huge = 'Export controls. '.repeat(27_000); // ~450 KB
    const d = draft({ title: huge, summary: huge, data: { abstract: huge } });
    const out = capDraft(d);
    expect(out.title.length).toBeLessThan(600);
    expect(out.summary.length).toBeLessThan(2_100);
    expect(String(out.data.abstract)).toMatch(/… \[truncated: \d+ more characters\]$/);
    expect(jsonBytes(finalizeChange(out, new Date(0)))).toBeLessThan(100_000);
    // Deterministic: the same upstream record gives the same change id every run.
    expect(finalizeChange(capDraft(d), new Date(0)).id).toBe(finalizeChange(out, new Date(0)).id);
  });

  it('drops non-codes from countries and bounds their number', () => {
    const out = capDraft(draft({ countries: ['CN', 'X'.repeat(50), ...Array.from({ length: 400 }, (_, i) => `C${i}`)] }));
    expect(out.countries).toHaveLength(DEFAULT_DRAFT_LIMITS.countries);
    expect(out.countries).not.toContain('X'.repeat(50));
  });
});

// Any JSON-ish value, including long strings, wide arrays and deep nesting.
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.nat({ max: 400_000 }).map((n) => '\u0001é😀'.repeat(Math.ceil(n / 4)).slice(0, n)),
    fc.array(tie('value'), { maxLength: 30 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 30 }),
    fc.nat({ max: 3000 }).chain((n) => fc.constant(Array.from({ length: n }, (_, i) => ({ address: `${i} Road`, city: 'City' })))),
  ),
}));

describe('capDraftData (property)', () => {
  it('capped data always serialises under the budget', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 12 }), jsonish.value, { maxKeys: 12 }),
        fc.constantFrom(300, 5_000, 50_000, DEFAULT_DRAFT_LIMITS.dataBytes),
        (data, budget) => {
          const out = capDraftData(data, { ...DEFAULT_DRAFT_LIMITS, dataBytes: budget });
          expect(jsonBytes(out)).toBeLessThanOrEqual(budget);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a whole draft with the default budget serialises far under 400 KB', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 12 }), jsonish.value, { maxKeys: 12 }), fc.string({ maxLength: 5 }), (data, t) => {
        const d = draft({ title: t.repeat(200_000), summary: t.repeat(300_000), data });
        expect(jsonBytes(finalizeChange(capDraft(d), new Date(0)))).toBeLessThan(300_000);
      }),
      { numRuns: 60 },
    );
  });

  it('normal-size input comes back unchanged', () => {
    const small = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 12 }), small, { maxKeys: 12 }), (data) => {
        expect(capDraftData(data)).toBe(data);
        expect(capDraft(draft({ data }))).toEqual(draft({ data }));
      }),
      { numRuns: 300 },
    );
  });
});
