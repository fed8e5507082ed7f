import type { ChangeDraft } from './change.ts';

/**
 * Size caps for everything a source copies from an upstream into a change. DynamoDB refuses
 * an item over 400 KB, and a refused put fails the cycle: without caps, one oversized record
 * (a 450 KB Federal Register abstract, a screening-list entry with 3,000 addresses) would
 * fail its source on every run, for good. Every cut is visible: a string ends with
 * "… [truncated: N more characters]", an array that lost items gets a sibling
 * `<field>Omitted: N` (or, inside an array, a last "[truncated: N more items]" element), an
 * object that lost keys gets `_omittedKeys: N`. Pure: no I/O, deterministic, so the same
 * upstream record always caps to the same change (and the same change id).
 */

/** Start of every truncation marker; `… [truncated: N more characters]` ends a cut string. */
export const TRUNCATION_MARKER = '[truncated:';

/** Per-field overrides of {@link CapLimits}, by the field's key in its parent object. */
export interface FieldLimit {
  /** Longest string (UTF-16 code units) kept under this key. */
  string?: number;
  /** Most items kept in an array under this key. */
  array?: number;
}

/** Limits of a deep walk ({@link capDeep}). */
export interface CapLimits {
  /** Longest string kept, in characters (UTF-16 code units). */
  string: number;
  /** Most items kept per array. */
  array: number;
  /** Most keys kept per object (in insertion order). */
  keys: number;
  /** Longest object key kept. */
  keyLength: number;
  /** Deepest nesting kept: an object or array at this depth becomes a marker string. */
  depth: number;
  /** Tighter (or looser) limits by field name, e.g. `addresses: { array: 50 }`. */
  fields: Readonly<Record<string, FieldLimit>>;
}

/** Limits of a change draft ({@link capDraft}): the walk's limits for `data`, plus the top-level fields and a byte budget. */
export interface DraftLimits extends CapLimits {
  title: number;
  summary: number;
  subject: number;
  naturalKey: number;
  url: number;
  /** `version` and `occurredAt`: short identifiers, never prose. */
  short: number;
  /** Most entries of `countries`. */
  countries: number;
  /**
   * Budget for `data`, in UTF-8 bytes of its JSON. Over it, the walk is repeated with
   * tighter limits until it fits, so whatever the upstream sends the change stays far under
   * DynamoDB's 400 KB (title, summary and the other fields add at most ~20 KB more).
   */
  dataBytes: number;
}

/**
 * The defaults: a title of 500 characters, a summary of 2,000, any string in `data` 20,000,
 * any array 500 items (entity `addresses` 50, names and aliases 100), 200 keys per object,
 * 12 levels of nesting, and 200,000 bytes of `data`. Real records are far below every one of
 * them (the longest Entity List address, several addresses in one string, is ~3,400
 * characters; the most addresses of one entry ~30), so their changes are unchanged.
 */
export const DEFAULT_DRAFT_LIMITS: DraftLimits = {
  title: 500,
  summary: 2_000,
  subject: 200,
  naturalKey: 1_000,
  url: 2_000,
  short: 200,
  countries: 300,
  string: 20_000,
  array: 500,
  keys: 200,
  keyLength: 200,
  depth: 12,
  fields: {
    addresses: { array: 50 },
    altNames: { array: 100 },
    aliases: { array: 100 },
    names: { array: 100 },
  },
  dataBytes: 200_000,
};

/**
 * The last, tightest limits of the budget loop. Their worst case is bounded whatever the
 * input: at depth 2 the data is at most (4 keys + 4 `…Omitted` + 1) entries of at most as
 * many leaves, each leaf ≤ 145 characters (×6 bytes when every character is JSON-escaped)
 * and each key ≤ 77: about 110 KB. Under a smaller budget the data is replaced by a marker.
 */
const FLOOR_LIMITS: CapLimits = { string: 100, array: 4, keys: 4, keyLength: 32, depth: 2, fields: {} };

/** UTF-8 bytes of a value's JSON (what a DynamoDB item of it costs, roughly). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * `s` cut to `maxChars` characters plus a visible marker, or `s` itself when it fits. A
 * surrogate pair is never split (the cut would leave invalid UTF-16).
 */
export function capString(s: string, maxChars: number): string {
  if (s.length <= maxChars) return s;
  let keep = Math.max(0, Math.floor(maxChars));
  const last = s.charCodeAt(keep - 1);
  if (keep > 0 && last >= 0xd800 && last <= 0xdbff) keep--;
  return `${s.slice(0, keep)}… ${TRUNCATION_MARKER} ${s.length - keep} more characters]`;
}

/** The first `max` items of `arr` and how many were dropped. */
export function capArray<T>(arr: readonly T[], max: number): { items: T[]; omitted: number } {
  const n = Math.max(0, Math.floor(max));
  if (arr.length <= n) return { items: [...arr], omitted: 0 };
  return { items: arr.slice(0, n), omitted: arr.length - n };
}

interface WalkStats {
  cuts: number;
}

