import { type Change, type ChangeDraft, finalizeChange } from '#core/change.ts';

/**
 * Realistic sample changes of every family, shaped like the sources' drafts: the
 * screenshot script (`scripts/screenshot-emails.ts`), docs/emails.md and the rendering
 * tests use them. Names of listed entities are fictional. Not used at runtime.
 */

const DETECTED = new Date('2026-03-02T14:05:00Z');

const change = (draft: ChangeDraft, at: Date = DETECTED): Change => finalizeChange(draft, at);

/** NVIDIA's 10-Q and an AMD 8-K (`filing.new`). */
export function sampleFilings(): Change[] {
  return [
    change({
      source: 'sec-filings',
      kind: 'filing.new',
      naturalKey: '0001045810-25-000209',
      subject: 'NVDA',
      title: 'NVIDIA CORP filed 10-Q (period 2025-07-27)',
      summary: 'NVIDIA CORP (NVDA) filed Form 10-Q for the period ended 2025-07-27 on 2025-08-27. Accession 0001045810-25-000209.',
      url: 'https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm',
      importance: 'high',
      occurredAt: '2025-08-27T16:21:39.000Z',
      version: 'v1',
      data: {
        cik: '1045810',
        accession: '0001045810-25-000209',
        form: '10-Q',
        filedAt: '2025-08-27',
        acceptedAt: '2025-08-27T16:21:39.000Z',
        periodOfReport: '2025-07-27',
        items: [],
        primaryDocument: 'nvda-20250727.htm',
        primaryDocumentUrl: 'https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm',
        indexUrl: 'https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/',
        companyName: 'NVIDIA CORP',
      },
    }),
    change({
      source: 'sec-filings',
      kind: 'filing.new',
      naturalKey: '0000002488-25-000112',
      subject: 'AMD',
      title: 'ADVANCED MICRO DEVICES INC filed 8-K (items 2.02, 9.01)',
      summary:
        'ADVANCED MICRO DEVICES INC (AMD) filed Form 8-K on 2025-08-05 (event date 2025-08-05). Items: 2.02 Results of Operations and Financial Condition; 9.01 Financial Statements and Exhibits. Accession 0000002488-25-000112.',
      url: 'https://www.sec.gov/Archives/edgar/data/2488/000000248825000112/amd-20250805.htm',
      importance: 'normal',
      occurredAt: '2025-08-05T20:07:12.000Z',
      version: 'v1',
      data: {
        cik: '2488',
        accession: '0000002488-25-000112',
        form: '8-K',
        filedAt: '2025-08-05',
        periodOfReport: '2025-08-05',
        items: ['2.02', '9.01'],
        primaryDocumentUrl: 'https://www.sec.gov/Archives/edgar/data/2488/000000248825000112/amd-20250805.htm',
        indexUrl: 'https://www.sec.gov/Archives/edgar/data/2488/000000248825000112/',
        companyName: 'ADVANCED MICRO DEVICES INC',
      },
    }),
  ];
}

const region = (member: string, label: string, value: number, total: number) => ({
  member,
  label,
  value,
  share: Math.round((value / total) * 10_000) / 10_000,
});

/**
 * NVIDIA Q2 FY2026 by billing location against Q2 FY2025 and Q1 FY2026 (`revenue.regional`):
 * the real figures of the 10-Q (../shared/fixtures README), Q1 derived as the six-month
 * YTD minus the quarter.
 */
