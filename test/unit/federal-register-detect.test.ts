import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { finalizeChange } from '#core/change.ts';
import { easternDate, formatEastern } from '#core/time.ts';
import {
  type FrDocument,
  type FrPublicInspection,
  parseDocumentsPage,
  parsePublicInspectionCurrent,
} from '#sources/federal-register/api.ts';
import {
  type DetectInput,
  type DocItem,
  detectChanges,
  parseDocItems,
  plainText,
  SUMMARY_MAX,
  truncate,
} from '#sources/federal-register/detect.ts';
import { windowStartFor } from '#sources/federal-register/source.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';

const BIS = [
  { name: 'Commerce Department', slug: 'commerce-department', id: 54, parent_id: null },
  { name: 'Industry and Security Bureau', slug: 'industry-and-security-bureau', id: 241, parent_id: 54 },
];

function doc(overrides: Partial<FrDocument> = {}): FrDocument {
  return {
    document_number: '2026-20415',
    title: 'Additions to the Entity List',
    type: 'Rule',
    abstract:
      "BIS amends the EAR by adding 12 entities to the Entity List under the destinations of China, People's Republic of (China) (9) and Singapore (3).",
    action: 'Final rule.',
    publication_date: '2026-10-05',
    effective_on: '2026-10-05',
    html_url: 'https://www.federalregister.gov/documents/2026/10/05/2026-20415/additions-to-the-entity-list',
    pdf_url: 'https://www.govinfo.gov/content/pkg/FR-2026-10-05/pdf/2026-20415.pdf',
    public_inspection_pdf_url: 'https://public-inspection.federalregister.gov/2026-20415.pdf?1790945100',
    cfr_references: [{ title: 15, part: 744 }],
    agencies: BIS,
    regulation_id_numbers: ['0694-AK15'],
    correction_of: null,
    corrections: [],
    citation: '91 FR 63402',
    signing_date: '2026-09-30',
    dates: 'This rule is effective October 5, 2026.',
    ...overrides,
  };
}

function pi(overrides: Partial<FrPublicInspection> = {}): FrPublicInspection {
  return {
    document_number: '2026-20415',
    title: 'Additions to the Entity List  ',
    type: 'Rule',
    agencies: [{ name: 'Industry and Security Bureau', slug: 'industry-and-security-bureau', id: 241, parent_id: 54 }],
    agency_names: ['Industry and Security Bureau'],
    filing_type: 'regular',
    filed_at: '2026-10-02T08:45:00.000-04:00',
    publication_date: '2026-10-05',
    editorial_note: null,
    html_url: 'https://www.federalregister.gov/public-inspection/2026-20415/additions-to-the-entity-list',
    pdf_url: 'https://public-inspection.federalregister.gov/2026-20415.pdf',
    ...overrides,
  };
}

const T0 = new Date('2026-10-02T13:00:00Z');

function run(partial: Partial<DetectInput> & { known?: Map<string, DocItem> }) {
  return detectChanges({ published: [], publicInspection: [], known: new Map(), now: T0, windowStart: '2026-09-18', ...partial });
}

