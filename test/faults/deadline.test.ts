import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeDraft } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import { type CycleDeps, runSourceCycle, type SourceDefinition } from '#core/source.ts';
import type { LocalService } from '#app/local/services.ts';
import { createCycleDeps } from '#app/compose.ts';
import { cycleLimits } from '#app/lambda/runtime.ts';
import { SOURCES } from '#sources/index.ts';
import { type DemoPhase, startDemoUpstream } from '../support/demo-upstream.ts';
import type { FakeUpstream } from '../support/fake-upstream.ts';
import { type LocalDynamo, startLocalDynamo, startLocalSes, testConfig } from '../support/local-aws.ts';
import { createWorld, WORLD_START } from '../support/world.ts';

/**
 * A cycle that runs into the Lambda timeout (issue 19, item 11). Before, the function was
 * killed: no failure was recorded and the lease blocked the source for 15 minutes. Now
 * every cycle has a deadline below the timeout; at the deadline it ends as a recorded
 * `timeout` failure, the cursor stays, nothing is written and the lease is released.
 */

const draft = (key: string): ChangeDraft => ({
  source: 'federal-register',
  kind: 'fr.document',
  naturalKey: key,
  subject: 'BIS',
  title: `Doc ${key}`,
  summary: '',
  data: { key },
});

/** Reports every item not yet in its cursor, after `delayMs` (a slow or stuck upstream). */
function slowSource(items: string[], delayMs = 0): SourceDefinition<{ seen: string[] }> {
  return {
    name: 'federal-register',
    async poll(ctx) {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const seen = new Set(ctx.cursor?.seen ?? []);
      return {
        changes: items.filter((i) => !seen.has(i)).map(draft),
        cursor: { seen: items },
        itemsSeen: items.length,
        itemWrites: [{ key: 'late#1', value: { items } }],
      };
    },
  };
}

describe('cycle deadline: a poll that hangs', () => {
  let local: LocalDynamo;
  let deps: CycleDeps;
  const clock = new ManualClock('2026-03-03T15:00:00Z');

  beforeAll(async () => {
    const config = testConfig();
    local = await startLocalDynamo(config.tables);
    deps = createCycleDeps(config, { db: local.db, clock });
    expect((await runSourceCycle(slowSource(['a']), deps)).status).toBe('ok'); // baseline
  });
  afterAll(() => local.stop());

  const changes = async () => {
    const out = [];
    for await (const c of deps.changes.query({ source: 'federal-register' })) out.push(c);
    return out;
  };

  it('ends at the deadline as a recorded timeout failure; nothing is written, the lease is released', async () => {
    const before = await deps.state.get('federal-register');
    const started = Date.now();
    // The poll would finish (with a change, a cursor and an item) 600 ms later: too late.
    const outcome = await runSourceCycle(slowSource(['a', 'b'], 600), { ...deps, deadlineMs: 200 });
    const took = Date.now() - started;
    expect(outcome).toMatchObject({
      status: 'failed',
      errorKind: 'timeout',
      consecutiveFailures: 1,
      error: expect.stringMatching(/deadline/),
    });
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(550);
    const state = await deps.state.get('federal-register');
    expect(state?.lastError?.kind).toBe('timeout');
    expect(state?.consecutiveFailures).toBe(1);
    expect(state?.cursor).toEqual(before?.cursor);
    expect(state?.lastSuccessAt).toBe(before?.lastSuccessAt);
    // The abandoned poll finishes in the background: its results are never written.
    await new Promise((r) => setTimeout(r, 600));
    expect(await changes()).toHaveLength(0);
    expect(await deps.state.getItem('federal-register', 'late#1')).toEqual({ items: ['a'] }); // still the baseline's
    expect((await deps.state.get('federal-register'))?.cursor).toEqual(before?.cursor);

    // The lease was released: an immediate second run is not skipped, and catches up.
    const next = await runSourceCycle(slowSource(['a', 'b']), { ...deps, deadlineMs: 5000 });
    expect(next).toMatchObject({ status: 'ok', changesCreated: 1 });
    expect((await changes()).map((c) => c.naturalKey)).toEqual(['b']);
  });

  it('a poll that never settles still ends at the deadline', async () => {
    const stuck: SourceDefinition = { name: 'federal-register', poll: () => new Promise(() => undefined) };
    const outcome = await runSourceCycle(stuck, { ...deps, deadlineMs: 100 });
    expect(outcome).toMatchObject({ status: 'failed', errorKind: 'timeout' });
    expect((await runSourceCycle(slowSource(['a', 'b']), deps)).status).toBe('ok');
  });
});

