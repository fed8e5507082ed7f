import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Change, finalizeChange, type SourceName } from '#core/change.ts';
import { loadConfig } from '#core/config.ts';
import { startDynalite } from '#app/local/services.ts';
import type { RevenueSeries, StoredPeriod } from '#sources/sec-revenue/detect.ts';
import { DynamoChangeLog } from '#store/change-log.ts';
import { ensureTables } from '#store/create-tables.ts';
import { DynamoSourceState } from '#store/source-state.ts';
import { REPO_ROOT } from './fixtures.ts';

/**
 * A semiconductor sector (SIC 3674) added to a local data dir (normally the offline demo's,
 * whose NVIDIA revenue changes and BIS rule it joins): the roster item `sectors` of
 * sec-filings as the SIC resolution writes it, revenue series of three more companies
 * (one reporting China and Hong Kong apart, one foreign private issuer with fiscal years
 * only), `filing.mention` changes of sec-full-text (one of a company outside the sector),
 * and two BIS rules. The companies other than NVIDIA and their numbers are invented for
 * tests and the screenshot (the demo's report says its data is partly invented).
 */

export const SECTOR_SIC = '3674';
export const SECTOR_DETECTED = new Date('2026-11-28T16:00:00Z');

/** CIKs of the roster (unpadded, as the listing gives them). */
export const SECTOR_CIKS = {
  nvidia: '1045810',
  amd: '2488',
  exampleSemi: '9900001',
  exampleFoundry: '9900002',
  exampleDistributor: '9900003',
} as const;
/** A company that is not in the sector: its mention must not show. */
export const OUTSIDER_CIK = '9900099';

function period(
  start: string,
  end: string,
  total: number,
  regions: Array<[string, string, number]>,
  fiscalLabel: string,
  kind: 'quarter' | 'annual' = 'quarter',
): StoredPeriod {
  return {
    concept: 'us-gaap:Revenues',
    start,
    end,
    days: kind === 'quarter' ? 91 : 365,
    periodKind: kind,
    dimensions: {},
    axis: 'srt:StatementGeographicalAxis',
    unit: 'iso4217:USD',
    total,
    sumOfRegions: regions.reduce((s, r) => s + r[2], 0),
    complete: true,
    tolerance: 0,
    regions: regions.map(([member, label, value]) => ({ member, label, value, share: value / total })),
    fiscalLabel,
  } as StoredPeriod;
}

function series(cik: string, ticker: string | undefined, name: string, periods: StoredPeriod[]): RevenueSeries {
  return {
    cik: cik.padStart(10, '0'),
    ...(ticker ? { ticker } : {}),
    name,
    periods: Object.fromEntries(periods.map((p) => [`${p.start}..${p.end}`, p])),
  };
}

const M = 1e6;
/** Sample quarters: shares drift after the rules, as the page should make visible. */
export const SECTOR_SERIES: RevenueSeries[] = [
  series(
    SECTOR_CIKS.amd,
    'AMD',
    'ADVANCED MICRO DEVICES INC',
    [
      ['2024-03-31', '2024-06-29', 5835, 1080, 830, 260, 'Q2 2024'],
      ['2024-06-30', '2024-09-28', 6819, 1350, 1010, 300, 'Q3 2024'],
      ['2024-09-29', '2024-12-28', 7658, 1420, 1150, 360, 'Q4 2024'],
      ['2024-12-29', '2025-03-29', 7438, 1230, 1240, 380, 'Q1 2025'],
      ['2025-03-30', '2025-06-28', 7685, 650, 1330, 410, 'Q2 2025'],
    ].map(([s, e, total, cn, tw, sg, label]) =>
      period(
        s as string,
        e as string,
        (total as number) * M,
        [
          ['country:US', 'United States', ((total as number) - (cn as number) - (tw as number) - (sg as number)) * M],
          ['amd:ChinaIncludingHongKongMember', 'China (including Hong Kong)', (cn as number) * M],
          ['country:TW', 'Taiwan', (tw as number) * M],
          ['country:SG', 'Singapore', (sg as number) * M],
        ],
        label as string,
      ),
    ),
  ),
  series(
    SECTOR_CIKS.exampleSemi,
    'EXSM',
    'EXAMPLE SEMICONDUCTOR CO',
    [
      ['2024-04-01', '2024-06-30', 900, 160, 70, 'Q2 2024'],
      ['2024-07-01', '2024-09-30', 950, 170, 80, 'Q3 2024'],
      ['2024-10-01', '2024-12-31', 980, 150, 60, 'Q4 2024'],
      ['2025-01-01', '2025-03-31', 940, 110, 40, 'Q1 2025'],
      ['2025-04-01', '2025-06-30', 960, 80, 30, 'Q2 2025'],
    ].map(([s, e, total, cn, hk, label]) =>
      period(
        s as string,
        e as string,
        (total as number) * M,
        [
          ['country:US', 'United States', ((total as number) - (cn as number) - (hk as number) - 120) * M],
          ['country:CN', 'China', (cn as number) * M],
          ['country:HK', 'Hong Kong', (hk as number) * M],
          ['country:SG', 'Singapore', 120 * M],
        ],
        label as string,
      ),
    ),
  ),
  series(SECTOR_CIKS.exampleFoundry, undefined, 'EXAMPLE FOUNDRY LTD', [
    period(
      '2023-01-01',
      '2023-12-31',
      20_000 * M,
      [
        ['country:TW', 'Taiwan', 2_400 * M],
        ['country:US', 'United States', 13_000 * M],
        ['country:CN', 'China', 2_400 * M],
        ['exf:OtherMember', 'Other', 2_200 * M],
      ],
      'FY2023',
      'annual',
    ),
    period(
      '2024-01-01',
      '2024-12-31',
      26_000 * M,
      [
        ['country:TW', 'Taiwan', 2_100 * M],
        ['country:US', 'United States', 18_700 * M],
        ['country:CN', 'China', 2_900 * M],
        ['exf:OtherMember', 'Other', 2_300 * M],
      ],
      'FY2024',
      'annual',
    ),
  ]),
];

