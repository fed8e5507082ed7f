import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceName } from '#core/change.ts';
import type { SourceState, SourceStatePort } from '#core/ports.ts';
import { runSourceCycle } from '#core/source.ts';
import type { LocalService } from '#app/local/services.ts';
import { SOURCES } from '#sources/index.ts';
import { type DemoPhase, startDemoUpstream } from '../support/demo-upstream.ts';
import type { FakeUpstream } from '../support/fake-upstream.ts';
import { type LocalDynamo, startLocalDynamo, startLocalSes, testConfig } from '../support/local-aws.ts';
import { easternDate, FR_PATHS, registerFederalRegisterDemo } from '../support/upstreams/federal-register.ts';
import { createWorld, sesRecipients, WORLD_START } from '../support/world.ts';
import { isRollupKind } from '#core/subscriber.ts';

/**
 * Crash points and re-runs: whatever moment a run dies at, the next run neither loses a
 * change nor invents or duplicates one, and a person gets a change at most twice (only
 * when the crash falls between SES accepting the email and the delivery record).
 */
describe('crash points and re-runs', () => {
  let upstream: { fake: FakeUpstream; setPhase(phase: DemoPhase): void };
  let local: LocalDynamo;
  let ses: LocalService;
  const services = () => ({ fake: upstream.fake, local, ses });

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

  const countFor = async (email: string) => (await sesRecipients(ses)).filter((to) => to === email).length;

  it('the same cycle run 10 times creates no duplicate change and sends no duplicate email', async () => {
    const w = await createWorld(services());
    const email = w.config.subscribers[0]?.email as string;
    const before = await countFor(email);
    upstream.setPhase('quiet');
    await w.cycle();
    upstream.setPhase('news');
    const first = await w.cycle();
    expect(first.notifier.emailsSent).toBe(1);
    const changes = (await w.allChanges()).length;
    expect(changes).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) {
      const again = await w.cycle();
      expect(again.notifier.emailsSent).toBe(0);
      for (const [name, o] of again.outcomes) expect(o.status === 'ok' ? o.changesCreated : `${name}: ${o.status}`).toBe(0);
    }
    expect((await w.allChanges()).length).toBe(changes);
    expect((await countFor(email)) - before).toBe(1);
  });

  it('killed between writing changes and notifying: the next notifier run delivers them once', async () => {
    const w = await createWorld(services());
    const email = w.config.subscribers[0]?.email as string;
    upstream.setPhase('quiet');
    await w.cycle();
    upstream.setPhase('news');
    await w.runSources(); // the process dies here, before the notifier
    const pending = await w.deps.changes.pendingNotification(100);
    expect(pending.length).toBe((await w.allChanges()).length);
    const before = await countFor(email);
    const next = await w.cycle();
    // Everything but the full-text mentions, which wait for the daily round-up.
    expect(next.notifier.deliveries).toBe(pending.filter((c) => !isRollupKind(c.kind)).length);
    expect(pending.some((c) => isRollupKind(c.kind))).toBe(true);
    expect((await countFor(email)) - before).toBe(1);
    expect(await w.deps.changes.pendingNotification(100)).toHaveLength(0);
  });

  it('killed between SES accepting an email and recording the delivery: resent once, never more', async () => {
    let crashNext = true;
    const w = await createWorld(services(), {
      mailer: (inner) => ({
        async send(message) {
          const id = await inner.send(message);
          if (crashNext) {
            crashNext = false;
            throw new Error('process killed after SES accepted the message');
          }
          return id;
        },
      }),
    });
    const email = w.config.subscribers[0]?.email as string;
    upstream.setPhase('quiet');
    await w.cycle();
    upstream.setPhase('news');
    const before = await countFor(email);
    const crashed = await w.cycle();
    expect(crashed.notifier.failures).toHaveLength(1);
    expect(await w.subscribers.deliveriesOf(email)).toHaveLength(0);
    const retried = await w.cycle();
    expect(retried.notifier.emailsSent).toBe(1);
    const third = await w.cycle();
    expect(third.notifier.emailsSent).toBe(0);
    expect((await countFor(email)) - before).toBe(2); // the documented worst case: one resend
    const deliveries = await w.subscribers.deliveriesOf(email);
    expect(new Set(deliveries.map((d) => d.changeId)).size).toBe(deliveries.length);
  });

  it('killed after writing changes but before saving the cursor: the re-run adds nothing new', async () => {
    const w = await createWorld(services());
    upstream.setPhase('quiet');
    await w.cycle();
    upstream.setPhase('news');
    // A state port whose first cursor write dies, as if the process were killed right then.
    let dieOnce = true;
    const dying: SourceStatePort = Object.create(w.deps.state, {
      put: {
        value: async (state: SourceState) => {
          if (dieOnce && state.lastSuccessAt) {
            dieOnce = false;
            throw new Error('process killed before the cursor was saved');
          }
          return w.deps.state.put(state);
        },
      },
    });
    const name: SourceName = 'federal-register';
    const source = SOURCES[name];
    if (!source) throw new Error('federal-register is not registered');
    const crashed = await runSourceCycle(source, { ...w.deps, state: dying });
    expect(crashed.status).toBe('failed');
    const written = (await w.changesOf(name)).length;
    expect(written).toBeGreaterThan(0);
    const rerun = await runSourceCycle(source, w.deps);
    // Either the source's own items already record them, or the conditional put rejects them.
    expect(rerun).toMatchObject({ status: 'ok', changesCreated: 0 });
    expect((await w.changesOf(name)).length).toBe(written);
  });

  it('killed mid-pagination: nothing is written, the cursor stays, the next run gets every page', async () => {
    const w = await createWorld(services());
    const name: SourceName = 'federal-register';
    const source = SOURCES[name];
    if (!source) throw new Error('federal-register is not registered');
    registerFederalRegisterDemo(upstream.fake, 'quiet', { pageSize: 1, today: easternDate(WORLD_START) });
    expect((await runSourceCycle(source, w.deps)).status).toBe('ok');
    registerFederalRegisterDemo(upstream.fake, 'published', { pageSize: 1, today: easternDate(WORLD_START) });
    const before = await w.deps.state.get(name);
    upstream.fake.fault(new RegExp(`^${FR_PATHS.documentsNext}$`), { kind: 'reset' });
    try {
      const broken = await runSourceCycle(source, w.deps);
      expect(broken).toMatchObject({ status: 'failed', errorKind: 'network' });
    } finally {
      upstream.fake.clearFaults();
    }
    expect(upstream.fake.requestsTo(FR_PATHS.documentsNext).length).toBeGreaterThan(0);
    expect(await w.changesOf(name)).toHaveLength(0);
    expect((await w.deps.state.get(name))?.cursor).toEqual(before?.cursor);
    const healed = await runSourceCycle(source, w.deps);
    expect(healed.status).toBe('ok');
    const keys = (await w.changesOf(name)).map((c) => c.naturalKey).sort();
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length);
    upstream.setPhase('quiet');
  });
});
