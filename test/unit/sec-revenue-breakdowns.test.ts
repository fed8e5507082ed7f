import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Breakdown, describeEntity, extractBreakdowns } from '../../lambdas/sources/sec-revenue/breakdowns.ts';
import { readXbrlSync } from '../../lambdas/sources/sec-revenue/xbrl-reader.ts';
import { hasSharedFixtures, OWN_FIXTURES, shared } from '../support/fixtures.ts';

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
  expect(q?.days).toBe(90);
  expect(q?.regions.find((r) => r.member === 'country:SG')).toMatchObject({ label: 'Singapore', share: 0.2173 });
  expect(q?.regions.map((r) => r.label)).toEqual(['United States', 'Singapore', 'Taiwan', 'China (including Hong Kong)', 'All other countries not separately disclosed']);
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
function instance(rows: Array<{ concept?: string; start: string; end: string; dims?: Record<string, string>; value: number; decimals?: number; unit?: string }>): string {
  const contexts: string[] = [];
  const facts: string[] = [];
  rows.forEach((r, i) => {
    const dims = Object.entries(r.dims ?? {})
      .map(([a, m]) => `<xbrldi:explicitMember dimension="${a}">${m}</xbrldi:explicitMember>`)
      .join('');
    contexts.push(
      `<context id="c${i}"><entity><identifier scheme="http://www.sec.gov/CIK">0000000001</identifier>${dims ? `<segment>${dims}</segment>` : ''}</entity><period><startDate>${r.start}</startDate><endDate>${r.end}</endDate></period></context>`,
    );
    facts.push(`<${r.concept ?? 'us-gaap:Revenues'} contextRef="c${i}" unitRef="${r.unit ?? 'usd'}" decimals="${r.decimals ?? -6}">${r.value}</${r.concept ?? 'us-gaap:Revenues'}>`);
  });
  return `<?xml version="1.0"?><xbrl xmlns="http://www.xbrl.org/2003/instance" xmlns:us-gaap="http://fasb.org/us-gaap/2024" xmlns:srt="http://fasb.org/srt/2024" xmlns:country="http://xbrl.sec.gov/country/2024" xmlns:xbrldi="http://xbrl.org/2006/xbrldi" xmlns:nflx="http://www.netflix.com/20240331" xmlns:acme="http://acme.example/2024">
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
    expect(plain).toMatchObject({ dimensions: {}, total: 9_370_000_000, complete: false, regions: [{ member: 'country:US', label: 'United States' }] });
    expect(byProduct).toMatchObject({ dimensions: streaming, total: 9_370_000_000, sumOfRegions: 9_370_000_000, complete: true });
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

  it('drops a Non-US line that aggregates the other foreign members when the rest adds up', () => {
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
    expect(q4).toMatchObject({ start: '2024-10-28', end: '2025-01-26', periodKind: 'quarter', days: 90, total: 40_000_000, complete: true });
    expect(millions(q4)).toEqual({ 'country:US': 20, 'country:SG': 20 });
  });
});

describe.skipIf(!hasSharedFixtures)('extractBreakdowns: known values of real filings (fixtures README)', () => {
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
      ['2022-01-31', '2023-01-29', 363, { US: 8_292, TW: 6_986, CN: 5_785, OTHER: 5_911 }, 26_974],
      ['2021-02-01', '2022-01-30', 363, { US: 4_349, TW: 8_544, CN: 7_111, OTHER: 6_910 }, 26_914],
      ['2020-01-27', '2021-01-31', 370, { US: 3_214, TW: 4_531, CN: 3_886, OTHER: 5_044 }, 16_675],
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
    expect(describeEntity(doc, list)).toMatchObject({ documentType: '10-K', periodEnd: '2023-01-29', fiscalYear: '2023', fiscalPeriod: 'FY' });
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
    expect(fy).toMatchObject({ concept: 'us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax', days: 370, periodKind: 'annual', total: 383_285 * M, complete: true });
    expect(millions(fy)).toEqual({ 'country:US': 138_573, 'country:CN': 72_559, 'aapl:OtherCountriesMember': 172_153 });
  });

  it('Apple Q2 FY2025 10-Q (segments only): no geographic breakdown', () => {
    expect(read('sec/apple/aapl-20250329_htm.xml').list).toEqual([]);
  });
});
