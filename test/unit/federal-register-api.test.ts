import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SourceError } from '#core/errors.ts';
import {
  assertBisPage,
  DOCUMENT_FIELDS,
  correctionOfNumber,
  decodeSearchAfterCursor,
  type DocumentsPage,
  type FrDocument,
  filterBisPublicInspection,
  isBisAgencyList,
  isWithdrawn,
  parseDocument,
  parseDocumentsPage,
  parsePublicInspectionCurrent,
  publicInspectionPostedAt,
} from '#sources/federal-register/api.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';

const readShared = (name: string): unknown => JSON.parse(readFileSync(shared(`federal-register/${name}`), 'utf8'));

/** Expect a SourceError of a kind, with a message matching. */
function expectSourceError(fn: () => unknown, kind: string, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).kind).toBe(kind);
    expect((err as SourceError).message).toMatch(message);
    return;
  }
  throw new Error('expected a SourceError');
}

const BIS = [
  { name: 'Commerce Department', slug: 'commerce-department', id: 54, parent_id: null },
  { name: 'Industry and Security Bureau', slug: 'industry-and-security-bureau', id: 241, parent_id: 54 },
];

function bisDoc(overrides: Partial<FrDocument> = {}): FrDocument {
  return {
    document_number: '2026-20001',
    title: 'Additions to the Entity List',
    type: 'Rule',
    publication_date: '2026-10-01',
    html_url: 'https://www.federalregister.gov/documents/2026/10/01/2026-20001/additions-to-the-entity-list',
    agencies: BIS,
    ...overrides,
  };
}

describeWithSharedFixtures('documents.json newest page (all agencies, 2026-10-02)', () => {
  const page = parseDocumentsPage(readShared('fr_documents_newest_2026-10-02.json'));

  it('parses 20 results, the 10,000 count and the next page URL', () => {
    expect(page.results).toHaveLength(20);
    expect(page.count).toBe(10_000);
    expect(page.nextPageUrl).toMatch(/^https:\/\/www\.federalregister\.gov\/api\/v1\/documents\?.*search_after_cursor=/);
    expect(page.results[0]).toMatchObject({ document_number: '2026-20322', publication_date: '2026-10-02', type: 'Presidential Document' });
    // fields we did not ask for in this recording are simply absent
    expect(page.results[0]?.abstract).toBeUndefined();
  });

  it('decodes search_after_cursor for logs: [publication epoch ms, last document number]', () => {
    expect(decodeSearchAfterCursor(page.nextPageUrl!)).toEqual({ publicationEpochMs: 1790899200000, documentNumber: '2026-20267' });
    expect(page.results.at(-1)?.document_number).toBe('2026-20267');
    expect(new Date(1790899200000).toISOString()).toBe('2026-10-02T00:00:00.000Z');
    expect(decodeSearchAfterCursor('https://www.federalregister.gov/api/v1/documents?page=2')).toBeUndefined();
  });

  it('is rejected as a BIS page: 10,000 is the cap, so the query was too broad', () => {
    expectSourceError(() => assertBisPage(page, '2026-09-01'), 'sanity', /10000 hits/);
  });

  it('is rejected as a BIS page even under the cap: the agency filter fell back', () => {
    expectSourceError(
      () => assertBisPage({ ...page, count: 20 }, '2026-09-01'),
      'sanity',
      /2026-20322 of executive-office-of-the-president.*filter fell back/,
    );
  });

  it('parses the next-issue-early page: 2026-10-05 documents listed on Saturday 2026-10-03', () => {
    const early = parseDocumentsPage(readShared('fr_documents_newest_next_issue_early_2026-10-03.first5.json'));
    expect(early.results.map((d) => d.publication_date)).toEqual(Array(5).fill('2026-10-05'));
    expect(decodeSearchAfterCursor(early.nextPageUrl!)).toEqual({ publicationEpochMs: 1790640000000, documentNumber: '2026-19875' });
  });
});

describe('parseDocumentsPage edge cases', () => {
  it('accepts zero hits without a results key', () => {
    expect(parseDocumentsPage({ description: 'Documents matching …', count: 0 })).toEqual({
      count: 0,
      nextPageUrl: undefined,
      results: [],
    });
  });

  it('rejects a missing results key when count is positive', () => {
    expectSourceError(() => parseDocumentsPage({ count: 3 }), 'parse', /count is 3 but the results key is missing/);
  });

  it('rejects documents missing required fields, naming the path', () => {
    expectSourceError(
      () => parseDocumentsPage({ count: 1, results: [{ document_number: '2026-1', agencies: [] }] }),
      'parse',
      /results\.0\.title/,
    );
    expectSourceError(
      () => parseDocumentsPage({ count: 1, results: [bisDoc({ publication_date: 'Oct 2' })] }),
      'parse',
      /publication_date/,
    );
    expectSourceError(() => parseDocumentsPage('<html>'), 'parse', /unexpected shape/);
  });

  it('accepts a BIS page and checks the date window', () => {
    const ok: DocumentsPage = { count: 1, nextPageUrl: undefined, results: [bisDoc()] };
    expect(() => assertBisPage(ok, '2026-09-17')).not.toThrow();
    // a next-issue document dated after today is fine: never filter by an upper date
    expect(() => assertBisPage({ ...ok, results: [bisDoc({ publication_date: '2026-12-31' })] }, '2026-09-17')).not.toThrow();
    expectSourceError(
      () => assertBisPage({ ...ok, results: [bisDoc({ publication_date: '2026-01-02' })] }, '2026-09-17'),
      'sanity',
      /date filter fell back/,
    );
  });
});

