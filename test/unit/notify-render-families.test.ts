import { describe, expect, it } from 'vitest';
import { type Change, finalizeChange } from '#core/change.ts';
import { renderEmail } from '#notify/render.ts';
import { citationsHtml, countByCountry, entityHeadline } from '#notify/render/entities.ts';
import { documentHeadline } from '#notify/render/federal-register.ts';
import { condense, diffHtml, diffOf, diffText } from '#notify/render/language.ts';
import { revenueView } from '#notify/render/revenue.ts';
import { sampleEntities, sampleFederalRegister, sampleFilings, sampleLanguage, sampleRevenue } from '../support/samples.ts';

const INTEREST = ['SG', 'CN', 'HK', 'TW', 'MY', 'AE'];
const ctx = { interest: new Set(INTEREST) };
const render = (changes: Change[]) => renderEmail(changes, { email: 'a@example.com' }, { countriesOfInterest: INTEREST });
const flat = (text: string) => text.replace(/\s+/g, ' ');
const bare = (kind: string, source: Change['source'], data: Record<string, unknown>, extra: Partial<Change> = {}): Change => ({
  ...finalizeChange(
    { source, kind, naturalKey: kind, subject: 'X', title: `A ${kind} change`, summary: 'Summary text.', data },
    new Date('2026-03-02T14:05:00Z'),
  ),
  ...extra,
});

