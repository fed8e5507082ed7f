import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ItemWrite } from '#core/ports.ts';
import { diffEntries, type EntityEvent, SNAPSHOT_PREFIX, snapshotItemKey } from '#sources/entity-list/diff.ts';
import { ENTITY_LIST } from '#sources/entity-list/lists.ts';
import { type EntityRecord, parseCsl, toEntityRecord } from '#sources/entity-list/parse.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';
import {
  cslBody,
  ENTITY_LIST_DEMO_NEWS,
  entityListDemoBody,
  entityListDemoRows,
  syntheticCslRows,
} from '../support/upstreams/entity-list.ts';

type Row = Record<string, unknown>;

/** Apply item writes to a stored snapshot, round-tripping values through JSON like the state table. */
function apply(snapshot: Map<string, Record<string, unknown>>, writes: ItemWrite[]): Map<string, Record<string, unknown>> {
  const next = new Map(snapshot);
  for (const w of writes) {
    if (w.value === null) next.delete(w.key);
    else next.set(w.key, JSON.parse(JSON.stringify(w.value)));
  }
  return next;
}

function items(snapshot: Map<string, Record<string, unknown>>) {
  return [...snapshot].map(([key, value]) => ({ key, value }));
}

/** Snapshot after a baseline of `rows`. */
function baseline(rows: Row[]): Map<string, Record<string, unknown>> {
  const { itemWrites, events } = diffEntries([], parseCsl(cslBody(rows)).entries);
  expect(events.every((e) => e.kind === 'added')).toBe(true);
  return apply(new Map(), itemWrites);
}

function summarise(events: EntityEvent[]): string[] {
  return events.map((e) => `${e.kind} ${e.entry.key}`);
}

const el = (name: string, country: string, extra: Row = {}): Row => ({
  id: `${name}-${country}-${JSON.stringify(extra).length}`,
  source: ENTITY_LIST,
  name,
  alt_names: null,
  addresses: [{ address: '1 Main Road', city: 'City', state: '', postal_code: '', country }],
  federal_register_notice: '89 FR 10101',
  start_date: '2024-12-05',
  license_requirement: 'For all items subject to the EAR.',
  license_policy: 'Presumption of denial.',
  ...extra,
});

describe('diffEntries on the demo phases', () => {
  it('finds exactly the planted additions, amendment and removal, and writes only the delta', () => {
    const snap = baseline(entityListDemoRows('quiet'));
    expect(snap.size).toBe(ENTITY_LIST_DEMO_NEWS.counts.quiet);
    const news = parseCsl(entityListDemoBody('news'));
    const { events, itemWrites, count } = diffEntries(items(snap), news.entries);
    expect(count).toBe(ENTITY_LIST_DEMO_NEWS.counts.news);
    expect(events.filter((e) => e.kind === 'added').map((e) => [e.entry.name, e.entry.countries])).toEqual(
      expect.arrayContaining(ENTITY_LIST_DEMO_NEWS.added.map((a) => [a.name, a.countries])),
    );
    expect(events.map((e) => e.kind).sort()).toEqual(['added', 'added', 'added', 'amended', 'removed']);
    const amended = events.find((e) => e.kind === 'amended');
    expect(amended?.kind === 'amended' && amended.changes.map((c) => c.field)).toEqual(['addresses']);
    expect(amended?.entry.name).toBe('Example Wafer Fabrication Institute');
    expect(events.find((e) => e.kind === 'removed')?.entry.name).toBe('Example Freight FZE');
    // 3 puts for additions, 1 for the amendment, 1 delete; plus quiet rewrites of rows whose
    // published bytes changed without a compared change (reordered alt names, "" → null, mojibake fixed).
    expect(itemWrites.filter((w) => w.value === null)).toHaveLength(1);
    expect(itemWrites.filter((w) => w.value !== null)).toHaveLength(4 + 3);
    expect(itemWrites.length).toBeLessThan(snap.size / 2);

    // Applying the delta gives the same snapshot as a baseline of the news phase.
    const after = apply(snap, itemWrites);
    expect([...after.keys()].sort()).toEqual([...baseline(entityListDemoRows('news')).keys()].sort());
    expect(diffEntries(items(after), news.entries)).toMatchObject({ events: [], itemWrites: [] });
  });

  it('reports nothing for the same list in another order, with other ids, "" for null and reordered arrays', () => {
    const rows = entityListDemoRows('quiet');
    const snap = baseline(rows);
    const shuffled = [...rows].reverse().map((r, i) => ({
      ...r,
      id: `other-${i}`,
      alt_names: Array.isArray(r.alt_names) ? [...r.alt_names].reverse() : r.alt_names === null ? [] : r.alt_names,
      addresses: Array.isArray(r.addresses)
        ? [...r.addresses].reverse().map((a) => ({ ...a, state: a.state === '' ? null : a.state }))
        : r.addresses,
      remarks: 'changed remarks are not compared',
    }));
    const { events } = diffEntries(items(snap), parseCsl(cslBody(shuffled)).entries);
    expect(events).toEqual([]);
  });
});

