import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MARKER, prepareDemoDir } from '#app/local/demo-dir.ts';
import { startDemoUpstream } from '../support/demo-upstream.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

/**
 * First-contact safety of the real binary (issue 21, items 1, 3 and 7): the demo never
 * deletes what it did not create and never hangs, a busy port is one clear line, and
 * Ctrl-C during the first cycle leaves no lease behind.
 */

const run = promisify(execFile);
const cli = join(REPO_ROOT, 'bin/export-watch-cli.mjs');
// The demo's clock and dated data start here, so the test passes on any calendar day.
const NOW = '2026-03-03T15:00:00Z';
const ENV = { SEC_USER_AGENT: 'export-watch tests tests@example.com' };

async function exportWatch(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...ENV, ...options.env },
      maxBuffer: 64 * 1024 * 1024,
      // Well below the test timeout: a hang fails as a hang, not as a vitest timeout.
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; killed?: boolean; stdout?: string; stderr?: string };
    if (e.killed) throw new Error(`export-watch ${args.join(' ')} hung (killed after 60 s)`);
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** No JavaScript stack frame in the output (`    at fn (file:line:col)`). */
const STACK = /^\s+at .+[:(]/m;

describe('demo --data-dir never deletes what the demo did not create', () => {
  it('refuses a non-empty directory without the demo marker; its files stay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ew-notdemo-'));
    writeFileSync(join(dir, 'thesis.txt'), 'irreplaceable');
    mkdirSync(join(dir, 'dynamodb')); // looks like a real local store
    const out = await exportWatch(['demo', '--data-dir', dir, '--now', NOW]);
    expect(out.code).toBe(1);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/is not empty and is not a demo directory/);
    expect(out.stderr).not.toMatch(STACK);
    expect(readFileSync(join(dir, 'thesis.txt'), 'utf8')).toBe('irreplaceable');
    expect(existsSync(join(dir, 'dynamodb'))).toBe(true);
    expect(existsSync(join(dir, DEMO_MARKER))).toBe(false);
  });

  it('refuses `--data-dir .` in a checkout (work tree and .git stay)', async () => {
    const checkout = mkdtempSync(join(tmpdir(), 'ew-checkout-'));
    mkdirSync(join(checkout, '.git'));
    writeFileSync(join(checkout, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(checkout, 'package.json'), '{}');
    const out = await exportWatch(['demo', '--data-dir', '.', '--now', NOW], { cwd: checkout });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/--data-dir \. is not empty and is not a demo directory/);
    expect(readFileSync(join(checkout, '.git', 'HEAD'), 'utf8')).toMatch(/refs\/heads\/main/);
    expect(existsSync(join(checkout, 'package.json'))).toBe(true);
  });

  it('refuses a file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ew-file-')), 'notes.txt');
    writeFileSync(file, 'x');
    const out = await exportWatch(['demo', '--data-dir', file, '--now', NOW]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/is not a directory/);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('creates a new dir with the marker, and reuses it: a fresh demo each time, other files kept', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ew-demo-again-')), 'demo');
    const first = await exportWatch(['demo', '--data-dir', dir, '--now', NOW]);
    expect(first.code).toBe(0);
    expect(existsSync(join(dir, DEMO_MARKER))).toBe(true);
    writeFileSync(join(dir, 'my-notes.txt'), 'kept');
    const second = await exportWatch(['demo', '--data-dir', dir, '--now', NOW]);
    expect(second.code).toBe(0);
    // The store was replaced, not added to: the second demo records a baseline again.
    expect(second.stdout).toMatch(/sec-filings: baseline recorded/);
    const emails = (stdout: string) => Number(/\((\d+) \.eml file\(s\)\)/.exec(stdout)?.[1]);
    expect(emails(second.stdout)).toBeGreaterThan(0);
    expect(emails(second.stdout)).toBe(emails(first.stdout)); // the old outbox went with the old store
    expect(readFileSync(join(dir, 'my-notes.txt'), 'utf8')).toBe('kept');

    // Its emails say their links die with the demo (issue 21, item 10).
    const [eml] = readdirSync(join(dir, 'outbox')).filter((f) => f.endsWith('.eml'));
    const unfolded = readFileSync(join(dir, 'outbox', eml ?? ''), 'utf8')
      .replace(/=\r?\n/g, '')
      .replace(/\s+/g, ' ');
    expect(unfolded).toMatch(
      /Sent by a local export-watch process: its links go to http:\/\/127\.0\.0\.1:\d+, which answers only while that process runs/,
    );
  }, 120_000);
});

