import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildReportModel } from '#analytics/report-model.ts';
import { renderReportHtml } from '#analytics/html.ts';
import { type Change, finalizeChange } from '#core/change.ts';
import { formatShare, formatSigned } from '#core/format.ts';
import { renderEmail } from '#notify/render.ts';
import type { Breakdown } from '#sources/sec-revenue/breakdowns.ts';
import { formatReport, type RevenueReport } from '#app/cli/revenue.ts';
import { detectRevenueChanges, type FilingContext, periodKey, type RevenueSeries, shareBasisText } from '#sources/sec-revenue/detect.ts';
import { memberLabel } from '#sources/sec-revenue/labels.ts';
import { classifyPeriod } from '#sources/sec-revenue/periods.ts';

/**
 * Issue 21 item 2: a share prints the same in the alert email (HTML, text, subject), the
 * analyst report and `export-watch revenue`, and equals value / base rounded once to a
 * tenth of a percent — also for series stored before shares were kept exact (4 places).
 */

const M = 1e6;
const MEMBERS = ['country:US', 'country:SG', 'country:TW', 'country:JP', 'country:DE'] as const;
const NOW = new Date('2025-08-28T00:00:00Z');
const FILING: FilingContext = {
  cik: '0001045810',
  ticker: 'NVDA',
  companyName: 'NVIDIA CORP',
  accession: '0001045810-25-000209',
  form: '10-Q',
  url: 'https://www.sec.gov/x/0001045810-25-000209',
  fiscal: { fiscalYear: '2026', fiscalPeriod: 'Q2', periodEnd: '2025-07-27' },
};

/** Reference: value / base as an exact rational, rounded once (half away from zero) to a tenth of a percent. */
function reference(value: number, base: number): string {
  const v = BigInt(value);
  const b = BigInt(base);
  const n = v * 2000n + (v >= 0n ? b : -b); // 2 × value × 1000 ± base, then ÷ (2 × base): round half away from zero
  const tenths = n / (2n * b);
  const sign = tenths < 0n ? '-' : '';
  const abs = tenths < 0n ? -tenths : tenths;
  return `${sign}${abs / 10n}.${abs % 10n}%`;
}

/** Reference pp move: (a / A − b / B) × 100, exact, rounded once to a tenth. */
function referencePp(a: number, aBase: number, b: number, bBase: number): string {
  const num = (BigInt(a) * BigInt(bBase) - BigInt(b) * BigInt(aBase)) * 1000n;
  const den = BigInt(aBase) * BigInt(bBase);
  const abs = ((num < 0n ? -num : num) * 2n + den) / (2n * den);
  const sign = abs === 0n ? '±' : num > 0n ? '+' : '−';
  return `${sign}${abs / 10n}.${abs % 10n}`;
}

/** The data block as the detector wrote it before shares were exact: every `share` rounded to 4 places. */
function fourPlaces(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value), (key, v) => (key === 'share' && typeof v === 'number' ? Math.round(v * 10_000) / 10_000 : v));
}

interface Split {
  values: number[];
  /** The reported total's excess over the regions' sum ($M), or null for no total (shares of the sum). */
  extra: number | null;
}

function breakdown(start: string, end: string, split: Split, legacyShares: boolean): Breakdown {
  const values = split.values.map((v) => v * M);
  const sum = values.reduce((s, v) => s + v, 0);
  const total = split.extra === null ? null : sum + split.extra * M;
  const base = total ?? sum;
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
    total,
    consolidatedTotal: total,
    shareBase: total === null ? 'sumOfRegions' : 'total',
    sumOfRegions: sum,
    complete: total === null ? null : split.extra === 0,
    tolerance: (values.length + 1) * 0.5 * M,
    // A series written before shares were exact holds them to 4 places: display must not use them.
    regions: values
      .map((value, i) => ({
        member: MEMBERS[i] as string,
        label: memberLabel(MEMBERS[i] as string),
        value,
        share: legacyShares ? Math.round((value / base) * 10_000) / 10_000 : value / base,
        decimals: -6,
      }))
      .sort((a, b) => b.value - a.value || a.member.localeCompare(b.member)),
    overlapping: [],
  };
}

