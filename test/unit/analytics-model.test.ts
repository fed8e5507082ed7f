import { describe, expect, it } from 'vitest';
import { type ChangeDraft, finalizeChange } from '#core/change.ts';
import { buildReportModel, dayOf, HIGHLIGHT_COLOR } from '#analytics/report-model.ts';
import type { RevenueSeries } from '#sources/sec-revenue/detect.ts';

const at = (iso: string) => new Date(iso);

const US = 'country:US';
const SG = 'country:SG';
const TW = 'country:TW';
const CN = 'nvda:ChinaIncludingHongKongMember';

function region(member: string, label: string, value: number) {
  return { member, label, value, share: 0 };
}

/** A revenue.regional change shaped like sec-revenue's (only the fields the report reads matter). */
function revenueChange(opts: {
  end: string;
  start: string;
  label: string;
  regions: Array<ReturnType<typeof region>>;
  total: number;
  before?: { start: string; end: string; label: string; regions: Array<ReturnType<typeof region>>; total: number; basis?: string };
  dimensions?: Record<string, string>;
  detectedAt: string;
}) {
  const draft: ChangeDraft = {
    source: 'sec-revenue',
    kind: 'revenue.regional',
    naturalKey: `0001045810:${opts.end}:quarter:us-gaap:Revenues${opts.dimensions ? ':x' : ''}`,
    subject: 'NVDA',
    title: `NVIDIA ${opts.label}: Singapore`,
    summary: '',
    url: 'https://www.sec.gov/Archives/x.htm',
    importance: 'high',
    occurredAt: '2025-08-27T20:52:07.000Z',
    data: {
      cik: '0001045810',
      company: 'NVIDIA CORP',
      concept: 'us-gaap:Revenues',
      dimensions: opts.dimensions ?? {},
      period: { start: opts.start, end: opts.end, kind: 'quarter', days: 90, fiscalLabel: opts.label },
      comparedWith: opts.before
        ? {
            basis: opts.before.basis ?? 'yoy',
            start: opts.before.start,
            end: opts.before.end,
            fiscalLabel: opts.before.label,
            accession: 'acc-before',
          }
        : null,
      regions: { before: opts.before?.regions ?? null, after: opts.regions },
      total: opts.total,
      totalBefore: opts.before?.total ?? null,
      accession: '0001045810-25-000209',
      form: '10-Q',
    },
  };
  return finalizeChange(draft, at(opts.detectedAt));
}

const q2fy26 = revenueChange({
  start: '2025-04-28',
  end: '2025-07-27',
  label: 'Q2 FY2026',
  total: 46_743e6,
  regions: [
    region(US, 'United States', 23_470e6),
    region(SG, 'Singapore', 10_156e6),
    region(TW, 'Taiwan', 8_529e6),
    region(CN, 'China (including Hong Kong)', 2_769e6),
  ],
  before: {
    start: '2024-04-29',
    end: '2024-07-28',
    label: 'Q2 FY2025',
    total: 30_040e6,
    regions: [
      region(US, 'United States', 13_022e6),
      region(SG, 'Singapore', 5_622e6),
      region(TW, 'Taiwan', 5_740e6),
      region(CN, 'China (including Hong Kong)', 3_667e6),
    ],
  },
  detectedAt: '2025-08-28T12:00:00Z',
});

