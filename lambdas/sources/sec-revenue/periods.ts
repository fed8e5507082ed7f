import { addDays } from '#core/time.ts';

/**
 * Reporting periods of revenue facts: what kind a duration is, fiscal labels, and the
 * derived fourth quarter (10-Ks report the year, never Q4 on its own). Pure; no AWS.
 */

/** The kinds of duration a revenue breakdown can cover. */
export type PeriodKind = 'quarter' | 'half' | 'nine-months' | 'annual' | 'other';

const DAY_MS = 86_400_000;

/** Whole days from `start` to `end` (`YYYY-MM-DD`), i.e. `end − start` (a 13-week quarter is 90 or 91). */
export function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS);
}

/**
 * Classify a duration by `end − start` days. The ranges allow for 52/53-week fiscal years
 * (NVIDIA FY2021 and Apple FY2023 run 370 days; a 14-week quarter 97) and calendar months.
 */
export function classifyPeriod(start: string, end: string): { days: number; kind: PeriodKind } {
  const days = daysBetween(start, end);
  let kind: PeriodKind = 'other';
  if (days >= 84 && days <= 98) kind = 'quarter';
  else if (days >= 175 && days <= 190) kind = 'half';
  else if (days >= 265 && days <= 280) kind = 'nine-months';
  else if (days >= 357 && days <= 371) kind = 'annual';
  return { days, kind };
}

/** The least a derivable breakdown needs: a period, member values and an optional total. */
export interface PeriodValues {
  start: string;
  end: string;
  periodKind: PeriodKind;
  total: number | null;
  regions: Array<{ member: string; value: number; decimals?: number | undefined }>;
}

/** A fourth quarter computed as annual − nine-month year-to-date. */
export interface DerivedQuarter {
  start: string;
  end: string;
  days: number;
  periodKind: 'quarter';
  total: number | null;
  regions: Array<{ member: string; value: number; decimals?: number | undefined }>;
  derived: true;
}

/**
 * Q4 = annual − nine months, when both start on the same day, the year ends later, and
 * both report exactly the same members (a renamed or split member would make the
 * difference meaningless). Undefined otherwise.
 */
export function deriveFourthQuarter(annual: PeriodValues, nineMonths: PeriodValues): DerivedQuarter | undefined {
  if (annual.periodKind !== 'annual' || nineMonths.periodKind !== 'nine-months') return undefined;
  if (annual.start !== nineMonths.start || nineMonths.end >= annual.end) return undefined;
  const nine = new Map(nineMonths.regions.map((r) => [r.member, r]));
  if (nine.size !== annual.regions.length || !annual.regions.every((r) => nine.has(r.member))) return undefined;
  const start = addDays(nineMonths.end, 1);
  const { days, kind } = classifyPeriod(start, annual.end);
  // From the day after the YTD ends to year end: must itself look like a quarter.
  if (kind !== 'quarter') return undefined;
  return {
    start,
    end: annual.end,
    days,
    periodKind: 'quarter',
    total: annual.total !== null && nineMonths.total !== null ? annual.total - nineMonths.total : null,
    regions: annual.regions.map((r) => {
      const n = nine.get(r.member) as { value: number; decimals?: number | undefined };
      const decimals = r.decimals === undefined || n.decimals === undefined ? undefined : Math.min(r.decimals, n.decimals);
      return { member: r.member, value: r.value - n.value, decimals };
    }),
    derived: true,
  };
}

/** DEI facts that name the document's own fiscal period. */
export interface FiscalFocus {
  /** `DocumentFiscalYearFocus`, e.g. "2026". */
  fiscalYear?: string | undefined;
  /** `DocumentFiscalPeriodFocus`: Q1, Q2, Q3 or FY. */
  fiscalPeriod?: string | undefined;
  /** End of the document's reporting period (`YYYY-MM-DD`). */
  periodEnd?: string | undefined;
}

const KIND_WORDS: Record<PeriodKind, string> = {
  quarter: 'quarter',
  half: 'six months',
  'nine-months': 'nine months',
  annual: 'year',
  other: 'period',
};

/**
 * A reader's label for a period: "Q2 FY2026", "H1 FY2026", "9M FY2026", "FY2023", "Q4 FY2025"
 * when the DEI fiscal focus allows it (comparatives count whole years back from the
 * document's period end), else "quarter to 2025-07-27".
 */
export function fiscalLabel(period: { end: string; periodKind: PeriodKind }, focus: FiscalFocus = {}): string {
  const fallback = `${KIND_WORDS[period.periodKind]} to ${period.end}`;
  const fy = Number.parseInt(focus.fiscalYear ?? '', 10);
  const fp = (focus.fiscalPeriod ?? '').toUpperCase();
  if (!focus.periodEnd || Number.isNaN(fy) || !/^(Q[1-4]|FY|H[12])$/.test(fp)) return fallback;
  const back = daysBetween(period.end, focus.periodEnd);
  const years = Math.round(back / 365.25);
  // Comparatives end whole (52/53-week) years earlier: within two weeks per year counted.
  if (years < 0 || Math.abs(back - years * 365.25) > 14) return fallback;
  const year = fy - years;
  switch (period.periodKind) {
    case 'annual':
      return fp === 'FY' ? `FY${year}` : fallback;
    case 'quarter':
      if (/^Q[1-4]$/.test(fp)) return `${fp} FY${year}`;
      return fp === 'FY' ? `Q4 FY${year}` : fallback;
    case 'half':
      return fp === 'Q2' || fp === 'H1' ? `H1 FY${year}` : fallback;
    case 'nine-months':
      return fp === 'Q3' ? `9M FY${year}` : fallback;
    default:
      return fallback;
  }
}
