import { describe, expect, it } from 'vitest';
import { CHANGE_KINDS, type Change, type ChangeDraft, finalizeChange } from '#core/change.ts';
import { type AnyChangeContract, ContractError, parseChangeData, readChangeData } from '#core/contract.ts';
import { ENTITY_LIST_CONTRACT } from '#sources/entity-list/contract.ts';
import { diffLists } from '#sources/entity-list/diff.ts';
import { toChangeDraft } from '#sources/entity-list/drafts.ts';
import { ENTITY_LIST } from '#sources/entity-list/lists.ts';
import { toEntityRecord } from '#sources/entity-list/parse.ts';
import { FEDERAL_REGISTER_CONTRACT } from '#sources/federal-register/contract.ts';
import { publicInspectionDraft, publishedDraft, withdrawnDraft } from '#sources/federal-register/detect.ts';
import { SEC_EXPORT_LANGUAGE_CONTRACT } from '#sources/sec-export-language/contract.ts';
import { exportLanguageChange } from '#sources/sec-export-language/detect.ts';
import { SEC_FILINGS_CONTRACT } from '#sources/sec-filings/contract.ts';
import { filingChange } from '#sources/sec-filings/detect.ts';
import { SEC_FULL_TEXT_CONTRACT } from '#sources/sec-full-text/contract.ts';
import { mentionDraft } from '#sources/sec-full-text/detect.ts';
import { SEC_REVENUE_CONTRACT } from '#sources/sec-revenue/contract.ts';
import { sampleAll, sampleMentions } from '../support/samples.ts';

/** Every family's contract, by source: what the readers of `Change.data` go through (issue 20, item 2). */
const CONTRACTS: readonly AnyChangeContract[] = [
  SEC_FILINGS_CONTRACT,
  SEC_REVENUE_CONTRACT,
  SEC_EXPORT_LANGUAGE_CONTRACT,
  FEDERAL_REGISTER_CONTRACT,
  ENTITY_LIST_CONTRACT,
  SEC_FULL_TEXT_CONTRACT,
];
const contractOf = (c: Pick<Change, 'source'>): AnyChangeContract => {
  const found = CONTRACTS.find((k) => k.source === c.source);
  if (!found) throw new Error(`no contract for ${c.source}`);
  return found;
};

const at = new Date('2026-03-02T14:05:00Z');
const change = (draft: ChangeDraft): Change => finalizeChange(draft, at);

