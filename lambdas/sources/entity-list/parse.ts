import { SourceError } from '#core/errors.ts';
import { contentHash } from '#core/hash.ts';
import { capArray, capString, jsonBytes } from '#core/limits.ts';
import { bracketedCode, DEFAULT_LISTS, listCode } from './lists.ts';
import { normCountry, normFold, normName, normText } from './normalise.ts';
import { forEachResult } from './scan.ts';

/** An address as the CSL publishes it (missing fields become `null`; `""` is kept). */
export interface CslAddress {
  address: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  country: string | null;
}

/**
 * One screening-list entry, with published values kept as they are. This is also the
 * compact record kept in the snapshot: everything needed to describe a later removal or
 * amendment, nothing else (no upstream `id`, remarks or per-source extras).
 */
export interface EntityEntry {
  /** Full CSL `source` string, e.g. "Entity List (EL) - Bureau of Industry and Security". */
  list: string;
  name: string;
  altNames: string[];
  addresses: CslAddress[];
  /** Sorted, de-duplicated, upper-cased country codes (from addresses and a top-level `country`). */
  countries: string[];
  federalRegisterNotice: string | null;
  startDate: string | null;
  licenseRequirement: string | null;
  licensePolicy: string | null;
  /** `source_list_url`, else `source_information_url`. */
  url: string | null;
  /** Hash (32 hex) of the normalised compared fields; see {@link comparableFields}. */
  hash: string;
  /** Addresses beyond {@link ENTRY_LIMITS}`.addresses` (or the record budget) not kept; absent when none were dropped. */
  addressesOmitted?: number;
  /** Alternate names beyond {@link ENTRY_LIMITS}`.altNames` (or the record budget) not kept; absent when none were dropped. */
  altNamesOmitted?: number;
}

/** An entry plus its natural key. */
export interface EntityRecord extends EntityEntry {
  /** `LIST|normalised name|CC,CC`: see {@link entityKey}. */
  key: string;
}

/**
 * Fields compared between snapshots, by their name in change data. The name is part of the
 * key, and URLs, remarks and the upstream `id` are not compared: they change without the
 * listing changing.
 */
export const COMPARED_FIELDS = [
  'altNames',
  'addresses',
  'federalRegisterNotice',
  'startDate',
  'licenseRequirement',
  'licensePolicy',
] as const;
/** One of {@link COMPARED_FIELDS}. */
export type ComparedField = (typeof COMPARED_FIELDS)[number];

type Comparable = Record<ComparedField, unknown>;

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/**
 * The normalised form of each compared field: free text folded, empty and null equal,
 * arrays order-insensitive (sorted, de-duplicated), addresses with no content dropped.
 */
export function comparableFields(
  e: Pick<EntityEntry, ComparedField> & Pick<EntityEntry, 'addressesOmitted' | 'altNamesOmitted'>,
): Comparable {
  const addresses: string[] = [];
  for (const a of e.addresses) {
    const parts = [normFold(a.address), normFold(a.city), normFold(a.state), normFold(a.postal_code), normCountry(a.country)];
    if (parts.some((p) => p !== null)) addresses.push(JSON.stringify(parts));
  }
  // The number of items cut off counts as content (one more published address is an
  // amendment); entries with nothing cut hash exactly as before the caps existed.
  if (e.addressesOmitted) addresses.push(JSON.stringify(['omitted', e.addressesOmitted]));
  const altNames = e.altNames.map(normName).filter((n): n is string => n !== null);
  if (e.altNamesOmitted) altNames.push(`\u0000omitted ${e.altNamesOmitted}`);
  return {
    altNames: sortedUnique(altNames),
    addresses: sortedUnique(addresses),
    federalRegisterNotice: normFold(e.federalRegisterNotice),
    startDate: normText(e.startDate),
    licenseRequirement: normFold(e.licenseRequirement),
    licensePolicy: normFold(e.licensePolicy),
  };
}

/** Content hash of an entry's compared fields (32 hex): equal iff no compared field changed. */
export function entryHash(e: Pick<EntityEntry, ComparedField> & Pick<EntityEntry, 'addressesOmitted' | 'altNamesOmitted'>): string {
  return contentHash(comparableFields(e)).slice(0, 32);
}

/**
 * The natural key: list code, normalised name and sorted country set, e.g.
 * `EL|huawei technologies co ltd|CN`. The upstream `id` cannot serve: it is a content
 * hash, so every amendment changes it. A name listed under two countries gives two keys.
 */
export function entityKey(list: string, name: string, countries: readonly string[]): string {
  return `${listCode(list)}|${normName(name) ?? ''}|${countries.join(',')}`;
}

/** The name part of a key (keys never contain `|` elsewhere: {@link normName} strips it). */
export function keyName(key: string): string {
  const first = key.indexOf('|');
  return key.slice(first + 1, key.lastIndexOf('|'));
}

function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function toAddress(v: unknown): CslAddress | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const a = v as Record<string, unknown>;
  return { address: str(a.address), city: str(a.city), state: str(a.state), postal_code: str(a.postal_code), country: str(a.country) };
}

