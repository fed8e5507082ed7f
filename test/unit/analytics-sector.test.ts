import { describe, expect, it } from 'vitest';
import { renderSectorChart } from '#analytics/chart.ts';
import { renderSectorHtml } from '#analytics/html.ts';
import {
  buildSectorModel,
  checkSector,
  MAX_CHARTED_COMPANIES,
  readSectorRoster,
  rosterFromItem,
  type SectorRoster,
  sectorRegionOf,
  secGovUrl,
} from '#analytics/sector.ts';
import { type Change, finalizeChange, type SourceName } from '#core/change.ts';
import { mentionDraft } from '#sources/sec-full-text/detect.ts';
import type { RevenueSeries, StoredPeriod } from '#sources/sec-revenue/detect.ts';

const at = (iso: string) => new Date(iso);
const NOW = at('2026-06-01T00:00:00Z');

/** One stored quarter (or year) of a series: regions as [member, label, value]. */
function period(
  start: string,
  end: string,
  total: number | null,
  regions: Array<[string, string, number]>,
  kind: 'quarter' | 'annual' = 'quarter',
  fiscalLabel = `to ${end}`,
): StoredPeriod {
  return {
    concept: 'us-gaap:Revenues',
    start,
    end,
    days: kind === 'quarter' ? 90 : 364,
    periodKind: kind,
    dimensions: {},
    axis: 'srt:StatementGeographicalAxis',
    unit: 'iso4217:USD',
    total,
    sumOfRegions: regions.reduce((s, r) => s + r[2], 0),
    complete: true,
    tolerance: 0,
    regions: regions.map(([member, label, value]) => ({ member, label, value, share: 0 })),
    fiscalLabel,
  } as StoredPeriod;
}

function seriesOf(cik: string, ticker: string | undefined, name: string, periods: StoredPeriod[]): RevenueSeries {
  return { cik, ...(ticker ? { ticker } : {}), name, periods: Object.fromEntries(periods.map((p) => [`${p.start}..${p.end}`, p])) };
}

// NVIDIA reports China incl. Hong Kong as one member; "Acme" reports China and Hong Kong apart.
const nvda = seriesOf('0001045810', 'NVDA', 'NVIDIA CORP', [
  period('2025-01-27', '2025-04-27', 1000, [
    ['country:US', 'United States', 400],
    ['country:SG', 'Singapore', 200],
    ['country:TW', 'Taiwan', 250],
    ['nvda:ChinaIncludingHongKongMember', 'China (including Hong Kong)', 150],
  ]),
  period('2025-04-28', '2025-07-27', 2000, [
    ['country:US', 'United States', 1000],
    ['country:SG', 'Singapore', 500],
    ['country:TW', 'Taiwan', 300],
    ['nvda:ChinaIncludingHongKongMember', 'China (including Hong Kong)', 200],
  ]),
]);
const acme = seriesOf('0000000042', undefined, 'ACME SEMI', [
  period('2025-01-01', '2025-03-31', 400, [
    ['country:US', 'United States', 200],
    ['country:CN', 'China', 60],
    ['country:HK', 'Hong Kong', 40],
    ['country:DE', 'Germany', 100],
  ]),
]);
// Not in the sector: must not appear.
const outsider = seriesOf('0000000099', 'OUT', 'OUTSIDER INC', [
  period('2025-01-01', '2025-03-31', 100, [
    ['country:SG', 'Singapore', 90],
    ['country:US', 'United States', 10],
  ]),
]);
// A foreign private issuer with fiscal years only (20-F).
const fpi = seriesOf('0001046179', 'TSM', 'TAIWAN SEMICONDUCTOR', [
  period(
    '2023-01-01',
    '2023-12-31',
    100,
    [
      ['country:TW', 'Taiwan', 10],
      ['country:US', 'United States', 70],
      ['tsm:AsiaPacificMember', 'Asia Pacific', 20],
    ],
    'annual',
    'FY2023',
  ),
  period(
    '2024-01-01',
    '2024-12-31',
    200,
    [
      ['country:TW', 'Taiwan', 16],
      ['country:US', 'United States', 150],
      ['country:CN', 'China', 30],
      ['tsm:OtherMember', 'Other', 4],
    ],
    'annual',
    'FY2024',
  ),
]);

