import * as z from 'zod';
import type { ChangeDraft } from '#core/change.ts';
import { sha256 } from '#core/hash.ts';
import { capDraft, capString } from '#core/limits.ts';
import type { ItemWrite } from '#core/ports.ts';
import { addDays, formatEastern } from '#core/time.ts';
import { correctionOfNumber, type FrDocument, type FrPublicInspection, isWithdrawn, publicInspectionPostedAt } from './api.ts';
import type { FrPublicInspectionData, FrPublishedData, FrWithdrawnData } from './contract.ts';
import { classifyDocument, countryScope, extractCountries, type FrClassification, isHighImportance } from './classify.ts';

/**
 * Comparison of what the Federal Register lists now with what earlier runs saw (one state
 * item per document), producing change drafts and item writes. Pure: the caller fetches.
 */

/** Prefix of the per-document state items (`doc#2025-00636`). */
export const DOC_ITEM_PREFIX = 'doc#';

/** Days a document stays on the look-back window's trailing edge before its item is dropped. */
export const PUBLISHED_ITEM_MARGIN_DAYS = 7;

/** Public-inspection-only items (never published, or withdrawn) expire after this many days (~5 business days). */
export const PI_ITEM_TTL_DAYS = 10;

/** Longest summary, in characters. */
export const SUMMARY_MAX = 600;

/** Where a document stands, as far as export-watch has seen it. */
export const DOC_STATUSES = ['pi', 'published', 'withdrawn'] as const;

/** The state kept per document: small (a few hundred bytes) so reading all of them stays cheap. */
export const DocItemSchema = z.object({
  status: z.enum(DOC_STATUSES),
  publicationDate: z.string().nullable(),
  filedAt: z.string().nullable(),
  /** First 16 hex digits of the SHA-256 of the trimmed title: shows a retitling without storing prose. */
  titleHash: z.string(),
  classification: z.string(),
  /** When this run first saw the document (anywhere). */
  firstSeenAt: z.string(),
  /** True once the document was seen on public inspection before publication. */
  seenOnPublicInspection: z.boolean(),
  updatedAt: z.string(),
});
/** A stored per-document item (`doc#<number>`). */
export type DocItem = z.infer<typeof DocItemSchema>;

/** Change kinds this source emits. */
export const FR_KINDS = {
  publicInspection: 'fr.public-inspection',
  published: 'fr.published',
  document: 'fr.document',
  correction: 'fr.correction',
  withdrawn: 'fr.withdrawn',
} as const;

/** What {@link detectChanges} compares. */
export interface DetectInput {
  /** Published BIS documents in the look-back window (already checked by `assertBisPage`). */
  published: readonly FrDocument[];
  /** BIS documents currently on public inspection. */
  publicInspection: readonly FrPublicInspection[];
  /** Items of earlier runs, by document number. */
  known: ReadonlyMap<string, DocItem>;
  now: Date;
  /** First publication date of the window (YYYY-MM-DD), for pruning published items. */
  windowStart: string;
  /**
   * Publication date from which published items are kept even when unseen (default
   * `windowStart`): a later, wider window would otherwise find them again as new.
   */
  retainFrom?: string;
}

/** Change drafts, and the item writes (or deletes, `value: null`) that record them. */
export interface DetectOutput {
  changes: ChangeDraft[];
  itemWrites: ItemWrite[];
}

const titleHash = (title: string) => sha256(title.trim()).slice(0, 16);

/** Longest upstream time kept in a document item (an ISO instant is ~30 characters): items stay a few hundred bytes. */
const MAX_ITEM_TIME = 100;
const itemTime = (value: string | null | undefined): string | null =>
  value === null || value === undefined ? null : capString(value, MAX_ITEM_TIME);