/**
 * Caps on one entry (issue 19, item 5). An entry is a snapshot state item (with any others of
 * its key) and a change: DynamoDB refuses either over 400 KB, and a refused write would fail
 * every cycle for good. Real entries are far below every cap (the longest EL name is ~210
 * characters, the longest address ~3,400, the most addresses ~30), so they are unchanged.
 * Over them, strings are cut with a visible marker and arrays keep their first items with a
 * count of the rest (`addressesOmitted`, `altNamesOmitted`). The name is part of the natural
 * key, so its cap is fixed; the others shrink further while the entry's JSON is over
 * `recordBytes`. Deterministic: the same row always gives the same entry and hash.
 */
export const ENTRY_LIMITS = {
  name: 500,
  altNames: 100,
  addresses: 50,
  /** Any other text field, and each address field. */
  text: 5_000,
  url: 2_000,
  /** Distinct country codes kept (from all addresses, not only the kept ones), each up to `countryChars`. */
  countries: 300,
  countryChars: 100,
  /** Budget of one entry's JSON (UTF-8 bytes): a snapshot item holds up to {@link MAX_RECORDS_PER_KEY} of them. */
  recordBytes: 24_000,
} as const;

/**
 * Most records kept under one natural key (same list, name and countries). Real lists repeat
 * a key two or three times (distinct FR notices); the records of one key share a snapshot
 * item, so a row repeated thousands of times would otherwise overflow it. Later repeats are
 * dropped (counted in {@link ParsedCsl.keyRepeatsDropped}).
 */
export const MAX_RECORDS_PER_KEY = 10;

function capText(v: string | null, max: number): string | null {
  return v === null ? null : capString(v, max);
}

function capAddress(a: CslAddress, max: number): CslAddress {
  return {
    address: capText(a.address, max),
    city: capText(a.city, max),
    state: capText(a.state, max),
    postal_code: capText(a.postal_code, max),
    country: capText(a.country, max),
  };
}

type RawEntry = Omit<EntityEntry, 'hash' | 'addressesOmitted' | 'altNamesOmitted' | 'countries'>;

/** The entry's capped fields: fixed caps first, then halved while over the record budget. */
function capEntry(e: RawEntry): Omit<EntityEntry, 'hash' | 'countries'> {
  const name = capString(e.name, ENTRY_LIMITS.name);
  for (let f = 1; ; f *= 2) {
    const n = (limit: number, floor: number) => Math.max(floor, Math.floor(limit / f));
    const text = n(ENTRY_LIMITS.text, 200);
    const addresses = capArray(e.addresses, n(ENTRY_LIMITS.addresses, 1));
    const altNames = capArray(e.altNames, n(ENTRY_LIMITS.altNames, 1));
    const out: Omit<EntityEntry, 'hash' | 'countries'> = {
      list: e.list,
      name,
      altNames: altNames.items.map((a) => capString(a, text)),
      addresses: addresses.items.map((a) => capAddress(a, text)),
      federalRegisterNotice: capText(e.federalRegisterNotice, text),
      startDate: capText(e.startDate, text),
      licenseRequirement: capText(e.licenseRequirement, text),
      licensePolicy: capText(e.licensePolicy, text),
      url: capText(e.url, n(ENTRY_LIMITS.url, 200)),
      ...(addresses.omitted > 0 ? { addressesOmitted: addresses.omitted } : {}),
      ...(altNames.omitted > 0 ? { altNamesOmitted: altNames.omitted } : {}),
    };
    // At the floor an entry is a few KB whatever was published (one address, one alias, 200-character fields).
    if (text === 200 || jsonBytes(out) <= ENTRY_LIMITS.recordBytes) return out;
  }
}

/**
 * Turn one raw CSL row of `list` into an entry, or `undefined` when it has no usable name.
 * Exported so tests can feed rows from other shapes (e.g. rows converted from the eCFR table).
 */