const roster: SectorRoster = {
  sic: '3674',
  fetchedAt: '2026-05-31T06:00:00Z',
  companies: [
    { cik: '1045810', name: 'NVIDIA CORP' },
    { cik: '42', name: 'ACME SEMI' },
    { cik: '1046179', name: undefined },
    { cik: '777', name: 'SMALL FILER CO' },
  ],
};

function mention(
  cik: string,
  company: string,
  filedAt: string,
  query: string,
  passage: string,
  accession: string,
  url = `https://www.sec.gov/Archives/edgar/data/${cik}/${accession.replace(/-/g, '')}/doc.htm`,
): Change {
  return finalizeChange(
    {
      source: 'sec-full-text' as SourceName,
      kind: 'filing.mention',
      naturalKey: accession,
      // As sec-full-text names it: the ticker when known, else the company name.
      subject: company,
      title: `${company} mentions "${query}"`,
      summary: passage,
      url,
      importance: 'normal',
      occurredAt: filedAt,
      data: { cik, company, form: '10-Q', filedAt, query, passage, accession },
    },
    at(`${filedAt}T12:00:00Z`),
  );
}

function rule(doc: string, publicationDate: string, classification: string): Change {
  return finalizeChange(
    {
      source: 'federal-register',
      kind: 'fr.published',
      naturalKey: `${doc}#published`,
      subject: 'BIS',
      title: `Rule ${doc}`,
      summary: '',
      url: `https://www.federalregister.gov/d/${doc}`,
      importance: 'high',
      countries: ['CN'],
      occurredAt: publicationDate,
      data: { documentNumber: doc, publicationDate, classification },
    },
    at(`${publicationDate}T15:00:00Z`),
  );
}

const changes: Change[] = [
  mention('777', 'SMALL FILER CO', '2025-05-02', 'Entity List', 'Our distributor was added to the Entity List.', '0000000777-25-000001'),
  mention(
    '777',
    'SMALL FILER CO',
    '2025-08-04',
    'export license',
    'We applied for an export license <b>for China</b>.',
    '0000000777-25-000002',
  ),
  mention('99', 'OUTSIDER INC', '2025-06-01', 'Entity List', 'Not in the sector.', '0000000099-25-000001'),
  mention(
    '1045810',
    'NVIDIA CORP',
    '2025-05-28',
    'export license',
    'H20 requires a license.',
    '0001045810-25-000100',
    'https://evil.example.com/x',
  ),
  rule('2025-07001', '2025-04-15', 'advanced-computing'),
  rule('2025-09002', '2025-06-20', 'entity-list-addition'),
];

const model = buildSectorModel({ roster, series: [nvda, acme, outsider, fpi], changes, generatedAt: NOW, origin: 'local store test' });
const byCik = (cik: string) => model.companies.find((c) => c.cik === cik);

