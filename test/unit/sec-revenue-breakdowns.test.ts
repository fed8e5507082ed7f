import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Breakdown, describeEntity, extractBreakdowns } from '#sources/sec-revenue/breakdowns.ts';
import { parseLabelLinkbase } from '#sources/sec-revenue/label-linkbase.ts';
import { readXbrlSync } from '#sources/sec-revenue/xbrl-reader.ts';
import { describeWithSharedFixtures, OWN_FIXTURES, shared } from '../support/fixtures.ts';

const M = 1e6;

/** Region values in $M keyed by member, for compact assertions. */
function millions(b: Breakdown | undefined): Record<string, number> {
  return Object.fromEntries((b?.regions ?? []).map((r) => [r.member, r.value / M]));
}

function find(list: Breakdown[], start: string, end: string, dims = 0): Breakdown | undefined {
  return list.find((b) => b.start === start && b.end === end && Object.keys(b.dimensions).length === dims);
}

const NVDA_Q2_FY2026 = {
  quarter: ['2025-04-28', '2025-07-27', 'quarter', { US: 23_470, SG: 10_156, TW: 8_529, CN: 2_769, OTHER: 1_819 }, 46_743],
  priorQuarter: ['2024-04-29', '2024-07-28', 'quarter', { US: 13_022, SG: 5_622, TW: 5_740, CN: 3_667, OTHER: 1_989 }, 30_040],
  ytd: ['2025-01-27', '2025-07-27', 'half', { US: 44_209, SG: 19_173, TW: 15_687, CN: 8_291, OTHER: 3_445 }, 90_805],
  priorYtd: ['2024-01-29', '2024-07-28', 'half', { US: 26_518, SG: 9_659, TW: 10_113, CN: 6_158, OTHER: 3_636 }, 56_084],
} as const;

function nvdaMembers(v: { US: number; SG: number; TW: number; CN: number; OTHER: number }) {
  return {
    'country:US': v.US,
    'country:SG': v.SG,
    'country:TW': v.TW,
    'nvda:ChinaIncludingHongKongMember': v.CN,
    'nvda:AllOtherCountriesNotSeparatelyDisclosedMember': v.OTHER,
  };
}

function expectNvidiaQ2(list: Breakdown[]) {
  expect(list.length).toBe(4);
  for (const [start, end, kind, values, total] of Object.values(NVDA_Q2_FY2026)) {
    const b = find(list, start, end);
    expect(b, `${start}..${end}`).toBeDefined();
    expect(b?.concept).toBe('us-gaap:Revenues');
    expect(b?.periodKind).toBe(kind);
    expect(millions(b)).toEqual(nvdaMembers(values));
    expect(b?.total).toBe(total * M);
    expect(b?.sumOfRegions).toBe(total * M);
    expect(b?.complete).toBe(true);
  }
  const q = find(list, '2025-04-28', '2025-07-27');
  expect(q?.days).toBe(91); // 2025-04-28..2025-07-27, both days included
  expect(q?.regions.find((r) => r.member === 'country:SG')).toMatchObject({ label: 'Singapore', share: expect.closeTo(0.2173, 4) });
  expect(q?.regions.map((r) => r.label)).toEqual([
    'United States',
    'Singapore',
    'Taiwan',
    'China (including Hong Kong)',
    'All other countries not separately disclosed',
  ]);
}

describe('extractBreakdowns: the project excerpt of NVIDIA Q2 FY2026', () => {
  const doc = readXbrlSync(readFileSync(join(OWN_FIXTURES, 'sec-revenue/nvda-20250727-excerpt.htm')));
  const list = extractBreakdowns(doc);

  it('gives quarter, prior-year quarter, YTD and prior YTD, complete', () => expectNvidiaQ2(list));

  it('never counts concentration percentages as revenue', () => {
    for (const b of list) expect(b.concept).toBe('us-gaap:Revenues');
    expect(list.flatMap((b) => b.regions).every((r) => r.value >= 1e9)).toBe(true);
  });

  it('describes the entity from dei', () => {
    expect(describeEntity(doc, list)).toEqual({
      cik: '0001045810',
      name: 'NVIDIA CORP',
      documentType: '10-Q',
      periodEnd: '2025-07-27',
      ticker: 'NVDA',
      fiscalYear: '2026',
      fiscalPeriod: 'Q2',
    });
  });
});

/** Build an instance document from compact fact rows. */
function instance(
  rows: Array<{
    concept?: string;
    start: string;
    end: string;
    dims?: Record<string, string>;
    value: number;
    decimals?: number;
    unit?: string;
    nil?: true;
  }>,
): string {
  const contexts: string[] = [];
  const facts: string[] = [];
  rows.forEach((r, i) => {
    const dims = Object.entries(r.dims ?? {})
      .map(([a, m]) => `<xbrldi:explicitMember dimension="${a}">${m}</xbrldi:explicitMember>`)
      .join('');
    contexts.push(
      `<context id="c${i}"><entity><identifier scheme="http://www.sec.gov/CIK">0000000001</identifier>${dims ? `<segment>${dims}</segment>` : ''}</entity><period><startDate>${r.start}</startDate><endDate>${r.end}</endDate></period></context>`,
    );
    const concept = r.concept ?? 'us-gaap:Revenues';
    facts.push(
      r.nil
        ? `<${concept} contextRef="c${i}" unitRef="${r.unit ?? 'usd'}" xsi:nil="true"/>`
        : `<${concept} contextRef="c${i}" unitRef="${r.unit ?? 'usd'}" decimals="${r.decimals ?? -6}">${r.value}</${concept}>`,
    );
  });
  return `<?xml version="1.0"?><xbrl xmlns="http://www.xbrl.org/2003/instance" xmlns:us-gaap="http://fasb.org/us-gaap/2024" xmlns:srt="http://fasb.org/srt/2024" xmlns:country="http://xbrl.sec.gov/country/2024" xmlns:xbrldi="http://xbrl.org/2006/xbrldi" xmlns:nflx="http://www.netflix.com/20240331" xmlns:acme="http://acme.example/2024" xmlns:meta="http://www.meta.com/20231231" xmlns:amzn="http://www.amazon.com/20221231" xmlns:nvda="http://www.nvidia.com/20240128" xmlns:msft="http://www.microsoft.com/20150630" xmlns:usgaap2015="http://fasb.org/us-gaap/2015-01-31" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<unit id="usd"><measure>iso4217:USD</measure></unit><unit id="pure"><measure>xbrli:pure</measure></unit>
${contexts.join('\n')}
${facts.join('\n')}
</xbrl>`;
}

