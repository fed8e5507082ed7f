import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceName } from '#core/change.ts';
import { DEFAULT_SCHEDULES } from '#core/schedule.ts';
import { RATE_LIMIT_COOL_DOWN_MAX_MS, runSourceCycle } from '#core/source.ts';
import type { LocalService } from '#app/local/services.ts';
import { evaluateSourceHealth } from '#ops/health.ts';
import { SOURCES } from '#sources/index.ts';
import type { DemoPhase } from '../support/demo-upstream.ts';
import type { FakeUpstream } from '../support/fake-upstream.ts';
import type { LocalDynamo } from '../support/local-aws.ts';
import {
  createWorld,
  FAULTABLE_SOURCES,
  type FaultHarness,
  PRIMARY_ROUTE,
  sourcesSharingRoute,
  startFaultHarness,
  WORLD_START,
} from '../support/world.ts';

/**
 * Fault cells "429 Retry-After 86400" (issue 19, item 9): an upstream that asks for a day's
 * silence is left alone until `blockedUntil` (capped at RATE_LIMIT_COOL_DOWN_MAX_MS), by
 * every later run, not only the one that heard it; ops health says "cooling down until";
 * after that instant the source polls again and catches up.
 */

const sources = FAULTABLE_SOURCES;
const thresholds = { failureThreshold: 3, blockedThreshold: 1, stalenessMultiplier: 3, staleGraceMinutes: 10 };

describe('fault cells: 429 Retry-After 86400', () => {
  let upstream: { fake: FakeUpstream; setPhase(phase: DemoPhase): void };
  let local: LocalDynamo;
  let ses: LocalService;
  let reference: Map<SourceName, string[]>;
  const world = () => createWorld({ fake: upstream.fake, local, ses }, { start: WORLD_START });

  let harness: FaultHarness | undefined;
  beforeAll(async () => {
    harness = await startFaultHarness(WORLD_START);
    ({ upstream, local, ses, reference } = harness);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('caps the cool-down at 6 hours', () => {
    expect(RATE_LIMIT_COOL_DOWN_MAX_MS).toBe(6 * 3600_000);
  });

  it.each(sources)('%s', async (source) => {
    const route = PRIMARY_ROUTE[source] as RegExp;
    const affected = sourcesSharingRoute(source);
    const w = await world();
    upstream.fake.clearFaults();
    upstream.setPhase('quiet');
    for (const [name, o] of (await w.cycle()).outcomes) expect(o.status, `baseline of ${name}`).toBe('ok');

    upstream.setPhase('news');
    const before = await w.deps.state.get(source);
    upstream.fake.clearRequests();
    upstream.fake.fault(route, {
      kind: 'respond',
      make: () => ({ status: 429, headers: { 'retry-after': '86400' }, body: 'Too Many Requests' }),
    });
    let faulted: Awaited<ReturnType<typeof w.runSources>>;
    try {
      faulted = await w.runSources();
    } finally {
      upstream.fake.clearFaults();
    }
    expect(faulted.get(source)).toMatchObject({ status: 'failed', errorKind: 'rate-limited', consecutiveFailures: 1 });
    // One request on the faulted route per source using it: no one waited a day or retried in the run.
    expect(upstream.fake.requestsTo(route)).toHaveLength(affected.length);
    const failedAt = w.clock.now();
    const state = await w.deps.state.get(source);
    expect(state?.blockedUntil).toBe(new Date(failedAt.getTime() + RATE_LIMIT_COOL_DOWN_MAX_MS).toISOString());
    expect(state?.cursor).toEqual(before?.cursor);
    expect(await w.changesOf(source)).toHaveLength(0);
    const health = evaluateSourceHealth(source, state, DEFAULT_SCHEDULES[source], failedAt, thresholds);
    expect(health.blockedUntil).toBe(state?.blockedUntil);
    expect(health.reason).toContain(`cooling down until ${state?.blockedUntil}`);

    // A run a minute later (the next schedule) leaves the upstream alone.
    w.clock.advance(60_000);
    upstream.fake.clearRequests();
    const skipped = await runSourceCycle(SOURCES[source]!, w.deps);
    expect(skipped).toMatchObject({ status: 'skipped', reason: expect.stringContaining(`cooling down until ${state?.blockedUntil}`) });
    expect(upstream.fake.requests).toHaveLength(0);
    expect((await w.deps.state.get(source))?.consecutiveFailures).toBe(1);

    // Once blockedUntil has passed, it polls again and catches up.
    w.clock.set(new Date(new Date(state?.blockedUntil as string).getTime() + 60_000));
    const resumed = await runSourceCycle(SOURCES[source]!, w.deps);
    expect(resumed.status).toBe('ok');
    expect(upstream.fake.requestsTo(route).length).toBeGreaterThan(0);
    expect((await w.changesOf(source)).map((c) => c.naturalKey).sort()).toEqual(reference.get(source));
  });
});
