import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeDraft } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import { SourceError } from '#core/errors.ts';
import { type CycleDeps, MAX_CHANGE_ITEM_BYTES, runSourceCycle, type SourceDefinition } from '#core/source.ts';
import { createCycleDeps } from '#app/compose.ts';
import { type LocalDynamo, startLocalDynamo, testConfig } from '../support/local-aws.ts';

/** A controllable source: reports one change per item in `items` not yet in its cursor. */
function scriptedSource(script: { items: string[]; fail?: SourceError | Error; writes?: boolean }): SourceDefinition<{ seen: string[] }> {
  return {
    name: 'federal-register',
    async poll(ctx) {
      if (script.fail) throw script.fail;
      const seen = new Set(ctx.cursor?.seen ?? []);
      const changes: ChangeDraft[] = script.items
        .filter((i) => !seen.has(i))
        .map((i) => ({
          source: 'federal-register',
          kind: 'fr.document',
          naturalKey: i,
          subject: 'BIS',
          title: `Doc ${i}`,
          summary: '',
          data: { i },
        }));
      return {
        changes,
        cursor: { seen: script.items },
        itemsSeen: script.items.length,
        itemWrites: script.writes ? script.items.map((i) => ({ key: `doc#${i}`, value: { i } })) : [],
      };
    },
  };
}

