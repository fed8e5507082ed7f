import { describe, expect, it } from 'vitest';
import { finalizeChange } from '#core/change.ts';
import {
  capData,
  companyLabel,
  type ExportLanguageData,
  exportLanguageChange,
  type FilingRef,
  familyOf,
  isAnnual,
  nextReference,
  passagesKey,
  referenceFromItem,
  referenceItem,
  titleHint,
  truncatePassages,
} from '#sources/sec-export-language/detect.ts';
import { diffPassages } from '#sources/sec-export-language/diff.ts';

const H20 =
  'On April 9, 2025, the USG informed us that a licence is required to export our H20 products to China (including Hong Kong and Macau) and D:5 countries.';
const ENTITY =
  'BIS added several companies in China and Singapore to the Entity List, so sales to them need a licence that is unlikely to be granted.';
const GENERAL = 'Export controls may disrupt our supply chain and distribution channels and could harm demand for our products worldwide.';
const GENERAL2 =
  'Export controls may disrupt our supply chain and distribution channels and have already harmed demand for our products in Europe.';

const tenQ: FilingRef = {
  cik: '1045810',
  subject: 'NVDA',
  companyName: 'NVIDIA CORP',
  accession: '0001045810-25-000209',
  form: '10-Q',
  url: 'https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm',
  occurredAt: '2025-08-27T20:52:07.000Z',
};

describe('export-language change drafts', () => {
  it('a 10-Q adding licence-requirement paragraphs: high importance, countries, title with the product and topic', () => {
    const diff = diffPassages([GENERAL], [GENERAL, H20, ENTITY], { reportRemoved: false });
    const draft = exportLanguageChange(tenQ, diff, { accession: '0001045810-25-000116', form: '10-Q' });
    expect(draft).toMatchObject({
      source: 'sec-export-language',
      kind: 'export-language.changed',
      naturalKey: '0001045810-25-000209',
      subject: 'NVDA',
      url: tenQ.url,
      importance: 'high',
      countries: ['CN', 'HK', 'MO', 'SG'],
      occurredAt: tenQ.occurredAt,
      title: 'NVIDIA 10-Q adds 2 export-control paragraphs (H20 licence requirement)',
      data: {
        form: '10-Q',
        accession: '0001045810-25-000209',
        previousAccession: '0001045810-25-000116',
        added: [H20, ENTITY],
        removed: [],
        changed: [],
      },
    });
    expect(draft?.summary).toMatch(
      /^NVIDIA \(NVDA\) 10-Q 0001045810-25-000209, compared with 10-Q 0001045810-25-000116: 2 added export-control paragraphs\. New: "On April 9/,
    );
  });

  it('a changed-only diff without sensitive terms is normal importance and says "changes 1 … paragraph"', () => {
    const diff = diffPassages([GENERAL], [GENERAL2]);
    const draft = exportLanguageChange({ ...tenQ, form: '10-K' }, diff, { accession: '0001045810-25-000023', form: '10-K' });
    expect(draft?.importance).toBe('normal');
    expect(draft?.title).toBe('NVIDIA 10-K changes 1 export-control paragraph (export controls)');
    expect(draft?.countries).toEqual([]);
    const changed = (draft?.data as unknown as ExportLanguageData | undefined)?.changed[0];
    expect(changed?.before).toBe(GENERAL);
    expect(changed?.diff.some((o) => o.op === 'insert')).toBe(true);
  });

  it('an annual report dropping paragraphs says so', () => {
    const draft = exportLanguageChange({ ...tenQ, form: '10-K' }, diffPassages([GENERAL, H20, ENTITY], [GENERAL, ENTITY]), {
      accession: 'x',
      form: '10-K',
    });
    expect(draft?.title).toBe('NVIDIA 10-K drops 1 export-control paragraph');
    expect(draft?.importance).toBe('normal');
  });

  it('an 8-K: kind export-language.8k, passages all added, no previous accession', () => {
    const draft = exportLanguageChange(
      { ...tenQ, form: '8-K', accession: '0001045810-25-000082' },
      { added: [H20], removed: [], changed: [] },
      undefined,
    );
    expect(draft).toMatchObject({
      kind: 'export-language.8k',
      importance: 'high',
      title: 'NVIDIA 8-K discloses 1 export-control paragraph (H20 licence requirement)',
      data: { form: '8-K', accession: '0001045810-25-000082', previousAccession: null, added: [H20], removed: [], changed: [] },
    });
  });

  it('no change at all is no change draft', () => {
    expect(exportLanguageChange(tenQ, diffPassages([H20, GENERAL], [GENERAL, H20]), { accession: 'x', form: '10-Q' })).toBeUndefined();
    expect(exportLanguageChange({ ...tenQ, form: '8-K' }, { added: [], removed: [], changed: [] }, undefined)).toBeUndefined();
  });

  it('one change per filing: the id does not depend on the diff', () => {
    const a = exportLanguageChange(tenQ, diffPassages([GENERAL], [GENERAL, H20]), undefined);
    const b = exportLanguageChange(tenQ, diffPassages([], [GENERAL, H20, ENTITY]), undefined);
    const at = new Date('2025-08-27T21:00:00Z');
    expect(finalizeChange(a as never, at).id).toBe(finalizeChange(b as never, at).id);
  });

  it('cuts oversized data to fit a change item and says what it left out', () => {
    const big = Array.from({ length: 400 }, (_, i) => `${'Export controls on China. '.repeat(40)}${i}`);
    const data: ExportLanguageData = { form: '10-K', accession: 'a', previousAccession: 'b', added: big, removed: big, changed: [] };
    const capped = capData(data, 100_000);
    expect(Buffer.byteLength(JSON.stringify(capped))).toBeLessThanOrEqual(100_000);
    expect(capped.removed).toEqual([]);
    expect(capped.omitted?.removed).toBe(400);
    expect((capped.omitted?.added ?? 0) + capped.added.length).toBe(400);
    expect(capData({ ...data, added: ['x'], removed: [] })).not.toHaveProperty('omitted');
  });

  it('hints the most telling topic and the most named product', () => {
    expect(titleHint([GENERAL])).toBe('export controls');
    expect(titleHint([ENTITY])).toBe('licence requirement');
    expect(
      titleHint(['Our MI308 products need a license to ship to China under the new export rules.', H20, H20.replace('April 9', 'May 1')]),
    ).toBe('H20 licence requirement');
    expect(titleHint(['Revenue grew.'])).toBeUndefined();
  });

  it('labels companies readably', () => {
    expect(companyLabel('NVIDIA CORP', 'NVDA')).toBe('NVIDIA');
    expect(companyLabel('ADVANCED MICRO DEVICES INC', 'AMD')).toBe('Advanced Micro Devices');
    expect(companyLabel('Micron Technology, Inc.', 'MU')).toBe('Micron Technology');
    expect(companyLabel('SUPER MICRO COMPUTER, INC. /DE/', 'SMCI')).toBe('Super Micro Computer');
    expect(companyLabel(undefined, 'NVDA')).toBe('NVDA');
  });
});

