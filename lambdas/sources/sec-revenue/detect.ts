import type { ChangeDraft, Importance } from '#core/change.ts';
import { capDraft } from '#core/limits.ts';
import { formatMoney, formatShare, formatSigned, roundTenth } from '#core/format.ts';
import { type Breakdown, type BreakdownRecord, deriveFourthQuarters, dimensionSignature } from './breakdowns.ts';
import { memberCountries, memberLabel } from './labels.ts';
import { daysBetween, type FiscalFocus, fiscalLabel } from './periods.ts';

/**
 * Compare a filing's geographic revenue breakdowns with what is stored for the company
 * and decide what is worth telling an analyst. Pure: no I/O, no clock, no AWS.
 *
 * - A new quarter or year of the filing's own period is always one change ("new period"),
 *   carrying its moves against the prior-year period (from the same filing when present,
 *   which reflects any recast) and the previous quarter.
 * - A period already stored whose split changed (NVIDIA later split Singapore out of
 *   FY2023's "other") is a `recast` change.
 * - Everything else (comparatives seen for the first time, year-to-date periods, an
 *   identical re-run of the same filing) only updates the stored series.
 */

/** When a move is notable. */
export interface RevenueThresholds {
  /** Share of revenue, in percentage points. */
  sharePp: number;
  /** Value change, in percent. */
  valuePct: number;
}

/** Defaults: a 2 pp share move or a 25% value move. */
export const DEFAULT_THRESHOLDS: RevenueThresholds = { sharePp: 2, valuePct: 25 };

/** A breakdown as stored in the company’s series (items from earlier versions may lack the newer fields). */
export type StoredPeriod = BreakdownRecord & {
  fiscalLabel: string;
  /** Accession of the filing the stored split came from. */
  accession?: string | undefined;
};

/** Everything stored about one company: period key → breakdown. Kept as one state item (`series#<cik>`). */
export interface RevenueSeries {
  cik: string;
  ticker?: string | undefined;
  name?: string | undefined;
  periods: Record<string, StoredPeriod>;
}

/** The filing the breakdowns come from. */
export interface FilingContext {
  /** 10-digit CIK. */
  cik: string;
  /** Ticker (the change subject). */
  ticker: string;
  companyName: string;
  accession: string;
  form: string;
  url?: string | undefined;
  occurredAt?: string | undefined;
  fiscal: FiscalFocus;
}

export interface DetectInput {
  filing: FilingContext;
  breakdowns: Breakdown[];
  series: RevenueSeries | undefined;
  countriesOfInterest: readonly string[];
  thresholds?: Partial<RevenueThresholds> | undefined;
}

export interface DetectResult {
  changes: ChangeDraft[];
  /** The series with this filing's periods merged in (write it back). */
  series: RevenueSeries;
}

/** One region's move against one earlier period. */
export interface RegionMove {
  member: string;
  label: string;
  countries: string[];
  /** Exact fraction of the share base (never rounded: display rounds once, from value and base). */
  share: number | null;
  value: number | null;
  sharePpYoY?: number | null;
  valuePctYoY?: number | null;
  sharePpQoQ?: number | null;
  valuePctQoQ?: number | null;
  sharePpRecast?: number | null;
  valuePctRecast?: number | null;
  notable: boolean;
}

type Basis = 'yoy' | 'qoq' | 'recast';

interface Comparison {
  basis: Basis;
  against: StoredPeriod;
  rows: Map<
    string,
    { member: string; label: string; before: number | null; after: number | null; shareBefore: number | null; shareAfter: number | null }
  >;
  added: string[];
  removed: string[];
}

/** Series key of a breakdown: its period and other dimensions (not the concept: a tag switch continues the series). */
export function periodKey(b: Pick<Breakdown, 'start' | 'end' | 'dimensions'>): string {
  const dims = dimensionSignature(b.dimensions);
  return `${b.start}..${b.end}${dims ? `|${dims}` : ''}`;
}

/** Change natural key: `${cik}:${periodEnd}:${periodKind}:${concept}` plus the other dimensions. */
export function revenueNaturalKey(cik: string, b: Pick<Breakdown, 'end' | 'periodKind' | 'concept' | 'dimensions'>): string {
  const dims = dimensionSignature(b.dimensions);
  return `${cik}:${b.end}:${b.periodKind}:${b.concept}${dims ? `:${dims}` : ''}`;
}

