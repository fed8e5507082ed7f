import { describe, expect, it } from 'vitest';
import { ManualClock } from '#core/clock.ts';
import { type AppConfig, loadConfig } from '#core/config.ts';
import { SourceError } from '#core/errors.ts';
import { sha256 } from '#core/hash.ts';
import type { RequestOptions, UpstreamClient, UpstreamResponse } from '#core/http.ts';
import type { SourceContext } from '#core/source.ts';
import { CSL_LISTS, DEFAULT_LISTS, ENTITY_LIST, MEU_LIST, UNVERIFIED_LIST } from '#sources/entity-list/lists.ts';
import { createEntityListSource, type EntityListCursor, entityListSettings, entityListSource } from '#sources/entity-list/source.ts';
import { cslBody, entityListDemoBody, entityListDemoRows } from '../support/upstreams/entity-list.ts';

const config = loadConfig({ EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['NVDA'] }) });

/** A stub upstream answering one body with an ETag, 304 on a matching If-None-Match. */
function stubHttp(body: string, etag: string) {
  const calls: RequestOptions[] = [];
  const http = {
    async get(url: string, opts: RequestOptions = {}): Promise<UpstreamResponse> {
      calls.push(opts);
      const notModified = opts.validators?.etag === etag;
      const buf = notModified ? Buffer.alloc(0) : Buffer.from(body);
      return {
        url,
        status: notModified ? 304 : 200,
        notModified,
        headers: new Headers(),
        body: buf,
        bodyHash: notModified ? '' : sha256(buf),
        validators: { etag, lastModified: 'Tue, 29 Sep 2026 14:00:00 GMT' },
      };
    },
  };
  return { http: http as unknown as UpstreamClient, calls };
}

/** A context over an in-memory item store. */
function context(
  http: UpstreamClient,
  cursor: EntityListCursor | undefined,
  store = new Map<string, Record<string, unknown>>(),
  cfg: AppConfig = config,
) {
  let reads = 0;
  const ctx: SourceContext<EntityListCursor> = {
    config: cfg,
    http,
    clock: new ManualClock('2026-10-01T12:00:00Z'),
    cursor,
    readItem: async (key) => store.get(key),
    readItems: async (prefix) => {
      reads++;
      return [...store].filter(([k]) => k.startsWith(prefix)).map(([key, value]) => ({ key, value }));
    },
    queryChanges: () => (async function* () {})(),
    log: () => undefined,
  };
  return { ctx, store, reads: () => reads };
}

