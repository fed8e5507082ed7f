import * as z from 'zod';
import { defineContract } from '#core/contract.ts';

/**
 * The `data` of a new EDGAR filing (`filing.new`), as detect.ts `filingChange` writes it. The
 * analyses fed by sec-filings (regional revenue, export-control language) read it back from
 * the change log through filing-ref.ts `readFilingNew`, the email renderer through this
 * contract. Loose object: a field added later never breaks an older reader.
 */

/**
 * A CIK: unpadded digits as written (`1045810`). Readers have always also taken a number, so a
 * record written by hand or by another tool with `cik: 1045810` still reads.
 */
export const CikData = z.union([z.string(), z.number()]);

/** Data of `filing.new`. */
export const FilingNewData = z.looseObject({
  cik: CikData,
  /** `0001045810-25-000209`. */
  accession: z.string(),
  /** As EDGAR lists it: `10-Q`, `8-K/A`. */
  form: z.string(),
  /** Filing date, YYYY-MM-DD. */
  filedAt: z.string(),
  /** EDGAR's acceptance time, raw (its "Z" is sometimes Eastern time). Absent in hand-made records. */
  acceptedAt: z.string().nullish(),
  periodOfReport: z.string().nullable(),
  /** 8-K item numbers (`2.02`), empty for other forms. Readers turn numbers into strings. */
  items: z.array(z.union([z.string(), z.number()])),
  /** The primary document's file name; absent in hand-made records (then `primaryDocumentUrl` alone). */
  primaryDocument: z.string().nullish(),
  primaryDocumentUrl: z.string().nullish(),
  /** The filing's index folder URL. */
  indexUrl: z.string(),
  companyName: z.string(),
});
/** Data of `filing.new`. */
export type FilingNewData = z.infer<typeof FilingNewData>;

/** The one kind of sec-filings; `schema` is the discriminated union on `kind`. */
export const SEC_FILINGS_CONTRACT = defineContract('sec-filings', { 'filing.new': FilingNewData });
