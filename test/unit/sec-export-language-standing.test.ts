import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finalizeChange } from '#core/change.ts';
import { languageRenderer } from '#notify/render/language.ts';
import {
  exportLanguageChange,
  type FilingRef,
  nextReference,
  referenceFromItem,
  referenceItem,
} from '#sources/sec-export-language/detect.ts';
import { analyseFiling } from '#sources/sec-export-language/passages.ts';
import {
  compareWithStanding,
  factsOf,
  isCautionary,
  nextStanding,
  sentences,
  standingPassages,
} from '#sources/sec-export-language/standing.ts';
import { EXPORT_LANGUAGE_FIXTURES } from '../support/upstreams/sec-export-language.ts';

/** Export passages of one of our fixture documents (structure of NVIDIA's filings, own prose). */
const passagesOf = (file: string) => analyseFiling(readFileSync(join(EXPORT_LANGUAGE_FIXTURES, file))).passages.map((p) => p.text);
const tenK = passagesOf('nvda-20250126.htm'); // FY2025 10-K, before the H20 licence requirement
const q2 = passagesOf('nvda-20250727.htm'); // Q2 FY2026 10-Q
const h20 = passagesOf('nvda-20250409-8k.htm'); // the April 2025 H20 8-K
const notes = passagesOf('nvda-20250915-8k.htm'); // a notes offering with a cautionary paragraph

const BIS =
  'Our data center products are subject to U.S. export controls. Rules issued by BIS require a licence to ship many of our accelerators to China and to other destinations in Country Groups D:1, D:4 and D:5.';

describe('8-K passages against the standing language', () => {
  it('the fixtures have the structure the tests rely on', () => {
    expect(notes).toHaveLength(1);
    expect(isCautionary(notes[0] as string)).toBe(true);
    expect(h20).toHaveLength(2);
    expect(isCautionary(h20[0] as string)).toBe(false);
    expect(isCautionary(h20[1] as string)).toBe(true);
  });

  it('a forward-looking-statements paragraph that repeats the 10-Q risk language is no news', () => {
    expect(compareWithStanding(q2, notes)).toEqual({ added: [], removed: [], changed: [], repeated: 1 });
    // Against the 10-K too: it names nothing the company has not said before.
    expect(compareWithStanding(tenK, notes).added).toEqual([]);
    // Without any standing language everything is news, as before.
    expect(compareWithStanding([], notes).added).toEqual(notes);
  });

  it('the H20 8-K against the 10-K: only the licence-requirement paragraph is news', () => {
    const r = compareWithStanding(tenK, h20);
    expect(r.added).toEqual([h20[0]]);
    expect(r.changed).toEqual([]);
    expect(r.repeated).toBe(1);
  });

  it('a paragraph of an earlier 8-K is standing language', () => {
    const earlier = nextStanding(undefined, { cik: '1045810', accession: '0001045810-25-000082', form: '8-K', filedAt: '2025-04-15' }, h20);
    const standing = standingPassages([
      nextReference({ cik: '1045810', accession: 'k', form: '10-K', filedAt: '2025-02-26' }, 'periodic', tenK, undefined),
      earlier,
    ]);
    expect(compareWithStanding(standing, h20)).toMatchObject({ added: [], changed: [], repeated: 2 });
  });

  it('an aligned passage re-worded, or with a new non-export sentence, is no news', () => {
    const reworded =
      'Our data center products are subject to US export controls. Rules that BIS issued require a license to ship many of our accelerators to China and other destinations in Country Groups D:1, D:4 and D:5, and more may follow.';
    expect(compareWithStanding([BIS], [reworded])).toMatchObject({ added: [], changed: [], repeated: 1 });
    const withCall = `${BIS} We will discuss our results on a call on May 28, 2025.`;
    expect(compareWithStanding([BIS], [withCall]).changed).toEqual([]);
  });

  it('an aligned passage with a new date, amount or product in an export sentence is news, reported as changed with its word diff', () => {
    const dated =
      'Our data center products are subject to U.S. export controls. On April 9, 2025, BIS told us that rules require a licence to ship many of our accelerators to China and to other destinations in Country Groups D:1, D:4 and D:5.';
    const r = compareWithStanding([BIS], [dated]);
    expect(r.changed).toHaveLength(1);
    expect(r.changed[0]?.before).toBe(BIS);
    expect(r.changed[0]?.diff.some((o) => o.op === 'insert' && /April 9, 2025/.test(o.text))).toBe(true);
    const product = BIS.replace('Our data center products', 'Our data center products, including the H20,');
    expect(compareWithStanding([BIS], [product]).changed).toHaveLength(1);
    const charge = `${BIS.replace(/\.$/, '')}, and the new licence requirement for exports to China will cost us $5.5 billion.`;
    expect(compareWithStanding([BIS], [charge]).changed).toHaveLength(1);
    // The same date already in the standing language is not a new fact.
    expect(
      compareWithStanding(
        [BIS, 'On April 9, 2025, the USG told us that exports of our accelerators to China now require a licence.'],
        [dated],
      ).changed,
    ).toEqual([]);
  });

  it('a cautionary paragraph naming a country or product the company never mentioned is news', () => {
    const fls =
      'This report contains forward-looking statements. Actual results could differ materially, including because export controls may limit our sales to Russia and of our MI308 products.';
    expect(compareWithStanding(q2, [fls]).added).toEqual([fls]);
  });
});

