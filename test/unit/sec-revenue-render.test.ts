import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Change, finalizeChange } from '#core/change.ts';
import { renderEmail } from '#notify/render.ts';
import { revenueView } from '#notify/render/revenue.ts';
import { sampleRevenue } from '../support/samples.ts';
import { describeEntity, extractBreakdowns } from '#sources/sec-revenue/breakdowns.ts';
import { detectRevenueChanges } from '#sources/sec-revenue/detect.ts';
import { parseLabelLinkbase } from '#sources/sec-revenue/label-linkbase.ts';
import { readXbrlSync } from '#sources/sec-revenue/xbrl-reader.ts';
import { OWN_FIXTURES } from '../support/fixtures.ts';

/**
 * Revenue emails say what their shares are of. Changes come from the real pipeline (reader,
 * breakdowns, detection) on filings' structure, then the notifier's renderer.
 */

const INTEREST = ['SG', 'CN', 'HK', 'TW', 'MY', 'AE'];
const render = (changes: Change[]) => renderEmail(changes, { email: 'a@example.com' }, { countriesOfInterest: INTEREST });
const flat = (text: string) => text.replace(/\s+/g, ' ');

/** The change sec-revenue makes of a document (with its label linkbase when given). */
function changeOf(xml: string, labels?: string): Change {
  const doc = readXbrlSync(xml);
  const breakdowns = extractBreakdowns(doc, { labels: labels ? parseLabelLinkbase(labels) : undefined });
  const e = describeEntity(doc, breakdowns);
  const { changes } = detectRevenueChanges({
    filing: {
      cik: e.cik ?? '0000000001',
      ticker: e.ticker ?? 'X',
      companyName: e.name ?? 'X',
      accession: '0000000001-24-000001',
      form: '10-Q',
      fiscal: { fiscalYear: e.fiscalYear, fiscalPeriod: e.fiscalPeriod, periodEnd: e.periodEnd },
    },
    breakdowns,
    series: undefined,
    countriesOfInterest: INTEREST,
  });
  expect(changes).toHaveLength(1);
  return finalizeChange(changes[0]!, new Date('2024-10-19T12:00:00Z'));
}

