import { describe, expect, it } from 'vitest';
import type { Subscriber } from '#core/subscriber.ts';
import { digestDue } from '#notify/notifier.ts';
import { latestDigestSlot, newYorkDateLabel, newYorkInstant, newYorkTimeLabel } from '#core/time.ts';

const iso = (d: Date) => d.toISOString();

describe('digest slots (America/New_York)', () => {
  it("finds today's hour once it has passed, else yesterday's", () => {
    // 2026-03-02 is EST (UTC−5).
    expect(iso(latestDigestSlot(new Date('2026-03-02T12:00:00Z'), 7))).toBe('2026-03-02T12:00:00.000Z');
    expect(iso(latestDigestSlot(new Date('2026-03-02T11:59:59Z'), 7))).toBe('2026-03-01T12:00:00.000Z');
    expect(iso(latestDigestSlot(new Date('2026-03-02T04:30:00Z'), 23))).toBe('2026-03-02T04:00:00.000Z'); // 23:00 ET on Mar 1
    // Summer: EDT (UTC−4).
    expect(iso(latestDigestSlot(new Date('2026-07-15T11:05:00Z'), 7))).toBe('2026-07-15T11:00:00.000Z');
    // Month and year boundaries.
    expect(iso(latestDigestSlot(new Date('2026-01-01T06:00:00Z'), 7))).toBe('2025-12-31T12:00:00.000Z');
  });

  it('handles both DST changes', () => {
    // 2026-03-08: clocks go 02:00 EST → 03:00 EDT. 07:00 is EDT.
    expect(iso(newYorkInstant(2026, 3, 8, 7))).toBe('2026-03-08T11:00:00.000Z');
    expect(iso(newYorkInstant(2026, 3, 7, 7))).toBe('2026-03-07T12:00:00.000Z');
    // 02:00 does not exist that day: the 2 a.m. digest is at 03:00 EDT = 07:00Z.
    expect(iso(newYorkInstant(2026, 3, 8, 2))).toBe('2026-03-08T07:00:00.000Z');
    // 2026-11-01: clocks go 02:00 EDT → 01:00 EST.
    expect(iso(newYorkInstant(2026, 11, 1, 7))).toBe('2026-11-01T12:00:00.000Z');
    expect(iso(newYorkInstant(2026, 10, 31, 7))).toBe('2026-10-31T11:00:00.000Z');
  });

  it('labels dates and times in New York', () => {
    expect(newYorkDateLabel(new Date('2026-03-02T12:00:00Z'))).toBe('Mon 2 Mar 2026');
    expect(newYorkTimeLabel(new Date('2026-03-02T12:00:00Z'))).toBe('2026-03-02 07:00 ET');
  });
});

describe('digestDue', () => {
  const base: Subscriber = {
    email: 'd@example.com',
    mode: 'daily',
    digestHour: 7,
    filters: {},
    status: 'active',
    createdAt: '2026-03-01T15:00:00.000Z',
  };

  it('is due once the digest hour has passed since the last digest (or subscription)', () => {
    expect(digestDue(base, new Date('2026-03-02T11:59:00Z'))).toBeUndefined();
    expect(digestDue(base, new Date('2026-03-02T12:00:00Z'))).toBe('2026-03-01T15:00:00.000Z');
    expect(digestDue({ ...base, confirmedAt: '2026-03-01T16:00:00.000Z' }, new Date('2026-03-02T12:03:00Z'))).toBe(
      '2026-03-01T16:00:00.000Z',
    );
    expect(digestDue({ ...base, lastDigestAt: '2026-03-02T12:00:00.000Z' }, new Date('2026-03-02T12:05:00Z'))).toBeUndefined();
    expect(digestDue({ ...base, lastDigestAt: '2026-03-02T12:00:00.000Z' }, new Date('2026-03-03T12:00:00Z'))).toBe(
      '2026-03-02T12:00:00.000Z',
    );
    // A missed hour (notifier down) is caught up late rather than skipped.
    expect(digestDue({ ...base, lastDigestAt: '2026-03-01T12:00:00.000Z' }, new Date('2026-03-02T18:00:00Z'))).toBe(
      '2026-03-01T12:00:00.000Z',
    );
  });
});