describe('diffEntries: amendments, duplicates, edge cases', () => {
  it('detects an amendment under the same key although the upstream id changed', () => {
    const snap = baseline([el('Alpha Tech Co., Ltd.', 'CN')]);
    const next = [
      el('ALPHA TECH CO LTD', 'CN', {
        id: 'new-content-hash',
        federal_register_notice: '91 FR 41234',
        license_policy: 'Case-by-case review.',
      }),
    ];
    const { events } = diffEntries(items(snap), parseCsl(cslBody(next)).entries);
    expect(events).toHaveLength(1);
    const e = events[0] as Extract<EntityEvent, { kind: 'amended' }>;
    expect(e.kind).toBe('amended');
    expect(e.entry.key).toBe('EL|alpha tech co ltd|CN');
    expect(e.changes).toEqual([
      { field: 'federalRegisterNotice', before: '89 FR 10101', after: '91 FR 41234' },
      { field: 'licensePolicy', before: 'Presumption of denial.', after: 'Case-by-case review.' },
    ]);
    expect(e.before.hash).not.toBe(e.entry.hash);
  });

  it('keeps a name under several countries as distinct entries', () => {
    const snap = baseline([el('Beta Trading', 'CN'), el('Beta Trading', 'HK')]);
    expect(snap.size).toBe(2);
    const { events } = diffEntries(items(snap), parseCsl(cslBody([el('Beta Trading', 'CN')])).entries);
    expect(summarise(events)).toEqual(['removed EL|beta trading|HK']);
  });

  it('keeps same-key rows with different content apart (a multiset), pairing the closest on change', () => {
    const rows = [
      el('Gamma Co', 'AF', { federal_register_notice: '76 FR 71867' }),
      el('Gamma Co', 'AF', { federal_register_notice: '76 FR 10001' }),
    ];
    const snap = baseline(rows);
    expect(snap.size).toBe(1); // one item holds both
    const stored = [...snap.values()][0] as { records: unknown[] };
    expect(stored.records).toHaveLength(2);
    // One of the two rows changes its policy: one amendment, no add/remove.
    const next = [rows[0] as Row, { ...(rows[1] as Row), license_policy: 'Case-by-case review.' }];
    const { events } = diffEntries(items(snap), parseCsl(cslBody(next)).entries);
    expect(events.map((e) => e.kind)).toEqual(['amended']);
    expect((events[0] as Extract<EntityEvent, { kind: 'amended' }>).before.federalRegisterNotice).toBe('76 FR 10001');
    // One of them disappears: a removal of that row only.
    const { events: gone } = diffEntries(items(snap), parseCsl(cslBody([rows[0] as Row])).entries);
    expect(gone.map((e) => `${e.kind} ${e.entry.federalRegisterNotice}`)).toEqual(['removed 76 FR 10001']);
  });

  it('reports a country added to an entry as one amendment, not a removal plus an addition', () => {
    const snap = baseline([el('Delta Semi', 'CN')]);
    const next = el('Delta Semi', 'CN', {
      addresses: [
        { address: '1 Main Road', city: 'City', state: '', postal_code: '', country: 'CN' },
        { address: '2 Harbour Road', city: 'Hong Kong', state: '', postal_code: '', country: 'HK' },
      ],
    });
    const { events, itemWrites } = diffEntries(items(snap), parseCsl(cslBody([next])).entries);
    expect(events).toHaveLength(1);
    const e = events[0] as Extract<EntityEvent, { kind: 'amended' }>;
    expect(e.kind).toBe('amended');
    expect(e.entry.key).toBe('EL|delta semi|CN,HK');
    expect(e.changes.map((c) => c.field)).toEqual(['countries', 'addresses']);
    expect(itemWrites.map((w) => (w.value ? 'put' : 'delete')).sort()).toEqual(['delete', 'put']);
  });

  it('does not call an entry amended when only the normaliser changed (stale stored hash)', () => {
    const snap = baseline([el('Epsilon Ltd', 'SG')]);
    const [[k, v]] = [...snap] as [[string, { records: Array<Record<string, unknown>> }]];
    const stale = { ...v, hash: 'stale', records: v.records.map((r) => ({ ...r, hash: 'stale-hash' })) };
    const { events, itemWrites } = diffEntries([{ key: k, value: stale }], parseCsl(cslBody([el('Epsilon Ltd', 'SG')])).entries);
    expect(events).toEqual([]);
    expect(itemWrites).toHaveLength(1); // rewritten with today's hash
    expect(itemWrites[0]?.key).toBe(k);
  });

  it('drops malformed snapshot items instead of trusting them', () => {
    const { itemWrites, events } = diffEntries(
      [{ key: `${SNAPSHOT_PREFIX}junk`, value: { nope: true } }],
      parseCsl(cslBody([el('Zeta', 'CN')])).entries,
    );
    expect(itemWrites.find((w) => w.key === `${SNAPSHOT_PREFIX}junk`)?.value).toBeNull();
    expect(events.map((e) => e.kind)).toEqual(['added']);
  });

  it('uses e#<32 hex> item keys and keeps items small', () => {
    expect(snapshotItemKey('EL|x|CN')).toMatch(/^e#[0-9a-f]{32}$/);
    const big = el('Huge Entity', 'CN', {
      alt_names: Array.from({ length: 200 }, (_, i) => `Alias ${i}`),
      addresses: Array.from({ length: 100 }, (_, i) => ({
        address: `${i} Long Road, Building ${i}`,
        city: 'Shenzhen',
        state: 'Guangdong',
        postal_code: '518000',
        country: 'CN',
      })),
    });
    const snap = baseline([big]);
    for (const v of snap.values()) expect(JSON.stringify(v).length).toBeLessThan(40_000);
  });
});

/** Country names of the eCFR table as ISO codes (Intl knows most; a few BIS spellings differ). */
function isoOf(country: string): string {
  const aliases: Record<string, string> = {
    Burma: 'MM',
    Russia: 'RU',
    'South Korea': 'KR',
    Laos: 'LA',
    Turkey: 'TR',
    Syria: 'SY',
    Iran: 'IR',
    Vietnam: 'VN',
    Bolivia: 'BO',
    Venezuela: 'VE',
    'Crimea Region of Ukraine': 'UA',
    Taiwan: 'TW',
  };
  if (aliases[country]) return aliases[country];
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      try {
        if (names.of(code) === country) return code;
      } catch {
        // not a region code
      }
    }
  }
  return country; // keyed as text; still distinct per country
}

