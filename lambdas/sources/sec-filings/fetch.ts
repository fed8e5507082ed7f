import { SourceError } from '#core/errors.ts';
import type { UpstreamClient } from '#core/http.ts';
import { reachesPreviousHead } from './detect.ts';
import { decodeFeed, type FeedPage, parseFeed } from './feed.ts';
import { parseCompanyTickers, type TickerRecord } from './tickers.ts';

/**
 * I/O of `sec-filings`, all through the shared {@link UpstreamClient} (SEC rate limit,
 * User-Agent, retries, 403 block detection). Nothing here catches `blocked`: the runner
 * must see it to cool down.
 */

/** Entries per getcurrent page (EDGAR's maximum). */
export const FEED_PAGE_SIZE = 100;
/** EDGAR serves getcurrent up to start=5000; beyond it answers 503. */
export const FEED_MAX_START = 5000;

/** URL of one getcurrent page (all forms: `type=` is a prefix filter, so forms are filtered client-side). */
export function feedUrl(secWww: string, start: number): string {
  return `${secWww}/cgi-bin/browse-edgar?action=getcurrent&type=&company=&dateb=&owner=include&start=${start}&count=${FEED_PAGE_SIZE}&output=atom`;
}

/** URL of the ticker file. */
export function companyTickersUrl(secWww: string): string {
  return `${secWww}/files/company_tickers.json`;
}

/** What reading the feed produced. */
export interface FeedRead {
  pages: FeedPage[];
  /** True when a page showed an accession from the previous cycle's head (continuity proven). */
  reachedPreviousHead: boolean;
  /** True when EDGAR answered 503 / an empty page before that: the feed window was exhausted. */
  endOfFeed: boolean;
  requests: number;
}

/**
 * Read getcurrent pages newest first until one shows an accession of `previousHead`, the
 * feed ends, or `maxPages` pages were read. Without a previous head (baseline) only the
 * first page is read. A 503 on the first page is an outage (retried, then thrown by the
 * client); on later pages it is EDGAR's end of feed.
 */
export async function readFeed(
  http: UpstreamClient,
  secWww: string,
  options: { previousHead: ReadonlySet<string> | undefined; maxPages: number },
): Promise<FeedRead> {
  const pages: FeedPage[] = [];
  const maxPages = Math.max(1, Math.min(options.maxPages, FEED_MAX_START / FEED_PAGE_SIZE + 1));
  let requests = 0;
  for (let p = 0; p < maxPages; p++) {
    const start = p * FEED_PAGE_SIZE;
    const response = await http.get(feedUrl(secWww, start), { accept: 'application/atom+xml', acceptStatus: p === 0 ? [] : [503] });
    requests++;
    if (response.status === 503) return { pages, reachedPreviousHead: false, endOfFeed: true, requests };
    const page = parseFeed(decodeFeed(response.body));
    if (page.entries.length === 0) {
      // The live feed always holds days of filings; an empty first page is a broken answer.
      if (p === 0) throw new SourceError('sanity', 'EDGAR getcurrent feed returned no entries on its first page');
      return { pages, reachedPreviousHead: false, endOfFeed: true, requests };
    }
    pages.push(page);
    if (!options.previousHead) return { pages, reachedPreviousHead: false, endOfFeed: false, requests };
    if (reachesPreviousHead(page.filings, options.previousHead)) return { pages, reachedPreviousHead: true, endOfFeed: false, requests };
  }
  return { pages, reachedPreviousHead: false, endOfFeed: false, requests };
}

/** Download and parse company_tickers.json. */
export async function fetchCompanyTickers(http: UpstreamClient, secWww: string): Promise<TickerRecord[]> {
  const { json } = await http.getJson(companyTickersUrl(secWww));
  return parseCompanyTickers(json);
}
