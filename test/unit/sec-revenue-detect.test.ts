import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finalizeChange } from '#core/change.ts';
import { type Breakdown, describeEntity, extractBreakdowns } from '#sources/sec-revenue/breakdowns.ts';
import {
  detectRevenueChanges,
  type FilingContext,
  periodKey,
  type RegionMove,
  type RevenueSeries,
  scopeLabel,
  shareBasisText,
  shortCompanyName,
  trimSeries,
} from '#sources/sec-revenue/detect.ts';
import { memberLabel } from '#sources/sec-revenue/labels.ts';
import { classifyPeriod } from '#sources/sec-revenue/periods.ts';
import { readXbrlSync } from '#sources/sec-revenue/xbrl-reader.ts';
import { itWithSharedFixtures, OWN_FIXTURES, shared } from '../support/fixtures.ts';

const M = 1e6;
const INTEREST = ['SG', 'CN', 'HK', 'TW', 'MY', 'AE'];
const CIK = '0001045810';

/** A breakdown from $M values, reported at decimals −6. */
function bd(start: string, end: string, values: Record<string, number>, total?: number): Breakdown {
  const sum = Object.values(values).reduce((s, v) => s + v, 0);
  const t = total ?? sum;
  const { days, kind } = classifyPeriod(start, end);
  return {
    concept: 'us-gaap:Revenues',
    start,
    end,
    days,
    periodKind: kind,
    dimensions: {},
    axis: 'srt:StatementGeographicalAxis',
    unit: 'iso4217:USD',
    total: t * M,
    consolidatedTotal: t * M,
    shareBase: 'total',
    sumOfRegions: sum * M,
    complete: Math.abs(sum - t) < 1,
    tolerance: (Object.keys(values).length + 1) * 0.5 * M,
    regions: Object.entries(values)
      .map(([member, v]) => ({
        member,
        label: memberLabel(member),
        value: v * M,
        share: Math.round((v / t) * 10_000) / 10_000,
        decimals: -6,
      }))
      .sort((a, b) => b.value - a.value),
    overlapping: [],
  };
}

function filing(accession: string, fiscal: FilingContext['fiscal'], form = '10-Q'): FilingContext {
  return { cik: CIK, ticker: 'NVDA', companyName: 'NVIDIA CORP', accession, form, url: `https://www.sec.gov/x/${accession}`, fiscal };
}

const US = 'country:US';
const SG = 'country:SG';
const TW = 'country:TW';
const CN = 'nvda:ChinaIncludingHongKongMember';
const OTHER = 'nvda:AllOtherCountriesNotSeparatelyDisclosedMember';
const OLD_OTHER = 'nvda:OtherCountriesMember';

const Q2_FY26 = bd('2025-04-28', '2025-07-27', { [US]: 23_470, [SG]: 10_156, [TW]: 8_529, [CN]: 2_769, [OTHER]: 1_819 });
const Q2_FY25 = bd('2024-04-29', '2024-07-28', { [US]: 13_022, [SG]: 5_622, [TW]: 5_740, [CN]: 3_667, [OTHER]: 1_989 });
const H1_FY26 = bd('2025-01-27', '2025-07-27', { [US]: 44_209, [SG]: 19_173, [TW]: 15_687, [CN]: 8_291, [OTHER]: 3_445 });
const H1_FY25 = bd('2024-01-29', '2024-07-28', { [US]: 26_518, [SG]: 9_659, [TW]: 10_113, [CN]: 6_158, [OTHER]: 3_636 });
const Q2_FILING = filing('0001045810-25-000209', { fiscalYear: '2026', fiscalPeriod: 'Q2', periodEnd: '2025-07-27' });
const Q2_BREAKDOWNS = [Q2_FY26, H1_FY26, Q2_FY25, H1_FY25];

const move = (moves: unknown, member: string) => (moves as RegionMove[]).find((m) => m.member === member);

