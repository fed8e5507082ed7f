import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Change, type ChangeDraft, finalizeChange } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import type { SubscriberSeed } from '#core/config.ts';
import { SesMailer } from '#adapters/mailer.ts';
import { type NotifierDeps, runNotifier } from '#notify/notifier.ts';
import { DynamoAlertStore, DynamoNotifierHealthStore } from '#store/alert-store.ts';
import { runOpsCheck } from '#ops/check.ts';
import type { OpsMessage } from '#core/ports.ts';
import { DynamoChangeLog } from '#store/change-log.ts';
import { DynamoSubscribers } from '#store/subscribers.ts';
import { type LocalDynamo, startLocalDynamo, testConfig } from '../support/local-aws.ts';

/**
 * Floods and stalls of the notifier (issue 19, items 3 and 4), against dynalite. SES is
 * mocked with aws-sdk-client-mock only to inject failures and count what was sent.
 */

const entityDraft = (i: number): ChangeDraft => ({
  source: 'entity-list',
  kind: 'entity.added',
  naturalKey: `entity-${i}`,
  subject: 'ENTITY-LIST',
  title: `Entity ${i} added to the Entity List`,
  summary: `Entity ${i}, Shenzhen`,
  url: 'https://www.trade.gov/consolidated-screening-list',
  countries: ['CN'],
  data: { i },
});

const filingDraft = (key: string): ChangeDraft => ({
  source: 'sec-filings',
  kind: 'filing.new',
  naturalKey: key,
  subject: 'NVDA',
  title: `NVIDIA CORP filed 10-Q (${key})`,
  summary: 'Quarterly report',
  url: 'https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm',
  data: {},
});

/**
 * The message as a person reads it, whatever transfer encoding the MIME builder chose:
 * the raw text, quoted-printable soft breaks joined, and every base64 block decoded.
 */
function readable(raw: string): string {
  const qp = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  const blocks = raw.match(/(?:^[A-Za-z0-9+/=]{16,}\r?\n)+/gm) ?? [];
  return [raw, qp, ...blocks.map((b) => Buffer.from(b.replace(/\s+/g, ''), 'base64').toString('utf8'))].join('\n');
}

/** Write changes in parallel chunks (dynalite is in-memory; order does not matter). */
async function putAll(log: DynamoChangeLog, changes: Change[], notify: boolean): Promise<void> {
  for (let i = 0; i < changes.length; i += 50) {
    await Promise.all(changes.slice(i, i + 50).map((c) => log.put(c, { notify })));
  }
}