/** Axes that only qualify a segment's figures as "before eliminations" (Boeing, GE): no part of a scope's name. */
const QUALIFIER_AXES = new Set(['srt:ConsolidationItemsAxis', 'us-gaap:ConsolidationItemsAxis']);

/**
 * The other dimensions of a breakdown in words ("Streaming", "Commercial Airplanes"), '' for
 * the plain breakdown. `ConsolidationItemsAxis=OperatingSegmentsMember` beside a segment
 * says nothing a reader needs; alone (GE's corporate eliminations) it is the scope.
 */
export function scopeLabel(b: Pick<Breakdown, 'dimensions' | 'dimensionLabels'>): string {
  const axes = Object.keys(b.dimensions ?? {}).sort();
  const named = axes.filter((axis) => !QUALIFIER_AXES.has(axis));
  return (named.length ? named : axes).map((axis) => b.dimensionLabels?.[axis] ?? memberLabel(b.dimensions[axis] as string)).join(', ');
}

/**
 * What the shares of a breakdown are fractions of, in words for readers: "total revenue";
 * "Streaming revenue" (the Streaming subtotal); "Streaming revenue, as the sum of its regions
 * (no Streaming subtotal reported)"; "the sum of the regions (no total reported)".
 */
export function shareBasisText(b: Pick<Breakdown, 'dimensions' | 'dimensionLabels' | 'total'>): string {
  const scope = scopeLabel(b);
  if (!scope) return b.total !== null ? 'total revenue' : 'the sum of the regions (no total reported)';
  return b.total !== null ? `${scope} revenue` : `${scope} revenue, as the sum of its regions (no ${scope} subtotal reported)`;
}

const HEADLINE_KINDS = new Set(['quarter', 'annual']);
const STORED_KINDS = new Set(['quarter', 'half', 'nine-months', 'annual']);

function shareOf(value: number, p: Pick<Breakdown, 'total' | 'sumOfRegions'>): number {
  const base = p.total ?? p.sumOfRegions;
  return base === 0 ? 0 : value / base;
}

/** `43.3%`: the shared formatter, from the value and the period's base (rounded once, like every other surface). */
function pct1(value: number, p: Pick<Breakdown, 'total' | 'sumOfRegions'>): string {
  return formatShare({ value, base: p.total ?? p.sumOfRegions });
}

/**
 * Two reports of a period say the same: same members, every value (and the total) equal
 * within both reports' rounding. A 10-Q repeating last year's quarter to the dollar is not news.
 */
export function sameSplit(a: BreakdownRecord, b: BreakdownRecord): boolean {
  if (a.regions.length !== b.regions.length) return false;
  const other = new Map(b.regions.map((r) => [r.member, r]));
  const slack = a.tolerance + b.tolerance + 1e-6;
  for (const r of a.regions) {
    const o = other.get(r.member);
    if (!o || Math.abs(o.value - r.value) > slack) return false;
  }
  if ((a.total === null) !== (b.total === null)) return false;
  return a.total === null || b.total === null || Math.abs(a.total - b.total) <= slack;
}

function toStored(b: Breakdown, filing: FilingContext): StoredPeriod {
  return { ...b, fiscalLabel: fiscalLabel(b, filing.fiscal), accession: filing.accession };
}

function sameDims(a: BreakdownRecord, b: BreakdownRecord): boolean {
  return dimensionSignature(a.dimensions) === dimensionSignature(b.dimensions);
}

/** The prior-year period of the same kind and dimensions: the filing's own comparative first (it reflects recasts), then the series. */
function findPriorYear(p: StoredPeriod, pool: StoredPeriod[]): StoredPeriod | undefined {
  return pool.find((c) => c.periodKind === p.periodKind && sameDims(c, p) && c !== p && inRange(daysBetween(c.end, p.end), 357, 371));
}

