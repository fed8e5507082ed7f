import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from './errors.ts';
import { checkCountry, checkSubject, checkWindow, splitList } from './input.ts';
import { buildReport, buildSectorReport } from '#analytics/report.ts';
import { checkSector } from '#analytics/sector.ts';
import { type AnalystStore, type StoreOptions, withStore } from '../local/store.ts';
import { type CliContext, isoDate } from './context.ts';

/** The `export-watch report` command. */

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

/** `export-watch report --out <file>`: the company report or, with `--sector`, the sector page. */
export function register(program: Command, { out, defaultDataDir }: CliContext): void {
  program
    .command('report')
    .description(
      'Write a self-contained HTML report: regional revenue share per company with BIS rules and Entity List additions on the same time axis, export-language changes, and the numbers.',
    )
    .requiredOption('--out <file>', 'HTML file to write')
    .option('--subject <ticker>', 'only this company')
    .option('--since <iso>', 'only changes detected at or after', isoDate)
    .option('--until <iso>', 'only changes detected at or before', isoDate)
    .option('--highlight <codes>', 'countries whose lines are highlighted (comma-separated)', 'SG')
    .option(
      '--sector <sic>',
      "write the sector page of this SIC code instead: each company's Singapore / China incl. Hong Kong / Taiwan share of revenue on one chart, filers newly mentioning export controls, BIS rules",
    )
    .option('--data-dir <dir>', 'local data dir', defaultDataDir)
    .option('--config <file>', 'config file (for table names)', 'export-watch.config.json')
    .option('--table <name>', 'read a deployed change-log table instead of the local store')
    .option('--state-table <name>', "deployed state table with sec-revenue's series (stack output StateTableName)")
    .option('--region <region>', 'AWS region of the deployed tables (default: the SDK credential chain)')
    .action(
      async (opts: {
        out: string;
        subject?: string;
        sector?: string;
        since?: string;
        until?: string;
        highlight: string;
        dataDir: string;
        config: string;
        table?: string;
        stateTable?: string;
        region?: string;
      }) => {
        program.setOptionValue('exitCode', await reportCommand(opts, out));
      },
    );
}
