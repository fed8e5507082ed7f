import { SESClient } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Change, finalizeChange } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import type { SubscriberSeed } from '#core/config.ts';
import type { LocalService } from '#app/local/services.ts';
import { SesMailer } from '#adapters/mailer.ts';
import { type NotifierDeps, runNotifier } from '#notify/notifier.ts';
import { DEFAULT_QUERIES, groupMentions, mentionDraft, phraseSpan } from '#sources/sec-full-text/detect.ts';
import { DynamoChangeLog } from '#store/change-log.ts';
import { DynamoSubscribers } from '#store/subscribers.ts';
import { type LocalDynamo, startLocalDynamo, startLocalSes, testConfig } from '../support/local-aws.ts';
import { PASSAGE_ENTITY_LIST } from '../support/upstreams/sec-full-text.ts';

interface StoredEmail {
  subject: string;
  destination: { to: string[] };
  body: { html?: string; text?: string };
}

/**
 * Issue 17: "Emails for filing.mention group a day's mentions per query." Market-wide
 * mentions come by the dozen through an earnings day; an immediate subscriber gets them
 * in one round-up a day at their digest hour, a section per phrase, while their other
 * alerts stay immediate. Daily subscribers get them in their digest.
 */
describe('daily round-up of filing.mention for immediate subscribers (dynalite, local SES)', () => {
  let local: LocalDynamo;
  let ses: LocalService;
  let changes: DynamoChangeLog;
  let subscribers: DynamoSubscribers;
  const clock = new ManualClock('2026-03-02T15:00:00Z'); // Mon 10:00 ET
  const config = testConfig();
  const seeds: SubscriberSeed[] = [
    { email: 'alerts@example.com', mode: 'immediate', digestHour: 7, filters: {} },
    { email: 'filings-only@example.com', mode: 'immediate', digestHour: 7, filters: { sources: ['sec-filings'] } },
    { email: 'digest@example.com', mode: 'daily', digestHour: 7, filters: {} },
  ];
  let mailer: SesMailer;
  const deps = (): NotifierDeps => ({ changes, subscribers, mailer, clock, senderEmail: 'alerts@example.com', seeds });
  const emailsTo = async (to: string): Promise<StoredEmail[]> =>
    ((await (await fetch(`${ses.url}/store`)).json()) as { emails: StoredEmail[] }).emails.filter((e) => e.destination.to.includes(to));

  const mention = (seq: number, queryIndex: number): Change => {
    const cik = String(9_990_000 + seq).padStart(10, '0');
    const q = DEFAULT_QUERIES[queryIndex];
    if (!q) throw new Error('no such default query');
    const [m] = groupMentions(q.id, [
      {
        adsh: `${cik}-26-900001`,
        filename: 'q.htm',
        ciks: [cik],
        displayNames: [`EXAMPLE FILER ${seq}  (CIK ${cik})`],
        form: '10-Q',
        fileType: '10-Q',
        fileDate: '2026-03-02',
        items: [],
      },
    ]);
    if (!m) throw new Error('no mention');
    return finalizeChange(
      mentionDraft(m, q, { text: PASSAGE_ENTITY_LIST, document: 'q.htm', span: phraseSpan(PASSAGE_ENTITY_LIST, q.phrase) }, false),
      clock.now(),
    );
  };
  const filing = (key: string): Change =>
    finalizeChange(
      {
        source: 'sec-filings',
        kind: 'filing.new',
        naturalKey: key,
        subject: 'NVDA',
        title: `NVIDIA CORP filed 10-Q (${key})`,
        summary: 'Quarterly report',
        url: 'https://www.sec.gov/Archives/edgar/data/1045810/x.htm',
        data: {},
      },
      clock.now(),
    );

  beforeAll(async () => {
    local = await startLocalDynamo(config.tables);
    ses = await startLocalSes();
    changes = new DynamoChangeLog(local.db, config.tables.changes);
    subscribers = new DynamoSubscribers(local.db, config.tables.subscribers);
    mailer = new SesMailer(
      new SESClient({
        endpoint: ses.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        requestHandler: { requestTimeout: 5000, throwOnRequestTimeout: true },
      }),
    );
  });
  afterAll(async () => {
    await local.stop();
    await ses.close();
  });

  it("holds mentions out of the immediate alerts, then sends the day's mentions in one email grouped per phrase, once", async () => {
    await runNotifier(deps()); // seeds the subscribers (10:00 ET: today's 07:00 slot has passed)
    // Entity List twice (two filers), export license once (the first filer again).
    for (const c of [filing('a'), mention(1, 0), mention(2, 0), mention(1, 1)]) await changes.put(c, { notify: true });
    const first = await runNotifier(deps());
    expect(first.failures).toEqual([]);
    // The filing is an alert at once; no mention is in it, and the outbox is empty.
    const [alert, ...more] = await emailsTo('alerts@example.com');
    expect(more).toHaveLength(0);
    expect(alert?.body.text).toContain('(a)');
    expect(alert?.body.text).not.toContain('EXAMPLE FILER');
    expect(first.completed).toBe(4);
    expect(await changes.pendingNotification(10)).toEqual([]);

    clock.set('2026-03-02T19:00:00Z'); // 14:00 ET: another mention, still no email for it
    await changes.put(mention(3, 0), { notify: true });
    expect((await runNotifier(deps())).emailsSent).toBe(0);
    expect(await emailsTo('alerts@example.com')).toHaveLength(1);

    clock.set('2026-03-03T12:00:30Z'); // Tue 07:00 ET: the round-up
    const due = await runNotifier(deps());
    expect(due.failures).toEqual([]);
    const received = await emailsTo('alerts@example.com');
    expect(received).toHaveLength(2);
    const rollup = received[1] as StoredEmail;
    expect(rollup.subject).toMatch(/^Daily round-up: /);
    expect(rollup.body.text?.replace(/\s+/g, ' ')).toContain(
      'Your daily round-up of filings that mention export controls: 4 new changes detected between 2026-03-02 10:00 ET',
    );
    expect(rollup.body.text).toContain('"Entity List" (3 filings)');
    expect(rollup.body.text).toContain('"export license" (1 filing)');
    for (const n of [1, 2, 3]) expect(rollup.body.text).toContain(`EXAMPLE FILER ${n}`);
    expect(rollup.body.text).not.toContain('(a)'); // the filing went out as an alert already
    expect((await subscribers.deliveriesOf('alerts@example.com')).filter((d) => d.via === 'digest')).toHaveLength(4);
    expect((await subscribers.get('alerts@example.com'))?.lastRollupAt).toBe('2026-03-03T12:00:30.000Z');

    // A subscriber whose filter leaves out sec-full-text gets no round-up; a daily one gets
    // the mentions in the digest with everything else.
    expect((await emailsTo('filings-only@example.com')).map((e) => e.subject)).toEqual([alert?.subject]);
    const [digest, ...moreDigests] = await emailsTo('digest@example.com');
    expect(moreDigests).toHaveLength(0);
    expect(digest?.subject).toMatch(/^Daily digest: /);
    expect(digest?.body.text).toContain('(a)');
    expect(digest?.body.text).toContain('EXAMPLE FILER 3');

    // Later runs, and the next day with nothing new, send nothing more.
    clock.set('2026-03-03T12:10:00Z');
    expect((await runNotifier(deps())).emailsSent).toBe(0);
    clock.set('2026-03-04T12:00:30Z');
    expect((await runNotifier(deps())).emailsSent).toBe(0);
    expect(await emailsTo('alerts@example.com')).toHaveLength(2);
    expect((await subscribers.get('alerts@example.com'))?.lastRollupAt).toBe('2026-03-04T12:00:30.000Z');
  });
});
