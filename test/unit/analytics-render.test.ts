import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { additionsLabel, pct, renderRevenueChart, ruleLabel } from '#analytics/chart.ts';
import { formatMoney as money } from '#core/format.ts';
import { escapeHtml as esc, safeUrl } from '#core/escape.ts';
import { renderReportHtml } from '#analytics/html.ts';
import type { CompanyReport, EntityMarker, ReportModel, ReportPeriod, RuleMarker } from '#analytics/report-model.ts';

const EVIL = '<script>alert("x")</script> & \'quotes\'';

function period(
  label: string,
  start: string,
  end: string,
  kind: 'quarter' | 'annual',
  shares: Record<string, number>,
  total = 1000,
): ReportPeriod {
  return {
    key: `${start}..${end}`,
    start,
    end,
    kind,
    fiscalLabel: label,
    total,
    regions: Object.entries(shares).map(([member, share]) => ({
      member,
      label: member === 'country:SG' ? 'Singapore' : member === 'x:Evil' ? EVIL : member.replace('country:', ''),
      value: share * total,
      share,
      base: total,
    })),
    derived: false,
    accession: '0001045810-25-000209',
    origin: 'series',
  };
}

const company: CompanyReport = {
  subject: 'NVDA',
  cik: '0001045810',
  name: 'NVIDIA CORP',
  periods: [
    period('FY2023', '2022-01-31', '2023-01-29', 'annual', { 'country:US': 0.31, 'country:TW': 0.26, 'x:Evil': 0.43 }),
    period('Q1 FY2026', '2025-01-27', '2025-04-27', 'quarter', { 'country:US': 0.47, 'country:SG': 0.2, 'country:TW': 0.33 }),
    period('Q2 FY2026', '2025-04-28', '2025-07-27', 'quarter', { 'country:US': 0.502, 'country:SG': 0.217, 'country:TW': 0.281 }),
  ],
  regions: [
    { member: 'country:US', label: 'United States', countries: ['US'], highlighted: false, latestShare: 0.502, color: '#1f77b4' },
    { member: 'country:TW', label: 'Taiwan', countries: ['TW'], highlighted: false, latestShare: 0.281, color: '#2ca02c' },
    { member: 'country:SG', label: 'Singapore', countries: ['SG'], highlighted: true, latestShare: 0.217, color: '#d62728' },
    { member: 'x:Evil', label: EVIL, countries: [], highlighted: false, latestShare: null, color: '#17becf' },
  ],
  alerts: [{ date: '2025-08-27', title: `Alert ${EVIL}`, url: 'javascript:alert(1)', importance: 'high' }],
  language: [
    {
      date: '2025-08-27',
      kind: 'export-language.changed',
      form: '10-Q',
      accession: '0001045810-25-000209',
      previousAccession: undefined,
      title: `Language ${EVIL}`,
      summary: '',
      url: 'https://www.sec.gov/a"onmouseover="x.htm',
      importance: 'normal',
      countries: ['CN'],
      added: [`Added ${EVIL}`],
      removed: [],
      changed: [{ before: 'before text', after: 'after text' }],
    },
  ],
  otherBreakdowns: 0,
};

/** Several rules on nearby days, so their labels must share rows without overlapping. */
const rules: RuleMarker[] = ['2025-01-13', '2025-01-15', '2025-01-16', '2025-03-25', '2025-03-26', '2025-09-12'].map((date, i) => ({
  date,
  documentNumber: `2025-0${i}`,
  title: i === 0 ? `Framework ${EVIL}` : `Rule ${i}`,
  classification: i % 2 ? 'entity-list-addition' : 'advanced-computing',
  status: 'published',
  url: 'https://www.federalregister.gov/d/1',
  countries: ['CN'],
  importance: 'high',
  citation: '90 FR 1',
}));
rules.push({ ...(rules[0] as RuleMarker), date: '2025-02-01', documentNumber: 'n1', classification: 'notice', title: 'Public briefing' });
const entities: EntityMarker[] = [
  {
    date: '2025-03-25',
    list: 'Entity List',
    count: 3,
    countries: [
      { code: 'CN', count: 2 },
      { code: 'SG', count: 1 },
    ],
    entries: [{ name: EVIL, countries: ['CN'], notice: '90 FR 2' }],
  },
];

