import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dataDirHolder, inUseMessage } from './data-dir.ts';

/** The file `export-watch demo` writes into its data dir: only a dir holding it is ever cleared. */
export const DEMO_MARKER = '.export-watch-demo';

/**
 * What the demo itself creates in its data dir (the local runtime's store, outbox, link key
 * and endpoint file). Reusing a demo dir deletes these entries and nothing else, so a file
 * someone put beside them survives too.
 */
export const DEMO_ENTRIES = ['dynamodb', 'outbox', 'unsubscribe.key', 'dynamodb.endpoint', 'export-watch.pid'] as const;

/** The demo refused a data dir; the message says why and what to do. */
export class DemoDirError extends Error {
  override name = 'DemoDirError';
}

/**
 * Make `dir` ready for a fresh demo: create it when missing, adopt it when empty, clear the
 * previous demo's entries when it holds {@link DEMO_MARKER}; refuse anything else. The
 * demo used to empty whatever `--data-dir` named, so `--data-dir .` in a checkout would
 * have wiped the work tree and `.git`, and `--data-dir .export-watch` the real local store.
 *
 * @returns the absolute path of the prepared dir.
 * @throws DemoDirError for a file, or a non-empty dir without the marker (nothing is touched).
 */
export function prepareDemoDir(dir: string): string {
  const path = resolve(dir);
  if (existsSync(path)) {
    if (!lstatSync(path).isDirectory())
      throw new DemoDirError(`--data-dir ${dir} is not a directory; choose a new or empty directory for the demo`);
    const entries = readdirSync(path);
    if (entries.length > 0 && !entries.includes(DEMO_MARKER)) {
      throw new DemoDirError(
        `--data-dir ${dir} is not empty and is not a demo directory (no ${DEMO_MARKER} file); the demo deletes nothing it did not create. Choose a new or empty directory (the default is .export-watch/demo), or delete this one yourself if it is an old demo directory.`,
      );
    }
    // A live run's dir is refused before anything is deleted (its store would be lost).
    const holder = dataDirHolder(path);
    if (holder !== undefined) throw new DemoDirError(inUseMessage(dir, holder));
    for (const entry of DEMO_ENTRIES) rmSync(join(path, entry), { recursive: true, force: true });
  } else {
    mkdirSync(path, { recursive: true, mode: 0o700 });
  }
  writeFileSync(
    join(path, DEMO_MARKER),
    'Written by `export-watch demo`: the demo may clear its own files (dynamodb/, outbox/, unsubscribe.key) in this directory.\n',
    { mode: 0o600 },
  );
  return path;
}
