import { SourceError } from '#core/errors.ts';
import type { SourceWarning } from '#core/ports.ts';
import { unpadCik } from '../sec/cik.ts';

/**
 * `company_tickers.json` parsing and watch-list resolution.
 *
 * The upstream file (`{"0":{cik_str, ticker, title}, …}`, ~10,000 rows) is far too big
 * to keep per cycle, so only the watched companies are cached, as one small state item
 * that is refreshed daily.
 *
 * One bad entry must not blind the whole watch-list: a ticker EDGAR does not know (a typo,
 * a delisting) is recorded as unresolved and reported as a warning while every other
 * company is still watched, and a ticker that vanishes from the file after it resolved
 * keeps its last CIK (a company's filings matter most around a delisting or merger).
 */

/** One row of company_tickers.json. */
export interface TickerRecord {
  /** Unpadded CIK. */
  cik: string;
  ticker: string;
  title: string;
}

/** A watched company after resolution. */
export interface WatchedCompany {
  /** Unpadded CIK. */
  cik: string;
  /** Ticker when known (from the watch-list entry or the ticker file). */
  ticker: string | undefined;
  /** Company name from the ticker file, when known. */
  title: string | undefined;
  /** The watch-list entry as configured (ticker or CIK). */
  entry: string;
}

/** Cached ticker state (state item `tickers`): only what the watch-list needs. */
export interface TickerCache {
  /** ISO time of the download the cache was built from. */
  fetchedAt: string;
  /**
   * Normalised watched ticker → company. `missingSince`: the ticker has been absent from
   * the file since then, and the CIK is the one an earlier download gave.
   */
  byTicker: Record<string, { cik: string; title: string; missingSince?: string }>;
  /** Watched CIK → its ticker (null when the company has none in the file). */
  byCik: Record<string, { ticker: string | null; title: string | null }>;
  /** Normalised watched tickers the file does not know and no earlier download resolved. */
  unresolved?: string[];
}

/** How long a cached ticker map is trusted. */
export const TICKER_CACHE_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * How long a map with unresolved tickers is trusted: a fixed typo or a new listing should
 * be picked up within the hour, not the next day (one ~1 MB download an hour at most).
 */
export const UNRESOLVED_RETRY_MS = 60 * 60 * 1000;

/** The watch-list resolved as far as EDGAR allows. */
export interface WatchlistResolution {
  companies: WatchedCompany[];
  /** Ticker entries (as configured) EDGAR does not know: not watched. */
  unresolved: string[];
  /** Ticker entries gone from the ticker file, still watched by their last known CIK. */
  missing: Array<{ entry: string; cik: string; since: string }>;
}

/** Ticker spelling used for matching: upper case, share-class dots as dashes (BRK.B = BRK-B). */
export function normaliseTicker(ticker: string): string {
  return ticker.trim().toUpperCase().replace(/\./g, '-');
}

/** True for a watch-list entry that is a CIK rather than a ticker. */
export function isCikEntry(entry: string): boolean {
  return /^\d{1,10}$/.test(entry.trim());
}

/** Parse company_tickers.json; throws `SourceError('parse')` on an unexpected shape. */
export function parseCompanyTickers(json: unknown): TickerRecord[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new SourceError('parse', 'company_tickers.json: expected an object of rows');
  }
  const rows: TickerRecord[] = [];
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const row = value as Record<string, unknown> | null;
    const cik = row?.cik_str;
    const ticker = row?.ticker;
    if (
      row === null ||
      typeof row !== 'object' ||
      (typeof cik !== 'number' && typeof cik !== 'string') ||
      !/^\d{1,10}$/.test(String(cik)) ||
      typeof ticker !== 'string'
    ) {
      throw new SourceError('parse', `company_tickers.json: row ${key} lacks cik_str/ticker`);
    }
    rows.push({ cik: unpadCik(String(cik)), ticker, title: typeof row.title === 'string' ? row.title : '' });
  }
  if (rows.length === 0) throw new SourceError('sanity', 'company_tickers.json has no rows');
  return rows;
}

function unknownTickersError(unknown: readonly string[]): SourceError {
  return new SourceError(
    'config',
    `watchlist ticker${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => JSON.stringify(t)).join(', ')} not found in EDGAR company_tickers.json; use the exchange ticker or the company's CIK`,
  );
}

/**
 * Build the cache for a watch-list from the full ticker rows. Throws a `config`
 * SourceError naming every ticker EDGAR does not know (for one-company commands such as
 * `revenue-history`; the source uses {@link refreshTickerCache}).
 */
export function buildTickerCache(watchlist: readonly string[], rows: readonly TickerRecord[], fetchedAt: Date): TickerCache {
  const cache = refreshTickerCache(watchlist, rows, fetchedAt, undefined);
  const unknown = watchlist.filter((e) => !isCikEntry(e) && cache.unresolved?.includes(normaliseTicker(e)));
  if (unknown.length > 0) throw unknownTickersError(unknown);
  delete cache.unresolved;
  return cache;
}

/**
 * Build the cache for a watch-list from the full ticker rows without failing on unknown
 * tickers: they are listed in `unresolved`, unless `previous` resolved them, in which
 * case the earlier CIK is kept and marked `missingSince`.
 */
