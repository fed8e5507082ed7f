import * as z from 'zod';
import { defineContract } from '#core/contract.ts';

/**
 * The `data` of a regional revenue change (`revenue.regional`), as detect.ts `buildChange`
 * writes it: one geographic split of one filing's period, against the period it is compared
 * with. Fields added since the first version (2026-12-02: the two totals, the overlap split,
 * the dimension labels and scope) are optional, as older records lack them. Loose objects: a
 * field added later never breaks an older reader. Imported by notify/ and analytics/, so it
 * declares its small types itself.
 */

/** One region of a split: in units of the currency; `share` is the fraction of the share base. */
export const RevenueRegionData = z.looseObject({
  /** Canonical member QName: `country:SG`, `nvda:ChinaIncludingHongKongMember`. */
  member: z.string(),
  label: z.string(),
  value: z.number(),
  /** Exact fraction of the base; changes stored before shares were kept exact hold it rounded to 4 places. */
  share: z.number(),
});
/** One region of a split. */
export type RevenueRegionData = z.infer<typeof RevenueRegionData>;

/** A member reported beside the regions that overlaps them (not added to their sum). */
export const RevenueOverlapData = z.looseObject({
  ...RevenueRegionData.shape,
  /** `aggregate`: the sum of other members (`covers`); `part`: a part of one region. */
  overlap: z.enum(['aggregate', 'part']),
  covers: z.array(z.string()).optional(),
  countries: z.array(z.string()),
});
/** One overlapping member. */
export type RevenueOverlapData = z.infer<typeof RevenueOverlapData>;

/** Percentage points and percent moves, null when the region is missing on one side. */
const moveNumber = z.number().nullable().optional();

/** One region's move against the compared periods (`sharePp…` in pp, `valuePct…` in percent). */
export const RevenueMoveData = z.looseObject({
  member: z.string(),
  label: z.string(),
  countries: z.array(z.string()),
  share: z.number().nullable(),
  value: z.number().nullable(),
  sharePpYoY: moveNumber,
  valuePctYoY: moveNumber,
  sharePpQoQ: moveNumber,
  valuePctQoQ: moveNumber,
  sharePpRecast: moveNumber,
  valuePctRecast: moveNumber,
  notable: z.boolean(),
});
/** One region's move. */
export type RevenueMoveData = z.infer<typeof RevenueMoveData>;

/**
 * `moves` as a list (what the source writes). Readers have always also taken a map of member
 * to move (the member then is the key), so such a record still reads.
 */
export const RevenueMovesData = z.union([z.array(RevenueMoveData), z.record(z.string(), RevenueMoveData.partial())]);

/** The period of the split. */
export const RevenuePeriodData = z.looseObject({
  start: z.string(),
  end: z.string(),
  /** `quarter`, `half`, `nine-months`, `annual`, `other`. */
  kind: z.string(),
  days: z.number(),
  /** `Q2 FY2026`. */
  fiscalLabel: z.string(),
  /** Present (true) when the period is computed (Q4 = year − nine months), not reported. */
  derived: z.literal(true).optional(),
});
/** The period of a split. */
export type RevenuePeriodData = z.infer<typeof RevenuePeriodData>;

/** The period compared with: `yoy`, `qoq` or `recast` (the same period as reported before). */
export const RevenueComparisonData = z.looseObject({
  basis: z.enum(['yoy', 'qoq', 'recast']),
  start: z.string(),
  end: z.string(),
  fiscalLabel: z.string(),
  accession: z.string().nullable(),
});
/** A compared period. */
export type RevenueComparisonData = z.infer<typeof RevenueComparisonData>;

/** Data of `revenue.regional`. */
export const RevenueRegionalData = z.looseObject({
  /** 10-digit CIK. */
  cik: z.string(),
  company: z.string(),
  /** `us-gaap:Revenues`. */
  concept: z.string(),
  /** The other dimensions held equal (axis → member), empty for the plain split. Absent in hand-made records. */
  dimensions: z.record(z.string(), z.string()).optional(),
  period: RevenuePeriodData,
  /** The headline comparison; null when there was no earlier period. */
  comparedWith: RevenueComparisonData.nullable(),
  /** The quarter before, when there is one. */
  previousQuarter: RevenueComparisonData.nullable().optional(),
  /** The split before (null without a comparison) and now. */
  regions: z.looseObject({ before: z.array(RevenueRegionData).nullable(), after: z.array(RevenueRegionData) }),
  moves: RevenueMovesData,
  /**
   * The splits given flat instead of under `regions`, as hand-made records may (the email
   * renderer has always read `regions.before ?? regionsBefore ?? before`, and the same for
   * `after`). The source never writes them.
   */
  regionsBefore: z.array(RevenueRegionData).nullable().optional(),
  regionsAfter: z.array(RevenueRegionData).optional(),
  before: z.array(RevenueRegionData).nullable().optional(),
  after: z.array(RevenueRegionData).optional(),
  /** Members new in, and gone from, the split against the headline comparison. Absent in hand-made records (none). */
  membersAdded: z.array(z.string()).optional(),
  membersRemoved: z.array(z.string()).optional(),
  recast: z.boolean(),
  /** Labels of the other dimensions' members, by axis (since 2026-12-02). */
  dimensionLabels: z.record(z.string(), z.string()).optional(),
  /** Those labels in words (`Streaming`), '' for the plain split (since 2026-12-02). */
  scope: z.string().optional(),
  /** The split's own total; null when the filing has none. */
  total: z.number().nullable(),
  /** The company's revenue (since 2026-12-02). */
  consolidatedTotal: z.number().nullable().optional(),
  /** What shares are fractions of (since 2026-12-02). */
  shareBase: z.enum(['total', 'sumOfRegions']).optional(),
  /** The share base in words (`total revenue`). Absent in hand-made records. */
  shareOf: z.string().optional(),
  /** Members beside the regions that overlap them (since 2026-12-02). */
  overlapping: z.array(RevenueOverlapData).optional(),
  totalBefore: z.number().nullable(),
  /** The regions add up to the total; null when there is no total to check. */
  complete: z.boolean().nullable(),
  accession: z.string(),
  form: z.string(),
});
/** Data of `revenue.regional`. */
export type RevenueRegionalData = z.infer<typeof RevenueRegionalData>;

/** The one kind of sec-revenue; `schema` is the discriminated union on `kind`. */
export const SEC_REVENUE_CONTRACT = defineContract('sec-revenue', { 'revenue.regional': RevenueRegionalData });