/** Drafts from the real producers (pure functions, no I/O), one or more per family. */
function producedChanges(): Change[] {
  const doc = {
    document_number: '2026-20301',
    title: 'Revisions to Export Controls on Advanced Computing Items',
    type: 'Rule',
    abstract: 'BIS amends the <b>EAR</b> for China and Singapore.',
    action: 'Interim final rule.',
    publication_date: '2026-03-02',
    effective_on: '2026-03-02',
    html_url: 'https://www.federalregister.gov/documents/2026/03/02/2026-20301/x',
    pdf_url: 'https://www.govinfo.gov/content/pkg/FR-2026-03-02/pdf/2026-20301.pdf',
    public_inspection_pdf_url: 'https://public-inspection.federalregister.gov/2026-20301.pdf?1709300000',
    cfr_references: [{ title: 15, part: 744 }],
    agencies: [],
    regulation_id_numbers: ['0694-AJ90'],
    citation: '91 FR 10450',
  } as unknown as Parameters<typeof publishedDraft>[0];
  const pi = {
    document_number: '2026-04112',
    title: 'Additions to the Entity List',
    type: 'Rule',
    publication_date: '2026-03-03',
    filed_at: '2026-03-02T13:45:00.000Z',
    filing_type: 'regular',
    html_url: 'https://www.federalregister.gov/public-inspection/2026-04112/x',
    pdf_url: 'https://public-inspection.federalregister.gov/2026-04112.pdf',
    editorial_note: 'Withdrawn at the agency’s request.',
  } as unknown as Parameters<typeof publicInspectionDraft>[0];
  const previousPi = {
    status: 'pi' as const,
    publicationDate: '2026-03-02',
    filedAt: '2026-02-27T13:45:00.000Z',
    titleHash: '0'.repeat(16),
    classification: 'advanced-computing',
    firstSeenAt: '2026-02-27T14:00:00.000Z',
    seenOnPublicInspection: true,
    updatedAt: '2026-02-27T14:00:00.000Z',
  };
  const csl = (name: string, extra: Record<string, unknown> = {}) =>
    toEntityRecord(
      {
        id: 'f'.repeat(56),
        source: ENTITY_LIST,
        name,
        alt_names: ['Alias'],
        addresses: [{ address: '1 Demo Road', city: 'Shenzhen', state: 'Guangdong', postal_code: '518057', country: 'CN' }],
        federal_register_notice: '91 FR 10488',
        start_date: '2026-03-03',
        license_requirement: 'For all items subject to the EAR.',
        license_policy: 'Presumption of denial.',
        source_list_url: 'https://www.bis.gov/regulations/ear/744#supplement-4-744',
        ...extra,
      },
      ENTITY_LIST,
    );
  const before = [csl('Example Trading Co.'), csl('Example Removed Co.')].filter((r) => r !== undefined);
  const after = [csl('Example Trading Co.', { federal_register_notice: '91 FR 10488, 91 FR 20000' }), csl('Example Added Co.')].filter(
    (r) => r !== undefined,
  );
  const entities = diffLists(before as never, after as never).events.map((e) => change(toChangeDraft(e, at)));
  const filing = filingChange(
    { cik: '1045810', ticker: 'NVDA', name: 'NVIDIA CORP' },
    {
      accession: '0001045810-25-000209',
      filingDate: '2025-08-27',
      reportDate: '2025-07-27',
      acceptanceDateTime: '2025-08-27T16:21:39.000Z',
      form: '10-Q',
      items: [],
      primaryDocument: 'nvda-20250727.htm',
    } as unknown as Parameters<typeof filingChange>[1],
    'https://www.sec.gov',
  );
  const eightK = filingChange(
    { cik: '2488', ticker: undefined, name: 'ADVANCED MICRO DEVICES INC' },
    {
      accession: '0000002488-25-000112',
      filingDate: '2025-08-05',
      reportDate: undefined,
      acceptanceDateTime: undefined,
      form: '8-K',
      items: ['2.02'],
      primaryDocument: undefined,
    } as unknown as Parameters<typeof filingChange>[1],
    'https://www.sec.gov',
  );
  const mention = mentionDraft(
    {
      key: '0009990101-26-900101|entity-list',
      adsh: '0009990101-26-900101',
      queryId: 'entity-list',
      cik: '0009990101',
      company: 'EXAMPLE COMPONENTS PTE LTD',
      ticker: undefined,
      form: '10-Q',
      fileDate: '2026-03-02',
      items: [],
      sics: ['3674'],
      documents: [{ filename: 'ex.htm', fileType: '10-Q' }],
    } as unknown as Parameters<typeof mentionDraft>[0],
    { id: 'entity-list', phrase: 'Entity List', countries: [] },
    { text: 'Two customers were added to the Entity List.', document: 'ex.htm', span: [30, 41] },
    false,
  );
  const language = exportLanguageChange(
    {
      cik: '1045810',
      subject: 'NVDA',
      companyName: 'NVIDIA CORP',
      accession: '0001045810-25-000209',
      form: '10-Q',
      url: 'https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm',
      occurredAt: '2025-08-27T16:21:39.000Z',
    },
    {
      added: ['A license is required for exports to China.'],
      removed: [],
      changed: [
        {
          before: 'Old text.',
          after: 'New text.',
          diff: [
            { op: 'delete', text: 'Old' },
            { op: 'insert', text: 'New' },
            { op: 'equal', text: ' text.' },
          ],
        },
      ],
    },
    { accession: '0001045810-25-000116', form: '10-Q' },
  );
  return [
    change(publishedDraft(doc, undefined)),
    change(publishedDraft(doc, previousPi)),
    change(publicInspectionDraft(pi)),
    change(withdrawnDraft(pi, previousPi)),
    ...entities,
    change(filing),
    change(eightK),
    change(mention),
    ...(language ? [change(language)] : []),
  ];
}