describe('revenue emails name the share base', () => {
  it('Netflix Streaming × region: shares of Streaming revenue (no subtotal: the sum of its regions), the company revenue beside them', () => {
    const change = changeOf(
      readFileSync(join(OWN_FIXTURES, 'sec-revenue/nflx-20240930_htm.xml'), 'utf8'),
      readFileSync(join(OWN_FIXTURES, 'sec-revenue/nflx-20240930_lab.xml'), 'utf8'),
    );
    expect(change.title).toBe('Netflix Q3 FY2024: United States and Canada 44.0% of Streaming revenue (+0.2 pp YoY)');
    const email = render([change]);
    expect(email.subject).toContain('of Streaming revenue');
    expect(flat(email.text)).toContain('Shares are of Streaming revenue, as the sum of its regions (no Streaming subtotal reported).');
    expect(flat(email.text)).toContain('Company revenue (all products and segments): $9.8B.');
    expect(email.html).toContain('Shares are of Streaming revenue, as the sum of its regions');
    // No subtotal to compare with: the email does not claim the regions fail to add up.
    expect(email.text).not.toContain('do not add up');
    expect(revenueView(change, { interest: new Set(INTEREST) })).toMatchObject({
      shareOf: 'Streaming revenue, as the sum of its regions (no Streaming subtotal reported)',
      consolidatedTotal: 9_824_703_000,
      total: undefined,
    });
  });

  it('a Streaming subtotal labels the total row, and shares are of it', () => {
    const xml = readFileSync(join(OWN_FIXTURES, 'sec-revenue/nflx-20240930_htm.xml'), 'utf8');
    // The same filing with a Streaming-only fact for both quarters (equal to their regions' sums).
    const withSubtotals = xml.replace(
      '</xbrl>',
      `<context id="s-q3"><entity><identifier scheme="http://www.sec.gov/CIK">0001065280</identifier><segment><xbrldi:explicitMember dimension="srt:ProductOrServiceAxis">nflx:StreamingMember</xbrldi:explicitMember></segment></entity><period><startDate>2024-07-01</startDate><endDate>2024-09-30</endDate></period></context>
<context id="s-q3-23"><entity><identifier scheme="http://www.sec.gov/CIK">0001065280</identifier><segment><xbrldi:explicitMember dimension="srt:ProductOrServiceAxis">nflx:StreamingMember</xbrldi:explicitMember></segment></entity><period><startDate>2023-07-01</startDate><endDate>2023-09-30</endDate></period></context>
<us-gaap:Revenues contextRef="s-q3" decimals="-3" unitRef="usd">9824703000</us-gaap:Revenues>
<us-gaap:Revenues contextRef="s-q3-23" decimals="-3" unitRef="usd">8519306000</us-gaap:Revenues>
</xbrl>`,
    );
    const email = render([changeOf(withSubtotals)]);
    expect(flat(email.text)).toContain('Shares are of Streaming revenue.');
    expect(email.text).toMatch(/Streaming revenue\s+\$8\.5B\s+\$9\.8B/);
    expect(email.html).toContain('>Streaming revenue</td>');
  });

  it('the plain breakdown: shares of total revenue (the NVIDIA sample keeps its table)', () => {
    const email = render(sampleRevenue());
    expect(flat(email.text)).toContain('Shares are of total revenue.');
    expect(email.html).toContain('Total revenue');
    expect(email.text).not.toContain('Company revenue');
  });

  it('lists members overlapping the regions apart, never in the table (Meta FY2023: United States inside US & Canada, China inside Asia-Pacific)', () => {
    const ctx = (id: string, start: string, end: string, member?: string) =>
      `<context id="${id}"><entity><identifier scheme="http://www.sec.gov/CIK">0001326801</identifier>${member ? `<segment><xbrldi:explicitMember dimension="srt:StatementGeographicalAxis">${member}</xbrldi:explicitMember></segment>` : ''}</entity><period><startDate>${start}</startDate><endDate>${end}</endDate></period></context>`;
    const years = [
      // Meta's FY2023 10-K ($M); the United States and China figures are footnotes at decimals −7.
      [
        'y23',
        '2023-01-01',
        '2023-12-31',
        {
          total: 134_902,
          'meta:USCanadaMember': 52_888,
          'srt:EuropeMember': 31_210,
          'srt:AsiaPacificMember': 36_154,
          'meta:RestOfWorldMember': 14_650,
          'country:US': 49_780,
          'country:CN': 13_690,
        },
      ],
      [
        'y22',
        '2022-01-01',
        '2022-12-31',
        {
          total: 116_609,
          'meta:USCanadaMember': 50_150,
          'srt:EuropeMember': 26_681,
          'srt:AsiaPacificMember': 27_760,
          'meta:RestOfWorldMember': 12_018,
          'country:US': 47_200,
          'country:CN': 7_400,
        },
      ],
    ] as const;
    let contexts = '';
    let facts = '';
    for (const [id, start, end, values] of years) {
      for (const [member, v] of Object.entries(values)) {
        const cid = `${id}-${member.replace(':', '-')}`;
        contexts += ctx(cid, start, end, member === 'total' ? undefined : member);
        const decimals = member.startsWith('country:') ? -7 : -6;
        facts += `<us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax contextRef="${cid}" unitRef="usd" decimals="${decimals}">${v * 1e6}</us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax>`;
      }
    }
    const xml = `<xbrl xmlns="http://www.xbrl.org/2003/instance" xmlns:us-gaap="http://fasb.org/us-gaap/2023" xmlns:srt="http://fasb.org/srt/2023" xmlns:country="http://xbrl.sec.gov/country/2023" xmlns:xbrldi="http://xbrl.org/2006/xbrldi" xmlns:meta="http://www.meta.com/20231231" xmlns:dei="http://xbrl.sec.gov/dei/2023">
<unit id="usd"><measure>iso4217:USD</measure></unit>${contexts}
<dei:DocumentType contextRef="y23-total">10-K</dei:DocumentType><dei:EntityRegistrantName contextRef="y23-total">Meta Platforms, Inc.</dei:EntityRegistrantName><dei:DocumentFiscalYearFocus contextRef="y23-total">2023</dei:DocumentFiscalYearFocus><dei:DocumentFiscalPeriodFocus contextRef="y23-total">FY</dei:DocumentFiscalPeriodFocus><dei:DocumentPeriodEndDate contextRef="y23-total">2023-12-31</dei:DocumentPeriodEndDate>
${facts}</xbrl>`;
    const change = changeOf(xml);
    const d = change.data as { complete: boolean; regions: { after: Array<{ member: string }> }; overlapping: Array<{ member: string }> };
    expect(d.complete).toBe(true);
    expect(d.regions.after.map((r) => r.member)).not.toContain('country:US');
    expect(d.overlapping.map((o) => o.member)).toEqual(['country:US', 'country:CN']);
    // China is a country of interest: reported only beside its region, it still tags the change.
    expect(change.countries).toContain('CN');
    const email = render([change]);
    expect(flat(email.text)).toContain(
      'Also reported, overlapping the regions above and not added to them: United States $49.8B (36.9%), China $13.7B (10.1%).',
    );
    expect(email.text).not.toContain('do not add up');
  });
});
