import { memberLabel } from './labels.ts';
import { classifyPeriod, deriveFourthQuarter, type PeriodKind } from './periods.ts';
import { REVENUE_CONCEPTS, roundingTolerance, type XbrlDocument, type XbrlFact } from './xbrl-reader.ts';

/**
 * Geographic revenue breakdowns from the facts of one filing. Pure; no AWS.
 *
 * A breakdown is the set of facts of one revenue concept and period that differ only in
 * their geographic member, every other dimension held equal: the plain breakdown has no
 * other dimension, while two-axis contexts (Netflix's `ProductOrServiceAxis=StreamingMember`
 * × region) form their own breakdown keyed by those members and are never mixed into it.
 * Segment axes are not geography (Apple reports regions only as segments), and
 * `ConcentrationRiskPercentage1` on the same axis is a share, not revenue.
 */

/** Axes that carry geography. */
export const GEOGRAPHIC_AXES = ['srt:StatementGeographicalAxis', 'ifrs-full:GeographicalAreasAxis'] as const;

/** One region of a breakdown. */
export interface Region {
  /** Canonical member QName: `country:SG`, `nvda:ChinaIncludingHongKongMember`. */
  member: string;
  label: string;
  /** In units of the currency (not millions). */
  value: number;
  /** Fraction of the total (or of the sum when no total is reported), rounded to 4 places. */
  share: number;
  decimals?: number | undefined;
}

/** Revenue split by geography for one concept, period and set of other dimensions. */
export interface Breakdown {
  concept: string;
  start: string;
  end: string;
  days: number;
  periodKind: PeriodKind;
  /** The other dimensions held equal (empty for the plain breakdown). */
  dimensions: Record<string, string>;
  axis: string;
  /** `iso4217:USD`. */
  unit: string;
  /** The same concept and period with exactly `dimensions` and no geography; null when not reported. */
  total: number | null;
  sumOfRegions: number;
  /** The regions add up to the total within the facts' rounding. */
  complete: boolean;
  /** How far the sum may be from the total from rounding alone: Σ 0.5 × 10^(−decimals). */
  tolerance: number;
  regions: Region[];
  /** Computed (Q4 = year − nine months), not reported. */
  derived?: true;
}

/** Who filed and what the document covers, from its `dei` facts. */
export interface FilingEntity {
  cik: string | undefined;
  name: string | undefined;
  documentType: string | undefined;
  periodEnd: string | undefined;
  ticker: string | undefined;
  fiscalYear: string | undefined;
  fiscalPeriod: string | undefined;
}

const CONCEPT_RANK = new Map<string, number>(REVENUE_CONCEPTS.map((c, i) => [c, i]));
const GEO = new Set<string>(GEOGRAPHIC_AXES);
/** Members that aggregate others and may sit beside them on the geographic axis. */
const AGGREGATE_MEMBERS = new Set(['us-gaap:NonUsMember', 'srt:NonUsMember']);

interface FactRef {
  value: number;
  decimals: number | undefined;
}

interface Group {
  concept: string;
  start: string;
  end: string;
  unit: string;
  axis: string;
  dimensions: Record<string, string>;
  otherKey: string;
  members: Map<string, FactRef>;
}

function dimensionKey(dimensions: Record<string, string>): string {
  return Object.keys(dimensions)
    .sort()
    .map((axis) => `${axis}=${dimensions[axis]}`)
    .join('|');
}

/** A currency unit's measure (`iso4217:USD`), or undefined for shares, ratios and pure numbers. */
function currencyOf(doc: XbrlDocument, unitRef: string | undefined): string | undefined {
  const unit = unitRef === undefined ? undefined : doc.units.get(unitRef);
  if (!unit || unit.denominator?.length || unit.measures.length !== 1) return undefined;
  const measure = unit.measures[0] as string;
  return measure.startsWith('iso4217:') ? measure : undefined;
}

function roundShare(value: number, base: number): number {
  return base === 0 ? 0 : Math.round((value / base) * 10_000) / 10_000;
}

/** Keep the more precise of two reports of the same number (two contexts with identical content). */
function mergeFact(existing: FactRef | undefined, next: FactRef): FactRef {
  if (!existing) return next;
  return (next.decimals ?? Number.NEGATIVE_INFINITY) > (existing.decimals ?? Number.NEGATIVE_INFINITY) ? next : existing;
}

