import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { SourceName } from '#core/change.ts';
import { clockStartingAt, systemClock } from '#core/clock.ts';
import { loadConfig } from '#core/config.ts';
import { commandPathOf, type CommandTree, describeCliError } from './errors.ts';
import { checkCountry, checkKind, checkSource, hasLocalStore, requireLocalStore } from './input.ts';
import type { CycleOutcome } from '#core/source.ts';
import type { ChangesOptions } from './changes.ts';
import { OUTPUT_FORMATS } from '../local/format.ts';
import { type CycleSummary, LocalRuntime, runningEndpoint } from '../local/runtime.ts';
import { startDynalite } from '../local/services.ts';
import { registerSubscribersCommand } from './subscribers.ts';
import type { NotifierOutcome } from '#notify/notifier.ts';
import { ensureTables } from '#store/create-tables.ts';

const DEFAULT_DATA_DIR = '.export-watch';

function isoDate(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`not an ISO date/time: ${value}`);
  return new Date(t).toISOString();
}

function describeOutcome(o: CycleOutcome): string {
  switch (o.status) {
    case 'ok': {
      const warnings = o.warnings?.length ? `; ${o.warnings.length} WARNING(S): ${o.warnings.map((w) => w.message).join('; ')}` : '';
      return o.baseline
        ? `${o.source}: baseline recorded (${o.itemsSeen} items seen, ${o.suppressed} existing items not alerted)${warnings}`
        : `${o.source}: ok, ${o.changesCreated} new change(s), ${o.duplicates} already known, ${o.itemsSeen} items seen${warnings}`;
    }
    case 'failed':
      return `${o.source}: FAILED [${o.errorKind}] ${o.error} (consecutive failures: ${o.consecutiveFailures}; state not advanced)`;
    case 'skipped':
      return `${o.source}: skipped (${o.reason})`;
  }
}

function describeNotifier(n: NotifierOutcome): string {
  const extra = [n.digestsSent ? `${n.digestsSent} digest(s)` : '', n.confirmationsSent ? `${n.confirmationsSent} confirmation(s)` : '']
    .filter(Boolean)
    .join(', ');
  return `notifier: ${n.pending} pending change(s), ${n.emailsSent} email(s) sent${extra ? ` (${extra})` : ''}, ${n.deliveries} deliveries recorded${n.failures.length ? `, ${n.failures.length} FAILED: ${n.failures.map((f) => `${f.email}: ${f.error}`).join('; ')}` : ''}`;
}

function describeOps(ops: CycleSummary['ops']): string {
  const unhealthy = ops.health.filter((h) => h.verdict !== 'ok');
  const health =
    unhealthy.length === 0 ? `all ${ops.health.length} source(s) ok` : unhealthy.map((h) => `${h.source} ${h.verdict}`).join(', ');
  const sent = ops.sent.length ? `, sent ${ops.sent.map((n) => `${n.type} (${n.source})`).join(', ')}` : '';
  const failed = ops.failures.length
    ? `, ${ops.failures.length} FAILED: ${ops.failures.map((f) => `${f.source}: ${f.error}`).join('; ')}`
    : '';
  return `ops check: ${health}${sent}${failed}`;
}

function printSummary(summary: CycleSummary, out: (line: string) => void): boolean {
  for (const o of summary.sources) out(describeOutcome(o));
  out(describeNotifier(summary.notifier));
  out(describeOps(summary.ops));
  return summary.sources.every((o) => o.status !== 'failed') && summary.notifier.failures.length === 0;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`not a positive whole number: ${value}`);
  return n;
}

/** The package version, for `--version`. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Commands that only read a local store: a data dir without one is refused (a typo'd --data-dir). */
const NEEDS_STORE = new Set(['changes', 'status', 'report', 'subscribers list', 'subscribers update', 'subscribers remove']);
/** Commands that create a local store when there is none: they say so on stderr. */
const CREATES_STORE = new Set(['run', 'revenue-history', 'subscribers add']);

/** The command's path below the program (`subscribers add`). */
function pathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Command names and sub-commands of the program, for naming the failed command in error lines. */
function commandTree(command: Command): CommandTree {
  return new Map(command.commands.map((c) => [c.name(), commandTree(c)]));
}

