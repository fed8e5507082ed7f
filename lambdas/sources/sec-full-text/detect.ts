import type { ChangeDraft } from '#core/change.ts';
import type { FilingMentionData } from './contract.ts';
import { capDraft, capString } from '#core/limits.ts';
import type { Paragraph } from '../sec/document-text.ts';
import { countriesIn } from '../sec/places.ts';
import { filingIndexUrl } from './fetch.ts';
import { type EftsHit, parseDisplayName } from './parse.ts';

/**
 * From full-text hits to `filing.mention` changes. Pure.
 *
 * A hit is a document; a mention is a FILING that matched a query: the hits of one
 * accession (primary document and exhibits) for one query are one mention, keyed
 * `<adsh>|<query id>`. The same filing matching two queries is two mentions (emails group
 * mentions per query).
 */

/** A configured query, defaults applied. */
export interface FullTextQuery {
  /** Stable id: part of every change's natural key. */
  id: string;
  /** The phrase, searched quoted. */
  phrase: string;
  /** Country names that narrow the query (any one of them must appear); empty = none. */
  countries: string[];
}

/** The default queries: the phrases export-control disclosures use. */
export const DEFAULT_QUERIES: readonly FullTextQuery[] = [
  { id: 'entity-list', phrase: 'Entity List', countries: [] },
  { id: 'export-license', phrase: 'export license', countries: [] },
  { id: 'export-administration-regulations', phrase: 'Export Administration Regulations', countries: [] },
  { id: 'foreign-direct-product-rule', phrase: 'foreign direct product rule', countries: [] },
];

/** A query id from its phrase and countries: `entity-list`, `entity-list+china+singapore`. */
export function queryIdOf(phrase: string, countries: readonly string[] = []): string {
  const slug = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  return [slug(phrase), ...countries.map(slug)].filter(Boolean).join('+');
}

/**
 * The `q` strings of a query. Without countries: the quoted phrase. With countries: one
 * search per country, `"<phrase>" "<country>"` (EFTS requires every quoted term), because
 * EFTS's handling of OR and parentheses inside `q` is undocumented and untested here; the
 * hits of all of them are one query (same id, deduplicated by accession).
 */
export function searchStrings(query: FullTextQuery): string[] {
  const quote = (s: string) => `"${s.replace(/"/g, '')}"`;
  if (query.countries.length === 0) return [quote(query.phrase)];
  return query.countries.map((c) => `${quote(query.phrase)} ${quote(c)}`);
}

/** A filing that matched a query. */
export interface Mention {
  key: string;
  adsh: string;
  queryId: string;
  cik: string;
  company: string;
  ticker: string | undefined;
  form: string | undefined;
  fileDate: string | undefined;
  items: string[];
  /** The filer's SIC codes (from the hits), for sector watch-list entries. */
  sics: string[];
  /** The matching documents, each once, primary document first. */
  documents: Array<{ filename: string; fileType: string | undefined }>;
}

/** The key of a mention (and of its change): `<adsh>|<query id>`. */
export function mentionKey(adsh: string, queryId: string): string {
  return `${adsh}|${queryId}`;
}

function isPrimary(d: { fileType: string | undefined }, form: string | undefined): boolean {
  return d.fileType !== undefined && form !== undefined && d.fileType.toUpperCase() === form.toUpperCase();
}

