import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { CliError, commandPathOf, type CommandTree, describeCliError, UsageError } from '#app/cli/errors.ts';
import {
  checkCountry,
  checkKind,
  checkSource,
  checkSubject,
  checkWindow,
  editDistance,
  ISO_COUNTRY_CODES,
  nearest,
} from '#app/cli/input.ts';
import { CHANGE_KINDS } from '#core/change.ts';
import { ConfigError, SourceError } from '#core/errors.ts';
import { FR_KINDS } from '#sources/federal-register/detect.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

const WATCHLIST = ['NVDA', 'AMD', 'INTC', 'MU', 'AVGO', 'SMCI', 'AMAT', '1045810'];

/** The message a check throws (fails the test when it does not throw a UsageError). */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('edit distance and nearest', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions', () => {
    expect(editDistance('sec-filing', 'sec-filings')).toBe(1);
    expect(editDistance('entity.adde', 'entity.added')).toBe(1);
    expect(editDistance('NVDAA', 'NVDA')).toBe(1);
    expect(editDistance('AMDI', 'AMD')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests only plausible typos', () => {
    expect(nearest('sec-filing', ['sec-filings', 'sec-revenue'])).toBe('sec-filings');
    expect(nearest('nvdaa', ['NVDA', 'AMD'])).toBe('NVDA');
    expect(nearest('something-else', ['sec-filings', 'sec-revenue'])).toBeUndefined();
    expect(nearest('x', [])).toBeUndefined();
  });
});

describe('checks of what users type', () => {
  it('sources: exact (any case), else the nearest', () => {
    expect(checkSource('Sec-Filings')).toBe('sec-filings');
    expect(refusal(() => checkSource('sec-filing'))).toBe('--source: unknown source "sec-filing": did you mean sec-filings?');
    expect(refusal(() => checkSource('rss'))).toMatch(
      /unknown source "rss" \(expected one of: sec-filings, .*entity-list, sec-full-text\)/,
    );
  });

  it('kinds: a kind or a dotted prefix, else the nearest', () => {
    expect(checkKind('entity.added')).toBe('entity.added');
    expect(checkKind('fr')).toBe('fr');
    expect(checkKind('Export-Language')).toBe('export-language');
    expect(refusal(() => checkKind('entity.adde', '--kinds'))).toBe('--kinds: unknown kind "entity.adde": did you mean entity.added?');
    expect(refusal(() => checkKind('filing.old'))).toMatch(/did you mean filing\.new\?/);
  });

  it('countries: ISO 3166-1 alpha-2 (any case); a name suggests its code', () => {
    expect(checkCountry('sg')).toBe('SG');
    expect(checkCountry('TW')).toBe('TW');
    expect(refusal(() => checkCountry('XX'))).toBe(
      '--country: unknown country code "XX" (expected an ISO-3166 alpha-2 country code such as SG)',
    );
    expect(refusal(() => checkCountry('Singapore', '--highlight'))).toBe('--highlight: unknown country code "Singapore": did you mean SG?');
    expect(refusal(() => checkCountry('Singapur'))).toMatch(/did you mean SG\?/);
    expect(refusal(() => checkCountry('UAE'))).toMatch(/did you mean AE\?/);
    expect(ISO_COUNTRY_CODES.size).toBe(250); // 249 assigned + XK
    const names = new Intl.DisplayNames(['en'], { type: 'region' });
    for (const code of ISO_COUNTRY_CODES) expect(names.of(code), code).not.toBe(code);
  });

  it('subjects: watch-list tickers (any case, canonical), CIKs, BIS and screening lists', () => {
    expect(checkSubject('nvda', WATCHLIST)).toBe('NVDA');
    expect(checkSubject('1045810', WATCHLIST)).toBe('1045810');
    expect(checkSubject('320193', WATCHLIST)).toBe('320193');
    expect(checkSubject('bis', WATCHLIST)).toBe('BIS');
    expect(checkSubject('entity list', WATCHLIST)).toBe('Entity List');
    expect(checkSubject('Unverified List', WATCHLIST)).toBe('Unverified List');
    expect(refusal(() => checkSubject('NVDAA', WATCHLIST, '--subjects'))).toBe('--subjects: unknown subject "NVDAA": did you mean NVDA?');
    expect(refusal(() => checkSubject('TSLA-X', WATCHLIST))).toMatch(
      /unknown subject "TSLA-X" \(expected a watch-list ticker: NVDA, AMD, INTC, MU, AVGO, SMCI, AMAT; a CIK/,
    );
  });

  it('windows: --until before --since is refused', () => {
    expect(() => checkWindow('2025-01-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z')).not.toThrow();
    expect(() => checkWindow(undefined, '2025-02-01T00:00:00.000Z')).not.toThrow();
    expect(refusal(() => checkWindow('2025-02-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'))).toMatch(
      /^--until 2025-01-01T00:00:00.000Z is before --since 2025-02-01T00:00:00.000Z/,
    );
  });
});

describe('CHANGE_KINDS', () => {
  it('lists every kind the sources write', () => {
    const written = new Set<string>(Object.values(FR_KINDS));
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts')) {
          for (const m of readFileSync(path, 'utf8').matchAll(
            /kind: (?:eightK \? )?'([a-z-]+\.[a-z0-9.-]+)'(?: : '([a-z-]+\.[a-z0-9.-]+)')?/g,
          )) {
            for (const k of [m[1], m[2]]) if (k) written.add(k);
          }
        }
      }
    };
    walk(join(REPO_ROOT, 'lambdas/sources'));
    expect(written.size).toBeGreaterThanOrEqual(10);
    expect([...written].filter((k) => !(CHANGE_KINDS as readonly string[]).includes(k))).toEqual([]);
  });
});

