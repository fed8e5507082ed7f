import type { ChangeDraft } from '#core/change.ts';
import { SourceError } from '#core/errors.ts';
import type { ItemWrite, SourceWarning } from '#core/ports.ts';
import type { SourceContext, SourceDefinition } from '#core/source.ts';
import {
  diffCompany,
  type FeedCandidate,
  filingChange,
  type KnownCompany,
  knownFromItem,
  knownKey,
  watchedFeedCandidates,
} from './detect.ts';
import type { FeedFiling } from './feed.ts';
import { fetchCompanySubmissions } from '../sec/fetch.ts';
import { FEED_MAX_START, FEED_PAGE_SIZE, fetchCompanyTickers, readFeed } from './fetch.ts';
import {
  cacheCovers,
  cacheNeedsRefresh,
  refreshTickerCache,
  resolveWatchlistPartially,
  type TickerCache,
  tickerCacheFromItem,
  type WatchedCompany,
  type WatchlistResolution,
  watchlistWarnings,
} from './tickers.ts';
import { companyEntries, emptySectors, refreshRoster, resolveSectors, rosterFromItem, SECTORS_ITEM_KEY, sicEntries } from './sectors.ts';

/**
 * Source `sec-filings`: new filings of the watched companies.
 *
 * Detection costs O(1) requests per quiet cycle: one getcurrent page covers every filer,
 * whatever the size of the watch-list. The feed is read newest first only as far as the
 * top of the previous cycle's first page. A company's submissions JSON is fetched only
 * when the feed shows it filed (one request per company that filed), to get the primary
 * document, period, acceptance time and items. When the feed cannot prove continuity
 * (first run, an outage longer than the pages we are willing to read, a cursor we cannot
 * read), every watched company is reconciled through its submissions JSON by
 * accession-number set difference.
 */

/** A filing the feed showed for a watched company that its submissions JSON did not list yet. */
export interface PendingFiling {
  accession: string;
  /** Unpadded CIK of the watched company. */
  cik: string;
  form: string;
  /** When this source first saw it (ISO, from the clock). */
  firstSeenAt: string;
  /** Raw `<updated>` of the feed entry. */
  feedUpdated: string;
}

/** Cursor of `sec-filings` (stored in the source state item; kept to a few KB). */
export interface SecFilingsCursor {
  v: 1;
  /** Unique accessions of the first feed page at the last successful cycle, newest first. */
  feedHead: string[];
  /** Feed `<updated>` at that time (raw, with offset), for operators. */
  feedUpdated: string | undefined;
  /** Watched CIKs (unpadded) with a `known#<cik>` item, i.e. already baselined. */
  companies: string[];
  /** Feed sightings waiting for the submissions JSON to catch up; never dropped while watched. */
  pending: PendingFiling[];
  /** Last time every company was reconciled through submissions (baseline or repair). */
  lastReconcileAt: string | undefined;
  /** Why that reconcile ran. */
  lastReconcileReason: string | undefined;
  /**
   * Already-baselined companies a reconcile could not fetch within its per-cycle budget
   * (maxCompanyFetches): fetched first thing next cycle, their new filings reported then.
   */
  deferred?: string[];
}

/** Tuning knobs (the shipped source uses the defaults). */
export interface SecFilingsOptions {
  /**
   * Most feed pages read before giving up on continuity and reconciling from submissions.
   * Default: as many pages as watched companies (reading a page and reconciling a company
   * cost one request each), at least 10 and at most the 51 pages EDGAR serves.
   */
  maxFeedPages?: number;
  /** Most older submissions pages fetched per company during a repair. */
  maxOlderPages?: number;
  /**
   * Most submissions JSONs fetched in one cycle (default {@link MAX_COMPANY_FETCHES_PER_CYCLE}).
   * A baseline or repair of a sector of thousands of companies is spread over cycles
   * instead of outrunning the function's timeout, which would fail every cycle forever.
   */
  maxCompanyFetches?: number;
}

/**
 * Default of {@link SecFilingsOptions.maxCompanyFetches}. At this function's share of the
 * SEC budget (5 requests/s over the four SEC functions, 1.25/s) 120 requests take 96 s of
 * the 5-minute timeout, leaving room for the feed, retries and backoff; a 700-company
 * sector is baselined in 6 cycles (6 minutes in filing hours).
 */