describe('detectRevenueChanges: a new quarter', () => {
  const first = detectRevenueChanges({ filing: Q2_FILING, breakdowns: Q2_BREAKDOWNS, series: undefined, countriesOfInterest: INTEREST });

  it('reports exactly one change for the filing’s own quarter, with YoY moves from the same filing', () => {
    expect(first.changes).toHaveLength(1);
    const [change] = first.changes;
    expect(change).toMatchObject({
      source: 'sec-revenue',
      kind: 'revenue.regional',
      naturalKey: '0001045810:2025-07-27:quarter:us-gaap:Revenues',
      subject: 'NVDA',
      title: 'NVIDIA Q2 FY2026: Singapore 21.7% of revenue (+3.0 pp YoY)',
      importance: 'high',
      url: 'https://www.sec.gov/x/0001045810-25-000209',
    });
    expect(change?.countries).toEqual(expect.arrayContaining(['SG', 'TW', 'CN', 'HK', 'US']));
    const data = change?.data as Record<string, unknown>;
    expect(data).toMatchObject({
      period: { start: '2025-04-28', end: '2025-07-27', kind: 'quarter', fiscalLabel: 'Q2 FY2026' },
      comparedWith: { basis: 'yoy', start: '2024-04-29', end: '2024-07-28', fiscalLabel: 'Q2 FY2025' },
      previousQuarter: null,
      recast: false,
      total: 46_743 * M,
      totalBefore: 30_040 * M,
      membersAdded: [],
      membersRemoved: [],
      accession: '0001045810-25-000209',
    });
    expect(move(data.moves, SG)).toMatchObject({
      label: 'Singapore',
      share: 10_156 / 46_743,
      sharePpYoY: 3,
      valuePctYoY: 80.6,
      notable: true,
      countries: ['SG'],
    });
    expect(move(data.moves, CN)).toMatchObject({ sharePpYoY: -6.3, valuePctYoY: -24.5, notable: true, countries: ['CN', 'HK'] });
    expect((data.regions as { before: unknown[]; after: unknown[] }).after).toHaveLength(5);
    expect(change?.summary).toContain('Singapore 21.7% ($10.2B, +3.0 pp YoY)');
  });

  it('stores every period (quarters, YTDs, comparatives) in the series', () => {
    expect(Object.keys(first.series.periods).sort()).toEqual([
      '2024-01-29..2024-07-28',
      '2024-04-29..2024-07-28',
      '2025-01-27..2025-07-27',
      '2025-04-28..2025-07-27',
    ]);
    expect(first.series.periods['2025-04-28..2025-07-27']).toMatchObject({ fiscalLabel: 'Q2 FY2026', accession: '0001045810-25-000209' });
  });

  it('reports nothing when the same filing is fed again', () => {
    const again = detectRevenueChanges({
      filing: Q2_FILING,
      breakdowns: Q2_BREAKDOWNS,
      series: first.series,
      countriesOfInterest: INTEREST,
    });
    expect(again.changes).toEqual([]);
    expect(again.series).toEqual(first.series);
  });

  it('finalizes to the same change id twice (idempotent change log)', () => {
    const a = finalizeChange(first.changes[0]!, new Date('2025-08-28T00:00:00Z'));
    const b = finalizeChange(
      detectRevenueChanges({ filing: Q2_FILING, breakdowns: Q2_BREAKDOWNS, series: undefined, countriesOfInterest: INTEREST }).changes[0]!,
      new Date('2025-08-29T00:00:00Z'),
    );
    expect(a.id).toBe(b.id);
  });

  it('adds QoQ moves when the previous quarter is stored, and honours custom thresholds', () => {
    const q1 = bd('2025-01-27', '2025-04-27', { [US]: 20_739, [SG]: 9_017, [TW]: 7_158, [CN]: 5_522, [OTHER]: 1_626 });
    const series: RevenueSeries = { cik: CIK, periods: { [periodKey(q1)]: { ...q1, fiscalLabel: 'Q1 FY2026' } } };
    const result = detectRevenueChanges({
      filing: Q2_FILING,
      breakdowns: Q2_BREAKDOWNS,
      series,
      countriesOfInterest: INTEREST,
      thresholds: { sharePp: 50, valuePct: 1000 },
    });
    const data = result.changes[0]?.data as Record<string, unknown>;
    expect(data.previousQuarter).toMatchObject({ basis: 'qoq', fiscalLabel: 'Q1 FY2026' });
    expect(move(data.moves, SG)).toMatchObject({ sharePpQoQ: 1.3, valuePctQoQ: 12.6, notable: false });
    expect(result.changes[0]?.importance).toBe('normal');
    // Countries of interest among the members are still listed for subscriber filters.
    expect(result.changes[0]?.countries).toEqual(['CN', 'HK', 'SG', 'TW']);
  });

  it('says plainly when a country of interest vanishes from the split', () => {
    const q1fy27 = filing('0001045810-26-000100', { fiscalYear: '2027', fiscalPeriod: 'Q1', periodEnd: '2026-04-26' });
    const now = bd('2026-01-26', '2026-04-26', { [US]: 63_769, [TW]: 12_006, [CN]: 4_550, [OTHER]: 1_290 });
    const yearAgo = bd('2025-01-27', '2025-04-27', { [US]: 20_739, [SG]: 9_017, [TW]: 7_158, [CN]: 5_522, [OTHER]: 1_626 });
    const result = detectRevenueChanges({ filing: q1fy27, breakdowns: [now, yearAgo], series: undefined, countriesOfInterest: INTEREST });
    expect(result.changes).toHaveLength(1);
    expect(result.changes[0]).toMatchObject({ title: 'NVIDIA Q1 FY2027: Singapore no longer reported separately', importance: 'high' });
    expect(result.changes[0]?.data).toMatchObject({ membersRemoved: [SG], membersAdded: [] });
  });
});