/** Plain text: drops the markup the API leaves in abstracts (`Ga<INF>2</INF>O<INF>3</INF>`). */
export function plainText(text: string | null | undefined): string {
  return (text ?? '')
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Cut to `max` characters at a word boundary, with an ellipsis. */
export function truncate(text: string, max = SUMMARY_MAX): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function isCorrection(doc: { document_number: string; title: string }, correctionOf: string | undefined): boolean {
  // C1-… numbers and `correction_of` are the FR's own markers; agencies also publish
  // separately numbered rules titled "…; Correction" (2025-02655).
  return correctionOf !== undefined || /^C\d+-/i.test(doc.document_number) || /;\s*correction\s*$/i.test(doc.title.trim());
}

/** The change data common to published documents. */
/** The fields of {@link FrPublishedData} that depend on the document alone; {@link publishedDraft} appends the rest, in this key order. */
function publishedData(doc: FrDocument, classification: FrClassification) {
  return {
    documentNumber: doc.document_number,
    type: doc.type,
    action: doc.action ?? null,
    classification,
    publicationDate: doc.publication_date,
    effectiveOn: doc.effective_on ?? null,
    filedAt: publicInspectionPostedAt(doc.public_inspection_pdf_url) ?? null,
    abstract: plainText(doc.abstract) || null,
    htmlUrl: doc.html_url,
    pdfUrl: doc.pdf_url ?? null,
    citation: doc.citation ?? null,
    cfrReferences: (doc.cfr_references ?? []).map((r) => `${r.title ?? '?'} CFR ${r.part ?? '?'}`),
    correctionOf: correctionOfNumber(doc.document_number, doc.correction_of) ?? null,
    regulationIdNumbers: doc.regulation_id_numbers ?? [],
  };
}

/** Summary of a published document: type, dates, then the abstract. */
function publishedSummary(doc: FrDocument): string {
  const head = [`${doc.type}${doc.action ? ` (${plainText(doc.action).replace(/\.$/, '')})` : ''}`, `published ${doc.publication_date}`];
  if (doc.effective_on) head.push(`effective ${doc.effective_on}`);
  if (doc.citation) head.push(doc.citation);
  const dates = plainText(doc.dates);
  const abstract = plainText(doc.abstract);
  return truncate([`${head.join('; ')}.`, dates && !abstract.includes(dates) ? dates : '', abstract].filter(Boolean).join(' '));
}

/** Build the draft for a published document given what was known about it. */
export function publishedDraft(doc: FrDocument, previous: DocItem | undefined): ChangeDraft {
  const classification = classifyDocument({
    title: doc.title,
    abstract: doc.abstract,
    action: doc.action,
    type: doc.type,
    cfrReferences: doc.cfr_references,
  });
  const base = publishedData(doc, classification);
  const countries = extractCountries(doc.title, doc.abstract, doc.action);
  const correctionOf = base.correctionOf ?? undefined;
  const wasOnPi =
    previous !== undefined && (previous.status === 'pi' || previous.status === 'withdrawn' || previous.seenOnPublicInspection);
  const kind = isCorrection(doc, correctionOf) ? FR_KINDS.correction : wasOnPi ? FR_KINDS.published : FR_KINDS.document;
  // Key order as stored since the first version (the version is pinned, but `data` is compared as written).
  const data: FrPublishedData = {
    ...base,
    // Read by subscriber country filters (core/subscriber.ts): no country named is not "no country concerned".
    countryScope: countryScope(countries, doc.title, doc.abstract, doc.action),
    previouslyOnPublicInspection: wasOnPi,
  };
  if (wasOnPi && previous && previous.titleHash !== titleHash(doc.title)) data.titleChangedSincePublicInspection = true;
  if (previous?.status === 'withdrawn') data.previouslyWithdrawn = true;
  // Capped (core/limits.ts): one 450 KB abstract must not make the change too big to store.
  return capDraft({
    source: 'federal-register',
    kind,
    // fr.document and fr.published share the key and version on purpose: they are the same
    // event (publication), so whichever is written first makes the other a duplicate.
    naturalKey: `${doc.document_number}#published`,
    version: `published:${doc.publication_date}`,
    subject: 'BIS',
    title: doc.title.trim(),
    summary: publishedSummary(doc),
    url: doc.html_url,
    importance: isHighImportance(classification) ? 'high' : 'normal',
    countries,
    occurredAt: doc.publication_date,
    data,
  });
}

/** Text of a PI entry worth classifying: the title plus its table-of-contents subjects. */
function piText(doc: FrPublicInspection): string[] {
  return [doc.title, doc.toc_subject, doc.toc_doc, doc.subject_1, doc.subject_2, doc.subject_3, doc.excerpts].map((t) => t ?? '');
}

function piData(doc: FrPublicInspection, classification: FrClassification, filedAt: string | null): FrPublicInspectionData {
  // A PI listing has a title and subject lines only: countries are mostly unknown until publication.
  const texts = piText(doc);
  return {
    countryScope: countryScope(extractCountries(...texts), ...texts),
    documentNumber: doc.document_number,
    type: doc.type ?? null,
    action: null,
    classification,
    publicationDate: doc.publication_date ?? null,
    effectiveOn: null,
    filedAt,
    filingType: doc.filing_type ?? null,
    abstract: null,
    htmlUrl: doc.html_url ?? null,
    pdfUrl: doc.pdf_url ?? null,
    citation: null,
    cfrReferences: [],
    correctionOf: correctionOfNumber(doc.document_number) ?? null,
    regulationIdNumbers: [],
  };
}

function classifyPi(doc: FrPublicInspection): FrClassification {
  // A PI entry has no abstract: classify on the title and its subject lines only.
  return classifyDocument({ title: piText(doc).filter(Boolean).join('; '), type: doc.type });
}

/** The draft for a document newly on public inspection. */
export function publicInspectionDraft(doc: FrPublicInspection): ChangeDraft {
  const classification = classifyPi(doc);
  const filedAt = doc.filed_at ?? null;
  const when = [filedAt ? `on public inspection since ${formatEastern(filedAt)}` : 'on public inspection'];
  if (doc.publication_date) when.push(`scheduled for publication ${doc.publication_date}`);
  const special = doc.filing_type === 'special' ? ' (special filing)' : '';
  // Capped (core/limits.ts): an oversized upstream field must not make the change too big to store.
  return capDraft({
    source: 'federal-register',
    kind: FR_KINDS.publicInspection,
    naturalKey: `${doc.document_number}#pi`,
    version: `pi:${filedAt ?? 'unknown'}`,
    subject: 'BIS',
    title: doc.title.trim(),
    summary: truncate(`${doc.type ?? 'Document'}${special} ${when.join('; ')}. Not yet published: the text is the public-inspection copy.`),
    url: doc.pdf_url ?? doc.html_url ?? undefined,
    importance: isHighImportance(classification) ? 'high' : 'normal',
    countries: extractCountries(...piText(doc)),
    occurredAt: filedAt ?? undefined,
    data: piData(doc, classification, filedAt),
  });
}

/** The draft for a public-inspection document that was withdrawn before publication. */
export function withdrawnDraft(doc: FrPublicInspection, previous: DocItem | undefined): ChangeDraft {
  const classification = classifyPi(doc);
  const filedAt = previous?.filedAt ?? null;
  const data: FrWithdrawnData = {
    ...piData(doc, classification, filedAt),
    editorialNote: plainText(doc.editorial_note),
    previouslyOnPublicInspection: previous !== undefined,
  };
  // Capped (core/limits.ts): an oversized upstream field must not make the change too big to store.
  return capDraft({
    source: 'federal-register',
    kind: FR_KINDS.withdrawn,
    naturalKey: `${doc.document_number}#withdrawn`,
    version: 'withdrawn',
    subject: 'BIS',
    title: doc.title.trim(),
    summary: truncate(`Withdrawn from public inspection before publication. ${plainText(doc.editorial_note)}`),
    url: doc.html_url ?? doc.pdf_url ?? undefined,
    importance: isHighImportance(classification) ? 'high' : 'normal',
    countries: extractCountries(...piText(doc)),
    occurredAt: filedAt ?? undefined,
    data,
  });
}

/**
 * Compare the current listings with the known items.
 *
 * - Published first, so a document that is both published and still listed on public
 *   inspection (next-issue documents can show up early) yields one change, not two.
 * - A document seen on public inspection and now published becomes `fr.published` (an
 *   update of the PI alert) instead of a second "new document".
 * - Specials reappear in the next day's list: a known number is never re-alerted.
 * - A withdrawal is reported once; a withdrawn document never re-enters as a new PI alert
 *   (a stale cached copy of the list could otherwise resurrect it).
 */
export function detectChanges(input: DetectInput): DetectOutput {
  const nowIso = input.now.toISOString();
  const changes: ChangeDraft[] = [];
  const writes = new Map<string, DocItem | null>();
  const state = new Map(input.known);
  const seen = new Set<string>();

  const put = (number: string, item: DocItem) => {
    state.set(number, item);
    writes.set(number, item);
  };

  const published = new Map<string, FrDocument>();
  for (const doc of input.published) if (!published.has(doc.document_number)) published.set(doc.document_number, doc);

  for (const doc of published.values()) {
    const number = doc.document_number;
    seen.add(number);
    const previous = state.get(number);
    if (previous?.status === 'published') continue;
    const draft = publishedDraft(doc, previous);
    changes.push(draft);
    put(number, {
      status: 'published',
      publicationDate: doc.publication_date,
      filedAt: previous?.filedAt ?? itemTime(draft.data.filedAt as string | null),
      titleHash: titleHash(doc.title),
      classification: draft.data.classification as string,
      firstSeenAt: previous?.firstSeenAt ?? nowIso,
      seenOnPublicInspection: draft.data.previouslyOnPublicInspection === true,
      updatedAt: nowIso,
    });
  }

  const pis = new Map<string, FrPublicInspection>();
  for (const doc of input.publicInspection) if (!pis.has(doc.document_number)) pis.set(doc.document_number, doc);

  for (const doc of pis.values()) {
    const number = doc.document_number;
    seen.add(number);
    const previous = state.get(number);
    if (previous?.status === 'published' || previous?.status === 'withdrawn') continue;
    if (isWithdrawn(doc)) {
      const draft = withdrawnDraft(doc, previous);
      changes.push(draft);
      put(number, {
        status: 'withdrawn',
        publicationDate: null,
        filedAt: previous?.filedAt ?? null,
        titleHash: titleHash(doc.title),
        classification: draft.data.classification as string,
        firstSeenAt: previous?.firstSeenAt ?? nowIso,
        seenOnPublicInspection: true,
        updatedAt: nowIso,
      });
      continue;
    }
    if (previous) continue; // already alerted (a special reappearing the next day)
    const draft = publicInspectionDraft(doc);
    changes.push(draft);
    put(number, {
      status: 'pi',
      publicationDate: doc.publication_date ?? null,
      filedAt: itemTime(doc.filed_at),
      titleHash: titleHash(doc.title),
      classification: draft.data.classification as string,
      firstSeenAt: nowIso,
      seenOnPublicInspection: true,
      updatedAt: nowIso,
    });
  }

  // Bounded state: drop published items well behind the window (they cannot come back),
  // and PI-only items once they are old and gone from the list.
  const publishedCutoff = addDays(input.retainFrom ?? input.windowStart, -PUBLISHED_ITEM_MARGIN_DAYS);
  const piCutoff = new Date(input.now.getTime() - PI_ITEM_TTL_DAYS * 86_400_000).toISOString();
  for (const [number, item] of input.known) {
    if (seen.has(number) || writes.has(number)) continue;
    const expired = item.status === 'published' ? (item.publicationDate ?? '') < publishedCutoff : item.firstSeenAt < piCutoff;
    if (expired) writes.set(number, null);
  }

  return {
    changes,
    itemWrites: [...writes].map(([number, value]) => ({
      key: `${DOC_ITEM_PREFIX}${number}`,
      value: value as Record<string, unknown> | null,
    })),
  };
}

/** Parse stored items; malformed ones are skipped (and so rewritten when seen again). */
export function parseDocItems(items: ReadonlyArray<{ key: string; value: Record<string, unknown> }>): {
  known: Map<string, DocItem>;
  invalid: string[];
} {
  const known = new Map<string, DocItem>();
  const invalid: string[] = [];
  for (const { key, value } of items) {
    if (!key.startsWith(DOC_ITEM_PREFIX)) continue;
    const parsed = DocItemSchema.safeParse(value);
    if (parsed.success) known.set(key.slice(DOC_ITEM_PREFIX.length), parsed.data);
    else invalid.push(key);
  }
  return { known, invalid };
}