describe('the error boundary', () => {
  it('maps every known error to one line with the command and an exit code', () => {
    const cases: Array<[unknown, string, number]> = [
      [new UsageError('--source: unknown source "x"'), 'export-watch changes: --source: unknown source "x"', 2],
      [new CliError('README.md is not an XBRL filing'), 'export-watch changes: README.md is not an XBRL filing', 1],
      [
        new ConfigError('Invalid config file c.json:\n  watchlist: Required\n  forms: bad'),
        'export-watch changes: Invalid config file c.json: watchlist: Required; forms: bad',
        2,
      ],
      [
        new SourceError('network', 'GET http://x/ failed: ECONNREFUSED'),
        'export-watch changes: network error: GET http://x/ failed: ECONNREFUSED (check the URL and the network, then try again)',
        1,
      ],
      [
        Object.assign(new Error("ENOENT: no such file or directory, open 'a.htm'"), { code: 'ENOENT', path: 'a.htm' }),
        'export-watch changes: no such file or directory: a.htm (check the path)',
        1,
      ],
      [
        Object.assign(new Error('EISDIR'), { code: 'EISDIR', path: '/tmp' }),
        'export-watch changes: /tmp is a directory: give a file path',
        1,
      ],
      [
        new CommanderError(1, 'commander.unknownOption', "error: unknown option '--sourc'\n(Did you mean --source?)"),
        "export-watch changes: unknown option '--sourc' (Did you mean --source?) (see export-watch changes --help)",
        2,
      ],
      [
        new InvalidArgumentError('not a positive whole number: 0'),
        'export-watch changes: not a positive whole number: 0 (see export-watch changes --help)',
        2,
      ],
      [
        new Error('Database is closed'),
        'export-watch changes: Database is closed (unexpected: run again with --debug for the stack and report it)',
        1,
      ],
    ];
    for (const [err, line, exitCode] of cases) expect(describeCliError(err, 'changes')).toEqual({ line, exitCode });
    expect(describeCliError(new CommanderError(0, 'commander.version', '0.1.0'), undefined)).toEqual({ line: '', exitCode: 0 });
    expect(describeCliError(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), 'changes')).toEqual({
      line: '',
      exitCode: 0,
    });
  });

  it('adds the stack only with --debug', () => {
    const err = new Error('boom');
    expect(describeCliError(err, 'revenue').line).not.toMatch(/\n\s+at /);
    expect(describeCliError(err, 'revenue', true).line).toMatch(/^export-watch revenue: boom\nError: boom\n\s+at /);
  });

  it('names the command from the arguments', () => {
    const tree: CommandTree = new Map([
      ['changes', new Map()],
      [
        'subscribers',
        new Map([
          ['add', new Map()],
          ['list', new Map()],
        ]),
      ],
    ]);
    expect(commandPathOf(['changes', '--source', 'x'], tree)).toBe('changes');
    expect(commandPathOf(['--debug', 'subscribers', 'add', 'a@b.c'], tree)).toBe('subscribers add');
    expect(commandPathOf(['subscribers', 'nope'], tree)).toBe('subscribers');
    expect(commandPathOf(['--version'], tree)).toBeUndefined();
  });
});