export const MAX_COMPANY_FETCHES_PER_CYCLE = 120;

/** Key of the ticker cache item. */
export const TICKERS_ITEM_KEY = 'tickers';

/** A pending filing older than this is logged on every cycle (it is still kept). */
const PENDING_WARN_MS = 24 * 60 * 60 * 1000;

/** Validate a stored cursor; undefined when it has another shape (the cycle then repairs). */
export function parseCursor(value: unknown): SecFilingsCursor | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const c = value as Record<string, unknown>;
  if (c.v !== 1 || !Array.isArray(c.feedHead) || !Array.isArray(c.companies) || !Array.isArray(c.pending)) return undefined;
  const pending = c.pending.filter(
    (p): p is PendingFiling =>
      p !== null &&
      typeof p === 'object' &&
      typeof (p as PendingFiling).accession === 'string' &&
      typeof (p as PendingFiling).cik === 'string',
  );
  return {
    v: 1,
    feedHead: c.feedHead.map(String),
    feedUpdated: typeof c.feedUpdated === 'string' ? c.feedUpdated : undefined,
    companies: c.companies.map(String),
    pending,
    lastReconcileAt: typeof c.lastReconcileAt === 'string' ? c.lastReconcileAt : undefined,
    lastReconcileReason: typeof c.lastReconcileReason === 'string' ? c.lastReconcileReason : undefined,
    deferred: Array.isArray(c.deferred) ? c.deferred.map(String) : undefined,
  };
}

/**
 * Resolve the watch-list, refreshing the cached ticker map at most daily (hourly while an
 * entry is unresolved) and the sector roster daily (sectors.ts). An entry EDGAR does not
 * know becomes a warning, not a failure: the other companies are still watched. Only a
 * watch-list of which nothing resolves fails, and a sector that never resolved.
 */
async function resolveCompanies(
  ctx: SourceContext<SecFilingsCursor>,
  itemWrites: ItemWrite[],
  warnings: SourceWarning[],
): Promise<WatchedCompany[]> {
  const { urls } = ctx.config;
  const watchlist = companyEntries(ctx.config.watchlist);
  const sectors = sicEntries(ctx.config.watchlist);
  const now = ctx.clock.now();
  let resolution: WatchlistResolution = { companies: [], unresolved: [], missing: [] };
  // A watch-list of sectors only needs no ticker file.
  if (watchlist.length > 0) {
    const cached = tickerCacheFromItem(await ctx.readItem(TICKERS_ITEM_KEY));
    let cache: TickerCache | undefined = cached;
    if (cacheNeedsRefresh(cached, watchlist, now)) {
      try {
        cache = refreshTickerCache(watchlist, await fetchCompanyTickers(ctx.http, urls.secWww), now, cached);
        itemWrites.push({ key: TICKERS_ITEM_KEY, value: cache as unknown as Record<string, unknown> });
      } catch (err) {
        // A stale map that still answers every entry beats failing the whole cycle, except
        // when SEC blocks us (the runner must cool down).
        const recoverable = err instanceof SourceError && err.kind !== 'blocked';
        if (!recoverable || !cacheCovers(cached, watchlist)) throw err;
        ctx.log('company_tickers.json refresh failed; using the cached map', { error: (err as Error).message, cachedAt: cached.fetchedAt });
        cache = cached;
      }
    }
    resolution = resolveWatchlistPartially(watchlist, cache as TickerCache);
  }
  let sectorCompanies: WatchedCompany[] = [];
  if (sectors.length > 0) {
    const refresh = await refreshRoster(ctx.http, urls, sectors, rosterFromItem(await ctx.readItem(SECTORS_ITEM_KEY)), now, ctx.log);
    if (refresh.changed) itemWrites.push({ key: SECTORS_ITEM_KEY, value: refresh.roster as unknown as Record<string, unknown> });
    warnings.push(...refresh.warnings);
    sectorCompanies = resolveSectors(sectors, refresh.roster, new Set(resolution.companies.map((c) => c.cik)));
    for (const e of emptySectors(sectors, refresh.roster)) {
      warnings.push({
        kind: 'config',
        message: `watchlist sector ${e.entry}: no company ${e.fpiOnly ? 'of SIC ' + e.sic + ' files as a foreign private issuer (20-F/40-F/6-K)' : 'listed'}; nothing watched for it`,
      });
    }
  }
  if (resolution.companies.length === 0 && sectorCompanies.length === 0 && resolution.unresolved.length > 0) {
    throw new SourceError(
      'config',
      `no watchlist entry resolves: ${resolution.unresolved.map((t) => JSON.stringify(t)).join(', ')} not found in EDGAR company_tickers.json; use the exchange ticker or the company's CIK`,
    );
  }
  const found = watchlistWarnings(resolution);
  if (found.length > 0)
    ctx.log('watch-list entries not resolved; the other companies are watched', {
      unresolved: resolution.unresolved,
      missing: resolution.missing,
    });
  warnings.push(...found);
  return [...resolution.companies, ...sectorCompanies];
}

