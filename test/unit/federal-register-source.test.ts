import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../lambdas/core/clock.ts';
import type { AppConfig } from '../../lambdas/core/config.ts';
import type { UpstreamClient } from '../../lambdas/core/http.ts';
import type { SourceContext } from '../../lambdas/core/source.ts';
import { createUpstreamClient } from '../../lambdas/runtime/deps.ts';
import { type FederalRegisterCursor, federalRegisterSource } from '../../lambdas/sources/federal-register/source.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { testConfig } from '../support/local-aws.ts';
import { federalRegisterDemoData, registerFederalRegisterDemo, servePublicInspection } from '../support/upstreams/federal-register.ts';

/** `poll` with an in-memory item store, without the runner or DynamoDB. */
describe('federalRegisterSource.poll', () => {
  const fake = new FakeUpstream();
  let config: AppConfig;
  let http: UpstreamClient;
  const clock = new ManualClock('2026-10-02T13:00:00Z');
  const logs: string[] = [];

  const ctx = (cursor: unknown, items: Map<string, Record<string, unknown>> = new Map()): SourceContext<FederalRegisterCursor> => ({
    config,
    http,
    clock,
    cursor: cursor as FederalRegisterCursor | undefined,
    readItem: async (key) => items.get(key),
    readItems: async (prefix) => [...items].filter(([k]) => k.startsWith(prefix)).map(([key, value]) => ({ key, value })),
    queryChanges: () => {
      throw new Error('the federal-register source does not read the change log');
    },
    log: (message) => void logs.push(message),
  });

  beforeAll(async () => {
    await fake.start();
    config = testConfig(fake.env());
    http = createUpstreamClient(config, { otherRequestsPerSecond: 1000, secRequestsPerSecond: 1000, backoffBaseMs: 1 });
  });
  afterAll(() => fake.stop());

  it('returns drafts, item writes and a cursor carrying the newest list times', async () => {
    registerFederalRegisterDemo(fake, 'news', { today: '2026-10-02' });
    const result = await federalRegisterSource.poll(ctx(undefined));
    expect(result.itemsSeen).toBe(5); // four documents, one BIS PI entry
    expect(result.changes.map((c) => c.kind).sort()).toEqual(['fr.document', 'fr.document', 'fr.document', 'fr.document', 'fr.public-inspection']);
    expect(result.itemWrites?.map((w) => w.key).sort()).toEqual(['doc#2026-19205', 'doc#2026-19610', 'doc#2026-19874', 'doc#2026-20301', 'doc#2026-20415']);
    expect(result.cursor).toEqual({
      v: 1,
      lastSuccessAt: '2026-10-02T13:00:00.000Z',
      windowStart: '2026-09-02',
      documentsCount: 4,
      publicInspection: { regularUpdatedAt: '2026-10-02T08:45:00.000-04:00', specialUpdatedAt: '2026-10-02T11:15:00.000-04:00', bisCount: 1 },
    });
  });

  it('still processes a stale cached list, logs it and keeps the newer times', async () => {
    registerFederalRegisterDemo(fake, 'news', { today: '2026-10-02' });
    servePublicInspection(fake, federalRegisterDemoData('quiet', { today: '2026-10-02' }).publicInspection);
    logs.length = 0;
    const previous: FederalRegisterCursor = {
      v: 1,
      lastSuccessAt: '2026-10-02T12:45:00.000Z',
      windowStart: '2026-09-02',
      documentsCount: 4,
      publicInspection: { regularUpdatedAt: '2026-10-02T08:45:00.000-04:00', specialUpdatedAt: '2026-10-02T11:15:00.000-04:00', bisCount: 1 },
    };
    const result = await federalRegisterSource.poll(ctx(previous));
    expect(logs.some((l) => /older than the last one seen/.test(l))).toBe(true);
    expect(result.cursor.publicInspection).toEqual({ ...previous.publicInspection, bisCount: 0 });
    expect(result.cursor.windowStart).toBe('2026-09-18');
  });

  it('falls back to the baseline window when the stored cursor is unreadable', async () => {
    registerFederalRegisterDemo(fake, 'quiet', { today: '2026-10-02' });
    logs.length = 0;
    const result = await federalRegisterSource.poll(ctx({ something: 'else' }));
    expect(result.cursor.windowStart).toBe('2026-09-02');
    expect(logs).toContain('federal register cursor unreadable; using the baseline window');
  });
});
