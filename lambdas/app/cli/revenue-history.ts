import type { Command } from 'commander';
import { backfillRevenueHistory, describeSeries } from '#analytics/history.ts';
import { systemClock } from '#core/clock.ts';
import { requireSecUserAgent } from '#core/config.ts';
import { createUpstreamClient } from '../compose.ts';
import { type StoreOptions, withStore } from '../local/store.ts';
import { type CliContext, positiveInt } from './context.ts';

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

/** `export-watch revenue-history <ticker>`: backfill sec-revenue's stored series from past filings. */
export function register(program: Command, { out, defaultDataDir }: CliContext): void {
  program
    .command('revenue-history')
    .description(
      "Backfill a company's quarterly regional revenue from its past 10-Q/10-K filings into sec-revenue's stored series (context for the first alert; writes no changes).",
    )
    .argument('<ticker>', 'ticker (resolved through EDGAR) or CIK')
    .option('--filings <n>', 'how many of the latest 10-Q/10-K filings to read', positiveInt, 8)
    .option('--data-dir <dir>', 'local data dir', defaultDataDir)
    .option('--config <file>', 'config file (SEC settings, table names)', 'export-watch.config.json')
    .option('--state-table <name>', 'write a deployed state table (stack output StateTableName) instead of the local store')
    .option('--region <region>', 'AWS region of --state-table (default: the SDK credential chain)')
    .action(async (ticker: string, opts: { filings: number; dataDir: string; config: string; stateTable?: string; region?: string }) => {
      program.setOptionValue('exitCode', await revenueHistoryCommand(ticker, opts, out));
    });
}
