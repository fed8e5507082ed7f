import * as z from 'zod';
import { defineContract } from '#core/contract.ts';
import { COUNTRY_SCOPES } from '#core/subscriber.ts';

/**
 * The `data` of the Federal Register's changes (`fr.*`), as `detect.ts` writes it and as the
 * change log holds it. Every kind carries the same document fields (a public-inspection copy
 * has most of them null until publication); the kinds differ in a few flags. Loose objects:
 * a field added later never breaks an older reader. Imported by notify/, so it declares its
 * small types itself instead of importing the source's internals.
 */

/**
 * `countryScope` (core/subscriber.ts): how far the change's countries reach. Absent in
 * changes stored before sources recorded it (`countryScopeOf` then falls back to `named`).
 */
const countryScope = z.enum(COUNTRY_SCOPES).optional();

/**
 * The document fields every `fr.*` change writes. `classification` is one of classify.ts's
 * `FR_CLASSIFICATIONS` (`entity-list-addition`, …, `other`), kept a string here so a class
 * added later, or one dropped since, still reads.
 */
const documentFields = {
  countryScope,
  documentNumber: z.string(),
  type: z.string().nullable(),
  action: z.string().nullable(),
  classification: z.string(),
  publicationDate: z.string().nullable(),
  effectiveOn: z.string().nullable(),
  /** When the document went on public inspection (ISO), from the PI PDF's URL or the PI listing. */
  filedAt: z.string().nullable(),
  /** Plain text (markup dropped), null when the API gave none. */
  abstract: z.string().nullable(),
  htmlUrl: z.string().nullable(),
  pdfUrl: z.string().nullable(),
  citation: z.string().nullable(),
  /** `15 CFR 744` per reference. */
  cfrReferences: z.array(z.string()),
  /** The corrected document's number, for corrections. */
  correctionOf: z.string().nullable(),
  regulationIdNumbers: z.array(z.string()),
};

/**
 * A published document: `fr.document`, `fr.published` (it was on public inspection first) and
 * `fr.correction`. `type`, `publicationDate` and `htmlUrl` are always set by the published API.
 */
export const FrPublishedData = z.looseObject({
  ...documentFields,
  type: z.string(),
  publicationDate: z.string(),
  htmlUrl: z.string(),
  previouslyOnPublicInspection: z.boolean(),
  /** Present (true) only when the title differs from the public-inspection copy's. */
  titleChangedSincePublicInspection: z.literal(true).optional(),
  /** Present (true) only when the document had been withdrawn from public inspection before. */
  previouslyWithdrawn: z.literal(true).optional(),
});
/** Data of `fr.document`, `fr.published` and `fr.correction`. */
export type FrPublishedData = z.infer<typeof FrPublishedData>;

/** A document newly on public inspection (`fr.public-inspection`): the listing's few fields, the rest null. */
export const FrPublicInspectionData = z.looseObject({
  ...documentFields,
  /** `regular` or `special` (the PI listing's `filing_type`). */
  filingType: z.string().nullable(),
});
/** Data of `fr.public-inspection`. */
export type FrPublicInspectionData = z.infer<typeof FrPublicInspectionData>;

/** A public-inspection document withdrawn before publication (`fr.withdrawn`). */
export const FrWithdrawnData = z.looseObject({
  ...FrPublicInspectionData.shape,
  /** The listing's editorial note, as plain text ('' when it gave none). */
  editorialNote: z.string(),
  /** False when export-watch never saw the document on public inspection before its withdrawal. */
  previouslyOnPublicInspection: z.boolean(),
});
/** Data of `fr.withdrawn`. */
export type FrWithdrawnData = z.infer<typeof FrWithdrawnData>;

/** Every `fr.*` kind with its data schema; `schema` is their discriminated union on `kind`. */
export const FEDERAL_REGISTER_CONTRACT = defineContract('federal-register', {
  'fr.document': FrPublishedData,
  'fr.published': FrPublishedData,
  'fr.correction': FrPublishedData,
  'fr.public-inspection': FrPublicInspectionData,
  'fr.withdrawn': FrWithdrawnData,
});
/** Any data of a Federal Register change. */
export type FrData = FrPublishedData | FrPublicInspectionData | FrWithdrawnData;