const split = (n: number) =>
  fc.record({
    values: fc.array(fc.integer({ min: 1, max: 60_000 }), { minLength: n, maxLength: n }),
    extra: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: null }),
  });

const scenario = fc
  .integer({ min: 2, max: MEMBERS.length })
  .chain((n) => fc.record({ now: split(n), before: split(n), legacy: fc.boolean() }));

/** The email's text table: label → [before cell, after cell, pp]. */
function textRows(text: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^ {2}(\S.*?) {2,}(\$\S+ \S+%) +(\$\S+ \S+%) +([▲▼▬] \S+ pp)/.exec(line);
    if (m) rows.set((m[1] as string).replace(/ \*$/, ''), [m[2] as string, m[3] as string, m[4] as string]);
  }
  return rows;
}

/** The email's HTML table: label → the share strings of its cells, in order. */
function htmlRows(html: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const tr of html.split('<tr').slice(1)) {
    const label = /<td align="left"[^>]*>(?:★&nbsp;)?([^<]+)/.exec(tr)?.[1];
    if (!label) continue;
    const shares = [...tr.matchAll(/<span style="font-size:11px;[^"]*">(-?\d+\.\d%)<\/span>/g)].map((m) => m[1] as string);
    const pp = /([▲▼▬])&nbsp;([+−±]\d+\.\d)&nbsp;pp/.exec(tr);
    rows.set(label, [...shares, pp ? (pp[2] as string) : '']);
  }
  return rows;
}