describe('sector model', () => {
  it('keeps the sector: only roster CIKs (padded or not), never another company', () => {
    expect(model.companies.map((c) => c.cik).sort()).toEqual(['1045810', '1046179', '42']);
    expect(model.rosterSize).toBe(4);
    expect(model.companies.every((c) => c.name !== 'OUTSIDER INC')).toBe(true);
  });

  it('computes each region share of total revenue per period end', () => {
    const n = byCik('1045810');
    expect(n?.kind).toBe('quarter');
    expect(n?.lines.SG.map((p) => [p.end, p.share])).toEqual([
      ['2025-04-27', 0.2],
      ['2025-07-27', 0.25],
    ]);
    expect(n?.lines.TW.map((p) => p.share)).toEqual([0.25, 0.15]);
    expect(n?.lines.CNHK.map((p) => p.share)).toEqual([0.15, 0.1]);
    expect(n?.summedCnHk).toBe(false);
  });

  it('sums China and Hong Kong where a company reports them apart, and says so', () => {
    const a = byCik('42');
    expect(a?.lines.CNHK).toHaveLength(1);
    expect(a?.lines.CNHK[0]?.value).toBe(100);
    expect(a?.lines.CNHK[0]?.share).toBe(0.25);
    expect(a?.lines.CNHK[0]?.members).toEqual(['China', 'Hong Kong']);
    expect(a?.summedCnHk).toBe(true);
    expect(a?.lines.SG).toEqual([]);
    expect(a?.subject).toBe('0000000042');
  });

  it('charts fiscal years for a company without quarters; a region covering other places counts for none', () => {
    const t = byCik('1046179');
    expect(t?.kind).toBe('annual');
    expect(t?.lines.TW.map((p) => p.share)).toEqual([0.1, 0.08]);
    expect(t?.lines.CNHK.map((p) => p.end)).toEqual(['2024-12-31']);
    expect(sectorRegionOf('tsm:AsiaPacificMember', 'Asia Pacific')).toBeUndefined();
    expect(sectorRegionOf('country:HK')).toBe('CNHK');
    expect(sectorRegionOf('nvda:ChinaIncludingHongKongMember', 'China (including Hong Kong)')).toBe('CNHK');
    expect(sectorRegionOf('country:SG')).toBe('SG');
  });

  it('orders companies by their newest combined share and gives each its own colour', () => {
    // NVDA 0.25+0.15+0.1 = 0.5; ACME 0.25; TSM 0.08+0.15 = 0.23.
    expect(model.companies.map((c) => c.subject)).toEqual(['NVDA', '0000000042', 'TSM']);
    expect(new Set(model.companies.map((c) => c.color)).size).toBe(3);
    expect(model.companies.every((c) => c.charted)).toBe(true);
  });

  it('lists the sector filers that mention export controls, newest first, the first of each filer marked, links only to sec.gov', () => {
    expect(model.mentions.map((m) => [m.date, m.company, m.query, m.first])).toEqual([
      ['2025-08-04', 'SMALL FILER CO', 'export license', false],
      ['2025-05-28', 'NVIDIA CORP', 'export license', true],
      ['2025-05-02', 'SMALL FILER CO', 'Entity List', true],
    ]);
    expect(model.mentions[0]?.url).toMatch(/^https:\/\/www\.sec\.gov\//);
    expect(model.mentions[1]?.url).toBeUndefined();
    expect(secGovUrl('https://sec.gov.evil.example/x')).toBeUndefined();
    expect(secGovUrl('http://www.sec.gov/x')).toBeUndefined();
  });

  it('puts the BIS rules on the timeline', () => {
    expect(model.rules.map((r) => [r.date, r.classification])).toEqual([
      ['2025-04-15', 'advanced-computing'],
      ['2025-06-20', 'entity-list-addition'],
    ]);
  });

  it('charts at most MAX_CHARTED_COMPANIES companies', () => {
    const many = Array.from({ length: MAX_CHARTED_COMPANIES + 3 }, (_, i) =>
      seriesOf(String(5000 + i), `T${i}`, `CO ${i}`, [
        period('2025-01-01', '2025-03-31', 100, [
          ['country:SG', 'Singapore', i + 1],
          ['country:US', 'United States', 99 - i],
        ]),
      ]),
    );
    const m = buildSectorModel({
      roster: { sic: '3674', fetchedAt: undefined, companies: many.map((s) => ({ cik: s.cik, name: undefined })) },
      series: many,
      changes: [],
      generatedAt: NOW,
    });
    expect(m.companies.filter((c) => c.charted)).toHaveLength(MAX_CHARTED_COMPANIES);
    expect(m.companies[0]?.subject).toBe(`T${MAX_CHARTED_COMPANIES + 2}`);
  });
});

describe('sector model on the changes sec-full-text writes (the real mentionDraft)', () => {
  it('reads company, CIK, form, date, query, passage and the sec.gov filing index from a filing.mention change', () => {
    const draft = mentionDraft(
      {
        key: '0000000777-25-000009|entity-list',
        adsh: '0000000777-25-000009',
        queryId: 'entity-list',
        cik: '0000000777',
        company: 'SMALL FILER CO',
        ticker: undefined,
        form: '10-K',
        fileDate: '2025-09-30',
        items: [],
        sics: [],
        documents: [{ filename: 'x10k.htm', fileType: '10-K' }],
      },
      { id: 'entity-list', phrase: 'Entity List', countries: [] },
      { text: 'Two of our customers were added to the Entity List.', document: 'x10k.htm', span: [36, 47] },
      false,
    );
    const m = buildSectorModel({ roster, series: [], changes: [finalizeChange(draft, at('2025-09-30T22:00:00Z'))], generatedAt: NOW });
    expect(m.mentions).toEqual([
      {
        date: '2025-09-30',
        cik: '777',
        company: 'SMALL FILER CO',
        form: '10-K',
        query: 'Entity List',
        passage: 'Two of our customers were added to the Entity List.',
        url: 'https://www.sec.gov/Archives/edgar/data/777/000000077725000009/0000000777-25-000009-index.htm',
        accession: '0000000777-25-000009',
        first: true,
      },
    ]);
  });
});

describe('sector roster and --sector', () => {
  const item = {
    v: 1,
    sectors: {
      '3674': { fetchedAt: '2026-05-31T06:00:00Z', ciks: ['1045810', '0000000042', '42', 'x'], names: { '1045810': 'NVIDIA CORP' } },
    },
    filers: { '42': { fpi: false, checkedAt: '2026-05-01T00:00:00Z', name: 'ACME SEMI' } },
  };

  it('reads the roster of the code from the sec-filings "sectors" state item (deduplicated, unpadded, names from the listing or the filers)', async () => {
    expect(rosterFromItem(item, '3674')).toEqual({
      sic: '3674',
      fetchedAt: '2026-05-31T06:00:00Z',
      companies: [
        { cik: '1045810', name: 'NVIDIA CORP' },
        { cik: '42', name: 'ACME SEMI' },
      ],
    });
    expect(rosterFromItem(item, '3672')).toBeUndefined();
    const asked: string[] = [];
    const state = {
      getItem: async (source: string, key: string) => {
        asked.push(`${source}/${key}`);
        return item;
      },
    };
    expect((await readSectorRoster(state, '3674'))?.companies).toHaveLength(2);
    expect(asked).toEqual(['sec-filings/sectors']);
    expect(await readSectorRoster(undefined, '3674')).toBeUndefined();
  });

  it('accepts four digits (or SIC:dddd) and rejects the rest with a one-line usage error', () => {
    expect(checkSector('3674')).toBe('3674');
    expect(checkSector(' SIC:3559 ')).toBe('3559');
    for (const bad of ['367', '36744', 'semis', '36a4', ''])
      expect(() => checkSector(bad)).toThrow(/--sector: ".*" is not a SIC code: give its four digits/);
  });
});

describe('sector page rendering', () => {
  const html = renderSectorHtml(model);
  const svg = renderSectorChart(model);

  it('one chart: a line per company and region, regions by dash and marker, rule markers on the axis', () => {
    expect(svg.match(/<svg [^>]*class="chart sector"/g)).toHaveLength(1);
    // NVDA 3 regions, ACME 1 (CN+HK), TSM 2 (TW, CN+HK).
    expect(svg.match(/<g class="sector-line"/g)).toHaveLength(6);
    expect(svg).toContain('data-region="CNHK" data-cik="42"');
    expect(svg).toContain('Advanced-computing rule · 2025-04-15');
    expect(svg).toMatch(/China incl\. Hong Kong \(China and Hong Kong summed where reported apart\)/);
  });

  it('escapes upstream text and links only sec.gov', () => {
    expect(html).not.toContain('<b>for China</b>');
    expect(html).toContain('&lt;b&gt;for China&lt;/b&gt;');
    expect(html).not.toContain('evil.example.com');
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1] as string).filter((h) => !h.startsWith('#'));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const h of hrefs) expect(h).toMatch(/^https:\/\/(www\.sec\.gov|www\.federalregister\.gov)\//);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script|<link |src=/);
  });

  it('says the sector, the roster size, the mentions and the rules', () => {
    expect(html).toContain('SIC 3674');
    expect(html).toMatch(/4 companies on the roster/);
    expect(html.match(/<tr class="mention/g)).toHaveLength(3);
    expect(html).toContain('Rule 2025-07001');
  });
});
