import { SourceError } from '../../core/errors.ts';
import { contentHash } from '../../core/hash.ts';
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
export const COMPARED_FIELDS = ['altNames', 'addresses', 'federalRegisterNotice', 'startDate', 'licenseRequirement', 'licensePolicy'] as const;
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
export function comparableFields(e: Pick<EntityEntry, ComparedField>): Comparable {
  const addresses: string[] = [];
  for (const a of e.addresses) {
    const parts = [normFold(a.address), normFold(a.city), normFold(a.state), normFold(a.postal_code), normCountry(a.country)];
    if (parts.some((p) => p !== null)) addresses.push(JSON.stringify(parts));
  }
  return {
    altNames: sortedUnique(e.altNames.map(normName).filter((n): n is string => n !== null)),
    addresses: sortedUnique(addresses),
    federalRegisterNotice: normFold(e.federalRegisterNotice),
    startDate: normText(e.startDate),
    licenseRequirement: normFold(e.licenseRequirement),
    licensePolicy: normFold(e.licensePolicy),
  };
}

/** Content hash of an entry's compared fields (32 hex): equal iff no compared field changed. */
export function entryHash(e: Pick<EntityEntry, ComparedField>): string {
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
  const countrySet = new Set<string>();
  for (const a of addresses) {
    const c = normCountry(a.country);
    if (c !== null) countrySet.add(c);
  }
  const topCountry = normCountry(raw.country); // ISN-style rows carry one top-level country
  if (topCountry !== null) countrySet.add(topCountry);
  const countries = [...countrySet].sort();
  const entry: Omit<EntityEntry, 'hash'> = {
    list,
    name,
    altNames,
    addresses,
    countries,
    federalRegisterNotice: str(raw.federal_register_notice),
    startDate: str(raw.start_date),
    licenseRequirement: str(raw.license_requirement),
    licensePolicy: str(raw.license_policy),
    url: normText(raw.source_list_url) ?? normText(raw.source_information_url),
  };
  return { key: entityKey(list, name, countries), ...entry, hash: entryHash(entry) };
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
    entries.push(entry);
    listCounts[list] = (listCounts[list] ?? 0) + 1;
  });
  return { entries, listCounts, totalRecords, otherSources, skipped };
}
