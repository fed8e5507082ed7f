import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import * as changes from './changes.ts';
import { type CliContext, DEFAULT_DATA_DIR } from './context.ts';
import * as demo from './demo.ts';
import * as diffFilings from './diff-filings.ts';
import * as entityList from './entity-list.ts';
import { commandPathOf, type CommandTree, describeCliError } from './errors.ts';
import { hasLocalStore, requireLocalStore } from './input.ts';
import * as report from './report.ts';
import * as revenue from './revenue.ts';
import * as revenueHistory from './revenue-history.ts';
import * as run from './run.ts';
import * as status from './status.ts';
import * as subscribers from './subscribers.ts';

/**
 * The `export-watch` CLI: the program, built from one module per command (each adds its
 * command with `register(program, ctx)`, in the order `--help` lists them), the data-dir
 * check before every command, and the one error boundary ({@link main}).
 */
const COMMANDS: ReadonlyArray<{ register(program: Command, ctx: CliContext): void }> = [
  run,
  changes,
  demo,
  revenue,
  revenueHistory,
  report,
  diffFilings,
  entityList,
  status,
  subscribers,
];

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
  const ctx: CliContext = { out, defaultDataDir: DEFAULT_DATA_DIR };
  for (const command of COMMANDS) command.register(program, ctx);
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
