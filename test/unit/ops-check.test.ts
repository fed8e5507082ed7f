import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Change, SourceName } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import type { SourceState } from '#core/ports.ts';
import { DynamoAlertStore } from '#store/alert-store.ts';
import type { AlertState, AlertStatePort, BacklogAlertState, OpsMessage, OpsPublisher } from '#core/ports.ts';
import type { AlertThresholds, BacklogNotification } from '#ops/alerts.ts';
import { type OpsCheckDeps, runOpsCheck } from '#ops/check.ts';
import { parseOpsSources } from '#app/lambda/ops-check.ts';
import { SnsOpsPublisher } from '#adapters/ops-publishers.ts';

const thresholds: AlertThresholds = {
  failureThreshold: 3,
  blockedThreshold: 1,
  stalenessMultiplier: 3,
  staleGraceMinutes: 10,
  reminderInitialMinutes: 60,
  reminderMaxMinutes: 1440,
};

class MemoryAlerts implements AlertStatePort {
  readonly items = new Map<SourceName, AlertState>();
  failPut = false;
  async list(sources: readonly SourceName[]) {
    return new Map([...this.items].filter(([s]) => sources.includes(s)));
  }
  async put(state: AlertState) {
    if (this.failPut) throw new Error('DynamoDB unavailable');
    this.items.set(state.source, structuredClone(state));
  }
}

class MemoryPublisher implements OpsPublisher {
  readonly messages: OpsMessage[] = [];
  fail = false;
  async publish(message: OpsMessage) {
    if (this.fail) throw new Error('SNS throttled');
    this.messages.push(message);
  }
}

