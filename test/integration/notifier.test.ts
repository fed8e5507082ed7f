import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESClient } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChangeDraft, finalizeChange } from '../../lambdas/core/change.ts';
import { ManualClock } from '../../lambdas/core/clock.ts';
import type { LocalService } from '../../lambdas/local/services.ts';
import { type Mailer, OutboxMailer, SesMailer } from '../../lambdas/notify/mailer.ts';
import { runNotifier } from '../../lambdas/notify/notifier.ts';
import { DynamoChangeLog } from '../../lambdas/store/change-log.ts';
import { DynamoSubscribers } from '../../lambdas/store/subscribers.ts';
import { type LocalDynamo, startLocalDynamo, startLocalSes, testConfig } from '../support/local-aws.ts';

interface StoredEmail {
  messageId: string;
  subject: string;
  destination: { to: string[] };
  body: { html?: string; text?: string };
}

const draft = (key: string, extra: Partial<ChangeDraft> = {}): ChangeDraft => ({
  source: 'sec-filings',
  kind: 'filing.new',
  naturalKey: key,
  subject: 'NVDA',
  title: `NVIDIA CORP filed 10-Q (${key})`,
  summary: 'Quarterly report',
  url: 'https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm',
  data: {},
  ...extra,
});

describe('notifier with dynalite and local SES', () => {
  let local: LocalDynamo;
  let ses: LocalService;
  let changes: DynamoChangeLog;
  let subscribers: DynamoSubscribers;
  let mailer: Mailer;
  const outbox = mkdtempSync(join(tmpdir(), 'ew-outbox-'));
  const clock = new ManualClock('2026-03-02T15:00:00Z');
  const config = testConfig();

  const store = async (): Promise<StoredEmail[]> => ((await (await fetch(`${ses.url}/store`)).json()) as { emails: StoredEmail[] }).emails;
  const run = (seeds = [
    { email: 'Analyst@Example.com', mode: 'immediate' as const, digestHour: 7, filters: {} },
    { email: 'bis-only@example.com', mode: 'immediate' as const, digestHour: 7, filters: { sources: ['federal-register' as const] } },
    { email: 'digest@example.com', mode: 'daily' as const, digestHour: 7, filters: {} },
  ]) => runNotifier({ changes, subscribers, mailer, clock, senderEmail: 'alerts@example.com', seeds });

  beforeAll(async () => {
    local = await startLocalDynamo(config.tables);
    ses = await startLocalSes();
    changes = new DynamoChangeLog(local.db, config.tables.changes);
    subscribers = new DynamoSubscribers(local.db, config.tables.subscribers);
    const sesClient = new SESClient({
      endpoint: ses.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: { requestTimeout: 5000, throwOnRequestTimeout: true },
    });
    mailer = new OutboxMailer(new SesMailer(sesClient), outbox);
  });
  afterAll(async () => {
    await local.stop();
    await ses.close();
  });

  it('sends nothing when the outbox is empty', async () => {
    const outcome = await run();
    expect(outcome).toMatchObject({ pending: 0, emailsSent: 0 });
    expect(await store()).toHaveLength(0);
    expect((await subscribers.list()).map((s) => s.email)).toEqual(['analyst@example.com', 'bis-only@example.com', 'digest@example.com']);
  });

  it('sends one email per matching subscriber per batch, writes the .eml, and empties the outbox', async () => {
    await changes.put(finalizeChange(draft('a'), clock.now()), { notify: true });
    await changes.put(finalizeChange(draft('b', { importance: 'high' }), clock.now()), { notify: true });
    await changes.put(finalizeChange(draft('quiet'), clock.now()), { notify: false });
    const outcome = await run();
    expect(outcome).toMatchObject({ pending: 2, emailsSent: 1, deliveries: 2, completed: 2, failures: [] });
    const emails = await store();
    expect(emails).toHaveLength(1);
    expect(emails[0]?.destination.to).toEqual(['analyst@example.com']);
    expect(emails[0]?.subject).toBe('export-watch: NVIDIA CORP filed 10-Q (b) (+1 more)');
    expect(emails[0]?.body.html).toContain('NVIDIA CORP filed 10-Q (a)');
    const files = readdirSync(outbox);
    expect(files).toEqual([`${emails[0]?.messageId}.eml`]);
    expect(readFileSync(join(outbox, files[0] ?? ''), 'utf8')).toMatch(/^Subject: export-watch: NVIDIA CORP filed 10-Q \(b\)/m);
    expect(await changes.pendingNotification(10)).toHaveLength(0);
  });

  it('never sends the same change to the same person twice, even if it re-enters the outbox', async () => {
    const a = finalizeChange(draft('a'), clock.now());
    // Simulate a crash after the send and delivery record but before the outbox was updated.
    await local.db.send(
      new (await import('@aws-sdk/lib-dynamodb')).UpdateCommand({
        TableName: config.tables.changes,
        Key: { id: a.id },
        UpdateExpression: 'SET outbox = :p',
        ExpressionAttributeValues: { ':p': 'pending' },
      }),
    );
    const outcome = await run();
    expect(outcome).toMatchObject({ pending: 1, emailsSent: 0, completed: 1 });
    expect(await store()).toHaveLength(1);
    expect(await subscribers.deliveriesOf('analyst@example.com')).toHaveLength(2);
  });

  it('keeps changes pending for a subscriber whose send failed, and delivers on the next run', async () => {
    await changes.put(finalizeChange(draft('c'), clock.now()), { notify: true });
    const failing: Mailer = { send: async () => Promise.reject(new Error('Throttling: Maximum sending rate exceeded')) };
    const failed = await runNotifier({ changes, subscribers, mailer: failing, clock, senderEmail: 'alerts@example.com' });
    expect(failed.failures).toEqual([{ email: 'analyst@example.com', error: 'Throttling: Maximum sending rate exceeded' }]);
    expect(failed.completed).toBe(0);
    expect(await changes.pendingNotification(10)).toHaveLength(1);
    const retried = await run();
    expect(retried).toMatchObject({ emailsSent: 1, deliveries: 1, completed: 1 });
    expect(await store()).toHaveLength(2);
  });
});
