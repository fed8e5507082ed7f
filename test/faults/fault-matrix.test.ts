import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceName } from '#core/change.ts';
import type { LocalService } from '#app/local/services.ts';
import { SOURCES } from '#sources/index.ts';
import type { DemoPhase } from '../support/demo-upstream.ts';
import type { FakeUpstream } from '../support/fake-upstream.ts';
import { FAULT_CASES, type FaultCase } from '../support/faults.ts';
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
 * The fault matrix (`npm run test:faults`): every source × every upstream fault. For each
 * cell: no change is created, the source's state does not advance, its health shows an
 * acceptable error kind, the other sources complete, the next clean run catches up with
 * exactly the changes that were missed, and nobody gets an email twice.
 */

const sources = FAULTABLE_SOURCES;
const START = WORLD_START;

interface Row {
  source: SourceName;
  fault: string;
  observed: string;
  ok: boolean;
}
const rows: Row[] = [];

describe('fault matrix: sources × upstream faults', () => {
  let upstream: { fake: FakeUpstream; setPhase(phase: DemoPhase): void };
  let local: LocalDynamo;
  let ses: LocalService;
  let reference: Map<SourceName, string[]>;

  const world = () => createWorld({ fake: upstream.fake, local, ses }, { start: START });

  let harness: FaultHarness | undefined;
  beforeAll(async () => {
    // Reference: the same two phases with no fault.
    harness = await startFaultHarness(START);
    ({ upstream, local, ses, reference } = harness);
  });

  afterAll(async () => {
    await harness?.stop();
    const faults = FAULT_CASES.map((f) => f.name);
    const header = `| fault | ${sources.join(' | ')} |`;
    const rule = `|---|${sources.map(() => '---').join('|')}|`;
    const lines = faults.map(
      (f) =>
        `| ${f} | ${sources
          .map((s) => {
            const r = rows.find((x) => x.source === s && x.fault === f);
            return r ? `${r.ok ? 'pass' : 'FAIL'} (${r.observed})` : 'not run';
          })
          .join(' | ')} |`,
    );
    process.stdout.write(
      `\nFault matrix (${rows.filter((r) => r.ok).length}/${rows.length} cells pass)\n${[header, rule, ...lines].join('\n')}\n\n`,
    );
  });

  it('has news in every source for the faults to hide', () => {
    for (const s of sources) expect(reference.get(s)?.length, `reference changes of ${s}`).toBeGreaterThan(0);
  });

  const cells = sources.flatMap((source) => FAULT_CASES.map((fault) => ({ source, fault })));
  it.each(cells)('$source × $fault.name', async ({ source, fault }: { source: SourceName; fault: FaultCase }) => {
    const row: Row = { source, fault: fault.name, observed: '?', ok: false };
    rows.push(row);
    const route = PRIMARY_ROUTE[source] as RegExp;
    const affected = sourcesSharingRoute(source);
    const w = await world();

    upstream.fake.clearFaults();
    upstream.setPhase('quiet');
    const baseline = await w.cycle();
    for (const [name, o] of baseline.outcomes) expect(o.status, `baseline of ${name}`).toBe('ok');

    upstream.setPhase('news');
    const before = await w.deps.state.get(source);
    upstream.fake.fault(route, fault.fault);
    let faulted: Awaited<ReturnType<typeof w.cycle>>;
    try {
      faulted = await w.cycle();
    } finally {
      upstream.fake.clearFaults();
    }
    const outcome = faulted.outcomes.get(source);
    row.observed = outcome?.status === 'failed' ? outcome.errorKind : String(outcome?.status);

    // The faulted source: an error state with the right kind, nothing written, nothing advanced.
    expect(outcome?.status).toBe('failed');
    if (outcome?.status === 'failed') expect(fault.expected).toContain(outcome.errorKind);
    expect(await w.changesOf(source)).toHaveLength(0);
    const after = await w.deps.state.get(source);
    expect(after?.cursor).toEqual(before?.cursor);
    expect(after?.lastSuccessAt).toBe(before?.lastSuccessAt);
    expect(after?.lastError?.kind).toBe(row.observed);
    // The other sources completed: with exactly their news, or, for analyses fed by the
    // faulted source, with nothing yet (they catch up when it heals).
    for (const other of Object.keys(SOURCES) as SourceName[]) {
      if (affected.includes(other)) continue;
      expect(faulted.outcomes.get(other)?.status, `${other} while ${source} is faulted`).toBe('ok');
      const expected = FED_BY[other] && affected.includes(FED_BY[other]) ? [] : reference.get(other);
      expect((await w.changesOf(other)).map((c) => c.naturalKey).sort(), `changes of ${other} while ${source} is faulted`).toEqual(
        expected,
      );
    }

    // The next clean run catches up with exactly the missed changes (after any block cool-down).
    w.clock.advance(16 * 60_000);
    const healed = await w.cycle();
    expect(healed.outcomes.get(source)?.status).toBe('ok');
    for (const s of Object.keys(SOURCES) as SourceName[]) {
      expect((await w.changesOf(s)).map((c) => c.naturalKey).sort(), `changes of ${s} after healing`).toEqual(reference.get(s));
    }
    // Re-running adds nothing and mails nobody again.
    const again = await w.cycle();
    expect(again.notifier.emailsSent).toBe(0);
    for (const [name, o] of again.outcomes) expect(o.status === 'ok' ? o.changesCreated : -1, `re-run of ${name}`).toBe(0);
    // Full-text mentions reach immediate subscribers in the next daily round-up (their
    // digest hour, 07:00 ET): a day later every change has been delivered exactly once.
    w.clock.advance(24 * 3600_000);
    await w.notify();
    const all = await w.allChanges();
    for (const sub of await w.subscribers.list()) {
      const deliveries = await w.subscribers.deliveriesOf(sub.email);
      expect(new Set(deliveries.map((d) => d.changeId)).size).toBe(deliveries.length);
      if (sub.mode === 'immediate' && Object.keys(sub.filters).length === 0) expect(deliveries.length).toBe(all.length);
    }
    row.ok = true;
  });
});