describeWithSharedFixtures('public inspection current.json (first 10 of 107, 2026-10-02)', () => {
  const current = parsePublicInspectionCurrent(readShared('fr_pi_current_2026-10-02.first10.json'));

  it('parses entries, the list count and both update times', () => {
    expect(current?.results).toHaveLength(10);
    expect(current?.count).toBe(107);
    expect(current?.regularFilingsUpdatedAt).toBe('2026-10-02T08:45:00.000-04:00');
    expect(current?.specialFilingsUpdatedAt).toBe('2026-10-02T11:15:00.000-04:00');
  });

  it('recognises the withdrawal of 2026-20295 (editorial note, no filed_at, no publication date)', () => {
    const withdrawn = current!.results.filter(isWithdrawn);
    expect(withdrawn.map((d) => d.document_number)).toEqual(['2026-20295']);
    expect(withdrawn[0]?.title).toBe('Meetings; Sunshine Act  '); // trailing spaces as served
    expect(current!.results.find((d) => d.document_number === '2026-20228')).toMatchObject({
      filing_type: 'special',
      publication_date: '2026-10-05',
    });
  });

  it('holds no BIS entry: the local agency filter keeps nothing', () => {
    expect(filterBisPublicInspection(current!.results)).toEqual([]);
    // ITA is a Commerce bureau too, but not BIS
    expect(current!.results.some((d) => d.agencies.some((a) => a.slug === 'international-trade-administration'))).toBe(true);
  });
});

describe('public inspection edge cases', () => {
  it('accepts an empty list and rejects a missing results key with a positive count', () => {
    expect(parsePublicInspectionCurrent({ count: 0 }).results).toEqual([]);
    expectSourceError(() => parsePublicInspectionCurrent({ count: 2 }), 'parse', /results key is missing/);
    // a malformed BIS entry fails the cycle; one of another agency is skipped and counted
    expectSourceError(
      () => parsePublicInspectionCurrent({ count: 1, results: [{ title: 'x', agencies: [{ slug: 'industry-and-security-bureau' }] }] }),
      'parse',
      /BIS entry results\.0.*document_number/,
    );
    const other = parsePublicInspectionCurrent({
      count: 2,
      results: [{ title: null, agencies: [{ slug: 'securities-and-exchange-commission' }] }],
    });
    expect(other).toMatchObject({ results: [], skipped: 1 });
  });

  it('filters BIS by slug, by agency name or by agency_names', () => {
    expect(isBisAgencyList([{ slug: 'industry-and-security-bureau' }])).toBe(true);
    expect(isBisAgencyList([{ name: 'Industry and Security Bureau' }])).toBe(true);
    expect(isBisAgencyList([{ name: 'Commerce Department', slug: 'commerce-department' }], ['Industry and Security Bureau'])).toBe(true);
    expect(isBisAgencyList([{ name: 'Commerce Department', slug: 'commerce-department' }])).toBe(false);
  });
});

describeWithSharedFixtures('full document 2025-05887', () => {
  it('parses the full default field set and derives the PI posting time', () => {
    const doc = parseDocument(readShared('fr_document_full_2025-05887.json'));
    expect(doc).toMatchObject({
      document_number: '2025-05887',
      type: 'Notice',
      publication_date: '2025-04-07',
      citation: '90 FR 14957',
      correction_of: null,
      corrections: [],
    });
    expect(isBisAgencyList(doc.agencies)).toBe(false); // an ITA notice
    // `?1743770708` = 2025-04-04 08:45 ET
    expect(publicInspectionPostedAt(doc.public_inspection_pdf_url)).toBe('2025-04-04T12:45:08.000Z');
  });

  it('has every field we request (an unknown fields[] entry answers 400)', () => {
    const raw = readShared('fr_document_full_2025-05887.json') as Record<string, unknown>;
    expect(DOCUMENT_FIELDS.filter((f) => !(f in raw))).toEqual([]);
  });
});

describe('corrections', () => {
  it('links a correction to its original from correction_of or a C1- number', () => {
    expect(correctionOfNumber('C1-2026-16628', 'https://www.federalregister.gov/api/v1/documents/2026-16628.json')).toBe('2026-16628');
    expect(correctionOfNumber('C1-2026-16628')).toBe('2026-16628');
    expect(correctionOfNumber('2026-17000', '2026-16628')).toBe('2026-16628');
    expect(correctionOfNumber('2026-17000', null)).toBeUndefined();
  });

  it('reads no PI time from a URL without one', () => {
    expect(publicInspectionPostedAt(null)).toBeUndefined();
    expect(publicInspectionPostedAt('https://public-inspection.federalregister.gov/2026-20415.pdf')).toBeUndefined();
  });
});