describe('runSourceCycle', () => {
  let local: LocalDynamo;
  let deps: CycleDeps;
  const clock = new ManualClock('2026-03-02T15:00:00Z');
  const config = testConfig();

  beforeAll(async () => {
    local = await startLocalDynamo(config.tables);
    deps = createCycleDeps(config, { db: local.db, clock });
  });
  afterAll(() => local.stop());

  const changesInLog = async () => {
    const all = [];
    for await (const c of deps.changes.query({ source: 'federal-register' })) all.push(c);
    return all;
  };

  it('records a quiet baseline on the first run: cursor and items stored, no change written', async () => {
    const outcome = await runSourceCycle(scriptedSource({ items: ['a', 'b'], writes: true }), deps);
    expect(outcome).toMatchObject({ status: 'ok', baseline: true, changesCreated: 0, suppressed: 2 });
    expect(await changesInLog()).toHaveLength(0);
    const state = await deps.state.get('federal-register');
    expect(state?.cursor).toEqual({ seen: ['a', 'b'] });
    expect(state?.baselineAt).toBe(clock.now().toISOString());
    expect(await deps.state.getItems('federal-register', 'doc#')).toHaveLength(2);
  });

  it('writes new changes once, into the outbox, and a re-run adds no duplicate', async () => {
    clock.advance(60_000);
    const outcome = await runSourceCycle(scriptedSource({ items: ['a', 'b', 'c'] }), deps);
    expect(outcome).toMatchObject({ status: 'ok', baseline: false, changesCreated: 1, duplicates: 0 });
    // A re-run of the same cycle against the previous cursor (e.g. crash before the cursor was saved).
    await deps.state.put({ ...(await deps.state.get('federal-register'))!, cursor: { seen: ['a', 'b'] } });
    const again = await runSourceCycle(scriptedSource({ items: ['a', 'b', 'c'] }), deps);
    expect(again).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 1 });
    const log = await changesInLog();
    expect(log.map((c) => c.naturalKey)).toEqual(['c']);
    expect((await deps.changes.pendingNotification(10)).map((c) => c.naturalKey)).toEqual(['c']);
  });

  it('records a failure as state without advancing the cursor, and the next good run catches up', async () => {
    clock.advance(60_000);
    const before = await deps.state.get('federal-register');
    const failed = await runSourceCycle(
      scriptedSource({ items: [], fail: new SourceError('parse', 'documents.json: results is not an array') }),
      deps,
    );
    expect(failed).toMatchObject({ status: 'failed', errorKind: 'parse', consecutiveFailures: 1 });
    const after = await deps.state.get('federal-register');
    expect(after?.cursor).toEqual(before?.cursor);
    expect(after?.lastSuccessAt).toBe(before?.lastSuccessAt);
    expect(after?.lastError).toMatchObject({ kind: 'parse', message: /results is not an array/ });
    const second = await runSourceCycle(scriptedSource({ items: [], fail: new Error('boom') }), deps);
    expect(second).toMatchObject({ status: 'failed', errorKind: 'internal', consecutiveFailures: 2 });

    clock.advance(60_000);
    const recovered = await runSourceCycle(scriptedSource({ items: ['a', 'b', 'c', 'd', 'e'] }), deps);
    expect(recovered).toMatchObject({ status: 'ok', changesCreated: 2 });
    const state = await deps.state.get('federal-register');
    expect(state?.consecutiveFailures).toBe(0);
    expect(state?.lastError).toBeUndefined();
    expect((await changesInLog()).map((c) => c.naturalKey).sort()).toEqual(['c', 'd', 'e']);
  });

  it('cools down after an upstream block instead of calling again', async () => {
    const blocked = await runSourceCycle(scriptedSource({ items: [], fail: new SourceError('blocked', 'SEC refused') }), deps);
    expect(blocked).toMatchObject({ status: 'failed', errorKind: 'blocked' });
    let polled = false;
    const skipped = await runSourceCycle(
      {
        name: 'federal-register',
        poll: async () => {
          polled = true;
          throw new Error('must not poll');
        },
      },
      deps,
    );
    expect(skipped).toMatchObject({ status: 'skipped', reason: /cooling down/ });
    expect(polled).toBe(false);
    clock.advance(16 * 60_000);
    const resumed = await runSourceCycle(scriptedSource({ items: ['a', 'b', 'c', 'd', 'e'] }), deps);
    expect(resumed.status).toBe('ok');
  });

  it('lets only one of two overlapping runs of a source proceed', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow: SourceDefinition<{ seen: string[] }> = {
      name: 'federal-register',
      async poll() {
        await gate;
        return { changes: [], cursor: { seen: ['a', 'b', 'c', 'd', 'e'] }, itemsSeen: 5 };
      },
    };
    const first = runSourceCycle(slow, deps);
    await new Promise((r) => setTimeout(r, 50));
    const second = await runSourceCycle(slow, deps);
    expect(second).toMatchObject({ status: 'skipped', reason: /lease/ });
    release();
    expect((await first).status).toBe('ok');
    // The lease is released: a later run proceeds.
    expect((await runSourceCycle(scriptedSource({ items: ['a', 'b', 'c', 'd', 'e'] }), deps)).status).toBe('ok');
  });

  describe('the write phase is all or nothing for oversized records (issue 19, item 5)', () => {
    const entry = (key: string, bytes = 0): ChangeDraft => ({
      source: 'entity-list',
      kind: 'entity.added',
      naturalKey: key,
      subject: 'EL',
      title: `Entity ${key}`,
      summary: '',
      data: { key, remarks: 'x'.repeat(bytes) },
    });
    /** Returns `drafts` (and item writes) with a cursor naming the run. */
    const listSource = (
      run: string,
      drafts: ChangeDraft[],
      itemWrites: Array<{ key: string; value: Record<string, unknown> }> = [],
    ): SourceDefinition<{ run: string }> => ({
      name: 'entity-list',
      poll: async () => ({ changes: drafts, cursor: { run }, itemsSeen: drafts.length, itemWrites }),
    });
    const listChanges = async () => {
      const all = [];
      for await (const c of deps.changes.query({ source: 'entity-list' })) all.push(c);
      return all;
    };

    it('keeps a change-log item safely under the 400 KB DynamoDB limit', () => {
      expect(MAX_CHANGE_ITEM_BYTES).toBe(350_000);
    });

    it('three drafts, the second 500 KB: the cycle fails naming it, and none of the three is written', async () => {
      expect((await runSourceCycle(listSource('baseline', []), deps)).status).toBe('ok');
      clock.advance(60_000);
      const failed = await runSourceCycle(listSource('big', [entry('first'), entry('second', 500_000), entry('third')]), deps);
      expect(failed).toMatchObject({ status: 'failed', errorKind: 'sanity', consecutiveFailures: 1 });
      if (failed.status !== 'failed') return;
      expect(failed.error).toMatch(/change entity-list:[0-9a-f]{32} \(entity\.added, second\) is 5\d{5} bytes/);
      expect(failed.error).toMatch(/350000/);
      expect(await listChanges()).toHaveLength(0);
      expect((await deps.changes.pendingNotification(100)).filter((c) => c.source === 'entity-list')).toHaveLength(0);
      const state = await deps.state.get('entity-list');
      expect(state?.cursor).toEqual({ run: 'baseline' });
      expect(state?.lastError?.kind).toBe('sanity');
    });

    it('an oversized state item fails the cycle before any change is written', async () => {
      clock.advance(60_000);
      const failed = await runSourceCycle(
        listSource('items', [entry('first')], [{ key: 'row#1', value: { blob: 'y'.repeat(400_000) } }]),
        deps,
      );
      expect(failed).toMatchObject({ status: 'failed', errorKind: 'sanity' });
      expect(await listChanges()).toHaveLength(0);
      expect(await deps.state.getItem('entity-list', 'row#1')).toBeUndefined();
      expect((await deps.state.get('entity-list'))?.cursor).toEqual({ run: 'baseline' });
    });

    it('a clean cycle then writes all of them', async () => {
      clock.advance(60_000);
      const ok = await runSourceCycle(listSource('clean', [entry('first'), entry('second', 1000), entry('third')]), deps);
      expect(ok).toMatchObject({ status: 'ok', changesCreated: 3 });
      expect((await listChanges()).map((c) => c.naturalKey).sort()).toEqual(['first', 'second', 'third']);
    });
  });
});
