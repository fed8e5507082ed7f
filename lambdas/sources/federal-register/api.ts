import * as z from 'zod';
import { SourceError } from '#core/errors.ts';

/**
 * Federal Register API response shapes (docs/upstreams.md §4), validated with zod. Pure: no I/O,
 * no AWS. Only the fields export-watch reads are declared; zod strips the rest, so the
 * full default field set (e.g. `fr_document_full_2025-05887.json`) parses too.
 */

/** The BIS agency slug in `conditions[agencies][]` and in each document's `agencies[]`. */
export const BIS_AGENCY_SLUG = 'industry-and-security-bureau';

/** The API reports at most 10,000 hits; a count at the cap means the query was too broad. */
export const FR_RESULT_CAP = 10_000;

/**
 * The `fields[]` we request from `documents.json`. Explicit because the default set differs
 * between endpoints and an unknown field answers 400 (so a typo fails loudly, not silently).
 */
export const DOCUMENT_FIELDS = [
  'document_number',
  'title',
  'type',
  'abstract',
  'action',
  'publication_date',
  'effective_on',
  'html_url',
  'pdf_url',
  'public_inspection_pdf_url',
  'cfr_references',
  'agencies',
  'regulation_id_numbers',
  'correction_of',
  'corrections',
  'citation',
  'signing_date',
  'dates',
] as const;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** One agency as listed on a document (`raw_name`, `url`, … are ignored). */
export const AgencySchema = z.object({
  name: z.string().nullish(),
  slug: z.string().nullish(),
  id: z.number().nullish(),
  parent_id: z.number().nullish(),
});
/** An agency of a document. */
export type FrAgency = z.infer<typeof AgencySchema>;

/** `cfr_references[]`: title and part arrive as numbers, occasionally as strings or null. */
export const CfrReferenceSchema = z.object({
  title: z.union([z.number(), z.string()]).nullish(),
  part: z.union([z.number(), z.string()]).nullish(),
});
/** A CFR title/part a document affects. */
export type FrCfrReference = z.infer<typeof CfrReferenceSchema>;

/** A published document with the fields of {@link DOCUMENT_FIELDS}. */
export const FrDocumentSchema = z.object({
  document_number: z.string().min(1),
  title: z.string(),
  type: z.string(),
  abstract: z.string().nullish(),
  action: z.string().nullish(),
  publication_date: isoDate,
  effective_on: isoDate.nullish(),
  html_url: z.string(),
  pdf_url: z.string().nullish(),
  public_inspection_pdf_url: z.string().nullish(),
  cfr_references: z.array(CfrReferenceSchema).nullish(),
  agencies: z.array(AgencySchema),
  regulation_id_numbers: z.array(z.string()).nullish(),
  /** An API URL of the corrected document (`…/api/v1/documents/2026-16628.json`), or null. */
  correction_of: z.string().nullish(),
  /** API URLs of the corrections of this document. */
  corrections: z.array(z.string()).nullish(),
  citation: z.string().nullish(),
  signing_date: isoDate.nullish(),
  dates: z.string().nullish(),
});
/** A published Federal Register document. */
export type FrDocument = z.infer<typeof FrDocumentSchema>;

/**
 * A `documents.json` page. With zero hits the API omits `results` (and `total_pages`), so
 * `results` is optional here and {@link parseDocumentsPage} decides what its absence means.
 */
export const DocumentsPageSchema = z.object({
  description: z.string().nullish(),
  count: z.number().int().min(0),
  total_pages: z.number().int().nullish(),
  next_page_url: z.string().nullish(),
  results: z.array(FrDocumentSchema).optional(),
});

/** A parsed `documents.json` page. */
export interface DocumentsPage {
  count: number;
  nextPageUrl: string | undefined;
  results: FrDocument[];
}