function uniqueFilings(pages: ReadonlyArray<{ filings: FeedFiling[] }>): FeedFiling[] {
  const seen = new Set<string>();
  const out: FeedFiling[] = [];
  for (const page of pages) {
    for (const f of page.filings) {
      if (seen.has(f.accession)) continue;
      seen.add(f.accession);
      out.push(f);
    }
  }
  return out;
}

/** Build the `sec-filings` source. */
export function createSecFilingsSource(options: SecFilingsOptions = {}): SourceDefinition<SecFilingsCursor> {
  return {
    name: 'sec-filings',
    async poll(ctx) {
      const { config, http } = ctx;
      const now = ctx.clock.now();
      const forms = config.forms;
      const itemWrites: ItemWrite[] = [];
      const changes: ChangeDraft[] = [];
      const warnings: SourceWarning[] = [];
      const requestsBefore = http.stats.requests;

      const companies = await resolveCompanies(ctx, itemWrites, warnings);
      const byCik = new Map(companies.map((c) => [c.cik, c]));
      const watchedCiks = new Set(byCik.keys());

      const baseline = ctx.cursor === undefined;
      const cursor = baseline ? undefined : parseCursor(ctx.cursor);
      if (!baseline && !cursor) ctx.log('unreadable cursor; reconciling every company from submissions');

      // The feed is read before any submissions JSON: a filing accepted in between is then
      // either in the submissions we read (known) or above the new feed head (seen next time).
      const maxFeedPages = options.maxFeedPages ?? Math.min(FEED_MAX_START / FEED_PAGE_SIZE + 1, Math.max(10, companies.length));
      const feed = await readFeed(http, config.urls.secWww, {
        previousHead: cursor ? new Set(cursor.feedHead) : undefined,
        maxPages: maxFeedPages,
      });
      const firstPage = feed.pages[0];
      if (!firstPage) throw new SourceError('sanity', 'EDGAR getcurrent feed gave no page');
      const filings = uniqueFilings(feed.pages);
      const candidates = watchedFeedCandidates(filings, watchedCiks, forms);
      const candidatesByCik = new Map<string, FeedCandidate[]>();
      for (const c of candidates) candidatesByCik.set(c.cik, [...(candidatesByCik.get(c.cik) ?? []), c]);

      let reconcileReason: string | undefined;
      if (baseline) reconcileReason = 'baseline';
      else if (!cursor) reconcileReason = 'unreadable cursor';
      else if (!feed.reachedPreviousHead) {
        reconcileReason = feed.endOfFeed
          ? `feed ended after ${feed.pages.length} page(s) without reaching the previous head`
          : `previous head not within ${feed.pages.length} feed page(s)`;
      }

      // Previous knowledge and the set of companies whose submissions we need. (Sets: a
      // sector watch-list has thousands of companies and this runs every minute.)
      const previousCompanies = new Set(cursor?.companies ?? []);
      const known = new Map<string, KnownCompany>();
      const toFetch = new Set<string>();
      const pendingIn = (cursor?.pending ?? []).filter((p) => watchedCiks.has(p.cik));
      if (reconcileReason) {
        if (!baseline) {
          for (const { value } of await ctx.readItems('known#')) {
            const k = knownFromItem(value);
            if (k) known.set(k.cik, k);
          }
        }
        for (const c of companies) toFetch.add(c.cik);
      } else {
        const deferredIn = (cursor?.deferred ?? []).filter((cik) => watchedCiks.has(cik) && previousCompanies.has(cik));
        const interesting = new Set<string>([...candidatesByCik.keys(), ...pendingIn.map((p) => p.cik), ...deferredIn]);
        for (const cik of interesting) {
          const k = knownFromItem(await ctx.readItem(knownKey(cik)));
          if (k) known.set(cik, k);
        }
        for (const [cik, list] of candidatesByCik) {
          const k = known.get(cik);
          if (!k || list.some((c) => !k.accessions.includes(c.accession))) toFetch.add(cik);
        }
        for (const p of pendingIn) toFetch.add(p.cik);
        for (const cik of deferredIn) toFetch.add(cik);
        // Newly watched companies are baselined quietly (their history is not news).
        for (const c of companies) if (!previousCompanies.has(c.cik)) toFetch.add(c.cik);
      }
      if (reconcileReason)
        ctx.log('reconciling every watched company from submissions', { reason: reconcileReason, companies: companies.length });

      // Within the per-cycle budget: companies the feed showed filing (or pending) first,
      // then those a previous reconcile deferred, then the rest in watch-list order.
      const budget = options.maxCompanyFetches ?? MAX_COMPANY_FETCHES_PER_CYCLE;
      const urgent = new Set<string>([...candidatesByCik.keys(), ...pendingIn.map((p) => p.cik)]);
      const carried = new Set(cursor?.deferred ?? []);
      const rank = (cik: string) => (urgent.has(cik) ? 0 : carried.has(cik) ? 1 : 2);
      const ordered = companies.filter((c) => toFetch.has(c.cik)).sort((a, b) => rank(a.cik) - rank(b.cik));
      const deferredCompanies = new Set(ordered.slice(budget).map((c) => c.cik));
      for (const cik of deferredCompanies) toFetch.delete(cik);
      if (deferredCompanies.size > 0)
        ctx.log('submissions budget reached; the rest is fetched next cycle', {
          fetching: toFetch.size,
          deferred: deferredCompanies.size,
          budget,
        });

      const pendingOut: PendingFiling[] = [];
      const fetched = new Set<string>();
      /** Companies whose submissions EDGAR does not know (404): warned about, left as they were. */
      const unknownToEdgar = new Set<string>();
      let rowsSeen = 0;
      for (const company of ordered) {
        if (!toFetch.has(company.cik)) continue;
        const previous = known.get(company.cik);
        let subs: Awaited<ReturnType<typeof fetchCompanySubmissions>>;
        try {
          subs = await fetchCompanySubmissions(http, config.urls.secData, company.cik, previous, {
            maxOlderPages: options.maxOlderPages,
            log: ctx.log,
          });
        } catch (err) {
          // A CIK EDGAR does not know is one bad watch-list entry, like an unknown ticker:
          // warn and watch the others. Its knowledge and feed sightings are kept, so a
          // company that comes back loses nothing.
          if (!(err instanceof SourceError) || err.kind !== 'config') throw err;
          unknownToEdgar.add(company.cik);
          warnings.push({ kind: 'config', message: `${err.message}: not watched this cycle; the other companies are` });
          if (previous) {
            for (const c of candidatesByCik.get(company.cik) ?? []) {
              if (!pendingIn.some((p) => p.accession === c.accession))
                pendingOut.push({
                  accession: c.accession,
                  cik: c.cik,
                  form: c.form,
                  firstSeenAt: now.toISOString(),
                  feedUpdated: c.seenUpdated,
                });
            }
          }
          continue;
        }
        fetched.add(company.cik);
        rowsSeen += subs.rows.length;
        if (subs.olderPagesFetched.length > 0)
          ctx.log('fetched older submissions pages', { cik: company.cik, pages: subs.olderPagesFetched });
        const sightings = (candidatesByCik.get(company.cik) ?? []).map((c) => c.accession);
        const diff = diffCompany({
          cik: company.cik,
          name: subs.doc.name,
          known: previous,
          rows: subs.rows,
          forms,
          now,
          // A baseline also takes in what the feed showed, whether or not the JSON lists it yet.
          alsoKnown: previous ? [] : sightings,
        });
        const who = { cik: company.cik, ticker: company.ticker ?? subs.doc.tickers[0], name: subs.doc.name };
        for (const row of diff.newRows) changes.push(filingChange(who, row, config.urls.secWww));
        itemWrites.push({ key: knownKey(company.cik), value: diff.next as unknown as Record<string, unknown> });

        // Feed sightings the JSON does not list yet stay pending (retried every cycle) until it does.
        if (previous) {
          const nowKnown = new Set(diff.next.accessions);
          const carried = pendingIn.filter((p) => p.cik === company.cik);
          const fresh = (candidatesByCik.get(company.cik) ?? []).filter((c) => !carried.some((p) => p.accession === c.accession));
          const waiting: PendingFiling[] = [
            ...carried,
            ...fresh.map((c) => ({
              accession: c.accession,
              cik: c.cik,
              form: c.form,
              firstSeenAt: now.toISOString(),
              feedUpdated: c.seenUpdated,
            })),
          ];
          for (const p of waiting) {
            if (nowKnown.has(p.accession)) continue;
            pendingOut.push(p);
            if (now.getTime() - Date.parse(p.firstSeenAt) > PENDING_WARN_MS) {
              ctx.log('filing still missing from submissions JSON', { accession: p.accession, cik: p.cik, firstSeenAt: p.firstSeenAt });
            }
          }
        }
      }
      // Pending filings of companies not fetched this cycle (cannot happen today: every
      // pending company is fetched) are carried over so nothing is ever lost.
      for (const p of pendingIn) if (!fetched.has(p.cik) && !pendingOut.some((q) => q.accession === p.accession)) pendingOut.push(p);
      // Feed sightings of known companies deferred by the budget wait the same way.
      for (const cik of deferredCompanies) {
        if (!known.has(cik)) continue;
        for (const c of candidatesByCik.get(cik) ?? []) {
          if (!pendingOut.some((q) => q.accession === c.accession))
            pendingOut.push({
              accession: c.accession,
              cik: c.cik,
              form: c.form,
              firstSeenAt: now.toISOString(),
              feedUpdated: c.seenUpdated,
            });
        }
      }
      // A deferred company that was baselined before stays baselined (its new filings are
      // reported when it is fetched); one never baselined is simply still new next cycle.
      const deferredOut = [...deferredCompanies].filter((cik) => previousCompanies.has(cik));
      const deferredSet = new Set(deferredOut);

      // Forget companies that left the watch-list (re-adding one baselines it again).
      for (const cik of previousCompanies) if (!watchedCiks.has(cik)) itemWrites.push({ key: knownKey(cik), value: null });
      const knownCompanies = companies
        .map((c) => c.cik)
        .filter(
          (cik) =>
            fetched.has(cik) ||
            deferredSet.has(cik) ||
            ((!reconcileReason || (unknownToEdgar.has(cik) && known.has(cik))) && previousCompanies.has(cik)),
        );

      const nextCursor: SecFilingsCursor = {
        v: 1,
        feedHead: firstPage.filings.map((f) => f.accession),
        feedUpdated: firstPage.updated ?? firstPage.entries[0]?.updated,
        companies: knownCompanies,
        pending: pendingOut,
        lastReconcileAt: reconcileReason ? now.toISOString() : cursor?.lastReconcileAt,
        lastReconcileReason: reconcileReason ?? cursor?.lastReconcileReason,
        ...(deferredOut.length > 0 ? { deferred: deferredOut } : {}),
      };
      ctx.log('sec-filings cycle', {
        mode: reconcileReason ? 'reconcile' : 'feed',
        reason: reconcileReason,
        feedPages: feed.pages.length,
        feedCandidates: candidates.length,
        companiesFetched: fetched.size,
        companiesDeferred: deferredCompanies.size,
        newFilings: changes.length,
        pending: pendingOut.length,
        warnings: warnings.length,
        requests: http.stats.requests - requestsBefore,
      });
      return { changes, cursor: nextCursor, itemsSeen: filings.length + rowsSeen, itemWrites, warnings };
    },
  };
}

/** The shipped `sec-filings` source. */
export const secFilingsSource: SourceDefinition<SecFilingsCursor> = createSecFilingsSource();