function walk(value: unknown, lim: CapLimits, depth: number, key: string | undefined, stats: WalkStats): unknown {
  if (typeof value === 'string') {
    const out = capString(value, (key !== undefined ? lim.fields[key]?.string : undefined) ?? lim.string);
    if (out !== value) stats.cuts++;
    return out;
  }
  if (value === null || typeof value !== 'object') return value;
  const v = typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
  if (v !== value) return walk(v, lim, depth, key, stats);
  if (depth >= lim.depth) {
    stats.cuts++;
    return `${TRUNCATION_MARKER} nested too deep]`;
  }
  if (Array.isArray(value)) {
    const { items, omitted } = walkArray(value, lim, depth, key, stats);
    // An array inside an array has no field to put the count beside: it ends the array.
    if (omitted > 0) items.push(`${TRUNCATION_MARKER} ${omitted} more items]`);
    return items;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const { items: kept, omitted: omittedKeys } = capArray(entries, lim.keys);
  const out: Array<[string, unknown]> = [];
  for (const [k, child] of kept) {
    const ck = capString(k, lim.keyLength);
    if (ck !== k) stats.cuts++;
    if (Array.isArray(child) && depth + 1 < lim.depth) {
      const { items, omitted } = walkArray(child, lim, depth + 1, k, stats);
      out.push([ck, items]);
      if (omitted > 0) out.push([`${ck}Omitted`, omitted]);
    } else {
      out.push([ck, walk(child, lim, depth + 1, k, stats)]);
    }
  }
  if (omittedKeys > 0) {
    stats.cuts++;
    out.push(['_omittedKeys', omittedKeys]);
  }
  // fromEntries defines own properties: a `__proto__` key stays data, not a prototype.
  return Object.fromEntries(out);
}

function walkArray(
  arr: readonly unknown[],
  lim: CapLimits,
  depth: number,
  key: string | undefined,
  stats: WalkStats,
): { items: unknown[]; omitted: number } {
  const { items, omitted } = capArray(arr, (key !== undefined ? lim.fields[key]?.array : undefined) ?? lim.array);
  if (omitted > 0) stats.cuts++;
  return { items: items.map((x) => walk(x, lim, depth + 1, undefined, stats)), omitted };
}

/**
 * Apply `limits` to every string, array and object in `value` (see the module comment for
 * the markers). Returns `value` itself when nothing was cut.
 */
export function capDeep<T>(value: T, limits: CapLimits): { value: T; cuts: number } {
  const stats: WalkStats = { cuts: 0 };
  const out = walk(value, limits, 0, undefined, stats);
  return { value: stats.cuts === 0 ? value : (out as T), cuts: stats.cuts };
}

function scaled(l: CapLimits, f: number): CapLimits {
  const s = (n: number, floor: number) => Math.max(floor, Math.floor(n / f));
  const fields: Record<string, FieldLimit> = {};
  for (const [k, fl] of Object.entries(l.fields)) {
    fields[k] = {
      ...(fl.string !== undefined ? { string: s(fl.string, FLOOR_LIMITS.string) } : {}),
      ...(fl.array !== undefined ? { array: s(fl.array, FLOOR_LIMITS.array) } : {}),
    };
  }
  return {
    string: s(l.string, FLOOR_LIMITS.string),
    array: s(l.array, FLOOR_LIMITS.array),
    keys: s(l.keys, FLOOR_LIMITS.keys),
    keyLength: s(l.keyLength, FLOOR_LIMITS.keyLength),
    depth: Math.max(FLOOR_LIMITS.depth, Math.min(l.depth, l.depth - Math.round(Math.log2(f)))),
    fields,
  };
}

/**
 * A change's `data` within `limits` and its byte budget: the per-field limits first; while
 * the JSON is still over `dataBytes`, the walk is repeated with limits divided by 4, 16, …
 * down to a floor. If even the floor does not fit (only a budget far below the default can
 * do that), the data is replaced by `{ _truncated: "…" }`. Returns `data` itself when it fits
 * untouched, so normal-size records keep exactly their change (and their content hash).
 */
export function capDraftData(
  data: Record<string, unknown>,
  limits: CapLimits & { dataBytes: number } = DEFAULT_DRAFT_LIMITS,
): Record<string, unknown> {
  const first = capDeep(data, limits);
  const size = first.cuts === 0 ? jsonBytes(data) : jsonBytes(first.value);
  if (size <= limits.dataBytes) return first.value;
  for (let f = 4; f <= 4096; f *= 4) {
    const lim = scaled(limits, f);
    const next = capDeep(data, lim).value;
    if (jsonBytes(next) <= limits.dataBytes) return next;
  }
  const floor = capDeep(data, FLOOR_LIMITS).value;
  if (jsonBytes(floor) <= limits.dataBytes) return floor;
  return { _truncated: `${TRUNCATION_MARKER} change data of ${jsonBytes(data)} bytes exceeded the ${limits.dataBytes}-byte budget]` };
}

/**
 * A change draft within `limits`: title, summary, subject, natural key, URL, version and
 * `occurredAt` cut with a marker, `countries` to its most entries, `data` through
 * {@link capDraftData}. Every source passes its drafts through this before returning them.
 * Returns `draft` itself when nothing needed cutting.
 */
export function capDraft(draft: ChangeDraft, limits: DraftLimits = DEFAULT_DRAFT_LIMITS): ChangeDraft {
  const data = capDraftData(draft.data, limits);
  const out: ChangeDraft = {
    ...draft,
    naturalKey: capString(draft.naturalKey, limits.naturalKey),
    subject: capString(draft.subject, limits.subject),
    title: capString(draft.title, limits.title),
    summary: capString(draft.summary, limits.summary),
    data,
  };
  if (draft.url !== undefined) out.url = capString(draft.url, limits.url);
  if (draft.version !== undefined) out.version = capString(draft.version, limits.short);
  if (draft.occurredAt !== undefined) out.occurredAt = capString(draft.occurredAt, limits.short);
  if (draft.countries !== undefined && (draft.countries.length > limits.countries || draft.countries.some((c) => c.length > 8))) {
    // Country codes are two letters; anything longer is not one and is dropped, not cut.
    out.countries = capArray(
      draft.countries.filter((c) => c.length <= 8),
      limits.countries,
    ).items;
  }
  const same = (Object.keys(out) as Array<keyof ChangeDraft>).every((k) => out[k] === draft[k]);
  return same ? draft : out;
}
