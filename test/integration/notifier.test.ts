import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESClient } from '@aws-sdk/client-ses';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ChangeDraft, finalizeChange } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import type { SubscriberSeed } from '#core/config.ts';
import type { LocalService } from '#app/local/services.ts';
import type { LinkSettings } from '#notify/links.ts';
import { OutboxMailer, SesMailer } from '#adapters/mailer.ts';
import type { Mailer } from '#core/ports.ts';
import { type NotifierDeps, runNotifier } from '#notify/notifier.ts';
import { verifyToken } from '#notify/tokens.ts';
import { DynamoChangeLog } from '#store/change-log.ts';
import { DynamoSubscribers } from '#store/subscribers.ts';
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

/** The header block of a raw message, folded lines joined. */
const headersOf = (raw: string) => raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');

describe('notifier with dynalite and local SES', () => {
  let local: LocalDynamo;
  let ses: LocalService;
  let changes: DynamoChangeLog;
  let subscribers: DynamoSubscribers;
  let mailer: Mailer;
  const outbox = mkdtempSync(join(tmpdir(), 'ew-outbox-'));
  // 10:00 in New York (EST): after the 07:00 digest slot of the day.
  const clock = new ManualClock('2026-03-02T15:00:00Z');
  const config = testConfig();
  const key = randomBytes(32);
  const links: LinkSettings = { baseUrl: 'https://links.example.com/', key: async () => key };

  const store = async (): Promise<StoredEmail[]> => ((await (await fetch(`${ses.url}/store`)).json()) as { emails: StoredEmail[] }).emails;
  const emlFiles = () => readdirSync(outbox).filter((f) => f.endsWith('.eml'));
  const seeds: SubscriberSeed[] = [
    { email: 'Analyst@Example.com', mode: 'immediate', digestHour: 7, filters: {} },
    { email: 'bis-only@example.com', mode: 'immediate', digestHour: 7, filters: { sources: ['federal-register'] } },
    { email: 'digest@example.com', mode: 'daily', digestHour: 7, filters: {} },
  ];
  const deps = (extra: Partial<NotifierDeps> = {}): NotifierDeps => ({
    changes,
    subscribers,
    mailer,
    clock,
    senderEmail: 'alerts@example.com',
    seeds,
    links,
    ...extra,
  });
  const run = (extra: Partial<NotifierDeps> = {}) => runNotifier(deps(extra));

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

  describe('immediate alerts', () => {
    it('sends nothing when the outbox is empty, and seeds the config subscribers as active', async () => {
      const outcome = await run();
      expect(outcome).toMatchObject({ pending: 0, emailsSent: 0, digestsSent: 0, confirmationsSent: 0 });
      expect(await store()).toHaveLength(0);
      const all = await subscribers.list();
      expect(all.map((s) => s.email)).toEqual(['analyst@example.com', 'bis-only@example.com', 'digest@example.com']);
      expect(all.every((s) => s.status === 'active' && s.origin === 'config')).toBe(true);
    });

    it('sends one email per matching subscriber per batch, with the unsubscribe headers, and empties the outbox', async () => {
      await changes.put(finalizeChange(draft('a'), clock.now()), { notify: true });
      await changes.put(finalizeChange(draft('b', { importance: 'high' }), clock.now()), { notify: true });
      await changes.put(finalizeChange(draft('quiet'), clock.now()), { notify: false });
      const outcome = await run();
      expect(outcome).toMatchObject({ pending: 2, emailsSent: 1, deliveries: 2, completed: 2, failures: [] });
      const emails = await store();
      expect(emails).toHaveLength(1);
      expect(emails[0]?.destination.to).toEqual(['analyst@example.com']);
      expect(emails[0]?.subject).toBe('NVIDIA CORP filed 10-Q (b) and 1 more filing');
      expect(emails[0]?.body.html).toContain('NVIDIA CORP filed 10-Q (a)');
      expect(emlFiles()).toEqual([`${emails[0]?.messageId}.eml`]);
      const raw = readFileSync(join(outbox, emlFiles()[0] ?? ''), 'utf8');
      const headers = headersOf(raw);
      expect(headers).toMatch(/^Subject: NVIDIA CORP filed 10-Q \(b\)/m);
      expect(headers).toMatch(/^From: "export-watch" <alerts@example.com>$/m);
      expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
      const url = /^List-Unsubscribe: <([^>]+)>$/m.exec(headers)?.[1] ?? '';
      expect(url).toMatch(/^https:\/\/links\.example\.com\/unsubscribe\?t=v1\./);
      expect(verifyToken(key, new URL(url).searchParams.get('t'), 'unsubscribe', { now: clock.now() })).toMatchObject({
        ok: true,
        payload: { email: 'analyst@example.com' },
      });
      expect(raw).toMatch(/Content-Type: multipart\/alternative/);
      expect(await changes.pendingNotification(10)).toHaveLength(0);
    });

    it('never sends the same change to the same person twice, even if it re-enters the outbox', async () => {
      const a = finalizeChange(draft('a'), clock.now());
      // Simulate a crash after the send and delivery record but before the outbox was updated.
      await local.db.send(
        new UpdateCommand({
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

    it('a crash between send and record resends that one email once, then never again', async () => {
      await changes.put(finalizeChange(draft('crash'), clock.now()), { notify: true });
      // The process dies after SES accepted the message, before the delivery record.
      const crashing = Object.assign(Object.create(subscribers) as DynamoSubscribers, {
        recordDelivery: async () => Promise.reject(new Error('Task timed out')),
      });
      const before = (await store()).length;
      const crashed = await run({ subscribers: crashing });
      expect(crashed.failures).toEqual([{ email: 'analyst@example.com', error: 'Task timed out' }]);
      expect(await changes.pendingNotification(10)).toHaveLength(1);
      expect(await run()).toMatchObject({ emailsSent: 1, deliveries: 1, completed: 1 });
      expect(await run()).toMatchObject({ pending: 0, emailsSent: 0 });
      const sent = (await store()).slice(before).filter((e) => e.subject.includes('(crash)'));
      expect(sent).toHaveLength(2); // the original and one resend
    });

    it('keeps changes pending for a subscriber whose send failed, and delivers on the next run', async () => {
      await changes.put(finalizeChange(draft('c'), clock.now()), { notify: true });
      const before = (await store()).length;
      const failing: Mailer = { send: async () => Promise.reject(new Error('Throttling: Maximum sending rate exceeded')) };
      const failed = await run({ mailer: failing });
      expect(failed.failures).toEqual([{ email: 'analyst@example.com', error: 'Throttling: Maximum sending rate exceeded' }]);
      expect(failed.completed).toBe(0);
      expect(await changes.pendingNotification(10)).toHaveLength(1);
      const retried = await run();
      expect(retried).toMatchObject({ emailsSent: 1, deliveries: 1, completed: 1 });
      expect(await store()).toHaveLength(before + 1);
    });

    it('records a permanent SES rejection instead of retrying it forever, and does not hold the outbox', async () => {
      // Detected before the digest subscriber's window, so the digest tests below do not see it.
      const change = finalizeChange(draft('rejected'), new Date('2026-01-01T00:00:00Z'));
      await changes.put(change, { notify: true });
      const before = (await store()).length;
      const rejecting: Mailer = {
        send: async () => Promise.reject(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' })),
      };
      const outcome = await run({ mailer: rejecting });
      expect(outcome.failures).toEqual([{ email: 'analyst@example.com', error: 'rejected permanently: Email address is not verified.' }]);
      expect(outcome.completed).toBe(1);
      expect(await changes.pendingNotification(10)).toHaveLength(0);
      const record = (await subscribers.deliveriesOf('analyst@example.com')).find((d) => d.changeId === change.id);
      expect(record?.messageId).toBe('rejected: Email address is not verified.');
      expect(await run()).toMatchObject({ emailsSent: 0, failures: [] });
      expect(await store()).toHaveLength(before);
    });

    it('escapes a hostile title and keeps CR/LF out of the headers', async () => {
      await changes.put(
        finalizeChange(
          draft('evil', {
            source: 'federal-register',
            kind: 'fr.document',
            subject: 'BIS',
            title: 'Rule <script>alert(1)</script>\r\nBcc: victim@example.com\r\nX-Injected: yes',
            summary: '<img src=x onerror=alert(1)>',
          }),
          clock.now(),
        ),
        { notify: true },
      );
      const before = new Set(emlFiles());
      const outcome = await run();
      expect(outcome).toMatchObject({ emailsSent: 2, failures: [] }); // analyst and bis-only
      const added = emlFiles().filter((f) => !before.has(f));
      expect(added).toHaveLength(2);
      for (const f of added) {
        const raw = readFileSync(join(outbox, f), 'utf8');
        const headers = headersOf(raw);
        expect(headers).not.toMatch(/^Bcc:/im);
        expect(headers).not.toMatch(/^X-Injected:/im);
        expect(headers.match(/^To: /gm)).toHaveLength(1);
        expect(headers).toMatch(/^Subject: BIS document: Rule <script>alert\(1\)<\/script> Bcc: victim@example\.com X-Injected: yes$/m);
        expect(raw).not.toContain('<script>alert(1)</script></');
      }
      const html = (await store()).at(-1)?.body.html ?? '';
      expect(html).toContain('Rule &lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toMatch(/<script|<img/);
      expect((await store()).flatMap((e) => e.destination.to)).not.toContain('victim@example.com');
    });

    it('mails no unsubscribed, suppressed or pending subscriber', async () => {
      await subscribers.addIfAbsent({
        email: 'pending@example.com',
        mode: 'immediate',
        digestHour: 7,
        filters: {},
        status: 'pending',
        createdAt: clock.now().toISOString(),
      });
      await subscribers.update('bis-only@example.com', { status: 'unsubscribed' });
      await subscribers.addIfAbsent({
        email: 'bounced@example.com',
        mode: 'immediate',
        digestHour: 7,
        filters: {},
        status: 'suppressed',
        createdAt: clock.now().toISOString(),
      });
      await changes.put(
        finalizeChange(draft('after-unsub', { source: 'federal-register', kind: 'fr.document', subject: 'BIS' }), clock.now()),
        { notify: true },
      );
      const before = (await store()).length;
      const outcome = await run({ links: undefined }); // no links: no confirmation goes out either
      expect(outcome).toMatchObject({ emailsSent: 1, completed: 1, confirmationsSent: 0 });
      expect((await store()).slice(before).flatMap((e) => e.destination.to)).toEqual(['analyst@example.com']);
    });
  });

  describe('double opt-in', () => {
    it('sends the pending subscriber one confirmation email with a signed confirm link', async () => {
      const before = (await store()).length;
      const first = await run();
      expect(first).toMatchObject({ confirmationsSent: 1, emailsSent: 1 });
      const sent = (await store()).slice(before);
      expect(sent.map((e) => [e.destination.to[0], e.subject])).toEqual([
        ['pending@example.com', 'Confirm your export-watch subscription'],
      ]);
      const url = /https:\/\/links\.example\.com\/confirm\?t=[A-Za-z0-9._-]+/.exec(sent[0]?.body.text ?? '')?.[0] ?? '';
      expect(verifyToken(key, new URL(url).searchParams.get('t'), 'confirm', { now: clock.now() })).toMatchObject({
        ok: true,
        payload: { email: 'pending@example.com' },
      });
      expect((await subscribers.get('pending@example.com'))?.confirmationSentAt).toBe(clock.now().toISOString());
      expect(await run()).toMatchObject({ confirmationsSent: 0, emailsSent: 0 });
    });
  });

  describe('config seeds', () => {
    it('follow the file for settings but never for status', async () => {
      const changed = seeds.map((s) => (s.email === 'bis-only@example.com' ? { ...s, filters: { sources: ['entity-list' as const] } } : s));
      await run({ seeds: changed });
      const bis = await subscribers.get('bis-only@example.com');
      expect(bis).toMatchObject({ status: 'unsubscribed', filters: { sources: ['entity-list'] } });
      await run();
    });
  });

  describe('daily digest', () => {
    const digestEmails = async () => (await store()).filter((e) => e.destination.to.includes('digest@example.com'));
    beforeEach(() => clock.set('2026-03-02T15:00:00Z'));

    it('waits for the digest hour, then sends one email with every change since, and nothing twice', async () => {
      // Seeded at 10:00 ET today: the 07:00 slot has passed already, so nothing is due.
      expect((await run()).digestsSent).toBe(0);
      clock.set('2026-03-03T11:55:00Z'); // 06:55 ET
      await changes.put(finalizeChange(draft('overnight', { importance: 'high' }), clock.now()), { notify: true });
      expect((await run()).digestsSent).toBe(0);
      expect(await digestEmails()).toHaveLength(0);

      clock.set('2026-03-03T12:00:30Z'); // 07:00 ET
      const outcome = await run();
      expect(outcome).toMatchObject({ digestsSent: 1 });
      const [digest] = await digestEmails();
      expect(digest?.subject).toMatch(/^Daily digest: /);
      // Every change logged since the subscriber joined (the digest reads the log, not the outbox).
      for (const key of ['a', 'b', 'c', 'crash', 'quiet', 'after-unsub', 'overnight']) expect(digest?.body.text).toContain(`(${key})`);
      // A CR/LF in a title never starts a new line, in the body either.
      expect(digest?.body.text).toContain('Rule <script>alert(1)</script> Bcc: victim@example.com X-Injected: yes');
      expect(digest?.body.text).not.toMatch(/^Bcc:/m);
      expect(digest?.body.text).toContain('Your daily digest: 8 new changes detected between 2026-03-02 10:00 ET and');
      expect((await subscribers.deliveriesOf('digest@example.com')).map((d) => d.via)).toEqual(Array(8).fill('digest'));
      expect((await subscribers.get('digest@example.com'))?.lastDigestAt).toBe('2026-03-03T12:00:30.000Z');

      clock.set('2026-03-03T12:05:00Z');
      expect((await run()).digestsSent).toBe(0);
      expect(await digestEmails()).toHaveLength(1);
    });

    it('a crash after the delivery records but before lastDigestAt moved sends nothing again', async () => {
      clock.set('2026-03-03T20:00:00Z');
      await changes.put(finalizeChange(draft('evening'), clock.now()), { notify: true });
      await run(); // the immediate subscriber gets it; the digest waits for tomorrow 07:00
      clock.set('2026-03-04T12:00:00Z');
      const crashing = Object.assign(Object.create(subscribers) as DynamoSubscribers, {
        update: async () => Promise.reject(new Error('Task timed out')),
      });
      expect(await run({ subscribers: crashing, seeds: [] })).toMatchObject({ digestsSent: 1 });
      expect(await digestEmails()).toHaveLength(2);
      expect((await subscribers.get('digest@example.com'))?.lastDigestAt).toBe('2026-03-03T12:00:30.000Z');
      clock.set('2026-03-04T12:05:00Z');
      expect(await run()).toMatchObject({ digestsSent: 0 });
      expect(await digestEmails()).toHaveLength(2);
      expect((await subscribers.get('digest@example.com'))?.lastDigestAt).toBe('2026-03-04T12:05:00.000Z');
    });

    it('sends no empty digest but still moves the window on', async () => {
      clock.set('2026-03-05T12:00:00Z');
      const outcome = await run();
      expect(outcome.digestsSent).toBe(0);
      expect(await digestEmails()).toHaveLength(2);
      expect((await subscribers.get('digest@example.com'))?.lastDigestAt).toBe('2026-03-05T12:00:00.000Z');
    });

    it('re-reads the edge of the window (late-written changes) without sending anything twice', async () => {
      // Detected (stamped) at 06:58 ET but written only after the 07:00 digest went out.
      const late = finalizeChange(draft('late'), new Date('2026-03-06T11:58:00Z'));
      clock.set('2026-03-06T12:00:10Z');
      await run();
      await changes.put(late, { notify: true });
      clock.set('2026-03-07T12:00:00Z');
      await run();
      const last = (await digestEmails()).at(-1);
      expect(last?.body.text).toContain('(late)');
      expect(last?.body.text).not.toContain('(overnight)');
      expect(last?.body.text).not.toContain('(evening)');
    });
    it('woken after every insert all day (issue 16: stream triggers), a digest subscriber still gets one digest a day, at their hour', async () => {
      // 06:00 EDT on a Friday: the digest missed since the other tests' days goes out first.
      clock.set('2026-03-13T10:00:00Z');
      await run();
      const before = (await digestEmails()).length;
      const sentAt: string[] = [];
      // Then a change and a wake-up every 13 minutes until 07:30 EDT on Saturday.
      for (let i = 0; clock.now().toISOString() < '2026-03-14T11:30:00Z'; i++) {
        clock.advance(13 * 60_000);
        await changes.put(finalizeChange(draft(`busy-${i}`), clock.now()), { notify: true });
        const outcome = await run();
        if ((outcome.digestsSent ?? 0) > 0) sentAt.push(clock.now().toISOString());
      }
      // One at the first wake-up after 07:00 EDT (11:00 UTC) each day, never more.
      expect(sentAt).toEqual(['2026-03-13T11:05:00.000Z', '2026-03-14T11:08:00.000Z']);
      expect((await digestEmails()).length).toBe(before + 2);
    });
  });
});