const series: RevenueSeries = {
  cik: '0001045810',
  ticker: 'NVDA',
  name: 'NVIDIA CORP',
  periods: {
    '2022-01-31..2023-01-29': {
      concept: 'us-gaap:Revenues',
      start: '2022-01-31',
      end: '2023-01-29',
      days: 363,
      periodKind: 'annual',
      dimensions: {},
      axis: 'srt:StatementGeographicalAxis',
      unit: 'iso4217:USD',
      total: 26_974e6,
      sumOfRegions: 26_974e6,
      complete: true,
      tolerance: 0,
      regions: [
        { member: US, label: 'United States', value: 8_292e6, share: 0.3074 },
        { member: TW, label: 'Taiwan', value: 6_986e6, share: 0.259 },
        { member: CN, label: 'China (including Hong Kong)', value: 5_785e6, share: 0.2145 },
        { member: 'nvda:OtherCountriesMember', label: 'Other countries', value: 5_911e6, share: 0.2191 },
      ],
      fiscalLabel: 'FY2023',
      accession: '0001045810-23-000017',
    },
    // The series holds Q2 FY2025 as reported later (a recast), which must win over the change's copy.
    '2024-04-29..2024-07-28': {
      concept: 'us-gaap:Revenues',
      start: '2024-04-29',
      end: '2024-07-28',
      days: 90,
      periodKind: 'quarter',
      dimensions: {},
      axis: 'srt:StatementGeographicalAxis',
      unit: 'iso4217:USD',
      total: 30_040e6,
      sumOfRegions: 30_040e6,
      complete: true,
      tolerance: 0,
      regions: [
        { member: US, label: 'United States', value: 13_000e6, share: 0 },
        { member: SG, label: 'Singapore', value: 5_644e6, share: 0 },
        { member: TW, label: 'Taiwan', value: 5_740e6, share: 0 },
        { member: CN, label: 'China (including Hong Kong)', value: 3_667e6, share: 0 },
      ],
      fiscalLabel: 'Q2 FY2025',
      accession: '0001045810-25-000300',
    },
    '2024-04-29..2024-07-28|srt:ProductOrServiceAxis=nvda:DataCenterMember': {
      concept: 'us-gaap:Revenues',
      start: '2024-04-29',
      end: '2024-07-28',
      days: 90,
      periodKind: 'quarter',
      dimensions: { 'srt:ProductOrServiceAxis': 'nvda:DataCenterMember' },
      axis: 'srt:StatementGeographicalAxis',
      unit: 'iso4217:USD',
      total: null,
      sumOfRegions: 1,
      complete: false,
      tolerance: 0,
      regions: [{ member: US, label: 'United States', value: 1, share: 1 }],
      fiscalLabel: 'Q2 FY2025',
    },
    '2025-01-27..2025-07-27': {
      concept: 'us-gaap:Revenues',
      start: '2025-01-27',
      end: '2025-07-27',
      days: 181,
      periodKind: 'half',
      dimensions: {},
      axis: 'srt:StatementGeographicalAxis',
      unit: 'iso4217:USD',
      total: 90_805e6,
      sumOfRegions: 90_805e6,
      complete: true,
      tolerance: 0,
      regions: [{ member: US, label: 'United States', value: 44_209e6, share: 0.4869 }],
      fiscalLabel: 'H1 FY2026',
    },
  },
};

function fr(kind: string, doc: string, data: Record<string, unknown>, detectedAt: string, title = 'Additions to the Entity List') {
  return finalizeChange(
    {
      source: 'federal-register',
      kind,
      naturalKey: `${doc}#${kind === 'fr.public-inspection' ? 'pi' : kind === 'fr.withdrawn' ? 'withdrawn' : 'published'}`,
      subject: 'BIS',
      title,
      summary: '',
      url: `https://www.federalregister.gov/d/${doc}`,
      importance: 'high',
      countries: ['CN'],
      occurredAt: (data.publicationDate as string) ?? (data.filedAt as string),
      data: { documentNumber: doc, ...data },
    },
    at(detectedAt),
  );
}

function added(name: string, countries: string[], startDate: string | undefined, detectedAt: string) {
  return finalizeChange(
    {
      source: 'entity-list',
      kind: 'entity.added',
      naturalKey: `EL|${name}`,
      subject: 'Entity List',
      title: `Entity List: added ${name}`,
      summary: '',
      countries,
      ...(startDate ? { occurredAt: startDate } : {}),
      data: { name, countries, federalRegisterNotice: '91 FR 41234' },
    },
    at(detectedAt),
  );
}

const language = finalizeChange(
  {
    source: 'sec-export-language',
    kind: 'export-language.changed',
    naturalKey: '0001045810-25-000209',
    subject: 'NVDA',
    title: 'NVIDIA 10-Q adds 1 export-control paragraph (H20)',
    summary: 'New: "…"',
    url: 'https://www.sec.gov/Archives/y.htm',
    importance: 'high',
    countries: ['CN'],
    occurredAt: '2025-08-27T20:52:07.000Z',
    data: {
      form: '10-Q',
      accession: '0001045810-25-000209',
      previousAccession: '0001045810-25-000116',
      added: ['In August 2025, the USG granted licences…'],
      removed: [],
      changed: [{ before: 'old', after: 'new', diff: [] }],
    },
  },
  at('2025-08-28T12:00:00Z'),
);

