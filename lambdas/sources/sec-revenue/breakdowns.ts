import type { MemberLabels } from './label-linkbase.ts';
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
 * Such a breakdown has two totals: its own (`total`, the Streaming subtotal: same concept,
 * period and other dimensions, no geography — absent from Netflix's filings) and the
 * company's (`consolidatedTotal`, the fact with no dimension at all). Segment axes are not
 * geography (Apple reports regions only as segments), and `ConcentrationRiskPercentage1` on
 * the same axis is a share, not revenue.
 */

/**
 * Axes that carry geography: `srt:` since the 2018 taxonomies, `us-gaap:` on the 2009–2017
 * ones (Microsoft's FY2015 10-K), `ifrs-full:` for 20-F filers reporting under IFRS.
 */
export const GEOGRAPHIC_AXES = [
  'srt:StatementGeographicalAxis',
  'us-gaap:StatementGeographicalAxis',
  'ifrs-full:GeographicalAreasAxis',
] as const;

/**
 * Axes that qualify a figure as superseded, an adjustment or a forecast. The restated
 * figure is the one without the axis (XBRL US guidance: the default is the restated amount);
 * `ScenarioPreviouslyReportedMember` and adjustment pairs (J&J tags a ±$20M US/non-US
 * reclassification this way) are not revenue of the period and would otherwise form
 * breakdowns of their own.
 */
const RESTATEMENT_AXES = new Set([
  'srt:RestatementAxis',
  'us-gaap:RestatementAxis',
  'srt:StatementScenarioAxis',
  'us-gaap:StatementScenarioAxis',
]);

/** One region of a breakdown. */
export interface Region {
  /** Canonical member QName: `country:SG`, `nvda:ChinaIncludingHongKongMember`. */
  member: string;
  /** The filer's label (label linkbase), else one derived from the member name. */
  label: string;
  /** In units of the currency (not millions). */
  value: number;
  /**
   * Fraction of the share base (see {@link Breakdown.shareBase}), exact: display rounds once
   * (`core/format.ts`). Series stored before this hold it rounded to 4 places, so readers
   * recompute it from `value` and the base where they can.
   */
  share: number;
  decimals?: number | undefined;
}

/** A member reported beside the regions that overlaps them, so it is left out of their sum. */
export interface OverlappingRegion extends Region {
  /**
   * `aggregate`: its value is the sum of other members (`covers`), e.g. "Non-US" beside the
   * foreign countries. `part`: the others add up to the total without it, e.g. Meta's
   * `country:US` beside "US & Canada".
   */
  overlap: 'aggregate' | 'part';
  /** The members an aggregate adds up, largest first. */
  covers?: string[] | undefined;
}

/** Revenue split by geography for one concept, period and set of other dimensions. */
export interface Breakdown {
  concept: string;
  start: string;
  end: string;
  /**
   * Calendar days the period covers, start and end included (2025-04-28..2025-07-27 is a
   * 91-day quarter). Classification works on `end − start` (see `classifyPeriod`), one less.
   */
  days: number;
  periodKind: PeriodKind;
  /** The other dimensions held equal (empty for the plain breakdown). */
  dimensions: Record<string, string>;
  /** Labels of the other dimensions' members, by axis (`{"srt:ProductOrServiceAxis": "Streaming"}`). */
  dimensionLabels?: Record<string, string> | undefined;
  axis: string;
  /** `iso4217:USD`. */
  unit: string;
  /**
   * The breakdown's own total: the same concept, period and unit with exactly `dimensions`
   * and no geography (for a product × region breakdown, the product's subtotal); null when
   * the filing has none. For the plain breakdown it is the company's revenue.
   */
  total: number | null;
  /** The company's revenue: the same concept, period and unit with no dimension at all; null when not reported. */
  consolidatedTotal: number | null;
  /** What shares are fractions of: `total` when reported, else the sum of the regions. */
  shareBase: 'total' | 'sumOfRegions';
  /** Sum of `regions` (overlapping members excluded). */
  sumOfRegions: number;
  /** The regions add up to `total` within the facts' rounding; null when there is no total to check. */
  complete: boolean | null;
  /** How far the sum may be from the total from rounding alone: Σ 0.5 × 10^(−decimals). */
  tolerance: number;
  regions: Region[];
  /** Members overlapping the regions (aggregates of some, or parts of one), shown but not summed. */
  overlapping: OverlappingRegion[];
  /** Computed (Q4 = year − nine months), not reported. */
  derived?: true;
}

/**
 * A breakdown as a stored series may hold it: items written before the two totals and the
 * overlap split existed lack those fields. Readers treat them as absent (null, none).
 */
export type BreakdownRecord = Omit<Breakdown, 'consolidatedTotal' | 'shareBase' | 'overlapping'> &
  Partial<Pick<Breakdown, 'consolidatedTotal' | 'shareBase' | 'overlapping'>>;

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

/** What {@link extractBreakdowns} may use besides the document. */
export interface ExtractOptions {
  /** The filer's member labels (label linkbase); names are derived from QNames without them. */
  labels?: MemberLabels | undefined;
}

const CONCEPT_RANK = new Map<string, number>(REVENUE_CONCEPTS.map((c, i) => [c, i]));
const GEO = new Set<string>(GEOGRAPHIC_AXES);

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

/** Exact share: rounding here and again at display printed 13,022 / 30,040 as 43.4% (0.4335), not 43.3%. */
function exactShare(value: number, base: number): number {
  return base === 0 ? 0 : value / base;
}

/** Keep the more precise of two reports of the same number (two contexts with identical content). */
function mergeFact(existing: FactRef | undefined, next: FactRef): FactRef {
  if (!existing) return next;
  return (next.decimals ?? Number.NEGATIVE_INFINITY) > (existing.decimals ?? Number.NEGATIVE_INFINITY) ? next : existing;
}

/** Prefixes of the taxonomies whose `…Domain` elements are the axes' defaults. */
const STANDARD_PREFIX = /^(us-gaap|srt|ifrs-full|dei):/;

/**
 * A context's dimensions as they count: a standard domain member (`srt:SegmentGeographicalDomain`,
 * `srt:ProductsAndServicesDomain`) is the dimension default written out, i.e. the same as no
 * member. A filer's own `…Domain` element is an ordinary member (Amazon's 2015 10-K reports
 * `amzn:RestofWorldDomain` beside its countries). Undefined for contexts qualified as previously reported, adjustments or
 * forecasts ({@link RESTATEMENT_AXES}), which are not the period's revenue.
 */
function effectiveDimensions(dimensions: Record<string, string>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [axis, member] of Object.entries(dimensions)) {
    if (member.endsWith('Domain') && STANDARD_PREFIX.test(member)) continue;
    if (RESTATEMENT_AXES.has(axis)) {
      if (member.endsWith('ScenarioActualMember')) continue;
      return undefined;
    }
    out[axis] = member;
  }
  return out;
}