/**
 * Before any command runs: refuse a data dir without a store for commands that only read,
 * and say so when a command is about to create a new store.
 */
function checkDataDir(actionCommand: Command): void {
  const opts = actionCommand.opts() as { dataDir?: string; table?: string; stateTable?: string };
  const path = pathOf(actionCommand);
  if (!opts.dataDir || opts.table || opts.stateTable) return;
  if (NEEDS_STORE.has(path)) requireLocalStore(opts.dataDir);
  else if (CREATES_STORE.has(path) && !hasLocalStore(opts.dataDir))
    process.stderr.write(`export-watch: no export-watch data in ${opts.dataDir} (new store created)\n`);
}

/** Build the `export-watch` program. */
export function buildProgram(out: (line: string) => void = (l) => console.log(l)): Command {
  const program = new Command('export-watch')
    .description('Watch export-control risk in the chip business: SEC filings, regional revenue, BIS rules and the Entity List.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--debug', 'print the stack trace of an error (any command)')
    // Errors are printed once, as one line, by main(); commander only throws them.
    .configureOutput({ outputError: () => undefined })
    .exitOverride()
    .hook('preAction', (_program, actionCommand) => checkDataDir(actionCommand));

  program
    .command('run')
    .description('Run the local runtime: embedded DynamoDB and SES, every enabled source on the stack schedules, then the notifier.')
    .option('--once', 'run every enabled source once, then the notifier, and exit (exit code 1 if a source failed)')
    .option('--config <file>', 'config file', 'export-watch.config.json')
    .option('--data-dir <dir>', 'where the local store and outbox live', DEFAULT_DATA_DIR)
    .option('--ses-port <port>', 'port of the local SES web UI (0 = any free port)', (v) => Number.parseInt(v, 10), 8005)
    .option(
      '--links-port <port>',
      'port of the local confirm/unsubscribe link server (0 = any free port)',
      (v) => Number.parseInt(v, 10),
      8006,
    )
    .action(async (opts: { once?: boolean; config: string; dataDir: string; sesPort: number; linksPort: number }) => {
      const { LocalStartError } = await import('../local/services.ts');
      const { stopOnSignals } = await import('../local/signals.ts');
      let runtime: LocalRuntime;
      try {
        runtime = await LocalRuntime.start({
          dataDir: opts.dataDir,
          configFile: opts.config,
          sesPort: opts.sesPort,
          linksPort: opts.linksPort,
          log: out,
        });
      } catch (err) {
        if (!(err instanceof LocalStartError)) throw err;
        process.stderr.write(`export-watch: ${err.message}\n`);
        program.setOptionValue('exitCode', 1);
        return;
      }
      // Before the first cycle: Ctrl-C during it must release the leases it holds.
      const removeHandlers = stopOnSignals(runtime, { out, exit: (code) => process.exit(code) });
      out(`Local DynamoDB (dynalite): ${runtime.dynamo.url}  store: ${join(runtime.dataDir, 'dynamodb')}`);
      out(`Local SES web UI: ${runtime.ses.url}/  (.eml copies in ${join(runtime.dataDir, 'outbox')})`);
      if (!runtime.config.secUserAgent)
        out('Note: SEC_USER_AGENT is not set; SEC sources will fail until it is ("Company Name admin@example.com").');
      if (opts.once) {
        try {
          const ok = printSummary(await runtime.runOnce(), out);
          program.setOptionValue('exitCode', ok ? 0 : 1);
        } finally {
          removeHandlers();
          await runtime.stop();
        }
        return;
      }
      try {
        runtime.schedule((outcome, name) =>
          out(
            `[${new Date().toISOString()}] ${name === 'notifier' ? describeNotifier(outcome as NotifierOutcome) : describeOutcome(outcome as CycleOutcome)}`,
          ),
        );
        out('Running every enabled source once now, then on schedule (America/New_York). Ctrl-C stops.');
        printSummary(await runtime.runOnce(), out);
        for (const { name, next } of runtime.nextRuns()) out(`  next ${name}: ${next?.toISOString() ?? 'never'}`);
      } catch (err) {
        removeHandlers();
        await runtime.stop();
        throw err;
      }
      // Runs on schedule until a signal: the handlers stop the runtime and exit.
      await new Promise<never>(() => undefined);
    });

  program
    .command('changes')
    .description('Read the change log (local store by default; --table reads a deployed table).')
    .option('--since <iso>', 'detected at or after', isoDate)
    .option('--until <iso>', 'detected at or before', isoDate)
    .option('--source <source>', 'only this source (e.g. sec-filings)', (v) => checkSource(v))
    .option('--subject <subject>', 'only this subject: a watch-list ticker (any case), a CIK, BIS, Entity List')
    .option('--kind <kind>', 'only this kind or kind prefix (e.g. filing.new, fr)', (v) => checkKind(v))
    .option('--country <code>', 'only changes concerning this country (ISO code in `countries`, e.g. SG)', (v) => checkCountry(v))
    .option('--text <text>', 'only changes whose title or summary contains this text (case-insensitive)')
    .option(
      '--sector <sic>',
      'only changes of the companies of this SIC code (4 digits, e.g. 3674), from the sector roster of a SIC:<code> watch-list entry',
    )
    .option('--limit <n>', 'one page of at most n changes; the next page token is printed to stderr', positiveInt)
    .option('--page-token <token>', 'continue after a previous page (the query comes with the token)')
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option('--data-dir <dir>', 'local data dir', DEFAULT_DATA_DIR)
    .option('--config <file>', 'config file (for table names)', 'export-watch.config.json')
    .option('--table <name>', 'read a deployed change-log table instead of the local store')
    .option('--state-table <name>', 'deployed state table with the sector roster (with --table and --sector; stack output StateTableName)')
    .option('--region <region>', 'AWS region of --table (default: the SDK credential chain)')
    .addHelpText(
      'after',
      '\nWithout --since, --source or --subject the last 30 days are read. Data goes to stdout; progress (every 1,000 changes) and the next page token go to stderr.',
    )
    .action(async (opts: ChangesOptions) => {
      const { changesCommand } = await import('./changes.ts');
      const code = await changesCommand(opts, { stdout: process.stdout, note: (line) => process.stderr.write(`${line}\n`) });
      program.setOptionValue('exitCode', code);
    });

  program
    .command('demo')
    .description(
      'See the whole flow offline: a fake upstream (real shapes, partly made-up data), a baseline cycle, then a cycle with news.',
    )
    .option(
      '--data-dir <dir>',
      'data dir for the demo: new or empty, or an earlier demo dir (then its demo files are replaced)',
      join(DEFAULT_DATA_DIR, 'demo'),
    )
    .option('--now <iso>', 'run the demo as of this instant (its clock starts there; dated demo data follows it); default: now', isoDate)
    .action(async (opts: { dataDir: string; now?: string }) => {
      const { startDemoUpstream } = await import('#test/support/demo-upstream.ts');
      const { DemoDirError, prepareDemoDir } = await import('../local/demo-dir.ts');
      const { stopOnSignals } = await import('../local/signals.ts');
      let dataDir: string;
      try {
        // A demo running on this dir right now would lose its store under it.
        if (await runningEndpoint(opts.dataDir))
          throw new DemoDirError(
            `--data-dir ${opts.dataDir} is in use by a running export-watch process; stop it or choose another directory`,
          );
        dataDir = prepareDemoDir(opts.dataDir);
      } catch (err) {
        if (!(err instanceof DemoDirError)) throw err;
        process.stderr.write(`export-watch: ${err.message}\n`);
        program.setOptionValue('exitCode', 1);
        return;
      }
      const clock = opts.now ? clockStartingAt(opts.now) : systemClock;
      const upstream = await startDemoUpstream({ now: clock.now() });
      out(`Fake upstream (real shapes, partly made-up data; see the README): ${upstream.fake.url}`);
      let runtime: LocalRuntime;
      try {
        runtime = await LocalRuntime.start({
          dataDir,
          sesPort: 0,
          clock,
          log: out,
          env: {
            ...upstream.fake.env(),
            SEC_USER_AGENT: process.env.SEC_USER_AGENT ?? 'export-watch demo demo@example.com',
            EXPORT_WATCH_DEMO: '1',
          },
        });
      } catch (err) {
        await upstream.fake.stop(); // a listening fake upstream would keep the process alive after the error
        throw err;
      }
      const removeHandlers = stopOnSignals(
        { interrupt: () => runtime.interrupt().finally(() => upstream.fake.stop()) },
        { out, exit: (code) => process.exit(code) },
      );
      try {
        out('\n1) Baseline cycle: records what exists, emails nobody.');
        const first = printSummary(await runtime.runOnce(), out);
        out('\n2) The upstream data now contains news; second cycle:');
        upstream.setPhase('news');
        const second = printSummary(await runtime.runOnce(), out);
        const outbox = join(dataDir, 'outbox');
        let emails: string[] = [];
        try {
          emails = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
        } catch {
          emails = [];
        }
        out('\nDone. Read the results:');
        out(`  change log: npx export-watch changes --data-dir ${opts.dataDir} --format json`);
        out(`  emails:     ${outbox} (${emails.length} .eml file(s))`);
        program.setOptionValue('exitCode', first && second ? 0 : 1);
      } finally {
        removeHandlers();
        await runtime.stop();
        await upstream.fake.stop();
      }
    });

  program
    .command('revenue')
    .description('Extract geographic revenue breakdowns from one filing (iXBRL .htm or XBRL instance; a file or an http(s) URL).')
    .argument('<file-or-url>', 'primary document (.htm) or instance (_htm.xml)')
    .option('--json', 'print exactly one JSON object')
    .action(async (fileOrUrl: string, opts: { json?: boolean }) => {
      const { revenueCommand } = await import('./revenue.ts');
      await revenueCommand(fileOrUrl, { json: opts.json }, (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`));
    });

  program
    .command('revenue-history')
    .description(
      "Backfill a company's quarterly regional revenue from its past 10-Q/10-K filings into sec-revenue's stored series (context for the first alert; writes no changes).",
    )
    .argument('<ticker>', 'ticker (resolved through EDGAR) or CIK')
    .option('--filings <n>', 'how many of the latest 10-Q/10-K filings to read', positiveInt, 8)
    .option('--data-dir <dir>', 'local data dir', DEFAULT_DATA_DIR)
    .option('--config <file>', 'config file (SEC settings, table names)', 'export-watch.config.json')
    .option('--state-table <name>', 'write a deployed state table (stack output StateTableName) instead of the local store')
    .option('--region <region>', 'AWS region of --state-table (default: the SDK credential chain)')
    .action(async (ticker: string, opts: { filings: number; dataDir: string; config: string; stateTable?: string; region?: string }) => {
      const { revenueHistoryCommand } = await import('./report.ts');
      program.setOptionValue('exitCode', await revenueHistoryCommand(ticker, opts, out));
    });

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
    .option('--data-dir <dir>', 'local data dir', DEFAULT_DATA_DIR)
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
        const { reportCommand } = await import('./report.ts');
        program.setOptionValue('exitCode', await reportCommand(opts, out));
      },
    );

  program
    .command('diff-filings')
    .description(
      'Diff the export-control passages of two filings (files or http(s) URLs): added, removed and changed paragraphs with word-level diffs.',
    )
    .argument('<old>', 'earlier filing (primary .htm)')
    .argument('<new>', 'later filing (primary .htm)')
    .option('--json', 'print the change data object as JSON')
    .action(async (oldRef: string, newRef: string, opts: { json?: boolean }) => {
      const { diffFilingsCommand } = await import('./export-language.ts');
      await diffFilingsCommand(oldRef, newRef, { json: opts.json }, (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`));
    });

  const entityList = program.command('entity-list').description('Entity List tools (Consolidated Screening List downloads).');
  entityList
    .command('diff')
    .description(
      'Diff two downloads of the Consolidated Screening List (consolidated.json) as the entity-list source would: entries added, removed and modified per list and country, with Federal Register citations.',
    )
    .argument('<old>', 'earlier download (CSL JSON: {"results": [...]} or a bare array of rows)')
    .argument('<new>', 'later download (same format)')
    .option('--json', 'print { "added": [...], "removed": [...], "modified": [...] }; each entry has key, title and the change data')
    .option(
      '--lists <codes>',
      "lists to compare, comma-separated codes (EL,MEU,UVL,DPL,SDN,ISN,...); default: the --config file's entityList.lists, else EL,MEU,UVL",
    )
    .option('--config <file>', 'config file whose entityList section (lists, sanity bounds) applies')
    .addHelpText(
      'after',
      '\nExit code 0 when both files were compared (with or without differences), 2 on bad input (missing file, not JSON, not a screening list, unknown list code).',
    )
    .action(async (oldPath: string, newPath: string, opts: { json?: boolean; lists?: string; config?: string }) => {
      const { entityListDiffCommand } = await import('./entity-list.ts');
      const io = {
        out: (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
        err: (s: string) => process.stderr.write(`${s}\n`),
      };
      program.setOptionValue('exitCode', await entityListDiffCommand(oldPath, newPath, opts, io));
    });

  program
    .command('status')
    .description(
      "Print each source's health verdict (ok, failing, stale, blocked, degraded, never-run) with last success, failures, last error and any open ops incident. Local store by default; --table reads a deployed state table.",
    )
    .option('--data-dir <dir>', 'local data dir', DEFAULT_DATA_DIR)
    .option('--config <file>', 'config file (sources, ops thresholds, table names)', 'export-watch.config.json')
    .option('--table <name>', 'read a deployed state table (stack output StateTableName) instead of the local store')
    .option('--region <region>', 'AWS region of --table (default: the SDK credential chain)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { dataDir: string; config: string; table?: string; region?: string; format: 'text' | 'json' }) => {
      const config = loadConfig({ ...process.env, EXPORT_WATCH_CONFIG: opts.config });
      const { DynamoSourceState } = await import('#store/source-state.ts');
      const { DynamoAlertStore } = await import('#store/alert-store.ts');
      const { formatHealthLine, healthReport } = await import('#ops/report.ts');
      const { SOURCES } = await import('#sources/index.ts');
      const report = async (db: DynamoDBDocumentClient, stateTable: string) => {
        const sourceState = new DynamoSourceState(db, stateTable);
        const [states, leases] = await Promise.all([sourceState.list(), sourceState.leases()]);
        const watched = (Object.keys(SOURCES) as SourceName[]).filter((name) => config.sources[name]?.enabled !== false);
        const alerts = await new DynamoAlertStore(db, stateTable).list([...new Set([...watched, ...states.map((s) => s.source)])]);
        if (opts.format === 'text' && states.length === 0) out('No source has run yet.');
        return healthReport(watched, states, alerts, new Date(), config.ops, undefined, leases);
      };
      let rows: Awaited<ReturnType<typeof report>>;
      if (opts.table) {
        const client = new DynamoDBClient(opts.region ? { region: opts.region } : {});
        try {
          rows = await report(DynamoDBDocumentClient.from(client), opts.table);
        } finally {
          client.destroy();
        }
      } else {
        const attached = await runningEndpoint(opts.dataDir);
        const service = attached ? undefined : await startDynalite({ path: join(resolve(opts.dataDir), 'dynamodb') });
        const client = new DynamoDBClient({
          endpoint: attached ?? service?.url,
          region: 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        });
        try {
          await ensureTables(client, config.tables);
          rows = await report(DynamoDBDocumentClient.from(client), config.tables.state);
        } finally {
          client.destroy();
          await service?.close();
        }
      }
      if (opts.format === 'json') {
        process.stdout.write(
          `${JSON.stringify(
            rows.map((r) => ({ ...r.health, lease: r.health.lease ?? null, incident: r.alert?.incident ?? null })),
            null,
            2,
          )}\n`,
        );
        return;
      }
      for (const row of rows) out(formatHealthLine(row, config.ops));
    });

  registerSubscribersCommand(program, out, DEFAULT_DATA_DIR);

  return program;
}

/** Entry point; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  // The one error boundary: one line on stderr (the stack only with --debug) and an exit code.
  const report = (err: unknown): number => {
    const failure = describeCliError(err, commandPathOf(argv.slice(2), commandTree(program)), argv.includes('--debug'));
    if (failure.line) process.stderr.write(`${failure.line}\n`);
    return failure.exitCode;
  };
  // Errors raised outside the command's promise (a stream's error event) take the same way out.
  const fatal = (err: unknown) => process.exit(report(err));
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  try {
    await program.parseAsync(argv);
    return (program.getOptionValue('exitCode') as number | undefined) ?? 0;
  } catch (err) {
    return report(err);
  } finally {
    process.off('uncaughtException', fatal);
    process.off('unhandledRejection', fatal);
  }
}