describeWithSharedFixtures('Supp. No. 4 to Part 744 rows as CSL records (shared fixture)', () => {
  // Loaded in a hook: vitest runs a skipped suite's body too, and the file may be absent.
  let rows: Row[];
  let entries: EntityRecord[];
  beforeAll(() => {
    const supp4 = JSON.parse(readFileSync(shared('entity-list/el_supp4_part744_parsed_2026-07-09.json'), 'utf8')) as {
      entities: Array<{ name: string; aliases: string[]; country: string; address: string; federal_register: string; notes: string }>;
    };
    const iso = new Map<string, string>();
    // Each eCFR row becomes a CSL-like EL record: one address carrying the row's country.
    rows = supp4.entities.map((e) => {
      if (!iso.has(e.country)) iso.set(e.country, isoOf(e.country));
      return {
        source: ENTITY_LIST,
        name: e.name,
        alt_names: e.aliases,
        addresses: [{ address: e.address, city: null, state: null, postal_code: null, country: iso.get(e.country) }],
        federal_register_notice: e.federal_register,
        start_date: null,
        license_requirement: e.notes,
        license_policy: null,
      };
    });
    entries = parseCsl(cslBody(rows)).entries;
  });

  it('keeps every row, and names repeated under several countries as distinct keys', () => {
    expect(entries).toHaveLength(3409);
    const byName = new Map<string, Set<string>>();
    for (const e of entries) byName.set(e.name, (byName.get(e.name) ?? new Set()).add(e.key));
    const multiCountry = [...byName].filter(([, keys]) => keys.size > 1);
    expect(multiCountry.length).toBeGreaterThanOrEqual(110); // ~117 names sit under several countries
    const ghoura = byName.get('Abdul Satar Ghoura');
    expect([...(ghoura ?? [])].sort()).toEqual(['EL|abdul satar ghoura|AF', 'EL|abdul satar ghoura|PK']);
  });

  it('round-trips: a baseline then the same rows shuffled gives no events and no writes', () => {
    const snap = baseline(rows);
    expect(snap.size).toBeGreaterThan(3390); // a few same-name, same-country rows share an item
    const shuffled = [...rows].sort((a, b) => String(b.address ?? b.name).localeCompare(String(a.address ?? a.name))).reverse();
    const result = diffEntries(items(snap), parseCsl(cslBody(shuffled)).entries);
    expect(result.events).toEqual([]);
    expect(result.itemWrites).toEqual([]);
  });

  it('removing one of a repeated name affects only that country', () => {
    const snap = baseline(rows);
    const target = rows.findIndex((r) => r.name === 'Gulf Gate Sea Cargo LLC' && (r.addresses as Row[])[0]?.country === 'AE');
    const { events } = diffEntries(items(snap), parseCsl(cslBody(rows.filter((_, i) => i !== target))).entries);
    expect(summarise(events)).toEqual(['removed EL|gulf gate sea cargo llc|AE']);
  });
});

