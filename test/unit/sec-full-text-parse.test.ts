import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SourceError } from '#core/errors.ts';
import { buildSearchUrl, documentUrl, filingIndexUrl } from '#sources/sec-full-text/fetch.ts';
import { isCapped, parseDisplayName, parseEftsPage, parseHit } from '#sources/sec-full-text/parse.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';

describeWithSharedFixtures('EFTS responses: the recorded samples (../shared/fixtures/sec/efts)', () => {
  const samples = JSON.parse(readFileSync(shared('sec/efts/efts_hit_samples.json'), 'utf8')) as Record<string, unknown>;

  it('reads the Apple 10-K exhibit hit: accession from _source.adsh agreeing with _id, the exhibit file name and type', () => {
    expect(parseHit(samples.sample_1_apple_10k_exhibit_hit_captured_2026_06_11)).toEqual({
      adsh: '0000320193-24-000123',
      filename: 'a10-kexhibit23109282024.htm',
      ciks: ['0000320193'],
      displayNames: ['Apple Inc.  (AAPL)  (CIK 0000320193)'],
      form: '10-K',
      fileType: 'EX-23.1',
      fileDate: '2024-11-01',
      items: [],
      sics: ['3571'],
    });
  });

  it('reads the envelope: a total of 10,000 with relation gte is the cap', () => {
    const page = parseEftsPage(samples.sample_2_envelope_verified_response, 'sample 2');
    expect(page).toMatchObject({ total: 10000, relation: 'gte', mismatched: 0 });
    expect(page.hits.map((h) => [h.adsh, h.filename, h.ciks[0], h.form])).toEqual([
      ['0001641172-25-012903', 'form10-k.htm', '0001498148', '10-K'],
    ]);
    expect(isCapped(page)).toBe(true);
  });

  it('drops the 8-K exhibit hit whose _source lacks adsh (elided in the sample): its accession cannot be verified against _id', () => {
    expect(parseHit(samples.sample_3_8k_exhibit_hit_shape_live_2026_08)).toBeUndefined();
    const sample = samples.sample_3_8k_exhibit_hit_shape_live_2026_08 as { _id: string; _source: Record<string, unknown> };
    const withAdsh = { ...sample, _source: { ...sample._source, adsh: sample._id.split(':')[0] } };
    expect(parseHit(withAdsh)).toMatchObject({
      adsh: '0001193125-26-332802',
      filename: 'rare-ex99_1.htm',
      fileType: 'EX-99.1',
      items: ['2.02', '9.01'],
      displayNames: [],
      fileDate: undefined,
    });
  });
});

describe('EFTS hits that cannot be trusted', () => {
  const hit = (id: string, adsh: unknown) => ({ _id: id, _source: { adsh, ciks: ['0000000001'], form: '8-K' } });
  it('drops a hit whose _source.adsh disagrees with _id (a filing quoting another accession) or is missing', () => {
    expect(parseHit(hit('0000000001-26-000001:a.htm', '0000000002-26-000009'))).toBeUndefined();
    expect(parseHit(hit('0000000001-26-000001:a.htm', undefined))).toBeUndefined();
    expect(parseHit(hit('0000000001-26-000001:a.htm', '0000000001-26-000001'))?.adsh).toBe('0000000001-26-000001');
  });
  it('drops file names that would leave the filing folder', () => {
    for (const name of ['../x.htm', 'a/b.htm', '', '..', '%2e%2e.htm'])
      expect(parseHit(hit(`0000000001-26-000001:${name}`, '0000000001-26-000001')), name).toBeUndefined();
  });
  it('counts dropped hits; a body without hits is a parse error', () => {
    const page = parseEftsPage(
      {
        hits: {
          total: { value: 2, relation: 'eq' },
          hits: [hit('0000000001-26-000001:a.htm', '0000000001-26-000001'), hit('0000000001-26-000001:a.htm', 'x')],
        },
      },
      'p',
    );
    expect(page).toMatchObject({ total: 2, relation: 'eq', mismatched: 1 });
    expect(isCapped(page)).toBe(false);
    expect(() => parseEftsPage({ error: 'x' }, 'p')).toThrow(SourceError);
    expect(() => parseEftsPage({ hits: { total: { value: 'many' }, hits: [] } }, 'p')).toThrow(/hits.total.value/);
    expect(() => parseEftsPage('<html>', 'p')).toThrow(/not an EDGAR full-text search response/);
  });
});

describe('EFTS names and URLs', () => {
  it('splits display names into company and ticker', () => {
    expect(parseDisplayName('Apple Inc.  (AAPL)  (CIK 0000320193)')).toEqual({ name: 'Apple Inc.', ticker: 'AAPL' });
    expect(parseDisplayName('EXAMPLE RESELLER PTE LTD  (CIK 0009990001)')).toEqual({ name: 'EXAMPLE RESELLER PTE LTD', ticker: undefined });
  });
  it('builds the search URL with the quoted phrase, forms, a custom date range and from; document and index URLs', () => {
    const u = new URL(
      buildSearchUrl(
        'https://efts.sec.gov',
        { q: '"Entity List"', forms: ['10-K', '8-K'], startdt: '2026-11-15', enddt: '2026-11-18' },
        200,
      ),
    );
    expect(u.pathname).toBe('/LATEST/search-index');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      q: '"Entity List"',
      forms: '10-K,8-K',
      dateRange: 'custom',
      startdt: '2026-11-15',
      enddt: '2026-11-18',
      from: '200',
    });
    expect(u.searchParams.get('ciks')).toBeNull();
    expect(documentUrl('https://www.sec.gov', '0000320193', '0000320193-24-000123', 'a.htm')).toBe(
      'https://www.sec.gov/Archives/edgar/data/320193/000032019324000123/a.htm',
    );
    expect(filingIndexUrl('0000320193', '0000320193-24-000123')).toBe(
      'https://www.sec.gov/Archives/edgar/data/320193/000032019324000123/0000320193-24-000123-index.htm',
    );
  });
});