describe('regional revenue', () => {
  it('shows before/after, shares, pp moves with arrows, value changes and the total', () => {
    const email = render(sampleRevenue());
    expect(email.html).toContain('Q2 FY2025');
    expect(email.html).toContain('Q2 FY2026');
    expect(email.html).toMatch(/▲&nbsp;\+3\.0&nbsp;pp/);
    expect(email.html).toMatch(/▼&nbsp;−6\.3&nbsp;pp/);
    expect(email.html).toContain('$10.2B');
    expect(email.html).toContain('21.7%');
    expect(email.html).toContain('+80.6%');
    expect(email.html).toContain('Total revenue');
    expect(email.html).toContain('$46.7B');
    expect(email.text).toMatch(/Singapore \*\s+\$5\.6B 18\.7%\s+\$10\.2B 21\.7%\s+▲ \+3\.0 pp\s+▲ \+1\.3 pp\s+\+80\.6%/);
    expect(email.text).toContain('* country of interest');
  });

  it('highlights the regions of interest (members mapped to countries) and nothing else', () => {
    const view = revenueView(sampleRevenue()[0] as Change, ctx);
    expect(view.rows.filter((r) => r.interest).map((r) => r.label)).toEqual(['Singapore', 'Taiwan', 'China (including Hong Kong)']);
    expect(
      revenueView(sampleRevenue()[0] as Change, { interest: new Set(['SG']) })
        .rows.filter((r) => r.interest)
        .map((r) => r.label),
    ).toEqual(['Singapore']);
    const html = render(sampleRevenue()).html;
    expect(html.match(/★&nbsp;/g)).toHaveLength(3);
    expect(html).toMatch(/background:#fff5d6;"><td[^>]*font-weight:bold;">★&nbsp;Singapore/);
  });

  it('marks regions newly reported and no longer reported, and recasts', () => {
    const change = bare('revenue.regional', 'sec-revenue', {
      period: { fiscalLabel: 'FY2025', start: '2024-01-29', end: '2025-01-26' },
      comparedWith: { basis: 'recast', fiscalLabel: 'FY2025 as first reported', accession: '0001045810-25-000023' },
      regions: {
        before: [
          { member: 'country:US', label: 'United States', value: 60e9, share: 0.46 },
          { member: 'nvda:OtherMember', label: 'Other', value: 70e9, share: 0.54 },
        ],
        after: [
          { member: 'country:US', label: 'United States', value: 60e9, share: 0.46 },
          { member: 'country:SG', label: 'Singapore', value: 23e9, share: 0.18 },
          { member: 'nvda:RestMember', label: 'Rest of world', value: 47e9, share: 0.36 },
        ],
      },
      membersAdded: ['country:SG', 'nvda:RestMember'],
      membersRemoved: ['nvda:OtherMember'],
      recast: true,
    });
    const email = render([change]);
    expect(email.html).toContain('no longer reported');
    expect(email.html).toMatch(/★&nbsp;Singapore <span[^>]*>new<\/span>/);
    expect(flat(email.text)).toContain('Recast: this period was reported before (filing 0001045810-25-000023) with a different split.');
    expect(flat(email.text)).toContain('No longer reported separately: Other.');
    // Without precomputed moves the headline move is derived from the two splits, from the
    // values (23 / 130 = 17.69%), not the hand-rounded 0.18 − 0: rounded once.
    expect(email.html).toMatch(/Share Recast/);
    expect(email.html).toMatch(/▲&nbsp;\+17\.7&nbsp;pp/);
    expect(email.html).toContain('17.7%');
  });

  it('is tolerant of missing fields', () => {
    for (const data of [
      {},
      { regions: null, moves: 'x' },
      { moves: { 'country:SG': { label: 'Singapore', share: 0.2, value: 5e9, sharePpQoQ: 1.2 } } },
    ]) {
      const email = render([bare('revenue.regional', 'sec-revenue', data as Record<string, unknown>)]);
      expect(email.html).toContain('A revenue.regional change');
      expect(email.text).toContain('A revenue.regional change');
    }
    expect(
      render([
        bare('revenue.regional', 'sec-revenue', {
          moves: { 'country:SG': { label: 'Singapore', share: 0.2, value: 5e9, sharePpQoQ: 1.2 } },
        }),
      ]).html,
    ).toMatch(/▲&nbsp;\+1\.2&nbsp;pp/);
  });
});

describe('export-control language', () => {
  it('marks insertions and deletions word by word, in colour and in text form', () => {
    const email = render(sampleLanguage());
    expect(email.html).toMatch(
      /<del style="[^"]*background:#ffe1e0;[^"]*text-decoration:line-through;[^"]*">October 2023,<\/del> <ins style="[^"]*background:#d1f7da;[^"]*">April 2025,<\/ins>/,
    );
    expect(flat(email.text)).toContain('[-October 2023,-] [+April 2025,+]');
    expect(flat(email.text)).toContain('[+In July 2025, the USG indicated');
    expect(flat(email.text)).toContain('[-We do not expect the new requirements');
    expect(email.html).toContain('compared with 0001045810-25-000116');
  });

  it('computes the word diff when the change has none, and escapes it', () => {
    const ops = diffOf({ before: 'Sales to <China> are restricted.', after: 'Sales to <China> and Macau are restricted.' });
    expect(diffText(ops)).toBe('Sales to <China> [+and Macau +]are restricted.');
    expect(diffHtml(ops)).toContain('&lt;China&gt;');
    expect(diffHtml(ops)).toMatch(/<ins style="[^"]+">and Macau <\/ins>/);
    expect(diffOf({})).toEqual([]);
  });

  it('shortens long unchanged stretches to the words around the change', () => {
    const long = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    const ops = condense([
      { op: 'equal', text: `${long} ` },
      { op: 'insert', text: 'NEW' },
      { op: 'equal', text: ` ${long}` },
    ]);
    const text = diffText(ops);
    expect(text.startsWith('… ')).toBe(true);
    expect(text.endsWith(' …')).toBe(true);
    expect(text).toContain('w199 [+NEW+] w0');
    expect(text.length).toBeLessThan(400);
  });

  it('is tolerant of missing fields', () => {
    const email = render([bare('export-language.8k', 'sec-export-language', { changed: [{ diff: 'nope' }], added: [42, 'Added text.'] })]);
    expect(flat(email.text)).toContain('[+Added text.+]');
    expect(render([bare('export-language.changed', 'sec-export-language', {})]).text).toContain('Summary text.');
  });
});

