import { describe, expect, it } from 'vitest';
import { finalizeChange } from '#core/change.ts';
import { loadConfig, parseConfigFile } from '#core/config.ts';
import {
  DEFAULT_QUERIES,
  findPassage,
  groupMentions,
  mentionDraft,
  phraseRegExp,
  phraseSpan,
  queryIdOf,
  searchStrings,
} from '#sources/sec-full-text/detect.ts';
import type { EftsHit } from '#sources/sec-full-text/parse.ts';
import { eftsBase, queriesOf, windowStartFor } from '#sources/sec-full-text/source.ts';
import { extractText } from '#sources/sec/document-text.ts';
import { documentHtml, PASSAGE_ENTITY_LIST, PASSAGE_LICENSING } from '../support/upstreams/sec-full-text.ts';

const hit = (adsh: string, filename: string, fileType: string, extra: Partial<EftsHit> = {}): EftsHit => ({
  adsh,
  filename,
  ciks: [adsh.slice(0, 10)],
  displayNames: ['EXAMPLE RESELLER PTE LTD  (CIK 0009990001)'],
  form: '10-Q',
  fileType,
  fileDate: '2026-11-18',
  items: [],
  ...extra,
});

describe('queries', () => {
  it('defaults to the four export-control phrases, searched quoted', () => {
    expect(queriesOf({ fullText: undefined }).map((q) => searchStrings(q)[0])).toEqual([
      '"Entity List"',
      '"export license"',
      '"Export Administration Regulations"',
      '"foreign direct product rule"',
    ]);
    expect(DEFAULT_QUERIES.map((q) => q.id)).toEqual([
      'entity-list',
      'export-license',
      'export-administration-regulations',
      'foreign-direct-product-rule',
    ]);
  });
  it('countries narrow a query: one search per country, both terms quoted, one query id', () => {
    const [q] = queriesOf({
      fullText: parseConfigFile({
        watchlist: ['NVDA'],
        fullText: { queries: [{ phrase: 'Entity List', countries: ['China', 'Singapore'] }] },
      }).fullText,
    });
    expect(q).toEqual({ id: 'entity-list+china+singapore', phrase: 'Entity List', countries: ['China', 'Singapore'] });
    expect(searchStrings(q!)).toEqual(['"Entity List" "China"', '"Entity List" "Singapore"']);
    expect(queryIdOf('Export Administration Regulations')).toBe('export-administration-regulations');
  });
  it('the config refuses a phrase with double quotes and unknown keys', () => {
    expect(() => parseConfigFile({ watchlist: ['NVDA'], fullText: { queries: [{ phrase: 'a "b"' }] } })).toThrow(/no double quotes/);
    expect(() => parseConfigFile({ watchlist: ['NVDA'], fullText: { ciks: ['1'] } })).toThrow(/fullText/);
  });
  it('the EFTS base: SEC_EFTS_URL, else efts.sec.gov for the public SEC, else the SEC www base (mirror, fake)', () => {
    const env = { SEC_USER_AGENT: 'a b@c.de', EXPORT_WATCH_CONFIG_JSON: '{"watchlist":["NVDA"]}' };
    expect(eftsBase(loadConfig(env))).toBe('https://efts.sec.gov');
    expect(eftsBase(loadConfig({ ...env, SEC_WWW_URL: 'http://127.0.0.1:9/' }))).toBe('http://127.0.0.1:9');
    expect(eftsBase(loadConfig({ ...env, SEC_EFTS_URL: 'https://mirror.example/efts/' }))).toBe('https://mirror.example/efts');
  });
  it('the window: 3 days before the Eastern date of the last success, earlier when mentions were deferred', () => {
    const now = new Date('2026-11-18T03:00:00Z'); // 2026-11-17 22:00 ET
    expect(windowStartFor(undefined, now)).toBe('2026-11-14');
    expect(windowStartFor({ v: 1, lastSuccessAt: '2026-11-10T16:00:00Z', pages: 4 }, now)).toBe('2026-11-07');
    expect(windowStartFor({ v: 1, lastSuccessAt: '2026-11-17T16:00:00Z', pages: 4, pendingFrom: '2026-11-01' }, now, 5)).toBe('2026-11-01');
  });
});