/** Apply item writes to a known map, as the runner and the next read would. */
function apply(known: Map<string, DocItem>, writes: ReturnType<typeof run>['itemWrites']): Map<string, DocItem> {
  const next = new Map(known);
  for (const w of writes) {
    const number = w.key.replace(/^doc#/, '');
    if (w.value === null) next.delete(number);
    else next.set(number, w.value as DocItem);
  }
  return next;
}

describe('detectChanges: public inspection head start', () => {
  it('alerts on a BIS document newly on public inspection', () => {
    const out = run({ publicInspection: [pi()] });
    expect(out.changes).toHaveLength(1);
    const [c] = out.changes;
    expect(c).toMatchObject({
      source: 'federal-register',
      kind: 'fr.public-inspection',
      naturalKey: '2026-20415#pi',
      subject: 'BIS',
      title: 'Additions to the Entity List',
      url: 'https://public-inspection.federalregister.gov/2026-20415.pdf',
      importance: 'high',
      occurredAt: '2026-10-02T08:45:00.000-04:00',
    });
    expect(c?.summary).toContain('on public inspection since 2026-10-02 08:45 ET');
    expect(c?.summary).toContain('scheduled for publication 2026-10-05');
    expect(c?.data).toMatchObject({
      documentNumber: '2026-20415',
      classification: 'entity-list-addition',
      filedAt: '2026-10-02T08:45:00.000-04:00',
      filingType: 'regular',
    });
    expect(out.itemWrites).toEqual([
      { key: 'doc#2026-20415', value: expect.objectContaining({ status: 'pi', seenOnPublicInspection: true }) },
    ]);
  });

  it('turns the publication of a PI document into an fr.published update, not a second new-document alert', () => {
    const first = run({ publicInspection: [pi()] });
    const known = apply(new Map(), first.itemWrites);
    const second = run({ published: [doc()], known, now: new Date('2026-10-05T12:00:00Z') });
    expect(second.changes).toHaveLength(1);
    const [c] = second.changes;
    expect(c).toMatchObject({
      kind: 'fr.published',
      naturalKey: '2026-20415#published',
      title: 'Additions to the Entity List',
      url: doc().html_url,
      importance: 'high',
      countries: ['CN', 'SG'],
      occurredAt: '2026-10-05',
    });
    expect(c?.data).toMatchObject({
      previouslyOnPublicInspection: true,
      documentNumber: '2026-20415',
      type: 'Rule',
      action: 'Final rule.',
      classification: 'entity-list-addition',
      publicationDate: '2026-10-05',
      effectiveOn: '2026-10-05',
      filedAt: '2026-10-02T12:45:00.000Z',
      htmlUrl: doc().html_url,
      pdfUrl: doc().pdf_url,
      citation: '91 FR 63402',
      cfrReferences: ['15 CFR 744'],
      correctionOf: null,
      regulationIdNumbers: ['0694-AK15'],
    });
    expect(c?.data.titleChangedSincePublicInspection).toBeUndefined(); // only trailing spaces differed
    const third = run({ published: [doc()], known: apply(known, second.itemWrites), now: new Date('2026-10-05T12:15:00Z') });
    expect(third.changes).toEqual([]);
    expect(third.itemWrites).toEqual([]);
  });

  it('gives fr.document and fr.published the same change id, so a lost PI item cannot double-alert', () => {
    const asUpdate = run({ published: [doc()], known: apply(new Map(), run({ publicInspection: [pi()] }).itemWrites) }).changes[0]!;
    const asNew = run({ published: [doc()] }).changes[0]!;
    expect(asNew.kind).toBe('fr.document');
    expect(asUpdate.kind).toBe('fr.published');
    expect(finalizeChange(asNew, T0).id).toBe(finalizeChange(asUpdate, T0).id);
  });

  it('does not re-alert a special filing that reappears in the next day list', () => {
    const special = pi({ document_number: '2026-20400', filing_type: 'special', filed_at: '2026-10-01T16:15:00.000-04:00' });
    const day1 = run({ publicInspection: [special] });
    expect(day1.changes).toHaveLength(1);
    const day2 = run({ publicInspection: [special], known: apply(new Map(), day1.itemWrites), now: new Date('2026-10-02T13:00:00Z') });
    expect(day2.changes).toEqual([]);
  });

  it('reports a withdrawal once, as its own kind', () => {
    const day1 = run({ publicInspection: [pi()] });
    const withdrawn = pi({
      filed_at: null,
      publication_date: null,
      editorial_note: 'An agency letter requesting withdrawal of this document was received after placement on public inspection.',
    });
    const known = apply(new Map(), day1.itemWrites);
    const day2 = run({ publicInspection: [withdrawn], known });
    expect(day2.changes).toHaveLength(1);
    expect(day2.changes[0]).toMatchObject({
      kind: 'fr.withdrawn',
      naturalKey: '2026-20415#withdrawn',
      importance: 'high',
      occurredAt: '2026-10-02T08:45:00.000-04:00',
    });
    expect(day2.changes[0]?.summary).toMatch(/^Withdrawn from public inspection before publication\. An agency letter/);
    expect(day2.changes[0]?.data).toMatchObject({ previouslyOnPublicInspection: true, filedAt: '2026-10-02T08:45:00.000-04:00' });
    // still listed the next day (and a stale copy listing it as filed) changes nothing
    const known2 = apply(known, day2.itemWrites);
    expect(run({ publicInspection: [withdrawn], known: known2 }).changes).toEqual([]);
    expect(run({ publicInspection: [pi()], known: known2 }).changes).toEqual([]);
  });

  it('never filters next-issue documents by date', () => {
    const out = run({ published: [doc({ publication_date: '2026-10-05' })], now: new Date('2026-10-03T14:00:00Z') });
    expect(out.changes.map((c) => c.kind)).toEqual(['fr.document']);
  });

  it('reports a document seen published and on PI in the same run once', () => {
    const out = run({ published: [doc()], publicInspection: [pi()] });
    expect(out.changes.map((c) => c.kind)).toEqual(['fr.document']);
    expect(out.itemWrites).toHaveLength(1);
  });
});

describe('detectChanges: published documents', () => {
  it('reports a new document with plain-text summary, classification and countries', () => {
    const out = run({
      published: [
        doc({
          document_number: '2026-20301',
          title: ' Revisions to Export Controls on Advanced Computing Items ',
          abstract: 'Controls on <E T="03">advanced computing</E> integrated circuits destined to China and Macau.',
          action: 'Interim final rule; request for comments.',
          publication_date: '2026-10-02',
          public_inspection_pdf_url: null,
        }),
      ],
    });
    const [c] = out.changes;
    expect(c).toMatchObject({
      kind: 'fr.document',
      title: 'Revisions to Export Controls on Advanced Computing Items',
      importance: 'high',
      countries: ['CN', 'MO'],
    });
    expect(c?.summary).toBe(
      'Rule (Interim final rule; request for comments); published 2026-10-02; effective 2026-10-05; 91 FR 63402. This rule is effective October 5, 2026. Controls on advanced computing integrated circuits destined to China and Macau.',
    );
    expect(c?.data).toMatchObject({ classification: 'advanced-computing', filedAt: null, previouslyOnPublicInspection: false });
  });

  it('reports a correction linked to its original', () => {
    const correction = doc({
      document_number: 'C1-2026-19205',
      title: 'Revisions to the Entity List',
      correction_of: 'https://www.federalregister.gov/api/v1/documents/2026-19205.json',
      publication_date: '2026-10-01',
    });
    const [c] = run({ published: [correction] }).changes;
    expect(c).toMatchObject({ kind: 'fr.correction', naturalKey: 'C1-2026-19205#published' });
    expect(c?.data.correctionOf).toBe('2026-19205');
    // an agency "…; Correction" rule is a correction too, even without correction_of
    const titled = run({
      published: [
        doc({ document_number: '2025-02655', title: 'Due Diligence Measures for Advanced Computing Integrated Circuits; Correction' }),
      ],
    });
    expect(titled.changes[0]).toMatchObject({ kind: 'fr.correction', importance: 'high' });
  });

  it('gives normal importance to notices and other EAR amendments', () => {
    const out = run({
      published: [
        doc({
          document_number: '2026-19610',
          type: 'Notice',
          title: 'Information Systems Technical Advisory Committee; Notice of Partially Closed Meeting',
          abstract: null,
          action: null,
        }),
        doc({
          document_number: '2026-19874',
          title: 'Clarification of License Exception Eligibility for Certain Encryption Items',
          abstract: 'BIS amends the EAR.',
          cfr_references: [{ title: 15, part: 740 }],
        }),
      ],
    });
    expect(out.changes.map((c) => [c.data.classification, c.importance])).toEqual([
      ['notice', 'normal'],
      ['ear-amendment', 'normal'],
    ]);
  });

  it('keeps summaries under the limit', () => {
    const [c] = run({ published: [doc({ abstract: 'word '.repeat(400) })] }).changes;
    expect(c!.summary.length).toBeLessThanOrEqual(SUMMARY_MAX);
    expect(c!.summary.endsWith('…')).toBe(true);
  });

  it('dedupes a document listed twice (pages shifting while we page)', () => {
    expect(run({ published: [doc(), doc()] }).changes).toHaveLength(1);
  });
});

describe('detectChanges: bounded state', () => {
  const item = (over: Partial<DocItem>): DocItem => ({
    status: 'published',
    publicationDate: '2026-09-01',
    filedAt: null,
    titleHash: 'x',
    classification: 'notice',
    firstSeenAt: '2026-09-01T12:00:00.000Z',
    seenOnPublicInspection: false,
    updatedAt: '2026-09-01T12:00:00.000Z',
    ...over,
  });

  it('drops published items behind the window and stale PI-only items, keeps the rest', () => {
    const known = new Map<string, DocItem>([
      ['old-published', item({ publicationDate: '2026-09-10' })], // < 2026-09-18 − 7 days
      ['recent-published', item({ publicationDate: '2026-09-12' })],
      ['old-pi', item({ status: 'pi', publicationDate: '2026-09-20', firstSeenAt: '2026-09-19T12:00:00.000Z' })],
      ['old-withdrawn', item({ status: 'withdrawn', publicationDate: null, firstSeenAt: '2026-09-15T12:00:00.000Z' })],
      ['fresh-pi', item({ status: 'pi', publicationDate: '2026-10-05', firstSeenAt: '2026-10-01T12:00:00.000Z' })],
      ['listed-old-pi', item({ status: 'pi', publicationDate: null, firstSeenAt: '2026-09-01T12:00:00.000Z' })],
    ]);
    const out = run({ known, publicInspection: [pi({ document_number: 'listed-old-pi' })] });
    expect(out.changes).toEqual([]);
    expect(out.itemWrites.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'doc#old-pi', value: null },
      { key: 'doc#old-published', value: null },
      { key: 'doc#old-withdrawn', value: null },
    ]);
  });

  it('keeps an item small', () => {
    const out = run({ published: [doc({ abstract: 'x '.repeat(5000) })] });
    expect(JSON.stringify(out.itemWrites[0]?.value).length).toBeLessThan(400);
  });

  it('skips malformed stored items', () => {
    const parsed = parseDocItems([
      { key: 'doc#2026-1', value: item({}) as unknown as Record<string, unknown> },
      { key: 'doc#2026-2', value: { status: 'nonsense' } },
      { key: 'other#x', value: {} },
    ]);
    expect([...parsed.known.keys()]).toEqual(['2026-1']);
    expect(parsed.invalid).toEqual(['doc#2026-2']);
  });
});