/** A document on public inspection (`public-inspection-documents/current.json`). */
export const FrPublicInspectionSchema = z.object({
  document_number: z.string().min(1),
  /** Often ends in spaces upstream: trim before display or hashing. */
  title: z.string(),
  type: z.string().nullish(),
  agencies: z.array(AgencySchema),
  agency_names: z.array(z.string()).nullish(),
  filing_type: z.string().nullish(),
  /** Null once the document is withdrawn. */
  filed_at: z.string().nullish(),
  /** Null once the document is withdrawn; may be days ahead (next issue). */
  publication_date: isoDate.nullish(),
  editorial_note: z.string().nullish(),
  html_url: z.string().nullish(),
  pdf_url: z.string().nullish(),
  subject_1: z.string().nullish(),
  subject_2: z.string().nullish(),
  subject_3: z.string().nullish(),
  toc_subject: z.string().nullish(),
  toc_doc: z.string().nullish(),
  excerpts: z.string().nullish(),
});
/** A document on public inspection. */
export type FrPublicInspection = z.infer<typeof FrPublicInspectionSchema>;

/**
 * `public-inspection-documents/current.json`: unpaginated; `count` is the whole list.
 * Entries are validated one by one in {@link parsePublicInspectionCurrent}.
 */
export const PublicInspectionCurrentSchema = z.object({
  count: z.number().int().min(0),
  results: z.array(z.unknown()).optional(),
  special_filings_updated_at: z.string().nullish(),
  regular_filings_updated_at: z.string().nullish(),
});

/** A parsed `current.json`. */
export interface PublicInspectionCurrent {
  count: number;
  results: FrPublicInspection[];
  specialFilingsUpdatedAt: string | null;
  regularFilingsUpdatedAt: string | null;
  /** Malformed entries of other agencies, skipped. */
  skipped: number;
}

/** Zod issues as one short line, naming the first few bad paths. */
function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/**
 * Validate one `documents.json` page. Throws `SourceError('parse')` when the body does not
 * have the documented shape, including `results` missing while `count` is positive (the key
 * is only legitimately absent with zero hits).
 */
export function parseDocumentsPage(json: unknown, origin = 'documents.json'): DocumentsPage {
  const parsed = DocumentsPageSchema.safeParse(json);
  if (!parsed.success) throw new SourceError('parse', `${origin}: unexpected shape (${describe(parsed.error)})`);
  const { count, results, next_page_url } = parsed.data;
  if (results === undefined && count > 0) {
    throw new SourceError('parse', `${origin}: count is ${count} but the results key is missing`);
  }
  return { count, nextPageUrl: next_page_url ?? undefined, results: results ?? [] };
}

/** True when a raw entry names BIS anywhere (slug or name), however malformed it is. */
function mentionsBis(raw: unknown): boolean {
  return /industry-and-security-bureau|industry and security bureau|bureau of industry and security/i.test(JSON.stringify(raw) ?? '');
}

/**
 * Validate `public-inspection-documents/current.json`; `SourceError('parse')` on a bad
 * envelope or a malformed BIS entry. The list holds every agency's documents (107 on
 * 2026-10-02) and we use only BIS's, so a malformed entry of another agency is skipped
 * and counted rather than failing the cycle.
 */
export function parsePublicInspectionCurrent(json: unknown, origin = 'public-inspection current.json'): PublicInspectionCurrent {
  const parsed = PublicInspectionCurrentSchema.safeParse(json);
  if (!parsed.success) throw new SourceError('parse', `${origin}: unexpected shape (${describe(parsed.error)})`);
  const { count } = parsed.data;
  if (parsed.data.results === undefined && count > 0) {
    throw new SourceError('parse', `${origin}: count is ${count} but the results key is missing`);
  }
  const results: FrPublicInspection[] = [];
  let skipped = 0;
  for (const [i, raw] of (parsed.data.results ?? []).entries()) {
    const entry = FrPublicInspectionSchema.safeParse(raw);
    if (entry.success) results.push(entry.data);
    else if (mentionsBis(raw))
      throw new SourceError('parse', `${origin}: BIS entry results.${i} has an unexpected shape (${describe(entry.error)})`);
    else skipped++;
  }
  return {
    count,
    skipped,
    results,
    specialFilingsUpdatedAt: parsed.data.special_filings_updated_at ?? null,
    regularFilingsUpdatedAt: parsed.data.regular_filings_updated_at ?? null,
  };
}

/** Validate a single full document response (`/api/v1/documents/{number}.json`). */
export function parseDocument(json: unknown, origin = 'document'): FrDocument {
  const parsed = FrDocumentSchema.safeParse(json);
  if (!parsed.success) throw new SourceError('parse', `${origin}: unexpected shape (${describe(parsed.error)})`);
  return parsed.data;
}

