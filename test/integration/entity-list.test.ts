import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import type { AppConfig } from '#core/config.ts';
import { type CycleDeps, runSourceCycle } from '#core/source.ts';
import { createCycleDeps, createUpstreamClient } from '#app/compose.ts';
import { ENTITY_LIST } from '#sources/entity-list/lists.ts';
import { entityListSource } from '#sources/entity-list/source.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { type LocalDynamo, startLocalDynamo, testConfig } from '../support/local-aws.ts';
import {
  CSL_PATH,
  cslBody,
  ENTITY_LIST_DEMO_NEWS,
  entityListDemoBody,
  entityListDemoRows,
  registerEntityListDemo,
  serveCsl,
} from '../support/upstreams/entity-list.ts';

/**
 * The entity-list source end to end: the real runner, DynamoDB adapters on in-memory
 * dynalite, the real HTTP client against a fake trade.gov. Steps run in order and share
 * state, like successive scheduled runs.
 */
describe('entity-list source (dynalite + fake trade.gov)', () => {
  let fake: FakeUpstream;
  let local: LocalDynamo;
  let config: AppConfig;
  let deps: CycleDeps;
  const clock = new ManualClock('2026-10-01T12:40:00Z');

  beforeAll(async () => {
    fake = await new FakeUpstream().start();
    config = testConfig(fake.env());
    local = await startLocalDynamo(config.tables);
    deps = createCycleDeps(config, {
      db: local.db,
      clock,
      http: createUpstreamClient(config, { otherRequestsPerSecond: 1000, backoffBaseMs: 1 }),
    });
  });

  afterAll(async () => {
    await fake?.stop();
    await local?.stop();
  });

  /** One scheduled run, an hour after the previous one. */
  async function run() {
    clock.advance(60 * 60 * 1000);
    fake.clearRequests();
    return runSourceCycle(entityListSource, deps);
  }

  async function changes(): Promise<Change[]> {
    const out: Change[] = [];
    for await (const c of deps.changes.query({ source: 'entity-list' })) out.push(c);
    return out;
  }

  const state = () => deps.state.get('entity-list');
  const snapshot = () => deps.state.getItems('entity-list', 'e#');

  it('baseline: records the snapshot and cursor, emails nobody', async () => {
    const etag = registerEntityListDemo(fake, 'quiet');
    const outcome = await run();
    expect(outcome).toMatchObject({ status: 'ok', baseline: true, changesCreated: 0, suppressed: 32, itemsSeen: 32 });
    expect(await changes()).toEqual([]);
    expect(await snapshot()).toHaveLength(ENTITY_LIST_DEMO_NEWS.counts.quiet);
    const s = await state();
    expect(s?.cursor).toMatchObject({ etag, count: 32, listCounts: { [ENTITY_LIST]: 24 } });
    expect(fake.requestsTo(CSL_PATH)).toHaveLength(1);
  });

  it('unchanged: one conditional request answered 304, no changes', async () => {
    const before = (await state())?.cursor;
    const outcome = await run();
    expect(outcome).toMatchObject({ status: 'ok', baseline: false, changesCreated: 0, itemsSeen: 32 });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.headers['if-none-match']).toBe((before as { etag: string }).etag);
    expect(deps.http.stats.notModified).toBe(1);
    expect((await state())?.cursor).toEqual(before);
  });

  it('news: exactly the planted additions, amendment and removal', async () => {
    registerEntityListDemo(fake, 'news');
    const outcome = await run();
    expect(outcome).toMatchObject({ status: 'ok', changesCreated: 5, duplicates: 0, itemsSeen: 34 });
    expect(fake.requests).toHaveLength(1);
    const all = await changes();
    const added = all.filter((c) => c.kind === 'entity.added');
    expect(added.map((c) => [c.data.name, c.countries]).sort()).toEqual(
      ENTITY_LIST_DEMO_NEWS.added.map((a) => [a.name, a.countries]).sort(),
    );
    expect(added.every((c) => c.importance === 'high' && c.subject === 'Entity List' && c.occurredAt === '2026-09-29')).toBe(true);
    expect(added.map((c) => c.title)).toContain('Entity List: added Example Accelerator Reseller Pte. Ltd. (SG)');
    const amended = all.filter((c) => c.kind === 'entity.amended');
    expect(amended).toHaveLength(1);
    expect(amended[0]).toMatchObject({
      naturalKey: 'EL|example wafer fabrication institute|CN',
      data: { name: 'Example Wafer Fabrication Institute' },
    });
    expect((amended[0]?.data.changes as Array<{ field: string }> | undefined)?.map((c) => c.field)).toEqual(['addresses']);
    const removed = all.filter((c) => c.kind === 'entity.removed');
    expect(removed.map((c) => [c.data.name, c.countries])).toEqual([['Example Freight FZE', ['AE']]]);
    expect(all.every((c) => c.source === 'entity-list' && c.url?.startsWith('https://www.bis.gov/'))).toBe(true);
    expect(await snapshot()).toHaveLength(34);
  });

  it('re-runs create no duplicates: 304, then the same list re-served in other bytes', async () => {
    expect(await run()).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 0 });
    expect(fake.requests).toHaveLength(1);
    // New ETag and bytes (pretty-printed, reversed), same content: a full diff, nothing new.
    serveCsl(fake, JSON.stringify({ results: entityListDemoRows('news').reverse() }, null, 2));
    expect(await run()).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 0 });
    expect(await changes()).toHaveLength(5);
  });

  it('a truncated body fails with parse and leaves cursor and snapshot as they were', async () => {
    const before = await state();
    const items = await snapshot();
    const body = entityListDemoBody('news');
    serveCsl(fake, body.slice(0, Math.floor(body.length * 0.6)));
    const outcome = await run();
    expect(outcome).toMatchObject({ status: 'failed', errorKind: 'parse', consecutiveFailures: 1 });
    const after = await state();
    expect(after?.cursor).toEqual(before?.cursor);
    expect(after?.lastError?.kind).toBe('parse');
    expect(await snapshot()).toEqual(items);
    expect(await changes()).toHaveLength(5);
  });

  it('a halved list fails with sanity and leaves the cursor as it was', async () => {
    const before = await state();
    const rows = entityListDemoRows('news');
    serveCsl(fake, cslBody(rows.filter((_, i) => i % 2 === 0)));
    const outcome = await run();
    expect(outcome).toMatchObject({ status: 'failed', errorKind: 'sanity', consecutiveFailures: 2 });
    expect(outcome.status === 'failed' && outcome.error).toMatch(/beyond the ±10% bound/);
    expect((await state())?.cursor).toEqual(before?.cursor);
    expect(await snapshot()).toHaveLength(34);
    expect(await changes()).toHaveLength(5); // no mass removals
  });

  it('the full list again: the next run catches up with what changed meanwhile', async () => {
    const rows = entityListDemoRows('news');
    rows.push({
      ...(rows.find((r) => r.source === ENTITY_LIST) as (typeof rows)[number]),
      id: 'later',
      name: 'Example Late Addition Ltd.',
      addresses: [{ address: '5 Sample Road', city: 'Kowloon', state: '', postal_code: '', country: 'HK' }],
    });
    serveCsl(fake, cslBody(rows));
    const outcome = await run();
    expect(outcome).toMatchObject({ status: 'ok', changesCreated: 1, duplicates: 0, itemsSeen: 35 });
    const s = await state();
    expect(s).toMatchObject({ consecutiveFailures: 0, cursor: { count: 35 } });
    const late = (await changes()).filter((c) => c.data.name === 'Example Late Addition Ltd.');
    expect(late).toMatchObject([{ kind: 'entity.added', countries: ['HK'], title: 'Entity List: added Example Late Addition Ltd. (HK)' }]);
    expect(await snapshot()).toHaveLength(35);
  });
});