describeWithSharedFixtures('detectChanges on the real 2026-10-02/03 recordings (agency-agnostic)', () => {
  it('follows 2026-20396 from public inspection (2026-10-02) to its early listing as published (2026-10-05)', () => {
    const current = parsePublicInspectionCurrent(
      JSON.parse(readFileSync(shared('federal-register/fr_pi_current_2026-10-02.first10.json'), 'utf8')),
    );
    const early = parseDocumentsPage(
      JSON.parse(readFileSync(shared('federal-register/fr_documents_newest_next_issue_early_2026-10-03.first5.json'), 'utf8')),
    );

    const day1 = run({ publicInspection: current.results, now: new Date('2026-10-02T18:00:00Z') });
    const kinds = day1.changes.map((c) => `${c.data.documentNumber}:${c.kind}`);
    expect(kinds).toContain('2026-20295:fr.withdrawn');
    expect(kinds.filter((k) => k.endsWith('fr.public-inspection'))).toHaveLength(9);
    expect(day1.changes.find((c) => c.data.documentNumber === '2026-20295')?.data.previouslyOnPublicInspection).toBe(false);

    const day2 = run({
      published: early.results,
      known: apply(new Map(), day1.itemWrites),
      now: new Date('2026-10-03T14:00:00Z'),
      windowStart: '2026-09-19',
    });
    const update = day2.changes.find((c) => c.data.documentNumber === '2026-20396');
    expect(update).toMatchObject({ kind: 'fr.published', title: 'Sunshine Act Meetings' });
    expect(update?.data).toMatchObject({ previouslyOnPublicInspection: true, titleChangedSincePublicInspection: true });
    expect(day2.changes.filter((c) => c.kind === 'fr.document')).toHaveLength(4);
  });
});

