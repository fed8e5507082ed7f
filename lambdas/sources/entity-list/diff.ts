import { sha256, stableStringify } from '#core/hash.ts';
import type { ItemWrite } from '#core/ports.ts';
import { COMPARED_FIELDS, type ComparedField, comparableFields, type EntityEntry, type EntityRecord, entryHash, keyName } from './parse.ts';

/**
 * Keyed diff of two list snapshots, in the OpenSanctions delta model (docs/upstreams.md §7):
 * a new key is ADD, a missing key DEL, a changed content hash MOD. Pure: the snapshot comes
 * in as state items and leaves as item writes for the delta only.
 */

/** Prefix of snapshot items in the source's state. */
export const SNAPSHOT_PREFIX = 'e#';

/**
 * A snapshot item: every entry with one natural key. Almost always one record; a list can
 * publish the same name under the same countries more than once (distinct FR notices), and
 * those rows share the item rather than overwrite each other.
 */
export interface SnapshotItem {
  key: string;
  /** Hash over the records' content hashes: equal iff the group did not change. */
  hash: string;
  /** Sorted by hash, so an unchanged group serialises identically. */
  records: EntityEntry[];
}

/** State-item key of a natural key: `e#` + 32 hex of its SHA-256 (items stay small and uniform). */
export function snapshotItemKey(key: string): string {
  return `${SNAPSHOT_PREFIX}${sha256(key).slice(0, 32)}`;
}

/** One field that differs between two versions of an entry; values as published. */
export interface FieldChange {
  field: ComparedField | 'countries';
  before: unknown;
  after: unknown;
}

/** A detected difference, before it becomes a change draft. */
export type EntityEvent =
  | { kind: 'added'; entry: EntityRecord }
  | { kind: 'removed'; entry: EntityRecord }
  | { kind: 'amended'; before: EntityRecord; entry: EntityRecord; changes: FieldChange[] };

/** What {@link diffEntries} returns. */
export interface DiffResult {
  events: EntityEvent[];
  /** Puts of new or changed groups and deletes of vanished ones: the delta only. */
  itemWrites: ItemWrite[];
  /** Number of entries in the new snapshot. */
  count: number;
}

function groupHash(records: readonly EntityEntry[]): string {
  return sha256(records.map((r) => r.hash).join(',')).slice(0, 32);
}

/** Build the snapshot item of a group of records with one key. */
export function toSnapshotItem(key: string, records: readonly EntityRecord[]): SnapshotItem {
  const sorted = records.map(({ key: _k, ...entry }) => entry).sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  return { key, hash: groupHash(sorted), records: sorted };
}

function isSnapshotItem(v: Record<string, unknown>): v is SnapshotItem & Record<string, unknown> {
  return typeof v.key === 'string' && typeof v.hash === 'string' && Array.isArray(v.records);
}

/** Field-level differences of two entries (values as published, compared normalised). */
export function fieldChanges(before: EntityEntry, after: EntityEntry): FieldChange[] {
  const a = comparableFields(before);
  const b = comparableFields(after);
  const out: FieldChange[] = [];
  for (const f of COMPARED_FIELDS) {
    if (stableStringify(a[f]) !== stableStringify(b[f])) out.push({ field: f, before: before[f], after: after[f] });
  }
  return out;
}

/**
 * Match the previous and current records of one key. Equal hashes pair first (a multiset
 * match); the rest pair by most equal fields and become amendments; leftovers are
 * additions and removals.
 */
function diffGroup(
  key: string,
  prev: EntityRecord[],
  cur: EntityRecord[],
  events: EntityEvent[],
): { added: EntityRecord[]; removed: EntityRecord[] } {
  const restPrev: EntityRecord[] = [];
  const pool = new Map<string, EntityRecord[]>();
  for (const c of cur) {
    const list = pool.get(c.hash);
    if (list) list.push(c);
    else pool.set(c.hash, [c]);
  }
  for (const p of prev) {
    const match = pool.get(p.hash);
    if (match && match.length > 0) match.pop();
    else restPrev.push(p);
  }
  const restCur = [...pool.values()].flat();
  while (restPrev.length > 0 && restCur.length > 0) {
    let best: [number, number, FieldChange[]] | undefined;
    for (let i = 0; i < restPrev.length; i++) {
      for (let j = 0; j < restCur.length; j++) {
        const changes = fieldChanges(restPrev[i] as EntityRecord, restCur[j] as EntityRecord);
        if (!best || changes.length < best[2].length) best = [i, j, changes];
      }
    }
    const [i, j, changes] = best as [number, number, FieldChange[]];
    const before = restPrev.splice(i, 1)[0] as EntityRecord;
    const entry = restCur.splice(j, 1)[0] as EntityRecord;
    events.push({ kind: 'amended', before: { ...before, key }, entry, changes });
  }
  return { added: restCur, removed: restPrev };
}

function overlaps(a: readonly string[], b: readonly string[]): boolean {
  return a.length === 0 || b.length === 0 || a.some((c) => b.includes(c));
}

