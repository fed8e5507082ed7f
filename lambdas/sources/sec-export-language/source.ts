import type { Change, ChangeDraft } from '#core/change.ts';
import { SourceError } from '#core/errors.ts';
import type { ItemWrite } from '#core/ports.ts';
import type { SourceContext, SourceDefinition } from '#core/source.ts';
import { primaryDocumentUrl } from '../sec/archive.ts';
import { fetchFilingDocument, type NewFiling, readFilingNew } from '../sec/filing-ref.ts';
import { fetchCompanySubmissions } from '../sec/fetch.ts';
import { readNewFilings } from '../sec/new-filings.ts';
import type { SubmissionRow } from '../sec/submissions.ts';
import {
  exportLanguageChange,
  type Family,
  type FilingRef,
  familyOf,
  isAnnual,
  nextReference,
  passagesKey,
  type Reference,
  referenceFromItem,
  referenceItem,
} from './detect.ts';
import { diffPassages, type PassageDiffResult } from './diff.ts';
import { analyseDocument, type FilingAnalysis } from './passages.ts';
import { EXPORT_EVENT_ITEMS } from './sections.ts';
import { compareWithStanding, nextStanding, standingPassages } from './standing.ts';

/**
 * The `sec-export-language` source: what a company newly says about export controls.
 *
 * An analysis fed by `sec-filings`: each cycle reads the `filing.new` changes logged since
 * its cursor (10-K, 10-Q, 20-F and amendments; 8-Ks with items 1.01, 2.02, 7.01 or 8.01),
 * oldest first, fetches each primary document through the shared SEC-rate-limited client,
 * extracts the export-control passages of its risk factors and MD&A (an 8-K: its event
 * items) and compares them with the company's reference passages (`passages#<cik>#<family>`,
 * see `detect.ts`); an 8-K with the company's standing language, i.e. its periodic
 * reference plus the passages of its earlier 8-Ks (`passages#<cik>#8-K`, see
 * `standing.ts`). Without a reference (a company seen for the first time) the previous
 * 10-K/10-Q is found in the company's submissions JSON and fetched. A document that does
 * not parse fails the whole cycle with `parse`: nothing is written, the cursor stays, and
 * the next run retries.
 */

/** Where the source is in the change log. */
export interface SecExportLanguageCursor {
  /** `detectedAt` of the newest `filing.new` change taken into account (the query is inclusive). */
  since: string;
  /** Accessions analysed whose changes the next query still returns (it starts a little before `since`). */
  processed: string[];
}

/** Tuning knobs (the shipped source uses the defaults). */
export interface SecExportLanguageOptions {
  /** Filings analysed per cycle; the rest wait for the next run (each may cost 1–4 requests). Default 10. */
  maxFilingsPerCycle?: number;
  /** How far back the first run looks. Default 7 days. */
  lookbackDays?: number;
}

/**
 * The query starts this long before `since`: a `sec-filings` run stamps its changes before
 * writing them, so a slow write could land just behind a cursor taken meanwhile.
 */
export const QUERY_OVERLAP_MS = 15 * 60 * 1000;
const MAX_PROCESSED = 500;
const FORMS = /^(10-K|10-Q|10-KT|10-QT|20-F|8-K)(\/A)?$/;

/** The fields of a `filing.new` change this source reads. */
export type FilingNew = NewFiling;

/** Read a `filing.new` change; undefined when it lacks what the analysis needs. */
export const readFiling = readFilingNew;

/** True when the analysis reads this filing: the right form and, for an 8-K, an event item where export news lands. */
export function isAnalysed(filing: Pick<FilingNew, 'form' | 'items'>): boolean {
  if (!FORMS.test(filing.form.trim().toUpperCase())) return false;
  if (familyOf(filing.form) === '8-K') return filing.items.some((i) => EXPORT_EVENT_ITEMS.includes(i));
  return true;
}

/**
 * The filing a new one is compared with when no reference is stored: the newest earlier
 * 10-K for an annual report (a complete statement against a complete statement), else the
 * newest earlier 10-K or 10-Q; the previous 20-F for a 20-F. Amendments are skipped (they
 * rarely restate risk factors). `rows` are submissions rows, newest first.
 */
