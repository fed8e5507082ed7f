import { contentHash, sha256 } from './hash.ts';

/** The sources export-watch polls. Names are part of the change-log contract. */
export const SOURCE_NAMES = [
  'sec-filings',
  'sec-revenue',
  'sec-export-language',
  'federal-register',
  'entity-list',
  'sec-full-text',
] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/**
 * Every change kind a source emits, by source. Filters (`changes --kind`, subscriber
 * `kinds`) take one of these or a dotted prefix of one (`fr`, `entity`); a unit test keeps
 * the list in step with the kinds the sources write.
 */
export const CHANGE_KINDS = [
  'filing.new',
  'revenue.regional',
  'export-language.changed',
  'export-language.8k',
  'fr.document',
  'fr.published',
  'fr.public-inspection',
  'fr.correction',
  'fr.withdrawn',
  'entity.added',
  'entity.removed',
  'entity.amended',
  'filing.mention',
] as const;

/** How much a change matters; subscribers filter on a minimum. */
export const IMPORTANCE_LEVELS = ['low', 'normal', 'high'] as const;
export type Importance = (typeof IMPORTANCE_LEVELS)[number];

/**
 * What a source reports: a change before it has an id and a detection time.
 * `naturalKey` is the upstream's own identity (accession number, FR document number,
 * list + normalised name + country); `version` distinguishes successive states of the
 * same key (e.g. an amended Entity List entry) and defaults to a hash of `data`.
 */
export interface ChangeDraft {
  source: SourceName;
  /** Dotted kind, e.g. `filing.new`, `revenue.shift`, `entity.added`. */
  kind: string;
  naturalKey: string;
  /** Ticker, company, list or agency the change is about. */
  subject: string;
  title: string;
  summary: string;
  url?: string;
  importance?: Importance;
  /** ISO-3166 alpha-2 codes the change concerns, for subscriber filters. */
  countries?: string[];
  /** Upstream time of the event (filing time, publication date), ISO. */
  occurredAt?: string;
  data: Record<string, unknown>;
  /** Set when the same natural key can legitimately change more than once. */
  version?: string;
}

/** A change as stored in the change log. */
export interface Change extends Omit<ChangeDraft, 'version'> {
  id: string;
  version: string;
  detectedAt: string;
  importance: Importance;
  countries: string[];
}

/**
 * Deterministic id: the same source, natural key and version always give the same id,
 * so a conditional put makes every re-run idempotent.
 */
export function changeId(source: SourceName, naturalKey: string, version: string): string {
  return `${source}:${sha256(`${source}\u0000${naturalKey}\u0000${version}`).slice(0, 32)}`;
}

/** Turn a draft into a change detected at `detectedAt`. */
export function finalizeChange(draft: ChangeDraft, detectedAt: Date): Change {
  const version = draft.version ?? contentHash(draft.data).slice(0, 16);
  const { version: _omit, ...rest } = draft;
  return {
    ...rest,
    id: changeId(draft.source, draft.naturalKey, version),
    version,
    detectedAt: detectedAt.toISOString(),
    importance: draft.importance ?? 'normal',
    countries: [...new Set(draft.countries ?? [])].sort(),
  };
}
