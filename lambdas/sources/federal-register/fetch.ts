import { SourceError } from '#core/errors.ts';
import type { UpstreamClient, UpstreamResponse } from '#core/http.ts';
import {
  assertBisPage,
  BIS_AGENCY_SLUG,
  DOCUMENT_FIELDS,
  type DocumentsPage,
  type FrDocument,
  type PublicInspectionCurrent,
  parseDocumentsPage,
  parsePublicInspectionCurrent,
} from './api.ts';

/**
 * Federal Register I/O through the shared {@link UpstreamClient} (which rate-limits,
 * retries 429/5xx, caps sizes and gunzips). Only `/api/v1/*` is called: the HTML site
 * refuses automated clients.
 */

/** Documents per page; well under the documented 1000 so a page stays small. */
export const PER_PAGE = 100;

/** Pages followed at most per cycle (2,000 documents: BIS publishes a few hundred a year). */
export const MAX_PAGES = 20;

/** Shared caches sit in front of the API; a copy older than this is worth a log line. */
const STALE_AGE_SECONDS = 3600;

/**
 * The first `documents.json` URL for BIS documents published on or after `windowStart`.
 * `_=<epoch seconds>` busts the shared cache (responses carry no validators); the API
 * echoes it into `next_page_url`.
 */
export function buildDocumentsUrl(base: string, windowStart: string, nowEpochSeconds: number): string {
  const params = new URLSearchParams();
  params.append('conditions[agencies][]', BIS_AGENCY_SLUG);
  params.append('conditions[publication_date][gte]', windowStart);
  for (const field of DOCUMENT_FIELDS) params.append('fields[]', field);
  params.append('order', 'newest');
  params.append('per_page', String(PER_PAGE));
  params.append('_', String(nowEpochSeconds));
  return `${base}/api/v1/documents.json?${params.toString()}`;
}

/** The public-inspection list URL, with the same cache-buster. */
export function buildPublicInspectionUrl(base: string, nowEpochSeconds: number): string {
  return `${base}/api/v1/public-inspection-documents/current.json?_=${nowEpochSeconds}`;
}

/**
 * Resolve a `next_page_url` for fetching: path and query verbatim (the `search_after_cursor`
 * is opaque), origin pinned to the configured base. The API answers with its canonical
 * host; pinning keeps a deployment pointed at a mirror (or a test's fake) on that host
 * and never lets an upstream redirect our traffic elsewhere.
 */
export function resolveNextPageUrl(base: string, nextPageUrl: string): string {
  const baseUrl = new URL(base);
  const next = new URL(nextPageUrl, baseUrl);
  if (next.origin === baseUrl.origin) return next.toString();
  const prefix = baseUrl.pathname.replace(/\/+$/, '');
  return `${baseUrl.origin}${prefix}${next.pathname}${next.search}`;
}

/** Options of {@link fetchDocumentPages}. */
export interface PagingOptions {
  maxPages?: number;
  /** Checked on every page before the next is requested (e.g. {@link assertBisPage}). */
  checkPage?: (page: DocumentsPage) => void;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** What paging produced. */
export interface DocumentsFetch {
  documents: FrDocument[];
  /** `count` of the first page. */
  count: number;
  pages: number;
  requestedUrls: string[];
}

function noteStale(response: UpstreamResponse, log: PagingOptions['log']): void {
  const age = Number(response.headers.get('age') ?? 0);
  if (age > STALE_AGE_SECONDS) log?.('federal register served a stale cached copy', { url: response.url, ageSeconds: age });
}

/**
 * Fetch a `documents.json` query and follow `next_page_url` verbatim until it is absent.
 * A repeated URL (a paging loop) or more than `maxPages` pages is a sanity error.
 */
export async function fetchDocumentPages(
  http: UpstreamClient,
  base: string,
  firstUrl: string,
  options: PagingOptions = {},
): Promise<DocumentsFetch> {
  const maxPages = options.maxPages ?? MAX_PAGES;
  const documents: FrDocument[] = [];
  const requestedUrls: string[] = [];
  let count = 0;
  let url: string | undefined = firstUrl;
  while (url) {
    if (requestedUrls.length >= maxPages) {
      throw new SourceError('sanity', `documents.json needs more than ${maxPages} pages: the window is implausibly large`);
    }
    if (requestedUrls.includes(url)) throw new SourceError('sanity', `documents.json paging loops back to ${url}`);
    requestedUrls.push(url);
    const { response, json } = await http.getJson(url);
    noteStale(response, options.log);
    const page = parseDocumentsPage(json, `documents.json page ${requestedUrls.length}`);
    if (requestedUrls.length === 1) count = page.count;
    options.checkPage?.(page);
    documents.push(...page.results);
    url = page.nextPageUrl ? resolveNextPageUrl(base, page.nextPageUrl) : undefined;
  }
  if (documents.length < count) {
    // Not fatal: documents can move between pages while we page; the next run's
    // overlapping window picks up anything missed.
    options.log?.('federal register paging returned fewer documents than counted', { count, received: documents.length });
  }
  return { documents, count, pages: requestedUrls.length, requestedUrls };
}

/**
 * Published BIS documents since `windowStart`, each page checked for the API's silent
 * fallbacks (cap, foreign agencies, dates before the window).
 */
export function fetchBisDocuments(
  http: UpstreamClient,
  base: string,
  windowStart: string,
  nowEpochSeconds: number,
  log?: PagingOptions['log'],
): Promise<DocumentsFetch> {
  return fetchDocumentPages(http, base, buildDocumentsUrl(base, windowStart, nowEpochSeconds), {
    checkPage: (page) => assertBisPage(page, windowStart),
    log,
  });
}

/** The current public-inspection list, all agencies, parsed. */
export async function fetchPublicInspection(
  http: UpstreamClient,
  base: string,
  nowEpochSeconds: number,
  log?: PagingOptions['log'],
): Promise<PublicInspectionCurrent> {
  const { response, json } = await http.getJson(buildPublicInspectionUrl(base, nowEpochSeconds));
  noteStale(response, log);
  return parsePublicInspectionCurrent(json);
}