/** The quarter just before a quarter. */
function findPriorQuarter(p: StoredPeriod, pool: StoredPeriod[]): StoredPeriod | undefined {
  if (p.periodKind !== 'quarter') return undefined;
  return pool.find((c) => c.periodKind === 'quarter' && sameDims(c, p) && c !== p && inRange(daysBetween(c.end, p.start), 1, 7));
}

function inRange(n: number, lo: number, hi: number): boolean {
  return n >= lo && n <= hi;
}

function compare(before: StoredPeriod, after: StoredPeriod, basis: Basis): Comparison {
  const rows: Comparison['rows'] = new Map();
  for (const r of after.regions) {
    rows.set(r.member, {
      member: r.member,
      label: r.label,
      before: null,
      after: r.value,
      shareBefore: null,
      shareAfter: shareOf(r.value, after),
    });
  }
  for (const r of before.regions) {
    const row = rows.get(r.member);
    if (row) {
      row.before = r.value;
      row.shareBefore = shareOf(r.value, before);
    } else {
      rows.set(r.member, {
        member: r.member,
        label: r.label,
        before: r.value,
        after: null,
        shareBefore: shareOf(r.value, before),
        shareAfter: null,
      });
    }
  }
  const beforeMembers = new Set(before.regions.map((r) => r.member));
  const afterMembers = new Set(after.regions.map((r) => r.member));
  return {
    basis,
    against: before,
    rows,
    added: [...afterMembers].filter((m) => !beforeMembers.has(m)).sort(),
    removed: [...beforeMembers].filter((m) => !afterMembers.has(m)).sort(),
  };
}

/**
 * Percentage-point move of a share (an added member counts from 0, a removed one to 0): the
 * difference of the exact shares, rounded once to the tenth it is shown with (so the
 * threshold judges the move the reader sees; printing it again changes nothing).
 */
function sharePp(row: { shareBefore: number | null; shareAfter: number | null }): number {
  return roundTenth(((row.shareAfter ?? 0) - (row.shareBefore ?? 0)) * 100);
}

function valuePct(row: { before: number | null; after: number | null }): number | null {
  if (row.before === null || row.after === null || row.before === 0) return null;
  return roundTenth(((row.after - row.before) / Math.abs(row.before)) * 100);
}

const BASIS_SUFFIX: Record<Basis, 'YoY' | 'QoQ' | 'Recast'> = { yoy: 'YoY', qoq: 'QoQ', recast: 'Recast' };

/** Per-region rows with every comparison's moves, in the order of the new split (then removed members). */
function buildMoves(after: StoredPeriod, comparisons: Comparison[], t: RevenueThresholds): RegionMove[] {
  const members = [...after.regions.map((r) => r.member)];
  for (const c of comparisons) for (const m of c.removed) if (!members.includes(m)) members.push(m);
  return members.map((member) => {
    const own = after.regions.find((r) => r.member === member);
    const label = own?.label ?? comparisons.map((c) => c.rows.get(member)?.label).find(Boolean) ?? member;
    const move: RegionMove = {
      member,
      label,
      countries: memberCountries(member, label),
      share: own ? shareOf(own.value, after) : null,
      value: own ? own.value : null,
      notable: false,
    };
    for (const c of comparisons) {
      const row = c.rows.get(member);
      if (!row) continue;
      const pp = sharePp(row);
      const pct = valuePct(row);
      const suffix = BASIS_SUFFIX[c.basis];
      (move as unknown as Record<string, number | null>)[`sharePp${suffix}`] = pp;
      (move as unknown as Record<string, number | null>)[`valuePct${suffix}`] = pct;
      const membershipChanged = row.before === null || row.after === null;
      if (membershipChanged || Math.abs(pp) >= t.sharePp || (pct !== null && Math.abs(pct) >= t.valuePct)) move.notable = true;
    }
    return move;
  });
}

/** `+3.0`, `-1.2`, `±0.0` (an ASCII minus: titles become subject lines). */
const signed = (n: number) => formatSigned(n, '-');