describe('families and references', () => {
  it('groups forms into families', () => {
    expect(['10-K', '10-K/A', '10-Q', '10-Q/A', '10-KT'].map(familyOf)).toEqual([
      'periodic',
      'periodic',
      'periodic',
      'periodic',
      'periodic',
    ]);
    expect(familyOf('20-F/A')).toBe('20-F');
    expect(familyOf('8-K/A')).toBe('8-K');
    expect(familyOf('S-1')).toBeUndefined();
    expect(isAnnual('10-K/A')).toBe(true);
    expect(isAnnual('10-Q')).toBe(false);
    expect(passagesKey('1045810', 'periodic')).toBe('passages#1045810#periodic');
  });

  it('an annual report replaces the reference; a 10-Q keeps what it does not restate in force', () => {
    const diff = diffPassages([GENERAL, H20], [ENTITY], { reportRemoved: false });
    const q = nextReference({ cik: '1045810', accession: 'q', form: '10-Q', filedAt: '2025-08-27' }, 'periodic', [ENTITY], diff);
    expect(q.passages).toEqual([ENTITY, GENERAL, H20]);
    const k = nextReference({ cik: '1045810', accession: 'k', form: '10-K', filedAt: '2026-02-25' }, 'periodic', [ENTITY], diff);
    expect(k.passages).toEqual([ENTITY]);
  });

  it('round-trips through a state item and stays under the size budget', () => {
    const many = Array.from({ length: 1000 }, (_, i) => `${'Export controls on China. '.repeat(20)}${i}`);
    const ref = nextReference({ cik: '1045810', accession: 'a', form: '10-K', filedAt: undefined }, 'periodic', many, undefined);
    expect(ref.truncated).toBeGreaterThan(0);
    expect(ref.passages.length + ref.truncated).toBe(1000);
    const item = referenceItem(ref);
    expect(Buffer.byteLength(JSON.stringify(item))).toBeLessThan(400 * 1024);
    expect(referenceFromItem(JSON.parse(JSON.stringify(item)))).toEqual(ref);
    expect(referenceFromItem({ cik: '1' })).toBeUndefined();
    expect(truncatePassages(['abc', 'def'], 8)).toEqual({ passages: ['abc'], dropped: 1 });
  });
});
