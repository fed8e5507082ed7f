import { SourceError } from '#core/errors.ts';
import { unpadCik } from './cik.ts';

/**
 * Parser for `data.sec.gov/submissions/CIK##########.json` and its older pages.
 *
 * `filings.recent` is columnar (parallel arrays, newest first). Columns are read by name,
 * never by position: older copies lack `core_type` and others add columns. An older page
 * (`filings.files[].name`) is the same columnar object at the top level.
 */

/** One filing row of a submissions document. */
export interface SubmissionRow {
  accession: string;
  /** EDGAR filing date (YYYY-MM-DD); after the 17:30 ET cut-off the next business day. */
  filingDate: string;
  /** Period of report; for an 8-K the event date. Undefined when empty. */
  reportDate: string | undefined;
  /**
   * Raw `acceptanceDateTime`. It ends in `Z` but is sometimes Eastern time, so it is kept
   * verbatim and never computed with.
   */
  acceptanceDateTime: string | undefined;
  form: string;
  /** 8-K item codes (`"2.02,9.01"` → `["2.02", "9.01"]`). */
  items: string[];
  primaryDocument: string | undefined;
  primaryDocDescription: string | undefined;
}

/** An older page listed in `filings.files[]`. */
export interface OlderPageRef {
  name: string;
  filingCount: number | undefined;
  filingFrom: string | undefined;
  /** Approximate: boundaries move and may be off by a day. */
  filingTo: string | undefined;
}

/** A parsed submissions document. */
export interface SubmissionsDoc {
  /** Unpadded CIK. */
  cik: string;
  name: string;
  tickers: string[];
  /** Rows of `filings.recent`, newest first. */
  recent: SubmissionRow[];
  olderPages: OlderPageRef[];
}

const ACCESSION_RE = /^\d{10}-\d{2}-\d{6}$/;
/** Older page names as EDGAR publishes them; anything else is refused (it becomes a URL path). */
const PAGE_NAME_RE = /^CIK\d{10}-submissions-\d{3,}\.json$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const s = String(value).trim();
  return s === '' ? undefined : s;
}

/**
 * Parse a columnar filings object (`filings.recent` or an older page) into rows.
 * Required columns: `accessionNumber`, `filingDate`, `form`; every other column is
 * optional but, when present, must be an array as long as `accessionNumber`.
 */