const GEO = 'srt:StatementGeographicalAxis';
const Q = { start: '2024-01-01', end: '2024-03-31' };

describe('extractBreakdowns: grouping rules', () => {
  it('keeps two-axis contexts (Netflix streaming × region) apart from the plain breakdown, and flags a lone US fact incomplete', () => {
    const streaming = { 'srt:ProductOrServiceAxis': 'nflx:StreamingMember' };
    const list = extractBreakdowns(
      readXbrlSync(
        instance([
          { ...Q, value: 9_370_000_000 },
          { ...Q, dims: streaming, value: 9_370_000_000 },
          { ...Q, dims: { ...streaming, [GEO]: 'nflx:UnitedStatesAndCanadaMember' }, value: 4_224_000_000 },
          { ...Q, dims: { ...streaming, [GEO]: 'us-gaap:EMEAMember' }, value: 2_958_000_000 },
          { ...Q, dims: { ...streaming, [GEO]: 'srt:LatinAmericaMember' }, value: 1_165_000_000 },
          { ...Q, dims: { ...streaming, [GEO]: 'srt:AsiaPacificMember' }, value: 1_023_000_000 },
          { ...Q, dims: { [GEO]: 'country:US' }, value: 4_000_000_000, decimals: -8 },
        ]),
      ),
    );
    expect(list).toHaveLength(2);
    const [plain, byProduct] = list;
    expect(plain).toMatchObject({
      dimensions: {},
      total: 9_370_000_000,
      consolidatedTotal: 9_370_000_000,
      complete: false,
      regions: [{ member: 'country:US', label: 'United States' }],
    });
    expect(byProduct).toMatchObject({
      dimensions: streaming,
      dimensionLabels: { 'srt:ProductOrServiceAxis': 'Streaming' },
      total: 9_370_000_000,
      consolidatedTotal: 9_370_000_000,
      shareBase: 'total',
      sumOfRegions: 9_370_000_000,
      complete: true,
    });
    expect(byProduct?.regions.map((r) => r.label)).toEqual(['United States and Canada', 'EMEA', 'Latin America', 'Asia Pacific']);
  });

  it('never mixes business segments or concentration shares into geography', () => {
    const list = extractBreakdowns(
      readXbrlSync(
        instance([
          { ...Q, value: 100_000_000 },
          { ...Q, dims: { 'us-gaap:StatementBusinessSegmentsAxis': 'acme:GreaterChinaSegmentMember' }, value: 30_000_000 },
          { ...Q, dims: { 'us-gaap:StatementBusinessSegmentsAxis': 'acme:AmericasSegmentMember' }, value: 70_000_000 },
          { ...Q, concept: 'us-gaap:ConcentrationRiskPercentage1', unit: 'pure', decimals: 2, dims: { [GEO]: 'country:SG' }, value: 0.22 },
        ]),
      ),
    );
    expect(list).toEqual([]);
  });

  it('prefers Revenues over older revenue concepts for the same period, and accepts rounding within decimals', () => {
    const list = extractBreakdowns(
      readXbrlSync(
        instance([
          { ...Q, concept: 'us-gaap:SalesRevenueNet', value: 10_000_000 },
          { ...Q, concept: 'us-gaap:SalesRevenueNet', dims: { [GEO]: 'country:US' }, value: 10_000_000 },
          { ...Q, value: 10_000_000 },
          { ...Q, dims: { [GEO]: 'country:US' }, value: 6_000_000 },
          { ...Q, dims: { [GEO]: 'country:SG' }, value: 4_001_000 },
        ]),
      ),
    );
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ concept: 'us-gaap:Revenues', sumOfRegions: 10_001_000, complete: true, tolerance: 1_500_000 });
  });

  it('sets apart (does not add) a Non-US line that aggregates the other foreign members when the rest adds up', () => {
    const list = extractBreakdowns(
      readXbrlSync(
        instance([
          { ...Q, value: 100_000_000 },
          { ...Q, dims: { [GEO]: 'country:US' }, value: 40_000_000 },
          { ...Q, dims: { [GEO]: 'country:SG' }, value: 35_000_000 },
          { ...Q, dims: { [GEO]: 'country:TW' }, value: 25_000_000 },
          { ...Q, dims: { [GEO]: 'us-gaap:NonUsMember' }, value: 60_000_000 },
        ]),
      ),
    );
    expect(list[0]?.complete).toBe(true);
    expect(list[0]?.regions.map((r) => r.member)).toEqual(['country:US', 'country:SG', 'country:TW']);
    expect(list[0]?.overlapping).toEqual([
      {
        member: 'us-gaap:NonUsMember',
        label: 'Non-US',
        value: 60_000_000,
        share: expect.closeTo(0.6, 4),
        decimals: -6,
        overlap: 'aggregate',
        covers: ['country:SG', 'country:TW'],
      },
    ]);
  });

  it('derives a fourth quarter from a year and its first nine months', () => {
    const year = { start: '2024-01-29', end: '2025-01-26' };
    const nine = { start: '2024-01-29', end: '2024-10-27' };
    const list = extractBreakdowns(
      readXbrlSync(
        instance([
          { ...year, value: 130_000_000 },
          { ...year, dims: { [GEO]: 'country:US' }, value: 60_000_000 },
          { ...year, dims: { [GEO]: 'country:SG' }, value: 70_000_000 },
          { ...nine, value: 90_000_000 },
          { ...nine, dims: { [GEO]: 'country:US' }, value: 40_000_000 },
          { ...nine, dims: { [GEO]: 'country:SG' }, value: 50_000_000 },
        ]),
      ),
    );
    const q4 = list.find((b) => b.derived);
    expect(q4).toMatchObject({
      start: '2024-10-28',
      end: '2025-01-26',
      periodKind: 'quarter',
      days: 91,
      total: 40_000_000,
      complete: true,
    });
    expect(millions(q4)).toEqual({ 'country:US': 20, 'country:SG': 20 });
  });
});

