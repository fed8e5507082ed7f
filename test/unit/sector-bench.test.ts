import { describe, expect, it } from 'vitest';
import { earningsWeek, recordedTimesOfDay } from '#bench/sector.ts';

describe('sector bench: the replayed earnings week (bench/sector.ts)', () => {
  const companies = Array.from({ length: 150 }, (_, i) => String(8_100_001 + i));
  const week = earningsWeek(companies);

  it('every company files a results 8-K and, 10 minutes later, its 10-Q, once', () => {
    expect(week).toHaveLength(300);
    for (const cik of companies) {
      const own = week.filter((f) => f.cik === cik);
      expect(own.map((f) => f.form).sort()).toEqual(['10-Q', '8-K']);
      expect(own.find((f) => f.form === '10-Q')!.at - own.find((f) => f.form === '8-K')!.at).toBe(10 * 60_000);
    }
    expect(new Set(week.map((f) => f.accession)).size).toBe(300);
  });

  it('at recorded times of day, Monday to Friday, inside filing hours (06:00-22:00 ET)', () => {
    const times = recordedTimesOfDay();
    expect(times.length).toBeGreaterThan(0);
    for (const t of times) expect(t).toBeGreaterThanOrEqual(0);
    const days = new Set<number>();
    for (const f of week) {
      const et = new Date(f.at - 5 * 3600_000);
      days.add(et.getUTCDay());
      const hour = et.getUTCHours() + et.getUTCMinutes() / 60;
      expect(hour).toBeGreaterThanOrEqual(6);
      expect(hour).toBeLessThan(22);
    }
    expect([...days].sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('sector bench: the full-text runs of the week', () => {
  it('are the deployed schedule: every 10 minutes at :05, 06:05-23:55 ET, Monday to Friday (540)', async () => {
    const { fullTextRunTimes } = await import('#bench/sector.ts');
    const runs = fullTextRunTimes();
    expect(runs).toHaveLength(5 * 18 * 6);
    const et = (ms: number) => new Date(ms - 5 * 3600_000).toISOString().slice(0, 16);
    expect(et(runs[0] as number)).toBe('2026-01-12T06:05');
    expect(et(runs.at(-1) as number)).toBe('2026-01-16T23:55');
    for (const r of runs) expect(new Date(r).getUTCMinutes() % 10).toBe(5);
  });
});
