import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceName } from '#core/change.ts';
import type { LocalService } from '#app/local/services.ts';
import { SOURCES } from '#sources/index.ts';
import type { DemoPhase } from '../support/demo-upstream.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import type { LocalDynamo } from '../support/local-aws.ts';
import {
  createWorld,
  FAULTABLE_SOURCES,
  FED_BY,
  type FaultHarness,
  PRIMARY_ROUTE,
  sourcesSharingRoute,
  startFaultHarness,
  WORLD_START,
} from '../support/world.ts';

/**
 * Fault cells "redirect to another host" (issue 19, item 2). A hijacked upstream answers
 * its primary route with a 302 to another host serving a forged "BIS revokes all licenses"
 * document. Every source must fail the cycle (kind `http`), write nothing, keep its
 * cursor, and never contact the other host (so the SEC User-Agent, which carries the
 * operator's email, never leaks); the next clean run catches up with exactly the missed
 * changes.
 */

const sources = FAULTABLE_SOURCES;

describe('fault cells: redirect to another host', () => {
  let upstream: { fake: FakeUpstream; setPhase(phase: DemoPhase): void };
  /** The attacker's host: a second loopback server on another port. */
  const attacker = new FakeUpstream();
  let local: LocalDynamo;
  let ses: LocalService;
  let reference: Map<SourceName, string[]>;
  const world = () => createWorld({ fake: upstream.fake, local, ses }, { start: WORLD_START });

  let harness: FaultHarness | undefined;
  beforeAll(async () => {
    await attacker.start();
    attacker.on('GET', /.*/, () => ({
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        count: 1,
        results: [{ document_number: '2026-99999', title: 'BIS revokes all licenses', html_url: 'https://phish.example/login' }],
      }),
    }));
    harness = await startFaultHarness(WORLD_START);
    ({ upstream, local, ses, reference } = harness);
  });

  afterAll(async () => {
    await harness?.stop();
    await attacker.stop();
  });

  const targets = [
    { name: 'a second server', location: (path: string) => `${attacker.url}${path}` },
    { name: 'the same server as localhost', location: (path: string) => `${upstream.fake.url.replace('127.0.0.1', 'localhost')}${path}` },
  ];
  const cells = sources.flatMap((source) => targets.map((target) => ({ source, target })));

  it.each(cells)('$source × 302 to $target.name', async ({ source, target }) => {
    const route = PRIMARY_ROUTE[source] as RegExp;
    const affected = sourcesSharingRoute(source);
    const w = await world();
    upstream.fake.clearFaults();
    upstream.setPhase('quiet');
    const baseline = await w.cycle();
    for (const [name, o] of baseline.outcomes) expect(o.status, `baseline of ${name}`).toBe('ok');

    upstream.setPhase('news');
    const before = await w.deps.state.get(source);
    attacker.clearRequests();
    upstream.fake.clearRequests();
    upstream.fake.fault(route, {
      kind: 'respond',
      make: () => ({ status: 302, headers: { location: target.location('/bis-revokes-all-licenses') }, body: '' }),
    });
    let faulted: Awaited<ReturnType<typeof w.cycle>>;
    try {
      faulted = await w.cycle();
    } finally {
      upstream.fake.clearFaults();
    }
    const outcome = faulted.outcomes.get(source);
    expect(outcome).toMatchObject({
      status: 'failed',
      errorKind: 'http',
      error: expect.stringMatching(/redirect from .* to untrusted host .* refused/),
    });
    // The other host never heard from us: no forged content, no User-Agent.
    expect(attacker.requests).toHaveLength(0);
    expect(upstream.fake.requestsTo('/bis-revokes-all-licenses')).toHaveLength(0);
    expect(await w.changesOf(source)).toHaveLength(0);
    const after = await w.deps.state.get(source);
    expect(after?.cursor).toEqual(before?.cursor);
    expect(after?.lastSuccessAt).toBe(before?.lastSuccessAt);
    expect(after?.lastError?.kind).toBe('http');
    for (const other of Object.keys(SOURCES) as SourceName[]) {
      if (affected.includes(other)) continue;
      expect(faulted.outcomes.get(other)?.status, `${other} while ${source} is redirected`).toBe('ok');
      const expected = FED_BY[other] && affected.includes(FED_BY[other]) ? [] : reference.get(other);
      expect((await w.changesOf(other)).map((c) => c.naturalKey).sort()).toEqual(expected);
    }
    // Nothing forged reached anyone's mailbox.
    for (const c of await w.allChanges()) expect(JSON.stringify(c)).not.toMatch(/revokes all licenses|phish\.example/);

    w.clock.advance(16 * 60_000);
    const healed = await w.cycle();
    expect(healed.outcomes.get(source)?.status).toBe('ok');
    for (const s of Object.keys(SOURCES) as SourceName[]) {
      expect((await w.changesOf(s)).map((c) => c.naturalKey).sort(), `changes of ${s} after healing`).toEqual(reference.get(s));
    }
    expect(attacker.requests).toHaveLength(0);
  });
});