describeWithSharedFixtures('extractBreakdowns: known values of real filings (fixtures README)', () => {
  const read = (path: string) => {
    const doc = readXbrlSync(readFileSync(shared(path)));
    return { doc, list: extractBreakdowns(doc) };
  };

  it('NVIDIA Q2 FY2026 10-Q: the four periods, complete, concentration facts excluded', () => {
    const { doc, list } = read('sec/nvidia/nvda-20250727-10q.htm');
    expectNvidiaQ2(list);
    expect(doc.facts.some((f) => f.concept === 'us-gaap:ConcentrationRiskPercentage1')).toBe(true);
    expect(list.every((b) => b.concept === 'us-gaap:Revenues' && b.unit === 'iso4217:USD')).toBe(true);
  });

  it('NVIDIA FY2023 10-K (malformed): FY2023, FY2022 and the 53-week FY2021, no Singapore', () => {
    const { doc, list } = read('sec/nvidia/nvda-20230129-10k.htm');
    expect(list).toHaveLength(3);
    const years = [
      ['2022-01-31', '2023-01-29', 364, { US: 8_292, TW: 6_986, CN: 5_785, OTHER: 5_911 }, 26_974],
      ['2021-02-01', '2022-01-30', 364, { US: 4_349, TW: 8_544, CN: 7_111, OTHER: 6_910 }, 26_914],
      ['2020-01-27', '2021-01-31', 371, { US: 3_214, TW: 4_531, CN: 3_886, OTHER: 5_044 }, 16_675],
    ] as const;
    for (const [start, end, days, v, total] of years) {
      const b = find(list, start, end);
      expect(b).toMatchObject({ periodKind: 'annual', days, total: total * M, complete: true });
      expect(millions(b)).toEqual({
        'country:US': v.US,
        'country:TW': v.TW,
        'nvda:ChinaIncludingHongKongMember': v.CN,
        'nvda:OtherCountriesMember': v.OTHER,
      });
    }
    expect(describeEntity(doc, list)).toMatchObject({
      documentType: '10-K',
      periodEnd: '2023-01-29',
      fiscalYear: '2023',
      fiscalPeriod: 'FY',
    });
  });

  it('Tesla Q2 2024 10-Q: quarter and six months, the segment axis on the same concept ignored', () => {
    const { list } = read('sec/tesla/tsla-20240630_htm.xml');
    const quarter = find(list, '2024-04-01', '2024-06-30');
    expect(quarter).toMatchObject({ periodKind: 'quarter', total: 25_500 * M, complete: true });
    expect(millions(quarter)).toEqual({ 'country:US': 13_256, 'country:CN': 4_636, 'tsla:OtherCountriesMember': 7_608 });
    expect(find(list, '2024-01-01', '2024-06-30')).toMatchObject({ periodKind: 'half', total: 46_801 * M, complete: true });
    expect(list.every((b) => Object.keys(b.dimensions).length === 0)).toBe(true);
  });

  it('Apple FY2023 10-K: US / China / other adding to 383,285 $M over 53 weeks', () => {
    const { list } = read('sec/apple/aapl-20230930_htm.xml');
    const fy = find(list, '2022-09-25', '2023-09-30');
    expect(fy).toMatchObject({
      concept: 'us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax',
      days: 371,
      periodKind: 'annual',
      total: 383_285 * M,
      complete: true,
    });
    expect(millions(fy)).toEqual({ 'country:US': 138_573, 'country:CN': 72_559, 'aapl:OtherCountriesMember': 172_153 });
  });

  it('Apple Q2 FY2025 10-Q (segments only): no geographic breakdown', () => {
    expect(read('sec/apple/aapl-20250329_htm.xml').list).toEqual([]);
  });
});

const NFLX = join(OWN_FIXTURES, 'sec-revenue/nflx-20240930_htm.xml');
const NFLX_LABELS = parseLabelLinkbase(readFileSync(join(OWN_FIXTURES, 'sec-revenue/nflx-20240930_lab.xml')));
const STREAMING = { 'srt:ProductOrServiceAxis': 'nflx:StreamingMember' };