describe('report model', () => {
  const model = buildReportModel({
    changes: [
      q2fy26,
      language,
      fr(
        'fr.public-inspection',
        '2026-20415',
        { classification: 'entity-list-addition', filedAt: '2026-11-25T08:45:00.000-05:00', publicationDate: '2026-12-01' },
        '2026-11-25T14:00:00Z',
      ),
      fr(
        'fr.published',
        '2026-20415',
        { classification: 'entity-list-addition', publicationDate: '2026-12-01', citation: '91 FR 1' },
        '2026-12-01T14:00:00Z',
      ),
      fr(
        'fr.public-inspection',
        '2026-20500',
        { classification: 'advanced-computing', filedAt: '2026-12-02T08:45:00.000-05:00' },
        '2026-12-02T14:00:00Z',
        'Withdrawn rule',
      ),
      fr('fr.withdrawn', '2026-20500', { classification: 'advanced-computing' }, '2026-12-03T14:00:00Z', 'Withdrawn rule'),
      fr(
        'fr.document',
        '2026-20301',
        { classification: 'advanced-computing', publicationDate: '2026-11-28' },
        '2026-11-28T14:00:00Z',
        'Revisions to Export Controls on Advanced Computing Items',
      ),
      added('Example A', ['CN'], '2026-09-29', '2026-11-28T16:00:00Z'),
      added('Example B', ['SG'], '2026-09-29', '2026-11-28T16:00:00Z'),
      added('Example C', ['CN'], '2026-09-29', '2026-11-28T16:00:00Z'),
      added('Example D', ['AE'], undefined, '2026-11-30T16:00:00Z'),
    ],
    series: [series],
    generatedAt: at('2026-12-05T00:00:00Z'),
    origin: 'test',
  });
  const nvda = model.companies[0];

  it('joins the stored series and the changes into one company keyed by CIK', () => {
    expect(model.companies).toHaveLength(1);
    expect(nvda?.subject).toBe('NVDA');
    expect(nvda?.cik).toBe('0001045810');
    expect(nvda?.name).toBe('NVIDIA CORP');
  });

  it('charts quarters and fiscal years only, oldest first; the series wins over a change for the same period', () => {
    expect(nvda?.periods.map((p) => `${p.fiscalLabel}:${p.kind}:${p.origin}`)).toEqual([
      'FY2023:annual:series',
      'Q2 FY2025:quarter:series',
      'Q2 FY2026:quarter:change',
    ]);
    const q2fy25 = nvda?.periods.find((p) => p.fiscalLabel === 'Q2 FY2025');
    expect(q2fy25?.regions.find((r) => r.member === SG)?.value).toBe(5_644e6);
    expect(nvda?.otherBreakdowns).toBe(1);
  });

  it('computes exact shares of the total', () => {
    const sg = nvda?.periods.at(-1)?.regions.find((r) => r.member === SG);
    expect(sg?.share).toBeCloseTo(10_156 / 46_743, 10);
  });

  it('orders regions by newest share, highlights Singapore and marks discontinued regions', () => {
    expect(nvda?.regions.map((r) => r.label)).toEqual([
      'United States',
      'Singapore',
      'Taiwan',
      'China (including Hong Kong)',
      'Other countries',
    ]);
    const sg = nvda?.regions.find((r) => r.member === SG);
    expect(sg?.highlighted).toBe(true);
    expect(sg?.color).toBe(HIGHLIGHT_COLOR);
    expect(nvda?.regions.filter((r) => r.highlighted)).toHaveLength(1);
    expect(nvda?.regions.find((r) => r.label === 'Other countries')?.latestShare).toBeNull();
    expect(new Set(nvda?.regions.map((r) => r.color)).size).toBe(nvda?.regions.length);
  });

  it('highlights other countries on request', () => {
    const m = buildReportModel({ changes: [q2fy26], series: [], highlight: ['cn', 'TW'], generatedAt: at('2026-01-01T00:00:00Z') });
    expect(m.companies[0]?.regions.filter((r) => r.highlighted).map((r) => r.label)).toEqual(['Taiwan', 'China (including Hong Kong)']);
  });

  it("takes the comparative period from a change, but never a recast's superseded copy", () => {
    const alone = buildReportModel({ changes: [q2fy26], series: [], generatedAt: at('2026-01-01T00:00:00Z') });
    expect(alone.companies[0]?.periods.map((p) => p.fiscalLabel)).toEqual(['Q2 FY2025', 'Q2 FY2026']);
    const recast = revenueChange({
      start: '2025-04-28',
      end: '2025-07-27',
      label: 'Q2 FY2026',
      total: 46_743e6,
      regions: [region(US, 'United States', 23_470e6), region(SG, 'Singapore', 23_273e6)],
      before: {
        start: '2025-04-28',
        end: '2025-07-27',
        label: 'Q2 FY2026',
        total: 46_743e6,
        regions: [region(US, 'United States', 46_743e6)],
        basis: 'recast',
      },
      detectedAt: '2025-12-01T00:00:00Z',
    });
    const m = buildReportModel({ changes: [q2fy26, recast], series: [], generatedAt: at('2026-01-01T00:00:00Z') });
    const q = m.companies[0]?.periods.find((p) => p.fiscalLabel === 'Q2 FY2026');
    expect(q?.regions.map((r) => r.member)).toEqual([US, SG]); // the newest change wins
    expect(m.companies[0]?.periods).toHaveLength(2);
  });

  it('lists revenue alerts and export-language changes per company', () => {
    expect(nvda?.alerts).toEqual([
      { date: '2025-08-27', title: 'NVIDIA Q2 FY2026: Singapore', url: 'https://www.sec.gov/Archives/x.htm', importance: 'high' },
    ]);
    expect(nvda?.language[0]).toMatchObject({
      date: '2025-08-27',
      form: '10-Q',
      previousAccession: '0001045810-25-000116',
      added: ['In August 2025, the USG granted licences…'],
      changed: [{ before: 'old', after: 'new' }],
    });
  });

  it('one marker per Federal Register document: publication beats public inspection, withdrawn ones are dropped', () => {
    expect(model.rules.map((r) => `${r.date} ${r.documentNumber} ${r.status} ${r.classification}`)).toEqual([
      '2026-11-28 2026-20301 published advanced-computing',
      '2026-12-01 2026-20415 published entity-list-addition',
    ]);
    expect(model.rules[1]?.citation).toBe('91 FR 1');
  });

  it('groups Entity List additions per listing day with country counts', () => {
    expect(model.entities.map((e) => ({ date: e.date, count: e.count, countries: e.countries }))).toEqual([
      {
        date: '2026-09-29',
        count: 3,
        countries: [
          { code: 'CN', count: 2 },
          { code: 'SG', count: 1 },
        ],
      },
      { date: '2026-11-30', count: 1, countries: [{ code: 'AE', count: 1 }] },
    ]);
    expect(model.entities[0]?.entries.map((e) => e.name)).toEqual(['Example A', 'Example B', 'Example C']);
  });

  it('filters to one company by ticker or CIK', () => {
    const input = {
      changes: [q2fy26, language],
      series: [series, { cik: '0000002488', ticker: 'AMD', name: 'AMD', periods: {} }],
      generatedAt: at('2026-01-01T00:00:00Z'),
    };
    expect(buildReportModel({ ...input, subject: 'nvda' }).companies.map((c) => c.subject)).toEqual(['NVDA']);
    expect(buildReportModel({ ...input, subject: '1045810' }).companies.map((c) => c.subject)).toEqual(['NVDA']);
    expect(buildReportModel({ ...input, subject: 'MU' }).companies).toEqual([]);
  });

  it('keeps the date part of upstream times (an Eastern time keeps its Eastern day)', () => {
    expect(dayOf('2026-11-28T08:45:00.000-05:00')).toBe('2026-11-28');
    expect(dayOf('2026-09-29')).toBe('2026-09-29');
    expect(dayOf('garbage')).toBeUndefined();
  });
});