describe('facts and sentences', () => {
  it('reads dates (a full date also covers its month), amounts, products, countries and terms', () => {
    const facts = factsOf(
      'On April 9, 2025, the USG required a licence for H20 exports to China; the charge was $5.5 billion, or 12% of revenue.',
      { events: true, expandDates: true },
    );
    expect([...facts].sort()).toEqual(
      expect.arrayContaining([
        'date april 9, 2025',
        'date april 2025',
        'amount $5.5billion',
        'amount 12%',
        'product H20',
        'country CN',
        'term licence requirement',
      ]),
    );
    expect(factsOf('In April 2025 revenue grew.', { events: true }).has('date april 2025')).toBe(true);
    expect([...factsOf('On April 9, 2025 revenue grew by $1 million.')]).toEqual([]);
  });

  it('splits sentences with their offsets', () => {
    const text = 'First one. Second, on May 1, 2025; third "quoted". 4 more';
    const s = sentences(text);
    expect(s.map((x) => x.text)).toEqual(['First one.', 'Second, on May 1, 2025;', 'third "quoted".', '4 more']);
    for (const x of s) expect(text.slice(x.start, x.end)).toBe(x.text);
  });
});

describe('the 8-K standing item', () => {
  const filing = (accession: string) => ({ cik: '1045810', accession, form: '8-K', filedAt: '2025-09-16' });

  it('keeps the newest filing’s passages first, each wording once, and round-trips as a state item', () => {
    const first = nextStanding(undefined, filing('a'), [
      BIS,
      'Export controls may hurt our sales to China and Hong Kong in the coming year.',
    ]);
    const second = nextStanding(first, filing('b'), [BIS.replace('U.S.', 'US'), notes[0] as string]);
    expect(second).toMatchObject({ family: '8-K', accession: 'b', truncated: 0 });
    expect(second.passages).toEqual([
      BIS.replace('U.S.', 'US'),
      notes[0],
      'Export controls may hurt our sales to China and Hong Kong in the coming year.',
    ]);
    expect(referenceFromItem(JSON.parse(JSON.stringify(referenceItem(second))))).toEqual(second);
  });

  it('is bounded by count and bytes; what ages out is counted', () => {
    const many = Array.from({ length: 40 }, (_, i) => `Export controls on China, statement number ${i}, may limit our sales.`);
    const capped = nextStanding(undefined, filing('a'), many, { maxPassages: 25 });
    expect(capped.passages).toHaveLength(25);
    expect(capped.truncated).toBe(15);
    const again = nextStanding(capped, filing('b'), ['Export controls on Singapore may limit our sales to resellers there.'], {
      maxPassages: 25,
    });
    expect(again.passages[0]).toMatch(/Singapore/);
    expect(again.truncated).toBe(16);
    const bytes = nextStanding(undefined, filing('c'), many, { maxBytes: 1000 });
    expect(Buffer.byteLength(JSON.stringify(bytes.passages))).toBeLessThanOrEqual(1000);
  });
});

describe('8-K change drafts', () => {
  const eightK: FilingRef = {
    cik: '1045810',
    subject: 'NVDA',
    companyName: 'NVIDIA CORP',
    accession: '0001045810-25-000082',
    form: '8-K',
    url: undefined,
    occurredAt: undefined,
  };

  it('names new and updated paragraphs and the standing language they were compared with', () => {
    const dated =
      'Our data center products are subject to U.S. export controls. On April 9, 2025, BIS told us that rules require a licence to ship many of our accelerators to China and to other destinations in Country Groups D:1, D:4 and D:5.';
    const news = compareWithStanding([...tenK, BIS], [h20[0] as string, dated]);
    expect(news.added).toHaveLength(1);
    expect(news.changed).toHaveLength(1);
    const draft = exportLanguageChange(eightK, news, { accession: '0001045810-25-000023', form: '10-K' });
    expect(draft).toMatchObject({
      kind: 'export-language.8k',
      importance: 'high',
      title: 'NVIDIA 8-K discloses 1 new and 1 updated export-control paragraphs (H20 licence requirement)',
    });
    expect(draft?.summary).toMatch(
      /: 1 new and 1 updated export-control paragraphs in the filing's event items, against the company's standing language \(10-K 0001045810-25-000023 and earlier 8-Ks\)\. New: "On April 9/,
    );
    expect(exportLanguageChange(eightK, compareWithStanding(q2, notes), undefined)).toBeUndefined();

    // The email says what the 8-K was compared with and shows the update as a word diff.
    const email = languageRenderer.render([finalizeChange(draft as NonNullable<typeof draft>, new Date('2025-04-15T21:00:00Z'))], {
      interest: new Set(['CN']),
    });
    const text = email.text.replace(/\s+/g, ' ');
    expect(text).toContain('new against the standing language of 0001045810-25-000023 and earlier 8-Ks');
    expect(email.html).toContain('new against the standing language of 0001045810-25-000023 and earlier 8-Ks');
    // The one word "BIS" left between two rewritten stretches is folded into the rewrite (issue 21, item 9).
    expect(text).toMatch(/Changed: .*\[-Rules issued by BIS -\] \[\+On April 9, 2025, BIS told us that rules \+\]require/);
  });
});
