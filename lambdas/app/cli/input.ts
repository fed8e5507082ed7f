import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHANGE_KINDS, SOURCE_NAMES, type SourceName } from '#core/change.ts';
import { ISO_COUNTRY_CODES, regionName } from '#core/countries.ts';
import { CSL_LISTS, listShortName } from '#sources/entity-list/lists.ts';
import { CliError, UsageError } from './errors.ts';

/**
 * Validation of what users type on the command line: sources, kinds, country codes,
 * subjects, time windows and data dirs. Each check returns the canonical value or throws a
 * {@link UsageError} that names the input and suggests the nearest valid value.
 */

/** Edit distance (Levenshtein with adjacent transpositions), case-sensitive. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, ((d[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = v;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The candidate nearest to `value` (case-insensitive), when it is close enough to be a
 * plausible typo: at most a third of the longer string's length, at least 1, at most 3.
 */
export function nearest(value: string, candidates: readonly string[]): string | undefined {
  const v = value.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const distance = editDistance(v, c.toLowerCase());
    if (distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.min(3, Math.max(1, Math.floor(Math.max(v.length, best.length) / 3)));
  return bestDistance <= limit ? best : undefined;
}

/** `unknown source "x": did you mean y?` or `unknown source "x" (expected one of: …)`. */
function unknown(what: string, value: string, suggestion: string | undefined, choices: readonly string[], option?: string): UsageError {
  const where = option ? `${option}: ` : '';
  const hint = suggestion ? `: did you mean ${suggestion}?` : choices.length ? ` (expected one of: ${choices.join(', ')})` : '';
  return new UsageError(`${where}unknown ${what} "${value}"${hint}`);
}

/** A source name (case-insensitive). */
export function checkSource(value: string, option = '--source'): SourceName {
  const v = value.trim().toLowerCase();
  if ((SOURCE_NAMES as readonly string[]).includes(v)) return v as SourceName;
  throw unknown('source', value, nearest(v, SOURCE_NAMES), SOURCE_NAMES, option);
}

/** Kind prefixes a filter accepts besides the kinds themselves (`fr` matches `fr.document`). */
export const KIND_PREFIXES: readonly string[] = [...new Set(CHANGE_KINDS.map((k) => k.slice(0, k.indexOf('.'))))];

/** A change kind or a dotted prefix of one (case-insensitive). */
export function checkKind(value: string, option = '--kind'): string {
  const v = value.trim().toLowerCase();
  if ((CHANGE_KINDS as readonly string[]).includes(v) || KIND_PREFIXES.includes(v)) return v;
  throw unknown('kind', value, nearest(v, [...CHANGE_KINDS, ...KIND_PREFIXES]), [...KIND_PREFIXES, ...CHANGE_KINDS], option);
}

// The list lives in core so the notifier can use it without bundling the CLI (commander).
export { ISO_COUNTRY_CODES };

let countryNames: Map<string, string> | undefined;
/** English country name (lower-case) → code, for "did you mean SG?" after `Singapore`. */
function namesToCodes(): Map<string, string> {
  if (!countryNames) {
    countryNames = new Map([...ISO_COUNTRY_CODES].map((code) => [regionName(code).toLowerCase(), code]));
    for (const [alias, code] of [
      ['uae', 'AE'],
      ['usa', 'US'],
      ['uk', 'GB'],
      ['korea', 'KR'],
      ['south korea', 'KR'],
      ['taiwan', 'TW'],
      ['hong kong', 'HK'],
      ['macau', 'MO'],
      ['russia', 'RU'],
    ] as const) {
      countryNames.set(alias, code);
    }
  }
  return countryNames;
}

/** An ISO 3166-1 alpha-2 code (case-insensitive, returned upper-case); a country name suggests its code. */
export function checkCountry(value: string, option = '--country'): string {
  const v = value.trim();
  const upper = v.toUpperCase();
  if (ISO_COUNTRY_CODES.has(upper)) return upper;
  const names = namesToCodes();
  const byName = names.get(v.toLowerCase()) ?? (v.length > 3 ? names.get(nearest(v, [...names.keys()]) ?? '') : undefined);
  const where = option ? `${option}: ` : '';
  throw new UsageError(
    `${where}unknown country code "${value}"${byName ? `: did you mean ${byName}?` : ' (expected an ISO-3166 alpha-2 country code such as SG)'}`,
  );
}

/** Split a comma-separated list, trimmed, empty items dropped. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Subjects that are not companies: the Federal Register source's and the screening lists'. */
export const NON_COMPANY_SUBJECTS: readonly string[] = ['BIS', ...new Set(Object.values(CSL_LISTS).map(listShortName))];

/**
 * A subject as stored in the change log: a watch-list ticker (case-insensitive), a CIK
 * (digits), `BIS` or a screening list ("Entity List"). Anything else is refused with the
 * nearest known subject.
 */
export function checkSubject(value: string, watchlist: readonly string[], option = '--subject'): string {
  const v = value.trim();
  if (/^\d{1,10}$/.test(v)) return v;
  const known = [...watchlist.filter((w) => !/^\d+$/.test(w)), ...NON_COMPANY_SUBJECTS];
  const match = known.find((k) => k.toLowerCase() === v.toLowerCase());
  if (match) return match;
  // A sector entry (SIC:3674) watches companies whose tickers the config does not list.
  if (watchlist.some((w) => w.startsWith('SIC:')) && /^[A-Za-z][A-Za-z0-9.-]{0,9}$/.test(v)) return v.toUpperCase();
  const where = option ? `${option}: ` : '';
  const suggestion = nearest(v, known);
  const tickers = watchlist.filter((w) => !/^\d+$/.test(w));
  throw new UsageError(
    `${where}unknown subject "${value}"${suggestion ? `: did you mean ${suggestion}?` : ` (expected a watch-list ticker: ${tickers.join(', ')}; a CIK; BIS; or a list such as Entity List)`}`,
  );
}

/** Refuse a window whose end lies before its start (both ISO instants). */
export function checkWindow(since: string | undefined, until: string | undefined): void {
  if (since && until && Date.parse(until) < Date.parse(since)) {
    throw new UsageError(`--until ${until} is before --since ${since}: swap them or widen the window`);
  }
}

/** True when `dataDir` holds a local store (the embedded DynamoDB's LevelDB files). */
export function hasLocalStore(dataDir: string): boolean {
  return existsSync(join(resolve(dataDir), 'dynamodb', 'CURRENT'));
}

/**
 * A data dir for a command that only reads: refused when it holds no store, because a
 * typo'd `--data-dir` would otherwise read an empty new store and report "nothing".
 */
export function requireLocalStore(dataDir: string): void {
  if (!hasLocalStore(dataDir)) {
    throw new UsageError(`--data-dir: no export-watch data in ${dataDir} (check the path; export-watch run or demo creates a store)`);
  }
}

/**
 * A local input file that exists and is not a directory (a stream of a directory fails
 * later without naming it). A missing file throws the fs error, which names the path.
 */
export function checkInputFile(path: string): string {
  if (statSync(path).isDirectory()) throw new CliError(`${path} is a directory: give a file path`);
  return path;
}