describe('runOpsCheck', () => {
  const clock = new ManualClock('2026-03-03T19:00:00Z');
  let states: Map<SourceName, SourceState>;
  let alerts: MemoryAlerts;
  let publisher: MemoryPublisher;
  let pending: Change[];
  let deps: OpsCheckDeps;

  beforeEach(() => {
    clock.set('2026-03-03T19:00:00Z');
    states = new Map([
      [
        'entity-list',
        {
          source: 'entity-list',
          lastSuccessAt: '2026-03-03T15:40:00Z',
          lastAttemptAt: '2026-03-03T18:40:00Z',
          consecutiveFailures: 3,
          lastError: { kind: 'network', message: '500', at: '2026-03-03T18:40:00Z' },
        },
      ],
      [
        'federal-register',
        {
          source: 'federal-register',
          lastSuccessAt: '2026-03-03T18:45:00Z',
          lastAttemptAt: '2026-03-03T18:45:00Z',
          consecutiveFailures: 0,
        },
      ],
    ]);
    alerts = new MemoryAlerts();
    publisher = new MemoryPublisher();
    pending = [];
    deps = {
      sources: ['entity-list', 'federal-register'],
      state: { get: async (s) => states.get(s) },
      alerts,
      publisher,
      changes: { pendingNotification: async (limit) => pending.slice(0, limit) },
      clock,
      thresholds,
      origin: 'test',
    };
  });

  it('publishes the alert, then stores the incident; stores first sight of healthy sources silently', async () => {
    const outcome = await runOpsCheck(deps);
    expect(publisher.messages.map((m) => m.subject)).toEqual(['[export-watch ops] ALERT: entity-list is failing']);
    expect(outcome.sent.map((n) => [n.type, n.source])).toEqual([['alert', 'entity-list']]);
    expect(alerts.items.get('entity-list')?.incident).toMatchObject({ openedAt: '2026-03-03T19:00:00.000Z', remindersSent: 0 });
    expect(alerts.items.get('federal-register')).toEqual({ source: 'federal-register', watchedSince: '2026-03-03T19:00:00.000Z' });
    expect(outcome.health.map((h) => h.verdict)).toEqual(['failing', 'ok']);
    expect(outcome.failures).toEqual([]);
  });

  it('does not advance the alert state when publishing fails, so the next check sends it', async () => {
    publisher.fail = true;
    const first = await runOpsCheck(deps);
    expect(first.failures).toEqual([{ source: 'entity-list', error: 'SNS throttled' }]);
    expect(alerts.items.get('entity-list')).toBeUndefined();
    expect(first.sent).toEqual([]);
    publisher.fail = false;
    clock.advance(15 * 60_000);
    const second = await runOpsCheck(deps);
    expect(second.sent.map((n) => n.type)).toEqual(['alert']);
    expect(publisher.messages).toHaveLength(1);
  });

  it('a store failure after a publish is reported (the message may repeat next time: a duplicate beats silence)', async () => {
    alerts.failPut = true;
    const outcome = await runOpsCheck(deps);
    expect(publisher.messages).toHaveLength(1);
    expect(outcome.failures.map((f) => f.source)).toEqual(['entity-list', 'federal-register']);
  });

  it('sends nothing more until the reminder is due', async () => {
    deps.sources = ['entity-list'];
    await runOpsCheck(deps);
    clock.advance(45 * 60_000);
    expect((await runOpsCheck(deps)).sent).toEqual([]);
    clock.advance(15 * 60_000);
    expect((await runOpsCheck(deps)).sent.map((n) => n.type)).toEqual(['reminder']);
  });

  it('measures the notifier backlog: age of the oldest pending change, 0 when none', async () => {
    expect((await runOpsCheck(deps)).outboxOldestAgeSeconds).toBe(0);
    pending = [{ detectedAt: '2026-03-03T18:20:00.000Z' } as Change];
    expect((await runOpsCheck(deps)).outboxOldestAgeSeconds).toBe(40 * 60);
    deps.changes = { pendingNotification: async () => Promise.reject(new Error('index missing')) };
    const broken = await runOpsCheck(deps);
    expect(broken.outboxOldestAgeSeconds).toBeUndefined();
    expect(broken.failures).toContainEqual({ source: 'outbox', error: 'index missing' });
  });

  it('alerts ops itself on a notifier backlog (issue 16: no custom metric or alarm in lean): once, reminders with back-off, one recovery', async () => {
    let backlog: BacklogAlertState | undefined;
    const store = Object.assign(alerts, {
      backlogAlert: async () => backlog,
      putBacklogAlert: async (s: BacklogAlertState) => {
        backlog = structuredClone(s);
      },
    });
    deps = { ...deps, alerts: store, thresholds: { ...thresholds, outboxMaxAgeMinutes: 30 } };
    const backlogSent = async () =>
      (await runOpsCheck(deps)).sent.filter((n) => n.type === 'backlog').map((n) => (n as BacklogNotification).phase);
    pending = [{ detectedAt: '2026-03-03T18:40:00.000Z' } as Change]; // 20 min: within the limit
    expect(await backlogSent()).toEqual([]);
    pending = [{ detectedAt: '2026-03-03T18:20:00.000Z' } as Change]; // 40 min
    expect(await backlogSent()).toEqual(['alert']);
    expect(publisher.messages.at(-1)!.subject).toBe('[export-watch ops] ALERT: notifier backlog, oldest change waiting 40 min');
    expect(publisher.messages.at(-1)!.text).toContain('docs/operations.md#notifier-backlog');
    expect(backlog?.incident?.openedAt).toBe('2026-03-03T19:00:00.000Z');
    clock.advance(15 * 60_000);
    expect(await backlogSent()).toEqual([]);
    clock.advance(45 * 60_000);
    expect(await backlogSent()).toEqual(['reminder']);
    pending = [];
    clock.advance(15 * 60_000);
    expect(await backlogSent()).toEqual(['recovery']);
    expect(publisher.messages.at(-1)!.subject).toBe('[export-watch ops] RECOVERED: notifier backlog cleared');
    expect(backlog).toEqual({ lastRecoveryAt: '2026-03-03T20:15:00.000Z' });
    expect(await backlogSent()).toEqual([]);
  });

  it('a backlog alert that cannot be published is not recorded, so the next check sends it', async () => {
    let backlog: BacklogAlertState | undefined;
    deps = {
      ...deps,
      alerts: Object.assign(alerts, {
        backlogAlert: async () => backlog,
        putBacklogAlert: async (s: BacklogAlertState) => {
          backlog = s;
        },
      }),
      thresholds: { ...thresholds, outboxMaxAgeMinutes: 30 },
    };
    pending = [{ detectedAt: '2026-03-03T18:00:00.000Z' } as Change];
    publisher.fail = true;
    const failed = await runOpsCheck(deps);
    expect(failed.failures.some((f) => f.source === 'outbox')).toBe(true);
    expect(backlog).toBeUndefined();
    publisher.fail = false;
    expect((await runOpsCheck(deps)).sent.some((n) => n.type === 'backlog')).toBe(true);
  });
});

