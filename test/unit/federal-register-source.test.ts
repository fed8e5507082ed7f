import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '#core/clock.ts';
import { type AppConfig, parseConfigFile } from '#core/config.ts';
import type { UpstreamClient } from '#core/http.ts';
import type { SourceContext } from '#core/source.ts';
import { createUpstreamClient } from '#app/compose.ts';
import { type FederalRegisterCursor, federalRegisterSource, LOOKBACK_DAYS, windowStartFor } from '#sources/federal-register/source.ts';
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
    expect(result.changes.map((c) => c.kind).sort()).toEqual([
      'fr.document',
      'fr.document',
      'fr.document',
      'fr.document',
      'fr.public-inspection',
    ]);
    expect(result.itemWrites?.map((w) => w.key).sort()).toEqual([
      'doc#2026-19205',
      'doc#2026-19610',
      'doc#2026-19874',
      'doc#2026-20301',
      'doc#2026-20415',
    ]);
    expect(result.cursor).toEqual({
      v: 1,
      lastSuccessAt: '2026-10-02T13:00:00.000Z',
      windowStart: '2026-09-02',
      documentsCount: 4,
      publicInspection: {
        regularUpdatedAt: '2026-10-02T08:45:00.000-04:00',
        specialUpdatedAt: '2026-10-02T11:15:00.000-04:00',
        bisCount: 1,
      },
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
      publicInspection: {
        regularUpdatedAt: '2026-10-02T08:45:00.000-04:00',
        specialUpdatedAt: '2026-10-02T11:15:00.000-04:00',
        bisCount: 1,
      },
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

  it('counts federalRegister.lookbackDays back from the last success (Eastern date)', async () => {
    registerFederalRegisterDemo(fake, 'quiet', { today: '2026-10-02' });
    const previous: FederalRegisterCursor = {
      v: 1,
      lastSuccessAt: '2026-10-02T03:00:00.000Z', // 2026-10-01 23:00 ET
      windowStart: '2026-09-02',
      documentsCount: 3,
      publicInspection: { regularUpdatedAt: null, specialUpdatedAt: null, bisCount: 0 },
    };
    const withLookback = (lookbackDays: number) => ({ ...ctx(previous), config: { ...config, federalRegister: { lookbackDays } } });
    expect((await federalRegisterSource.poll(withLookback(7))).cursor.windowStart).toBe('2026-09-24');
    expect((await federalRegisterSource.poll(ctx(previous))).cursor.windowStart).toBe('2026-09-17'); // default 14
    expect(LOOKBACK_DAYS).toBe(14);
    expect(windowStartFor(previous, clock.now(), 1)).toBe('2026-09-30');
  });
});

describe('federalRegister config section', () => {
  const file = (federalRegister: unknown) => ({ watchlist: ['NVDA'], federalRegister });

  it('is optional and takes a whole number of days from 1 to 30', () => {
    expect(parseConfigFile({ watchlist: ['NVDA'] }).federalRegister).toBeUndefined();
    expect(parseConfigFile(file({})).federalRegister).toEqual({});
    expect(parseConfigFile(file({ lookbackDays: 7 })).federalRegister).toEqual({ lookbackDays: 7 });
    for (const bad of [0, 31, 2.5, '7'])
      expect(() => parseConfigFile(file({ lookbackDays: bad }))).toThrow(/federalRegister\.lookbackDays/);
    expect(() => parseConfigFile(file({ lookback: 7 }))).toThrow(/federalRegister/);
  });
});
