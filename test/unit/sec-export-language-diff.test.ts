import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { alignParagraphs, shingles, similarity } from '#sources/sec-export-language/align.ts';
import { exportLanguageChange, type FilingRef } from '#sources/sec-export-language/detect.ts';
import { changedPassage, diffPassages, isEmptyDiff, readableDiff, type WordOp, wordDiff } from '#sources/sec-export-language/diff.ts';
import { comparisonKey } from '#sources/sec/normalise.ts';
import { analyseFiling } from '#sources/sec-export-language/passages.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';
import { EXPORT_LANGUAGE_FIXTURES } from '../support/upstreams/sec-export-language.ts';

const A = 'The USG requires a license to export our H20 products to China (including Hong Kong and Macau) and D:5 countries.';
const B = 'Export controls may disrupt our supply chain and distribution channels, including in markets outside China.';
const C = 'In January 2025 the Commerce Department published the AI Diffusion rule, which would require licenses for exports worldwide.';
const C2 =
  'In January 2025 the Commerce Department published the AI Diffusion rule, which would have required licenses for exports worldwide. In May 2025 the USG said it would rescind it.';
const D =
  'BIS added several companies in China and Singapore to the Entity List, so sales to them need a licence that is unlikely to be granted.';

const filing: FilingRef = {
  cik: '1045810',
  subject: 'NVDA',
  companyName: 'NVIDIA CORP',
  accession: '0001045810-25-000209',
  form: '10-Q',
  url: 'https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm',
  occurredAt: undefined,
};

/**
 * A copy of a filing laid out differently: text re-wrapped over new lines, page numbers
 * renumbered, page breaks moved (one now cutting an export paragraph in two), curly quotes
 * straightened and the usual naming variants swapped (USG → U.S. government, license →
 * licence, D:5 → D5). None of it is a change.
 */