describe('chart (inline SVG)', () => {
  const svg = renderRevenueChart(company, { rules, entities });
  const $ = cheerio.load(svg, { xml: true });

  it('is one SVG with a title, and every upstream string escaped', () => {
    expect($('svg').length).toBe(1);
    expect($('svg > title').text()).toBe('NVIDIA CORP: regional revenue share over time');
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;');
    expect($('script').length).toBe(0);
  });

  it('draws one group per region, the highlighted one last, with its values labelled', () => {
    const groups = $('g.region');
    expect(groups.length).toBe(4);
    expect(groups.last().attr('data-member')).toBe('country:SG');
    const sgTexts = groups
      .last()
      .find('text')
      .map((_, t) => $(t).text())
      .get();
    expect(sgTexts).toEqual(['20.0%', '21.7%']);
    // Quarters Q1 → Q2 are adjacent: a solid segment, 3.5 px for the highlighted line.
    expect(groups.last().find('line').attr('stroke-width')).toBe('3.5');
    expect(groups.last().find('line').attr('stroke-dasharray')).toBeUndefined();
    // Fiscal-year points are hollow circles on a dashed path (US has only one year: no path).
    expect($('g.region[data-member="country:US"] circle[fill="#fff"]').length).toBe(1);
  });

  it('puts share 0–100 % on the y axis and years on the x axis', () => {
    const labels = $('text')
      .map((_, t) => $(t).text())
      .get();
    for (const s of ['0%', '20%', '40%', '60%', '80%', '100%', '2023', '2024', '2025']) expect(labels).toContain(s);
  });

  it('labels rules and additions without overlapping labels; notices are not charted', () => {
    const labelled = $('g > text[font-weight="600"]')
      .map((_, t) => ({ text: $(t).text(), x: Number($(t).attr('x')), y: Number($(t).attr('y')), anchor: $(t).attr('text-anchor') }))
      .get() as Array<{ text: string; x: number; y: number; anchor: string }>;
    expect(labelled.map((l) => l.text)).toContain('Advanced-computing rule · 2025-01-13');
    expect(labelled.map((l) => l.text)).toContain('Entity List +3 (CN 2, SG 1) · 2025-03-25');
    expect(labelled.some((l) => l.text.includes('notice') || l.text.includes('BIS notice'))).toBe(false);
    const span = (l: (typeof labelled)[number]) => {
      const w = l.text.length * 6.1;
      return l.anchor === 'end' ? [l.x - w, l.x] : [l.x, l.x + w];
    };
    for (const a of labelled) {
      for (const b of labelled) {
        if (a === b || a.y !== b.y) continue;
        const [a0, a1] = span(a) as [number, number];
        const [b0, b1] = span(b) as [number, number];
        expect(a1 <= b0 || b1 <= a0, `${a.text} overlaps ${b.text}`).toBe(true);
      }
    }
    // Every label stays inside the drawing.
    const width = Number($('svg').attr('width'));
    for (const l of labelled) {
      const [l0, l1] = span(l) as [number, number];
      expect(l0).toBeGreaterThanOrEqual(0);
      expect(l1).toBeLessThanOrEqual(width);
    }
    // The additions get a diamond on the axis.
    expect($('path[fill="#6a51a3"]').length).toBeGreaterThanOrEqual(1);
  });

  it('renders nothing for a company without periods', () => {
    expect(renderRevenueChart({ ...company, periods: [] }, { rules, entities })).toBe('');
  });

  it('formats numbers and labels', () => {
    expect(pct(0.21727)).toBe('21.7%');
    expect(money(46_743e6)).toBe('$46.7B');
    expect(money(743e6)).toBe('$743.0M');
    expect(ruleLabel({ classification: 'entity-list-addition', status: 'public-inspection' })).toBe(
      'Entity List additions rule (public inspection)',
    );
    expect(ruleLabel({ classification: 'entity-list-affiliates', status: 'published' })).toBe('Affiliates (50 percent) rule');
    expect(ruleLabel({ classification: 'denial-order', status: 'published' })).toBe('Denial order');
    expect(additionsLabel(entities[0] as EntityMarker)).toBe('Entity List +3 (CN 2, SG 1)');
  });
});

describe('report HTML', () => {
  const model: ReportModel = {
    generatedAt: '2026-12-05T00:00:00.000Z',
    origin: `local store ${EVIL}`,
    highlight: ['SG'],
    companies: [company],
    rules,
    entities,
  };
  const html = renderReportHtml(model);
  const $ = cheerio.load(html);

  it('is self-contained: no script, no external resource, a CSP that forbids fetching', () => {
    expect($('script').length).toBe(0);
    expect($('link').length).toBe(0);
    expect($('img').length).toBe(0);
    expect($('[src]').length).toBe(0);
    expect($('meta[http-equiv="Content-Security-Policy"]').attr('content')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    );
    expect(html).not.toMatch(/@import|url\(/);
  });

  it('escapes every upstream string and links only http(s) URLs', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('Alert &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;');
    expect($('a[href^="javascript"]').length).toBe(0);
    expect($('a').filter((_, a) => $(a).text().startsWith('Alert')).length).toBe(0);
    const language = $('a').filter((_, a) => $(a).text().startsWith('Language'));
    expect(language.attr('href')).toBe('https://www.sec.gov/a%22onmouseover=%22x.htm');
    expect(language.attr('onmouseover')).toBeUndefined();
  });

  it('shows the chart, a table of the numbers, the language changes and the timeline', () => {
    expect($('figure svg.chart').length).toBe(1);
    const quarterRows = $('h3:contains("Quarters") + .table-wrap tbody tr');
    expect(quarterRows.length).toBe(2);
    expect(quarterRows.first().find('td.period strong').text()).toBe('Q2 FY2026');
    expect(quarterRows.first().find('td.hl .s').text()).toBe('21.7%');
    expect($('h3:contains("Fiscal years") + .table-wrap tbody tr').length).toBe(1);
    expect($('blockquote.add').first().text()).toBe(`Added ${EVIL}`);
    const timeline = $('#timeline tbody tr');
    expect(timeline.length).toBe(rules.length + entities.length);
    expect(timeline.first().find('td').first().text()).toBe('2025-09-12');
    expect($('.headline').text()).toContain('Singapore 21.7%');
  });

  it('says what to do when nothing is stored', () => {
    const empty = renderReportHtml({ ...model, companies: [], rules: [], entities: [] });
    expect(empty).toContain('export-watch revenue-history TICKER');
  });

  it('escapes helpers', () => {
    expect(esc('a\u0001<b>')).toBe('a&lt;b&gt;');
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('data:text/html,x')).toBeUndefined();
    expect(safeUrl('https://www.sec.gov/x')).toBe('https://www.sec.gov/x');
    expect(safeUrl('not a url')).toBeUndefined();
  });
});