export function sampleRevenue(): Change[] {
  const total = 46_743e6;
  const before = 30_040e6;
  const q1 = 90_805e6 - total;
  const rows: Array<[string, string, string[], number, number, number]> = [
    ['country:US', 'United States', ['US'], 23_470e6, 13_022e6, 44_209e6 - 23_470e6],
    ['country:SG', 'Singapore', ['SG'], 10_156e6, 5_622e6, 19_173e6 - 10_156e6],
    ['country:TW', 'Taiwan', ['TW'], 8_529e6, 5_740e6, 15_687e6 - 8_529e6],
    ['nvda:ChinaIncludingHongKongMember', 'China (including Hong Kong)', ['CN', 'HK'], 2_769e6, 3_667e6, 8_291e6 - 2_769e6],
    ['nvda:AllOtherCountriesNotSeparatelyDisclosedMember', 'All other countries', [], 1_819e6, 1_989e6, 3_445e6 - 1_819e6],
  ];
  const r1 = (n: number) => Math.round(n * 10) / 10;
  return [
    change({
      source: 'sec-revenue',
      kind: 'revenue.regional',
      naturalKey: '0001045810:2025-07-27:quarter:us-gaap:Revenues',
      subject: 'NVDA',
      title: 'NVIDIA Q2 FY2026: Singapore 21.7% of revenue (+3.0 pp YoY)',
      summary:
        'Revenue $46.7B. United States 50.2% ($23.5B, +6.9 pp YoY); Singapore 21.7% ($10.2B, +3.0 pp YoY); Taiwan 18.2% ($8.5B, −0.9 pp YoY); China (including Hong Kong) 5.9% ($2.8B, −6.3 pp YoY); All other countries 3.9% ($1.8B, −2.7 pp YoY). Source: 10-Q 0001045810-25-000209.',
      url: 'https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm',
      importance: 'high',
      countries: ['SG', 'CN', 'HK', 'TW'],
      occurredAt: '2025-08-27T16:21:39.000Z',
      data: {
        cik: '0001045810',
        company: 'NVIDIA CORP',
        concept: 'us-gaap:Revenues',
        period: { start: '2025-04-28', end: '2025-07-27', kind: 'quarter', days: 91, fiscalLabel: 'Q2 FY2026' },
        comparedWith: { basis: 'yoy', start: '2024-04-29', end: '2024-07-28', fiscalLabel: 'Q2 FY2025', accession: '0001045810-25-000209' },
        previousQuarter: {
          basis: 'qoq',
          start: '2025-01-27',
          end: '2025-04-27',
          fiscalLabel: 'Q1 FY2026',
          accession: '0001045810-25-000116',
        },
        regions: {
          before: rows.map(([m, l, , , b]) => region(m, l, b, before)),
          after: rows.map(([m, l, , a]) => region(m, l, a, total)),
        },
        moves: rows.map(([member, label, countries, a, b, q]) => ({
          member,
          label,
          countries,
          share: Math.round((a / total) * 10_000) / 10_000,
          value: a,
          sharePpYoY: r1((a / total - b / before) * 100),
          valuePctYoY: r1((a / b - 1) * 100),
          sharePpQoQ: r1((a / total - q / q1) * 100),
          valuePctQoQ: r1((a / q - 1) * 100),
          notable: true,
        })),
        membersAdded: [],
        membersRemoved: [],
        recast: false,
        total,
        totalBefore: before,
        complete: true,
        accession: '0001045810-25-000209',
        form: '10-Q',
      },
    }),
  ];
}

/** NVIDIA's export-control risk factor between two 10-Qs (`export-language.changed`). */
export function sampleLanguage(): Change[] {
  return [
    change({
      source: 'sec-export-language',
      kind: 'export-language.changed',
      naturalKey: '0001045810-25-000209',
      subject: 'NVDA',
      title: 'NVIDIA 10-Q: export-control language changed (1 passage edited, 1 added, 1 removed)',
      summary: 'Risk-factor language on export controls changed against the previous 10-Q (0001045810-25-000116).',
      url: 'https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm',
      importance: 'high',
      countries: ['CN', 'HK', 'MO'],
      occurredAt: '2025-08-27T16:21:39.000Z',
      data: {
        form: '10-Q',
        accession: '0001045810-25-000209',
        previousAccession: '0001045810-25-000116',
        changed: [
          {
            before:
              'We are subject to export controls that restrict the sale of certain of our products to China and other countries. In October 2023, the USG announced new licensing requirements for our A100, H100 and other products.',
            after:
              'We are subject to export controls that restrict the sale of certain of our products to China, Hong Kong, Macau and other D:5 countries. In April 2025, the USG informed us that a license is required for exports of our H20 integrated circuits to China.',
            diff: [
              { op: 'equal', text: 'We are subject to export controls that restrict the sale of certain of our products to ' },
              { op: 'delete', text: 'China and other countries.' },
              { op: 'insert', text: 'China, Hong Kong, Macau and other D:5 countries.' },
              { op: 'equal', text: ' In ' },
              { op: 'delete', text: 'October 2023,' },
              { op: 'insert', text: 'April 2025,' },
              { op: 'equal', text: ' the USG ' },
              { op: 'delete', text: 'announced new licensing requirements for our A100, H100 and other products.' },
              { op: 'insert', text: 'informed us that a license is required for exports of our H20 integrated circuits to China.' },
            ],
          },
        ],
        added: [
          'In July 2025, the USG indicated that licenses for H20 sales to China may be granted, subject to conditions that we have not yet finalized; we cannot predict whether or when such licenses will be issued.',
        ],
        removed: ['We do not expect the new requirements to have a near-term meaningful impact on our financial results.'],
      },
    }),
  ];
}

