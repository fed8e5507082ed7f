import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SourceError } from '#core/errors.ts';
import { olderPagesNewestFirst, parseColumnar, parseSubmissions, parseSubmissionsPage } from '#sources/sec/submissions.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';
import { columnar, submissionsJson } from '../support/upstreams/sec.ts';

const readJson = (rel: string): unknown => JSON.parse(readFileSync(shared(rel), 'utf8'));

describeWithSharedFixtures('sec-filings submissions on real EDGAR JSON', () => {
  it('parses NVIDIA filings.recent by column name (1,007 rows, newest first)', () => {
    const doc = parseSubmissions(readJson('sec/nvidia/submissions-CIK0001045810.json'));
    expect(doc.cik).toBe('1045810');
    expect(doc.name).toBe('NVIDIA CORP');
    expect(doc.tickers).toEqual(['NVDA']);
    expect(doc.recent).toHaveLength(1007);
    expect(doc.recent[0]?.accession).toBe('0001347842-26-000007');
    expect(doc.recent.at(-1)?.filingDate).toBe('2019-11-20');
    expect(doc.olderPages).toEqual([
      { name: 'CIK0001045810-submissions-001.json', filingCount: 1385, filingFrom: '1998-03-06', filingTo: '2019-11-18' },
    ]);
  });

  it('keeps the Q2 FY2026 10-Q and 8-K items as EDGAR states them', () => {
    const doc = parseSubmissions(readJson('sec/nvidia/submissions-CIK0001045810.json'));
    expect(doc.recent.find((r) => r.accession === '0001045810-25-000209')).toEqual({
      accession: '0001045810-25-000209',
      filingDate: '2025-08-27',
      reportDate: '2025-07-27',
      acceptanceDateTime: '2025-08-27T20:52:07.000Z',
      form: '10-Q',
      items: [],
      primaryDocument: 'nvda-20250727.htm',
      primaryDocDescription: '10-Q',
    });
    expect(doc.recent.find((r) => r.accession === '0001045810-25-000207')?.items).toEqual(['2.02', '9.01']);
  });

  it('keeps acceptanceDateTime raw, including the "Z" that is really Eastern', () => {
    const doc = parseSubmissions(readJson('sec/nvidia/submissions-CIK0001045810.json'));
    // 16:31:25 is the Eastern acceptance time of this 8-K, although it ends in Z.
    expect(doc.recent.find((r) => r.accession === '0001045810-26-000019')?.acceptanceDateTime).toBe('2026-02-25T16:31:25.000Z');
  });

  it('parses Tesla (with core_type) and its bare older page', () => {
    const doc = parseSubmissions(readJson('sec/tesla/submissions-CIK0001318605.json'));
    expect(doc.cik).toBe('1318605');
    expect(doc.recent).toHaveLength(1002);
    expect(doc.recent.find((r) => r.accession === '0001628280-26-003952')).toMatchObject({
      form: '10-K',
      reportDate: '2025-12-31',
      primaryDocument: 'tsla-20251231.htm',
    });
    const [ref] = doc.olderPages;
    expect(ref).toMatchObject({ name: 'CIK0001318605-submissions-001.json', filingCount: 720, filingTo: '2018-02-11' });

    const older = parseSubmissionsPage(readJson('sec/tesla/submissions-CIK0001318605-submissions-001.json'));
    expect(older).toHaveLength(720);
    // filingTo is approximate: the page's newest row is a day later than it says.
    expect(older[0]?.filingDate).toBe('2018-02-12');
    expect(older.find((r) => r.accession === '0001564590-18-001786')).toMatchObject({ form: '8-K', items: ['7.01'] });
    // Pages do not overlap, and the recent page's oldest row is newer than the older page's newest.
    const recent = new Set(doc.recent.map((r) => r.accession));
    expect(older.some((r) => recent.has(r.accession))).toBe(false);
    expect((doc.recent.at(-1)?.filingDate ?? '') > (older[0]?.filingDate ?? '')).toBe(true);
  });

  it('rejects a bare page where a full document is expected', () => {
    expect(() => parseSubmissions(readJson('sec/tesla/submissions-CIK0001318605-submissions-001.json'))).toThrow(SourceError);
  });
});

describe('sec-filings columnar parsing', () => {
  const rows = [
    { accession: '0000000001-25-000002', filingDate: '2025-02-01', form: '8-K', items: '2.02, 9.01', primaryDocument: 'a.htm' },
    { accession: '0000000001-25-000001', filingDate: '2025-01-01', form: '10-K', reportDate: '2024-12-31' },
  ];

  it('reads columns by name whatever their order, without core_type', () => {
    const cols = columnar(rows);
    const { core_type: _drop, ...rest } = cols;
    const reordered = Object.fromEntries(Object.entries(rest).reverse());
    const parsed = parseColumnar({ ...reordered, isXBRLNumeric: [0, 1] }, 'test');
    expect(parsed.map((r) => [r.accession, r.form, r.items, r.reportDate])).toEqual([
      ['0000000001-25-000002', '8-K', ['2.02', '9.01'], undefined],
      ['0000000001-25-000001', '10-K', [], '2024-12-31'],
    ]);
  });

  it('needs only accessionNumber, filingDate and form', () => {
    const parsed = parseColumnar({ accessionNumber: ['0000000001-25-000001'], filingDate: ['2025-01-01'], form: ['4'] }, 't');
    expect(parsed[0]).toMatchObject({ form: '4', items: [], primaryDocument: undefined, acceptanceDateTime: undefined });
  });

  it('fails with kind parse on ragged columns, missing columns or bad accessions', () => {
    const cols = columnar(rows);
    const kinds = [
      () => parseColumnar({ ...cols, form: ['8-K'] }, 't'),
      () => parseColumnar({ ...cols, filingDate: undefined }, 't'),
      () => parseColumnar({ ...cols, accessionNumber: ['0000000001-25-000002', 'nope'] }, 't'),
      () => parseColumnar([], 't'),
      () => parseSubmissions({ cik: '1', filings: {} }),
      () => parseSubmissions({ filings: { recent: cols } }),
      () =>
        parseSubmissions(
          submissionsJson({ cik: 1, name: 'X', rows, files: [{ name: '../../etc/passwd', filingCount: 1, filingFrom: '', filingTo: '' }] }),
        ),
    ].map((fn) => {
      try {
        fn();
        return 'no error';
      } catch (err) {
        return (err as SourceError).kind;
      }
    });
    expect(kinds).toEqual(Array(kinds.length).fill('parse'));
  });

  it('orders older pages newest first', () => {
    const pages = olderPagesNewestFirst([
      { name: 'CIK0000000001-submissions-001.json', filingCount: 1, filingFrom: '2000-01-01', filingTo: '2010-01-01' },
      { name: 'CIK0000000001-submissions-002.json', filingCount: 1, filingFrom: '1990-01-01', filingTo: '1999-12-31' },
      { name: 'CIK0000000001-submissions-003.json', filingCount: 1, filingFrom: '2010-01-02', filingTo: '2015-01-01' },
    ]);
    expect(pages.map((p) => p.name.slice(-8))).toEqual(['003.json', '001.json', '002.json']);
  });
});