describe('extractBreakdowns: product × region (Netflix Q3 2024 10-Q excerpt)', () => {
  const list = extractBreakdowns(readXbrlSync(readFileSync(NFLX)), { labels: NFLX_LABELS });
  const streaming = (start: string, end: string) =>
    list.find((b) => b.start === start && b.end === end && b.dimensions['srt:ProductOrServiceAxis']);

  it('names both totals: no Streaming subtotal (null), the company revenue as consolidatedTotal', () => {
    const q3 = streaming('2024-07-01', '2024-09-30');
    expect(q3).toMatchObject({
      dimensions: STREAMING,
      dimensionLabels: { 'srt:ProductOrServiceAxis': 'Streaming' },
      total: null,
      consolidatedTotal: 9_824_703_000,
      shareBase: 'sumOfRegions',
      sumOfRegions: 9_824_703_000,
      // Nothing to check the regions against: unknown, not "incomplete".
      complete: null,
      overlapping: [],
    });
    expect(q3?.regions.map((r) => [r.label, r.value, r.share])).toEqual([
      ['United States and Canada', 4_322_476_000, expect.closeTo(0.44, 4)],
      ['Europe, Middle East, and Africa', 3_133_466_000, expect.closeTo(0.3189, 4)],
      ['Latin America', 1_240_892_000, expect.closeTo(0.1263, 4)],
      ['Asia-Pacific', 1_127_869_000, expect.closeTo(0.1148, 4)],
    ]);
  });

  it('keeps the Streaming regions apart from the company total when DVD revenue makes them differ (Q3 2023)', () => {
    const q3 = streaming('2023-07-01', '2023-09-30');
    // Streaming 8,519,306 k$ of the company's 8,541,668 k$: not an incomplete breakdown.
    expect(q3).toMatchObject({ total: null, consolidatedTotal: 8_541_668_000, sumOfRegions: 8_519_306_000, complete: null });
  });

  it('the plain breakdown: a lone rounded US fact (decimals −8) against the company total', () => {
    const plain = list.find((b) => b.start === '2024-07-01' && b.end === '2024-09-30' && !Object.keys(b.dimensions).length);
    expect(plain).toMatchObject({
      total: 9_824_703_000,
      consolidatedTotal: 9_824_703_000,
      shareBase: 'total',
      complete: false,
      regions: [{ member: 'country:US', value: 4_000_000_000, share: expect.closeTo(0.4071, 4), decimals: -8 }],
    });
    // Half of 10^8 for the US fact plus half of 10^3 for the total.
    expect(plain?.tolerance).toBe(50_000_500);
  });

  it('without the label linkbase, labels come from member names', () => {
    const bare = extractBreakdowns(readXbrlSync(readFileSync(NFLX)));
    expect(bare.find((b) => b.dimensions['srt:ProductOrServiceAxis'])?.regions.map((r) => r.label)).toEqual([
      'United States and Canada',
      'EMEA',
      'Latin America',
      'Asia Pacific',
    ]);
  });

  it('compares the regions with a Streaming subtotal when one is reported, not with the company total', () => {
    // Q3 2023 as filed, plus a Streaming-only fact equal to the Streaming regions' sum.
    const Q3 = { start: '2023-07-01', end: '2023-09-30' };
    const rows = [
      { ...Q3, value: 8_541_668_000, decimals: -3 },
      { ...Q3, dims: STREAMING, value: 8_519_306_000, decimals: -3 },
      { ...Q3, dims: { ...STREAMING, [GEO]: 'nflx:UnitedStatesAndCanadaMember' }, value: 3_735_133_000, decimals: -3 },
      { ...Q3, dims: { ...STREAMING, [GEO]: 'us-gaap:EMEAMember' }, value: 2_693_146_000, decimals: -3 },
      { ...Q3, dims: { ...STREAMING, [GEO]: 'srt:LatinAmericaMember' }, value: 1_142_811_000, decimals: -3 },
      { ...Q3, dims: { ...STREAMING, [GEO]: 'srt:AsiaPacificMember' }, value: 948_216_000, decimals: -3 },
    ];
    const [b] = extractBreakdowns(readXbrlSync(instance(rows)), { labels: NFLX_LABELS });
    expect(b).toMatchObject({ total: 8_519_306_000, consolidatedTotal: 8_541_668_000, shareBase: 'total', complete: true });
    expect(b?.regions[0]).toMatchObject({ label: 'United States and Canada', share: expect.closeTo(0.4384, 4) });
    // A subtotal the regions fall short of is incomplete (the company total would not say so).
    const short = extractBreakdowns(readXbrlSync(instance([...rows.slice(0, 2), ...rows.slice(3)])))[0];
    expect(short).toMatchObject({ total: 8_519_306_000, complete: false });
  });
});

describe('extractBreakdowns: geographic axes of every taxonomy generation', () => {
  it('reads us-gaap:StatementGeographicalAxis (2009–2017 taxonomies; Microsoft FY2015 10-K) like the srt axis', () => {
    const FY15 = { start: '2014-07-01', end: '2015-06-30' };
    const msftAxis = 'usgaap2015:StatementGeographicalAxis';
    const xml = instance([
      { ...FY15, concept: 'usgaap2015:SalesRevenueNet', value: 93_580_000_000 },
      { ...FY15, concept: 'usgaap2015:SalesRevenueNet', dims: { [msftAxis]: 'country:US' }, value: 42_941_000_000 },
      { ...FY15, concept: 'usgaap2015:SalesRevenueNet', dims: { [msftAxis]: 'usgaap2015:NonUsMember' }, value: 50_639_000_000 },
      // Microsoft also puts a court district on that axis, for a loss contingency: not revenue.
      {
        ...FY15,
        concept: 'usgaap2015:LossContingencyDamagesSoughtValue',
        dims: { [msftAxis]: 'msft:UnitedStatesStateDistrictCourtMember' },
        value: 1_000_000,
      },
    ]);
    const list = extractBreakdowns(readXbrlSync(xml), { labels: new Map([['us-gaap:NonUsMember', 'Other Countries']]) });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      concept: 'us-gaap:SalesRevenueNet',
      axis: 'us-gaap:StatementGeographicalAxis',
      total: 93_580_000_000,
      complete: true,
      overlapping: [],
    });
    // For Microsoft, Non-US is the rest of the world, not an aggregate beside countries.
    expect(list[0]?.regions.map((r) => [r.member, r.label, r.share])).toEqual([
      ['us-gaap:NonUsMember', 'Other Countries', expect.closeTo(0.5411, 4)],
      ['country:US', 'United States', expect.closeTo(0.4589, 4)],
    ]);
  });

  it('reads ifrs-full:GeographicalAreasAxis with ifrs-full:Revenue', () => {
    const FY = { start: '2024-01-01', end: '2024-12-31' };
    const axis = 'ifrs-full:GeographicalAreasAxis';
    const xml = instance([
      { ...FY, concept: 'ifrs-full:Revenue', value: 900 },
      { ...FY, concept: 'ifrs-full:Revenue', dims: { [axis]: 'country:TW' }, value: 100 },
      { ...FY, concept: 'ifrs-full:Revenue', dims: { [axis]: 'country:US' }, value: 800 },
    ]).replace('xmlns:acme=', 'xmlns:ifrs-full="https://xbrl.ifrs.org/taxonomy/2024-03-27/ifrs-full" xmlns:acme=');
    expect(extractBreakdowns(readXbrlSync(xml))[0]).toMatchObject({ axis, total: 900, complete: true });
  });
});

