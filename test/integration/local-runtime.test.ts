import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockStartingAt } from '#core/clock.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LocalRuntime } from '#app/local/runtime.ts';
import { DynamoSourceState } from '#store/source-state.ts';
import { createUpstreamClient } from '#app/compose.ts';
import { loadConfig } from '#core/config.ts';
import { type DemoPhase, startDemoUpstream } from '../support/demo-upstream.ts';
import type { FakeUpstream } from '../support/fake-upstream.ts';

describe('local runtime against the fake upstream', () => {
  let upstream: { fake: FakeUpstream; setPhase(phase: DemoPhase): void };
  let runtime: LocalRuntime;
  const dataDir = mkdtempSync(join(tmpdir(), 'ew-runtime-'));
  // A fixed day (Tuesday 10:00 ET) that runs at real speed, so the test passes on any calendar day.
  const clock = clockStartingAt('2026-03-03T15:00:00Z');

  beforeAll(async () => {
    upstream = await startDemoUpstream({ now: clock.now() });
    const env = { ...upstream.fake.env(), SEC_USER_AGENT: 'export-watch tests tests@example.com' };
    const config = loadConfig({ ...process.env, ...env });
    runtime = await LocalRuntime.start({
      dataDir,
      env,
      clock,
      log: () => undefined,
      http: createUpstreamClient(config, { secRequestsPerSecond: 1000, otherRequestsPerSecond: 1000, backoffBaseMs: 1, maxRetries: 1 }),
    });
  });
  afterAll(async () => {
    await runtime.stop();
    await upstream.fake.stop();
  });

  it('runs every implemented source and the notifier; the baseline emails nobody', async () => {
    const summary = await runtime.runOnce();
    expect(summary.sources.map((s) => s.source).sort()).toEqual(runtime.enabledSources().sort());
    expect(summary.sources.every((s) => s.status === 'ok' && s.baseline)).toBe(true);
    expect(summary.notifier.emailsSent).toBe(0);
  });

  it('a failing source is reported and keeps its state; the other sources still complete', async () => {
    upstream.setPhase('news');
    upstream.fake.on('GET', '/downloadable_consolidated_screening_list/v1/consolidated.json', () => ({
      status: 500,
      body: 'upstream down',
    }));
    const summary = await runtime.runOnce();
    const failed = summary.sources.filter((s) => s.status === 'failed');
    expect(failed.map((s) => s.source)).toEqual(['entity-list']);
    expect(failed[0]).toMatchObject({ errorKind: 'network', consecutiveFailures: 1 });
    const others = summary.sources.filter((s) => s.source !== 'entity-list');
    expect(others.every((s) => s.status === 'ok')).toBe(true);
    expect(summary.notifier.emailsSent).toBe(1);
  });

  it('the next clean run catches up with exactly the missed changes, and a re-run adds nothing', async () => {
    upstream.setPhase('news'); // restores the CSL route
    const caughtUp = await runtime.runOnce();
    const entity = caughtUp.sources.find((s) => s.source === 'entity-list');
    expect(entity).toMatchObject({ status: 'ok', baseline: false });
    expect(entity && entity.status === 'ok' ? entity.changesCreated : -1).toBeGreaterThan(0);
    const again = await runtime.runOnce();
    for (const s of again.sources) expect(s).toMatchObject({ status: 'ok', changesCreated: 0 });
    expect(again.notifier.emailsSent).toBe(0);
    expect(readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml'))).toHaveLength(2);
  });
});

describe('local runtime and leases', () => {
  it('at start releases a lease a killed run left in its store, and says so', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ew-runtime-lease-'));
    const first = await LocalRuntime.start({ dataDir, log: () => undefined });
    const state = new DynamoSourceState(
      DynamoDBDocumentClient.from(
        new DynamoDBClient({
          endpoint: first.dynamo.url,
          region: 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }),
      ),
      first.config.tables.state,
    );
    // As a SIGKILLed cycle leaves it: held, 15 minutes to go.
    const now = new Date();
    expect(
      await state.acquireLease('entity-list', 'export-watch local runtime (pid 1 on gone) x', new Date(now.getTime() + 15 * 60_000), now),
    ).toBe(true);
    expect(await state.leases()).toHaveLength(1);
    await first.stop();

    const lines: string[] = [];
    const second = await LocalRuntime.start({ dataDir, log: (l) => lines.push(l) });
    try {
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^entity-list: released the lease of an interrupted run \(held by export-watch local runtime \(pid 1 on gone\) x until /,
        ),
      );
      const after = new DynamoSourceState(
        DynamoDBDocumentClient.from(
          new DynamoDBClient({
            endpoint: second.dynamo.url,
            region: 'us-east-1',
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          }),
        ),
        second.config.tables.state,
      );
      expect(await after.leases()).toEqual([]);
    } finally {
      await second.stop();
    }
  });
});
