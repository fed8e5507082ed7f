import * as z from 'zod';
import { defineContract } from '#core/contract.ts';

/**
 * The `data` of an export-control language change, as detect.ts `exportLanguageChange`
 * writes it (the CLI's `--json` prints exactly this): the filing's passages that are new,
 * gone or reworded against the previous filing (`export-language.changed`) or against the
 * standing language (`export-language.8k`). Loose objects: a field added later never breaks
 * an older reader. Imported by notify/, so it declares its small types itself.
 */

/** One step of a word diff: `equal` and `insert` steps spell the new text, `delete` steps the old. */
export const WordOpData = z.looseObject({ op: z.enum(['equal', 'insert', 'delete']), text: z.string() });
/** One word-diff step. */
export type WordOpData = z.infer<typeof WordOpData>;

/**
 * A reworded passage. `diff` is the word diff; readers compute it from `before` and `after`
 * when a record lacks it (notify/render/language.ts `diffOf`).
 */
export const ChangedPassageData = z.looseObject({
  before: z.string(),
  after: z.string(),
  diff: z.array(WordOpData).optional(),
});
/** One reworded passage. */
export type ChangedPassageData = z.infer<typeof ChangedPassageData>;

/** Data of both export-language kinds. */
export const ExportLanguageData = z.looseObject({
  form: z.string(),
  accession: z.string().nullable(),
  /** The filing compared with (for an 8-K: the latest periodic filing of the standing language), null when none. */
  previousAccession: z.string().nullable(),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(ChangedPassageData),
  /** Present only when the lists were cut to fit a change item: how many entries were left out. */
  omitted: z.looseObject({ added: z.number(), removed: z.number(), changed: z.number() }).optional(),
  /** The filing's URL; readers take it over the change's own `url` when a record carries it. */
  url: z.string().optional(),
});
/** Data of `export-language.changed` and `export-language.8k`. */
export type ExportLanguageData = z.infer<typeof ExportLanguageData>;

/** Both kinds of sec-export-language; `schema` is their discriminated union on `kind`. */
export const SEC_EXPORT_LANGUAGE_CONTRACT = defineContract('sec-export-language', {
  'export-language.changed': ExportLanguageData,
  'export-language.8k': ExportLanguageData,
});