describe('detectRevenueChanges: recasts and derived quarters', () => {
  const FY23_FILING = filing('0001045810-23-000017', { fiscalYear: '2023', fiscalPeriod: 'FY', periodEnd: '2023-01-29' }, '10-K');
  const FY23 = bd('2022-01-31', '2023-01-29', { [US]: 8_292, [TW]: 6_986, [CN]: 5_785, [OLD_OTHER]: 5_911 });

  it('labels a later filing changing an earlier period’s split a recast', () => {
    const base = detectRevenueChanges({ filing: FY23_FILING, breakdowns: [FY23], series: undefined, countriesOfInterest: INTEREST });
    expect(base.changes).toHaveLength(1);
    expect(base.changes[0]?.title).toBe('NVIDIA FY2023: Taiwan 25.9% of revenue');

    const fy24Filing = filing('0001045810-24-000029', { fiscalYear: '2024', fiscalPeriod: 'FY', periodEnd: '2024-01-28' }, '10-K');
    const FY24 = bd('2023-01-30', '2024-01-28', { [US]: 26_966, [SG]: 9_502, [TW]: 13_405, [CN]: 10_306, [OTHER]: 583 });
    // The FY2024 10-K splits Singapore out of FY2023's "other".
    const FY23_RECAST = bd('2022-01-31', '2023-01-29', { [US]: 8_292, [SG]: 2_288, [TW]: 6_986, [CN]: 5_785, [OTHER]: 3_623 });
    const next = detectRevenueChanges({
      filing: fy24Filing,
      breakdowns: [FY24, FY23_RECAST],
      series: base.series,
      countriesOfInterest: INTEREST,
    });
    expect(next.changes.map((c) => (c.data as { recast: boolean }).recast)).toEqual([false, true]);
    const recast = next.changes[1];
    expect(recast).toMatchObject({
      naturalKey: '0001045810:2023-01-29:annual:us-gaap:Revenues',
      title: 'NVIDIA FY2023 recast: Singapore 8.5% of revenue (newly reported)',
      importance: 'high',
    });
    expect(recast?.data).toMatchObject({
      comparedWith: { basis: 'recast', accession: '0001045810-23-000017' },
      membersAdded: [SG, OTHER],
      membersRemoved: [OLD_OTHER],
    });
    expect(move((recast?.data as { moves: unknown } | undefined)?.moves, SG)).toMatchObject({ sharePpRecast: 8.5, valuePctRecast: null });
    // The new year compares with the recast FY2023 from its own filing, not the stored original.
    expect(next.changes[0]?.data).toMatchObject({
      comparedWith: { basis: 'yoy', fiscalLabel: 'FY2023', accession: '0001045810-24-000029' },
    });
    expect(next.series.periods[periodKey(FY23)]?.accession).toBe('0001045810-24-000029');
  });

  it('does not call rounding differences a recast', () => {
    const base = detectRevenueChanges({ filing: FY23_FILING, breakdowns: [FY23], series: undefined, countriesOfInterest: INTEREST });
    const wobble = { ...FY23, regions: FY23.regions.map((r, i) => (i === 0 ? { ...r, value: r.value + 400_000 } : r)) };
    const later = filing('0001045810-24-000029', { fiscalYear: '2024', fiscalPeriod: 'FY', periodEnd: '2024-01-28' }, '10-K');
    expect(
      detectRevenueChanges({ filing: later, breakdowns: [wobble], series: base.series, countriesOfInterest: INTEREST }).changes,
    ).toEqual([]);
  });

  it('derives Q4 from the stored nine months when the 10-K arrives', () => {
    const nine = bd('2024-01-29', '2024-10-27', { [US]: 40_000, [SG]: 20_000, [TW]: 15_000 });
    const q3Filing = filing('0001045810-24-000316', { fiscalYear: '2025', fiscalPeriod: 'Q3', periodEnd: '2024-10-27' });
    const afterQ3 = detectRevenueChanges({ filing: q3Filing, breakdowns: [nine], series: undefined, countriesOfInterest: INTEREST });
    expect(afterQ3.changes).toEqual([]); // a YTD period is stored, not reported
    const year = bd('2024-01-29', '2025-01-26', { [US]: 60_000, [SG]: 30_000, [TW]: 20_000 });
    const tenK = filing('0001045810-25-000023', { fiscalYear: '2025', fiscalPeriod: 'FY', periodEnd: '2025-01-26' }, '10-K');
    const result = detectRevenueChanges({ filing: tenK, breakdowns: [year], series: afterQ3.series, countriesOfInterest: INTEREST });
    expect(result.changes.map((c) => c.title)).toEqual([
      'NVIDIA FY2025: Singapore 27.3% of revenue',
      'NVIDIA Q4 FY2025 (derived): Singapore 28.6% of revenue',
    ]);
    expect(result.changes[1]?.data).toMatchObject({
      period: { start: '2024-10-28', end: '2025-01-26', kind: 'quarter', derived: true },
      total: 35_000 * M,
    });
  });
});

