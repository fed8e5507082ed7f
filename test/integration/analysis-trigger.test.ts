import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Change } from '#core/change.ts';
import { clockStartingAt } from '#core/clock.ts';
import { loadConfig } from '#core/config.ts';
import type { CycleOutcome } from '#core/source.ts';
import { LocalRuntime } from '#app/local/runtime.ts';
import { createUpstreamClient } from '#app/compose.ts';
import { type DemoPhase, startDemoUpstream } from '../support/demo-upstream.ts';
import type { FakeUpstream } from '../support/fake-upstream.ts';

/**
 * Issue 16: a filings cycle that finds new filings starts the analyses at once (locally in
 * process; in AWS the change log's stream); a lost trigger is caught by the analyses' own
 * scheduled sweep, and nothing is written twice.
 */
describe('filing.new triggers the analyses (local runtime)', () => {
  const opened: Array<{ runtime: LocalRuntime; upstream: { fake: FakeUpstream }; dataDir: string }> = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      await o.runtime.stop();
      await o.upstream.fake.stop();
      rmSync(o.dataDir, { recursive: true, force: true });
    }
  });

  async function start(): Promise<{ runtime: LocalRuntime; setPhase(phase: DemoPhase): void }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'ew-trigger-'));
    const clock = clockStartingAt('2026-03-03T15:00:00Z'); // a Tuesday, 10:00 ET
    const upstream = await startDemoUpstream({ now: clock.now() });
    const env = { ...upstream.fake.env(), SEC_USER_AGENT: 'export-watch tests tests@example.com' };
    const config = loadConfig({ ...process.env, ...env });
    const runtime = await LocalRuntime.start({
      dataDir,
      env,
      clock,
      log: () => undefined,
      http: createUpstreamClient(config, { secRequestsPerSecond: 1000, otherRequestsPerSecond: 1000, backoffBaseMs: 1, maxRetries: 1 }),
    });
    opened.push({ runtime, upstream, dataDir });
    await runtime.runOnce(); // baselines: nothing is mailed, nothing triggers
    upstream.setPhase('news');
    return { runtime, setPhase: upstream.setPhase };
  }

  const created = (o: CycleOutcome | undefined) => (o?.status === 'ok' ? o.changesCreated : -1);
  async function changesOf(runtime: LocalRuntime, source: Change['source']): Promise<Change[]> {
    const out: Change[] = [];
    for await (const c of runtime['deps'].changes.query({ source, limit: 100 })) out.push(c);
    return out;
  }

  it('a sec-filings cycle with new filings runs both analyses right after it, which find the new filing', async () => {
    const { runtime } = await start();
    const outcomes = await runtime.runTriggered('sec-filings');
    expect(outcomes.map((o) => o.source)).toEqual(['sec-filings', 'sec-revenue', 'sec-export-language']);
    expect(created(outcomes[0])).toBeGreaterThan(0);
    // The analyses ran before any sweep and wrote their alerts.
    expect(created(outcomes[1])).toBeGreaterThan(0);
    expect(created(outcomes[2])).toBeGreaterThan(0);
    // A quiet filings cycle triggers nothing.
    const quiet = await runtime.runTriggered('sec-filings');
    expect(quiet.map((o) => o.source)).toEqual(['sec-filings']);
    expect(created(quiet[0])).toBe(0);
    // The scheduled sweeps afterwards find nothing left to do.
    expect(created(await runtime.runSource('sec-revenue'))).toBe(0);
    expect(created(await runtime.runSource('sec-export-language'))).toBe(0);
  });

  it('a dropped trigger costs latency, not the alert: the sweep writes the same changes, once', async () => {
    const { runtime } = await start();
    // The filings cycle runs, its trigger is lost (no analysis follows).
    expect(created(await runtime.runSource('sec-filings'))).toBeGreaterThan(0);
    expect(await changesOf(runtime, 'sec-revenue')).toEqual([]);
    expect(await changesOf(runtime, 'sec-export-language')).toEqual([]);
    // The hourly sweep of each analysis catches up.
    const revenue = await runtime.runSource('sec-revenue');
    const language = await runtime.runSource('sec-export-language');
    expect(created(revenue)).toBeGreaterThan(0);
    expect(created(language)).toBeGreaterThan(0);
    const ids = [...(await changesOf(runtime, 'sec-revenue')), ...(await changesOf(runtime, 'sec-export-language'))].map((c) => c.id);
    // A late (retried) trigger and a second sweep add nothing: the ids are natural, the writes conditional.
    expect(created(await runtime.runSource('sec-revenue'))).toBe(0);
    expect(created(await runtime.runSource('sec-export-language'))).toBe(0);
    const after = [...(await changesOf(runtime, 'sec-revenue')), ...(await changesOf(runtime, 'sec-export-language'))].map((c) => c.id);
    expect(after.sort()).toEqual([...ids].sort());
    // And the subscriber gets each alert once.
    const first = await runtime.runNotifier();
    expect(first.emailsSent).toBeGreaterThan(0);
    expect((await runtime.runNotifier()).emailsSent).toBe(0);
    // Its filing links point at the configured EDGAR (here the loopback fake): configured
    // hosts are linked like the public ones (issue 19, item 2), any other host is not.
    const secHost = new URL(runtime.config.urls.secWww).host;
    const mails = readdirSync(join(runtime.dataDir, 'outbox'))
      .filter((f) => f.endsWith('.eml'))
      .map((f) => readFileSync(join(runtime.dataDir, 'outbox', f), 'latin1'));
    const decoded = mails
      .map((m) => m.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(Number.parseInt(h, 16))))
      .join('\n');
    expect(decoded).toContain(`href="http://${secHost}/`);
  });
});