describe('change-data contracts (issue 20, item 2)', () => {
  it('every kind in CHANGE_KINDS has a contract, and every contract kind is in CHANGE_KINDS', () => {
    const declared = CONTRACTS.flatMap((c) => Object.keys(c.kinds));
    expect([...declared].sort()).toEqual([...CHANGE_KINDS].sort());
    expect(new Set(CONTRACTS.map((c) => c.source)).size).toBe(CONTRACTS.length);
  });

  it('the sample changes of every family pass their contract', () => {
    const samples = [...sampleAll(), ...sampleMentions()];
    expect(new Set(samples.map((c) => c.source)).size).toBe(CONTRACTS.length);
    for (const c of samples) {
      const parsed = parseChangeData(c, contractOf(c));
      expect(parsed.kind).toBe(c.kind);
      expect(readChangeData(c, contractOf(c)).error).toBeUndefined();
    }
  });

  it("the real producers' drafts pass their contract, unchanged by the parse", () => {
    const produced = producedChanges();
    expect(new Set(produced.map((c) => c.kind))).toEqual(
      new Set([
        'fr.document',
        'fr.published',
        'fr.public-inspection',
        'fr.withdrawn',
        'entity.added',
        'entity.removed',
        'entity.amended',
        'filing.new',
        'filing.mention',
        'export-language.changed',
      ]),
    );
    for (const c of produced) {
      const parsed = parseChangeData(c, contractOf(c));
      // Loose objects and no transforms: what a reader gets is exactly what was stored.
      expect(parsed.data).toEqual(c.data);
    }
  });

  it('a wrong field fails with an error naming the change, its kind and the field path', () => {
    const [rule] = sampleAll().filter((c) => c.kind === 'fr.document');
    const bad = { ...(rule as Change), data: { ...(rule as Change).data, documentNumber: 42 } };
    expect(() => parseChangeData(bad, FEDERAL_REGISTER_CONTRACT)).toThrow(ContractError);
    try {
      parseChangeData(bad, FEDERAL_REGISTER_CONTRACT);
    } catch (err) {
      expect(err).toBeInstanceOf(ContractError);
      const e = err as ContractError;
      expect(e.changeId).toBe(bad.id);
      expect(e.kind).toBe('fr.document');
      expect(e.paths).toEqual(['documentNumber']);
      expect(e.message).toContain(bad.id);
      expect(e.message).toContain('fr.document');
      expect(e.message).toContain('documentNumber');
    }
    const [revenue] = sampleAll().filter((c) => c.kind === 'revenue.regional');
    const r = revenue as Change;
    const regions = r.data.regions as { before: unknown[]; after: Array<Record<string, unknown>> };
    const badRevenue = {
      ...r,
      data: { ...r.data, regions: { ...regions, after: [{ ...regions.after[0], value: 'ten' }, ...regions.after.slice(1)] } },
    };
    expect(() => parseChangeData(badRevenue, SEC_REVENUE_CONTRACT)).toThrow(/regions\.after\.0\.value/);
  });

  it('a kind the family does not declare, a truncated block and a non-object fail clearly', () => {
    const [filing] = sampleAll().filter((c) => c.kind === 'filing.new');
    const f = filing as Change;
    expect(() => parseChangeData({ ...f, kind: 'filing.other' }, SEC_FILINGS_CONTRACT)).toThrow(/filing\.other.*not a kind of sec-filings/);
    expect(() => parseChangeData({ ...f, data: { _truncated: '[cut]' } }, SEC_FILINGS_CONTRACT)).toThrow(/_truncated: the data was cut/);
    const read = readChangeData({ ...f, data: [] as unknown as Record<string, unknown> }, SEC_FILINGS_CONTRACT);
    expect(read.error?.paths).toEqual(['(data)']);
  });

  it('readChangeData keeps the fields that pass and names the ones that do not', () => {
    const [rule] = sampleAll().filter((c) => c.kind === 'fr.document');
    const r = rule as Change;
    const read = readChangeData(
      { ...r, data: { ...r.data, type: 7, cfrReferences: 'x', extra: { kept: true } } },
      FEDERAL_REGISTER_CONTRACT,
    );
    expect(read.change.data.type).toBeUndefined();
    expect(read.change.data.cfrReferences).toBeUndefined();
    expect(read.change.data.documentNumber).toBe('2026-20301');
    expect(read.change.data.extra).toEqual({ kept: true });
    expect(read.error?.paths.sort()).toEqual(['cfrReferences', 'type']);
  });

  it('older shapes the readers have always taken still pass: a numeric CIK, moves by member, string addresses', () => {
    const [filing] = sampleAll().filter((c) => c.kind === 'filing.new');
    expect(() =>
      parseChangeData({ ...(filing as Change), data: { ...(filing as Change).data, cik: 1045810 } }, SEC_FILINGS_CONTRACT),
    ).not.toThrow();
    const [revenue] = sampleAll().filter((c) => c.kind === 'revenue.regional');
    const r = revenue as Change;
    const moves = { 'country:SG': { label: 'Singapore', share: 0.2, value: 5e9, sharePpQoQ: 1.2 } };
    expect(() => parseChangeData({ ...r, data: { ...r.data, moves } }, SEC_REVENUE_CONTRACT)).not.toThrow();
    const [entity] = sampleAll().filter((c) => c.kind === 'entity.added');
    const e = entity as Change;
    expect(() => parseChangeData({ ...e, data: { ...e.data, addresses: ['1 Demo Road, Shenzhen'] } }, ENTITY_LIST_CONTRACT)).not.toThrow();
  });
});
