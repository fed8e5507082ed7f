import { SourceError } from '../../core/errors.ts';
import { unpadCik } from './feed.ts';

/**
 * `company_tickers.json` parsing and watch-list resolution.
 *
 * The upstream file (`{"0":{cik_str, ticker, title}, …}`, ~10,000 rows) is far too big
 * to keep per cycle, so only the watched companies are cached, as one small state item
 * that is refreshed daily.
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
  /** Normalised watched ticker → company. */
  byTicker: Record<string, { cik: string; title: string }>;
  /** Watched CIK → its ticker (null when the company has none in the file). */
  byCik: Record<string, { ticker: string | null; title: string | null }>;
}

/** How long a cached ticker map is trusted. */
export const TICKER_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

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

/**
 * Build the cache for a watch-list from the full ticker rows. Throws a `config`
 * SourceError naming every ticker EDGAR does not know.
 */
export function buildTickerCache(watchlist: readonly string[], rows: readonly TickerRecord[], fetchedAt: Date): TickerCache {
  const byTickerAll = new Map<string, TickerRecord>();
  const byCikAll = new Map<string, TickerRecord>();
  for (const r of rows) {
    const t = normaliseTicker(r.ticker);
    if (!byTickerAll.has(t)) byTickerAll.set(t, r);
    // The file lists a company's main ticker first (e.g. before other share classes).
    if (!byCikAll.has(r.cik)) byCikAll.set(r.cik, r);
  }
  const cache: TickerCache = { fetchedAt: fetchedAt.toISOString(), byTicker: {}, byCik: {} };
  const unknown: string[] = [];
  for (const entry of watchlist) {
    if (isCikEntry(entry)) {
      const cik = unpadCik(entry.trim());
      const r = byCikAll.get(cik);
      cache.byCik[cik] = { ticker: r?.ticker ?? null, title: r?.title ?? null };
    } else {
      const t = normaliseTicker(entry);
      const r = byTickerAll.get(t);
      if (!r) unknown.push(entry);
      else cache.byTicker[t] = { cik: r.cik, title: r.title };
    }
  }
  if (unknown.length > 0) {
    throw new SourceError(
      'config',
      `watchlist ticker${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => JSON.stringify(t)).join(', ')} not found in EDGAR company_tickers.json; use the exchange ticker or the company's CIK`,
    );
  }
  return cache;
}

/** True when the cache can answer every watch-list entry (it may still be stale). */
export function cacheCovers(cache: TickerCache | undefined, watchlist: readonly string[]): cache is TickerCache {
  if (!cache) return false;
  return watchlist.every((entry) => (isCikEntry(entry) ? unpadCik(entry.trim()) in cache.byCik : normaliseTicker(entry) in cache.byTicker));
}

/** True when the cache is missing, incomplete for this watch-list, or older than the TTL. */
export function cacheNeedsRefresh(cache: TickerCache | undefined, watchlist: readonly string[], now: Date): boolean {
  if (!cacheCovers(cache, watchlist)) return true;
  const fetched = Date.parse(cache.fetchedAt);
  return !Number.isFinite(fetched) || now.getTime() - fetched >= TICKER_CACHE_TTL_MS;
}

/**
 * Resolve the watch-list through a cache that covers it. Companies are deduplicated by
 * CIK (a ticker and a CIK entry for the same company count once; the ticker wins).
 */
export function resolveWatchlist(watchlist: readonly string[], cache: TickerCache): WatchedCompany[] {
  const out = new Map<string, WatchedCompany>();
  for (const entry of watchlist) {
    if (isCikEntry(entry)) {
      const cik = unpadCik(entry.trim());
      const hit = cache.byCik[cik];
      if (!out.has(cik)) out.set(cik, { cik, ticker: hit?.ticker ?? undefined, title: hit?.title ?? undefined, entry });
    } else {
      const t = normaliseTicker(entry);
      const hit = cache.byTicker[t];
      if (!hit) throw new SourceError('config', `watchlist ticker ${JSON.stringify(entry)} is not resolved`);
      out.set(hit.cik, { cik: hit.cik, ticker: entry.trim().toUpperCase(), title: hit.title, entry });
    }
  }
  return [...out.values()];
}

/** Read a cache back from a state item, or undefined if it has another shape. */
export function tickerCacheFromItem(item: Record<string, unknown> | undefined): TickerCache | undefined {
  if (!item || typeof item.fetchedAt !== 'string') return undefined;
  if (typeof item.byTicker !== 'object' || item.byTicker === null || typeof item.byCik !== 'object' || item.byCik === null) return undefined;
  return item as unknown as TickerCache;
}