/** "NVIDIA CORP" → "NVIDIA", "Tesla, Inc." → "Tesla", "MICRON TECHNOLOGY INC" → "Micron Technology". */
export function shortCompanyName(name: string): string {
  let short = name
    .replace(/[,\s]+(inc|incorporated|corp|corporation|co|company|ltd|limited|plc|n\.?v|s\.?a|ag|se|holdings?|group)\.?$/i, '')
    .trim();
  short = short.replace(/[,\s]+(inc|corp|co|ltd)\.?$/i, '').trim() || name;
  if (short === short.toUpperCase() && /\s/.test(short)) {
    short = short.toLowerCase().replace(/\b[a-z]/g, (c) => c.toUpperCase());
  }
  return short;
}

/** Merge the filing into the series and report what is new. */
export function detectRevenueChanges(input: DetectInput): DetectResult {
  const t: RevenueThresholds = { ...DEFAULT_THRESHOLDS, ...(input.thresholds ?? {}) };
  const { filing } = input;
  const interest = new Set(input.countriesOfInterest.map((c) => c.toUpperCase()));
  const stored: Record<string, StoredPeriod> = { ...(input.series?.periods ?? {}) };
  const series: RevenueSeries = {
    cik: filing.cik,
    ticker: filing.ticker || input.series?.ticker,
    name: filing.companyName || input.series?.name,
    periods: stored,
  };

  const own = input.breakdowns.filter((b) => STORED_KINDS.has(b.periodKind)).map((b) => toStored(b, filing));
  // A year in this filing and its first nine months stored from the Q3 10-Q give the fourth quarter.
  const storedNine = Object.values(stored).filter((s) => s.periodKind === 'nine-months' && !own.some((o) => periodKey(o) === periodKey(s)));
  const annuals = own.filter((o) => o.periodKind === 'annual');
  for (const q of deriveFourthQuarters([...annuals, ...storedNine])) {
    if (!own.some((o) => periodKey(o) === periodKey(q))) own.push(toStored(q, filing));
  }
  if (!own.length) return { changes: [], series };

  // ISO dates compare as strings; the newest end is the filing's own period.
  const currentEnd = own
    .map((b) => b.end)
    .sort()
    .at(-1) as string;
  const pool = [...own, ...Object.values(stored).filter((s) => !own.some((o) => periodKey(o) === periodKey(s)))];
  const changes: ChangeDraft[] = [];

  for (const next of own) {
    const key = periodKey(next);
    const previous = stored[key];
    const alertable = HEADLINE_KINDS.has(next.periodKind) && next.regions.length >= 2;
    if (previous && sameSplit(previous, next)) continue; // already known: keep the first filing's record
    if (alertable && (previous || next.end === currentEnd)) {
      changes.push(buildChange(next, previous, pool, filing, interest, t));
    }
    stored[key] = next;
  }
  return { changes, series };
}