/** The report's period table: the row of `fiscalLabel`, label → share string. */
function reportRow(html: string, fiscalLabel: string): Map<string, string> {
  const table = html.slice(html.indexOf('<table><thead><tr><th>Period</th>'));
  const head = [...(/<thead>(.*?)<\/thead>/s.exec(table)?.[1] ?? '').matchAll(/<th class="num[^"]*">([^<]+)<\/th>/g)]
    .map((m) => m[1] as string)
    .slice(1);
  const row = table.split('<tr>').find((r) => r.includes(`<strong>${fiscalLabel}</strong>`)) ?? '';
  const cells = [...row.matchAll(/<td class="num[^"]*">(.*?)<\/td>/g)].map((m) => m[1] as string).slice(1);
  return new Map(head.map((label, i) => [label, /<span class="s">([^<]+)<\/span>/.exec(cells[i] ?? '')?.[1] ?? '—']));
}

/** The CLI's table: label → share string. */
function cliRows(out: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^ {2}(\S.*?) {2,}[\d,.]+ +(-?\d+\.\d%)$/.exec(line);
    if (m) rows.set(m[1] as string, m[2] as string);
  }
  return rows;
}

function cliReport(b: Breakdown): RevenueReport {
  return {
    entity: { cik: FILING.cik, name: FILING.companyName, documentType: '10-Q', periodEnd: b.end },
    labels: 'member-names',
    breakdowns: [
      {
        ...b,
        dimensionLabels: {},
        consolidatedTotal: b.consolidatedTotal,
        shareOf: shareBasisText(b),
        regions: b.regions.map((r) => ({ member: r.member, label: r.label, value: r.value, share: r.share })),
        overlapping: [],
      },
    ],
  };
}

describe('a share prints the same on every surface, rounded once from value and base', () => {
  it('the issue’s numbers: US 13,022 / 30,040 is 43.3% and Taiwan 8,529 / 46,743 is 18.2%, from exact or 4-place shares', () => {
    expect(formatShare({ value: 13_022, base: 30_040, share: 0.4335 })).toBe('43.3%');
    expect(formatShare({ value: 8_529, base: 46_743, share: 0.1825 })).toBe('18.2%');
    // Only a bare fraction is rounded as given (no value and base to recompute from).
    expect(formatShare(0.4335)).toBe('43.4%');
    expect(formatShare({ value: 1, base: 0 })).toBe('—');
  });

  it('a move prints rounded once, its sign, arrow and colour those of the rounded number', () => {
    expect(formatSigned(0.04)).toBe('±0.0');
    expect(formatSigned(-0.04)).toBe('±0.0');
    expect(formatSigned(2.25)).toBe('+2.3');
    expect(formatSigned(-2.25)).toBe('−2.3');
    expect(formatSigned(-1.2, '-')).toBe('-1.2');
    // Without precomputed moves the renderer derives an exact move from the two splits.
    const change = finalizeChange(
      {
        source: 'sec-revenue',
        kind: 'revenue.regional',
        naturalKey: 'k',
        subject: 'NVDA',
        title: 't',
        summary: 's',
        data: {
          comparedWith: { basis: 'yoy', fiscalLabel: 'Q2 FY2025' },
          total: 100_000,
          totalBefore: 100_000,
          regions: {
            before: [
              { member: 'country:SG', label: 'Singapore', value: 20_000 },
              { member: 'country:US', label: 'United States', value: 80_000 },
            ],
            after: [
              { member: 'country:SG', label: 'Singapore', value: 20_040 },
              { member: 'country:US', label: 'United States', value: 79_960 },
            ],
          },
        },
      },
      NOW,
    );
    const html = renderEmail([change], { email: 'a@example.com' }).html;
    expect(html).toContain('color:#59636e;font-weight:bold;white-space:nowrap;">▬&nbsp;±0.0&nbsp;pp');
    expect(html).not.toContain('▲');
  });

  it('email (HTML, text, subject) = report = CLI = reference, for random breakdowns and stored series old and new', () => {
    fc.assert(
      fc.property(scenario, ({ now, before, legacy }) => {
        const current = breakdown('2025-04-28', '2025-07-27', now, false);
        const prior = breakdown('2024-04-29', '2024-07-28', before, legacy);
        // Legacy: the prior year comes from the stored series (4-place shares); else from the same filing.
        const series: RevenueSeries | undefined = legacy
          ? {
              cik: FILING.cik,
              ticker: 'NVDA',
              name: FILING.companyName,
              periods: { [periodKey(prior)]: { ...prior, fiscalLabel: 'Q2 FY2025', accession: '0001045810-24-000264' } },
            }
          : undefined;
        const result = detectRevenueChanges({
          filing: FILING,
          breakdowns: legacy ? [current] : [current, prior],
          series,
          countriesOfInterest: ['SG'],
        });
        const draft = result.changes[0];
        expect(draft).toBeDefined();
        const fresh: Change = finalizeChange(draft!, NOW);
        // A change written before shares were exact carries them to 4 places in its data block.
        const change: Change = legacy ? { ...fresh, data: fourPlaces(fresh.data) } : fresh;

        const email = renderEmail([change], { email: 'a@example.com' }, { countriesOfInterest: ['SG'] });
        const html = htmlRows(email.html);
        const text = textRows(email.text);
        const report = reportRow(
          renderReportHtml(buildReportModel({ changes: [change], series: [result.series], generatedAt: NOW })),
          'Q2 FY2026',
        );
        const cli = cliRows(formatReport(cliReport(current)));

        const baseNow = current.total ?? current.sumOfRegions;
        const baseBefore = prior.total ?? prior.sumOfRegions;
        for (const r of current.regions) {
          const b = prior.regions.find((x) => x.member === r.member)!;
          const want = reference(r.value, baseNow);
          const wantBefore = reference(b.value, baseBefore);
          const wantPp = referencePp(r.value, baseNow, b.value, baseBefore);
          expect(html.get(r.label)).toEqual([wantBefore, want, wantPp]);
          expect(text.get(r.label)?.[0]).toMatch(new RegExp(` ${wantBefore.replace('.', '\\.')}$`));
          expect(text.get(r.label)?.[1]).toMatch(new RegExp(` ${want.replace('.', '\\.')}$`));
          expect(text.get(r.label)?.[2]).toContain(`${wantPp} pp`);
          expect(report.get(r.label)).toBe(want);
          expect(cli.get(r.label)).toBe(want);
          // The summary and the subject line (when this region leads it) use the same string.
          expect(change.summary).toContain(`${r.label} ${want} (`);
          if (email.subject.includes(`: ${r.label} `)) expect(email.subject).toContain(`${r.label} ${want} of revenue`);
        }
      }),
      { numRuns: 150 },
    );
  });
});
