import { CommanderError } from 'commander';
import { ConfigError, InputError, SourceError } from '#core/errors.ts';

/**
 * The CLI's one error boundary, as pure functions: every error a command throws becomes one
 * line on stderr (what failed, on which input, what to do) and an exit code. `main.ts`
 * calls {@link describeCliError} once for every command; commands only throw.
 *
 * Exit codes: 2 for bad input the user can fix on the command line or in the config
 * (unknown option or value, invalid config, a typo'd data dir; a use case's `InputError`), 1 for everything else
 * (a file that is not a filing, an unreachable URL, a failed source). 0 for help and version.
 */

/** An error of the user's making with its exit code; the message is the whole explanation. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
  }
}

/** A bad option or argument value (a typo, an impossible window): exit code 2. */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, 2);
  }
}

/** What the boundary prints and returns for one error. */
export interface CliFailure {
  /** One line for stderr, without a trailing newline; empty when commander already printed (help, version). */
  line: string;
  exitCode: number;
}

/** Commander exits that are not errors, or that commander has printed itself. */
const COMMANDER_PRINTED = new Set(['commander.help', 'commander.helpDisplayed', 'commander.version']);

/** Fix-it advice for the Node.js fs and network error codes a user can cause. */
const ERRNO_ADVICE: Record<string, (path: string) => string> = {
  ENOENT: (p) => `no such file or directory${p ? `: ${p}` : ''} (check the path)`,
  EISDIR: (p) => `${p ? `${p} is a directory` : 'a directory was given where a file is expected'}: give a file path`,
  ENOTDIR: (p) => `a part of ${p} is not a directory (check the path)`,
  EACCES: (p) => `permission denied: ${p}`,
  EPERM: (p) => `operation not permitted: ${p}`,
  EEXIST: (p) => `${p} already exists`,
  ENOSPC: (p) => `no space left on the device writing ${p}`,
  EROFS: (p) => `read-only file system: ${p}`,
  EMFILE: () => 'too many open files (raise the limit with ulimit -n)',
  ECONNREFUSED: (p) => `connection refused${p ? `: ${p}` : ''} (is the server running?)`,
  ENOTFOUND: (p) => `host not found${p ? `: ${p}` : ''} (check the URL and the network)`,
};

/** What to do after an upstream failure, by error kind. */
const SOURCE_ERROR_ADVICE: Partial<Record<SourceError['kind'], string>> = {
  network: 'check the URL and the network, then try again',
  blocked: 'the server refused us: check SEC_USER_AGENT and wait before retrying',
  'rate-limited': 'too many requests: wait a few minutes, then try again',
  http: 'check the URL',
};

/** One line: newlines and runs of spaces collapsed. */
function oneLine(text: string): string {
  return text
    .trim()
    .replace(/:\s*\n\s*/g, ': ')
    .replace(/\s*\n\s*(?=\()/g, ' ')
    .replace(/\s*\n\s*/g, '; ')
    .replace(/\s+/g, ' ');
}

/**
 * Map any thrown value to one line and an exit code. `command` is the command path
 * (`changes`, `subscribers add`), used as the prefix so the line says what failed; with
 * `debug` the stack follows on the next lines (the only multi-line output).
 */
export function describeCliError(err: unknown, command: string | undefined, debug = false): CliFailure {
  const prefix = `export-watch${command ? ` ${command}` : ''}: `;
  const withStack = (line: string): string => (debug && err instanceof Error && err.stack ? `${line}\n${err.stack}` : line);
  if (err instanceof CommanderError) {
    if (COMMANDER_PRINTED.has(err.code)) return { line: '', exitCode: err.exitCode };
    const help = `export-watch${command ? ` ${command}` : ''} --help`;
    // Commander's own usage errors ("error: unknown option '--sourc' (Did you mean --source?)").
    return { line: withStack(`${prefix}${oneLine(err.message.replace(/^error:\s*/i, ''))} (see ${help})`), exitCode: 2 };
  }
  if (err instanceof CliError) return { line: withStack(`${prefix}${oneLine(err.message)}`), exitCode: err.exitCode };
  if (err instanceof ConfigError || err instanceof InputError) return { line: withStack(`${prefix}${oneLine(err.message)}`), exitCode: 2 };
  if (err instanceof SourceError) {
    const hint = SOURCE_ERROR_ADVICE[err.kind];
    return { line: withStack(`${prefix}${err.kind} error: ${oneLine(err.message)}${hint ? ` (${hint})` : ''}`), exitCode: 1 };
  }
  const errno = err as NodeJS.ErrnoException & { hostname?: string; address?: string };
  if (errno && typeof errno.code === 'string' && ERRNO_ADVICE[errno.code]) {
    const where = errno.path ?? errno.hostname ?? errno.address ?? '';
    return { line: withStack(`${prefix}${ERRNO_ADVICE[errno.code]?.(where)}`), exitCode: 1 };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    line: withStack(
      `${prefix}${oneLine(message) || 'unexpected error'}${debug ? '' : ' (unexpected: run again with --debug for the stack and report it)'}`,
    ),
    exitCode: 1,
  };
}

/**
 * The command path an argument vector names (`["node", "cli", "subscribers", "add", "x@y"]`
 * → `subscribers add`), from a tree of command names; undefined when none is named.
 */
export function commandPathOf(args: readonly string[], tree: CommandTree): string | undefined {
  const path: string[] = [];
  let level = tree;
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    const next = level.get(arg);
    if (!next) {
      if (path.length) break;
      continue;
    }
    path.push(arg);
    level = next;
  }
  return path.length ? path.join(' ') : undefined;
}

/** Command names and their sub-commands. */
export type CommandTree = Map<string, CommandTree>;