describe('notifier floods (fault cases)', () => {
  let local: LocalDynamo;
  const config = testConfig();
  const ses = mockClient(SESClient);

  beforeAll(async () => {
    local = await startLocalDynamo(config.tables);
  });
  afterAll(async () => {
    ses.restore();
    await local?.stop();
  });

  it('busy-day digest: 2,000+ Entity List changes and one filing; the sec-filings digest subscriber gets the filing and lastDigestAt never passes unread changes', async () => {
    const changes = new DynamoChangeLog(local.db, config.tables.changes);
    const subscribers = new DynamoSubscribers(local.db, config.tables.subscribers);
    const sent: Array<{ to: string; raw: string }> = [];
    ses.reset();
    ses.on(SendRawEmailCommand).callsFake((input: { Destinations?: string[]; RawMessage?: { Data?: Uint8Array } }) => {
      sent.push({ to: input.Destinations?.[0] ?? '', raw: Buffer.from(input.RawMessage?.Data ?? new Uint8Array()).toString('utf8') });
      return { MessageId: `m-${sent.length}` };
    });
    const mailer = new SesMailer(new SESClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));

    // Monday 2026-03-02: the last digest went out 07:00 ET (12:00Z); the next slot is
    // Tuesday 07:00 ET. The filing comes early in the day, then 2,100 Entity List rows.
    const created = '2026-03-01T12:00:00.000Z';
    const lastDigestAt = '2026-03-02T12:00:00.000Z';
    const filing = finalizeChange(filingDraft('busy-filing'), new Date('2026-03-02T13:00:00Z'));
    const flood = Array.from({ length: 2100 }, (_, i) =>
      finalizeChange(entityDraft(i), new Date(Date.parse('2026-03-02T14:00:00Z') + i * 1000)),
    );
    await putAll(changes, [filing, ...flood], false);
    for (const s of [
      { email: 'filings-digest@example.com', filters: { sources: ['sec-filings' as const] } },
      { email: 'all-digest@example.com', filters: {} },
    ]) {
      await subscribers.addIfAbsent({
        email: s.email,
        mode: 'daily',
        digestHour: 7,
        filters: s.filters,
        status: 'active',
        origin: 'cli',
        createdAt: created,
        lastDigestAt,
      });
    }

    const clock = new ManualClock('2026-03-03T12:30:00Z'); // Tuesday 07:30 ET
    const deps: NotifierDeps = {
      changes,
      subscribers,
      mailer,
      clock,
      senderEmail: 'alerts@example.com',
      email: { maxChangesPerEmail: 25 },
    };
    const outcome = await runNotifier(deps);
    expect(outcome.failures).toEqual([]);

    // The sec-filings subscriber gets exactly the filing, which today's capped read never saw.
    const toFilings = sent.filter((m) => m.to === 'filings-digest@example.com');
    expect(toFilings).toHaveLength(1);
    expect(readable(toFilings[0]?.raw ?? '')).toContain('busy-filing');
    expect((await subscribers.deliveriesOf('filings-digest@example.com')).map((d) => d.changeId)).toEqual([filing.id]);

    // lastDigestAt only ever moves past changes that were read and covered.
    const assertCovered = async () => {
      for (const email of ['filings-digest@example.com', 'all-digest@example.com']) {
        const s = await subscribers.get(email);
        expect(s?.lastDigestAt).toBeDefined();
        const delivered = new Set((await subscribers.deliveriesOf(email)).map((d) => d.changeId));
        const wanted = email.startsWith('filings') ? [filing] : [filing, ...flood];
        const uncovered = wanted.filter((c) => !delivered.has(c.id) && c.detectedAt <= (s?.lastDigestAt as string));
        expect(uncovered.map((c) => c.id)).toEqual([]);
      }
    };
    await assertCovered();

    // The all-sources subscriber's 2,101 changes exceed one digest (2,000): the first
    // covers the oldest 2,000 and stops there; the next run (still due) sends the rest.
    clock.advance(5 * 60_000);
    expect((await runNotifier(deps)).failures).toEqual([]);
    await assertCovered();
    const toAll = sent.filter((m) => m.to === 'all-digest@example.com');
    expect(toAll).toHaveLength(2);
    const allDelivered = new Set((await subscribers.deliveriesOf('all-digest@example.com')).map((d) => d.changeId));
    expect(allDelivered.has(filing.id)).toBe(true);
    for (const c of flood) expect(allDelivered.has(c.id)).toBe(true);
    // Each change is shown or counted in the "N more changes" line of exactly one email,
    // and exactly those have a delivery record.
    const announced = toAll.map((m) => Number(/X-Export-Watch-Changes: (\d+)/.exec(m.raw)?.[1] ?? 0));
    expect(announced).toEqual([2000, 101]);
    expect(announced.reduce((a, b) => a + b, 0)).toBe(allDelivered.size);
    expect(readable(toAll[0]?.raw ?? '')).toMatch(/1,?975 more changes not shown/);
    expect((await subscribers.get('all-digest@example.com'))?.lastDigestAt).toBe(clock.now().toISOString());

    // A further run sends nothing new.
    const before = sent.length;
    await runNotifier(deps);
    expect(sent.length).toBe(before);
  });

  it('stalled subscriber: one recipient fails transiently with 200+ pending; everyone else gets every change; the failing one is parked after N runs and ops is told once', async () => {
    const cfg = testConfig();
    const db = await startLocalDynamo(cfg.tables);
    try {
      const changes = new DynamoChangeLog(db.db, cfg.tables.changes);
      const subscribers = new DynamoSubscribers(db.db, cfg.tables.subscribers);
      const health = new DynamoNotifierHealthStore(db.db, cfg.tables.state);
      const sent: string[] = [];
      ses.reset();
      ses.on(SendRawEmailCommand).callsFake((input: { Destinations?: string[] }) => {
        const to = input.Destinations?.[0] ?? '';
        if (to === 'broken@example.com') {
          const err = new Error('Service unavailable');
          err.name = 'ServiceUnavailable';
          throw err;
        }
        sent.push(to);
        return { MessageId: `m-${sent.length}` };
      });
      const mailer = new SesMailer(
        new SESClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 }),
      );
      const clock = new ManualClock('2026-03-02T15:00:00Z');
      const seeds: SubscriberSeed[] = [
        { email: 'a@example.com', mode: 'immediate', filters: {} },
        { email: 'broken@example.com', mode: 'immediate', filters: {} },
        { email: 'b@example.com', mode: 'immediate', filters: { sources: ['entity-list'] } },
      ];
      const pending = Array.from({ length: 260 }, (_, i) =>
        finalizeChange(entityDraft(i), new Date(Date.parse('2026-03-02T14:00:00Z') + i * 1000)),
      );
      await putAll(changes, pending, true);
      const deps: NotifierDeps = { changes, subscribers, mailer, clock, senderEmail: 'alerts@example.com', seeds, notifierHealth: health };

      const runs = 8;
      for (let r = 0; r < runs; r++) {
        await runNotifier(deps);
        clock.advance(15 * 60_000);
      }
      // Every working subscriber has every change, once.
      for (const email of ['a@example.com', 'b@example.com']) {
        const ids = (await subscribers.deliveriesOf(email)).map((d) => d.changeId);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBe(pending.length);
      }
      expect(sent.filter((to) => to === 'broken@example.com')).toEqual([]);

      // The failing subscriber is parked: no more attempts, and the outbox drains.
      const broken = await subscribers.get('broken@example.com');
      expect(broken?.status).toBe('parked');
      expect(await changes.pendingNotification(10)).toEqual([]);
      const attempts = ses
        .commandCalls(SendRawEmailCommand)
        .filter((c) => c.args[0].input.Destinations?.[0] === 'broken@example.com').length;
      await runNotifier(deps);
      expect(ses.commandCalls(SendRawEmailCommand).filter((c) => c.args[0].input.Destinations?.[0] === 'broken@example.com').length).toBe(
        attempts,
      );

      // Ops hears it once, never a subscriber.
      const published: OpsMessage[] = [];
      const opsDeps = {
        sources: [] as const,
        state: { get: async () => undefined },
        alerts: new DynamoAlertStore(db.db, cfg.tables.state),
        publisher: { publish: async (m: OpsMessage) => void published.push(m) },
        clock,
        thresholds: cfg.ops,
        origin: 'test',
      };
      const first = await runOpsCheck(opsDeps);
      expect(first.failures).toEqual([]);
      expect(published).toHaveLength(1);
      expect(published[0]?.subject).toMatch(/parked/i);
      expect(published[0]?.text).toContain('broken@example.com');
      await runOpsCheck(opsDeps);
      expect(published).toHaveLength(1);
    } finally {
      await db.stop();
    }
  });
});