describe('detectRevenueChanges: share bases and overlapping members', () => {
  const NFLX_FILING: FilingContext = {
    cik: '0001065280',
    ticker: 'NFLX',
    companyName: 'Netflix, Inc.',
    accession: '0001065280-24-000287',
    form: '10-Q',
    fiscal: { fiscalYear: '2024', fiscalPeriod: 'Q3', periodEnd: '2024-09-30' },
  };
  const streaming = (
    start: string,
    end: string,
    values: Record<string, number>,
    subtotal: number | null,
    consolidated: number,
  ): Breakdown => {
    const b = bd(start, end, values);
    const base = subtotal ?? b.sumOfRegions / M;
    return {
      ...b,
      dimensions: { 'srt:ProductOrServiceAxis': 'nflx:StreamingMember' },
      dimensionLabels: { 'srt:ProductOrServiceAxis': 'Streaming' },
      total: subtotal === null ? null : subtotal * M,
      consolidatedTotal: consolidated * M,
      shareBase: subtotal === null ? 'sumOfRegions' : 'total',
      complete: subtotal === null ? null : b.complete,
      regions: b.regions.map((r) => ({ ...r, share: Math.round((r.value / M / base) * 10_000) / 10_000 })),
    };
  };
  const UCAN = 'nflx:UnitedStatesAndCanadaMember';
  const EMEA = 'us-gaap:EMEAMember';
  const LATAM = 'srt:LatinAmericaMember';
  const APAC = 'srt:AsiaPacificMember';

  it('says a product × region split’s shares are of that product’s revenue, and names the company total beside it', () => {
    // Netflix Q3 2024 10-Q ($M): Streaming by region, now and a year earlier (when DVD still had revenue).
    const now = streaming(
      '2024-07-01',
      '2024-09-30',
      { [UCAN]: 4_322.476, [EMEA]: 3_133.466, [LATAM]: 1_240.892, [APAC]: 1_127.869 },
      null,
      9_824.703,
    );
    const before = streaming(
      '2023-07-01',
      '2023-09-30',
      { [UCAN]: 3_735.133, [EMEA]: 2_693.146, [LATAM]: 1_142.811, [APAC]: 948.216 },
      null,
      8_541.668,
    );
    const [change] = detectRevenueChanges({
      filing: NFLX_FILING,
      breakdowns: [now, before],
      series: undefined,
      countriesOfInterest: INTEREST,
    }).changes;
    expect(change?.title).toBe('Netflix Q3 FY2024: United States and Canada 44.0% of Streaming revenue (+0.2 pp YoY)');
    expect(change?.summary).toMatch(/^No Streaming subtotal reported \(shares are of the sum of its regions\); company revenue \$9\.8B\./);
    expect(change?.naturalKey).toBe('0001065280:2024-09-30:quarter:us-gaap:Revenues:srt:ProductOrServiceAxis=nflx:StreamingMember');
    expect(change?.data).toMatchObject({
      total: null,
      consolidatedTotal: 9_824_703_000,
      shareBase: 'sumOfRegions',
      shareOf: 'Streaming revenue, as the sum of its regions (no Streaming subtotal reported)',
    });

    // With a Streaming subtotal the summary leads with it.
    const withSubtotal = streaming(
      '2024-07-01',
      '2024-09-30',
      { [UCAN]: 4_322.476, [EMEA]: 3_133.466, [LATAM]: 1_240.892, [APAC]: 1_127.869 },
      9_824.703,
      9_824.703,
    );
    const [again] = detectRevenueChanges({
      filing: NFLX_FILING,
      breakdowns: [withSubtotal],
      series: undefined,
      countriesOfInterest: INTEREST,
    }).changes;
    expect(again?.summary).toMatch(/^Streaming revenue \$9\.8B; company revenue \$9\.8B\./);
    expect(again?.data).toMatchObject({ shareOf: 'Streaming revenue', complete: true });
  });

  it('names a segment’s revenue without the consolidation qualifier (Boeing Commercial Airplanes)', () => {
    const segment = {
      'srt:ConsolidationItemsAxis': 'us-gaap:OperatingSegmentsMember',
      'us-gaap:StatementBusinessSegmentsAxis': 'ba:CommercialAirplanesSegmentMember',
    };
    const b = {
      ...bd('2023-01-01', '2023-12-31', { 'country:US': 14_501, 'srt:EuropeMember': 6_172, 'srt:AsiaMember': 6_328 }),
      dimensions: segment,
    };
    expect(scopeLabel(b)).toBe('Commercial airplanes segment');
    expect(
      scopeLabel({
        ...b,
        dimensionLabels: {
          'us-gaap:StatementBusinessSegmentsAxis': 'Commercial Airplanes',
          'srt:ConsolidationItemsAxis': 'Operating Segments',
        },
      }),
    ).toBe('Commercial Airplanes');
    expect(scopeLabel({ dimensions: { 'srt:ConsolidationItemsAxis': 'ge:CorporateReconcilingItemsAndEliminationsMember' } })).toBe(
      'Corporate reconciling items and eliminations',
    );
    expect(shareBasisText({ ...b, dimensionLabels: { 'us-gaap:StatementBusinessSegmentsAxis': 'Commercial Airplanes' } })).toBe(
      'Commercial Airplanes revenue',
    );
  });

  it('carries overlapping members apart from the regions; a country of interest among them still tags the change', () => {
    const fy = bd('2023-01-01', '2023-12-31', { 'acme:AmericasMember': 60, 'srt:EuropeMember': 25, 'srt:AsiaPacificMember': 15 });
    const withSingapore: Breakdown = {
      ...fy,
      overlapping: [{ member: 'country:SG', label: 'Singapore', value: 6 * M, share: 0.06, decimals: -6, overlap: 'part' }],
    };
    const filingFy = filing('0000000001-24-000001', { fiscalYear: '2023', fiscalPeriod: 'FY', periodEnd: '2023-12-31' }, '10-K');
    const [change] = detectRevenueChanges({
      filing: filingFy,
      breakdowns: [withSingapore],
      series: undefined,
      countriesOfInterest: INTEREST,
    }).changes;
    expect(change?.countries).toContain('SG');
    expect(change?.data).toMatchObject({
      overlapping: [{ member: 'country:SG', label: 'Singapore', value: 6 * M, share: 0.06, overlap: 'part', countries: ['SG'] }],
    });
    expect(change?.summary).toContain('Also reported, overlapping the regions and not added: Singapore 6.0% ($6.0M).');
    expect((change!.data as { regions: { after: unknown[] } }).regions.after).toHaveLength(3);
  });

  it('reads a series stored before the two totals existed (no consolidatedTotal, shareBase or overlapping)', () => {
    const { consolidatedTotal: _c, shareBase: _s, overlapping: _o, ...old } = Q2_FY25;
    const series: RevenueSeries = { cik: CIK, periods: { [periodKey(Q2_FY25)]: { ...(old as Breakdown), fiscalLabel: 'Q2 FY2025' } } };
    const result = detectRevenueChanges({ filing: Q2_FILING, breakdowns: [Q2_FY26], series, countriesOfInterest: INTEREST });
    expect(result.changes.map((c) => c.title)).toEqual(['NVIDIA Q2 FY2026: Singapore 21.7% of revenue (+3.0 pp YoY)']);
    expect(result.changes[0]?.data).toMatchObject({ totalBefore: 30_040 * M, consolidatedTotal: 46_743 * M, shareOf: 'total revenue' });
  });
});

