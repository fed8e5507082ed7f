import * as z from 'zod';
import { defineContract } from '#core/contract.ts';

/**
 * The `data` of a full-text mention (`filing.mention`), as detect.ts `mentionDraft` writes it:
 * a filing whose text uses one of the watched export-control phrases. The sector page
 * (analytics/sector.ts) and the daily round-up (notify/render/mentions.ts) read it. Loose
 * object: a field added later never breaks an older reader.
 */

/** One document of the filing that matched: its file name and EDGAR file type when given. */
export const MentionDocument = z.looseObject({ filename: z.string(), fileType: z.string().optional() });
/** One matching document. */
export type MentionDocument = z.infer<typeof MentionDocument>;

/** Data of `filing.mention`. Optional fields are written only when known. */
export const FilingMentionData = z.looseObject({
  accession: z.string(),
  /** 10-digit CIK as EFTS gives it. */
  cik: z.string(),
  company: z.string(),
  ticker: z.string().optional(),
  form: z.string().optional(),
  /** Filing date, YYYY-MM-DD. */
  filedAt: z.string().optional(),
  items: z.array(z.string()),
  /** The filer's SIC codes (`3674`), when EFTS gave any. */
  sics: z.array(z.string()).optional(),
  /** The phrase searched for (`Entity List`). */
  query: z.string(),
  queryId: z.string(),
  queryCountries: z.array(z.string()),
  documents: z.array(MentionDocument),
  /** True when the filer is on a ticker or SIC watch-list. */
  watched: z.boolean(),
  /** The paragraph with the phrase, null when it could not be read from the document. */
  passage: z.string().nullable(),
  /** File name of the document the passage came from; present with a passage. */
  passageDocument: z.string().optional(),
  /** [start, end) offsets of the phrase in `passage`, when located. */
  passageSpan: z.tuple([z.number(), z.number()]).optional(),
});
/** Data of `filing.mention`. */
export type FilingMentionData = z.infer<typeof FilingMentionData>;

/** The one kind of sec-full-text; `schema` is the discriminated union on `kind`. */
export const SEC_FULL_TEXT_CONTRACT = defineContract('sec-full-text', { 'filing.mention': FilingMentionData });
