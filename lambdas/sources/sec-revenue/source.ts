import type { Change, ChangeDraft } from '#core/change.ts';
import { SourceError } from '#core/errors.ts';
import type { ItemWrite } from '#core/ports.ts';
import type { SourceContext, SourceDefinition } from '#core/source.ts';
import { describeEntity } from './breakdowns.ts';
import { DEFAULT_THRESHOLDS, detectRevenueChanges, type RevenueSeries, type RevenueThresholds, trimSeries } from './detect.ts';
import { defaultLabelCache, type LabelCache, labelledBreakdowns } from './fetch-labels.ts';
import { readXbrl } from './xbrl-reader.ts';
import { fetchFilingDocument } from '../sec/filing-ref.ts';
import { readNewFilings } from '../sec/new-filings.ts';

/**
 * The `sec-revenue` source: an analysis fed by `sec-filings`. Each cycle reads the
 * `filing.new` changes logged since its cursor, fetches the primary (inline XBRL) document
 * of each 10-K, 10-Q and 20-F (and amendments) through the shared SEC-rate-limited client,
 * and, when it has geographic revenue, the filing's label linkbase (two more requests: the
 * folder's `index.json`, then the `*_lab.xml` it names — cached per folder; without it
 * members are named from their QNames),
 * extracts geographic revenue, and compares it with the company's stored series
 * (`series#<cik>` state items). Nothing is written unless every filing of the cycle was
 * analysed: a document that does not parse fails the cycle and the next run retries it.
 */

/** Where the source is in the change log. */
export interface SecRevenueCursor {
  /** `detectedAt` of the newest `filing.new` change processed (the change-log query is inclusive). */
  since: string;
  /** Accessions already processed at `since` (and the last few before), so they are not analysed twice. */
  processed: string[];
}

export interface SecRevenueOptions {
  thresholds?: Partial<RevenueThresholds>;
  /** Filings analysed per cycle; the rest wait for the next run (each document is 1–3 MB). */
  maxFilingsPerCycle?: number;
  /** How far back the first run looks. */
  lookbackDays?: number;
  /** Label sets by filing folder (default: one per process). */
  labelCache?: LabelCache;
}

/** Forms whose primary document carries the financial statements. */
const FORMS = /^(10-K|10-Q|20-F|10-KT|10-QT)(\/A)?$/;
const PROCESSED_TAIL = 50;

/** Build the source (options for tests and tuning); {@link secRevenueSource} is the default one. */
export function createSecRevenueSource(options: SecRevenueOptions = {}): SourceDefinition<SecRevenueCursor> {
  const maxPerCycle = options.maxFilingsPerCycle ?? 20;
  const lookbackMs = (options.lookbackDays ?? 7) * 86_400_000;
  const thresholds = { ...DEFAULT_THRESHOLDS, ...(options.thresholds ?? {}) };
  const labelCache = options.labelCache ?? defaultLabelCache;

  return {
    name: 'sec-revenue',
    async poll(ctx: SourceContext<SecRevenueCursor>) {
      // The query starts exactly at `since` (inclusive); the cursor's accessions at that instant are skipped.
      const { since, found, batch, backlog } = await readNewFilings(ctx, {
        since: ctx.cursor?.since,
        processed: ctx.cursor?.processed ?? [],
        lookbackMs,
        overlapMs: 0,
        maxPerCycle,
        analyses: (filing) => FORMS.test(filing.form),
      });

      const seriesByCik = new Map<string, RevenueSeries | undefined>();
      const touched = new Set<string>();
      const changes: ChangeDraft[] = [];
      for (const { change, filing } of batch) {
        if (!filing.documentUrl) throw new SourceError('parse', `filing.new ${filing.accession} names no primary document`);
        const body = await fetchFilingDocument(ctx.http, filing.documentUrl, `${filing.form} ${filing.accession}`);
        const doc = await readXbrl(body);
        if (doc.format === 'unknown' || doc.stats.contextsSeen === 0) {
          throw new SourceError(
            'parse',
            `${filing.form} ${filing.accession}: ${filing.documentUrl} is not an XBRL document (no contexts found)`,
          );
        }
        const { breakdowns, labels } = await labelledBreakdowns(ctx.http, doc, filing.documentUrl, labelCache);
        const entity = describeEntity(doc, breakdowns);
        // Series items are keyed by the padded CIK (`series#0001045810`).
        const cik = filing.cik.padStart(10, '0');
        if (!seriesByCik.has(cik)) {
          seriesByCik.set(cik, (await ctx.readItem(`series#${cik}`)) as RevenueSeries | undefined);
        }
        const result = detectRevenueChanges({
          filing: {
            cik,
            ticker: change.subject,
            companyName: entity.name ?? filing.companyName ?? change.subject,
            accession: filing.accession,
            form: filing.form,
            url: filing.documentUrl,
            occurredAt: change.occurredAt,
            fiscal: { fiscalYear: entity.fiscalYear, fiscalPeriod: entity.fiscalPeriod, periodEnd: entity.periodEnd },
          },
          breakdowns,
          series: seriesByCik.get(cik),
          countriesOfInterest: ctx.config.countriesOfInterest,
          thresholds,
        });
        seriesByCik.set(cik, result.series);
        touched.add(cik);
        changes.push(...result.changes);
        ctx.log('filing analysed', {
          accession: filing.accession,
          form: filing.form,
          breakdowns: breakdowns.length,
          changes: result.changes.length,
          conflicts: doc.conflicts.length,
          labels: labels.status,
          ...(labels.detail ? { labelsError: labels.detail } : {}),
        });
      }

      const itemWrites: ItemWrite[] = [...touched].map((cik) => ({
        key: `series#${cik}`,
        value: trimSeries(seriesByCik.get(cik) as RevenueSeries) as unknown as Record<string, unknown>,
      }));
      return {
        changes,
        cursor: nextCursor(
          ctx.cursor,
          since,
          batch.map((b) => b.change),
          backlog,
          found,
        ),
        itemsSeen: batch.length,
        itemWrites,
      };
    },
  };
}

/**
 * Move `since` to the newest change analysed — or, when nothing is left waiting, to the
 * newest change seen at all (8-Ks included) so the query window stays short — and remember
 * the accessions processed at exactly that instant: the query is inclusive, and one
 * `sec-filings` cycle stamps all its changes with the same `detectedAt`.
 */
function nextCursor(
  previous: SecRevenueCursor | undefined,
  since: string,
  done: Change[],
  backlog: boolean,
  seen: Change[],
): SecRevenueCursor {
  const accessionOf = (c: Change) => String((c.data as Record<string, unknown>).accession);
  const newest = (list: Change[]) => [since, ...list.map((c) => c.detectedAt)].sort().at(-1) as string;
  const newSince = backlog ? newest(done) : newest(seen);
  const kept = newSince === previous?.since ? previous.processed : [];
  const atSince = done.filter((c) => c.detectedAt === newSince).map(accessionOf);
  const tail = [...(previous?.processed ?? []), ...done.map(accessionOf)].slice(-PROCESSED_TAIL);
  return { since: newSince, processed: [...new Set([...kept, ...atSince, ...tail])] };
}

/** The source the runtime and the Lambda run. */
export const secRevenueSource: SourceDefinition<SecRevenueCursor> = createSecRevenueSource();
