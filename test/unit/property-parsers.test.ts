import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '#core/errors.ts';
import { escapeHtml, headerText } from '#core/escape.ts';
import { parseCsl } from '#sources/entity-list/parse.ts';
import { parseDocumentsPage, parsePublicInspectionCurrent } from '#sources/federal-register/api.ts';
import { diffPassages, wordDiff } from '#sources/sec-export-language/diff.ts';
import { extractText } from '#sources/sec/document-text.ts';
import { decodeFeed, parseFeed } from '#sources/sec-filings/feed.ts';
import { parseSubmissions } from '#sources/sec/submissions.ts';
import { readXbrlSync } from '#sources/sec-revenue/xbrl-reader.ts';
import { OWN_FIXTURES } from '../support/fixtures.ts';

/**
 * Property-based robustness: on random and randomly damaged input every parser either
 * returns or throws a classified SourceError — no other crash, no hang (each property runs
 * under a time limit), and the pure diff keeps its invariants.
 */

const RUNS = { numRuns: 150, interruptAfterTimeLimit: 20_000 };

/** Calls `fn`; passes if it returns or throws a SourceError, fails on anything else. */
function returnsOrSourceError(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (err instanceof SourceError) return true;
    throw err;
  }
}

/** Damage a document: cut it, splice random text in, or drop a slice. */
const damaged = (doc: string) =>
  fc.oneof(
    fc.nat({ max: doc.length }).map((n) => doc.slice(0, n)),
    fc.tuple(fc.nat({ max: doc.length }), fc.string({ maxLength: 40 })).map(([n, s]) => doc.slice(0, n) + s + doc.slice(n)),
    fc.tuple(fc.nat({ max: doc.length }), fc.nat({ max: 2000 })).map(([n, k]) => doc.slice(0, n) + doc.slice(n + k)),
  );

let feed = '';
let submissions = '';
let csl = '';
let frDocs = '';
let frPi = '';
let ixbrl = '';

beforeAll(() => {
  const read = (p: string) => readFileSync(`${OWN_FIXTURES}/${p}`);
  feed = decodeFeed(read('sec/feeds/getcurrent-news.atom.xml'));
  submissions = read('sec/submissions/CIK0001045810.json').toString();
  csl = read('entity-list/csl-demo-quiet.json').toString();
  const fr = JSON.parse(read('federal-register/demo-scenario.json').toString()) as Record<string, unknown>;
  const documents = fr.documents as unknown[];
  frDocs = JSON.stringify({ count: documents.length, description: 'BIS documents', results: documents });
  const pi = fr.publicInspectionDocuments as unknown[];
  frPi = JSON.stringify({
    count: pi.length,
    results: pi,
    special_filings_updated_at: '2026-10-02T16:15:00.000-04:00',
    regular_filings_updated_at: '2026-10-02T08:45:00.000-04:00',
  });
  ixbrl = read('sec-revenue/nvda-20250727-excerpt.htm').toString();
});