describe('SnsOpsPublisher (OpsAlerts topic)', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => sns.reset());
  const topicArn = 'arn:aws:sns:us-east-1:123456789012:ExportWatch-OpsAlerts';

  it('publishes subject and text with type and source attributes to the topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const publisher = new SnsOpsPublisher(new SNSClient({ region: 'us-east-1' }), topicArn);
    await publisher.publish(
      { subject: '[export-watch ops] ALERT: entity-list is failing', text: 'body' },
      { type: 'alert', source: 'entity-list', health: {} as never, openedAt: 'x' },
    );
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: topicArn,
      Subject: '[export-watch ops] ALERT: entity-list is failing',
      Message: 'body',
      MessageAttributes: { type: { DataType: 'String', StringValue: 'alert' }, source: { DataType: 'String', StringValue: 'entity-list' } },
    });
  });

  it('propagates a failed publish (the use case then keeps the alert pending)', async () => {
    sns.on(PublishCommand).rejects(new Error('AuthorizationError: not authorized to perform kms:GenerateDataKey'));
    const publisher = new SnsOpsPublisher(new SNSClient({ region: 'us-east-1' }), topicArn);
    await expect(
      publisher.publish({ subject: 's', text: 't' }, { type: 'alert', source: 'entity-list', health: {} as never, openedAt: 'x' }),
    ).rejects.toThrow(/kms:GenerateDataKey/);
  });
});

describe('DynamoAlertStore', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  beforeEach(() => ddb.reset());
  const store = () => new DynamoAlertStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 'state');

  it('keeps alert state beside the source state: SOURCE#<name> × ALERT, read consistently', async () => {
    ddb.on(GetCommand, { Key: { pk: 'SOURCE#entity-list', sk: 'ALERT' } }).resolves({
      Item: { pk: 'SOURCE#entity-list', sk: 'ALERT', source: 'entity-list', watchedSince: '2026-03-01T00:00:00Z' },
    });
    ddb.on(GetCommand, { Key: { pk: 'SOURCE#sec-filings', sk: 'ALERT' } }).resolves({});
    const list = await store().list(['entity-list', 'sec-filings']);
    expect([...list.values()]).toEqual([{ source: 'entity-list', watchedSince: '2026-03-01T00:00:00Z' }]);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: 'state', ConsistentRead: true });

    ddb.on(PutCommand).resolves({});
    const incident = { openedAt: 'a', verdict: 'failing' as const, reason: 'r', lastAlertAt: 'a', remindersSent: 0 };
    await store().put({ source: 'entity-list', watchedSince: 'w', incident });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: 'state',
      Item: { pk: 'SOURCE#entity-list', sk: 'ALERT', source: 'entity-list', watchedSince: 'w', incident },
    });
  });
});

describe('parseOpsSources (OPS_SOURCES from the stack)', () => {
  it('parses the list and rejects an unknown source', () => {
    expect(parseOpsSources('sec-filings, entity-list')).toEqual(['sec-filings', 'entity-list']);
    expect(parseOpsSources(undefined)).toEqual([]);
    expect(() => parseOpsSources('sec-filings,nope')).toThrow(/unknown source "nope"/);
  });
});
