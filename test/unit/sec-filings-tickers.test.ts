import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceError } from '#core/errors.ts';
import {
  buildTickerCache,
  cacheCovers,
  cacheNeedsRefresh,
  normaliseTicker,
  parseCompanyTickers,
  refreshTickerCache,
  resolveWatchlist,
  resolveWatchlistPartially,
  TICKER_CACHE_TTL_MS,
  tickerCacheFromItem,
  UNRESOLVED_RETRY_MS,
  watchlistWarnings,
} from '#sources/sec-filings/tickers.ts';
import { OWN_FIXTURES } from '../support/fixtures.ts';

const rows = parseCompanyTickers(JSON.parse(readFileSync(join(OWN_FIXTURES, 'sec/company_tickers.json'), 'utf8')));
const shipped = JSON.parse(readFileSync(join(OWN_FIXTURES, '../../export-watch.config.json'), 'utf8')).watchlist as string[];
const now = new Date('2025-08-27T21:00:00Z');

describe('sec-filings tickers', () => {
  it('parses company_tickers.json rows with unpadded CIKs', () => {
    expect(rows.find((r) => r.ticker === 'NVDA')).toEqual({ cik: '1045810', ticker: 'NVDA', title: 'NVIDIA CORP' });
    expect(rows.length).toBeGreaterThanOrEqual(8);
  });

  it('resolves the shipped watch-list to the known CIKs', () => {
    const cache = buildTickerCache(shipped, rows, now);
    const companies = resolveWatchlist(shipped, cache);
    expect(Object.fromEntries(companies.map((c) => [c.ticker, c.cik]))).toEqual({
      NVDA: '1045810',
      AMD: '2488',
      INTC: '50863',
      MU: '723125',
      AVGO: '1730168',
      SMCI: '1375365',
      AMAT: '6951',
    });
    // Only the watched companies are cached: a few hundred bytes instead of ~1 MB.
    expect(Object.keys(cache.byTicker)).toHaveLength(7);
    expect(JSON.stringify(cache).length).toBeLessThan(2000);
  });

  it('names every unknown ticker in a config error', () => {
    let err: unknown;
    try {
      buildTickerCache(['NVDA', 'NOPE', 'ZZZZ'], rows, now);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).kind).toBe('config');
    expect((err as SourceError).message).toContain('"NOPE"');
    expect((err as SourceError).message).toContain('"ZZZZ"');
  });

  it('accepts CIK entries (any padding), maps them to a ticker when EDGAR has one, and dedupes', () => {
    const list = ['0001045810', 'NVDA', '99999999', 'BRK.B'];
    const cache = buildTickerCache(list, rows, now);
    expect(cache.byCik['1045810']).toEqual({ ticker: 'NVDA', title: 'NVIDIA CORP' });
    expect(cache.byCik['99999999']).toEqual({ ticker: null, title: null });
    const companies = resolveWatchlist(list, cache);
    expect(companies.map((c) => [c.cik, c.ticker])).toEqual([
      ['1045810', 'NVDA'],
      ['99999999', undefined],
      ['1067983', 'BRK.B'],
    ]);
    expect(normaliseTicker('brk.b')).toBe('BRK-B');
  });

  it('refreshes when stale (24 h) or when the watch-list grew, not otherwise', () => {
    const cache = buildTickerCache(['NVDA', '2488'], rows, now);
    expect(cacheNeedsRefresh(undefined, ['NVDA'], now)).toBe(true);
    expect(cacheNeedsRefresh(cache, ['NVDA', '2488'], new Date(now.getTime() + 23 * 3600_000))).toBe(false);
    expect(cacheNeedsRefresh(cache, ['NVDA', '2488'], new Date(now.getTime() + 24 * 3600_000))).toBe(true);
    expect(cacheNeedsRefresh(cache, ['NVDA', 'AMD'], now)).toBe(true);
    expect(cacheCovers(cache, ['NVDA'])).toBe(true);
    expect(tickerCacheFromItem(JSON.parse(JSON.stringify(cache)))).toEqual(cache);
    expect(tickerCacheFromItem({ other: 1 })).toBeUndefined();
  });

  it('an unknown ticker is recorded as unresolved, not a failure: the others resolve and it is reported', () => {
    const list = ['NVDA', 'NOSUCH', 'amd'];
    const cache = refreshTickerCache(list, rows, now, undefined);
    expect(cache.unresolved).toEqual(['NOSUCH']);
    const resolution = resolveWatchlistPartially(list, cache);
    expect(resolution.companies.map((c) => [c.ticker, c.cik])).toEqual([
      ['NVDA', '1045810'],
      ['AMD', '2488'],
    ]);
    expect(resolution).toMatchObject({ unresolved: ['NOSUCH'], missing: [] });
    const [warning, ...more] = watchlistWarnings(resolution);
    expect(more).toEqual([]);
    expect(warning).toEqual({
      kind: 'config',
      message: expect.stringMatching(
        /^watchlist ticker "NOSUCH" not found in EDGAR company_tickers\.json \(unknown or delisted\): not watched/,
      ),
    });
    // The strict resolution (one-company commands) still refuses it.
    expect(() => resolveWatchlist(list, cache)).toThrow(/"NOSUCH" not found/);
    // The state item round-trips, unresolved list included; a bad list is another shape.
    expect(tickerCacheFromItem(JSON.parse(JSON.stringify(cache)))).toEqual(cache);
    expect(tickerCacheFromItem({ ...JSON.parse(JSON.stringify(cache)), unresolved: 'NOSUCH' })).toBeUndefined();
  });

  it('an unresolved ticker counts as covered, but the map is retried hourly instead of daily', () => {
    const cache = refreshTickerCache(['NVDA', 'NOSUCH'], rows, now, undefined);
    expect(cacheCovers(cache, ['NVDA', 'NOSUCH'])).toBe(true);
    expect(cacheNeedsRefresh(cache, ['NVDA', 'NOSUCH'], new Date(now.getTime() + UNRESOLVED_RETRY_MS - 1))).toBe(false);
    expect(cacheNeedsRefresh(cache, ['NVDA', 'NOSUCH'], new Date(now.getTime() + UNRESOLVED_RETRY_MS))).toBe(true);
    // Once the ticker left the watch-list, the daily TTL applies again.
    expect(cacheNeedsRefresh(cache, ['NVDA'], new Date(now.getTime() + UNRESOLVED_RETRY_MS))).toBe(false);
    expect(cacheNeedsRefresh(cache, ['NVDA'], new Date(now.getTime() + TICKER_CACHE_TTL_MS))).toBe(true);
  });

  it('a ticker that vanishes from the file (delisting) keeps its last CIK, with a warning, until it returns', () => {
    const before = refreshTickerCache(['NVDA', 'AMD'], rows, now, undefined);
    const later = new Date(now.getTime() + TICKER_CACHE_TTL_MS);
    const withoutAmd = rows.filter((r) => r.ticker !== 'AMD');
    const gone = refreshTickerCache(['NVDA', 'AMD'], withoutAmd, later, before);
    expect(gone.byTicker.AMD).toEqual({ cik: '2488', title: before.byTicker.AMD?.title, missingSince: later.toISOString() });
    expect(gone.unresolved).toBeUndefined();
    const resolution = resolveWatchlistPartially(['NVDA', 'AMD'], gone);
    expect(resolution.companies.map((c) => c.cik)).toEqual(['1045810', '2488']);
    expect(resolution.missing).toEqual([{ entry: 'AMD', cik: '2488', since: later.toISOString() }]);
    expect(watchlistWarnings(resolution)[0]?.message).toMatch(
      /"AMD" is no longer in EDGAR company_tickers\.json \(since .*\): still watched as CIK 2488/,
    );
    // Still missing a day later: the first sighting is kept; retried hourly meanwhile.
    const still = refreshTickerCache(['NVDA', 'AMD'], withoutAmd, new Date(later.getTime() + TICKER_CACHE_TTL_MS), gone);
    expect(still.byTicker.AMD?.missingSince).toBe(later.toISOString());
    expect(cacheNeedsRefresh(still, ['NVDA', 'AMD'], new Date(later.getTime() + TICKER_CACHE_TTL_MS + UNRESOLVED_RETRY_MS))).toBe(true);
    // Back in the file: no longer missing, no warning.
    const back = refreshTickerCache(['NVDA', 'AMD'], rows, later, still);
    expect(back.byTicker.AMD).toEqual(before.byTicker.AMD);
    expect(watchlistWarnings(resolveWatchlistPartially(['NVDA', 'AMD'], back))).toEqual([]);
  });

  it('rejects a body of another shape', () => {
    expect(() => parseCompanyTickers([])).toThrow(SourceError);
    expect(() => parseCompanyTickers({ 0: { ticker: 'X' } })).toThrow(/cik_str/);
    expect(() => parseCompanyTickers({})).toThrow(SourceError);
  });
});