describe('a busy port is one clear line, exit 1, no stack and no hang', () => {
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it.each([
    ['--ses-port', ['--ses-port', 'PORT', '--links-port', '0'], /port \d+ for the local SES web UI is already in use.*--ses-port N/],
    [
      '--links-port',
      ['--ses-port', '0', '--links-port', 'PORT'],
      /port \d+ for the local confirm\/unsubscribe link server is already in use.*--links-port N/,
    ],
  ])('%s taken', async (_name, portArgs, message) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ew-port-'));
    const args = ['run', '--once', '--data-dir', dataDir, ...portArgs.map((a) => (a === 'PORT' ? String(port) : a))];
    const out = await exportWatch(args, {
      env: {
        SEC_WWW_URL: 'http://127.0.0.1:9',
        SEC_DATA_URL: 'http://127.0.0.1:9',
        FEDERAL_REGISTER_URL: 'http://127.0.0.1:9',
        CSL_URL: 'http://127.0.0.1:9',
      },
    });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).toContain(String(port));
    // One line about the port (other notes, e.g. about a new store, may precede it).
    expect(out.stderr.split('\n').filter((line) => line.includes(String(port)))).toHaveLength(1);
    expect(out.stderr).not.toMatch(STACK);
    expect(out.stderr).not.toMatch(/TypeError|EADDRINUSE/);
    // Nothing ran and no endpoint is left for readers to attach to.
    expect(existsSync(join(dataDir, 'dynamodb.endpoint'))).toBe(false);
  });
});

describe('Ctrl-C during the first cycle releases the lease', () => {
  it('SIGINT while a source waits on a slow upstream: exit 130, no live lease, the next run --once runs every source', async () => {
    const upstream = await startDemoUpstream({ now: new Date(NOW) });
    try {
      // Every upstream answer takes a minute: the first source is mid-cycle, holding its lease.
      upstream.fake.fault(/.*/, { kind: 'delay', ms: 60_000 });
      // A demo dir (marked), so that the demo below is refused only for being in use.
      const dataDir = prepareDemoDir(mkdtempSync(join(tmpdir(), 'ew-sigint-')));
      const child = spawn(process.execPath, [cli, 'run', '--data-dir', dataDir, '--ses-port', '0', '--links-port', '0'], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...ENV, ...upstream.fake.env() },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const deadline = Date.now() + 60_000;
      while (upstream.fake.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(upstream.fake.requests.length).toBeGreaterThan(0);

      // While it runs, status (attached to the running store) names the held lease.
      const during = await exportWatch(['status', '--data-dir', dataDir, '--format', 'json']);
      const held = (JSON.parse(during.stdout) as Array<{ source: string; lease: { holder: string; until: string } | null }>).filter(
        (r) => r.lease,
      );
      expect(held).toHaveLength(1);
      expect(held[0]?.lease?.holder).toMatch(new RegExp(`export-watch local runtime \\(pid ${child.pid} on `));
      const text = await exportWatch(['status', '--data-dir', dataDir]);
      expect(text.stdout).toMatch(new RegExp(`${held[0]?.source}: NEVER-RUN .*LEASE held by export-watch local runtime`));

      // The demo never clears a dir a running process serves.
      const demo = await exportWatch(['demo', '--data-dir', dataDir, '--now', NOW]);
      expect(demo.code).toBe(1);
      expect(demo.stderr).toMatch(/is in use by a running export-watch process/);
      expect(existsSync(join(dataDir, 'dynamodb'))).toBe(true);
      // Nor does a second run open the store under the first (LevelDB: one process per store).
      const second = await exportWatch(['run', '--once', '--data-dir', dataDir, '--ses-port', '0', '--links-port', '0'], {
        env: upstream.fake.env(),
      });
      expect(second.code).toBe(1);
      // Issue 19, item 12: the holder by PID (the pid file is claimed before the store opens).
      expect(second.stderr).toMatch(new RegExp(`data dir .* in use by PID ${child.pid}\\b.*choose another --data-dir`));
      expect(second.stderr).not.toMatch(STACK);

      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
      if (code === 'hung') child.kill('SIGKILL');
      expect(code).toBe(130);
      expect(stdout).toMatch(/SIGINT: stopping/);
      expect(stdout).toMatch(new RegExp(`Released the lease of ${held[0]?.source}`));
      expect(stderr).not.toMatch(STACK);

      const after = await exportWatch(['status', '--data-dir', dataDir, '--format', 'json']);
      expect((JSON.parse(after.stdout) as Array<{ lease: unknown }>).every((r) => r.lease === null)).toBe(true);

      upstream.fake.clearFaults();
      const next = await exportWatch(['run', '--once', '--data-dir', dataDir, '--ses-port', '0', '--links-port', '0'], {
        env: upstream.fake.env(),
      });
      expect(next.stdout).not.toMatch(/skipped \(another run of this source holds the lease\)/);
      expect(next.stdout).not.toMatch(/released the lease of an interrupted run/);
      expect(next.stdout).toMatch(new RegExp(`${held[0]?.source}: baseline recorded`));
    } finally {
      await upstream.fake.stop();
    }
  }, 120_000);
});