describe('parsers never crash on damaged or random input', () => {
  it('EDGAR Atom feed', () => {
    expect(parseFeed(feed).entries.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(damaged(feed), (xml) => returnsOrSourceError(() => parseFeed(xml))),
      RUNS,
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (xml) => returnsOrSourceError(() => parseFeed(xml))),
      RUNS,
    );
  });

  it('submissions JSON (any JSON value)', () => {
    expect(parseSubmissions(JSON.parse(submissions)).recent.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.jsonValue(), (v) => returnsOrSourceError(() => parseSubmissions(v))),
      RUNS,
    );
    fc.assert(
      fc.property(damaged(submissions), (text) => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return true; // the HTTP client reports invalid JSON as a parse error before this
        }
        return returnsOrSourceError(() => parseSubmissions(json));
      }),
      RUNS,
    );
  });

  it('consolidated screening list', () => {
    expect(parseCsl(csl).entries.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(damaged(csl), (text) => returnsOrSourceError(() => parseCsl(text))),
      RUNS,
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => returnsOrSourceError(() => parseCsl(JSON.stringify(v)))),
      RUNS,
    );
  });

  it('Federal Register documents and public inspection', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => returnsOrSourceError(() => parseDocumentsPage(v))),
      RUNS,
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => returnsOrSourceError(() => parsePublicInspectionCurrent(v))),
      RUNS,
    );
    for (const body of [frDocs, frPi]) {
      fc.assert(
        fc.property(damaged(body), (text) => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            return true;
          }
          return returnsOrSourceError(() => (body === frDocs ? parseDocumentsPage(json) : parsePublicInspectionCurrent(json)));
        }),
        RUNS,
      );
    }
  });

  it('XBRL reader (inline XBRL)', () => {
    expect(readXbrlSync(ixbrl).facts.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(damaged(ixbrl), (html) => returnsOrSourceError(() => readXbrlSync(html))),
      { ...RUNS, numRuns: 60 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => returnsOrSourceError(() => readXbrlSync(bytes))),
      RUNS,
    );
  });

  it('filing text extraction', () => {
    fc.assert(
      fc.property(damaged(ixbrl), (html) => returnsOrSourceError(() => extractText(html))),
      { ...RUNS, numRuns: 60 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (html) => returnsOrSourceError(() => extractText(html))),
      RUNS,
    );
  });
});

describe('diff invariants', () => {
  const paragraph = fc.array(fc.stringMatching(/^[A-Za-z0-9:.,]{1,12}$/), { minLength: 3, maxLength: 30 }).map((w) => w.join(' '));

  it('a word diff reproduces both texts (words exactly; jsdiff ignores whitespace-only differences)', () => {
    const words = (s: string) => s.replace(/\s+/g, '');
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (a, b) => {
        const ops = wordDiff(a, b);
        expect(
          words(
            ops
              .filter((o) => o.op !== 'insert')
              .map((o) => o.text)
              .join(''),
          ),
        ).toBe(words(a));
        expect(
          words(
            ops
              .filter((o) => o.op !== 'delete')
              .map((o) => o.text)
              .join(''),
          ),
        ).toBe(words(b));
      }),
      RUNS,
    );
  });

  it('passages compared with themselves, reordered or re-wrapped, never make a diff', () => {
    fc.assert(
      fc.property(fc.array(paragraph, { maxLength: 12 }), (paras) => {
        const same = diffPassages(paras, paras);
        expect(same.added.length + same.removed.length + same.changed.length).toBe(0);
        const shuffled = [...paras].reverse();
        const moved = diffPassages(paras, shuffled);
        expect(moved.added.length + moved.removed.length + moved.changed.length).toBe(0);
        const rewrapped = diffPassages(
          paras,
          paras.map((p) => p.replace(/ /g, '\n  ')),
        );
        expect(rewrapped.added.length + rewrapped.removed.length + rewrapped.changed.length).toBe(0);
      }),
      RUNS,
    );
  });

  it('a genuinely new paragraph is reported as added', () => {
    fc.assert(
      fc.property(fc.array(paragraph, { minLength: 1, maxLength: 8 }), (paras) => {
        const extra = 'The Commerce Department added new licence requirements for exports to Country Group D:5 zzqx';
        const result = diffPassages(paras, [...paras, extra]);
        expect(result.added.length + result.changed.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });
});

describe('hostile content in emails', () => {
  it('escaped HTML never contains markup; header text never contains line breaks', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500, unit: 'binary' }), (s) => {
        expect(escapeHtml(s)).not.toMatch(/[<>"']/);
        const h = headerText(s, 200);
        expect(h).not.toMatch(/[\r\n\u0000-\u001f\u2028\u2029]/);
        expect(h.length).toBeLessThanOrEqual(200);
      }),
      RUNS,
    );
  });
});
