import { SourceError } from '#core/errors.ts';
import type { UpstreamClient } from '#core/http.ts';
import {
  coversKnowledge,
  olderPagesNewestFirst,
  parseSubmissions,
  parseSubmissionsPage,
  type SubmissionRow,
  type SubmissionsDoc,
  type SyncPoint,
} from './submissions.ts';

/**
 * A company's submissions from data.sec.gov, through the shared {@link UpstreamClient} (SEC
 * rate limit, User-Agent, retries, 403 block detection). Nothing here catches `blocked`:
 * the runner must see it to cool down.
 */

/** URL of a company's submissions JSON. */
export function submissionsUrl(secData: string, cik: string): string {
  return `${secData}/submissions/CIK${cik.padStart(10, '0')}.json`;
}

/** URL of an older submissions page named in `filings.files[]`. */
export function submissionsPageUrl(secData: string, name: string): string {
  return `${secData}/submissions/${name}`;
}

/** A company's submissions as far back as needed. */
export interface CompanySubmissions {
  doc: SubmissionsDoc;
  /** Recent rows followed by rows of any older pages fetched, newest first. */
  rows: SubmissionRow[];
  olderPagesFetched: string[];
  requests: number;
}

/**
 * Fetch a company's submissions JSON. With previous knowledge, older pages are fetched
 * (newest first) only while the rows so far do not reach back to the last sync, i.e. when
 * more filings than the recent page holds arrived since; a baseline never needs them.
 */
export async function fetchCompanySubmissions(
  http: UpstreamClient,
  secData: string,
  cik: string,
  known: SyncPoint | undefined,
  options: { maxOlderPages?: number; log?: (message: string, fields?: Record<string, unknown>) => void } = {},
): Promise<CompanySubmissions> {
  const url = submissionsUrl(secData, cik);
  const response = await http.get(url, { accept: 'application/json', acceptStatus: [404] });
  let requests = 1;
  // data.sec.gov answers 404 for a CIK it does not know: a watch-list mistake, not an outage.
  if (response.status === 404) throw new SourceError('config', `watchlist CIK ${cik} is unknown to EDGAR (404 for ${url})`);
  let json: unknown;
  try {
    json = JSON.parse(response.body.toString('utf8'));
  } catch (err) {
    throw new SourceError('parse', `${url}: body is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const doc = parseSubmissions(json, `submissions JSON of CIK ${cik}`);
  if (doc.cik !== cik) throw new SourceError('sanity', `${url} describes CIK ${doc.cik}, not ${cik}`);
  const rows = [...doc.recent];
  const olderPagesFetched: string[] = [];
  if (known && !coversKnowledge(rows, known)) {
    const maxOlderPages = options.maxOlderPages ?? 5;
    for (const page of olderPagesNewestFirst(doc.olderPages)) {
      if (olderPagesFetched.length >= maxOlderPages) {
        options.log?.('older submissions pages capped; gap may be incomplete', { cik, fetched: olderPagesFetched });
        break;
      }
      const { json: pageJson } = await http.getJson(submissionsPageUrl(secData, page.name));
      requests++;
      olderPagesFetched.push(page.name);
      // Page boundaries move between EDGAR rebuilds: skip rows the recent page already had.
      const seen = new Set(rows.map((r) => r.accession));
      rows.push(...parseSubmissionsPage(pageJson, `submissions page ${page.name}`).filter((r) => !seen.has(r.accession)));
      if (coversKnowledge(rows, known)) break;
    }
  }
  return { doc, rows, olderPagesFetched, requests };
}
