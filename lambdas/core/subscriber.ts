import type { SubscriberFilters } from './config.ts';
import { type Change, IMPORTANCE_LEVELS, type SourceName } from './change.ts';

/** A subscriber as stored. */
export interface Subscriber {
  email: string;
  name?: string | undefined;
  mode: 'immediate' | 'daily';
  /** Hour (America/New_York) of the daily digest. */
  digestHour: number;
  filters: SubscriberFilters;
  /**
   * `pending` until the double opt-in is confirmed; config-seeded subscribers start
   * `active`. `unsubscribed` (their own link) and `suppressed` (SES bounce or complaint)
   * get no more mail. `parked` (sends kept failing; ops was told) and `removed` (a
   * config-seeded subscriber who left the config file) get no mail either.
   */
  status: SubscriberStatus;
  createdAt: string;
  /** `config` for subscribers seeded from the config file, `cli` for those added by hand. */
  origin?: 'config' | 'cli' | undefined;
  updatedAt?: string | undefined;
  /** When the double opt-in email went out (pending subscribers get one). */
  confirmationSentAt?: string | undefined;
  confirmedAt?: string | undefined;
  unsubscribedAt?: string | undefined;
  suppressedAt?: string | undefined;
  /** Why SES feedback suppressed the address, e.g. `bounce:Permanent/General`, `complaint:abuse`. */
  suppressionReason?: string | undefined;
  /** End of the window the last daily digest covered (ISO). */
  lastDigestAt?: string | undefined;
  /**
   * End of the window the last daily round-up of {@link ROLLUP_KINDS} covered (ISO):
   * immediate subscribers get those kinds once a day, at their digest hour.
   */
  lastRollupAt?: string | undefined;
  /**
   * Consecutive notifier runs in which sending to this subscriber failed (transiently;
   * a permanent rejection is recorded per change instead), since when, and the last error.
   * Cleared by the next successful send; enough of them park the subscriber.
   */
  deliveryFailures?: { runs: number; since: string; lastError: string } | undefined;
  /** When and why the notifier parked the subscriber (status `parked`). */
  parkedAt?: string | undefined;
  parkedReason?: string | undefined;
  /** When the subscriber left the config file (status `removed`). */
  removedAt?: string | undefined;
}

/**
 * Kinds an immediate subscriber gets once a day, at their digest hour, grouped in one
 * round-up email instead of an alert per notifier run. Market-wide full-text mentions
 * arrive by the dozen through an earnings day (every filer, every 10 minutes); their value
 * is the day's picture per phrase, not a ping per filing. Daily subscribers get them in
 * their digest like everything else.
 */
export const ROLLUP_KINDS: readonly string[] = ['filing.mention'];

/** The sources that produce {@link ROLLUP_KINDS} (the round-up reads only their partitions). */
export const ROLLUP_SOURCES: readonly SourceName[] = ['sec-full-text'];

/** True for a change an immediate subscriber gets in the daily round-up ({@link ROLLUP_KINDS}). */
export function isRollupKind(kind: string): boolean {
  return ROLLUP_KINDS.includes(kind);
}

/** Lifecycle of a subscriber; only `active` ones are mailed alerts. */
export const SUBSCRIBER_STATUSES = ['pending', 'active', 'unsubscribed', 'suppressed', 'parked', 'removed'] as const;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

/**
 * How far a change's `countries` reach. A source records it in `data.countryScope`:
 * - `named`: the change concerns the countries it lists, and only those (none, for a
 *   filing that names no country);
 * - `worldwide`: it applies to every destination; the countries it names, if any, are
 *   examples or exceptions;
 * - `unknown`: it should concern countries but names none, so nobody can tell which yet
 *   (an Entity List rule on public inspection, the AI Diffusion rule's abstract).
 */
export const COUNTRY_SCOPES = ['named', 'worldwide', 'unknown'] as const;
export type CountryScope = (typeof COUNTRY_SCOPES)[number];

/**
 * The country scope of a change: the one its source recorded, else `named`. Changes stored
 * before sources recorded one keep the only exception the filter knew then: an Entity List
 * rule of the Federal Register without countries was `unknown`.
 */
export function countryScopeOf(change: Change): CountryScope {
  const data = change.data as { countryScope?: unknown; classification?: unknown };
  if ((COUNTRY_SCOPES as readonly unknown[]).includes(data.countryScope)) return data.countryScope as CountryScope;
  const legacyEntityListRule =
    change.source === 'federal-register' && typeof data.classification === 'string' && data.classification.startsWith('entity-list');
  return legacyEntityListRule && change.countries.length === 0 ? 'unknown' : 'named';
}

/**
 * A country filter keeps a change that names one of its countries, and every change whose
 * countries are `worldwide` or `unknown`: a rule that names no country may well hit the
 * subscriber's hardest (AI Diffusion, 2025-00636, and Singapore), and a filter must not
 * turn the absence of a name into the absence of an alert.
 */
export function passesCountryFilter(change: Change, countries: readonly string[]): boolean {
  return countryScopeOf(change) !== 'named' || change.countries.some((c) => countries.includes(c));
}

/** Does a change pass a subscriber's filters? Every present filter must match. */
export function matchesSubscriber(change: Change, filters: SubscriberFilters): boolean {
  if (filters.sources?.length && !filters.sources.includes(change.source)) return false;
  if (filters.kinds?.length && !filters.kinds.some((k) => change.kind === k || change.kind.startsWith(`${k}.`))) return false;
  if (filters.subjects?.length) {
    const subject = change.subject.toUpperCase();
    if (!filters.subjects.some((s) => s.toUpperCase() === subject)) return false;
  }
  if (filters.countries?.length && !passesCountryFilter(change, filters.countries)) return false;
  if (filters.minImportance && IMPORTANCE_LEVELS.indexOf(change.importance) < IMPORTANCE_LEVELS.indexOf(filters.minImportance))
    return false;
  return true;
}