/** True when an agency list (and optional PI `agency_names`) includes BIS, by slug or by name. */
export function isBisAgencyList(agencies: readonly FrAgency[], agencyNames?: readonly string[] | null): boolean {
  const bisName = /^\s*(?:industry and security bureau|bureau of industry and security)\s*$/i;
  return (
    agencies.some((a) => a.slug === BIS_AGENCY_SLUG || (a.name != null && bisName.test(a.name))) ||
    (agencyNames ?? []).some((n) => bisName.test(n))
  );
}

/**
 * Check a page of the BIS query for the API's silent fallbacks: a count at the 10,000 cap
 * (the query was too broad, e.g. the agency condition was dropped), documents of other
 * agencies (the filter fell back) or documents older than the window (the date condition
 * fell back). Each is a `SourceError('sanity')`: nothing is written and the cursor stays.
 */
export function assertBisPage(page: DocumentsPage, windowStart: string): void {
  if (page.count >= FR_RESULT_CAP) {
    throw new SourceError(
      'sanity',
      `documents.json reports ${page.count} hits (the ${FR_RESULT_CAP} cap): the BIS query is too broad or its filter was ignored`,
    );
  }
  const foreign = page.results.find((d) => !isBisAgencyList(d.agencies));
  if (foreign) {
    const agencies = foreign.agencies.map((a) => a.slug ?? a.name).join(', ');
    throw new SourceError(
      'sanity',
      `documents.json returned ${foreign.document_number} of ${agencies || 'no agency'}: the BIS agency filter fell back`,
    );
  }
  const early = page.results.find((d) => d.publication_date < windowStart);
  if (early) {
    throw new SourceError(
      'sanity',
      `documents.json returned ${early.document_number} published ${early.publication_date}, before the ${windowStart} window: the date filter fell back`,
    );
  }
}

/**
 * Decode `search_after_cursor` from a `next_page_url` (base64 of `[publication_epoch_ms,
 * "document_number"]`), for logs only: paging always follows the URL verbatim.
 */
export function decodeSearchAfterCursor(nextPageUrl: string): { publicationEpochMs: number; documentNumber: string } | undefined {
  let raw: string | null;
  try {
    raw = new URL(nextPageUrl, 'https://www.federalregister.gov').searchParams.get('search_after_cursor');
  } catch {
    return undefined;
  }
  if (!raw) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') {
      return { publicationEpochMs: value[0], documentNumber: value[1] };
    }
  } catch {
    // not ours to interpret: the cursor is opaque to the protocol
  }
  return undefined;
}

/**
 * The document number a correction corrects: from `correction_of` (an API URL or a bare
 * number) or from a `C1-<original>` document number. Undefined when neither says.
 */
export function correctionOfNumber(documentNumber: string, correctionOf?: string | null): string | undefined {
  const value = correctionOf?.trim();
  if (value) {
    // The serializer emits `api_v1_document_url(number, format: json)`; accept a bare number too.
    const match = /(?:^|\/documents\/)([A-Za-z0-9-]+?)(?:\.json)?(?:[?#].*)?$/.exec(value);
    if (match?.[1]) return match[1];
  }
  const prefixed = /^C\d+-(\d{4}-\d{4,6})$/i.exec(documentNumber);
  return prefixed?.[1];
}

/**
 * The public-inspection posting time encoded in `public_inspection_pdf_url` (`…pdf?1743770708`
 * = epoch seconds), as ISO; undefined when absent.
 */
export function publicInspectionPostedAt(publicInspectionPdfUrl?: string | null): string | undefined {
  const match = /\?(\d{9,11})$/.exec(publicInspectionPdfUrl ?? '');
  return match?.[1] ? new Date(Number(match[1]) * 1000).toISOString() : undefined;
}

/**
 * A public-inspection entry that was withdrawn: an editorial note, and neither a filing
 * time nor a publication date (2026-20295 in the 2026-10-02 list).
 */
export function isWithdrawn(doc: FrPublicInspection): boolean {
  return Boolean(doc.editorial_note?.trim()) && !doc.filed_at && !doc.publication_date;
}

/** Keep only BIS entries of a public-inspection list (the endpoint has no agency filter). */
export function filterBisPublicInspection(results: readonly FrPublicInspection[]): FrPublicInspection[] {
  return results.filter((d) => isBisAgencyList(d.agencies, d.agency_names));
}