/** Group a query's hits into mentions, one per accession, in accession order. */
export function groupMentions(queryId: string, hits: readonly EftsHit[]): Mention[] {
  const byAdsh = new Map<string, Mention>();
  for (const hit of hits) {
    const key = mentionKey(hit.adsh, queryId);
    let m = byAdsh.get(key);
    if (!m) {
      const display = parseDisplayName(hit.displayNames[0] ?? '');
      const cik = hit.ciks[0] ?? hit.adsh.slice(0, 10);
      m = {
        key,
        adsh: hit.adsh,
        queryId,
        cik: cik.padStart(10, '0'),
        company: hit.displayNames[0] ? display.name : `CIK ${cik.padStart(10, '0')}`,
        ticker: display.ticker,
        form: hit.form,
        fileDate: hit.fileDate,
        items: [],
        sics: [],
        documents: [],
      };
      byAdsh.set(key, m);
    }
    m.form ??= hit.form;
    m.fileDate ??= hit.fileDate;
    for (const item of hit.items) if (!m.items.includes(item)) m.items.push(item);
    for (const sic of hit.sics ?? []) if (!m.sics.includes(sic)) m.sics.push(sic);
    if (!m.documents.some((d) => d.filename === hit.filename)) m.documents.push({ filename: hit.filename, fileType: hit.fileType });
  }
  const out = [...byAdsh.values()];
  for (const m of out) {
    m.documents.sort((a, b) => Number(isPrimary(b, m.form)) - Number(isPrimary(a, m.form)) || a.filename.localeCompare(b.filename));
    m.items.sort();
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** The document fetched for a mention: the primary document if it matched, else the first exhibit by name. */
export function documentToRead(m: Pick<Mention, 'documents'>): string | undefined {
  return m.documents[0]?.filename;
}

/** Lower case, straight quotes, "licence" spelled "license", one space. */
function fold(s: string): string {
  return s
    .toLowerCase()
    .replace(/[\u2018\u2019\u201b\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201f\u2033]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\blicenc/g, 'licens')
    .replace(/\s+/g, ' ');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A crude stem (EFTS stems words too): `license` → `licens` matches licenses, licensing, licensed. */
function stem(word: string): string {
  const cut = word.replace(/(?:ies|es|s|e|y|ing|ed)$/, '');
  return cut.length >= 4 ? cut : word;
}

/**
 * A regular expression finding `phrase` the way EFTS matches it: case-insensitive, words in
 * order separated by any spaces or punctuation, each word allowing an inflected ending
 * ("export licenses", "export licensing"), licence = license. Used on folded text ({@link fold}).
 */
export function phraseRegExp(phrase: string): RegExp {
  const words = fold(phrase)
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map(stem);
  return new RegExp(`\\b${words.map(escapeRe).join('\\w*[^a-z0-9]+')}\\w*`, 'i');
}

/**
 * The paragraph of a document that contains the query's phrase: the first text paragraph
 * with the phrase (and, for a query with countries, one of them), else the first with the
 * phrase, else the first table row with it. Undefined when the extracted text does not
 * contain it (EFTS also matches text our extraction drops, e.g. hidden iXBRL headers).
 */
export function findPassage(paragraphs: readonly Paragraph[], query: Pick<FullTextQuery, 'phrase' | 'countries'>): Paragraph | undefined {
  const re = phraseRegExp(query.phrase);
  const countryRes = query.countries.map((c) => phraseRegExp(c));
  const withPhrase = paragraphs.filter((p) => re.test(fold(p.text)));
  const text = withPhrase.filter((p) => p.kind === 'text');
  if (countryRes.length) {
    const both = text.find((p) => countryRes.some((c) => c.test(fold(p.text))));
    if (both) return both;
  }
  return text[0] ?? withPhrase[0];
}

/**
 * Where the phrase sits in a passage, as [start, end) offsets of the passage's own text, for
 * highlighting; undefined when it cannot be located. Folding keeps lengths except for
 * whitespace runs, so offsets are found on a copy with whitespace kept as is.
 */
export function phraseSpan(passage: string, phrase: string): [number, number] | undefined {
  const folded = passage
    .toLowerCase()
    .replace(/[\u2018\u2019\u201b\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201f\u2033]/g, '"')
    .replace(/\blicenc/g, 'licens');
  const m = phraseRegExp(phrase).exec(folded);
  return m ? [m.index, m.index + m[0].length] : undefined;
}

/** The passage as stored: the paragraph, the document it came from, the phrase's offsets. */
export interface MentionPassage {
  text: string;
  document: string;
  span: [number, number] | undefined;
}

/** Longest passage kept in a change (a paragraph rarely passes 2,000 characters). */
export const MAX_PASSAGE_CHARS = 4_000;

/** The `filing.mention` draft of a mention. */
export function mentionDraft(m: Mention, query: FullTextQuery, passage: MentionPassage | undefined, watched: boolean): ChangeDraft {
  const who = m.ticker ? `${m.company} (${m.ticker})` : m.company;
  const form = m.form ?? 'filing';
  const text = passage ? capString(passage.text, MAX_PASSAGE_CHARS) : undefined;
  const span = passage?.span && text && passage.span[1] <= text.length ? passage.span : undefined;
  return capDraft({
    source: 'sec-full-text',
    kind: 'filing.mention',
    naturalKey: m.key,
    subject: m.ticker ?? m.company,
    title: `${who} ${form}${m.fileDate ? ` filed ${m.fileDate}` : ''} mentions "${query.phrase}"`,
    summary: text ?? `The ${form} matched "${query.phrase}" in EDGAR full-text search; the passage could not be read from the document.`,
    url: filingIndexUrl(m.cik, m.adsh),
    countries: text ? countriesIn(text) : [],
    ...(m.fileDate ? { occurredAt: m.fileDate } : {}),
    // Field names the sector page reads (lambdas/analytics/sector.ts): company, cik, form,
    // filedAt, query (the phrase), passage (the paragraph's text), accession.
    data: {
      accession: m.adsh,
      cik: m.cik,
      company: m.company,
      ...(m.ticker ? { ticker: m.ticker } : {}),
      ...(m.form ? { form: m.form } : {}),
      ...(m.fileDate ? { filedAt: m.fileDate } : {}),
      items: m.items,
      ...(m.sics.length ? { sics: m.sics } : {}),
      query: query.phrase,
      queryId: query.id,
      queryCountries: query.countries,
      documents: m.documents.map((d) => ({ filename: d.filename, ...(d.fileType ? { fileType: d.fileType } : {}) })),
      watched,
      passage: text ?? null,
      ...(text && passage ? { passageDocument: passage.document } : {}),
      ...(span ? { passageSpan: span } : {}),
    } satisfies FilingMentionData,
    // One change per accession and query: exhibits indexed later, or a re-read passage,
    // must not alert again.
    version: '1',
  });
}