describe('entityListSource.poll', () => {
  it('baseline: every entry is an addition, snapshot puts and a full cursor', async () => {
    const { http } = stubHttp(entityListDemoBody('quiet'), '"q"');
    const { ctx } = context(http, undefined);
    const result = await entityListSource.poll(ctx);
    expect(result.changes).toHaveLength(32);
    expect(result.itemWrites).toHaveLength(32);
    expect(result.itemsSeen).toBe(32);
    expect(result.cursor).toEqual({
      etag: '"q"',
      lastModified: 'Tue, 29 Sep 2026 14:00:00 GMT',
      bodyHash: sha256(entityListDemoBody('quiet')),
      count: 32,
      listCounts: { [ENTITY_LIST]: 24, [MEU_LIST]: 4, [UNVERIFIED_LIST]: 4 },
    });
  });

  it('304: one conditional request, no reads, no changes, same cursor', async () => {
    const { http, calls } = stubHttp(entityListDemoBody('quiet'), '"q"');
    const cursor: EntityListCursor = { etag: '"q"', bodyHash: 'x', count: 32, listCounts: {} };
    const c = context(http, cursor);
    const result = await entityListSource.poll(c.ctx);
    expect(calls).toEqual([{ validators: { etag: '"q"', lastModified: undefined }, accept: 'application/json' }]);
    expect(result).toEqual({ changes: [], cursor, itemsSeen: 32 });
    expect(c.reads()).toBe(0);
  });

  it('same body under a new ETag: no parse, no reads, cursor takes the new validators', async () => {
    const body = entityListDemoBody('quiet');
    const { http } = stubHttp(body, '"new"');
    const cursor: EntityListCursor = { etag: '"old"', bodyHash: sha256(body), count: 32, listCounts: {} };
    const c = context(http, cursor);
    const result = await entityListSource.poll(c.ctx);
    expect(result.changes).toEqual([]);
    expect(result.cursor.etag).toBe('"new"');
    expect(c.reads()).toBe(0);
  });

  it('checks sanity before reading the snapshot', async () => {
    const { http } = stubHttp(entityListDemoBody('quiet'), '"q"');
    const cursor: EntityListCursor = { bodyHash: 'x', count: 64, listCounts: { [ENTITY_LIST]: 48, [MEU_LIST]: 8, [UNVERIFIED_LIST]: 8 } };
    const c = context(http, cursor);
    await expect(entityListSource.poll(c.ctx)).rejects.toThrow(SourceError);
    await expect(entityListSource.poll(c.ctx)).rejects.toMatchObject({ kind: 'sanity' });
    expect(c.reads()).toBe(0);
  });

  it('baselines a list newly added to the selection quietly', async () => {
    const { http } = stubHttp(entityListDemoBody('quiet'), '"q"');
    const first = await entityListSource.poll(context(http, undefined).ctx);
    const store = new Map<string, Record<string, unknown>>();
    for (const w of first.itemWrites ?? []) if (w.value) store.set(w.key, w.value);
    const SDN = 'Specially Designated Nationals (SDN) - Treasury Department';
    const wider = createEntityListSource({ lists: [ENTITY_LIST, MEU_LIST, UNVERIFIED_LIST, SDN] });
    const result = await wider.poll(context(http, { ...first.cursor, etag: undefined, bodyHash: 'changed' }, store).ctx);
    expect(result.changes).toEqual([]);
    expect(result.itemWrites).toHaveLength(4); // the SDN rows join the snapshot
    expect(result.cursor.listCounts[SDN]).toBe(4);
    // And dropping it again deletes them quietly.
    for (const w of result.itemWrites ?? []) if (w.value) store.set(w.key, w.value);
    const back = await entityListSource.poll(context(http, { ...result.cursor, etag: undefined, bodyHash: 'changed' }, store).ctx);
    expect(back.changes).toEqual([]);
    expect(back.itemWrites?.every((w) => w.value === null)).toBe(true);
    expect(back.itemWrites).toHaveLength(4);
  });
});

/** A validated config with this `entityList` section (through the real loader, as deployed). */
function configWith(entityList: Record<string, unknown>): AppConfig {
  return loadConfig({ EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['NVDA'], entityList }) });
}

const DPL = CSL_LISTS.DPL;

/** Snapshot items a result leaves in the store. */
function applyWrites(
  store: Map<string, Record<string, unknown>>,
  writes: ReadonlyArray<{ key: string; value: Record<string, unknown> | null }> = [],
) {
  for (const w of writes) {
    if (w.value) store.set(w.key, w.value);
    else store.delete(w.key);
  }
  return store;
}

