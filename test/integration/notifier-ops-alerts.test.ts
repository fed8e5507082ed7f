import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChangeDraft, finalizeChange } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import type { Mailer } from '#core/ports.ts';
import { SesMailer } from '#adapters/mailer.ts';
import { runNotifier } from '#notify/notifier.ts';
import { DynamoAlertStore, DynamoNotifierHealthStore } from '#store/alert-store.ts';
import { runOpsCheck } from '#ops/check.ts';
import { METRIC, notifierMetrics } from '#ops/metrics.ts';
import { MailOpsPublisher } from '#adapters/ops-publishers.ts';
import { renderOpsNotification } from '#ops/render.ts';
import { DynamoChangeLog } from '#store/change-log.ts';
import { DynamoSubscribers } from '#store/subscribers.ts';
import { type LocalDynamo, startLocalDynamo, testConfig } from '../support/local-aws.ts';

/** Issue 19, item 1 (part): a message SES refuses for good reaches ops, once; subscribers never get ops mail. */
describe('permanent rejections alert ops', () => {
  let local: LocalDynamo;
  const config = testConfig();
  const ses = mockClient(SESClient);
  const subscriberMail: string[] = [];
  const opsMail: Array<{ to: string; raw: string }> = [];
  const clock = new ManualClock('2026-03-02T15:00:00Z'); // 10:00 ET, after the 07:00 digest slot

  const draft = (key: string): ChangeDraft => ({
    source: 'federal-register',
    kind: 'fr.document',
    naturalKey: key,
    subject: 'BIS',
    title: `BIS rule ${key}`,
    summary: 'Entity List additions',
    url: 'https://www.federalregister.gov/documents/2026/03/02/x',
    data: {},
  });

  beforeAll(async () => {
    local = await startLocalDynamo(config.tables);
    ses.on(SendRawEmailCommand).callsFake((input: { Destinations?: string[] }) => {
      const to = input.Destinations?.[0] ?? '';
      if (to.startsWith('rejected')) {
        const err = new Error('Email address is not verified.');
        err.name = 'MessageRejected';
        throw err;
      }
      subscriberMail.push(to);
      return { MessageId: `m-${subscriberMail.length}` };
    });
  });
  afterAll(async () => {
    ses.restore();
    await local?.stop();
  });

  it('an alert and a digest SES rejects are recorded, counted, and told to ops exactly once', async () => {
    const changes = new DynamoChangeLog(local.db, config.tables.changes);
    const subscribers = new DynamoSubscribers(local.db, config.tables.subscribers);
    const mailer = new SesMailer(new SESClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
    const created = '2026-03-01T10:00:00.000Z';
    for (const [email, mode] of [
      ['ok@example.com', 'immediate'],
      ['rejected-alert@example.com', 'immediate'],
      ['rejected-digest@example.com', 'daily'],
    ] as const) {
      await subscribers.addIfAbsent({
        email,
        mode,
        digestHour: 7,
        filters: {},
        status: 'active',
        origin: 'cli',
        createdAt: created,
        lastDigestAt: '2026-03-01T12:00:00.000Z',
      });
    }
    const change = finalizeChange(draft('2026-01234'), new Date('2026-03-02T14:00:00Z'));
    await changes.put(change, { notify: true });

    const deps = {
      changes,
      subscribers,
      mailer,
      clock,
      senderEmail: 'alerts@example.com',
      notifierHealth: new DynamoNotifierHealthStore(local.db, config.tables.state),
    };
    const outcome = await runNotifier(deps);
    expect(subscriberMail).toEqual(['ok@example.com']);
    expect(outcome.rejected).toBe(2);
    expect(notifierMetrics(outcome).find((p) => p.name === METRIC.deliveriesRejected)?.value).toBe(2);
    // Recorded per change, not retried, the outbox drained, the digest window done.
    expect((await subscribers.deliveriesOf('rejected-alert@example.com')).map((d) => d.messageId)).toEqual([
      expect.stringMatching(/^rejected: /),
    ]);
    expect(await changes.pendingNotification(10)).toEqual([]);
    expect((await subscribers.get('rejected-digest@example.com'))?.lastDigestAt).toBe(clock.now().toISOString());

    const opsMailer: Mailer = {
      send: async (m) => {
        opsMail.push({ to: m.to, raw: m.raw.toString('utf8') });
        return `ops-${opsMail.length}`;
      },
    };
    const opsDeps = {
      sources: [] as const,
      state: { get: async () => undefined },
      alerts: new DynamoAlertStore(local.db, config.tables.state),
      publisher: new MailOpsPublisher(opsMailer, 'alerts@example.com', ['ops@example.com']),
      clock,
      thresholds: config.ops,
      origin: 'test',
    };
    const check = await runOpsCheck(opsDeps);
    expect(check.failures).toEqual([]);
    expect(check.sent.map((n) => n.type)).toEqual(['delivery']);
    expect(opsMail.map((m) => m.to)).toEqual(['ops@example.com']);
    const message = renderOpsNotification(check.sent[0] as (typeof check.sent)[number], 'test');
    expect(message.subject).toBe('[export-watch ops] DELIVERY: 2 messages rejected');
    expect(message.text).toContain('REJECTED  rejected-alert@example.com');
    expect(message.text).toContain('REJECTED  rejected-digest@example.com');
    expect(message.text).not.toContain('ok@example.com');

    // Told once: the next check and a quiet notifier run add nothing.
    clock.advance(15 * 60_000);
    await runNotifier(deps);
    expect((await runOpsCheck(opsDeps)).sent).toEqual([]);
    expect(opsMail).toHaveLength(1);
    expect(subscriberMail).toEqual(['ok@example.com']);

    // A later rejection is a new event: one more ops message, about it only.
    await changes.put(finalizeChange(draft('2026-05678'), clock.now()), { notify: true });
    await runNotifier(deps);
    const again = await runOpsCheck(opsDeps);
    expect(again.sent).toHaveLength(1);
    const [n] = again.sent;
    expect(n?.type === 'delivery' ? n.events.map((e) => e.email) : []).toEqual(['rejected-alert@example.com']);
  });
});
