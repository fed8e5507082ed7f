import type { UpstreamClient } from '#core/http.ts';
import { addDays } from '#core/time.ts';
import { EFTS_HIT_CAP, EFTS_PAGE_SIZE, type EftsHit, isCapped, parseEftsPage } from './parse.ts';

/**
 * EDGAR full-text search I/O through the shared {@link UpstreamClient}: efts.sec.gov is an
 * SEC host, so every page shares the SEC rate budget (`http.secRequestsPerSecond`) with the
 * filings feed, submissions and Archives requests.
 */

/** One search: the `q` string and the date window (Eastern dates, inclusive). */
export interface SearchWindow {
  q: string;
  forms: readonly string[];
  startdt: string;
  enddt: string;
}

/** What searching one `q` over a window produced. */
export interface SearchResult {
  hits: EftsHit[];
  /** Requests made (pages, including the first page of every split half). */
  pages: number;
  /** Times a capped window was split in halves. */
  splits: number;
  /** Hits dropped because `_id` and `_source.adsh` disagreed. */
  mismatched: number;
  /** Windows that stayed capped at one day: only their first ~10,000 hits were read. */
  cappedDays: string[];
}

/** The `search-index` URL of one page. */
export function buildSearchUrl(base: string, w: SearchWindow, from: number): string {
  const params = new URLSearchParams();
  params.set('q', w.q);
  if (w.forms.length) params.set('forms', w.forms.join(','));
  params.set('dateRange', 'custom');
  params.set('startdt', w.startdt);
  params.set('enddt', w.enddt);
  if (from > 0) params.set('from', String(from));
  return `${base}/LATEST/search-index?${params.toString()}`;
}

/** Days from `a` to `b` (YYYY-MM-DD). */
function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/**
 * Every hit of `w`, page by page (`from` = 0, 100, 200, … until `hits.total.value` are
 * read). Any failed page throws: the caller's cycle fails and its cursor does not move, so
 * nothing is half-read. When EFTS stops counting (`relation: "gte"`, or a total at the
 * ~10,000 cap) the window is split in two halves and each is searched on its own, down to
 * single days; a single day still at the cap (never seen for an export-control phrase) is
 * read as far as EFTS pages and reported in `cappedDays`, never dropped silently.
 */
export async function searchWindow(http: UpstreamClient, base: string, w: SearchWindow): Promise<SearchResult> {
  const out: SearchResult = { hits: [], pages: 0, splits: 0, mismatched: 0, cappedDays: [] };
  await searchInto(http, base, w, out);
  return out;
}

async function searchInto(http: UpstreamClient, base: string, w: SearchWindow, out: SearchResult): Promise<void> {
  const first = await getPage(http, base, w, 0, out);
  if (isCapped(first)) {
    const span = daysBetween(w.startdt, w.enddt);
    if (span >= 1) {
      out.splits++;
      const mid = addDays(w.startdt, Math.floor(span / 2));
      await searchInto(http, base, { ...w, enddt: mid }, out);
      await searchInto(http, base, { ...w, startdt: addDays(mid, 1) }, out);
      return;
    }
    out.cappedDays.push(w.startdt);
  }
  out.hits.push(...first.hits);
  const total = Math.min(first.total, EFTS_HIT_CAP);
  let read = first.hits.length + first.mismatched;
  let from = EFTS_PAGE_SIZE;
  while (read < total && from < EFTS_HIT_CAP) {
    const page = await getPage(http, base, w, from, out);
    const count = page.hits.length + page.mismatched;
    out.hits.push(...page.hits);
    // An empty page before the total: hits moved while we paged (the next run's look-back
    // re-reads the window), not a reason to loop.
    if (count === 0) break;
    read += count;
    from += EFTS_PAGE_SIZE;
  }
}

async function getPage(http: UpstreamClient, base: string, w: SearchWindow, from: number, out: SearchResult) {
  const url = buildSearchUrl(base, w, from);
  out.pages++;
  const { json } = await http.getJson(url);
  const page = parseEftsPage(json, `full-text search ${w.q} ${w.startdt}..${w.enddt} from=${from}`);
  out.mismatched += page.mismatched;
  return page;
}

/** The Archives URL of a hit's document, under the configured SEC www base. */
export function documentUrl(secWww: string, cik: string, adsh: string, filename: string): string {
  return `${secWww}/Archives/edgar/data/${String(Number(cik))}/${adsh.replace(/-/g, '')}/${filename}`;
}

/** The public filing index on sec.gov (the link emails carry). */
export function filingIndexUrl(cik: string, adsh: string): string {
  return `https://www.sec.gov/Archives/edgar/data/${String(Number(cik))}/${adsh.replace(/-/g, '')}/${adsh}-index.htm`;
}
