import type { Clock } from '#core/clock.ts';
import type { AppConfig } from '#core/config.ts';
import { SourceError } from '#core/errors.ts';
import type { UpstreamClient } from '#core/http.ts';
import type { SourceStatePort } from '#core/ports.ts';
import { primaryDocumentUrl } from '#sources/sec/archive.ts';
import { unpadCik } from '#sources/sec/cik.ts';
import { fetchCompanySubmissions, submissionsPageUrl } from '#sources/sec/fetch.ts';
import { fetchCompanyTickers } from '#sources/sec-filings/fetch.ts';
import { fetchFilingDocument } from '#sources/sec/filing-ref.ts';
import { olderPagesNewestFirst, parseSubmissionsPage, type SubmissionRow } from '#sources/sec/submissions.ts';
import {
  buildTickerCache,
  cacheCovers,
  isCikEntry,
  normaliseTicker,
  resolveWatchlist,
  tickerCacheFromItem,
} from '#sources/sec-filings/tickers.ts';
import { describeEntity } from '#sources/sec-revenue/breakdowns.ts';
import { detectRevenueChanges, type RevenueSeries, type StoredPeriod, trimSeries } from '#sources/sec-revenue/detect.ts';
import { labelledBreakdowns } from '#sources/sec-revenue/fetch-labels.ts';
import { readXbrl } from '#sources/sec-revenue/xbrl-reader.ts';

/**
 * History backfill (`export-watch revenue-history`): the quarterly regional series of a
 * company from its past 10-Q/10-K filings, merged into sec-revenue's stored series item
 * (`series#<10-digit CIK>`) with the source's own functions — the same reader, breakdowns,
 * fiscal labels, derived fourth quarters and merge rules as a live cycle. It writes no
 * changes: history is context for the next alert, not news.
 */

/** The forms sec-revenue analyses, originals only: an amendment (10-K/A) is usually Part III without financial statements. */
export const HISTORY_FORMS = /^(10-K|10-Q|20-F|10-KT|10-QT)$/;
/** Filings read when `--filings` is not given: two years of quarters. */
export const DEFAULT_HISTORY_FILINGS = 8;
/** The sec-filings state item that caches the ticker map. */
const TICKERS_ITEM = 'tickers';
/** Older submissions pages read at most, when the recent page holds too few periodic reports. */
const MAX_OLDER_PAGES = 3;

/** What a backfill needs. */
export interface HistoryDeps {
  config: AppConfig;
  http: UpstreamClient;
  state: SourceStatePort;
  clock: Clock;
  /** One progress line. */
  log: (line: string) => void;
}

/** How one filing went. */
export interface HistoryFiling {
  accession: string;
  form: string;
  filingDate: string;
  reportDate: string | undefined;
  status: 'ok' | 'skipped' | 'failed';
  breakdowns: number;
  /** Period keys this filing added to the series. */
  added: string[];
  /** Why it was skipped or failed. */
  reason?: string | undefined;
}

/** The outcome of a backfill. */
export interface HistoryResult {
  /** 10-digit CIK. */
  cik: string;
  ticker: string;
  name: string;
  /** The state item written (`series#<cik>`), or undefined when nothing was stored. */
  seriesKey: string | undefined;
  filings: HistoryFiling[];
  series: RevenueSeries | undefined;
}

/** The company behind a ticker or CIK, resolved the way sec-filings resolves its watch-list. */
async function resolveCompany(
  entry: string,
  deps: HistoryDeps,
): Promise<{ cik: string; ticker: string | undefined; title: string | undefined }> {
  if (isCikEntry(entry)) return { cik: unpadCik(entry.trim()), ticker: undefined, title: undefined };
  // sec-filings keeps the watched part of company_tickers.json; use it when it knows the ticker.
  const cached = tickerCacheFromItem(await deps.state.getItem('sec-filings', TICKERS_ITEM));
  const cache = cacheCovers(cached, [entry])
    ? cached
    : buildTickerCache([entry], await fetchCompanyTickers(deps.http, deps.config.urls.secWww), deps.clock.now());
  const [company] = resolveWatchlist([entry], cache);
  if (!company) throw new SourceError('config', `ticker ${JSON.stringify(entry)} not found in EDGAR company_tickers.json`);
  return { cik: company.cik, ticker: company.ticker, title: company.title };
}