export function refreshTickerCache(
  watchlist: readonly string[],
  rows: readonly TickerRecord[],
  fetchedAt: Date,
  previous: TickerCache | undefined,
): TickerCache {
  const byTickerAll = new Map<string, TickerRecord>();
  const byCikAll = new Map<string, TickerRecord>();
  for (const r of rows) {
    const t = normaliseTicker(r.ticker);
    if (!byTickerAll.has(t)) byTickerAll.set(t, r);
    // The file lists a company's main ticker first (e.g. before other share classes).
    if (!byCikAll.has(r.cik)) byCikAll.set(r.cik, r);
  }
  const at = fetchedAt.toISOString();
  const cache: TickerCache = { fetchedAt: at, byTicker: {}, byCik: {} };
  const unresolved: string[] = [];
  for (const entry of watchlist) {
    if (isCikEntry(entry)) {
      const cik = unpadCik(entry.trim());
      const r = byCikAll.get(cik);
      cache.byCik[cik] = { ticker: r?.ticker ?? null, title: r?.title ?? null };
    } else {
      const t = normaliseTicker(entry);
      const r = byTickerAll.get(t);
      const before = previous?.byTicker[t];
      if (r) cache.byTicker[t] = { cik: r.cik, title: r.title };
      else if (before) cache.byTicker[t] = { cik: before.cik, title: before.title, missingSince: before.missingSince ?? at };
      else if (!unresolved.includes(t)) unresolved.push(t);
    }
  }
  if (unresolved.length > 0) cache.unresolved = unresolved;
  return cache;
}

/** True when the cache can answer every watch-list entry, if only with "unknown" (it may still be stale). */
export function cacheCovers(cache: TickerCache | undefined, watchlist: readonly string[]): cache is TickerCache {
  if (!cache) return false;
  return watchlist.every((entry) => {
    if (isCikEntry(entry)) return unpadCik(entry.trim()) in cache.byCik;
    const t = normaliseTicker(entry);
    return t in cache.byTicker || (cache.unresolved ?? []).includes(t);
  });
}

/**
 * True when the cache is missing, incomplete for this watch-list, or older than the TTL
 * ({@link UNRESOLVED_RETRY_MS} while a watched ticker is unresolved or missing).
 */
export function cacheNeedsRefresh(cache: TickerCache | undefined, watchlist: readonly string[], now: Date): boolean {
  if (!cacheCovers(cache, watchlist)) return true;
  const fetched = Date.parse(cache.fetchedAt);
  const incomplete = watchlist.some((entry) => {
    if (isCikEntry(entry)) return false;
    const t = normaliseTicker(entry);
    return (cache.unresolved ?? []).includes(t) || cache.byTicker[t]?.missingSince !== undefined;
  });
  return !Number.isFinite(fetched) || now.getTime() - fetched >= (incomplete ? UNRESOLVED_RETRY_MS : TICKER_CACHE_TTL_MS);
}

/**
 * Resolve the watch-list through a cache that covers it, as far as it goes. Companies are
 * deduplicated by CIK (a ticker and a CIK entry for the same company count once; the
 * ticker wins).
 */
export function resolveWatchlistPartially(watchlist: readonly string[], cache: TickerCache): WatchlistResolution {
  const out = new Map<string, WatchedCompany>();
  const unresolved: string[] = [];
  const missing: WatchlistResolution['missing'] = [];
  for (const entry of watchlist) {
    if (isCikEntry(entry)) {
      const cik = unpadCik(entry.trim());
      const hit = cache.byCik[cik];
      if (!out.has(cik)) out.set(cik, { cik, ticker: hit?.ticker ?? undefined, title: hit?.title ?? undefined, entry });
    } else {
      const hit = cache.byTicker[normaliseTicker(entry)];
      if (!hit) {
        unresolved.push(entry);
        continue;
      }
      if (hit.missingSince) missing.push({ entry, cik: hit.cik, since: hit.missingSince });
      out.set(hit.cik, { cik: hit.cik, ticker: entry.trim().toUpperCase(), title: hit.title, entry });
    }
  }
  return { companies: [...out.values()], unresolved, missing };
}

/**
 * Resolve the watch-list through a cache that covers it; every entry must resolve (a
 * `config` SourceError names those that do not).
 */
export function resolveWatchlist(watchlist: readonly string[], cache: TickerCache): WatchedCompany[] {
  const { companies, unresolved } = resolveWatchlistPartially(watchlist, cache);
  if (unresolved.length > 0) throw unknownTickersError(unresolved);
  return companies;
}

/** The ops warnings of a partial resolution: one per unresolved or vanished ticker. */
export function watchlistWarnings(resolution: Pick<WatchlistResolution, 'unresolved' | 'missing'>): SourceWarning[] {
  return [
    ...resolution.unresolved.map((entry) => ({
      kind: 'config' as const,
      message: `watchlist ticker ${JSON.stringify(entry)} not found in EDGAR company_tickers.json (unknown or delisted): not watched; the other companies are. Fix the ticker or configure the company's CIK`,
    })),
    ...resolution.missing.map((m) => ({
      kind: 'config' as const,
      message: `watchlist ticker ${JSON.stringify(m.entry)} is no longer in EDGAR company_tickers.json (since ${m.since}; delisted or renamed?): still watched as CIK ${m.cik}. Configure the CIK to keep watching it`,
    })),
  ];
}

/** Read a cache back from a state item, or undefined if it has another shape. */
export function tickerCacheFromItem(item: Record<string, unknown> | undefined): TickerCache | undefined {
  if (!item || typeof item.fetchedAt !== 'string') return undefined;
  if (typeof item.byTicker !== 'object' || item.byTicker === null || typeof item.byCik !== 'object' || item.byCik === null)
    return undefined;
  const cache = { ...item } as unknown as TickerCache;
  if (item.unresolved !== undefined) {
    if (!Array.isArray(item.unresolved)) return undefined;
    cache.unresolved = item.unresolved.map(String);
  }
  return cache;
}