function rewrap(html: string, cut: { after: string; continues: string }): string {
  let out = html.replace(
    />(\d{1,3})<\/span><\/div><\/div><\/div><hr/g,
    (_m, n: string) => `>${Number(n) + 100}</span></div></div></div><hr`,
  );
  out = out.replace(/<hr style="page-break-after:always"\/>/g, (m, offset: number) => (offset % 3 === 0 ? '' : m));
  let paragraphs = 0;
  out = out.replace(/<div style="margin-bottom:9pt;text-align:justify">/g, (m) =>
    ++paragraphs % 10 === 0 ? `<div>${paragraphs}</div><hr style="page-break-after:always"/>${m}` : m,
  );
  const at = out.indexOf(`${cut.after} ${cut.continues}`);
  if (at < 0) throw new Error('cut point not found');
  out = `${out.slice(0, at + cut.after.length)}</span></div><div style="text-align:center"><span>999</span></div><hr style="page-break-after:always"/><div><span>${out.slice(at + cut.after.length + 1)}`;
  out = out.replace(
    />([^<]{40,})</g,
    (_m, text: string) =>
      `>${text
        .replace(/the USG/g, 'the U.S. government')
        .replace(/\blicense\b/g, 'licence')
        .replace(/D:5/g, 'D5')
        .replace(/ /g, '\n   ')}<`,
  );
  return out.replace(/&#8220;|&#8221;/g, '"').replace(/&#8217;/g, "'");
}

describe('paragraph alignment', () => {
  it('pairs equal wording wherever it stands (a moved paragraph is no change)', () => {
    const al = alignParagraphs([A, B, C], [C, A, B]);
    expect(al.pairs.every((p) => p.equal)).toBe(true);
    expect(al.added).toEqual([]);
    expect(al.removed).toEqual([]);
  });

  it('pairs a reworded paragraph with its earlier version and leaves unrelated ones added/removed', () => {
    const al = alignParagraphs([A, C], [C2, D]);
    expect(al.pairs).toEqual([{ oldIndex: 1, newIndex: 0, similarity: expect.any(Number), equal: false }]);
    expect(al.added).toEqual([1]);
    expect(al.removed).toEqual([0]);
  });

  it('measures bigram overlap', () => {
    const s = similarity(shingles(C), shingles(C2));
    expect(s.jaccard).toBeGreaterThan(0.4);
    expect(s.containment).toBeGreaterThan(0.7);
    expect(similarity(shingles(A), shingles(D)).jaccard).toBeLessThan(0.2);
  });
});

describe('passage diff', () => {
  it('reports added, removed and changed passages with a word diff', () => {
    const d = diffPassages([A, B, C], [B, C2, D]);
    expect(d.added).toEqual([D]);
    expect(d.removed).toEqual([A]);
    expect(d.changed).toHaveLength(1);
    expect(d.changed[0]?.before).toBe(C);
    expect(d.changed[0]?.after).toBe(C2);
    const ops = d.changed[0]?.diff ?? [];
    expect(ops.filter((o) => o.op === 'delete').map((o) => o.text.trim())).toContain('require');
    expect(
      ops
        .filter((o) => o.op === 'insert')
        .map((o) => o.text)
        .join(''),
    ).toMatch(/have required/);
    // Each side reads back from its steps (jsdiff gives shared steps the new side's spacing).
    const side = (skip: string) =>
      ops
        .filter((o) => o.op !== skip)
        .map((o) => o.text)
        .join('')
        .replace(/\s+/g, ' ')
        .trim();
    expect(side('delete')).toBe(C2);
    expect(side('insert')).toBe(C);
  });

  it('a document against itself, or against formatting-only variants, is no change', () => {
    expect(isEmptyDiff(diffPassages([A, B, C], [A, B, C]))).toBe(true);
    const variants = [
      'The U.S. government requires a licence to export our H20 products to China (including Hong Kong and Macau) and D5 countries.',
      `Export\u2011controls  may disrupt our supply chain and\ndistribution channels, including in markets outside China.`,
    ];
    expect(isEmptyDiff(diffPassages([A, B], variants))).toBe(true);
    // The same text cut into paragraphs differently.
    expect(isEmptyDiff(diffPassages([`${A} ${B}`], [A, B]))).toBe(true);
    expect(isEmptyDiff(diffPassages([A, B, C], [C, `${A} ${B}`]))).toBe(true);
  });

  it('leaves removals out when the new document only restates what changed (10-Q)', () => {
    const d = diffPassages([A, B, C], [B, D], { reportRemoved: false });
    expect(d.removed).toEqual([]);
    expect(d.unmatched).toEqual([A, C]);
    expect(d.added).toEqual([D]);
  });

  it('merges adjacent word-diff steps', () => {
    expect(wordDiff('one two three', 'one four three')).toEqual([
      { op: 'equal', text: 'one ' },
      { op: 'delete', text: 'two' },
      { op: 'insert', text: 'four' },
      { op: 'equal', text: ' three' },
    ]);
  });

  it('the demo 10-Qs: 2 added, 2 changed, nothing from formatting, the moved paragraph or the page-break split', () => {
    const q1 = analyseFiling(readFileSync(join(EXPORT_LANGUAGE_FIXTURES, 'nvda-20250427.htm')));
    const q2 = analyseFiling(readFileSync(join(EXPORT_LANGUAGE_FIXTURES, 'nvda-20250727.htm')));
    const d = diffPassages(
      q1.passages.map((p) => p.text),
      q2.passages.map((p) => p.text),
      { reportRemoved: false },
    );
    expect(d.added.map((t) => t.split(' ').slice(0, 7).join(' '))).toEqual([
      'In August 2025, the USG granted licences',
      'In the second quarter of fiscal year',
    ]);
    expect(d.changed.map((c) => c.after.slice(0, 30))).toEqual(['In April 2025, the USG told us', 'In January 2025, the Commerce ']);
    expect(d.removed).toEqual([]);
    expect(d.unchanged).toBe(4);
  });
});

/** The edits of a word diff: each maximal run of deletions and insertions, as (removed, added). */
function editsOf(ops: readonly WordOp[]): Array<{ removed: string; added: string }> {
  const out: Array<{ removed: string; added: string }> = [];
  let open: { removed: string; added: string } | undefined;
  for (const op of ops) {
    if (op.op === 'equal') {
      open = undefined;
      continue;
    }
    if (!open) {
      open = { removed: '', added: '' };
      out.push(open);
    }
    if (op.op === 'delete') open.removed += op.text;
    else open.added += op.text;
  }
  return out;
}

/** Equal steps of fewer than three words standing between two edits: diff scraps. */
function scrapsOf(ops: readonly WordOp[]): string[] {
  return ops
    .filter((op, i) => op.op === 'equal' && i > 0 && i < ops.length - 1 && comparisonKey(op.text).split(' ').filter(Boolean).length < 3)
    .map((op) => op.text);
}

/** The new paragraph as the diff spells it (equal and inserted steps). */
const spelledAfter = (ops: readonly WordOp[]) =>
  ops
    .filter((o) => o.op !== 'delete')
    .map((o) => o.text)
    .join('');

describe('word diff: variants, punctuation and scraps (issue 21, item 9)', () => {
  it('hides spelling variants, known abbreviations and punctuation-only edits inside a changed paragraph', () => {
    const before =
      'The U.S. government licenced our products for Country Group D:5 customers, and we recognised revenue; the licence covers H20.';
    const after =
      'The USG licensed our products for Country Group D5 customers and we recognized revenue; the license covers H20 and H200.';
    const ops = readableDiff(before, after);
    expect(editsOf(ops).map((e) => [e.removed.trim(), e.added.trim()])).toEqual([['', 'and H200']]);
    expect(spelledAfter(ops)).toBe(after);
  });

  it('hides a defining appositive: "the U.S. government, or USG," → "the USG"', () => {
    expect(comparisonKey('During the quarter, the U.S. government, or USG, announced new rules.')).toBe(
      comparisonKey('During the quarter, the USG announced new rules.'),
    );
    const ops = readableDiff(
      'During the quarter, the U.S. government, or USG, announced new rules.',
      'During the quarter, the USG announced rules.',
    );
    expect(editsOf(ops).map((e) => [e.removed.trim(), e.added.trim()])).toEqual([['new', '']]);
  });

  it('folds one- and two-word scraps between rewritten stretches into one edit', () => {
    const before =
      'Export controls may restrict our sales. Additional restrictions may impact the ability of our research teams to execute our roadmap in a timely manner.';
    const after =
      'Export controls may restrict our sales. Controls could impact our cost and ability to provide services to our customers outside China.';
    const ops = readableDiff(before, after);
    expect(scrapsOf(ops)).toEqual([]);
    expect(ops[0]).toEqual({ op: 'equal', text: 'Export controls may restrict our sales. ' });
    expect(editsOf(ops)).toHaveLength(1);
    expect(spelledAfter(ops)).toBe(after);
  });

  it('always spells the new paragraph (words exactly) and leaves no scrap, on any input', () => {
    const words = (s: string) => s.replace(/\s+/g, '');
    const paragraph = fc
      .array(
        fc.constantFrom(
          'the',
          'USG',
          'U.S.',
          'government',
          'licence',
          'license',
          'D5',
          'D:5',
          'our',
          'and',
          ',',
          'export',
          'China',
          'H20',
          'controls',
          'may',
        ),
        { minLength: 1, maxLength: 40 },
      )
      .map((w) => w.join(' '));
    fc.assert(
      fc.property(paragraph, paragraph, (a, b) => {
        const ops = readableDiff(a, b);
        expect(words(spelledAfter(ops))).toBe(words(b));
        expect(scrapsOf(ops)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('shows a paragraph as replaced when little of its wording survives, and keeps the word diff when it only grew', () => {
    const before =
      'Our sales to China may be harmed by export controls on our data center products, which could reduce our revenue over time.';
    const after =
      'The Commerce Department told us in April that our H20 products need a licence for China, so our sales there fell and we took a charge on inventory.';
    const replaced = changedPassage(before, after);
    expect(replaced.replaced).toBe(true);
    expect(replaced.diff).toEqual([
      { op: 'delete', text: before },
      { op: 'insert', text: after },
    ]);
    const grown = changedPassage(
      A,
      `${A} In August 2025 the USG granted licences for some customers, and we have not yet shipped under them, nor do we know when we will ship.`,
    );
    expect(grown.replaced).toBeUndefined();
    expect(editsOf(grown.diff)).toHaveLength(1);
  });
});

describeWithSharedFixtures('passage diff on real NVIDIA filings', () => {
  let tenQHtml: string;
  let tenQ: string[];
  let tenK: string[];
  beforeAll(() => {
    tenQHtml = readFileSync(shared('sec/nvidia/nvda-20250727-10q.htm'), 'latin1');
    tenQ = analyseFiling(tenQHtml).passages.map((p) => p.text);
    tenK = analyseFiling(readFileSync(shared('sec/nvidia/nvda-20230129-10k.htm'))).passages.map((p) => p.text);
  });

  it('FY2023 10-K → Q2 FY2026 10-Q: added passages about the newer rules', () => {
    const d = diffPassages(tenK, tenQ, { reportRemoved: false });
    expect(d.added.length).toBeGreaterThan(10);
    const added = d.added.join('\n');
    expect(added).toMatch(/On April 9, 2025, the USG informed us that it requires a license for export to China/);
    expect(added).toMatch(/AI Diffusion/);
    expect(added).toMatch(/Country Groups D:1, D:4, and D:5/);
    expect(added).toMatch(/H20/);
    // The 2022 A100/H100 paragraph is still there, reworded: a change, not an addition.
    expect(d.changed.some((c) => /A100 and H100/.test(c.before) && /A100 and H100/.test(c.after))).toBe(true);
    const draft = exportLanguageChange(filing, d, { accession: '0001045810-23-000017', form: '10-K' });
    expect(draft?.importance).toBe('high');
    expect(draft?.countries).toEqual(expect.arrayContaining(['CN', 'HK', 'MO']));
    expect(draft?.title).toMatch(/^NVIDIA 10-Q adds \d+ and changes \d+ export-control paragraphs \(H20 .*licence requirement\)$/);
  });

  it('FY2023 10-K → Q2 FY2026 10-Q: word diffs show no variant as an edit and no scraps (issue 21, item 9)', () => {
    const d = diffPassages(tenK, tenQ, { reportRemoved: false });
    expect(d.changed.length).toBeGreaterThan(3);
    for (const c of d.changed) {
      // The new paragraph is spelled out by the diff, whatever was hidden or folded.
      expect(spelledAfter(c.diff)).toBe(c.after);
      for (const e of editsOf(c.diff))
        expect(comparisonKey(e.removed) === comparisonKey(e.added) && e.removed !== e.added, `${e.removed} → ${e.added}`).toBe(false);
      expect(scrapsOf(c.diff)).toEqual([]);
    }
    const all = d.changed.flatMap((c) => editsOf(c.diff));
    // "U.S. government" → "USG" (the export-regulations paragraph) and "the U.S. government, or USG," → "the USG" (the 2022 rules paragraph) are no edits.
    expect(all.filter((e) => /U\.S\. government/.test(e.removed) && !/U\.S\. government|USG/.test(e.added)).map((e) => e.removed)).toEqual(
      [],
    );
    expect(all.filter((e) => /^[\s,;.]*$/.test(e.removed) && e.added === '')).toEqual([]);
    // The AI-restrictions paragraph: its rewritten tail is one deletion and one insertion, not fragments.
    const ai = d.changed.find((c) => c.before.startsWith('The increasing focus on the strategic importance of AI'));
    expect(ai?.after).toMatch(/^Such restrictions could include additional unilateral/);
    const tailEdit = editsOf(ai?.diff ?? []).find((e) => e.removed.startsWith('Additional unilateral or multilateral controls'));
    expect(tailEdit?.removed).toMatch(/which could also substantially reduce our revenue$/);
    expect(tailEdit?.added).toMatch(/^Controls could negatively impact our cost and\/or ability .* even outside China$/);
  });

  it('the Q2 FY2026 10-Q against itself: no change and no change draft', () => {
    const d = diffPassages(tenQ, tenQ);
    expect(isEmptyDiff(d)).toBe(true);
    expect(exportLanguageChange(filing, d, { accession: filing.accession, form: '10-Q' })).toBeUndefined();
  });

  it('the Q2 FY2026 10-Q against a re-wrapped, renumbered, re-paginated copy: no change and no change draft', () => {
    const copy = rewrap(tenQHtml, { after: 'or to companies', continues: 'headquartered or with an ultimate parent' });
    const copyPassages = analyseFiling(copy).passages.map((p) => p.text);
    expect(copy).not.toBe(tenQHtml);
    // The copy really reads differently: naming variants and the cut paragraph.
    expect(copyPassages).not.toEqual(tenQ);
    expect(copyPassages.join('\n')).toMatch(
      /the U\.S\. government informed us that it requires a licence for export to China \(including Hong Kong and Macau\) and D5 countries, or to companies headquartered/,
    );
    const d = diffPassages(tenQ, copyPassages);
    expect(d).toMatchObject({ added: [], removed: [], changed: [] });
    expect(exportLanguageChange(filing, d, { accession: filing.accession, form: '10-Q' })).toBeUndefined();
  });
});