function buildChange(
  next: StoredPeriod,
  previous: StoredPeriod | undefined,
  pool: StoredPeriod[],
  filing: FilingContext,
  interest: Set<string>,
  t: RevenueThresholds,
): ChangeDraft {
  const recast = previous !== undefined;
  const comparisons: Comparison[] = [];
  if (previous) comparisons.push(compare(previous, next, 'recast'));
  const poolWithout = pool.filter((p) => periodKey(p) !== periodKey(next));
  const yoy = recast ? undefined : findPriorYear(next, poolWithout);
  const qoq = recast ? undefined : findPriorQuarter(next, poolWithout);
  if (yoy) comparisons.push(compare(yoy, next, 'yoy'));
  if (qoq) comparisons.push(compare(qoq, next, 'qoq'));
  const headline = comparisons[0];
  const moves = buildMoves(next, comparisons, t);

  const isOfInterest = (m: RegionMove) => m.countries.some((c) => interest.has(c));
  const notable = moves.filter((m) => m.notable);
  const countries = new Set<string>();
  for (const m of notable) for (const c of m.countries) countries.add(c);
  for (const m of moves) for (const c of m.countries) if (interest.has(c)) countries.add(c);
  // A country of interest reported only beside its region (Singapore inside "Asia Pacific") still
  // lets a subscriber's country filter find the change.
  for (const o of next.overlapping ?? []) for (const c of memberCountries(o.member, o.label)) if (interest.has(c)) countries.add(c);
  const importance: Importance = notable.some(isOfInterest) ? 'high' : 'normal';

  const company = shortCompanyName(filing.companyName || filing.ticker);
  const periodLabel = `${next.fiscalLabel}${next.derived ? ' (derived)' : ''}`;
  const title = buildTitle(company, periodLabel, next, headline, moves, isOfInterest);

  const regionText = moves
    .filter((m) => m.value !== null)
    .map((m) => {
      const key = headline ? (`sharePp${BASIS_SUFFIX[headline.basis]}` as const) : undefined;
      const pp = key ? m[key] : undefined;
      return `${m.label} ${pct1(m.value as number, next)} (${formatMoney(m.value as number)}${pp !== undefined && pp !== null ? `, ${signed(pp)} pp ${headline ? BASIS_SUFFIX[headline.basis] : ''}` : ''})`;
    })
    .join('; ');
  const removedText = headline?.removed.length
    ? ` No longer reported: ${headline.removed.map((m) => headline.rows.get(m)?.label ?? m).join(', ')}.`
    : '';
  const before = headline?.against.total ?? null;
  let totalMove = '';
  if (next.total !== null && before !== null && before !== 0) {
    totalMove =
      headline?.basis === 'recast'
        ? ` (was ${formatMoney(before)})`
        : ` (${signed(((next.total - before) / Math.abs(before)) * 100)}% ${BASIS_SUFFIX[headline?.basis ?? 'yoy']})`;
  }
  const scope = scopeLabel(next);
  const consolidated = next.consolidatedTotal ?? null;
  const companyText = scope && consolidated !== null ? `; company revenue ${formatMoney(consolidated)}` : '';
  const totalText =
    next.total !== null
      ? `${scope ? `${scope} revenue` : 'Revenue'} ${formatMoney(next.total)}${totalMove}${next.complete === false ? '; the regions do not add up to it' : ''}${companyText}`
      : `${scope ? `No ${scope} subtotal reported (shares are of the sum of its regions)` : 'No total reported'}${companyText}`;
  const overlapping = next.overlapping ?? [];
  const overlapText = overlapping.length
    ? ` Also reported, overlapping the regions and not added: ${overlapping.map((o) => `${o.label} ${pct1(o.value, next)} (${formatMoney(o.value)})`).join('; ')}.`
    : '';
  const summary = `${totalText}. ${regionText}.${overlapText}${removedText} ${recast ? `Earlier report: ${previous?.accession ?? 'unknown filing'}. ` : ''}Source: ${filing.form} ${filing.accession}.`;

  const period = {
    start: next.start,
    end: next.end,
    kind: next.periodKind,
    days: next.days,
    fiscalLabel: next.fiscalLabel,
    ...(next.derived ? { derived: true } : {}),
  };
  const against = (c: Comparison | undefined) =>
    c
      ? {
          basis: c.basis,
          start: c.against.start,
          end: c.against.end,
          fiscalLabel: c.against.fiscalLabel,
          accession: c.against.accession ?? null,
        }
      : null;
  // Shares from value and base: a period stored before shares were kept exact holds them to 4 places.
  const strip = (p: StoredPeriod) =>
    p.regions.map((r) => ({ member: r.member, label: r.label, value: r.value, share: shareOf(r.value, p) }));

  // Capped (core/limits.ts): an oversized upstream field must not make the change too big to store.
  return capDraft({
    source: 'sec-revenue',
    kind: 'revenue.regional',
    naturalKey: revenueNaturalKey(filing.cik, next),
    subject: filing.ticker,
    title,
    summary: summary.replace(/\s+/g, ' ').trim(),
    ...(filing.url ? { url: filing.url } : {}),
    importance,
    countries: [...countries].sort(),
    ...(filing.occurredAt ? { occurredAt: filing.occurredAt } : {}),
    data: {
      cik: filing.cik,
      company: filing.companyName,
      concept: next.concept,
      dimensions: next.dimensions,
      period,
      comparedWith: against(headline),
      previousQuarter: against(comparisons.find((c) => c.basis === 'qoq')),
      regions: { before: headline ? strip(headline.against) : null, after: strip(next) },
      moves,
      membersAdded: headline?.added ?? [],
      membersRemoved: headline?.removed ?? [],
      recast,
      dimensionLabels: next.dimensionLabels ?? {},
      scope,
      total: next.total,
      consolidatedTotal: next.consolidatedTotal ?? null,
      shareBase: next.shareBase ?? (next.total !== null ? 'total' : 'sumOfRegions'),
      shareOf: shareBasisText(next),
      overlapping: overlapping.map((o) => ({
        member: o.member,
        label: o.label,
        value: o.value,
        share: shareOf(o.value, next),
        overlap: o.overlap,
        ...(o.covers ? { covers: o.covers } : {}),
        countries: memberCountries(o.member, o.label),
      })),
      totalBefore: headline?.against.total ?? null,
      complete: next.complete,
      accession: filing.accession,
      form: filing.form,
    },
  });
}