describe('helpers', () => {
  it('shortens registrant names', () => {
    expect(shortCompanyName('NVIDIA CORP')).toBe('NVIDIA');
    expect(shortCompanyName('Tesla, Inc.')).toBe('Tesla');
    expect(shortCompanyName('Apple Inc.')).toBe('Apple');
    expect(shortCompanyName('MICRON TECHNOLOGY INC')).toBe('Micron Technology');
  });

  it('keeps a series item well below 400 KB', () => {
    const periods: RevenueSeries['periods'] = {};
    for (let y = 1990; y < 2030; y++) {
      for (const [s, e] of [
        ['01-01', '03-31'],
        ['04-01', '06-30'],
        ['07-01', '09-30'],
        ['10-01', '12-31'],
        ['01-01', '12-31'],
      ]) {
        const b = bd(`${y}-${s}`, `${y}-${e}`, { [US]: 1, [SG]: 2, [TW]: 3, [CN]: 4, [OTHER]: 5 });
        periods[periodKey(b)] = { ...b, fiscalLabel: 'x', accession: '0000000000-00-000000' };
      }
    }
    const trimmed = trimSeries({ cik: CIK, periods });
    expect(Object.keys(trimmed.periods).length).toBeLessThanOrEqual(160);
    expect(JSON.stringify(trimmed).length).toBeLessThan(200_000);
    expect(Object.values(trimmed.periods).some((p) => p.end === '2029-12-31')).toBe(true);
  });
});