/** A BIS interim final rule and an Entity List rule on public inspection (`fr.*`). */
export function sampleFederalRegister(): Change[] {
  return [
    change({
      source: 'federal-register',
      kind: 'fr.document',
      naturalKey: '2026-20301#published',
      version: 'published:2026-03-02',
      subject: 'BIS',
      title: 'Revisions to Export Controls on Advanced Computing Items and Data Center Authorizations',
      summary:
        'Rule (Interim final rule; request for comments); published 2026-03-02; effective 2026-03-02; 91 FR 10450. In this interim final rule, BIS tightens license requirements for advanced computing integrated circuits destined to China and Macau.',
      url: 'https://www.federalregister.gov/documents/2026/03/02/2026-20301/revisions-to-export-controls-on-advanced-computing-items-and-data-center-authorizations',
      importance: 'high',
      countries: ['CN', 'MO', 'MY', 'SG'],
      occurredAt: '2026-03-02',
      data: {
        documentNumber: '2026-20301',
        type: 'Rule',
        action: 'Interim final rule; request for comments.',
        classification: 'advanced-computing',
        publicationDate: '2026-03-02',
        effectiveOn: '2026-03-02',
        filedAt: '2026-02-27T13:45:00.000Z',
        abstract:
          'In this interim final rule, the Bureau of Industry and Security (BIS) tightens license requirements under the Export Administration Regulations (EAR) for advanced computing integrated circuits destined to China and Macau, and adds compliance conditions to the Data Center Validated End-User authorization in response to diversion of such items through Malaysia and Singapore.',
        htmlUrl:
          'https://www.federalregister.gov/documents/2026/03/02/2026-20301/revisions-to-export-controls-on-advanced-computing-items-and-data-center-authorizations',
        pdfUrl: 'https://www.govinfo.gov/content/pkg/FR-2026-03-02/pdf/2026-20301.pdf',
        citation: '91 FR 10450',
        cfrReferences: ['15 CFR 734', '15 CFR 740', '15 CFR 742', '15 CFR 744'],
        correctionOf: null,
        regulationIdNumbers: ['0694-AJ90'],
        previouslyOnPublicInspection: false,
      },
    }),
    change({
      source: 'federal-register',
      kind: 'fr.public-inspection',
      naturalKey: '2026-04112#pi',
      version: 'pi:2026-03-02T13:45:00.000Z',
      subject: 'BIS',
      title: 'Additions to the Entity List',
      summary:
        'Rule on public inspection since 2026-03-02 08:45 ET; scheduled for publication 2026-03-03. Not yet published: the text is the public-inspection copy.',
      url: 'https://public-inspection.federalregister.gov/2026-04112.pdf',
      importance: 'high',
      occurredAt: '2026-03-02T13:45:00.000Z',
      data: {
        documentNumber: '2026-04112',
        type: 'Rule',
        action: null,
        classification: 'entity-list',
        publicationDate: '2026-03-03',
        effectiveOn: null,
        filedAt: '2026-03-02T13:45:00.000Z',
        filingType: 'regular',
        abstract: null,
        htmlUrl: 'https://www.federalregister.gov/public-inspection/2026-04112/additions-to-the-entity-list',
        pdfUrl: 'https://public-inspection.federalregister.gov/2026-04112.pdf',
        citation: null,
        cfrReferences: [],
        correctionOf: null,
        regulationIdNumbers: [],
      },
    }),
  ];
}

const EL = 'Entity List (EL) - Bureau of Industry and Security';
const REQ = 'For all items subject to the EAR. (See §744.11 of the EAR).';
const POLICY = 'Presumption of denial.';

