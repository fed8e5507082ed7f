import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LocalStartError } from './services.ts';

/**
 * The local data dir holds subscriber data, delivery records and every email sent (with
 * its signed unsubscribe link) in the LevelDB store and `outbox/*.eml`, and the link key.
 * So it belongs to its user alone: dirs 0700, files 0600 (issue 19, item 12).
 */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of every file the local runtime writes in its data dir. */
export const PRIVATE_FILE_MODE = 0o600;
/**
 * The process umask while a local runtime runs: files created later by the store
 * (LevelDB, native code) and the outbox mailer come out 0600/0700 without each writer
 * having to remember.
 */
export const PRIVATE_UMASK = 0o077;

/** The file naming the process that serves a data dir (one process per LevelDB store). */
export const PID_FILE = 'export-watch.pid';

/** What the runtime keeps in its data dir; only these are tightened (a user's own files are left alone). */
const OWN_ENTRIES = ['dynamodb', 'outbox', 'unsubscribe.key', 'dynamodb.endpoint', PID_FILE] as const;

/**
 * Create `dataDir` (0700) or tighten an existing one: the dir itself, and the runtime's
 * own entries in it (recursively: the store, the outbox, the key), to 0700/0600.
 *
 * @returns the entries whose mode was tightened (paths relative to `dataDir`), so the
 *   caller can say so.
 */
export function securePrivateDir(dataDir: string): string[] {
  const root = resolve(dataDir);
  mkdirSync(root, { recursive: true, mode: PRIVATE_DIR_MODE });
  const tightened: string[] = [];
  const tighten = (path: string, label: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return; // never follow a link out of the data dir
    const wanted = stat.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
    if ((stat.mode & 0o777 & ~wanted) !== 0) {
      chmodSync(path, wanted);
      tightened.push(label);
    }
    if (stat.isDirectory() && path !== root) {
      for (const entry of readdirSync(path)) tighten(join(path, entry), `${label}/${entry}`);
    }
  };
  tighten(root, '.');
  for (const entry of OWN_ENTRIES) {
    const path = join(root, entry);
    if (existsSync(path)) tighten(path, entry);
  }
  return tightened;
}

/** True when a process with this id runs (EPERM: it exists but belongs to someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The PID recorded in a data dir's pid file, when that process still runs. */
export function dataDirHolder(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(resolve(dataDir), PID_FILE), 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The one-line refusal for a data dir another process serves. */
export function inUseMessage(dataDir: string, pid: number): string {
  return `data dir ${dataDir} in use by PID ${pid} (another export-watch process serves its store; LevelDB allows one): stop it, or choose another --data-dir. If PID ${pid} is not export-watch, delete ${join(dataDir, PID_FILE)}`;
}

/**
 * Claim `dataDir` for this process: create its pid file exclusively (`wx`, so of two runs
 * started at the same moment exactly one wins, before either opens the store). A pid file
 * of a process that no longer runs (killed) is replaced.
 *
 * @returns a release function (removes the pid file if it is still this process's).
 * @throws LocalStartError "data dir … in use by PID …" when a live process holds it.
 */
export function lockDataDir(dataDir: string, pid: number = process.pid): () => void {
  const file = join(resolve(dataDir), PID_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${pid}\n`, { flag: 'wx', mode: PRIVATE_FILE_MODE });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const stale = readOrEmpty(file);
      const holder = dataDirHolder(dataDir);
      if (holder !== undefined) throw new LocalStartError(inUseMessage(dataDir, holder));
      if (attempt > 2) throw new LocalStartError(`data dir ${dataDir}: cannot claim ${file}; delete it if no export-watch process runs`);
      // Stale (its process is gone): remove it only if it still names that process, so a
      // start racing this one that already replaced it keeps its claim; then retry wx.
      if (readOrEmpty(file) === stale) rmSync(file, { force: true });
    }
  }
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(pid)) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}