/** The last `n` periodic reports, oldest first, reading older submissions pages only when the recent one has too few. */
async function periodicReports(
  cik: string,
  n: number,
  deps: HistoryDeps,
): Promise<{ rows: SubmissionRow[]; all: SubmissionRow[]; name: string; tickers: string[] }> {
  const { doc, rows } = await fetchCompanySubmissions(deps.http, deps.config.urls.secData, cik, undefined);
  const all = [...rows];
  const pick = () => all.filter((r) => HISTORY_FORMS.test(r.form) && r.primaryDocument);
  for (const page of olderPagesNewestFirst(doc.olderPages).slice(0, MAX_OLDER_PAGES)) {
    if (pick().length >= n) break;
    const { json } = await deps.http.getJson(submissionsPageUrl(deps.config.urls.secData, page.name));
    const seen = new Set(all.map((r) => r.accession));
    all.push(...parseSubmissionsPage(json, `submissions page ${page.name}`).filter((r) => !seen.has(r.accession)));
  }
  const newestFirst = pick().sort((a, b) => b.filingDate.localeCompare(a.filingDate) || b.accession.localeCompare(a.accession));
  return { rows: newestFirst.slice(0, n).reverse(), all, name: doc.name, tickers: doc.tickers };
}

/**
 * Periods of the series that a filing filed on `filingDate` must not overwrite: those
 * stored from a later filing (a recast the older filing predates) or from a filing this
 * history does not know (stored by the live source; never discard data of unknown age).
 */
function newerPeriods(
  series: RevenueSeries | undefined,
  filingDate: string,
  accession: string,
  filedOn: Map<string, string>,
): Map<string, StoredPeriod> {
  const keep = new Map<string, StoredPeriod>();
  for (const [key, period] of Object.entries(series?.periods ?? {})) {
    const source = period.accession;
    if (!source || source === accession) continue;
    const date = filedOn.get(source);
    if (date === undefined || date > filingDate) keep.set(key, period);
  }
  return keep;
}

/**
 * Build the company's series from its last `filings` periodic reports (oldest first, so
 * later filings' recasts win and a Q3 10-Q's nine months are stored before the 10-K that
 * completes the fourth quarter) and store it. A filing that cannot be fetched or read is
 * reported and skipped; an SEC block stops the backfill at once. Holds sec-revenue's lease
 * so a live cycle never interleaves with the write.
 */