/**
 * The geographic revenue breakdowns of a document: for each period (and set of other
 * dimensions) the most preferred revenue concept that has one, in {@link REVENUE_CONCEPTS}
 * order, with its totals, overlaps and completeness; plus a derived fourth quarter where the
 * document has both a year and its first nine months. Sorted: plain breakdowns first,
 * newest first. Nil facts are not values (neither regions nor totals).
 */
export function extractBreakdowns(doc: XbrlDocument, options: ExtractOptions = {}): Breakdown[] {
  const groups = new Map<string, Group>();
  const totals = new Map<string, FactRef>();
  for (const fact of doc.facts) {
    if (!CONCEPT_RANK.has(fact.concept) || fact.value === null) continue;
    const context = doc.contexts.get(fact.contextRef);
    if (!context?.start || !context.end) continue;
    const unit = currencyOf(doc, fact.unitRef);
    if (!unit) continue;
    const dimensions = effectiveDimensions(context.dimensions);
    if (!dimensions) continue;
    let axis: string | undefined;
    const other: Record<string, string> = {};
    for (const [a, m] of Object.entries(dimensions)) {
      if (axis === undefined && GEO.has(a)) axis = a;
      else other[a] = m;
    }
    const otherKey = dimensionKey(other);
    const base = `${fact.concept}\u0000${context.start}\u0000${context.end}\u0000${unit}\u0000`;
    const ref: FactRef = { value: fact.value, decimals: fact.decimals };
    if (axis === undefined) {
      totals.set(base + otherKey, mergeFact(totals.get(base + otherKey), ref));
      continue;
    }
    const key = `${base}${otherKey}\u0000${axis}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        concept: fact.concept,
        start: context.start,
        end: context.end,
        unit,
        axis,
        dimensions: other,
        otherKey,
        members: new Map(),
      };
      groups.set(key, group);
    }
    const member = dimensions[axis] as string;
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
    const base = `${group.concept}\u0000${group.start}\u0000${group.end}\u0000${group.unit}\u0000`;
    breakdowns.push(buildBreakdown(group, totals.get(base + group.otherKey), totals.get(base), options.labels));
  }
  breakdowns.push(...deriveFourthQuarters(breakdowns));
  return breakdowns.sort(compareBreakdowns);
}

function buildBreakdown(
  group: Group,
  total: FactRef | undefined,
  consolidated: FactRef | undefined,
  labels: MemberLabels | undefined,
): Breakdown {
  const { days: span, kind } = classifyPeriod(group.start, group.end);
  const days = span + 1;
  const members = [...group.members.entries()].map(([member, ref]) => ({ member, ref }));
  const { kept, overlapping } = resolveOverlaps(members, total, consolidated);
  const evaluation = evaluate(kept, total);
  const base = total?.value ?? evaluation.sum;
  const region = (m: Member): Region => ({
    member: m.member,
    label: memberLabel(m.member, labels),
    value: m.ref.value,
    share: exactShare(m.ref.value, base),
    decimals: m.ref.decimals,
  });
  const dimensionLabels = Object.fromEntries(Object.entries(group.dimensions).map(([axis, member]) => [axis, memberLabel(member, labels)]));
  return {
    concept: group.concept,
    start: group.start,
    end: group.end,
    days,
    periodKind: kind,
    dimensions: group.dimensions,
    ...(Object.keys(dimensionLabels).length ? { dimensionLabels } : {}),
    axis: group.axis,
    unit: group.unit,
    total: total?.value ?? null,
    consolidatedTotal: consolidated?.value ?? null,
    shareBase: total ? 'total' : 'sumOfRegions',
    sumOfRegions: evaluation.sum,
    complete: evaluation.complete,
    tolerance: evaluation.tolerance,
    regions: kept.map(region).sort(byValue),
    overlapping: overlapping.map((o) => ({ ...region(o), overlap: o.overlap, ...(o.covers ? { covers: o.covers } : {}) })).sort(byValue),
  };
}

function byValue(a: Region, b: Region): number {
  return b.value - a.value || a.member.localeCompare(b.member);
}

interface Member {
  member: string;
  ref: FactRef;
}

function toleranceOf(refs: Array<FactRef | undefined>): number {
  let t = 0;
  for (const r of refs) if (r) t += roundingTolerance(r.decimals);
  return t;
}

/** Equal within rounding; the epsilon covers float sums of fractional inputs (integers in the 1e11 range are exact). */
function within(a: number, b: number, tolerance: number): boolean {
  return Math.abs(a - b) <= tolerance + 1e-9 * Math.max(1, Math.abs(b));
}

const sumOf = (list: Member[]) => list.reduce((s, m) => s + m.ref.value, 0);

function evaluate(members: Member[], total: FactRef | undefined): { sum: number; tolerance: number; complete: boolean | null } {
  const sum = sumOf(members);
  const tolerance = toleranceOf([total, ...members.map((m) => m.ref)]);
  return { sum, tolerance, complete: total === undefined ? null : within(sum, total.value, tolerance) };
}

/** Depth-first steps a subset search may take before giving up (a 40-member axis stays fast). */
const SUBSET_BUDGET = 20_000;
/** Pools up to this size are searched exhaustively, which negative members need (no pruning). */
const EXHAUSTIVE_POOL = 14;

/**
 * Two or more members of `pool` whose values add up to `target` within rounding, largest
 * first, or undefined. A pool with negative members (GE's corporate eliminations carry
 * −102 $M for Asia) is searched exhaustively when small; otherwise only positive members
 * count, sorted descending with suffix sums so the search prunes any branch that overshoots
 * or cannot reach, and gives up past `budget` steps.
 */
export function subsetSumming(
  target: FactRef,
  pool: Array<{ member: string; ref: FactRef }>,
  budget = SUBSET_BUDGET,
): string[] | undefined {
  const byValue = [...pool].sort((a, b) => b.ref.value - a.ref.value);
  if (byValue.some((m) => m.ref.value < 0) && byValue.length <= EXHAUSTIVE_POOL) {
    // Rounding lets several subsets fit: the closest wins (GE: 148 + 75 + 14 − 2 − 102 = 133 exactly, not 135).
    let best: { members: Member[]; gap: number } | undefined;
    for (let mask = 1; mask < 1 << byValue.length; mask++) {
      const chosen = byValue.filter((_, i) => mask & (1 << i));
      if (chosen.length < 2) continue;
      const gap = Math.abs(sumOf(chosen) - target.value);
      if (!within(sumOf(chosen), target.value, toleranceOf([target, ...chosen.map((m) => m.ref)]))) continue;
      if (!best || gap < best.gap || (gap === best.gap && chosen.length > best.members.length)) best = { members: chosen, gap };
    }
    return best?.members.map((m) => m.member);
  }
  const items = byValue.filter((m) => m.ref.value > 0 && m.ref.value <= target.value + toleranceOf([target, m.ref]));
  const slack = toleranceOf([target, ...items.map((m) => m.ref)]);
  const suffix: number[] = new Array(items.length + 1).fill(0);
  for (let i = items.length - 1; i >= 0; i--) suffix[i] = (suffix[i + 1] as number) + (items[i] as Member).ref.value;
  const chosen: Member[] = [];
  let steps = 0;
  const walk = (i: number, sum: number): boolean => {
    if (++steps > budget) return false;
    if (chosen.length >= 2 && within(sum, target.value, toleranceOf([target, ...chosen.map((m) => m.ref)]))) return true;
    if (i >= items.length || sum > target.value + slack || sum + (suffix[i] as number) < target.value - slack) return false;
    chosen.push(items[i] as Member);
    if (walk(i + 1, sum + (items[i] as Member).ref.value)) return true;
    chosen.pop();
    return walk(i + 1, sum);
  };
  return walk(0, 0) ? chosen.map((m) => m.member) : undefined;
}

function combinations<T>(list: T[], k: number): T[][] {
  if (k === 0) return [[]];
  const out: T[][] = [];
  list.forEach((head, i) => {
    for (const rest of combinations(list.slice(i + 1), k - 1)) out.push([head, ...rest]);
  });
  return out;
}

/** How many members at most may overlap the others (more is a different table, not an overlap). */
const MAX_OVERLAPPING = 3;
/** Above this many members the exclusion search is not attempted (C(60, 3) ≈ 34k sets). */
const MAX_MEMBERS = 60;
/** Without any total to bound the sum, an aggregate must add up at least this many members to count as one. */
const UNBOUNDED_MIN_COVERS = 3;

type Overlap = Member & { overlap: 'aggregate' | 'part'; covers?: string[] | undefined };

/**
 * Split a geographic axis's members into the regions that partition the revenue and the
 * members that overlap them. Filers put a region beside its own countries (Boeing's "Non-US"
 * beside Europe, Asia and five more; Meta's `country:US` beside "US & Canada"); summing all
 * of them double counts and calls a sound breakdown incomplete.
 *
 * 1. With a total, when the members add up to more than it, the excess must be the value of
 *    the overlapping members: the fewest members (at most three) whose values make up the
 *    excess are set apart. Between several such sets, the one whose members are each the sum
 *    of some of the rest (an aggregate, proven by arithmetic) wins; a tie stays unresolved.
 * 2. Otherwise (no exact excess — Boeing's regions miss its total by 14 $M —, or no subtotal
 *    as in Netflix's Streaming × region), members that are the sum of others are set apart
 *    while the regions exceed the total (else the company's revenue), the one that brings the
 *    sum closest first. With no total at all, only an aggregate of three or more members
 *    counts (three regions of 50, 30 and 20 stay a partition).
 */
function resolveOverlaps(
  members: Member[],
  total: FactRef | undefined,
  consolidated: FactRef | undefined,
): { kept: Member[]; overlapping: Overlap[] } {
  const none = { kept: members, overlapping: [] };
  if (members.length < 3 || members.length > MAX_MEMBERS) return none;
  const tolerance = toleranceOf([total, consolidated, ...members.map((m) => m.ref)]);
  const sum = sumOf(members);
  const coversOf = (x: Member, kept: Member[]) =>
    subsetSumming(
      x.ref,
      kept.filter((k) => k !== x),
    );
  const bound = total ?? consolidated;
  if (bound && sum <= bound.value + tolerance) return none;

  if (total) {
    const excess = sum - total.value;
    const positive = members.filter((m) => m.ref.value > 0);
    for (let k = 1; k <= MAX_OVERLAPPING; k++) {
      const sets = combinations(positive, k).filter((set) => within(sumOf(set), excess, tolerance));
      if (!sets.length) continue;
      const judged = sets.map((set) => {
        const kept = members.filter((m) => !set.includes(m));
        return { kept, parts: set.map((x) => ({ x, covers: coversOf(x, kept) })) };
      });
      const proven = judged.filter((j) => j.parts.every((p) => p.covers));
      const pick = judged.length === 1 ? judged[0] : proven.length === 1 ? proven[0] : undefined;
      if (!pick) return none; // several sets fit and arithmetic cannot tell them apart: do not guess
      return {
        kept: pick.kept,
        overlapping: pick.parts.map(({ x, covers }) =>
          covers ? { ...x, overlap: 'aggregate' as const, covers } : { ...x, overlap: 'part' as const },
        ),
      };
    }
  }

  let kept = [...members];
  const overlapping: Overlap[] = [];
  while (overlapping.length < MAX_OVERLAPPING && (!bound || sumOf(kept) > bound.value + tolerance)) {
    const candidates = kept
      .map((x) => ({ x, covers: coversOf(x, kept) }))
      .filter(
        (c): c is { x: Member; covers: string[] } =>
          c.covers !== undefined && (bound !== undefined || c.covers.length >= UNBOUNDED_MIN_COVERS),
      );
    if (!candidates.length) break;
    const score = (c: { x: Member; covers: string[] }) => (bound ? Math.abs(sumOf(kept) - c.x.ref.value - bound.value) : -c.covers.length);
    const pick = candidates.reduce((best, c) => (score(c) < score(best) ? c : best));
    kept = kept.filter((m) => m !== pick.x);
    overlapping.push({ ...pick.x, overlap: 'aggregate', covers: pick.covers });
  }
  return overlapping.length ? { kept, overlapping } : none;
}

/**
 * Fourth quarters derived from a year and its first nine months of the same concept,
 * dimensions and members (see {@link deriveFourthQuarter}), unless the quarter is reported.
 */
export function deriveFourthQuarters(breakdowns: BreakdownRecord[]): Breakdown[] {
  const derived: Breakdown[] = [];
  const sameSeries = (a: BreakdownRecord, b: BreakdownRecord) =>
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
      // Labels come from the filing that reported the year (its label linkbase, when read).
      const labelOf = new Map([...annual.regions, ...(annual.overlapping ?? [])].map((r) => [r.member, r.label]));
      const consolidated = annual.consolidatedTotal ?? null;
      const nineConsolidated = nine.consolidatedTotal ?? null;
      const complete =
        annual.complete === false || nine.complete === false ? false : q.total === null ? null : Math.abs(sum - q.total) <= tolerance;
      derived.push({
        concept: annual.concept,
        start: q.start,
        end: q.end,
        days: q.days + 1,
        periodKind: 'quarter',
        dimensions: annual.dimensions,
        ...(annual.dimensionLabels ? { dimensionLabels: annual.dimensionLabels } : {}),
        axis: annual.axis,
        unit: annual.unit,
        total: q.total,
        consolidatedTotal: consolidated !== null && nineConsolidated !== null ? consolidated - nineConsolidated : null,
        shareBase: q.total === null ? 'sumOfRegions' : 'total',
        sumOfRegions: sum,
        complete,
        tolerance,
        regions: q.regions
          .map((r) => ({
            member: r.member,
            label: labelOf.get(r.member) ?? memberLabel(r.member),
            value: r.value,
            share: exactShare(r.value, base),
            decimals: r.decimals,
          }))
          .sort(byValue),
        overlapping: deriveOverlapping(annual.overlapping ?? [], nine.overlapping ?? [], base),
        derived: true,
      });
    }
  }
  return derived;
}

/** Overlapping members of a derived quarter: year − nine months when both report the same ones. */
function deriveOverlapping(annual: OverlappingRegion[], nine: OverlappingRegion[], base: number): OverlappingRegion[] {
  const byMember = new Map(nine.map((o) => [o.member, o]));
  if (annual.length !== nine.length || !annual.every((o) => byMember.has(o.member))) return [];
  return annual
    .map((o) => {
      const n = byMember.get(o.member) as OverlappingRegion;
      const value = o.value - n.value;
      const decimals = o.decimals === undefined || n.decimals === undefined ? undefined : Math.min(o.decimals, n.decimals);
      return { ...o, value, share: exactShare(value, base), decimals };
    })
    .sort(byValue);
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
