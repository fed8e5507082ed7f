import { describe, expect, it } from 'vitest';
import type { SourceName } from '#core/change.ts';
import { SEC_SOURCES } from '#app/lambda/runtime.ts';
import { SOURCES } from '#sources/index.ts';
import { ALSO_READS, PRIMARY_ROUTE } from '../support/world.ts';

/**
 * In AWS every SEC-reading source is its own function, and each takes an equal share of
 * the SEC budget (10 requests/s across a requester's machines, configured 5/s). A source
 * that reads SEC hosts but is missing from SEC_SOURCES would take a whole budget of its
 * own on top of the others' shares: the sum would exceed what EDGAR allows.
 */
describe('SEC budget shares in Lambda', () => {
  // One path of each EDGAR surface the fake world serves.
  const SEC_PATHS = [
    '/cgi-bin/browse-edgar',
    '/Archives/edgar/data/1045810/000104581025000082/nvda-20250409.htm',
    '/LATEST/search-index',
    '/files/company_tickers.json',
  ];
  const readsSec = (s: SourceName) => [PRIMARY_ROUTE[s], ...(ALSO_READS[s] ?? [])].some((r) => r && SEC_PATHS.some((p) => r.test(p)));

  it('every source that reads an EDGAR route is one of the SEC_SOURCES sharing the budget, and only those', () => {
    const names = Object.keys(SOURCES) as SourceName[];
    expect(names.filter(readsSec).sort()).toEqual([...SEC_SOURCES].sort());
    expect(SEC_SOURCES).toContain('sec-full-text');
  });
});