/** Breakdowns and filing context from a document, as the source builds them. */
function fromDocument(path: string, accession: string) {
  const doc = readXbrlSync(readFileSync(path));
  const breakdowns = extractBreakdowns(doc);
  const e = describeEntity(doc, breakdowns);
  const ctx: FilingContext = {
    cik: e.cik as string,
    ticker: 'NVDA',
    companyName: e.name as string,
    accession,
    form: e.documentType as string,
    fiscal: { fiscalYear: e.fiscalYear, fiscalPeriod: e.fiscalPeriod, periodEnd: e.periodEnd },
  };
  return { breakdowns, ctx };
}

describe('detectRevenueChanges on documents', () => {
  it('the project excerpt: one change, then none when fed again', () => {
    const { breakdowns, ctx } = fromDocument(join(OWN_FIXTURES, 'sec-revenue/nvda-20250727-excerpt.htm'), '0001045810-25-000209');
    const first = detectRevenueChanges({ filing: ctx, breakdowns, series: undefined, countriesOfInterest: INTEREST });
    expect(first.changes.map((c) => c.title)).toEqual(['NVIDIA Q2 FY2026: Singapore 21.7% of revenue (+3.0 pp YoY)']);
    expect(detectRevenueChanges({ filing: ctx, breakdowns, series: first.series, countriesOfInterest: INTEREST }).changes).toEqual([]);
  });

  itWithSharedFixtures('NVIDIA FY2023 10-K then the Q2 FY2026 10-Q: one change each; the 10-Q again: none', () => {
    const tenK = fromDocument(shared('sec/nvidia/nvda-20230129-10k.htm'), '0001045810-23-000017');
    const a = detectRevenueChanges({ filing: tenK.ctx, breakdowns: tenK.breakdowns, series: undefined, countriesOfInterest: INTEREST });
    expect(a.changes.map((c) => [c.naturalKey, c.title])).toEqual([
      ['0001045810:2023-01-29:annual:us-gaap:Revenues', 'NVIDIA FY2023: Taiwan 25.9% of revenue (-5.8 pp YoY)'],
    ]);
    expect(a.changes[0]?.data).toMatchObject({ comparedWith: { fiscalLabel: 'FY2022' }, total: 26_974 * M });
    expect(Object.keys(a.series.periods)).toHaveLength(3);

    const tenQ = fromDocument(shared('sec/nvidia/nvda-20250727-10q.htm'), '0001045810-25-000209');
    const b = detectRevenueChanges({ filing: tenQ.ctx, breakdowns: tenQ.breakdowns, series: a.series, countriesOfInterest: INTEREST });
    expect(b.changes.map((c) => c.title)).toEqual(['NVIDIA Q2 FY2026: Singapore 21.7% of revenue (+3.0 pp YoY)']);
    expect(Object.keys(b.series.periods)).toHaveLength(7);

    const c = detectRevenueChanges({ filing: tenQ.ctx, breakdowns: tenQ.breakdowns, series: b.series, countriesOfInterest: INTEREST });
    expect(c.changes).toEqual([]);
  });
});