describe('mentions', () => {
  it('one mention per accession and query: exhibits are listed, the primary document first', () => {
    const a = '0009990001-26-900001';
    const b = '0009990001-26-900002';
    const ms = groupMentions('entity-list', [
      hit(a, 'ex99-1.htm', 'EX-99.1'),
      hit(b, 'b.htm', '10-Q'),
      hit(a, 'main.htm', '10-Q'),
      hit(a, 'ex99-1.htm', 'EX-99.1'),
    ]);
    expect(ms.map((m) => m.key)).toEqual([`${a}|entity-list`, `${b}|entity-list`]);
    expect(ms[0]!.documents).toEqual([
      { filename: 'main.htm', fileType: '10-Q' },
      { filename: 'ex99-1.htm', fileType: 'EX-99.1' },
    ]);
    expect(ms[0]).toMatchObject({
      cik: '0009990001',
      company: 'EXAMPLE RESELLER PTE LTD',
      ticker: undefined,
      form: '10-Q',
      fileDate: '2026-11-18',
    });
  });

  it('finds the paragraph with the phrase in the extracted text, inflections and licence spelling included', () => {
    const paragraphs = extractText(documentHtml('Report', [PASSAGE_LICENSING, PASSAGE_ENTITY_LIST])).paragraphs;
    expect(findPassage(paragraphs, { phrase: 'Entity List', countries: [] })?.text).toBe(PASSAGE_ENTITY_LIST);
    // "export licensing" in the 10-K paragraph comes first.
    expect(findPassage(paragraphs, { phrase: 'export license', countries: [] })?.text).toBe(PASSAGE_LICENSING);
    expect(findPassage(paragraphs, { phrase: 'export licence', countries: [] })?.text).toBe(PASSAGE_LICENSING);
    // With countries, a paragraph naming one of them wins.
    expect(findPassage(paragraphs, { phrase: 'export license', countries: ['Macau'] })?.text).toBe(PASSAGE_LICENSING);
    expect(findPassage(paragraphs, { phrase: 'foreign direct product rule', countries: [] })).toBeUndefined();
    expect(phraseRegExp('Entity List').test('the entity  list')).toBe(true);
    expect(phraseRegExp('Entity List').test('identity listing')).toBe(false);
  });

  it('locates the phrase for highlighting', () => {
    const [s, e] = phraseSpan(PASSAGE_ENTITY_LIST, 'entity list')!;
    expect(PASSAGE_ENTITY_LIST.slice(s, e)).toBe('Entity List');
    expect(phraseSpan('Curly apostrophes: the Commerce Department’s entity\nlist', 'Entity List')).toEqual([45, 56]);
  });

  it('the draft: company, form, date, query and passage; one version per key; capped', () => {
    const [m] = groupMentions('entity-list', [hit('0009990001-26-900001', 'main.htm', '10-Q')]);
    const q = DEFAULT_QUERIES[0]!;
    const d = mentionDraft(
      m!,
      q,
      { text: PASSAGE_ENTITY_LIST, document: 'main.htm', span: phraseSpan(PASSAGE_ENTITY_LIST, q.phrase) },
      false,
    );
    expect(d).toMatchObject({
      source: 'sec-full-text',
      kind: 'filing.mention',
      naturalKey: '0009990001-26-900001|entity-list',
      subject: 'EXAMPLE RESELLER PTE LTD',
      occurredAt: '2026-11-18',
      version: '1',
      title: 'EXAMPLE RESELLER PTE LTD 10-Q filed 2026-11-18 mentions "Entity List"',
    });
    expect(d.data).toMatchObject({
      query: 'Entity List',
      queryId: 'entity-list',
      passage: PASSAGE_ENTITY_LIST,
      passageDocument: 'main.htm',
      watched: false,
    });
    // A later exhibit or re-read passage is the same change.
    const again = mentionDraft({ ...m!, documents: [...m!.documents, { filename: 'ex.htm', fileType: 'EX-99.1' }] }, q, undefined, false);
    expect(finalizeChange(again, new Date()).id).toBe(finalizeChange(d, new Date()).id);
    expect(again.data.passage).toBeNull();
    const huge = mentionDraft(m!, q, { text: 'Entity List '.repeat(50_000), document: 'main.htm', span: [0, 11] }, false);
    expect((huge.data.passage as string).length).toBeLessThan(4_100);
    expect(huge.summary.length).toBeLessThanOrEqual(2_100);
  });
});

describe('sec-full-text: watched through a sector entry', () => {
  it('a filer EDGAR indexes under a watched SIC code is on the watch-list; with :FPI only on 20-F/40-F/6-K filings', async () => {
    const { isWatched } = await import('#sources/sec-full-text/source.ts');
    const { groupMentions } = await import('#sources/sec-full-text/detect.ts');
    const { parseEftsPage } = await import('#sources/sec-full-text/parse.ts');
    const page = parseEftsPage(
      {
        hits: {
          total: { value: 2, relation: 'eq' },
          hits: [
            {
              _id: '0001046179-26-000011:tsm-6k.htm',
              _source: {
                adsh: '0001046179-26-000011',
                ciks: ['0001046179'],
                display_names: ['TAIWAN SEMICONDUCTOR MANUFACTURING CO LTD  (TSM)  (CIK 0001046179)'],
                form: '6-K',
                file_type: '6-K',
                file_date: '2026-03-02',
                sics: ['3674'],
                items: [],
              },
            },
            {
              _id: '0000320193-26-000005:aapl-10q.htm',
              _source: {
                adsh: '0000320193-26-000005',
                ciks: ['0000320193'],
                display_names: ['Apple Inc.  (AAPL)  (CIK 0000320193)'],
                form: '10-Q',
                file_type: '10-Q',
                file_date: '2026-03-02',
                sics: ['3571'],
                items: [],
              },
            },
          ],
        },
      },
      'test page',
    );
    const [apple, tsmc] = groupMentions('entity-list', page.hits);
    expect(tsmc?.sics).toEqual(['3674']);
    expect(apple?.sics).toEqual(['3571']);
    const watch = (watchlist: string[]) => [apple, tsmc].map((m) => isWatched({ watchlist }, m!));
    expect(watch(['SIC:3674'])).toEqual([false, true]);
    expect(watch(['SIC:3674:FPI'])).toEqual([false, true]);
    expect(watch(['SIC:3571:FPI'])).toEqual([false, false]); // Apple files 10-Qs: not a foreign private issuer
    expect(watch(['SIC:3571', 'NVDA'])).toEqual([true, false]);
    expect(watch(['AAPL'])).toEqual([true, false]);
    expect(watch(['1046179'])).toEqual([false, true]);
  });
});