export function parseColumnar(value: unknown, where: string): SubmissionRow[] {
  if (!isRecord(value)) throw new SourceError('parse', `${where}: expected a columnar object`);
  const accessions = value.accessionNumber;
  if (!Array.isArray(accessions)) throw new SourceError('parse', `${where}: no accessionNumber column`);
  const n = accessions.length;
  const column = (name: string, required: boolean): unknown[] | undefined => {
    const col = value[name];
    if (col === undefined) {
      if (required) throw new SourceError('parse', `${where}: no ${name} column`);
      return undefined;
    }
    if (!Array.isArray(col) || col.length !== n) {
      throw new SourceError('parse', `${where}: column ${name} is not an array of ${n} values`);
    }
    return col;
  };
  const filingDate = column('filingDate', true) as unknown[];
  const form = column('form', true) as unknown[];
  const reportDate = column('reportDate', false);
  const acceptance = column('acceptanceDateTime', false);
  const items = column('items', false);
  const primaryDocument = column('primaryDocument', false);
  const primaryDocDescription = column('primaryDocDescription', false);

  const rows: SubmissionRow[] = [];
  for (let i = 0; i < n; i++) {
    const accession = String(accessions[i] ?? '');
    if (!ACCESSION_RE.test(accession))
      throw new SourceError('parse', `${where}: row ${i} has a malformed accession number ${JSON.stringify(accessions[i])}`);
    const formValue = optionalString(form[i]);
    const date = optionalString(filingDate[i]);
    if (!formValue || !date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      throw new SourceError('parse', `${where}: row ${i} (${accession}) lacks a form or a filing date`);
    }
    rows.push({
      accession,
      filingDate: date,
      reportDate: optionalString(reportDate?.[i]),
      acceptanceDateTime: optionalString(acceptance?.[i]),
      form: formValue,
      items: (optionalString(items?.[i]) ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
      primaryDocument: optionalString(primaryDocument?.[i]),
      primaryDocDescription: optionalString(primaryDocDescription?.[i]),
    });
  }
  return rows;
}

/** Parse a full submissions document (`CIK##########.json`). */
export function parseSubmissions(json: unknown, where = 'submissions JSON'): SubmissionsDoc {
  if (!isRecord(json)) throw new SourceError('parse', `${where}: expected an object`);
  const cikRaw = optionalString(json.cik);
  if (!cikRaw || !/^\d{1,10}$/.test(cikRaw)) throw new SourceError('parse', `${where}: no cik`);
  const filings = json.filings;
  if (!isRecord(filings)) throw new SourceError('parse', `${where}: no filings object`);
  const recent = parseColumnar(filings.recent, `${where} filings.recent`);
  const files = filings.files === undefined ? [] : filings.files;
  if (!Array.isArray(files)) throw new SourceError('parse', `${where}: filings.files is not an array`);
  const olderPages: OlderPageRef[] = files.map((f, i) => {
    const name = isRecord(f) ? optionalString(f.name) : undefined;
    if (!name || !PAGE_NAME_RE.test(name))
      throw new SourceError('parse', `${where}: filings.files[${i}] has an unexpected name ${JSON.stringify(name)}`);
    const rec = f as Record<string, unknown>;
    return {
      name,
      filingCount: typeof rec.filingCount === 'number' ? rec.filingCount : undefined,
      filingFrom: optionalString(rec.filingFrom),
      filingTo: optionalString(rec.filingTo),
    };
  });
  const tickers = Array.isArray(json.tickers) ? json.tickers.map((t) => String(t)).filter((t) => t !== '') : [];
  return { cik: unpadCik(cikRaw), name: optionalString(json.name) ?? `CIK ${unpadCik(cikRaw)}`, tickers, recent, olderPages };
}

/** Parse an older submissions page: a bare columnar object. */
export function parseSubmissionsPage(json: unknown, where = 'submissions page'): SubmissionRow[] {
  return parseColumnar(json, where);
}

/**
 * Older pages in the order to fetch them when walking back in time: newest `filingTo`
 * first (the list is not guaranteed to be sorted).
 */
export function olderPagesNewestFirst(pages: readonly OlderPageRef[]): OlderPageRef[] {
  return [...pages].sort((a, b) => (b.filingTo ?? '').localeCompare(a.filingTo ?? '') || b.name.localeCompare(a.name));
}

/**
 * What a company's last sync saw of its submissions, enough to tell whether newer rows
 * reach back to it (sec-filings keeps it in its `known#<cik>` item).
 */
export interface SyncPoint {
  /** First accessions (any form) of the submissions JSON at the last sync. */
  head: readonly string[];
  /** Newest `filingDate` (any form) at the last sync. */
  syncedThrough: string | undefined;
}

/**
 * True when `rows` (newest first, contiguous) reach back to what the last sync saw, so
 * no older page is needed: they contain one of the last head accessions, or their oldest
 * row is strictly older than the newest filing date seen then. Dates only decide how far
 * to page, never whether a filing is new.
 */
export function coversKnowledge(rows: readonly SubmissionRow[], known: SyncPoint): boolean {
  if (rows.length === 0) return true;
  if (known.head.length === 0 && !known.syncedThrough) return true;
  const head = new Set(known.head);
  if (rows.some((r) => head.has(r.accession))) return true;
  const oldest = rows[rows.length - 1]?.filingDate;
  return Boolean(known.syncedThrough && oldest && oldest < known.syncedThrough);
}
