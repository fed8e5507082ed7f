import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../lambdas/core/clock.ts';
import { loadConfig } from '../../lambdas/core/config.ts';
import { SourceError } from '../../lambdas/core/errors.ts';
import { sha256 } from '../../lambdas/core/hash.ts';
import type { RequestOptions, UpstreamClient, UpstreamResponse } from '../../lambdas/core/http.ts';
import type { SourceContext } from '../../lambdas/core/source.ts';
import { ENTITY_LIST, MEU_LIST, UNVERIFIED_LIST } from '../../lambdas/sources/entity-list/lists.ts';
import { createEntityListSource, type EntityListCursor, entityListSource } from '../../lambdas/sources/entity-list/source.ts';
import { entityListDemoBody } from '../support/upstreams/entity-list.ts';

const config = loadConfig({ EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['NVDA'] }) });

/** A stub upstream answering one body with an ETag, 304 on a matching If-None-Match. */
function stubHttp(body: string, etag: string) {
  const calls: RequestOptions[] = [];
  const http = {
    async get(url: string, opts: RequestOptions = {}): Promise<UpstreamResponse> {
      calls.push(opts);
      const notModified = opts.validators?.etag === etag;
      const buf = notModified ? Buffer.alloc(0) : Buffer.from(body);
      return { url, status: notModified ? 304 : 200, notModified, headers: new Headers(), body: buf, bodyHash: notModified ? '' : sha256(buf), validators: { etag, lastModified: 'Tue, 29 Sep 2026 14:00:00 GMT' } };
    },
  };
  return { http: http as unknown as UpstreamClient, calls };
}

/** A context over an in-memory item store. */
function context(http: UpstreamClient, cursor: EntityListCursor | undefined, store = new Map<string, Record<string, unknown>>()) {
  let reads = 0;
  const ctx: SourceContext<EntityListCursor> = {
    config,
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
