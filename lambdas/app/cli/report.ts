import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.ts';
import { checkCountry, checkSubject, checkWindow, splitList } from './input.ts';
import { systemClock } from '#core/clock.ts';
import { requireSecUserAgent } from '#core/config.ts';
import { createUpstreamClient } from '../compose.ts';
import { backfillRevenueHistory, describeSeries } from '#analytics/history.ts';
import { buildReport, buildSectorReport } from '#analytics/report.ts';
import { checkSector } from '#analytics/sector.ts';
import { type AnalystStore, type StoreOptions, withStore } from '../local/store.ts';

/** The `export-watch report` and `export-watch revenue-history` commands (main.ts wires the options). */

/** Options of `export-watch report`. */
export interface ReportCommandOptions extends StoreOptions {
  out: string;
  subject?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  /** Comma-separated country codes whose lines are highlighted. */
  highlight?: string | undefined;
  /** Write the sector page of this SIC code instead of the company report. */
  sector?: string | undefined;
}

/** Write the HTML report; returns the exit code. */
export async function reportCommand(opts: ReportCommandOptions, out: (line: string) => void): Promise<number> {
  const highlight = splitList(opts.highlight ?? 'SG').map((c) => checkCountry(c, '--highlight'));
  checkWindow(opts.since, opts.until);
  const file = resolve(opts.out);
  if (existsSync(file) && statSync(file).isDirectory())
    throw new UsageError(`--out: ${opts.out} is a directory: give a file path such as ${join(opts.out, 'report.html')}`);
  if (opts.sector !== undefined) return sectorReportCommand(opts, checkSector(opts.sector), file, out);
  const { html, model } = await withStore(opts, (store) => {
    const subject = opts.subject === undefined ? undefined : checkSubject(opts.subject, watchlistOf(store) ?? [opts.subject.trim()]);
    return buildReport(store, { subject, since: opts.since, until: opts.until, highlight, demo: isDemoStore(opts) });
  });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, html);
  const companies =
    model.companies.map((c) => `${c.subject} (${c.periods.length} period${c.periods.length === 1 ? '' : 's'})`).join(', ') || 'none';
  out(`Report written: ${file}`);
  out(
    `  companies: ${companies}; ${model.rules.length} Federal Register document(s); ${model.entities.length} day(s) of Entity List additions`,
  );
  if (opts.subject && model.companies.length === 0)
    out(`  (nothing stored for ${opts.subject} yet: try export-watch revenue-history ${opts.subject})`);
  return 0;
}

/** `export-watch report --sector <SIC>`: the sector page. */
async function sectorReportCommand(opts: ReportCommandOptions, sic: string, file: string, out: (line: string) => void): Promise<number> {
  if (opts.subject !== undefined)
    throw new UsageError('--sector and --subject: give one of them (the sector page shows every company of the code)');
  const { html, model } = await withStore(opts, (store) =>
    buildSectorReport(store, sic, { since: opts.since, until: opts.until, demo: isDemoStore(opts) }),
  );
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, html);
  out(`Sector page written: ${file}`);
  out(
    `  SIC ${sic}: ${model.rosterSize} compan${model.rosterSize === 1 ? 'y' : 'ies'} on the roster, ${model.companies.length} with regional revenue (${model.companies.filter((c) => c.charted).length} charted); ${model.mentions.length} export-control mention(s); ${model.rules.length} Federal Register document(s)`,
  );
  return 0;
}

/**
 * True when the report reads the offline demo's data: a local data dir that `export-watch
 * demo` marked (its `.export-watch-demo` file, see `lambdas/app/local/demo-dir.ts`), or
 * `EXPORT_WATCH_DEMO=1`. The demo's upstream is partly invented, so its report must say so.
 */
function isDemoStore(opts: StoreOptions): boolean {
  if (process.env.EXPORT_WATCH_DEMO === '1') return true;
  return opts.dataDir !== undefined && existsSync(join(resolve(opts.dataDir), '.export-watch-demo'));
}

/** The store's watch-list; undefined when deployed tables are read without a config file. */
function watchlistOf(store: AnalystStore): string[] | undefined {
  try {
    return store.config().watchlist;
  } catch (err) {
    if (store.description.startsWith('table ')) return undefined;
    throw err;
  }
}

/** Options of `export-watch revenue-history`. */
export interface RevenueHistoryOptions extends StoreOptions {
  filings?: number | undefined;
}

/** Backfill a company's series; returns the exit code (1 when a filing failed). */
export async function revenueHistoryCommand(ticker: string, opts: RevenueHistoryOptions, out: (line: string) => void): Promise<number> {
  return withStore(opts, async (store) => {
    const config = store.config();
    requireSecUserAgent(config);
    if (!store.state) throw new Error('no state table: pass --state-table (the stack output StateTableName)');
    const result = await backfillRevenueHistory(
      ticker,
      { filings: opts.filings },
      { config, http: createUpstreamClient(config), state: store.state, clock: systemClock, log: out },
    );
    const failed = result.filings.filter((f) => f.status === 'failed');
    if (result.seriesKey) {
      out(`Stored ${result.seriesKey} (${result.ticker}) in ${store.description}: ${describeSeries(result.series)}.`);
    } else {
      out(`Nothing stored for ${result.ticker}: no filing could be read.`);
    }
    out('No changes written: history is context for the next alert, not news.');
    if (failed.length) out(`${failed.length} filing(s) failed: ${failed.map((f) => `${f.form} ${f.accession}`).join(', ')}`);
    return failed.length ? 1 : 0;
  });
}
