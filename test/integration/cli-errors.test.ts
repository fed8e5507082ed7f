import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/fixtures.ts';
import { type CliResult, exportWatch } from '../support/cli.ts';

/**
 * Ordinary mistakes on the real binary (issue 21, items 4–6 and 10): each is one line on
 * stderr without a stack, a non-zero exit code (2 for bad input, 1 for an input that cannot
 * be used), and a suggestion where a typo has a near neighbour. Spawns run in parallel.
 */

/** One line on stderr, no stack frame, the exit code, and the line matching `message`. */
function expectOneLine(r: CliResult, code: number, message: RegExp | string): void {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.code, r.stderr).toBe(code);
  if (typeof message === 'string') expect(lines[0]).toContain(message);
  else expect(lines[0]).toMatch(message);
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('export-watch CLI errors (real process)', () => {
  const root = mkdtempSync(join(tmpdir(), 'ew-errors-'));
  const dataDir = join(root, 'data');
  const dir = ['--data-dir', dataDir];

  beforeAll(async () => {
    // A real store: the first write creates it and says so.
    const seeded = await exportWatch(['subscribers', 'add', 'seed@example.com', ...dir]);
    expect(seeded.code, seeded.stderr).toBe(0);
    expect(seeded.stderr.trim()).toBe(`export-watch: no export-watch data in ${dataDir} (new store created)`);
  }, 120_000);

  it('--version and -V print the package version', async () => {
    const [version, short] = await Promise.all([exportWatch(['--version']), exportWatch(['-V'])]);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const r of [version, short]) {
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    }
  });

  it('typos in changes are refused with the nearest valid value; a lower-case ticker is accepted', async () => {
    const [source, kind, country, subject, ticker, window, option] = await Promise.all([
      exportWatch(['changes', '--source', 'sec-filing', ...dir]),
      exportWatch(['changes', '--kind', 'entity.adde', ...dir]),
      exportWatch(['changes', '--country', 'XX', ...dir]),
      exportWatch(['changes', '--subject', 'NVDAA', ...dir]),
      exportWatch(['changes', '--subject', 'nvda', '--format', 'json', ...dir]),
      exportWatch(['changes', '--since', '2025-02-01', '--until', '2025-01-01', ...dir]),
      exportWatch(['changes', '--sourc', 'sec-filings', ...dir]),
    ]);
    expectOneLine(source, 2, 'export-watch changes: --source: unknown source "sec-filing": did you mean sec-filings?');
    expectOneLine(kind, 2, 'unknown kind "entity.adde": did you mean entity.added?');
    expectOneLine(country, 2, 'unknown country code "XX" (expected an ISO-3166 alpha-2 country code such as SG)');
    expectOneLine(subject, 2, 'unknown subject "NVDAA": did you mean NVDA?');
    expect(ticker.code, ticker.stderr).toBe(0);
    expect(JSON.parse(ticker.stdout)).toEqual([]);
    expectOneLine(window, 2, /--until 2025-01-01T00:00:00.000Z is before --since 2025-02-01T00:00:00.000Z/);
    expectOneLine(option, 2, /unknown option '--sourc' \(Did you mean --source\?\) \(see export-watch changes --help\)/);
  });

  it('typos in subscriber filters are refused with the nearest valid value', async () => {
    const add = (...args: string[]) => exportWatch(['subscribers', 'add', 'x@example.com', ...args, ...dir]);
    const [kinds, subjects, countries, sources, ok] = await Promise.all([
      add('--kinds', 'entity.adde'),
      add('--subjects', 'NVDAA'),
      add('--countries', 'XX'),
      add('--sources', 'sec-filing'),
      add('--subjects', 'nvda,1045810,Entity List', '--kinds', 'fr,entity.added', '--countries', 'sg'),
    ]);
    expectOneLine(kinds, 2, 'export-watch subscribers add: --kinds: unknown kind "entity.adde": did you mean entity.added?');
    expectOneLine(subjects, 2, '--subjects: unknown subject "NVDAA": did you mean NVDA?');
    expectOneLine(countries, 2, '--countries: unknown country code "XX"');
    expectOneLine(sources, 2, '--sources: unknown source "sec-filing": did you mean sec-filings?');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Added x@example.com (pending)');
  });

  it('report: a country name, a directory as --out; read-only commands refuse a data dir without a store', async () => {
    const typo = join(root, 'dta');
    const [highlight, outDir, changes, status, report, list] = await Promise.all([
      exportWatch(['report', '--out', join(root, 'r.html'), '--highlight', 'SG,Singapore', ...dir]),
      exportWatch(['report', '--out', root, ...dir]),
      exportWatch(['changes', '--data-dir', typo]),
      exportWatch(['status', '--data-dir', typo]),
      exportWatch(['report', '--out', join(root, 'r.html'), '--data-dir', typo]),
      exportWatch(['subscribers', 'list', '--data-dir', typo]),
    ]);
    expectOneLine(highlight, 2, 'export-watch report: --highlight: unknown country code "Singapore": did you mean SG?');
    expectOneLine(outDir, 2, `--out: ${root} is a directory: give a file path such as ${join(root, 'report.html')}`);
    for (const [r, cmd] of [
      [changes, 'changes'],
      [status, 'status'],
      [report, 'report'],
      [list, 'subscribers list'],
    ] as const) {
      expectOneLine(r, 2, `export-watch ${cmd}: --data-dir: no export-watch data in ${typo}`);
    }
  });

  it('revenue: a file that is not a filing is an error (exit 1); a filing without geography explains once (exit 0)', async () => {
    const folder = join(root, 'folder');
    mkdirSync(folder);
    const port = await closedPort();
    const [devNull, readme, json, missing, directory, url, eightK, debug] = await Promise.all([
      exportWatch(['revenue', '/dev/null']),
      exportWatch(['revenue', 'README.md']),
      exportWatch(['revenue', 'package.json', '--json']),
      exportWatch(['revenue', join(root, 'missing.htm')]),
      exportWatch(['revenue', folder]),
      exportWatch(['revenue', `http://127.0.0.1:${port}/nvda-20250727.htm`]),
      exportWatch(['revenue', 'test/fixtures/sec-export-language/nvda-20250409-8k.htm']),
      exportWatch(['revenue', join(root, 'missing.htm'), '--debug']),
    ]);
    expectOneLine(devNull, 1, 'export-watch revenue: /dev/null is not an XBRL filing');
    expectOneLine(readme, 1, 'README.md is not an XBRL filing');
    expectOneLine(json, 1, 'package.json is not an XBRL filing');
    expect(readme.stdout + json.stdout).toBe('');
    expectOneLine(missing, 1, `no such file or directory: ${join(root, 'missing.htm')} (check the path)`);
    expectOneLine(directory, 1, `${folder} is a directory: give a file path`);
    expectOneLine(
      url,
      1,
      /^export-watch revenue: network error: GET http:\/\/127\.0\.0\.1:\d+\/nvda-20250727\.htm failed: .*\(check the URL and the network/,
    );
    expect(eightK.code, eightK.stderr).toBe(0);
    expect(eightK.stdout).toContain('No revenue by geographic area in this document');
    expect(eightK.stdout).not.toMatch(/no XBRL found|segments are not geography/);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^\s+at /m);
  });

  it('diff-filings names the missing input', async () => {
    const missing = join(root, 'new.htm');
    const r = await exportWatch(['diff-filings', 'test/fixtures/sec-export-language/nvda-20250427.htm', missing]);
    expectOneLine(r, 1, `export-watch diff-filings: no such file or directory: ${missing} (check the path)`);
  });
});