export function toEntityRecord(raw: Record<string, unknown>, list: string): EntityRecord | undefined {
  const name = str(raw.name);
  if (name === null || normName(name) === null) return undefined;
  const addresses = Array.isArray(raw.addresses) ? raw.addresses.map(toAddress).filter((a): a is CslAddress => a !== undefined) : [];
  // alt_names is null, a list, or (CSV-derived copies) a "; "-joined string.
  const altRaw = raw.alt_names;
  const altNames = Array.isArray(altRaw)
    ? altRaw.map(str).filter((s): s is string => s !== null)
    : typeof altRaw === 'string' && altRaw.trim() !== ''
      ? altRaw.split(/;\s*/)
      : [];
  // Countries come from every published address, kept or not: subscribers filter on them.
  const countrySet = new Set<string>();
  for (const a of addresses) {
    const c = normCountry(a.country);
    if (c !== null) countrySet.add(capString(c, ENTRY_LIMITS.countryChars));
  }
  const topCountry = normCountry(raw.country); // ISN-style rows carry one top-level country
  if (topCountry !== null) countrySet.add(capString(topCountry, ENTRY_LIMITS.countryChars));
  const countries = capArray([...countrySet].sort(), ENTRY_LIMITS.countries).items;
  const capped = capEntry({
    list,
    name,
    altNames,
    addresses,
    federalRegisterNotice: str(raw.federal_register_notice),
    startDate: str(raw.start_date),
    licenseRequirement: str(raw.license_requirement),
    licensePolicy: str(raw.license_policy),
    url: normText(raw.source_list_url) ?? normText(raw.source_information_url),
  });
  const { addressesOmitted, altNamesOmitted } = capped;
  const entry: Omit<EntityEntry, 'hash'> = {
    list,
    name: capped.name,
    altNames: capped.altNames,
    addresses: capped.addresses,
    countries,
    federalRegisterNotice: capped.federalRegisterNotice,
    startDate: capped.startDate,
    licenseRequirement: capped.licenseRequirement,
    licensePolicy: capped.licensePolicy,
    url: capped.url,
    ...(addressesOmitted ? { addressesOmitted } : {}),
    ...(altNamesOmitted ? { altNamesOmitted } : {}),
  };
  return { key: entityKey(list, capped.name, countries), ...entry, hash: entryHash(entry) };
}

/** What {@link parseCsl} found. */
export interface ParsedCsl {
  /** Entries of the selected lists, in upstream order. */
  entries: EntityRecord[];
  /** Entries per selected list (every selected list present, zero included). */
  listCounts: Record<string, number>;
  /** Rows in `results` overall. */
  totalRecords: number;
  /** Rows per source that were not selected (for logs: a renamed list shows up here). */
  otherSources: Record<string, number>;
  /** Selected rows dropped for having no usable name. */
  skipped: number;
  /** Selected rows dropped because their key already had {@link MAX_RECORDS_PER_KEY} records; absent when none. */
  keyRepeatsDropped?: number;
}

/** Options of {@link parseCsl}. */
export interface ParseOptions {
  /**
   * CSL `source` strings to keep; defaults to {@link DEFAULT_LISTS}. Matched ignoring case and
   * spacing, or else by the code in parentheses (a reworded list name still matches).
   */
  lists?: readonly string[] | undefined;
}

/**
 * Parse the CSL bulk JSON in one pass, keeping only rows of the selected lists. Each row is
 * parsed on its own and dropped unless selected, so memory stays near the body size plus the
 * kept entries. A truncated or malformed body throws `SourceError('parse')`.
 */
export function parseCsl(body: Buffer | string, options: ParseOptions = {}): ParsedCsl {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const lists = options.lists ?? DEFAULT_LISTS;
  const wanted = new Map<string, string>(lists.map((l) => [normFold(l) ?? l, l]));
  // Lists are reworded now and then (one crawler's table has "ITAR Debarred (DTC)", another
  // "AECA Debarred List (DTC)") but keep their code: a row whose name is not selected as such
  // still matches a selected list with the same code in parentheses, and is kept under the
  // selected name, so counts and natural keys stay stable across the rewording.
  const wantedCodes = new Map<string, string>();
  for (const l of lists) {
    const code = bracketedCode(l);
    if (code !== undefined && !wantedCodes.has(code)) wantedCodes.set(code, l);
  }
  const listCounts: Record<string, number> = Object.fromEntries(lists.map((l) => [l, 0]));
  const otherSources: Record<string, number> = {};
  const entries: EntityRecord[] = [];
  let skipped = 0;
  let keyRepeatsDropped = 0;
  const perKey = new Map<string, number>();
  // A body has a dozen distinct `source` strings over ~25,000 rows: resolve each once.
  const resolved = new Map<string, string | undefined>();
  const selectedList = (source: string): string | undefined => {
    if (resolved.has(source)) return resolved.get(source);
    const code = bracketedCode(source);
    const list = wanted.get(normFold(source) ?? '') ?? (code === undefined ? undefined : wantedCodes.get(code));
    resolved.set(source, list);
    return list;
  };
  const totalRecords = forEachResult(buf, (json, index) => {
    let row: unknown;
    try {
      row = JSON.parse(json);
    } catch (err) {
      throw new SourceError('parse', `CSL results[${index}] is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new SourceError('parse', `CSL results[${index}] is not an object`);
    }
    const source = str((row as Record<string, unknown>).source) ?? '(no source)';
    const list = selectedList(source);
    if (list === undefined) {
      otherSources[source] = (otherSources[source] ?? 0) + 1;
      return;
    }
    const entry = toEntityRecord(row as Record<string, unknown>, list);
    if (!entry) {
      skipped++;
      return;
    }
    const seen = perKey.get(entry.key) ?? 0;
    if (seen >= MAX_RECORDS_PER_KEY) {
      keyRepeatsDropped++;
      return;
    }
    perKey.set(entry.key, seen + 1);
    entries.push(entry);
    listCounts[list] = (listCounts[list] ?? 0) + 1;
  });
  return { entries, listCounts, totalRecords, otherSources, skipped, ...(keyRepeatsDropped > 0 ? { keyRepeatsDropped } : {}) };
}
