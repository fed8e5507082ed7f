import type { SubscriberFilters } from './config.ts';
import { type Change, IMPORTANCE_LEVELS } from './change.ts';

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
   * get no more mail.
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
}

/** Lifecycle of a subscriber; only `active` ones are mailed alerts. */
export const SUBSCRIBER_STATUSES = ['pending', 'active', 'unsubscribed', 'suppressed'] as const;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

/**
 * An Entity List rule seen on public inspection names no countries yet (the listing has
 * only a title), though it may well concern the subscriber's: a country filter lets it
 * through rather than hide the day-ahead warning. Its published update carries the
 * countries and is filtered normally.
 */
function countriesUnknownYet(change: Change): boolean {
  if (change.countries.length > 0 || change.source !== 'federal-register') return false;
  const classification = (change.data as { classification?: unknown }).classification;
  return typeof classification === 'string' && classification.startsWith('entity-list');
}

/** Does a change pass a subscriber's filters? Every present filter must match. */
export function matchesSubscriber(change: Change, filters: SubscriberFilters): boolean {
  if (filters.sources?.length && !filters.sources.includes(change.source)) return false;
  if (filters.kinds?.length && !filters.kinds.some((k) => change.kind === k || change.kind.startsWith(`${k}.`))) return false;
  if (filters.subjects?.length) {
    const subject = change.subject.toUpperCase();
    if (!filters.subjects.some((s) => s.toUpperCase() === subject)) return false;
  }
  if (filters.countries?.length && !change.countries.some((c) => filters.countries?.includes(c)) && !countriesUnknownYet(change)) return false;
  if (filters.minImportance && IMPORTANCE_LEVELS.indexOf(change.importance) < IMPORTANCE_LEVELS.indexOf(filters.minImportance)) return false;
  return true;
}