function buildTitle(
  company: string,
  periodLabel: string,
  next: StoredPeriod,
  headline: Comparison | undefined,
  moves: RegionMove[],
  isOfInterest: (m: RegionMove) => boolean,
): string {
  const prefix = headline?.basis === 'recast' ? `${company} ${periodLabel} recast` : `${company} ${periodLabel}`;
  // "of revenue" is the company's; a product × region split says whose revenue it divides.
  const scope = scopeLabel(next);
  const ofWhat = scope ? `${scope} revenue` : 'revenue';
  if (!headline) {
    // Moves are in the order of the split (largest first).
    const lead = moves.filter((m) => m.value !== null).find(isOfInterest) ?? moves[0];
    return lead ? `${prefix}: ${lead.label} ${pct1(lead.value ?? 0, next)} of ${ofWhat}` : `${prefix}: revenue by region`;
  }
  const suffix = BASIS_SUFFIX[headline.basis];
  const ppOf = (m: RegionMove) => (m as unknown as Record<string, number | null | undefined>)[`sharePp${suffix}`] ?? 0;
  // A country of interest that disappeared from the split is the story (docs/upstreams.md §2.8).
  const vanished = moves.find((m) => m.value === null && isOfInterest(m) && headline.removed.includes(m.member));
  if (vanished) return `${prefix}: ${vanished.label} no longer reported separately`;
  // Lead with the largest region of interest that moved notably (Singapore for NVIDIA), else
  // the largest of interest, else the largest region: the rest is in the summary.
  const present = moves.filter((m) => m.value !== null);
  const ofInterest = present.filter(isOfInterest);
  const notable = ofInterest.filter((m) => m.notable);
  const candidates = notable.length ? notable : ofInterest.length ? ofInterest : present;
  const lead = candidates.reduce<RegionMove | undefined>((best, m) => (!best || (m.share ?? 0) > (best.share ?? 0) ? m : best), undefined);
  if (!lead) return `${prefix}: revenue by region`;
  // From value and base, not a 4-place share, so 18.2466% does not print as 18.3%.
  const share = `${lead.label} ${pct1(lead.value ?? 0, next)} of ${ofWhat}`;
  if (headline.added.includes(lead.member)) return `${prefix}: ${share} (newly reported)`;
  if (headline.basis === 'recast') {
    const row = headline.rows.get(lead.member);
    return `${prefix}: ${share} (was ${row?.before !== null && row?.before !== undefined ? pct1(row.before, headline.against) : formatShare(0)})`;
  }
  return `${prefix}: ${share} (${signed(ppOf(lead))} pp ${suffix})`;
}

/** Keep a series item well below DynamoDB's 400 KB: newest periods first, at most `maxPeriods` and `maxBytes` of JSON. */
export function trimSeries(series: RevenueSeries, maxPeriods = 160, maxBytes = 200_000): RevenueSeries {
  const entries = Object.entries(series.periods).sort(([, a], [, b]) => (a.end < b.end ? 1 : a.end > b.end ? -1 : 0));
  let kept = entries.slice(0, maxPeriods);
  let trimmed: RevenueSeries = { ...series, periods: Object.fromEntries(kept) };
  while (kept.length > 1 && new TextEncoder().encode(JSON.stringify(trimmed)).length > maxBytes) {
    kept = kept.slice(0, Math.floor(kept.length * 0.8));
    trimmed = { ...series, periods: Object.fromEntries(kept) };
  }
  return trimmed;
}
