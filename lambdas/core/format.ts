/**
 * Number formatting shared by every surface that shows a revenue share or amount: the alert
 * email (HTML, text and subject line), the analyst report and chart, and `export-watch
 * revenue`. One function per style, so the same breakdown never prints as 43.4% in one
 * place and 43.3% in another. Pure, no I/O.
 */

/**
 * A share to print: the region's value and the base it is a fraction of (the total, or the
 * sum of the regions), and/or a stored fraction. Value and base win when both are known:
 * series stored before shares were kept exact hold them rounded to 4 places, and rounding
 * 0.4335 (from 13,022 / 30,040 = 0.43349) again gives 43.4% instead of 43.3%.
 */
export interface ShareParts {
  value?: number | null | undefined;
  base?: number | null | undefined;
  /** The fraction (0..1) when value or base is unknown. */
  share?: number | null | undefined;
}

const finite = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

/**
 * The share in tenths of a percent, rounded once (half up): from `value` and `base` in one
 * division when both are known (`value × 1000 / base` is correctly rounded, so an exact
 * half such as 435 / 10,000 is not pushed below .5 by an intermediate fraction), else from
 * the stored fraction. Undefined when neither is known or the base is 0.
 */
export function shareTenths(parts: ShareParts | number | null | undefined): number | undefined {
  if (parts === null || parts === undefined) return undefined;
  if (typeof parts === 'number') return finite(parts) ? roundHalfUp(parts * 1000) : undefined;
  const { value, base, share } = parts;
  if (finite(value) && finite(base)) return base === 0 ? undefined : roundHalfUp((value * 1000) / base);
  return finite(share) ? roundHalfUp(share * 1000) : undefined;
}

/** Nearest integer, halves away from zero (so −0.25 pp and +0.25 pp print as mirror images). */
function roundHalfUp(n: number): number {
  return (n < 0 ? -Math.round(-n) : Math.round(n)) || 0;
}

/**
 * A share as a percentage with one decimal, `43.3%`; `—` when unknown. Pass value and base
 * where both are known (see {@link ShareParts}); a bare number is a fraction 0..1.
 */
export function formatShare(parts: ShareParts | number | null | undefined): string {
  const tenths = shareTenths(parts);
  if (tenths === undefined) return '—';
  return `${(tenths / 10).toFixed(1)}%`;
}

/**
 * A move rounded once to one decimal (percentage points, or percent): the exact difference
 * of exact shares goes in, and the sign follows the rounded number, so +0.04 pp is `±0.0`,
 * never `+0.0` with an up arrow.
 */
export function roundTenth(value: number): number {
  return roundHalfUp(value * 10) / 10;
}

/** Signed with one decimal, rounded once: `+3.0`, `−1.2` (`minus` is U+2212 by default), `±0.0`. */
export function formatSigned(value: number, minus = '−'): string {
  const r = roundTenth(value);
  return `${r > 0 ? '+' : r < 0 ? minus : '±'}${Math.abs(r).toFixed(1)}`;
}

/** Billions and millions with one decimal (`$46.7B`, `$743.0M`); undefined below a million. */
function scaledDollars(abs: number): string | undefined {
  if (abs >= 1e9) return `$${(abs / 1e9).toFixed(1)}B`;
  if (abs >= 1e6) return `$${(abs / 1e6).toFixed(1)}M`;
  return undefined;
}

/**
 * An amount in dollars: `$46.7B`, `$743.0M`, below a million in full (`$12,345`), with an
 * ASCII `-` for a negative amount. The change summaries and the report's chart use it.
 */
export function formatMoney(value: number): string {
  const abs = Math.abs(value);
  return `${value < 0 ? '-' : ''}${scaledDollars(abs) ?? `$${abs.toLocaleString('en-US')}`}`;
}

/**
 * An amount for the email's tables: `$10.0B`, `$512.3M`, `$4.2K`, `$950`, with U+2212 for a
 * negative amount (`−$1.2B`); `—` when unknown.
 */
export function formatMoneyShort(value: number | undefined | null): string {
  if (value === undefined || value === null) return '—';
  const abs = Math.abs(value);
  const sign = value < 0 ? '−' : '';
  const scaled = scaledDollars(abs);
  if (scaled) return `${sign}${scaled}`;
  if (abs >= 1e3) return `${sign}$${(abs / 1e3).toFixed(1)}K`;
  return `${sign}$${abs.toFixed(0)}`;
}

/**
 * An amount in millions of dollars, en-US grouping, no unit (`46,743`, `743.5`): whole
 * millions without decimals, else up to `maxFractionDigits` (the report 1, the CLI 3).
 */
export function formatMillions(value: number, maxFractionDigits: number): string {
  return (value / 1e6).toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) % 1e6 === 0 ? 0 : maxFractionDigits });
}