describe('config.entityList wired through to the source', () => {
  it('resolves options over config over defaults', () => {
    expect(entityListSettings({}, undefined)).toEqual({
      lists: DEFAULT_LISTS,
      bounds: { maxCountChange: 0.1, maxListChange: 0.5, minListSizeForCheck: 20 },
    });
    expect(entityListSettings({}, { lists: ['EL', 'DPL'], maxCountChange: 0.3 })).toEqual({
      lists: [ENTITY_LIST, DPL],
      bounds: { maxCountChange: 0.3, maxListChange: 0.5, minListSizeForCheck: 20 },
    });
    expect(
      entityListSettings(
        { lists: [MEU_LIST], bounds: { maxCountChange: 0.05 } },
        { lists: ['EL'], maxCountChange: 0.3, maxListChange: 0.2 },
      ),
    ).toEqual({
      lists: [MEU_LIST],
      bounds: { maxCountChange: 0.05, maxListChange: 0.2, minListSizeForCheck: 20 },
    });
  });

  it('lists: DPL added in the config is parsed, counted and (after its quiet baseline) alerted', async () => {
    const cfg = configWith({ lists: ['EL', 'MEU', 'UVL', 'DPL'] });
    // A first run with DPL selected: the demo list has one DPL row.
    const { http } = stubHttp(entityListDemoBody('quiet'), '"q"');
    const first = await entityListSource.poll(context(http, undefined, new Map(), cfg).ctx);
    expect(first.cursor.listCounts).toEqual({ [ENTITY_LIST]: 24, [MEU_LIST]: 4, [UNVERIFIED_LIST]: 4, [DPL]: 1 });
    expect(first.changes.filter((c) => c.subject === 'Denied Persons List (DPL)')).toHaveLength(1);

    // From a default-lists cursor, switching DPL on baselines it quietly...
    const defaults = await entityListSource.poll(context(http, undefined).ctx);
    const store = applyWrites(new Map(), defaults.itemWrites);
    const widened = await entityListSource.poll(
      context(http, { ...defaults.cursor, etag: undefined, bodyHash: 'changed' }, store, cfg).ctx,
    );
    expect(widened.changes).toEqual([]);
    expect(widened.cursor.listCounts[DPL]).toBe(1);
    applyWrites(store, widened.itemWrites);

    // ...and the next new DPL row is news.
    const rows = [
      ...entityListDemoRows('quiet'),
      {
        id: 'dpl-new',
        source: DPL,
        name: 'Example Denied Exporter',
        addresses: [{ address: '1 Demo Road', city: 'Singapore', state: '', postal_code: '', country: 'SG' }],
        federal_register_notice: '91 FR 40000',
        start_date: '2026-09-01',
      },
    ];
    const next = stubHttp(cslBody(rows), '"n"');
    const news = await entityListSource.poll(context(next.http, { ...widened.cursor, etag: undefined }, store, cfg).ctx);
    expect(news.changes.map((c) => [c.kind, c.subject, c.title])).toEqual([
      ['entity.added', 'Denied Persons List (DPL)', 'Denied Persons List (DPL): added Example Denied Exporter (SG)'],
    ]);
    // The default source does not see DPL at all.
    expect(
      (
        await entityListSource.poll(
          context(next.http, { ...defaults.cursor, etag: undefined }, applyWrites(new Map(), defaults.itemWrites)).ctx,
        )
      ).changes,
    ).toEqual([]);
  });

  it('maxCountChange: a +14% move fails with the default ±10% and passes with 0.2', async () => {
    const { http } = stubHttp(entityListDemoBody('quiet'), '"q"');
    // The previous snapshot had 20 + 4 + 4 = 28 entries; the list now has 32 (+14.3%).
    const cursor: EntityListCursor = { bodyHash: 'x', count: 28, listCounts: { [ENTITY_LIST]: 20, [MEU_LIST]: 4, [UNVERIFIED_LIST]: 4 } };
    await expect(entityListSource.poll(context(http, cursor).ctx)).rejects.toMatchObject({
      kind: 'sanity',
      message: expect.stringMatching(/from 28 to 32 \(\+14\.3%\), beyond the ±10% bound/),
    });
    await expect(entityListSource.poll(context(http, cursor, new Map(), configWith({ maxCountChange: 0.1 })).ctx)).rejects.toMatchObject({
      kind: 'sanity',
    });
    const result = await entityListSource.poll(context(http, cursor, new Map(), configWith({ maxCountChange: 0.2 })).ctx);
    expect(result.cursor.count).toBe(32);
  });

  it('maxListChange: one list moving −20% passes with the default ±50% and fails with 0.1', async () => {
    const { http } = stubHttp(entityListDemoBody('quiet'), '"q"');
    // Entity List 30 → 24 (−20%), total 38 → 32 (−15.8%, allowed by maxCountChange 0.2).
    const cursor: EntityListCursor = { bodyHash: 'x', count: 38, listCounts: { [ENTITY_LIST]: 30, [MEU_LIST]: 4, [UNVERIFIED_LIST]: 4 } };
    await expect(entityListSource.poll(context(http, cursor, new Map(), configWith({ maxCountChange: 0.2 })).ctx)).resolves.toMatchObject({
      itemsSeen: 32,
    });
    await expect(
      entityListSource.poll(context(http, cursor, new Map(), configWith({ maxCountChange: 0.2, maxListChange: 0.1 })).ctx),
    ).rejects.toMatchObject({
      kind: 'sanity',
      message: expect.stringMatching(
        /list "Entity List \(EL\) - Bureau of Industry and Security" moved from 30 to 24 entries \(−20\.0%\), beyond the ±10% bound/,
      ),
    });
  });
});