describe('cycle deadline: an upstream that never answers', () => {
  let upstream: { fake: FakeUpstream; setPhase(phase: DemoPhase): void };
  let local: LocalDynamo;
  let ses: LocalService;

  beforeAll(async () => {
    upstream = await startDemoUpstream({ now: WORLD_START });
    local = await startLocalDynamo(testConfig().tables);
    ses = await startLocalSes();
  });
  afterAll(async () => {
    await upstream?.fake.stop();
    await ses?.close();
    await local?.stop();
  });

  it('aborts the request in flight and records the timeout; the next run proceeds', async () => {
    const w = await createWorld({ fake: upstream.fake, local, ses });
    upstream.setPhase('quiet');
    const source = SOURCES['federal-register'] as SourceDefinition;
    expect((await runSourceCycle(source, w.deps)).status).toBe('ok');
    upstream.setPhase('news');
    const before = await w.deps.state.get('federal-register');
    // The HTTP timeout (400 ms in the world) is longer than the deadline: the deadline must end it.
    upstream.fake.fault(/^\/api\/v1\/documents\.json$/, { kind: 'delay', ms: 5000 });
    upstream.fake.clearRequests();
    let outcome: Awaited<ReturnType<typeof runSourceCycle>>;
    const started = Date.now();
    try {
      outcome = await runSourceCycle(source, { ...w.deps, deadlineMs: 150 });
    } finally {
      upstream.fake.clearFaults();
    }
    expect(Date.now() - started).toBeLessThan(380);
    expect(outcome).toMatchObject({ status: 'failed', errorKind: 'timeout', consecutiveFailures: 1 });
    expect(upstream.fake.requestsTo(/^\/api\/v1\/documents\.json$/)).toHaveLength(1);
    const state = await w.deps.state.get('federal-register');
    expect(state?.cursor).toEqual(before?.cursor);
    expect(state?.lastError?.kind).toBe('timeout');
    // Give the abandoned poll the time a retry would have taken: it sends nothing more.
    await new Promise((r) => setTimeout(r, 500));
    expect(upstream.fake.requestsTo(/^\/api\/v1\/documents\.json$/)).toHaveLength(1);
    expect(await w.changesOf('federal-register')).toHaveLength(0);

    const next = await runSourceCycle(source, { ...w.deps, deadlineMs: 10_000 });
    expect(next.status).toBe('ok');
    expect((await w.changesOf('federal-register')).length).toBeGreaterThan(0);
  });
});

describe('the Lambda handler derives the deadline and the lease from the context', () => {
  const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

  it('keeps 10% (at least 10 s) of the remaining time for the write phase, the failure record and the lease release', () => {
    // The 5-minute source functions: a 270 s cycle, a lease that ends a minute after the function could.
    expect(cycleLimits(context(300_000))).toEqual({ deadlineMs: 270_000, leaseMs: 360_000 });
    expect(cycleLimits(context(60_000))).toEqual({ deadlineMs: 50_000, leaseMs: 120_000 });
    expect(cycleLimits(context(8_000))).toEqual({ deadlineMs: 0, leaseMs: 68_000 });
  });

  it('falls back to no deadline and the default lease without a context', () => {
    expect(cycleLimits(undefined)).toEqual({});
  });
});
