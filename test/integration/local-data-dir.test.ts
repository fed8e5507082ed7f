import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalRuntime } from '#app/local/runtime.ts';
import { CLI, exportWatch } from '../support/cli.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

/** Issue 19, item 12: one process per data dir, said in one line; nothing in it readable by others. */

const mode = (path: string) => statSync(path).mode & 0o777;
const octal = (path: string) => `${path.slice(path.lastIndexOf('/') + 1)} ${mode(path).toString(8)}`;
/** Every entry under `dir` (recursively) as "name mode". */
function modes(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return [octal(path), ...(e.isDirectory() ? modes(path) : [])];
  });
}
const leaky = (dir: string) => modes(dir).filter((m) => !/ (600|700)$/.test(m));

/** A config with every source disabled: `run --once` then only runs the notifier and the ops check (no network). */
function quietConfig(dir: string): string {
  const path = join(dir, 'quiet.config.json');
  const off = { enabled: false };
  writeFileSync(
    path,
    JSON.stringify({
      watchlist: ['NVDA'],
      sources: {
        'sec-filings': off,
        'sec-revenue': off,
        'sec-export-language': off,
        'federal-register': off,
        'entity-list': off,
        'sec-full-text': off,
      },
    }),
  );
  return path;
}

describe('local runtime: a data dir in use (issue 19, item 12)', () => {
  it('a second run on the same data dir fails with one line naming the PID that holds it, exit code != 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ew-in-use-'));
    const first = await LocalRuntime.start({ dataDir, log: () => undefined });
    try {
      const second = await exportWatch(['run', '--once', '--data-dir', dataDir, '--ses-port', '0', '--links-port', '0']);
      expect(second.code).not.toBe(0);
      const lines = second.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`data dir ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} in use by PID ${process.pid}\\b`));
      expect(second.stderr).not.toMatch(/Database is closed|\n\s+at /);
      // The first run is untouched: its store still answers.
      expect((await fetch(first.dynamo.url, { method: 'POST' })).status).toBeLessThan(500);
    } finally {
      await first.stop();
    }
  });

  it('two runs started at the same moment: never "Database is closed"; a loser names the PID', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ew-race-'));
    const config = quietConfig(dataDir);
    const start = () =>
      new Promise<{ code: number | null; stderr: string; pid: number | undefined }>((resolve) => {
        const child = spawn(
          process.execPath,
          [CLI, 'run', '--once', '--config', config, '--data-dir', join(dataDir, 'd'), '--ses-port', '0', '--links-port', '0'],
          {
            cwd: REPO_ROOT,
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        let stderr = '';
        child.stderr.on('data', (d) => {
          stderr += String(d);
        });
        child.on('close', (code) => resolve({ code, stderr, pid: child.pid }));
      });
    const runs = await Promise.all([start(), start()]);
    for (const r of runs) {
      expect(r.stderr).not.toMatch(/Database is closed/);
      if (r.code !== 0) {
        const other = runs.find((x) => x !== r)!;
        expect(r.stderr.trim()).toMatch(new RegExp(`in use by PID ${other.pid}\\b`));
      }
    }
    expect(runs.some((r) => r.code === 0)).toBe(true);
  });
});

describe('local runtime: data dir permissions (issue 19, item 12)', () => {
  it('creates the data dir 0700 and what it writes there 0700 (dirs) / 0600 (files): store, outbox .eml, key', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'ew-perm-')), 'demo');
    const demo = await exportWatch(['demo', '--data-dir', dataDir]);
    expect(demo.code, demo.stderr).toBe(0);
    expect(mode(dataDir)).toBe(0o700);
    expect(readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml')).length).toBeGreaterThan(0);
    expect(readdirSync(join(dataDir, 'dynamodb')).length).toBeGreaterThan(0);
    expect(leaky(dataDir)).toEqual([]);
  });

  it('tightens an existing world-readable data dir (and the files in it) at start, and says so', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ew-perm-old-'));
    chmodSync(dataDir, 0o755);
    mkdirSync(join(dataDir, 'outbox'), { mode: 0o755 });
    chmodSync(join(dataDir, 'outbox'), 0o755);
    writeFileSync(join(dataDir, 'outbox', 'old.eml'), 'Subject: an old one\r\n\r\nunsubscribe token', { mode: 0o644 });
    chmodSync(join(dataDir, 'outbox', 'old.eml'), 0o644);
    const lines: string[] = [];
    const runtime = await LocalRuntime.start({ dataDir, log: (l) => lines.push(l) });
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(leaky(dataDir)).toEqual([]);
      expect(lines).toContainEqual(expect.stringMatching(/readable by other users.*now 0700\/0600/));
    } finally {
      await runtime.stop();
    }
  });
});
