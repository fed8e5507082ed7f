import { describe, expect, it } from 'vitest';
import { addDays } from '#core/time.ts';
import { classifyPeriod, deriveFourthQuarter, fiscalLabel } from '#sources/sec-revenue/periods.ts';

describe('classifyPeriod', () => {
  it.each([
    ['2025-04-28', '2025-07-27', 90, 'quarter'],
    ['2024-10-28', '2025-01-26', 90, 'quarter'],
    ['2024-01-01', '2024-06-30', 181, 'half'],
    ['2023-01-01', '2023-06-30', 180, 'half'],
    ['2024-01-29', '2024-10-27', 272, 'nine-months'],
    ['2024-01-29', '2025-01-26', 363, 'annual'],
    ['2020-01-27', '2021-01-31', 370, 'annual'], // NVIDIA FY2021: 53 weeks
    ['2022-09-25', '2023-09-30', 370, 'annual'], // Apple FY2023: 53 weeks
    ['2024-01-01', '2024-01-31', 30, 'other'],
  ])('%s..%s is %i days, %s', (start, end, days, kind) => {
    expect(classifyPeriod(start, end)).toEqual({ days, kind });
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2024-10-27', 1)).toBe('2024-10-28');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
  });
});

describe('deriveFourthQuarter', () => {
  const annual = {
    start: '2024-01-29',
    end: '2025-01-26',
    periodKind: 'annual' as const,
    total: 130,
    regions: [
      { member: 'a', value: 100, decimals: -6 },
      { member: 'b', value: 30, decimals: -6 },
    ],
  };
  const nine = {
    start: '2024-01-29',
    end: '2024-10-27',
    periodKind: 'nine-months' as const,
    total: 90,
    regions: [
      { member: 'a', value: 70, decimals: -6 },
      { member: 'b', value: 20, decimals: -6 },
    ],
  };

  it('subtracts the nine months from the year, member by member', () => {
    expect(deriveFourthQuarter(annual, nine)).toEqual({
      start: '2024-10-28',
      end: '2025-01-26',
      days: 90,
      periodKind: 'quarter',
      total: 40,
      regions: [
        { member: 'a', value: 30, decimals: -6 },
        { member: 'b', value: 10, decimals: -6 },
      ],
      derived: true,
    });
  });

  it('refuses different member sets, start dates or kinds', () => {
    expect(
      deriveFourthQuarter(annual, {
        ...nine,
        regions: [
          { member: 'a', value: 70 },
          { member: 'c', value: 20 },
        ],
      }),
    ).toBeUndefined();
    expect(deriveFourthQuarter(annual, { ...nine, start: '2024-01-30' })).toBeUndefined();
    expect(deriveFourthQuarter(annual, { ...nine, periodKind: 'half', end: '2024-07-28' })).toBeUndefined();
  });
});

describe('fiscalLabel', () => {
  const q2fy26 = { fiscalYear: '2026', fiscalPeriod: 'Q2', periodEnd: '2025-07-27' };
  it('labels the document period and its comparatives from the DEI focus', () => {
    expect(fiscalLabel({ end: '2025-07-27', periodKind: 'quarter' }, q2fy26)).toBe('Q2 FY2026');
    expect(fiscalLabel({ end: '2024-07-28', periodKind: 'quarter' }, q2fy26)).toBe('Q2 FY2025');
    expect(fiscalLabel({ end: '2025-07-27', periodKind: 'half' }, q2fy26)).toBe('H1 FY2026');
    const fy23 = { fiscalYear: '2023', fiscalPeriod: 'FY', periodEnd: '2023-01-29' };
    expect(fiscalLabel({ end: '2023-01-29', periodKind: 'annual' }, fy23)).toBe('FY2023');
    expect(fiscalLabel({ end: '2021-01-31', periodKind: 'annual' }, fy23)).toBe('FY2021');
    expect(fiscalLabel({ end: '2023-01-29', periodKind: 'quarter' }, fy23)).toBe('Q4 FY2023');
    expect(
      fiscalLabel({ end: '2024-10-27', periodKind: 'nine-months' }, { fiscalYear: '2025', fiscalPeriod: 'Q3', periodEnd: '2024-10-27' }),
    ).toBe('9M FY2025');
  });

  it('falls back to the period end without DEI focus or off the yearly grid', () => {
    expect(fiscalLabel({ end: '2025-07-27', periodKind: 'quarter' })).toBe('quarter to 2025-07-27');
    expect(fiscalLabel({ end: '2025-04-27', periodKind: 'quarter' }, q2fy26)).toBe('quarter to 2025-04-27');
    expect(fiscalLabel({ end: '2025-01-26', periodKind: 'annual' }, q2fy26)).toBe('year to 2025-01-26');
  });
});