/** The `sectors` item of sec-filings, in the shape lambdas/sources/sec-filings/sectors.ts writes. */
export const SECTOR_ROSTER_ITEM = {
  v: 1,
  sectors: {
    [SECTOR_SIC]: {
      fetchedAt: '2026-11-28T06:00:00.000Z',
      ciks: Object.values(SECTOR_CIKS),
      names: { [SECTOR_CIKS.exampleDistributor]: 'EXAMPLE DISTRIBUTOR INC', [SECTOR_CIKS.exampleSemi]: 'EXAMPLE SEMICONDUCTOR CO' },
    },
  },
  filers: {},
};

function mention(cik: string, company: string, form: string, filedAt: string, query: string, passage: string, seq: number): Change {
  const accession = `${cik.padStart(10, '0')}-25-${String(seq).padStart(6, '0')}`;
  return finalizeChange(
    {
      // sec-full-text (issue 17, item 1): named here so the seed does not wait on the source list.
      source: 'sec-full-text' as SourceName,
      kind: 'filing.mention',
      naturalKey: accession,
      // As sec-full-text names it: the ticker when known, else the company name.
      subject: company,
      title: `${company} ${form} mentions "${query}"`,
      summary: passage,
      url: `https://www.sec.gov/Archives/edgar/data/${cik}/${accession.replace(/-/g, '')}/${form.toLowerCase()}.htm`,
      importance: 'normal',
      countries: [],
      occurredAt: `${filedAt}T16:05:00-05:00`,
      data: { cik, company, form, filedAt, query, passage, accession },
    },
    SECTOR_DETECTED,
  );
}

/** Mentions: three of sector companies (one filer twice), one of an outsider. */
export const SECTOR_MENTIONS: Change[] = [
  mention(
    SECTOR_CIKS.exampleDistributor,
    'EXAMPLE DISTRIBUTOR INC',
    '10-Q',
    '2025-05-09',
    'Entity List',
    'In April 2025 one of our customers in Singapore was added to the Entity List; shipments to it now require a license <which we may not obtain>.',
    1,
  ),
  mention(
    SECTOR_CIKS.exampleDistributor,
    'EXAMPLE DISTRIBUTOR INC',
    '10-Q',
    '2025-08-08',
    'export license',
    'We have applied for export licenses for shipments of certain products to China and Hong Kong.',
    2,
  ),
  mention(
    SECTOR_CIKS.exampleSemi,
    'EXAMPLE SEMICONDUCTOR CO',
    '8-K',
    '2025-04-17',
    'Export Administration Regulations',
    'The U.S. Government informed us that the Export Administration Regulations now require a license for exports of our accelerators to China.',
    3,
  ),
  mention(OUTSIDER_CIK, 'OUTSIDER HOLDINGS', '10-K', '2025-03-01', 'Entity List', 'Outside the sector: must not be listed.', 4),
];

function rule(doc: string, publicationDate: string, classification: string, title: string, citation: string): Change {
  return finalizeChange(
    {
      source: 'federal-register',
      kind: 'fr.published',
      naturalKey: `${doc}#published`,
      subject: 'BIS',
      title,
      summary: '',
      url: `https://www.federalregister.gov/d/${doc}`,
      importance: 'high',
      countries: ['CN'],
      occurredAt: publicationDate,
      data: { documentNumber: doc, publicationDate, classification, citation },
    },
    SECTOR_DETECTED,
  );
}

export const SECTOR_RULES: Change[] = [
  rule(
    '2024-28270',
    '2024-12-05',
    'advanced-computing',
    'Foreign-Produced Direct Product Rule Additions, and Refinements to Controls for Advanced Computing and Semiconductor Manufacturing Items',
    '89 FR 96790',
  ),
  rule('2025-00636', '2025-01-15', 'advanced-computing', 'Framework for Artificial Intelligence Diffusion', '90 FR 4544'),
];

/** Write the sector into the local store of `dataDir` (no runtime may hold it). */
export async function seedSector(dataDir: string): Promise<void> {
  const config = loadConfig({ ...process.env, EXPORT_WATCH_CONFIG: join(REPO_ROOT, 'export-watch.config.json') });
  const service = await startDynalite({ path: join(dataDir, 'dynamodb') });
  const client = new DynamoDBClient({
    endpoint: service.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await ensureTables(client, config.tables);
    const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const state = new DynamoSourceState(db, config.tables.state);
    await state.putItems('sec-filings', [{ key: 'sectors', value: SECTOR_ROSTER_ITEM }]);
    await state.putItems(
      'sec-revenue',
      SECTOR_SERIES.map((s) => ({ key: `series#${s.cik}`, value: s as unknown as Record<string, unknown> })),
    );
    const log = new DynamoChangeLog(db, config.tables.changes);
    for (const c of [...SECTOR_MENTIONS, ...SECTOR_RULES]) await log.put(c, { notify: false });
  } finally {
    client.destroy();
    await service.close();
  }
}
