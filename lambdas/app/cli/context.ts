import { InvalidArgumentError } from 'commander';

/**
 * What every command module gets from `main.ts` besides the program: where its lines go
 * and the default data dir. Each module exports `register(program, ctx)`, which adds its
 * command (options, help text, action) to the program.
 */
export interface CliContext {
  /** One line of the command's output (stdout in the real CLI; tests collect it). */
  out: (line: string) => void;
  /** `--data-dir` default of every command with a local store. */
  defaultDataDir: string;
}

/** Where the local store and outbox live unless `--data-dir` says otherwise. */
export const DEFAULT_DATA_DIR = '.export-watch';

/** Option parser: an ISO date or date-time, normalised to an ISO instant. */
export function isoDate(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`not an ISO date/time: ${value}`);
  return new Date(t).toISOString();
}

/** Option parser: a whole number ≥ 1. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`not a positive whole number: ${value}`);
  return n;
}

/** Write to stdout with exactly one trailing newline (the commands whose text may end in one already). */
export function writeLine(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
}