export async function backfillRevenueHistory(
  entry: string,
  options: { filings?: number | undefined },
  deps: HistoryDeps,
): Promise<HistoryResult> {
  const n = Math.max(1, Math.floor(options.filings ?? DEFAULT_HISTORY_FILINGS));
  const company = await resolveCompany(entry, deps);
  const { rows, all, name, tickers } = await periodicReports(company.cik, n, deps);
  const cik = company.cik.padStart(10, '0');
  const ticker = company.ticker ?? tickers[0] ?? normaliseTicker(entry);
  const key = `series#${cik}`;
  deps.log(`${ticker} (CIK ${company.cik}, ${name}): ${rows.length} periodic report(s) to read`);

  const owner = `revenue-history:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  const now = deps.clock.now();
  if (!(await deps.state.acquireLease('sec-revenue', owner, new Date(now.getTime() + 30 * 60_000), now))) {
    throw new Error('a sec-revenue cycle is running (it holds the source lease); try again in a few minutes');
  }
  try {
    const filedOn = new Map(all.map((r) => [r.accession, r.filingDate]));
    let series = (await deps.state.getItem('sec-revenue', key)) as RevenueSeries | undefined;
    const filings: HistoryFiling[] = [];
    for (const [i, row] of rows.entries()) {
      const label = `[${i + 1}/${rows.length}] ${row.form} ${row.reportDate ?? row.filingDate}`;
      const record: HistoryFiling = {
        accession: row.accession,
        form: row.form,
        filingDate: row.filingDate,
        reportDate: row.reportDate,
        status: 'ok',
        breakdowns: 0,
        added: [],
      };
      filings.push(record);
      const url = primaryDocumentUrl(deps.config.urls.secWww, company.cik, row.accession, row.primaryDocument as string);
      try {
        const doc = await readXbrl(await fetchFilingDocument(deps.http, url, `${row.form} ${row.accession}`));
        if (doc.format === 'unknown' || doc.stats.contextsSeen === 0) {
          record.status = 'skipped';
          record.reason = 'no XBRL in the primary document';
          deps.log(`${label} … skipped: ${record.reason}`);
          continue;
        }
        const { breakdowns } = await labelledBreakdowns(deps.http, doc, url);
        const entity = describeEntity(doc, breakdowns);
        const keep = newerPeriods(series, row.filingDate, row.accession, filedOn);
        const known = new Set(Object.keys(series?.periods ?? {}));
        const result = detectRevenueChanges({
          filing: {
            cik,
            ticker,
            companyName: entity.name ?? name,
            accession: row.accession,
            form: row.form,
            url,
            occurredAt: row.acceptanceDateTime,
            fiscal: { fiscalYear: entity.fiscalYear, fiscalPeriod: entity.fiscalPeriod, periodEnd: entity.periodEnd },
          },
          breakdowns,
          series,
          countriesOfInterest: deps.config.countriesOfInterest,
        });
        // The drafts are dropped on purpose: history is context, not news.
        series = result.series;
        for (const [k, period] of keep) series.periods[k] = period;
        record.breakdowns = breakdowns.length;
        record.added = Object.keys(series.periods).filter((k) => !known.has(k));
        const added = record.added.map((k) => (series as RevenueSeries).periods[k]?.fiscalLabel ?? k);
        deps.log(
          `${label} … ${breakdowns.length} breakdown${breakdowns.length === 1 ? '' : 's'}${added.length ? `, new: ${added.join(', ')}` : ''}`,
        );
      } catch (err) {
        if (err instanceof SourceError && (err.kind === 'blocked' || err.kind === 'config')) throw err;
        record.status = 'failed';
        record.reason = (err as Error).message;
        deps.log(`${label} … failed: ${record.reason}`);
      }
    }
    const stored = series !== undefined && filings.some((f) => f.status === 'ok');
    if (series && stored) {
      series = trimSeries(series);
      await deps.state.putItems('sec-revenue', [{ key, value: series as unknown as Record<string, unknown> }]);
    }
    return { cik, ticker, name, seriesKey: stored ? key : undefined, filings, series };
  } finally {
    await deps.state.releaseLease('sec-revenue', owner);
  }
}

/** "quarters Q2 FY2025, Q2 FY2026; years FY2021, FY2022, FY2023" for the periods of a series. */
export function describeSeries(series: RevenueSeries | undefined): string {
  const periods = Object.values(series?.periods ?? {}).filter((p) => Object.keys(p.dimensions ?? {}).length === 0);
  const byKind = (kind: string) =>
    periods
      .filter((p) => p.periodKind === kind)
      .sort((a, b) => a.end.localeCompare(b.end))
      .map((p) => `${p.fiscalLabel}${p.derived ? ' (derived)' : ''}`);
  const parts: string[] = [];
  const quarters = byKind('quarter');
  const years = byKind('annual');
  if (quarters.length) parts.push(`quarters ${quarters.join(', ')}`);
  if (years.length) parts.push(`years ${years.join(', ')}`);
  return `${Object.keys(series?.periods ?? {}).length} period(s)${parts.length ? ` — ${parts.join('; ')}` : ''}`;
}