describe('extractBreakdowns: overlapping members', () => {
  const FY23 = { start: '2023-01-01', end: '2023-12-31' };

  it('a country beside the region that contains it (Meta FY2023: United States inside US & Canada) is set apart, not summed', () => {
    const list = extractBreakdowns(
      readXbrlSync(
        instance([
          { ...FY23, value: 134_902_000_000 },
          { ...FY23, dims: { [GEO]: 'meta:USCanadaMember' }, value: 52_888_000_000 },
          { ...FY23, dims: { [GEO]: 'srt:EuropeMember' }, value: 31_210_000_000 },
          { ...FY23, dims: { [GEO]: 'srt:AsiaPacificMember' }, value: 36_154_000_000 },
          { ...FY23, dims: { [GEO]: 'meta:RestOfWorldMember' }, value: 14_650_000_000 },
          { ...FY23, dims: { [GEO]: 'country:US' }, value: 49_780_000_000 },
        ]),
      ),
    );
    expect(list[0]).toMatchObject({ total: 134_902_000_000, sumOfRegions: 134_902_000_000, complete: true });
    expect(list[0]?.regions.map((r) => r.label)).toEqual(['US and Canada', 'Asia Pacific', 'Europe', 'Rest of world']);
    expect(list[0]?.overlapping).toEqual([
      {
        member: 'country:US',
        label: 'United States',
        value: 49_780_000_000,
        share: expect.closeTo(0.369, 4),
        decimals: -6,
        overlap: 'part',
      },
    ]);
  });

  it('a Non-US line beside its foreign countries is an aggregate of them; Amazon’s own Non-US (rest of world) stays a region', () => {
    const FY22 = { start: '2022-01-01', end: '2022-12-31' };
    const amazon = [
      { ...FY22, concept: 'us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax', value: 513_983_000_000 },
      ...[
        ['country:US', 356_113],
        ['country:DE', 33_598],
        ['country:GB', 30_074],
        ['country:JP', 24_396],
        ['us-gaap:NonUsMember', 69_802],
      ].map(([m, v]) => ({
        ...FY22,
        concept: 'us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax',
        dims: { [GEO]: m as string },
        value: (v as number) * M,
      })),
    ];
    const asFiled = extractBreakdowns(readXbrlSync(instance(amazon)), { labels: new Map([['us-gaap:NonUsMember', 'Rest of world']]) })[0];
    expect(asFiled).toMatchObject({ complete: true, overlapping: [] });
    expect(asFiled?.regions.find((r) => r.member === 'us-gaap:NonUsMember')?.label).toBe('Rest of world');

    // The same rows with a foreign subtotal next to them (the sum of the four non-US rows).
    const withAggregate = extractBreakdowns(
      readXbrlSync(
        instance([
          ...amazon,
          {
            ...FY22,
            concept: 'us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax',
            dims: { [GEO]: 'amzn:InternationalMember' },
            value: 157_870 * M,
          },
        ]),
      ),
    )[0];
    expect(withAggregate).toMatchObject({ complete: true, sumOfRegions: 513_983 * M });
    expect(withAggregate?.overlapping).toMatchObject([
      {
        member: 'amzn:InternationalMember',
        overlap: 'aggregate',
        covers: ['us-gaap:NonUsMember', 'country:DE', 'country:GB', 'country:JP'],
        share: expect.closeTo(0.3072, 4),
      },
    ]);
  });

  it('without a subtotal, sets an aggregate apart only when the regions exceed the company’s revenue', () => {
    const Q3 = { start: '2024-07-01', end: '2024-09-30' };
    const regions = [
      ['nflx:UnitedStatesAndCanadaMember', 4_322_476_000],
      ['us-gaap:EMEAMember', 3_133_466_000],
      ['srt:LatinAmericaMember', 1_240_892_000],
      ['srt:AsiaPacificMember', 1_127_869_000],
    ] as const;
    const rows = [
      { ...Q3, value: 9_824_703_000, decimals: -3 },
      ...regions.map(([m, v]) => ({ ...Q3, dims: { ...STREAMING, [GEO]: m }, value: v, decimals: -3 })),
    ];
    const international = {
      ...Q3,
      dims: { ...STREAMING, [GEO]: 'nflx:InternationalMember' },
      value: 3_133_466_000 + 1_240_892_000 + 1_127_869_000,
      decimals: -3,
    };
    const [b] = extractBreakdowns(readXbrlSync(instance([...rows, international])));
    expect(b).toMatchObject({ total: null, complete: null, sumOfRegions: 9_824_703_000 });
    expect(b?.overlapping).toMatchObject([
      {
        member: 'nflx:InternationalMember',
        overlap: 'aggregate',
        covers: ['us-gaap:EMEAMember', 'srt:LatinAmericaMember', 'srt:AsiaPacificMember'],
      },
    ]);

    // 50 = 30 + 20 by coincidence, within the company's revenue: a partition, left alone.
    const coincidence = [
      { ...Q3, value: 120, decimals: 0 },
      ...['acme:NorthMember', 'acme:SouthMember', 'acme:EastMember'].map((m, i) => ({
        ...Q3,
        dims: { ...STREAMING, [GEO]: m },
        value: [50, 30, 20][i] as number,
        decimals: 0,
      })),
    ];
    expect(extractBreakdowns(readXbrlSync(instance(coincidence)))[0]).toMatchObject({ sumOfRegions: 100, overlapping: [] });
  });

  it('Boeing FY2021: Non-US beside its seven regions, while the regions miss the total by 14 $M', () => {
    const FY21 = { start: '2021-01-01', end: '2021-12-31' };
    const rows = [
      ['srt:EuropeMember', 8_967],
      ['srt:AsiaMember', 5_845],
      ['us-gaap:MiddleEastMember', 4_653],
      ['ba:OceaniaMember', 1_147],
      ['country:CA', 969],
      ['srt:AfricaMember', 239],
      ['srt:LatinAmericaMember', 1_376],
      ['us-gaap:NonUsMember', 23_196],
      ['country:US', 39_076],
    ] as const;
    const [b] = extractBreakdowns(
      readXbrlSync(instance([{ ...FY21, value: 62_286 * M }, ...rows.map(([m, v]) => ({ ...FY21, dims: { [GEO]: m }, value: v * M }))])),
    );
    // No member makes up the excess exactly; Non-US is still the sum of the seven, and without it the
    // regions come closest to the total: set apart, and the 14 $M gap is reported, not hidden.
    expect(b).toMatchObject({ total: 62_286 * M, sumOfRegions: 62_272 * M, complete: false });
    expect(b?.overlapping).toMatchObject([{ member: 'us-gaap:NonUsMember', overlap: 'aggregate' }]);
    expect(b?.overlapping[0]?.covers).toHaveLength(7);
  });

  it('Boeing Commercial Airplanes FY2021: with no total at all, an aggregate of four regions is still set apart', () => {
    const FY21 = { start: '2021-01-01', end: '2021-12-31' };
    const segment = {
      'srt:ConsolidationItemsAxis': 'us-gaap:OperatingSegmentsMember',
      'us-gaap:StatementBusinessSegmentsAxis': 'ba:CommercialAirplanesSegmentMember',
    };
    const rows = [
      ['srt:AsiaMember', 2_816],
      ['srt:EuropeMember', 4_387],
      ['us-gaap:MiddleEastMember', 1_098],
      ['ba:OtherMember', 1_683],
      ['us-gaap:NonUsMember', 9_984],
      ['country:US', 9_614],
    ] as const;
    const concept = 'us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax';
    const [b] = extractBreakdowns(
      readXbrlSync(instance(rows.map(([m, v]) => ({ ...FY21, concept, dims: { ...segment, [GEO]: m }, value: v * M })))),
    );
    expect(b).toMatchObject({ total: null, consolidatedTotal: null, complete: null, sumOfRegions: 19_598 * M });
    expect(b?.overlapping).toMatchObject([
      {
        member: 'us-gaap:NonUsMember',
        overlap: 'aggregate',
        covers: ['srt:EuropeMember', 'srt:AsiaMember', 'ba:OtherMember', 'us-gaap:MiddleEastMember'],
      },
    ]);
  });

  it('GE FY2023 corporate eliminations: an aggregate of members with negative values', () => {
    const FY23e = { start: '2023-01-01', end: '2023-12-31' };
    const corporate = { 'srt:ConsolidationItemsAxis': 'ge:CorporateReconcilingItemsAndEliminationsMember' };
    const rows = [
      ['country:US', 3_270],
      ['srt:EuropeMember', 148],
      ['country:CN', -2],
      ['ge:AsiaExcludingChinaRegionMember', -102],
      ['ge:AmericasExcludingUSMember', 14],
      ['ge:MiddleEastAndAfricaMember', 75],
      ['us-gaap:NonUsMember', 133],
    ] as const;
    const xml = instance([
      { ...FY23e, value: 67_954 * M },
      { ...FY23e, dims: corporate, value: 3_403 * M },
      ...rows.map(([m, v]) => ({ ...FY23e, dims: { ...corporate, [GEO]: m }, value: v * M })),
    ]);
    const [b] = extractBreakdowns(readXbrlSync(xml));
    expect(b).toMatchObject({ total: 3_403 * M, consolidatedTotal: 67_954 * M, complete: true, sumOfRegions: 3_403 * M });
    // Of the subsets that fit within rounding, the exact one (all five non-US members) is named.
    expect(b?.overlapping).toMatchObject([
      {
        member: 'us-gaap:NonUsMember',
        overlap: 'aggregate',
        covers: [
          'srt:EuropeMember',
          'ge:MiddleEastAndAfricaMember',
          'ge:AmericasExcludingUSMember',
          'country:CN',
          'ge:AsiaExcludingChinaRegionMember',
        ],
      },
    ]);
    expect(b?.regions.find((r) => r.member === 'ge:AsiaExcludingChinaRegionMember')).toMatchObject({
      value: -102 * M,
      share: expect.closeTo(-0.03, 4),
    });
  });

  it('leaves an ambiguous excess unresolved (incomplete) rather than guessing which member overlaps', () => {
    const rows = [
      { ...Q, value: 100, decimals: 0 },
      ...[
        ['country:US', 40],
        ['country:SG', 30],
        ['country:TW', 30],
        ['acme:OtherMember', 30],
      ].map(([m, v]) => ({ ...Q, dims: { [GEO]: m as string }, value: v as number, decimals: 0 })),
    ];
    expect(extractBreakdowns(readXbrlSync(instance(rows)))[0]).toMatchObject({ complete: false, sumOfRegions: 130, overlapping: [] });
  });
});