describe('Entity List', () => {
  it('aggregates a batch by country and links each Federal Register citation', () => {
    const batch = sampleEntities(23);
    expect(countByCountry(batch.filter((c) => c.kind === 'entity.added'))).toEqual([
      ['CN', 20],
      ['SG', 2],
      ['AE', 1],
    ]);
    expect(entityHeadline(batch)).toBe('BIS adds 23 entities to the Entity List (China 20, Singapore 2, UAE 1); 1 amended, 1 removed');
    const email = render(sampleEntities());
    expect(email.html).toContain('<a href="https://www.federalregister.gov/citation/91-FR-10488"');
    expect(email.html).toMatch(/★&nbsp;China <span[^>]*>\(5\)<\/span>/);
    expect(email.html).toContain('Added to the Entity List · 8 entities');
    expect(email.html).toContain('Removed from the Entity List · 1 entity');
    expect(email.text).toContain('91 FR 10488: https://www.federalregister.gov/citation/91-FR-10488');
    expect(email.text).toMatch(/China \* \(5\)/);
  });

  it('shows amendments as a diff of the fields that changed', () => {
    const email = render(sampleEntities(0));
    expect(email.html).toMatch(/<ins style="[^"]+">\+ No\. 9 Demo Chip Road, Lingang, Shanghai, CN<\/ins>/);
    expect(email.html).toMatch(/<del style="[^"]+">89 FR 10101<\/del> → <ins/);
    expect(flat(email.text)).toContain('Federal Register notice: [-89 FR 10101-] [+89 FR 10101, 91 FR 10488+]');
  });

  it('names each entity’s license requirement and policy in the text part too when they differ (issue 21 item 10)', () => {
    const [a, b] = sampleEntities().filter((c) => c.kind === 'entity.added');
    const withTerms = (c: Change, requirement: string, policy: string): Change => ({
      ...c,
      data: { ...(c.data as Record<string, unknown>), licenseRequirement: requirement, licensePolicy: policy },
    });
    const email = render([
      withTerms(a!, 'For all items subject to the EAR.', 'Presumption of denial.'),
      withTerms(b!, 'For items subject to the EAR under ECCN 3A090.', 'Case-by-case review.'),
    ]);
    // The HTML part already showed them under each name.
    expect(email.html).toContain('For items subject to the EAR under ECCN 3A090. · Case-by-case review.');
    expect(flat(email.text)).toContain(
      'License requirement: For items subject to the EAR under ECCN 3A090. License policy: Case-by-case review.',
    );
    expect(flat(email.text)).toContain('License requirement: For all items subject to the EAR. License policy: Presumption of denial.');
  });

  it('escapes citations text and ignores what is not a citation', () => {
    expect(citationsHtml('<b>91 FR 1</b>')).toBe(
      '&lt;b&gt;<a href="https://www.federalregister.gov/citation/91-FR-1" style="color:#0b57d0;text-decoration:none;">91 FR 1</a>&lt;/b&gt;',
    );
    expect(citationsHtml(undefined)).toContain('—');
  });

  it('is tolerant of missing fields', () => {
    const email = render([bare('entity.added', 'entity-list', {}, { subject: 'Entity List', countries: [] })]);
    expect(email.subject).toBe('BIS adds A entity.added change to the Entity List');
    expect(email.html).toContain('No country given');
  });
});

describe('BIS documents', () => {
  it('shows type, dates, abstract and links', () => {
    const email = render(sampleFederalRegister());
    expect(email.html).toContain('On public inspection');
    expect(email.html).toContain('Interim final rule; request for comments.');
    expect(email.html).toContain('2026-02-27 08:45 ET');
    expect(email.html).toContain('href="https://www.govinfo.gov/content/pkg/FR-2026-03-02/pdf/2026-20301.pdf"');
    expect(email.html).toContain('adds compliance conditions to the Data Center Validated End-User authorization');
    expect(email.text).toContain('Effective: 2026-03-02');
    expect(email.text).toContain('Countries mentioned: China *, Macau, Malaysia *, Singapore *');
  });

  it('states the kind of document in the headline', () => {
    const [rule, pi] = sampleFederalRegister() as [Change, Change];
    expect(documentHeadline(pi)).toBe('BIS rule on public inspection: Additions to the Entity List');
    expect(documentHeadline({ ...pi, kind: 'fr.withdrawn' })).toBe('BIS withdraws before publication: Additions to the Entity List');
    expect(documentHeadline({ ...rule, kind: 'fr.correction' })).toMatch(/^BIS correction: /);
    expect(documentHeadline({ ...rule, data: {} })).toMatch(/^BIS document: /);
  });
});

describe('SEC filings', () => {
  it('links the document and the filing index', () => {
    const email = render(sampleFilings());
    expect(email.html).toContain('href="https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm"');
    expect(email.html).toContain('href="https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/"');
    expect(email.html).toContain('2.02, 9.01');
    expect(email.text).toContain('Filing index: https://www.sec.gov/Archives/edgar/data/2488/000000248825000112/');
    expect(email.text).toContain('(filing.new, NVDA, detected 2026-03-02T14:05:00.000Z)');
  });
});
