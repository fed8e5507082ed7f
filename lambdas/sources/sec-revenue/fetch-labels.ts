import { SourceError } from '#core/errors.ts';
import type { UpstreamClient } from '#core/http.ts';
import { type Breakdown, extractBreakdowns } from './breakdowns.ts';
import { labelLinkbaseName, type MemberLabels, NO_LABELS, parseLabelLinkbase } from './label-linkbase.ts';
import type { XbrlDocument } from './xbrl-reader.ts';

/**
 * The member labels of a filing: its folder's `index.json` names the label linkbase
 * (`nvda-20250727_lab.xml`; names vary, e.g. `dats-20240116_lab.xml` beside
 * `ea191807-8k_datchat.htm`), which is then read. Both go through the SEC-polite client.
 * Labels are cosmetic: a folder without a linkbase, or one that cannot be read, gives no
 * labels (names are derived from member QNames) rather than failing the analysis — except
 * an SEC block or a missing User-Agent, which must stop the cycle like any other request.
 */

/** What was found for a filing folder. */
export interface FilingLabels {
  labels: MemberLabels;
  /** `linkbase`: read; `none`: the folder has no label linkbase; `unavailable`: it could not be read. */
  status: 'linkbase' | 'none' | 'unavailable';
  /** The linkbase's file name, when there is one. */
  file?: string | undefined;
  /** Why labels are unavailable. */
  detail?: string | undefined;
}

/**
 * Label sets by filing folder, most recently used last. A filing folder never changes once
 * accepted, so a set read once serves re-analyses and the history backfill of the same
 * filing in this process; only what was read (or found absent) is kept, never a failure.
 */
export class LabelCache {
  private readonly entries = new Map<string, FilingLabels>();
  constructor(private readonly max = 64) {}

  get(folder: string): FilingLabels | undefined {
    const hit = this.entries.get(folder);
    if (hit) {
      this.entries.delete(folder);
      this.entries.set(folder, hit);
    }
    return hit;
  }

  set(folder: string, value: FilingLabels): void {
    this.entries.delete(folder);
    this.entries.set(folder, value);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The process-wide cache the source uses by default (warm Lambda containers, the CLI). */
export const defaultLabelCache = new LabelCache();

/** Errors a label lookup must not swallow: SEC asked us to stop, or we may not call SEC at all. */
const FATAL = new Set(['blocked', 'config', 'rate-limited']);

/** `https://…/data/1045810/000104581025000209/` for a document in that folder. */
export function filingFolderOf(documentUrl: string): string {
  const url = new URL(documentUrl);
  url.search = '';
  url.hash = '';
  url.pathname = url.pathname.replace(/[^/]*$/, '');
  return url.toString();
}

/** Read the member labels of the filing whose primary document is `documentUrl` (two requests, cached per folder). */
export async function fetchFilingLabels(
  http: UpstreamClient,
  documentUrl: string,
  cache: LabelCache = defaultLabelCache,
): Promise<FilingLabels> {
  const folder = filingFolderOf(documentUrl);
  const cached = cache.get(folder);
  if (cached) return cached;
  const primary = new URL(documentUrl).pathname.split('/').pop();
  try {
    // Not getJson: a 404 (no listing) is an answer here, and its body is not JSON.
    const listing = await http.get(`${folder}index.json`, { acceptStatus: [404], accept: 'application/json' });
    let file: string | undefined;
    if (listing.status !== 404) {
      try {
        file = labelLinkbaseName(JSON.parse(listing.body.toString('utf8')), primary);
      } catch (err) {
        throw new SourceError('parse', `${folder}index.json is not JSON (${(err as Error).message})`);
      }
    }
    if (!file) {
      const none: FilingLabels = { labels: NO_LABELS, status: 'none' };
      cache.set(folder, none);
      return none;
    }
    const lab = await http.get(`${folder}${file}`, { acceptStatus: [404], accept: 'application/xml,text/xml;q=0.9,*/*;q=0.8' });
    const labels = lab.status === 404 ? NO_LABELS : parseLabelLinkbase(lab.body);
    const found: FilingLabels = labels.size ? { labels, status: 'linkbase', file } : { labels: NO_LABELS, status: 'none', file };
    cache.set(folder, found);
    return found;
  } catch (err) {
    if (err instanceof SourceError && FATAL.has(err.kind)) throw err;
    return { labels: NO_LABELS, status: 'unavailable', detail: (err as Error).message };
  }
}

/**
 * The geographic breakdowns of a read filing, with the filer's own member labels. Labels
 * are fetched only for a filing that has geography (Apple's 10-Qs have none: two requests
 * saved), and only after the document was read (a filing that cannot be read fails before
 * any label request). The live analysis and the history backfill both read filings this way.
 */
export async function labelledBreakdowns(
  http: UpstreamClient,
  doc: XbrlDocument,
  documentUrl: string,
  cache: LabelCache = defaultLabelCache,
): Promise<{ breakdowns: Breakdown[]; labels: FilingLabels }> {
  const unlabelled = extractBreakdowns(doc);
  if (unlabelled.length === 0) return { breakdowns: unlabelled, labels: { labels: NO_LABELS, status: 'none' } };
  const labels = await fetchFilingLabels(http, documentUrl, cache);
  return { breakdowns: labels.labels.size ? extractBreakdowns(doc, { labels: labels.labels }) : unlabelled, labels };
}