export function findPreviousFiling(
  rows: readonly SubmissionRow[],
  filing: Pick<FilingNew, 'accession' | 'form' | 'filedAt'>,
  family: Family,
): SubmissionRow | undefined {
  const wanted = family === '20-F' ? ['20-F'] : isAnnual(filing.form) ? ['10-K', '10-KT'] : ['10-K', '10-Q', '10-KT', '10-QT'];
  const at = rows.findIndex((r) => r.accession === filing.accession);
  // The submissions JSON can lag the feed: without the filing itself, take rows filed no later.
  const older =
    at >= 0
      ? rows.slice(at + 1)
      : rows.filter((r) => r.accession !== filing.accession && (!filing.filedAt || r.filingDate <= filing.filedAt));
  return older.find((r) => wanted.includes(r.form.trim().toUpperCase()) && r.primaryDocument !== undefined);
}

async function fetchAnalysis(
  ctx: SourceContext<SecExportLanguageCursor>,
  url: string,
  form: string,
  accession: string,
): Promise<FilingAnalysis> {
  const body = await fetchFilingDocument(ctx.http, url, `${form} ${accession} (${url})`);
  return analyseDocument(body, form, `${form} ${accession} (${url})`);
}

/** Reference from the previous filing of the family, fetched (submissions JSON + its primary document). */
async function previousFilingReference(
  ctx: SourceContext<SecExportLanguageCursor>,
  filing: FilingNew,
  family: Family,
): Promise<Reference | undefined> {
  const subs = await fetchCompanySubmissions(ctx.http, ctx.config.urls.secData, filing.cik, undefined);
  const previous = findPreviousFiling(subs.rows, filing, family);
  if (!previous?.primaryDocument) return undefined;
  const url = primaryDocumentUrl(ctx.config.urls.secWww, filing.cik, previous.accession, previous.primaryDocument);
  const analysis = await fetchAnalysis(ctx, url, previous.form, previous.accession);
  ctx.log('fetched the previous filing for a first comparison', {
    cik: filing.cik,
    accession: previous.accession,
    form: previous.form,
    passages: analysis.passages.length,
  });
  return nextReference(
    { cik: filing.cik, accession: previous.accession, form: previous.form, filedAt: previous.filingDate },
    family,
    analysis.passages.map((p) => p.text),
    undefined,
  );
}

const accessionOf = (c: Change): string => String((c.data as Record<string, unknown>).accession ?? c.naturalKey);

/**
 * Move `since` to the newest change analysed (or, with nothing left waiting, the newest
 * seen at all) and remember the accessions analysed that the next query, which starts
 * {@link QUERY_OVERLAP_MS} earlier, will return again.
 */
export function nextCursor(
  previous: SecExportLanguageCursor | undefined,
  since: string,
  done: readonly Change[],
  backlog: boolean,
  seen: readonly Change[],
): SecExportLanguageCursor {
  const newest = (list: readonly Change[]) => [since, ...list.map((c) => c.detectedAt)].sort().at(-1) as string;
  const newSince = backlog ? newest(done) : newest(seen);
  const floor = new Date(Date.parse(newSince) - QUERY_OVERLAP_MS).toISOString();
  const analysed = new Set([...(previous?.processed ?? []), ...done.map(accessionOf)]);
  const keep = seen.filter((c) => c.detectedAt >= floor && analysed.has(accessionOf(c))).map(accessionOf);
  return { since: newSince, processed: [...new Set(keep)].slice(-MAX_PROCESSED) };
}