describe('extractBreakdowns: defaults, restatements, nil and negative facts', () => {
  it('reads an explicit domain member as the dimension default (the total), not as a region', () => {
    const Q3 = { start: '2024-07-01', end: '2024-09-30' };
    const xml = instance([
      { ...Q3, dims: { [GEO]: 'srt:SegmentGeographicalDomain' }, value: 9_824_703_000, decimals: -3 },
      {
        ...Q3,
        dims: { [GEO]: 'country:US', 'srt:ProductOrServiceAxis': 'srt:ProductsAndServicesDomain' },
        value: 4_000_000_000,
        decimals: -8,
      },
    ]);
    const list = extractBreakdowns(readXbrlSync(xml));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      dimensions: {},
      total: 9_824_703_000,
      consolidatedTotal: 9_824_703_000,
      regions: [{ member: 'country:US' }],
    });
  });

  it('a filer’s own …Domain element is an ordinary member (Amazon FY2015 10-K: amzn:RestofWorldDomain beside its countries)', () => {
    const FY15 = { start: '2015-01-01', end: '2015-12-31' };
    const axis = 'usgaap2015:StatementGeographicalAxis';
    const rows = [
      ['country:US', 70_537],
      ['country:DE', 11_816],
      ['country:GB', 9_033],
      ['country:JP', 8_264],
      ['amzn:RestofWorldDomain', 7_356],
    ] as const;
    const concept = 'usgaap2015:SalesRevenueNet';
    const [b] = extractBreakdowns(
      readXbrlSync(
        instance([
          { ...FY15, concept, value: 107_006 * M },
          ...rows.map(([m, v]) => ({ ...FY15, concept, dims: { [axis]: m }, value: v * M })),
        ]),
      ),
    );
    expect(b).toMatchObject({ axis: 'us-gaap:StatementGeographicalAxis', total: 107_006 * M, complete: true });
    expect(b?.regions.find((r) => r.member === 'amzn:RestofWorldDomain')?.label).toBe('Rest of world');
  });

  it('reads SalesRevenueGoodsNet, the revenue line of pre-2018 goods sellers (Coca-Cola FY2010)', () => {
    const FY10 = { start: '2010-01-01', end: '2010-12-31' };
    const concept = 'usgaap2015:SalesRevenueGoodsNet';
    const axis = 'usgaap2015:StatementGeographicalAxis';
    const xml = instance([
      { ...FY10, concept, value: 35_119 * M },
      { ...FY10, concept, dims: { [axis]: 'ko:UnitedStatesMember' }, value: 10_629 * M },
      { ...FY10, concept, dims: { [axis]: 'ko:InternationalMember' }, value: 24_490 * M },
    ]).replace('xmlns:acme=', 'xmlns:ko="http://www.thecoca-colacompany.com/20101231" xmlns:acme=');
    expect(extractBreakdowns(readXbrlSync(xml))[0]).toMatchObject({
      concept: 'us-gaap:SalesRevenueGoodsNet',
      total: 35_119 * M,
      complete: true,
    });
  });

  it('keeps the restated period and ignores previously reported figures and adjustment pairs (RestatementAxis)', () => {
    const FY23 = { start: '2022-01-31', end: '2023-01-29' };
    const previously = { 'srt:RestatementAxis': 'srt:ScenarioPreviouslyReportedMember' };
    const adjustment = { 'us-gaap:RestatementAxis': 'srt:RevisionOfPriorPeriodReclassificationAdjustmentMember' };
    const restated = [
      ['country:US', 8_292],
      ['country:SG', 2_288],
      ['country:TW', 6_986],
      ['nvda:ChinaIncludingHongKongMember', 5_785],
      ['nvda:OtherCountriesMember', 3_623],
    ] as const;
    const asFirstReported = [
      ['country:US', 8_292],
      ['country:TW', 6_986],
      ['nvda:ChinaIncludingHongKongMember', 5_785],
      ['nvda:OtherCountriesMember', 5_911],
    ] as const;
    const xml = instance([
      { ...FY23, value: 26_974 * M },
      ...restated.map(([m, v]) => ({ ...FY23, dims: { [GEO]: m }, value: v * M })),
      { ...FY23, dims: previously, value: 26_974 * M },
      ...asFirstReported.map(([m, v]) => ({ ...FY23, dims: { ...previously, [GEO]: m }, value: v * M })),
      // A reclassification pair the way J&J tags one: +20 $M to the US, −20 $M from outside it.
      { ...FY23, dims: { ...adjustment, [GEO]: 'country:US' }, value: 20 * M },
      { ...FY23, dims: { ...adjustment, [GEO]: 'us-gaap:NonUsMember' }, value: -20 * M },
    ]);
    const list = extractBreakdowns(readXbrlSync(xml));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ dimensions: {}, total: 26_974 * M, complete: true });
    expect(millions(list[0])).toEqual(Object.fromEntries(restated));
  });

  it('skips nil facts (neither a zero region nor a total), keeps a dash as zero, and sums negative members with their sign', () => {
    const xml = `<html xmlns="http://www.w3.org/1999/xhtml" xmlns:ix="http://www.xbrl.org/2013/inlineXBRL" xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:xbrldi="http://xbrl.org/2006/xbrldi" xmlns:us-gaap="http://fasb.org/us-gaap/2024" xmlns:srt="http://fasb.org/srt/2024" xmlns:country="http://xbrl.sec.gov/country/2024" xmlns:iso4217="http://www.xbrl.org/2003/iso4217" xmlns:ixt="http://www.xbrl.org/inlineXBRL/transformation/2020-02-12" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:acme="http://acme.example/2024"><body><ix:header><ix:resources>
<xbrli:context id="t"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000000001</xbrli:identifier></xbrli:entity><xbrli:period><xbrli:startDate>2024-01-01</xbrli:startDate><xbrli:endDate>2024-03-31</xbrli:endDate></xbrli:period></xbrli:context>
${['country:US', 'country:SG', 'country:MY', 'acme:HedgingMember', 'country:AE']
  .map(
    (m) =>
      `<xbrli:context id="${m.replace(':', '-')}"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000000001</xbrli:identifier><xbrli:segment><xbrldi:explicitMember dimension="srt:StatementGeographicalAxis">${m}</xbrldi:explicitMember></xbrli:segment></xbrli:entity><xbrli:period><xbrli:startDate>2024-01-01</xbrli:startDate><xbrli:endDate>2024-03-31</xbrli:endDate></xbrli:period></xbrli:context>`,
  )
  .join('\n')}
<xbrli:unit id="usd"><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unit>
</ix:resources></ix:header>
<table><tr><td>Total</td><td><ix:nonFraction name="us-gaap:Revenues" contextRef="t" unitRef="usd" decimals="-6" scale="6" format="ixt:num-dot-decimal">1,000</ix:nonFraction></td></tr>
<tr><td>United States</td><td><ix:nonFraction name="us-gaap:Revenues" contextRef="country-US" unitRef="usd" decimals="-6" scale="6" format="ixt:num-dot-decimal">700</ix:nonFraction></td></tr>
<tr><td>Singapore</td><td><ix:nonFraction name="us-gaap:Revenues" contextRef="country-SG" unitRef="usd" decimals="-6" scale="6" format="ixt:num-dot-decimal">320</ix:nonFraction></td></tr>
<tr><td>Malaysia</td><td><ix:nonFraction name="us-gaap:Revenues" contextRef="country-MY" unitRef="usd" decimals="-6" scale="6" format="ixt:fixed-zero">—</ix:nonFraction></td></tr>
<tr><td>Hedging</td><td>(<ix:nonFraction name="us-gaap:Revenues" contextRef="acme-HedgingMember" unitRef="usd" decimals="-6" scale="6" sign="-" format="ixt:num-dot-decimal">20</ix:nonFraction>)</td></tr>
<tr><td>UAE</td><td><ix:nonFraction name="us-gaap:Revenues" contextRef="country-AE" unitRef="usd" xsi:nil="true"/></td></tr></table></body></html>`;
    const [b] = extractBreakdowns(readXbrlSync(xml));
    expect(b).toMatchObject({ total: 1_000 * M, sumOfRegions: 1_000 * M, complete: true, overlapping: [] });
    expect(b?.regions.map((r) => [r.member, r.value / M, r.share])).toEqual([
      ['country:US', 700, expect.closeTo(0.7, 4)],
      ['country:SG', 320, expect.closeTo(0.32, 4)],
      ['country:MY', 0, expect.closeTo(0, 4)],
      ['acme:HedgingMember', -20, expect.closeTo(-0.02, 4)],
    ]);

    // A nil total is no total: shares fall back to the sum of the regions.
    const nilTotal = xml.replace('decimals="-6" scale="6" format="ixt:num-dot-decimal">1,000</ix:nonFraction>', 'xsi:nil="true"/>');
    expect(extractBreakdowns(readXbrlSync(nilTotal))[0]).toMatchObject({
      total: null,
      consolidatedTotal: null,
      shareBase: 'sumOfRegions',
      complete: null,
    });
  });

  it('applies scale and decimals as filed (Netflix: thousands at −3, a billions figure at −8)', () => {
    const xml = `<html xmlns="http://www.w3.org/1999/xhtml" xmlns:ix="http://www.xbrl.org/2013/inlineXBRL" xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:xbrldi="http://xbrl.org/2006/xbrldi" xmlns:us-gaap="http://fasb.org/us-gaap/2025" xmlns:srt="http://fasb.org/srt/2025" xmlns:country="http://xbrl.sec.gov/country/2025" xmlns:iso4217="http://www.xbrl.org/2003/iso4217" xmlns:ixt="http://www.xbrl.org/inlineXBRL/transformation/2020-02-12"><body><ix:header><ix:resources>
<xbrli:context id="c-3"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0001065280</xbrli:identifier></xbrli:entity><xbrli:period><xbrli:startDate>2025-04-01</xbrli:startDate><xbrli:endDate>2025-06-30</xbrli:endDate></xbrli:period></xbrli:context>
<xbrli:context id="c-333"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0001065280</xbrli:identifier><xbrli:segment><xbrldi:explicitMember dimension="srt:StatementGeographicalAxis">country:US</xbrldi:explicitMember></xbrli:segment></xbrli:entity><xbrli:period><xbrli:startDate>2025-04-01</xbrli:startDate><xbrli:endDate>2025-06-30</xbrli:endDate></xbrli:period></xbrli:context>
<xbrli:unit id="usd"><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unit>
</ix:resources></ix:header>
<p>Revenues <ix:nonFraction unitRef="usd" contextRef="c-3" decimals="-3" name="us-gaap:Revenues" format="ixt:num-dot-decimal" scale="3" id="f-30">11,079,166</ix:nonFraction></p>
<p>United States revenue was $<ix:nonFraction unitRef="usd" contextRef="c-333" decimals="-8" name="us-gaap:Revenues" scale="9" id="f-1253">4.6</ix:nonFraction> billion.</p></body></html>`;
    const [b] = extractBreakdowns(readXbrlSync(xml));
    expect(b).toMatchObject({
      total: 11_079_166_000,
      regions: [{ member: 'country:US', value: 4_600_000_000, share: expect.closeTo(0.4152, 4), decimals: -8 }],
      complete: false,
      tolerance: 50_000_500,
    });
  });
});
