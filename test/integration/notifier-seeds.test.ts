import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChangeDraft, finalizeChange } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import type { SubscriberSeed } from '#core/config.ts';
import { SesMailer } from '#adapters/mailer.ts';
import { type NotifierDeps, runNotifier } from '#notify/notifier.ts';
import { DynamoChangeLog } from '#store/change-log.ts';
import { DynamoSubscribers } from '#store/subscribers.ts';
import { type LocalDynamo, startLocalDynamo, testConfig } from '../support/local-aws.ts';

/** Issue 19, item 10: the config file's subscriber list decides who config-seeded mail goes to. */
describe('config-seeded subscribers that leave the config file', () => {
  let local: LocalDynamo;
  const config = testConfig();
  const ses = mockClient(SESClient);
  const sent: string[] = [];
  let changes: DynamoChangeLog;
  let subscribers: DynamoSubscribers;
  const clock = new ManualClock('2026-03-02T15:00:00Z');
  let n = 0;

  const draft = (): ChangeDraft => ({
    source: 'sec-filings',
    kind: 'filing.new',
    naturalKey: `seed-${++n}`,
    subject: 'NVDA',
    title: `NVIDIA CORP filed 8-K (${n})`,
    summary: 'Current report',
    url: 'https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm',
    data: { n },
  });
  const seed = (email: string): SubscriberSeed => ({ email, mode: 'immediate', filters: {} });
  const run = (seeds: SubscriberSeed[] | undefined, extra: Partial<NotifierDeps> = {}) =>
    runNotifier({
      changes,
      subscribers,
      mailer: new SesMailer(new SESClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } })),
      clock,
      senderEmail: 'alerts@example.com',
      seeds,
      ...extra,
    });
  /** Write one change, run the notifier with `seeds`, return who got mail. */
  const alertWith = async (seeds: SubscriberSeed[] | undefined) => {
    await changes.put(finalizeChange(draft(), clock.now()), { notify: true });
    sent.length = 0;
    await run(seeds);
    clock.advance(60_000);
    return [...sent].sort();
  };

  beforeAll(async () => {
    local = await startLocalDynamo(config.tables);
    changes = new DynamoChangeLog(local.db, config.tables.changes);
    subscribers = new DynamoSubscribers(local.db, config.tables.subscribers);
    ses.on(SendRawEmailCommand).callsFake((input: { Destinations?: string[] }) => {
      sent.push(input.Destinations?.[0] ?? '');
      return { MessageId: `m-${sent.length}-${Math.random()}` };
    });
  });
  afterAll(async () => {
    ses.restore();
    await local?.stop();
  });

  it('removal stops the mail, re-adding resumes it, an unsubscribed one stays unsubscribed, and an empty list removes nobody', async () => {
    const all = [seed('keep@example.com'), seed('leaves@example.com'), seed('unsub@example.com')];
    expect(await alertWith(all)).toEqual(['keep@example.com', 'leaves@example.com', 'unsub@example.com']);
    await subscribers.addIfAbsent({
      email: 'cli@example.com',
      mode: 'immediate',
      digestHour: 7,
      filters: {},
      status: 'active',
      origin: 'cli',
      createdAt: clock.now().toISOString(),
    });
    await subscribers.update('unsub@example.com', { status: 'unsubscribed', unsubscribedAt: clock.now().toISOString() });

    // leaves@ and unsub@ leave the file: leaves@ gets no more mail; the CLI subscriber is not the file's to remove.
    expect(await alertWith([seed('keep@example.com')])).toEqual(['cli@example.com', 'keep@example.com']);
    expect((await subscribers.get('leaves@example.com'))?.status).toBe('removed');
    expect((await subscribers.get('unsub@example.com'))?.status).toBe('unsubscribed');
    expect((await subscribers.get('cli@example.com'))?.status).toBe('active');

    // A config with no subscribers at all (a trimmed or wrong file) removes nobody.
    expect(await alertWith([])).toEqual(['cli@example.com', 'keep@example.com']);
    expect((await subscribers.get('keep@example.com'))?.status).toBe('active');
    // Nor does a run that is given no seeds.
    expect(await alertWith(undefined)).toEqual(['cli@example.com', 'keep@example.com']);

    // Back in the file: leaves@ is active again; unsub@ stays unsubscribed.
    expect(await alertWith(all)).toEqual(['cli@example.com', 'keep@example.com', 'leaves@example.com']);
    expect((await subscribers.get('leaves@example.com'))?.status).toBe('active');
    expect((await subscribers.get('unsub@example.com'))?.status).toBe('unsubscribed');
    // It did not get the alerts sent while it was removed.
    expect((await subscribers.deliveriesOf('leaves@example.com')).length).toBe(2);
  });
});