describe('time helpers', () => {
  it('works in Eastern time', () => {
    expect(easternDate(new Date('2026-10-03T02:00:00Z'))).toBe('2026-10-02');
    expect(formatEastern('2026-10-02T08:45:00.000-04:00')).toBe('2026-10-02 08:45 ET');
    expect(formatEastern('2026-01-15T13:45:00Z')).toBe('2026-01-15 08:45 ET');
  });

  it('looks back 30 days on the first run and 14 days before the last success after', () => {
    expect(windowStartFor(undefined, new Date('2026-10-02T13:00:00Z'))).toBe('2026-09-02');
    const cursor = {
      v: 1 as const,
      lastSuccessAt: '2026-10-03T01:00:00.000Z',
      windowStart: '2026-09-02',
      documentsCount: 3,
      publicInspection: { regularUpdatedAt: null, specialUpdatedAt: null, bisCount: 0 },
    };
    expect(windowStartFor(cursor, new Date('2026-10-05T13:00:00Z'))).toBe('2026-09-18'); // 2026-10-02 ET − 14
  });

  it('strips markup and truncates at a word', () => {
    expect(plainText('Ga<INF>2</INF>O<INF>3</INF>  and\n diamond')).toBe('Ga2O3 and diamond');
    expect(truncate('alpha beta gamma', 12)).toBe('alpha beta…');
  });
});
