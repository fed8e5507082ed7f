import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceError } from '#core/errors.ts';
import { decodeFeed, decodeEntities, isEndOfFeed, itemsFromSummary, parseFeed } from '#sources/sec-filings/feed.ts';
import { describeWithSharedFixtures, OWN_FIXTURES, shared } from '../support/fixtures.ts';
import { atomFeed } from '../support/upstreams/sec.ts';

const feedFile = (name: string) => readFileSync(shared(`sec/feeds/${name}`));

function parseError(fn: () => unknown): SourceError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).kind).toBe('parse');
    return err as SourceError;
  }
  throw new Error('expected a parse error');
}

describeWithSharedFixtures('sec-filings feed on the real getcurrent pages', () => {
  const page0 = parseFeed(decodeFeed(feedFile('getcurrent-start0-count100.atom.xml')));

  it('is declared ISO-8859-1 and decoded as Latin-1', () => {
    const bytes = feedFile('getcurrent-start0-count100.atom.xml');
    expect(bytes.subarray(0, 60).toString('latin1')).toContain('encoding="ISO-8859-1"');
    expect(decodeFeed(bytes)).toBe(new TextDecoder('latin1').decode(bytes));
  });

  it('reads 100 role entries holding 73 distinct accessions', () => {
    expect(page0.entries).toHaveLength(100);
    expect(page0.filings).toHaveLength(73);
    expect(new Set(page0.entries.map((e) => e.accession)).size).toBe(73);
    expect(page0.updated).toBe('2026-01-12T11:28:50-05:00');
  });

  it('keeps feed order and the real UTC offset of <updated>', () => {
    const first = page0.entries[0];
    expect(first).toMatchObject({
      accession: '0002074440-26-000002',
      form: '13F-HR',
      cik: '2074440',
      role: 'Filer',
      companyName: 'Ryan Investment Management, Inc.',
      filedDate: '2026-01-12',
      updated: '2026-01-12T11:27:39-05:00',
    });
    expect(first?.updatedMs).toBe(Date.parse('2026-01-12T16:27:39Z'));
    for (let i = 1; i < page0.entries.length; i++) {
      expect(page0.entries[i]?.updatedMs).toBeLessThanOrEqual(page0.entries[i - 1]?.updatedMs ?? 0);
    }
  });

  it('groups filer roles of one filing (Reporting + Issuer) under one accession', () => {
    const progressive = page0.filings.find((f) => f.accession === '0000080661-26-000032');
    expect(progressive?.form).toBe('4');
    expect(progressive?.companies).toEqual([
      { cik: '1071287', name: 'DAVIS CHARLES A', role: 'Reporting' },
      { cik: '80661', name: 'PROGRESSIVE CORP/OH/', role: 'Issuer' },
    ]);
  });

  it('reads 8-K items from the summary and keeps " - " inside company names', () => {
    const biohaven = page0.filings.find((f) => f.accession === '0001935979-26-000005');
    expect(biohaven).toMatchObject({
      form: '8-K',
      items: ['7.01', '9.01'],
      companies: [{ cik: '1935979', name: 'Biohaven Ltd.', role: 'Filer' }],
    });
    const waaiv = page0.entries.find((e) => e.cik === '1877808');
    expect(waaiv).toMatchObject({ form: 'D/A', companyName: 'WAAIV LLC - Series 001' });
    // Form D "Item 3C" lines are not 8-K item codes.
    expect(page0.filings.filter((f) => f.form === 'D').every((f) => f.items.length === 0)).toBe(true);
  });

  it('parses the start=5000 page (the last one that answers 200)', () => {
    const page = parseFeed(decodeFeed(feedFile('getcurrent-start5000-count100.atom.xml')));
    expect(page.entries).toHaveLength(100);
    expect(page.filings).toHaveLength(60);
    expect(page.entries.at(-1)?.updated).toBe('2026-01-08T17:16:36-05:00');
  });

  it('treats the 503 "File Unavailable" page as end of feed, never as a feed', () => {
    expect(isEndOfFeed(503)).toBe(true);
    expect(isEndOfFeed(200)).toBe(false);
    const err = parseError(() => parseFeed(decodeFeed(feedFile('getcurrent-start5100-503.html'))));
    expect(err.message).toMatch(/not an Atom document.*File Unavailable/);
  });
});

describe('sec-filings feed parsing', () => {
  it('decodes ISO-8859-1 bytes as Latin-1 (own demo feed)', () => {
    const bytes = readFileSync(join(OWN_FIXTURES, 'sec/feeds/getcurrent-quiet.atom.xml'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const page = parseFeed(decodeFeed(bytes));
    expect(page.entries.map((e) => e.companyName)).toContain('Crédit Exemple Société Anonyme');
    expect(page.entries).toHaveLength(8);
    expect(page.filings).toHaveLength(6);
  });

  it('honours a UTF-8 declaration', () => {
    const xml = Buffer.from(
      atomFeed(
        [{ accession: '0000000001-25-000001', form: '8-K', company: 'Cafe', cik: 1, updated: '2025-01-02T10:00:00-05:00' }],
        '2025-01-02T10:00:00-05:00',
      )
        .toString('latin1')
        .replace('ISO-8859-1', 'UTF-8')
        .replace('Cafe', 'Café'),
      'utf8',
    );
    expect(parseFeed(decodeFeed(xml)).entries[0]?.companyName).toBe('Café');
  });

  it('decodes entities and items', () => {
    expect(decodeEntities('A &amp; B &#39;x&#39; &lt;b&gt; &#x41;')).toBe("A & B 'x' <b> A");
    expect(itemsFromSummary('<b>Filed:</b> 2026-01-12<br>Item 2.02: Results<br>Item 9.01: Exhibits<br>Item 2.02: again')).toEqual([
      '2.02',
      '9.01',
    ]);
  });

  const good = atomFeed(
    [
      { accession: '0000000001-25-000001', form: '8-K', company: 'ONE', cik: 1, updated: '2025-01-02T10:00:00-05:00' },
      { accession: '0000000002-25-000001', form: '10-Q', company: 'TWO', cik: 2, updated: '2025-01-02T09:59:00-05:00' },
    ],
    '2025-01-02T10:00:01-05:00',
  ).toString('latin1');

  it('fails with kind parse on a truncated body', () => {
    parseError(() => parseFeed(good.slice(0, good.length - 200)));
    parseError(() => parseFeed(good.slice(0, 600)));
  });

  it('fails with kind parse on an entry without an accession or with a bad time', () => {
    parseError(() => parseFeed(good.replace('accession-number=0000000001-25-000001', 'accession-number=')));
    parseError(() => parseFeed(good.replace('<updated>2025-01-02T10:00:00-05:00</updated>', '<updated>yesterday</updated>')));
    parseError(() => parseFeed(good.replace('(0000000002) (Filer)', '(Filer)')));
  });

  it('fails with kind parse on HTML or JSON served with 200', () => {
    parseError(() => parseFeed('<html><head><title>Maintenance</title></head><body></body></html>'));
    parseError(() => parseFeed('{"feed":[]}'));
    parseError(() => parseFeed(''));
  });

  it('accepts an empty but complete feed (the caller decides what that means)', () => {
    expect(parseFeed(atomFeed([], '2025-01-02T10:00:01-05:00').toString('latin1')).entries).toEqual([]);
  });
});
