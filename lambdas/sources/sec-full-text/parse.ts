import { SourceError } from '#core/errors.ts';

/**
 * EDGAR full-text search (EFTS) responses, parsed. Pure.
 *
 * `https://efts.sec.gov/LATEST/search-index` answers with an Elasticsearch envelope
 * (docs/upstreams.md §1.6, ../shared/fixtures/sec/efts/efts_hit_samples.json):
 * `hits.total{value, relation}` and `hits.hits[]{_id: "<adsh>:<filename>", _source{ciks,
 * display_names, adsh, form, file_type, file_date, items, …}}`. A hit is one DOCUMENT of a
 * filing (the primary document and each exhibit separately), so one filing can come back
 * several times. Fields the samples show elided (`display_names`, `file_date` in the 8-K
 * sample) are optional here; what cannot be missing is the accession and the filename.
 */

/** One document hit. */
export interface EftsHit {
  /** Accession number `0000320193-24-000123` (from `_source.adsh`, checked against `_id`). */
  adsh: string;
  /** The document's file name inside the filing folder (`_id` after the colon). */
  filename: string;
  /** 10-digit CIKs of the filers (first = the company the filing is about, as EDGAR lists them). */
  ciks: string[];
  /** `display_names`, e.g. `Apple Inc.  (AAPL)  (CIK 0000320193)`. */
  displayNames: string[];
  form: string | undefined;
  /** `EX-23.1`, `10-K`, …: the document's own type. */
  fileType: string | undefined;
  /** YYYY-MM-DD. */
  fileDate: string | undefined;
  items: string[];
  /** `sics`: the filer's SIC codes, as EDGAR indexes them (absent in some excerpts). */
  sics?: string[];
}

/** One parsed page. */
export interface EftsPage {
  total: number;
  /** `gte` when EFTS stopped counting (the ~10,000 cap). */
  relation: 'eq' | 'gte';
  hits: EftsHit[];
  /** Hits dropped because `_source.adsh` did not match `_id` (or was missing). */
  mismatched: number;
}

/** A full-text page holds at most this many hits. */
export const EFTS_PAGE_SIZE = 100;

/** Elasticsearch's window: EFTS does not page past ~10,000 hits of one query. */
export const EFTS_HIT_CAP = 10_000;

const ADSH_RE = /^\d{10}-\d{2}-\d{6}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function optString(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * Parse one hit; undefined when its accession cannot be trusted. `_id` is
 * `<adsh>:<filename>`: a filing that quotes another filing's accession number matches a
 * search for it, so the accession is the `_source.adsh` field, and only when `_id` agrees.
 */
export function parseHit(raw: unknown): EftsHit | undefined {
  if (!isObject(raw) || !isObject(raw._source) || typeof raw._id !== 'string') return undefined;
  const src = raw._source;
  const colon = raw._id.indexOf(':');
  if (colon < 0) return undefined;
  const idAdsh = raw._id.slice(0, colon);
  const filename = raw._id.slice(colon + 1);
  const adsh = optString(src.adsh);
  if (!adsh || adsh !== idAdsh || !ADSH_RE.test(adsh)) return undefined;
  // A file name goes into an Archives URL: a path separator or dot-dot would escape the folder.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(filename) || filename.includes('..')) return undefined;
  const fileDate = optString(src.file_date);
  return {
    adsh,
    filename,
    ciks: strings(src.ciks).filter((c) => /^\d{1,10}$/.test(c)),
    displayNames: strings(src.display_names),
    form: optString(src.form),
    fileType: optString(src.file_type),
    fileDate: fileDate && /^\d{4}-\d{2}-\d{2}$/.test(fileDate) ? fileDate : undefined,
    items: strings(src.items),
    sics: strings(src.sics).filter((c) => /^\d{4}$/.test(c)),
  };
}

/** Parse one `search-index` page; anything but the envelope is a `parse` error naming `where`. */
export function parseEftsPage(json: unknown, where: string): EftsPage {
  if (!isObject(json) || !isObject(json.hits))
    throw new SourceError('parse', `${where}: not an EDGAR full-text search response (no hits object)`);
  const { hits } = json;
  const total = isObject(hits.total) ? hits.total.value : hits.total;
  if (typeof total !== 'number' || !Number.isFinite(total) || total < 0)
    throw new SourceError('parse', `${where}: hits.total.value missing or not a number`);
  if (!Array.isArray(hits.hits)) throw new SourceError('parse', `${where}: hits.hits is not an array`);
  const relation = isObject(hits.total) && hits.total.relation === 'gte' ? 'gte' : 'eq';
  const parsed: EftsHit[] = [];
  let mismatched = 0;
  for (const raw of hits.hits) {
    const hit = parseHit(raw);
    if (hit) parsed.push(hit);
    else mismatched++;
  }
  return { total, relation, hits: parsed, mismatched };
}

/** True when EFTS stopped counting: the page shows only the first ~10,000 hits of the query. */
export function isCapped(page: Pick<EftsPage, 'total' | 'relation'>): boolean {
  return page.relation === 'gte' || page.total >= EFTS_HIT_CAP;
}

/**
 * The company name of a display name: `Apple Inc.  (AAPL)  (CIK 0000320193)` → `Apple Inc.`;
 * the ticker when present.
 */
export function parseDisplayName(display: string): { name: string; ticker: string | undefined } {
  const withoutCik = display.replace(/\s*\(CIK \d+\)\s*$/, '');
  const ticker = withoutCik.match(/\s*\(([A-Z0-9.,\s-]{1,40})\)\s*$/);
  const name = (ticker ? withoutCik.slice(0, ticker.index) : withoutCik).replace(/\s+/g, ' ').trim();
  return { name: name || display.trim(), ticker: ticker?.[1]?.split(',')[0]?.trim() || undefined };
}
