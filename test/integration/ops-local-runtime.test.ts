import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '#core/clock.ts';
import { loadConfig } from '#core/config.ts';
import { type CycleSummary, LocalRuntime } from '#app/local/runtime.ts';
import { createUpstreamClient } from '#app/compose.ts';
import { type DemoPhase, startDemoUpstream } from '../support/demo-upstream.ts';
import type { FakeUpstream } from '../support/fake-upstream.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

interface StoredEmail {
  messageId: string;
  subject: string;
  destination: { to: string[]; cc?: string[]; bcc?: string[] };
  body: { html?: string; text?: string };
}

const OPS = 'ops@example.com';
const CSL_PATH = '/downloadable_consolidated_screening_list/v1/consolidated.json';
const MIN = 60_000;

/**
 * The done-when scenario of the ops issue: the fake upstream fails one source run after
 * run; the local runtime (driven by a manual clock) mails the ops address one alert at
 * the threshold, reminders with back-off, and one recovery notice when it heals, and
 * subscribers get none of it.
 */
describe('ops alerts in the local runtime (fake upstream, local SES, manual clock)', () => {
  let upstream: { fake: FakeUpstream; setPhase(phase: DemoPhase): void };
  let runtime: LocalRuntime;
  const dataDir = mkdtempSync(join(tmpdir(), 'ew-ops-'));
  // Tuesday 2026-03-03 10:00 ET: inside SEC filing hours, so only the broken source is unhealthy.
  const clock = new ManualClock('2026-03-03T15:00:00Z');
  const cycles: Array<{ at: string; summary: CycleSummary }> = [];
  let subscribers: string[] = [];

  const store = async (): Promise<StoredEmail[]> =>
    ((await (await fetch(`${runtime.ses.url}/store`)).json()) as { emails: StoredEmail[] }).emails;
  const recipients = (e: StoredEmail) =>
    [...e.destination.to, ...(e.destination.cc ?? []), ...(e.destination.bcc ?? [])].map((a) => a.toLowerCase());
  const isOps = (e: StoredEmail) => e.subject.startsWith('[export-watch ops]');
  const breakEntityList = () => upstream.fake.on('GET', CSL_PATH, () => ({ status: 500, body: 'upstream down' }));
  const cycle = async (advanceMinutes: number) => {
    clock.advance(advanceMinutes * MIN);
    const summary = await runtime.runOnce();
    cycles.push({ at: clock.now().toISOString(), summary });
    return summary;
  };

  beforeAll(async () => {
    upstream = await startDemoUpstream({ now: clock.now() });
    const base = JSON.parse(readFileSync(join(REPO_ROOT, 'export-watch.config.json'), 'utf8')) as Record<string, unknown> & {
      subscribers: Array<{ email: string }>;
    };
    subscribers = base.subscribers.map((s) => s.email.toLowerCase());
    const configFile = join(dataDir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ ...base, ops: { emails: [OPS] } }));
    const env = { ...upstream.fake.env(), SEC_USER_AGENT: 'export-watch tests tests@example.com' };
    const config = loadConfig({ ...process.env, ...env, EXPORT_WATCH_CONFIG: configFile });
    runtime = await LocalRuntime.start({
      dataDir,
      configFile,
      env,
      clock,
      log: () => undefined,
      http: createUpstreamClient(config, { secRequestsPerSecond: 1000, otherRequestsPerSecond: 1000, backoffBaseMs: 1, maxRetries: 1 }),
    });
  });
  afterAll(async () => {
    await runtime?.stop();
    await upstream?.fake.stop();
  });

  it('baseline: every source healthy, no ops mail', async () => {
    const summary = await cycle(0);
    expect(summary.sources.every((s) => s.status === 'ok')).toBe(true);
    expect(summary.ops.health.every((h) => h.verdict === 'ok')).toBe(true);
    expect(summary.ops.sent).toEqual([]);
  });

  it('failures below the threshold alert nobody; the third consecutive failure sends one alert to ops', async () => {
    upstream.setPhase('news'); // subscribers get real news meanwhile
    breakEntityList();
    const first = await cycle(15);
    expect(first.sources.find((s) => s.source === 'entity-list')).toMatchObject({ status: 'failed', consecutiveFailures: 1 });
    expect(first.ops.sent).toEqual([]);
    expect((await cycle(15)).ops.sent).toEqual([]);
    const third = await cycle(15);
    expect(third.ops.sent.map((n) => [n.type, n.source])).toEqual([['alert', 'entity-list']]);
    expect(third.ops.health.find((h) => h.source === 'entity-list')).toMatchObject({
      verdict: 'failing',
      alerting: true,
      consecutiveFailures: 3,
    });
    const mails = (await store()).filter(isOps);
    expect(mails.map((m) => m.subject)).toEqual(['[export-watch ops] ALERT: entity-list is failing']);
    expect(recipients(mails[0]!)).toEqual([OPS]);
  });

  it('no repeat before the reminder is due; reminders back off 1 h, then 2 h', async () => {
    const sent = async (minutes: number) => (await cycle(minutes)).ops.sent.map((n) => n.type);
    expect(await sent(30)).toEqual([]); // alert + 30 min
    expect(await sent(30)).toEqual(['reminder']); // alert + 60 min
    expect(await sent(60)).toEqual([]); // reminder 1 + 60 min
    expect(await sent(59)).toEqual([]); // reminder 1 + 119 min
    expect(await sent(1)).toEqual(['reminder']); // reminder 1 + 120 min
    const subjects = (await store()).filter(isOps).map((m) => m.subject);
    expect(subjects).toEqual([
      '[export-watch ops] ALERT: entity-list is failing',
      '[export-watch ops] REMINDER 1: entity-list still failing',
      '[export-watch ops] REMINDER 2: entity-list still failing',
    ]);
  });

  it('one recovery notice when the source heals, then silence', async () => {
    upstream.setPhase('news'); // restores the list
    const healed = await cycle(15);
    expect(healed.sources.find((s) => s.source === 'entity-list')).toMatchObject({ status: 'ok', baseline: false });
    expect(healed.ops.sent.map((n) => [n.type, n.source])).toEqual([['recovery', 'entity-list']]);
    expect((await cycle(15)).ops.sent).toEqual([]);
    expect((await cycle(120)).ops.sent).toEqual([]);
    const ops = (await store()).filter(isOps);
    expect(ops.map((m) => m.subject.replace(/:.*/, ''))).toEqual([
      '[export-watch ops] ALERT',
      '[export-watch ops] REMINDER 1',
      '[export-watch ops] REMINDER 2',
      '[export-watch ops] RECOVERED',
    ]);
    expect(ops.at(-1)?.body.text).toMatch(/entity-list has recovered after 3\.3 h/);
  });

  it('ops mail went to the ops address only; subscribers received none of it (local SES store)', async () => {
    const emails = await store();
    const ops = emails.filter(isOps);
    expect(ops).toHaveLength(4);
    for (const e of ops) expect(recipients(e)).toEqual([OPS]);
    const toSubscribers = emails.filter((e) => recipients(e).some((r) => subscribers.includes(r)));
    // The subscriber channel worked meanwhile (news was mailed)…
    expect(toSubscribers.length).toBeGreaterThan(0);
    // …and carried nothing about the broken source's health.
    for (const e of toSubscribers) {
      expect(recipients(e)).not.toContain(OPS);
      expect(e.subject).not.toMatch(/export-watch ops|ALERT|REMINDER|RECOVERED/);
      expect(`${e.body.text ?? ''}${e.body.html ?? ''}`).not.toMatch(/consecutive failed run|needs attention|Runbook/);
    }
  });

  it('the outbox .eml files agree: ops headers only on mail to the ops address', () => {
    const outbox = join(dataDir, 'outbox');
    const files = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
    const parsed = files.map((f) => {
      const raw = readFileSync(join(outbox, f), 'utf8');
      const to = /^To: (.+)$/im.exec(raw)?.[1]?.trim().toLowerCase() ?? '';
      return { to, ops: /^X-Export-Watch-Ops: (\w+)/im.exec(raw)?.[1], subject: /^Subject: (.+)$/im.exec(raw)?.[1] ?? '' };
    });
    const ops = parsed.filter((p) => p.ops);
    expect(ops.map((p) => p.ops)).toEqual(expect.arrayContaining(['alert', 'reminder', 'recovery']));
    expect(ops).toHaveLength(4);
    for (const p of ops) expect(p.to).toBe(OPS);
    for (const p of parsed.filter((x) => !x.ops)) {
      expect(subscribers).toContain(p.to);
      expect(p.subject).not.toMatch(/export-watch ops/);
    }
  });

  it('the ops check kept its state in the state table, and the cycles stayed in order', async () => {
    const { DynamoAlertStore } = await import('#store/alert-store.ts');
    const { localClients } = await import('#app/compose.ts');
    const { db } = localClients({ dynamo: runtime.dynamo.url });
    const alert = await new DynamoAlertStore(db, runtime.config.tables.state).get('entity-list');
    expect(alert).toMatchObject({ source: 'entity-list', watchedSince: '2026-03-03T15:00:00.000Z' });
    expect(alert?.incident).toBeUndefined();
    expect(alert?.lastRecoveryAt).toBe(cycles.find((c) => c.summary.ops.sent.some((n) => n.type === 'recovery'))?.at);
  });
});
