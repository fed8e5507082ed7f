import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finalizeChange } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import { loadConfig } from '#core/config.ts';
import { LocalRuntime } from '#app/local/runtime.ts';
import { latestDigestSlot } from '#core/time.ts';
import { createUpstreamClient } from '#app/compose.ts';
import { DynamoChangeLog } from '#store/change-log.ts';
import { DynamoSubscribers } from '#store/subscribers.ts';
import { type DemoPhase, startDemoUpstream } from '../support/demo-upstream.ts';
import type { FakeUpstream } from '../support/fake-upstream.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

/** One MIME message from the outbox: headers (folded lines joined) and decoded parts. */
interface Eml {
  file: string;
  headers: string;
  to: string;
  parts: Map<string, string>;
}

function decodeQuotedPrintable(body: string): string {
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=` / `?B?`) decoded; adjacent words join without the space between. */
function decodeHeaders(headers: string): string {
  return headers
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function parseEml(file: string): Eml {
  const raw = readFileSync(file, 'utf8');
  const split = raw.indexOf('\r\n\r\n');
  const headers = decodeHeaders(raw.slice(0, split).replace(/\r\n[ \t]+/g, ' '));
  const boundary = /boundary="([^"]+)"/.exec(headers)?.[1] ?? '';
  const parts = new Map<string, string>();
  for (const chunk of raw.slice(split + 4).split(`--${boundary}`)) {
    const end = chunk.indexOf('\r\n\r\n');
    if (end < 0) continue;
    const head = chunk.slice(0, end);
    const type = /Content-Type: ([^;\r\n]+)/i.exec(head)?.[1];
    const body = chunk.slice(end + 4).replace(/\r\n$/, '');
    if (type) parts.set(type, /quoted-printable/i.test(head) ? decodeQuotedPrintable(body) : body);
  }
  return { file, headers, to: /^To: (.+)$/m.exec(headers)?.[1] ?? '', parts };
}

describe('subscriber emails end to end: local runtime, fake upstream, local SES, link server', () => {
  let upstream: { fake: FakeUpstream; setPhase(phase: DemoPhase): void };
  let runtime: LocalRuntime;
  let db: DynamoDBDocumentClient;
  let subscribers: DynamoSubscribers;
  const dataDir = mkdtempSync(join(tmpdir(), 'ew-e2e-'));
  const outbox = join(dataDir, 'outbox');
  // Five past the hour (New York offsets are whole hours), so the digest hour below is the
  // next one and nothing crosses it by accident; a fixed day, so the test passes on any.
  const start = new Date('2026-03-03T15:05:00Z');
  const clock = new ManualClock(start);
  const nextHour = new Date(start.getTime() + 55 * 60_000);
  const digestHour = Number(
    new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: '2-digit', hourCycle: 'h23' }).format(nextHour),
  );
  const seen = new Set<string>();
  /** Messages written to the outbox since the last call. */
  const newEmails = (): Eml[] => {
    if (!existsSync(outbox)) return [];
    const files = readdirSync(outbox, { withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith('.eml') && !seen.has(f.name));
    for (const f of files) seen.add(f.name);
    return files.map((f) => parseEml(join(outbox, f.name)));
  };

  beforeAll(async () => {
    upstream = await startDemoUpstream({ now: start });
    const file = JSON.parse(readFileSync(join(REPO_ROOT, 'export-watch.config.json'), 'utf8')) as Record<string, unknown>;
    const configFile = join(dataDir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        ...file,
        subscribers: [
          { email: 'analyst@example.com', name: 'Dana', mode: 'immediate', filters: {} },
          { email: 'sg-desk@example.com', mode: 'immediate', filters: { countries: ['SG'] } },
          { email: 'digest@example.com', mode: 'daily', digestHour, filters: {} },
        ],
      }),
    );
    const env = { ...upstream.fake.env(), SEC_USER_AGENT: 'export-watch tests tests@example.com', EXPORT_WATCH_CONFIG: configFile };
    const config = loadConfig({ ...process.env, ...env });
    runtime = await LocalRuntime.start({
      dataDir,
      configFile,
      env,
      clock,
      log: () => undefined,
      http: createUpstreamClient(config, { secRequestsPerSecond: 1000, otherRequestsPerSecond: 1000, backoffBaseMs: 1, maxRetries: 1 }),
    });
    const client = new DynamoDBClient({
      endpoint: runtime.dynamo.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    subscribers = new DynamoSubscribers(db, runtime.config.tables.subscribers);
  });
  afterAll(async () => {
    await runtime?.stop();
    await upstream?.fake.stop();
  });

  it('serves the links on loopback with a key kept in the data dir (mode 0600)', () => {
    expect(runtime.links?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(readFileSync(join(dataDir, 'unsubscribe.key'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dataDir, 'unsubscribe.key')).mode & 0o777).toBe(0o600);
  });

  it('a baseline cycle mails nobody', async () => {
    const summary = await runtime.runOnce();
    expect(summary.notifier).toMatchObject({ emailsSent: 0, digestsSent: 0, confirmationsSent: 0 });
    expect(newEmails()).toEqual([]);
  });

  it('a cycle with news mails each matching immediate subscriber once: both parts, unsubscribe headers, filters applied', async () => {
    upstream.setPhase('news');
    clock.advance(10 * 60_000);
    const summary = await runtime.runOnce();
    expect(summary.notifier.failures).toEqual([]);
    const emails = newEmails();
    expect(emails.map((e) => e.to).sort()).toEqual(['analyst@example.com', 'sg-desk@example.com']);
    for (const e of emails) {
      expect(e.headers).toMatch(/^Content-Type: multipart\/alternative/m);
      expect([...e.parts.keys()].sort()).toEqual(['text/html', 'text/plain']);
      expect(e.headers).toMatch(new RegExp(`^List-Unsubscribe: <${runtime.links?.url}/unsubscribe\\?t=v1\\.[A-Za-z0-9_.-]+>$`, 'm'));
      expect(e.headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
      expect(e.headers).toMatch(/^From: "export-watch" <alerts@example\.com>$/m);
    }
    const analyst = emails.find((e) => e.to === 'analyst@example.com') as Eml;
    const sg = emails.find((e) => e.to === 'sg-desk@example.com') as Eml;
    // The analyst gets everything; the Singapore desk only what concerns Singapore.
    expect(analyst.parts.get('text/html')).toContain('Example Chip Design Innovation');
    expect(analyst.parts.get('text/html')).toContain('Example Accelerator Reseller');
    expect(sg.parts.get('text/plain')).toContain('Example Accelerator Reseller');
    expect(sg.parts.get('text/html')).not.toContain('Example Chip Design Innovation');
    expect(sg.parts.get('text/plain')).not.toContain('Example High Bandwidth Memory');
    expect(analyst.parts.get('text/plain')).toMatch(/^Hello Dana,/);
  });

  it('a second cycle sends nothing', async () => {
    clock.advance(10 * 60_000);
    const summary = await runtime.runOnce();
    expect(summary.notifier.emailsSent).toBe(0);
    expect(newEmails()).toEqual([]);
  });

  it('the digest subscriber gets one email at the digest hour (America/New_York), and only one', async () => {
    expect((await runtime.runNotifier()).digestsSent).toBe(0);
    const slot = latestDigestSlot(new Date(nextHour.getTime() + 60_000), digestHour);
    expect(slot.getTime()).toBe(nextHour.getTime());
    clock.set(new Date(slot.getTime() - 60_000));
    expect((await runtime.runNotifier()).digestsSent).toBe(0);
    clock.set(new Date(slot.getTime() + 30_000));
    expect(await runtime.runNotifier()).toMatchObject({ digestsSent: 1, emailsSent: 1 });
    const [digest, ...rest] = newEmails();
    expect(rest).toEqual([]);
    expect(digest?.to).toBe('digest@example.com');
    expect(digest?.headers).toMatch(/^Subject: Daily digest: /m);
    expect(digest?.parts.get('text/plain')).toContain('Example Chip Design Innovation');
    expect(digest?.headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    clock.advance(5 * 60_000);
    expect((await runtime.runNotifier()).emailsSent).toBe(0);
    expect(newEmails()).toEqual([]);
  });

  it('unsubscribe: a forged token is refused, a valid one (one-click POST) stops further mail', async () => {
    const analystEml = readdirSync(outbox)
      .map((f) => parseEml(join(outbox, f)))
      .find((e) => e.to === 'analyst@example.com') as Eml;
    const url = /^List-Unsubscribe: <([^>]+)>/m.exec(analystEml.headers)?.[1] as string;
    const token = new URL(url).searchParams.get('t') as string;
    const forged = new URL(url);
    forged.searchParams.set('t', `${token.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}`);
    const oneClick = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    };
    expect((await fetch(forged, oneClick)).status).toBe(403);
    const swapped = new URL(url);
    const [v, , sig] = token.split('.');
    swapped.searchParams.set(
      't',
      `${v}.${Buffer.from(JSON.stringify({ e: 'sg-desk@example.com', p: 'unsubscribe', t: 1 })).toString('base64url')}.${sig}`,
    );
    expect((await fetch(swapped, oneClick)).status).toBe(403);
    expect((await fetch(`${runtime.links?.url}/unsubscribe?t=garbage`, oneClick)).status).toBe(400);
    expect((await subscribers.get('analyst@example.com'))?.status).toBe('active');
    expect((await subscribers.get('sg-desk@example.com'))?.status).toBe('active');

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    expect((await subscribers.get('analyst@example.com'))?.status).toBe('active');

    const done = await fetch(url, oneClick);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('You are unsubscribed');
    expect((await subscribers.get('analyst@example.com'))?.status).toBe('unsubscribed');

    // New news for everyone: the Singapore desk still gets mail, the analyst does not.
    const changes = new DynamoChangeLog(db, runtime.config.tables.changes);
    await changes.put(
      finalizeChange(
        {
          source: 'entity-list',
          kind: 'entity.added',
          naturalKey: 'EL|example late addition pte ltd|SG',
          subject: 'Entity List',
          title: 'Entity List: added Example Late Addition Pte. Ltd. (SG)',
          summary: 'Example Late Addition Pte. Ltd. (SG) was added to the Entity List.',
          countries: ['SG'],
          importance: 'high',
          data: { name: 'Example Late Addition Pte. Ltd.', countries: ['SG'], federalRegisterNotice: '91 FR 50000' },
        },
        clock.now(),
      ),
      { notify: true },
    );
    expect(await runtime.runNotifier()).toMatchObject({ emailsSent: 1, failures: [] });
    expect(newEmails().map((e) => e.to)).toEqual(['sg-desk@example.com']);
  });

  it('double opt-in: a subscriber added by hand is mailed a confirm link and receives alerts only after confirming', async () => {
    await subscribers.addIfAbsent({
      email: 'new@example.com',
      mode: 'immediate',
      digestHour: 7,
      filters: {},
      status: 'pending',
      origin: 'cli',
      createdAt: clock.now().toISOString(),
    });
    expect(await runtime.runNotifier()).toMatchObject({ confirmationsSent: 1 });
    const [confirmation] = newEmails();
    expect(confirmation?.to).toBe('new@example.com');
    expect(confirmation?.headers).not.toMatch(/List-Unsubscribe/);
    const confirmUrl = /http:\/\/127\.0\.0\.1:\d+\/confirm\?t=[A-Za-z0-9._-]+/.exec(
      confirmation?.parts.get('text/plain') ?? '',
    )?.[0] as string;
    expect((await fetch(confirmUrl)).status).toBe(200);
    expect((await subscribers.get('new@example.com'))?.status).toBe('pending');
    const res = await fetch(confirmUrl, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Subscription confirmed');
    expect((await subscribers.get('new@example.com'))?.status).toBe('active');
  });
});
