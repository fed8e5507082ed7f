import type { Change } from '#core/change.ts';
import { SourceError } from '#core/errors.ts';
import type { UpstreamClient } from '#core/http.ts';
import { primaryDocumentUrl } from './archive.ts';

/**
 * What the analyses fed by `sec-filings` (regional revenue, export-control language) read
 * from a `filing.new` change, and how they fetch the filing's primary document.
 */
export interface NewFiling {
  /** Unpadded CIK. */
  cik: string;
  accession: string;
  form: string;
  filedAt: string | undefined;
  items: string[];
  documentUrl: string | undefined;
  companyName: string | undefined;
}

/** Read a `filing.new` change; undefined when it lacks what an analysis needs. */
export function readFilingNew(change: Change, secWww: string): NewFiling | undefined {
  const d = change.data as Record<string, unknown>;
  const accession = typeof d.accession === 'string' ? d.accession : undefined;
  const form = typeof d.form === 'string' ? d.form : undefined;
  const cikRaw = typeof d.cik === 'number' ? String(d.cik) : typeof d.cik === 'string' ? d.cik : undefined;
  if (!accession || !form || !cikRaw || !/^\d{1,10}$/.test(cikRaw)) return undefined;
  const cik = String(Number(cikRaw));
  let documentUrl = typeof d.primaryDocumentUrl === 'string' && d.primaryDocumentUrl ? d.primaryDocumentUrl : undefined;
  if (!documentUrl && typeof d.primaryDocument === 'string' && d.primaryDocument)
    documentUrl = primaryDocumentUrl(secWww, cik, accession, d.primaryDocument);
  return {
    cik,
    accession,
    form,
    filedAt: typeof d.filedAt === 'string' ? d.filedAt : undefined,
    items: Array.isArray(d.items) ? d.items.map(String) : [],
    documentUrl,
    companyName: typeof d.companyName === 'string' ? d.companyName : undefined,
  };
}

const ACCEPT_DOCUMENT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/**
 * A filing document ends with its root element's closing tag (`</html>` for the primary
 * document, `</xbrl>` for an instance). Without it the body was cut short: HTML parsers
 * accept a truncated document silently, so an analysis would report half a filing.
 */
export function assertCompleteDocument(body: Uint8Array, where: string): void {
  const tail = Buffer.from(body.subarray(Math.max(0, body.length - 4096))).toString('latin1');
  if (!/<\/(?:[\w-]+:)?(?:html|xbrl)\s*>\s*$/i.test(tail)) {
    throw new SourceError('parse', `${where}: document is truncated (no closing </html> or </xbrl>)`);
  }
}

/** GET a filing document through the SEC-polite client and check that it is complete. */
export async function fetchFilingDocument(http: UpstreamClient, url: string, where: string): Promise<Buffer> {
  const response = await http.get(url, { accept: ACCEPT_DOCUMENT });
  assertCompleteDocument(response.body, where);
  return response.body;
}