/**
 * The geographic revenue breakdowns of a document: for each period (and set of other
 * dimensions) the most preferred revenue concept that has one, in {@link REVENUE_CONCEPTS}
 * order, with its total and completeness; plus a derived fourth quarter where the document
 * has both a year and its first nine months. Sorted: plain breakdowns first, newest first.
 */
export function extractBreakdowns(doc: XbrlDocument): Breakdown[] {
  const groups = new Map<string, Group>();
  const totals = new Map<string, FactRef>();
  for (const fact of doc.facts) {
    if (!CONCEPT_RANK.has(fact.concept) || fact.value === null) continue;
    const context = doc.contexts.get(fact.contextRef);
    if (!context?.start || !context.end) continue;
    const unit = currencyOf(doc, fact.unitRef);
    if (!unit) continue;
    let axis: string | undefined;
    const other: Record<string, string> = {};
    for (const [a, m] of Object.entries(context.dimensions)) {
      if (axis === undefined && GEO.has(a)) axis = a;
      else other[a] = m;
    }
    const otherKey = dimensionKey(other);
    const base = `${fact.concept}\u0000${context.start}\u0000${context.end}\u0000${unit}\u0000${otherKey}`;
    const ref: FactRef = { value: fact.value, decimals: fact.decimals };
    if (axis === undefined) {
      totals.set(base, mergeFact(totals.get(base), ref));
      continue;
    }
    const key = `${base}\u0000${axis}`;
    let group = groups.get(key);
    if (!group) {
      group = { concept: fact.concept, start: context.start, end: context.end, unit, axis, dimensions: other, otherKey, members: new Map() };
      groups.set(key, group);
    }
    const member = context.dimensions[axis] as string;
    group.members.set(member, mergeFact(group.members.get(member), ref));
  }

  // One concept per period and dimension set: the first in REVENUE_CONCEPTS that has geography.
  const chosen = new Map<string, Group>();
  for (const group of groups.values()) {
    const slot = `${group.start}\u0000${group.end}\u0000${group.unit}\u0000${group.otherKey}\u0000${group.axis}`;
    const current = chosen.get(slot);
    if (!current || (CONCEPT_RANK.get(group.concept) as number) < (CONCEPT_RANK.get(current.concept) as number)) chosen.set(slot, group);
  }

  const breakdowns: Breakdown[] = [];
  for (const group of chosen.values()) {
    const total = totals.get(`${group.concept}\u0000${group.start}\u0000${group.end}\u0000${group.unit}\u0000${group.otherKey}`);
    breakdowns.push(buildBreakdown(group, total));
  }
  breakdowns.push(...deriveFourthQuarters(breakdowns));
  return breakdowns.sort(compareBreakdowns);
}

function buildBreakdown(group: Group, total: FactRef | undefined): Breakdown {
  const { days, kind } = classifyPeriod(group.start, group.end);
  let members = [...group.members.entries()];
  let evaluation = evaluate(members, total);
  if (!evaluation.complete && total) {
    // A "Non-US" line beside the countries it aggregates: drop it if the rest then adds up.
    const without = members.filter(([m]) => !AGGREGATE_MEMBERS.has(m));
    if (without.length && without.length < members.length) {
      const retry = evaluate(without, total);
      if (retry.complete) {
        members = without;
        evaluation = retry;
      }
    }
  }
  const base = total?.value ?? evaluation.sum;
  const regions: Region[] = members
    .map(([member, ref]) => ({ member, label: memberLabel(member), value: ref.value, share: roundShare(ref.value, base), decimals: ref.decimals }))
    .sort((a, b) => b.value - a.value || a.member.localeCompare(b.member));
  return {
    concept: group.concept,
    start: group.start,
    end: group.end,
    days,
    periodKind: kind,
    dimensions: group.dimensions,
    axis: group.axis,
    unit: group.unit,
    total: total?.value ?? null,
    sumOfRegions: evaluation.sum,
    complete: evaluation.complete,
    tolerance: evaluation.tolerance,
    regions,
  };
}

function evaluate(members: Array<[string, FactRef]>, total: FactRef | undefined): { sum: number; tolerance: number; complete: boolean } {
  let sum = 0;
  let tolerance = total ? roundingTolerance(total.decimals) : 0;
  for (const [, ref] of members) {
    sum += ref.value;
    tolerance += roundingTolerance(ref.decimals);
  }
  // Float sums of integers in the 1e11 range are exact; the epsilon covers fractional inputs.
  const complete = total !== undefined && Math.abs(sum - total.value) <= tolerance + 1e-9 * Math.max(1, Math.abs(total.value));
  return { sum, tolerance, complete };
}