// Speed and its scaling are measured by `npm run bench` (bench/entity-list.ts), not asserted here.
describe('scale: a full-size synthetic list', () => {
  it('parses ~25,000 rows (~30 MB) and finds planted changes', () => {
    const rows = syntheticCslRows(25_000, { seed: 7 });
    const body = Buffer.from(cslBody(rows));
    expect(body.length).toBeGreaterThan(25_000_000);
    const first = parseCsl(body);
    const snap = apply(new Map(), diffEntries([], first.entries).itemWrites);

    const bis = rows.filter((r) => r.source === ENTITY_LIST);
    const changed = rows
      .filter((r) => r !== bis[0]) // removed
      .map((r) => (r === bis[1] ? { ...r, license_policy: 'Case-by-case review.' } : r));
    changed.push({ ...(bis[2] as (typeof rows)[number]), name: 'Synthetic Newcomer Ltd.', id: 'new' });
    const body2 = Buffer.from(cslBody(changed));
    const second = parseCsl(body2);
    const { events } = diffEntries(items(snap), second.entries);
    expect(events.map((e) => e.kind).sort()).toEqual(['added', 'amended', 'removed']);
  });
});

it('toEntityRecord accepts CSV-style "; "-joined alt names', () => {
  expect(toEntityRecord({ name: 'X', alt_names: 'A; B' }, ENTITY_LIST)?.altNames).toEqual(['A', 'B']);
  expect((toEntityRecord({ name: 'X' }, ENTITY_LIST) as EntityRecord).key).toBe('EL|x|');
});