function entity(kind: 'added' | 'removed' | 'amended', name: string, country: string, extra: Record<string, unknown> = {}): Change {
  const address = (extra.address as Record<string, string> | undefined) ?? {
    address: 'Room 1208, Example Tower',
    city: 'Shenzhen',
    state: 'Guangdong',
    postal_code: '518057',
    country,
  };
  const data: Record<string, unknown> = {
    list: EL,
    name,
    altNames: extra.altNames ?? [],
    countries: [country],
    addresses: extra.addresses ?? [address],
    federalRegisterNotice: extra.federalRegisterNotice ?? '91 FR 10488',
    startDate: extra.startDate ?? '2026-03-03',
    licenseRequirement: REQ,
    licensePolicy: POLICY,
    ...(extra.changes ? { changes: extra.changes } : {}),
  };
  return change({
    source: 'entity-list',
    kind: `entity.${kind}`,
    naturalKey: `EL|${name.toLowerCase()}|${country}`,
    version: `${kind}:${name.length}`,
    subject: 'Entity List',
    title: `Entity List: ${kind} ${name} (${country})`,
    summary: `${name} (${country}) was ${kind === 'added' ? 'added to' : kind === 'removed' ? 'removed from' : 'amended on'} the Entity List.`,
    url: 'https://www.bis.gov/regulations/ear/744#supplement-4-744',
    importance: kind === 'added' ? 'high' : 'normal',
    countries: [country],
    ...(kind === 'added' ? { occurredAt: '2026-03-03' } : {}),
    data,
  });
}

/**
 * One Entity List batch: additions in China, Singapore and the UAE, one amendment and
 * one removal. `additions` scales the batch (the subject test uses 23).
 */
export function sampleEntities(additions = 8): Change[] {
  const cn: Array<[string, string[], Record<string, string>]> = [
    [
      'Example Chip Design Innovation Co., Ltd.',
      ['ECDI'],
      { address: 'No. 66 Demo Technology Road, Pudong', city: 'Shanghai', state: 'Shanghai', postal_code: '201203', country: 'CN' },
    ],
    [
      'Example High Bandwidth Memory Technology Co.',
      [],
      { address: 'Building 3, 18 Sample Avenue', city: 'Hefei', state: 'Anhui', postal_code: '', country: 'CN' },
    ],
    [
      'Shanghai Example Lithography Equipment Co., Ltd.',
      ['SELE'],
      { address: '1525 Placeholder Road, Zhangjiang', city: 'Shanghai', state: 'Shanghai', postal_code: '201210', country: 'CN' },
    ],
    [
      'Example Advanced Packaging (Wuxi) Co., Ltd.',
      [],
      { address: '9 Demo Industrial Park Road', city: 'Wuxi', state: 'Jiangsu', postal_code: '214000', country: 'CN' },
    ],
    [
      'Hefei Example Compute Cluster Co., Ltd.',
      ['Example Compute'],
      { address: 'Floor 12, Example Innovation Center', city: 'Hefei', state: 'Anhui', postal_code: '230088', country: 'CN' },
    ],
    [
      'Example Photonics Research Institute',
      [],
      { address: '88 Sample Science Avenue', city: 'Wuhan', state: 'Hubei', postal_code: '430074', country: 'CN' },
    ],
    [
      'Example Semiconductor Materials Co., Ltd.',
      [],
      { address: 'Room 1208, Example Tower', city: 'Shenzhen', state: 'Guangdong', postal_code: '518057', country: 'CN' },
    ],
  ];
  const sg = ['Example Accelerator Reseller Pte. Ltd.', 'Example Cloud Systems Pte. Ltd.'];
  const out: Change[] = [];
  for (let i = 0; i < additions; i++) {
    if (i % 8 < 5 || i >= 10) {
      const [name, aka, address] = cn[i % cn.length] ?? (cn[0] as (typeof cn)[number]);
      out.push(entity('added', i < cn.length ? name : `${name} (branch ${i})`, 'CN', { altNames: aka, address }));
    } else if (i % 8 < 7) {
      out.push(
        entity('added', sg[i % 2] ?? 'Example Pte. Ltd.', 'SG', {
          address: { address: '80 Placeholder Street, #09-11', city: 'Singapore', state: '', postal_code: '079911', country: 'SG' },
        }),
      );
    } else {
      out.push(
        entity('added', 'Example Freight FZE', 'AE', {
          address: { address: 'Warehouse 4, Demo Free Zone', city: 'Dubai', state: '', postal_code: '', country: 'AE' },
        }),
      );
    }
  }
  out.push(
    entity('amended', 'Example Wafer Fabrication Institute', 'CN', {
      federalRegisterNotice: '89 FR 10101, 91 FR 10488',
      startDate: '2024-12-05',
      changes: [
        {
          field: 'addresses',
          before: [{ address: '200 Sample Avenue, Pudong New Area', city: 'Shanghai', state: '', postal_code: '', country: 'CN' }],
          after: [
            { address: '200 Sample Avenue, Pudong New Area', city: 'Shanghai', state: '', postal_code: '', country: 'CN' },
            { address: 'No. 9 Demo Chip Road, Lingang', city: 'Shanghai', state: '', postal_code: '', country: 'CN' },
          ],
        },
        { field: 'federalRegisterNotice', before: '89 FR 10101', after: '89 FR 10101, 91 FR 10488' },
      ],
    }),
    entity('removed', 'Example Trading Partners FZE', 'AE', {
      federalRegisterNotice: '88 FR 44444',
      startDate: '2023-02-24',
      address: { address: 'Office 12, Example Business Bay', city: 'Dubai', state: '', postal_code: '', country: 'AE' },
    }),
  );
  return out;
}