/**
 * Fourth quarters derived from a year and its first nine months of the same concept,
 * dimensions and members (see {@link deriveFourthQuarter}), unless the quarter is reported.
 */
export function deriveFourthQuarters(breakdowns: Breakdown[]): Breakdown[] {
  const derived: Breakdown[] = [];
  const sameSeries = (a: Breakdown, b: Breakdown) =>
    a.concept === b.concept && a.unit === b.unit && a.axis === b.axis && dimensionKey(a.dimensions) === dimensionKey(b.dimensions);
  for (const annual of breakdowns) {
    if (annual.periodKind !== 'annual') continue;
    for (const nine of breakdowns) {
      if (nine.periodKind !== 'nine-months' || !sameSeries(annual, nine)) continue;
      const q = deriveFourthQuarter(annual, nine);
      if (!q) continue;
      if (breakdowns.some((b) => sameSeries(b, annual) && b.start === q.start && b.end === q.end)) continue;
      const sum = q.regions.reduce((s, r) => s + r.value, 0);
      const base = q.total ?? sum;
      const tolerance = annual.tolerance + nine.tolerance;
      derived.push({
        concept: annual.concept,
        start: q.start,
        end: q.end,
        days: q.days,
        periodKind: 'quarter',
        dimensions: annual.dimensions,
        axis: annual.axis,
        unit: annual.unit,
        total: q.total,
        sumOfRegions: sum,
        complete: annual.complete && nine.complete && q.total !== null && Math.abs(sum - q.total) <= tolerance,
        tolerance,
        regions: q.regions
          .map((r) => ({ member: r.member, label: memberLabel(r.member), value: r.value, share: roundShare(r.value, base), decimals: r.decimals }))
          .sort((a, b) => b.value - a.value || a.member.localeCompare(b.member)),
        derived: true,
      });
    }
  }
  return derived;
}

const KIND_ORDER: Record<PeriodKind, number> = { quarter: 0, half: 1, 'nine-months': 2, annual: 3, other: 4 };

function compareBreakdowns(a: Breakdown, b: Breakdown): number {
  const ad = Object.keys(a.dimensions).length;
  const bd = Object.keys(b.dimensions).length;
  if (ad !== bd) return ad - bd;
  if (a.end !== b.end) return a.end < b.end ? 1 : -1;
  if (a.periodKind !== b.periodKind) return KIND_ORDER[a.periodKind] - KIND_ORDER[b.periodKind];
  return dimensionKey(a.dimensions).localeCompare(dimensionKey(b.dimensions)) || a.concept.localeCompare(b.concept);
}

/** The stable identity of a breakdown's other dimensions, for keys: `` (plain) or `axis=member|…`. */
export function dimensionSignature(dimensions: Record<string, string>): string {
  return dimensionKey(dimensions);
}

/** The filer and the document's own period, from `dei` facts with context fallbacks. */
export function describeEntity(doc: XbrlDocument, breakdowns: Breakdown[] = []): FilingEntity {
  const documentContext = doc.dei.documentContextRef ? doc.contexts.get(doc.dei.documentContextRef) : undefined;
  const anyCik = documentContext?.cik ?? [...doc.contexts.values()].find((c) => c.cik)?.cik;
  const cikText = doc.dei.entityCentralIndexKey ?? anyCik;
  const latestEnd = breakdowns.reduce<string | undefined>((max, b) => (max === undefined || b.end > max ? b.end : max), undefined);
  return {
    cik: cikText && /^\d{1,10}$/.test(cikText) ? cikText.padStart(10, '0') : cikText,
    name: doc.dei.entityRegistrantName,
    documentType: doc.dei.documentType,
    periodEnd: doc.dei.documentPeriodEndDate ?? documentContext?.end ?? documentContext?.instant ?? latestEnd,
    ticker: doc.dei.tradingSymbol,
    fiscalYear: doc.dei.fiscalYearFocus,
    fiscalPeriod: doc.dei.fiscalPeriodFocus,
  };
}

/** Whether a fact is one of the revenue concepts (concentration percentages and the rest are not). */
export function isRevenueFact(fact: XbrlFact): boolean {
  return CONCEPT_RANK.has(fact.concept);
}