/**
 * Diff the previous snapshot (state items under {@link SNAPSHOT_PREFIX}) against the
 * entries just parsed.
 *
 * - Unchanged groups cost one hash comparison; only changed groups are re-normalised.
 * - A stored hash that differs only because normalisation improved since it was written
 *   is not an amendment: the item is rewritten quietly (OpenSanctions warns that MOD can
 *   reflect a parser change).
 * - A removal and an addition of the same list and name whose country sets overlap (an
 *   address added in another country changes the key) are reported as one amendment.
 *
 * Linear in the number of entries, apart from tiny per-key groups.
 */
export function diffEntries(
  previous: ReadonlyArray<{ key: string; value: Record<string, unknown> }>,
  current: readonly EntityRecord[],
): DiffResult {
  const curGroups = new Map<string, EntityRecord[]>();
  for (const e of current) {
    const g = curGroups.get(e.key);
    if (g) g.push(e);
    else curGroups.set(e.key, [e]);
  }
  const prevByKey = new Map<string, { itemKey: string; item: SnapshotItem }>();
  const itemWrites: ItemWrite[] = [];
  const seenItemKeys = new Set<string>();
  for (const { key: itemKey, value } of previous) {
    // A malformed item (never written by this code) is dropped rather than trusted.
    if (!isSnapshotItem(value)) {
      itemWrites.push({ key: itemKey, value: null });
      continue;
    }
    prevByKey.set(value.key, { itemKey, item: value });
  }

  const events: EntityEvent[] = [];
  const added: EntityRecord[] = [];
  const removed: EntityRecord[] = [];
  for (const [key, cur] of curGroups) {
    const item = toSnapshotItem(key, cur);
    const itemKey = snapshotItemKey(key);
    seenItemKeys.add(itemKey);
    const prev = prevByKey.get(key);
    if (!prev) {
      added.push(...cur);
      itemWrites.push({ key: itemKey, value: item as unknown as Record<string, unknown> });
      continue;
    }
    if (prev.itemKey !== itemKey) itemWrites.push({ key: prev.itemKey, value: null });
    if (prev.item.hash !== item.hash) {
      // Recompute stored hashes with today's normalisation before calling anything changed.
      const prevRecords = prev.item.records.map((r) => ({ ...r, key, hash: entryHash(r) }));
      const leftover = diffGroup(key, prevRecords, cur, events);
      added.push(...leftover.added);
      removed.push(...leftover.removed);
    }
    // Raw values not compared (e.g. a URL, a name's capitalisation) still refresh the item.
    if (prev.itemKey !== itemKey || stableStringify(prev.item) !== stableStringify(item)) {
      itemWrites.push({ key: itemKey, value: item as unknown as Record<string, unknown> });
    }
  }
  for (const [key, { itemKey, item }] of prevByKey) {
    if (curGroups.has(key)) continue;
    for (const r of item.records) removed.push({ ...r, key });
    if (!seenItemKeys.has(itemKey)) itemWrites.push({ key: itemKey, value: null });
  }

  // Same list and name, one removed and one added, overlapping countries: one amendment.
  const byName = (r: EntityRecord) => `${r.list}\u0000${keyName(r.key)}`;
  const removedByName = new Map<string, EntityRecord[]>();
  for (const r of removed) {
    const k = byName(r);
    removedByName.set(k, [...(removedByName.get(k) ?? []), r]);
  }
  const addedByName = new Map<string, EntityRecord[]>();
  for (const a of added) {
    const k = byName(a);
    addedByName.set(k, [...(addedByName.get(k) ?? []), a]);
  }
  const paired = new Set<EntityRecord>();
  for (const [k, adds] of addedByName) {
    const rems = removedByName.get(k);
    if (adds.length !== 1 || rems?.length !== 1) continue;
    const a = adds[0] as EntityRecord;
    const r = rems[0] as EntityRecord;
    if (!overlaps(r.countries, a.countries)) continue;
    paired.add(a).add(r);
    events.push({
      kind: 'amended',
      before: r,
      entry: a,
      changes: [{ field: 'countries', before: r.countries, after: a.countries }, ...fieldChanges(r, a)],
    });
  }
  for (const a of added) if (!paired.has(a)) events.push({ kind: 'added', entry: a });
  for (const r of removed) if (!paired.has(r)) events.push({ kind: 'removed', entry: r });

  const order = { added: 0, amended: 1, removed: 2 } as const;
  events.sort((x, y) => order[x.kind] - order[y.kind] || (x.entry.key < y.entry.key ? -1 : x.entry.key > y.entry.key ? 1 : 0));
  return { events, itemWrites, count: current.length };
}

/**
 * Diff two parsed lists directly, exactly as two successive source runs would: the snapshot
 * the first run stores (its baseline item writes), then {@link diffEntries} against the
 * second. For `export-watch entity-list diff`; the events equal the source's by construction.
 */
export function diffLists(before: readonly EntityRecord[], after: readonly EntityRecord[]): DiffResult {
  const snapshot: Array<{ key: string; value: Record<string, unknown> }> = [];
  for (const w of diffEntries([], before).itemWrites) if (w.value !== null) snapshot.push({ key: w.key, value: w.value });
  return diffEntries(snapshot, after);
}