/**
 * A day of `filing.mention` (sec-full-text): filers on no ticker list whose filings use an
 * export-control phrase, as the daily round-up holds them. Companies, CIKs and passages
 * are invented (own prose); the shape is sec-full-text's mentionDraft.
 */
export function sampleMentions(): Change[] {
  const mention = (
    seq: number,
    company: string,
    form: string,
    filedAt: string,
    phrase: string,
    queryId: string,
    passage: string,
    countries: string[],
  ) => {
    const cik = String(9_990_100 + seq).padStart(10, '0');
    const accession = `${cik}-26-${String(900_100 + seq).padStart(6, '0')}`;
    const at = passage.indexOf(phrase);
    return change({
      source: 'sec-full-text',
      kind: 'filing.mention',
      naturalKey: `${accession}|${queryId}`,
      subject: company,
      title: `${company} ${form} filed ${filedAt} mentions "${phrase}"`,
      summary: passage,
      url: `https://www.sec.gov/Archives/edgar/data/${Number(cik)}/${accession.replace(/-/g, '')}/${accession}-index.htm`,
      countries,
      occurredAt: filedAt,
      version: '1',
      data: {
        accession,
        cik,
        company,
        form,
        filedAt,
        items: [],
        sics: ['3674'],
        query: phrase,
        queryId,
        queryCountries: [],
        documents: [{ filename: `ex-${seq}.htm`, fileType: form }],
        watched: false,
        passage,
        passageDocument: `ex-${seq}.htm`,
        ...(at >= 0 ? { passageSpan: [at, at + phrase.length] } : {}),
      },
    });
  };
  return [
    mention(
      1,
      'EXAMPLE COMPONENTS PTE LTD',
      '10-Q',
      '2026-03-02',
      'Entity List',
      'entity-list',
      'In February 2026 two of our distribution customers in Shenzhen were added to the Entity List. Sales to them now require a license, which we do not expect to be granted, and accounted for 7% of net revenue in the quarter.',
      ['CN'],
    ),
    mention(
      2,
      'EXAMPLE TEST SYSTEMS INC',
      '8-K',
      '2026-03-02',
      'Entity List',
      'entity-list',
      'The Company has suspended shipments of wafer probe cards to a customer designated on the Entity List on February 27, 2026 and is assessing its open orders of about $18 million.',
      ['CN'],
    ),
    mention(
      3,
      'EXAMPLE MEMORY HOLDINGS LTD',
      '6-K',
      '2026-03-02',
      'export license',
      'export-license',
      'Our Singapore subsidiary applied for an export license for high-bandwidth memory shipments to two customers in Malaysia; until it is granted these orders remain in backlog.',
      ['SG', 'MY'],
    ),
  ];
}

/** Everything above, as one digest would hold it. */
export function sampleAll(): Change[] {
  return [...sampleEntities(), ...sampleFederalRegister(), ...sampleRevenue(), ...sampleLanguage(), ...sampleFilings()];
}