/** Build the source (options for tests and tuning); {@link secExportLanguageSource} is the shipped one. */
export function createSecExportLanguageSource(options: SecExportLanguageOptions = {}): SourceDefinition<SecExportLanguageCursor> {
  const maxPerCycle = options.maxFilingsPerCycle ?? 10;
  const lookbackMs = (options.lookbackDays ?? 7) * 86_400_000;

  return {
    name: 'sec-export-language',
    async poll(ctx) {
      // Oldest first, so references build up in filing order.
      const { since, found, batch, backlog } = await readNewFilings(ctx, {
        since: ctx.cursor?.since,
        processed: ctx.cursor?.processed ?? [],
        lookbackMs,
        overlapMs: QUERY_OVERLAP_MS,
        maxPerCycle,
        analyses: isAnalysed,
      });

      const references = new Map<string, Reference | undefined>();
      const touched = new Set<string>();
      const changes: ChangeDraft[] = [];
      for (const { change, filing } of batch) {
        const family = familyOf(filing.form) as Family;
        if (!filing.documentUrl) throw new SourceError('parse', `filing.new ${filing.accession} names no primary document`);
        const analysis = await fetchAnalysis(ctx, filing.documentUrl, filing.form, filing.accession);
        const current = analysis.passages.map((p) => p.text);
        const ref: FilingRef = {
          cik: filing.cik,
          subject: change.subject,
          companyName: filing.companyName,
          accession: filing.accession,
          form: filing.form,
          url: filing.documentUrl,
          occurredAt: change.occurredAt,
        };
        const logFields = {
          accession: filing.accession,
          form: filing.form,
          passages: current.length,
          sections: analysis.sections.map((s) => s.kind),
          wholeDocument: analysis.wholeDocument,
        };

        if (family === '8-K') {
          // An 8-K mostly repeats what the company already says (cautionary paragraphs,
          // restated risk factors): only what is new against its standing language is news.
          const keys = {
            periodic: passagesKey(filing.cik, 'periodic'),
            foreign: passagesKey(filing.cik, '20-F'),
            eightK: passagesKey(filing.cik, '8-K'),
          };
          for (const key of Object.values(keys)) if (!references.has(key)) references.set(key, referenceFromItem(await ctx.readItem(key)));
          let standing = references.get(keys.eightK);
          if (standing?.accession === filing.accession) {
            ctx.log('8-K already folded into the standing language; skipped', logFields);
            continue;
          }
          if (current.length === 0) {
            ctx.log('8-K analysed', { ...logFields, change: false });
            continue;
          }
          let periodic = references.get(keys.periodic) ?? references.get(keys.foreign);
          let seeded = false;
          if (!periodic && !standing) {
            // First sight of the company: its latest 10-K/10-Q is the standing language. It
            // seeds the 8-K item only, never the periodic reference, so the company's first
            // 10-K/10-Q still finds and compares with its own previous filing as before.
            periodic = await previousFilingReference(ctx, filing, 'periodic');
            if (periodic) standing = nextStanding(undefined, periodic, periodic.passages);
            seeded = Boolean(periodic);
          }
          const news = compareWithStanding(
            standingPassages([references.get(keys.periodic), references.get(keys.foreign), standing]),
            current,
          );
          const draft = exportLanguageChange(ref, news, periodic ? { accession: periodic.accession, form: periodic.form } : undefined);
          if (draft) changes.push(draft);
          ctx.log('8-K analysed', {
            ...logFields,
            seeded,
            standing: periodic?.accession,
            added: news.added.length,
            changed: news.changed.length,
            repeated: news.repeated,
            change: Boolean(draft),
          });
          references.set(keys.eightK, nextStanding(standing, filing, current));
          touched.add(keys.eightK);
          continue;
        }

        const key = passagesKey(filing.cik, family);
        if (!references.has(key)) references.set(key, referenceFromItem(await ctx.readItem(key)));
        let reference = references.get(key);
        if (reference?.accession === filing.accession) {
          ctx.log('filing already folded into the reference; skipped', logFields);
          continue;
        }
        if (reference?.filedAt && filing.filedAt && filing.filedAt < reference.filedAt) {
          ctx.log('filing older than the reference; skipped', { ...logFields, reference: reference.accession });
          continue;
        }
        if (current.length === 0) {
          // A Part III-only 10-K/A, or a layout we could not section: no statement, so the
          // reference stays as it is rather than reporting every passage as removed.
          ctx.log('no export-control passages found; reference kept', logFields);
          continue;
        }
        reference ??= await previousFilingReference(ctx, filing, family);
        let diff: PassageDiffResult | undefined;
        if (reference) {
          diff = diffPassages(reference.passages, current, { reportRemoved: isAnnual(filing.form) });
          const draft = exportLanguageChange(ref, diff, { accession: reference.accession, form: reference.form });
          if (draft) changes.push(draft);
          ctx.log('filing analysed', {
            ...logFields,
            previous: reference.accession,
            added: diff.added.length,
            changed: diff.changed.length,
            removed: diff.removed.length,
            change: Boolean(draft),
          });
        } else {
          ctx.log('no earlier filing to compare with; passages recorded', logFields);
        }
        references.set(key, nextReference(filing, family, current, diff));
        touched.add(key);
      }

      const itemWrites: ItemWrite[] = [...touched].map((key) => ({ key, value: referenceItem(references.get(key) as Reference) }));
      for (const w of itemWrites) {
        const truncated = (w.value as { truncated?: number } | null)?.truncated ?? 0;
        // The 8-K standing item is bounded by design (old passages age out); a periodic
        // reference losing passages is worth a log line.
        if (truncated > 0 && !w.key.endsWith('#8-K')) ctx.log('reference truncated to fit a state item', { key: w.key, truncated });
      }
      const cursor = nextCursor(
        ctx.cursor,
        since,
        batch.map((b) => b.change),
        backlog,
        found,
      );
      return { changes, cursor, itemsSeen: batch.length, itemWrites };
    },
  };
}

/** The source the runtime and the Lambda run. */
export const secExportLanguageSource: SourceDefinition<SecExportLanguageCursor> = createSecExportLanguageSource();
