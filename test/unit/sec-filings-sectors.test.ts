import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkSubject } from '#app/cli/input.ts';
import { parseConfigFile } from '#core/config.ts';
import { ConfigError, SourceError } from '#core/errors.ts';
import { UpstreamClient } from '#core/http.ts';
import { isFpiForm } from '#sources/sec/forms.ts';
import { parseSicEntry } from '#sources/sec/sic.ts';
import {
  classificationsDue,
  companyEntries,
  FPI_RECHECK_MS,
  isForeignPrivateIssuer,
  MAX_CLASSIFICATIONS_PER_CYCLE,
  parseSicListPage,
  refreshRoster,
  resolveSectors,
  rosterFromItem,
  SECTOR_TTL_MS,
  type SectorRoster,
  sicEntries,
  sicListUrl,
} from '#sources/sec-filings/sectors.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { itWithSharedFixtures, shared } from '../support/fixtures.ts';
import {
  registerSecCompaniesBySic,
  registerSecSectorList,
  registerSecSubmissions,
  SEC_FEED_PATH,
  SEC_SECTOR_FIXTURES,
  type SicListEntrySpec,
  sicListAtom,
  submissionsJson,
  syntheticSubmissions,
} from '../support/upstreams/sec.ts';

/** Issue 17, item 2: sector watch-list entries, their EDGAR roster and its daily cache. */

let fake: FakeUpstream;
let http: UpstreamClient;
let urls: { secWww: string; secData: string };
const T0 = new Date('2026-03-03T15:00:00Z');
const HOUR = 60 * 60 * 1000;
const sectorFile = (name: string) => join(SEC_SECTOR_FIXTURES, name);
const TSMC = '1046179';
const UMC = '1033767';
const ASE = '1122411';

beforeAll(async () => {
  fake = await new FakeUpstream().start();
  urls = { secWww: fake.url, secData: `${fake.url}/sec-data` };
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.clearRequests();
  http = new UpstreamClient({
    secUserAgent: 'export-watch tests tests@example.com',
    secHosts: [new URL(fake.url).host],
    secRequestsPerSecond: 1000,
    otherRequestsPerSecond: 1000,
    timeoutMs: 5000,
    maxRetries: 1,
    maxBodyBytes: 64 * 1024 * 1024,
    backoffBaseMs: 1,
  });
});

const companies = (n: number, from = 8_100_001): SicListEntrySpec[] => Array.from({ length: n }, (_, i) => ({ cik: from + i }));
const browseRequests = () => fake.requests.filter((r) => r.path === SEC_FEED_PATH);
const submissionRequests = () => fake.requests.filter((r) => r.path.startsWith('/sec-data/submissions/'));

function serveSectorSubmissions(extra: Record<string, unknown> = {}): void {
  registerSecSubmissions(fake, (name) => {
    if (name in extra) return extra[name];
    try {
      return JSON.parse(readFileSync(sectorFile(`submissions/${name}`), 'utf8'));
    } catch {
      const cik = /^CIK(\d{10})\.json$/.exec(name)?.[1];
      return cik ? syntheticSubmissions(cik) : undefined;
    }
  });
}

describe('sector watch-list entries', () => {
  it('parses SIC:3674 and SIC:3674:FPI, and keeps tickers and CIKs apart', () => {
    expect(parseSicEntry('SIC:3674')).toEqual({ sic: '3674', fpiOnly: false, entry: 'SIC:3674' });
    expect(parseSicEntry('SIC:3559:FPI')).toEqual({ sic: '3559', fpiOnly: true, entry: 'SIC:3559:FPI' });
    expect(parseSicEntry('NVDA')).toBeUndefined();
    expect(parseSicEntry('1045810')).toBeUndefined();
    const list = ['NVDA', 'SIC:3674', '1046179', 'SIC:3672:FPI'];
    expect(sicEntries(list).map((e) => e.entry)).toEqual(['SIC:3674', 'SIC:3672:FPI']);
    expect(companyEntries(list)).toEqual(['NVDA', '1046179']);
  });

  it('the config accepts sector entries and refuses malformed ones with an error naming the field and the syntax', () => {
    expect(parseConfigFile({ watchlist: ['SIC:3674', 'SIC:3674:FPI', 'NVDA', '1045810'] }).watchlist).toHaveLength(4);
    for (const bad of ['SIC:367', 'SIC:36745', 'SIC:3674:fpi', 'sic:3674', 'SIC:3674:ADR', 'SIC 3674']) {
      expect(() => parseConfigFile({ watchlist: [bad] }), bad).toThrow(ConfigError);
      expect(() => parseConfigFile({ watchlist: [bad] }), bad).toThrow(/watchlist\.0: .*SIC:3674 \(4-digit SIC code\).*SIC:3674:FPI/);
    }
  });
});

describe('company browse by SIC code', () => {
  it('parses the recorded page: CIKs unpadded, the SIC code, and no name where EDGAR prints ARRAY(0x…)', () => {
    const page = parseSicListPage(readFileSync(sectorFile('sic-3674-start0.atom.xml'), 'latin1'));
    expect(page.entries.map((e) => e.cik)).toEqual(['1045810', '2488', '50863', '723125', TSMC, UMC, ASE, '9999201']);
    expect(page.entries.every((e) => e.sic === '3674' && e.name === undefined)).toBe(true);
    expect(page.hasNext).toBe(false);
  });

  it('keeps a real name when the entry has one, and refuses an HTML page or an entry without a CIK', () => {
    const named = sicListAtom('3674', [{ cik: 1 }])
      .toString('latin1')
      .replace(/company-info name="[^"]*"/, 'company-info name="EXEMPLE &amp; FILS SA"');
    expect(parseSicListPage(named).entries[0]).toMatchObject({ cik: '1', name: 'EXEMPLE & FILS SA' });
    expect(() => parseSicListPage('<!DOCTYPE html><html><body>No matching companies.</body></html>')).toThrow(SourceError);
    const noCik = sicListAtom('3674', [{ cik: 1 }])
      .toString('latin1')
      .replace(/<cik>\d+<\/cik>/, '')
      .replace(/cik=\d+<\/id>/, '</id>');
    expect(() => parseSicListPage(noCik)).toThrow(/an entry has no CIK/);
    expect(() =>
      parseSicListPage(
        sicListAtom('3674', [{ cik: 1 }])
          .toString('latin1')
          .slice(0, 400),
      ),
    ).toThrow(/not an Atom feed/);
  });

  it('pages with start until a short page: 150 companies cost 2 requests with the query EDGAR expects', async () => {
    registerSecCompaniesBySic(fake, { '3674': companies(150) });
    const refresh = await refreshRoster(http, urls, sicEntries(['SIC:3674']), undefined, T0);
    expect(refresh.roster.sectors['3674']?.ciks).toHaveLength(150);
    expect(refresh.roster.sectors['3674']).toMatchObject({ fetchedAt: T0.toISOString() });
    expect(browseRequests().map((r) => r.query)).toEqual([
      '?action=getcompany&SIC=3674&type=&dateb=&owner=include&start=0&count=100&output=atom',
      '?action=getcompany&SIC=3674&type=&dateb=&owner=include&start=100&count=100&output=atom',
    ]);
    expect(sicListUrl('https://www.sec.gov', '3674', 0)).toBe(`https://www.sec.gov${SEC_FEED_PATH}${browseRequests()[0]?.query}`);
    // No FPI entry: no submissions JSON is fetched.
    expect(submissionRequests()).toEqual([]);
    expect(refresh.requests).toBe(2);
  });

  it('a company on two pages (boundaries moved between requests) counts once', async () => {
    const all = companies(100);
    registerSecCompaniesBySic(fake, (sic, start) =>
      start === 0 ? sicListAtom(sic, all, { start }) : sicListAtom(sic, [all[99] as SicListEntrySpec, { cik: 9_000_001 }], { start }),
    );
    const refresh = await refreshRoster(http, urls, sicEntries(['SIC:3674']), undefined, T0);
    expect(refresh.roster.sectors['3674']?.ciks).toHaveLength(101);
  });
});

describe('foreign private issuer rule', () => {
  it('20-F, 40-F, 6-K and their amendments and registration forms are FPI forms; 10-K, 10-Q, 8-K are not', () => {
    for (const f of ['20-F', '20-F/A', '40-F', '6-K', '6-K/A', '20FR12B']) expect(isFpiForm(f), f).toBe(true);
    for (const f of ['10-K', '10-Q', '8-K', '10-K/A', 'S-1', '4', 'F-1']) expect(isFpiForm(f), f).toBe(false);
  });

  itWithSharedFixtures('NVIDIA (real submissions JSON) is not a foreign private issuer', () => {
    expect(isForeignPrivateIssuer(JSON.parse(readFileSync(shared('sec/nvidia/submissions-CIK0001045810.json'), 'utf8')))).toBe(false);
  });

  it('TSMC (6-K, 20-F) and UMC (6-K, 20-F/A) are; a domestic 10-K filer is not; no form column is a parse error', () => {
    const read = (cik: string) => JSON.parse(readFileSync(sectorFile(`submissions/CIK${cik.padStart(10, '0')}.json`), 'utf8'));
    expect(isForeignPrivateIssuer(read(TSMC))).toBe(true);
    expect(isForeignPrivateIssuer(read(UMC))).toBe(true);
    expect(isForeignPrivateIssuer(read('9999201'))).toBe(false);
    expect(() => isForeignPrivateIssuer({ cik: '1', filings: {} })).toThrow(SourceError);
  });
});

describe('sector roster refresh', () => {
  it('SIC:3674:FPI keeps TSMC, UMC and ASE of the recorded list, classified once from their submissions', async () => {
    registerSecSectorList(fake);
    serveSectorSubmissions({
      'CIK0001045810.json': submissionsJson({
        cik: 1045810,
        name: 'NVIDIA CORP',
        rows: [{ accession: '0001045810-25-000209', filingDate: '2025-08-27', form: '10-Q' }],
      }),
    });
    const entries = sicEntries(['SIC:3674:FPI']);
    const first = await refreshRoster(http, urls, entries, undefined, T0);
    expect(resolveSectors(entries, first.roster).map((c) => [c.cik, c.title, c.entry])).toEqual([
      [TSMC, 'TAIWAN SEMICONDUCTOR MANUFACTURING CO LTD', 'SIC:3674:FPI'],
      [UMC, 'UNITED MICROELECTRONICS CORP', 'SIC:3674:FPI'],
      [ASE, 'ASE Technology Holding Co., Ltd.', 'SIC:3674:FPI'],
    ]);
    expect(submissionRequests()).toHaveLength(8);
    expect(first.requests).toBe(9);

    // Later the same day: nothing is requested. A day later: only the list is re-read.
    fake.clearRequests();
    const same = await refreshRoster(http, urls, entries, first.roster, new Date(T0.getTime() + 3 * HOUR));
    expect(same).toMatchObject({ changed: false, requests: 0 });
    expect(fake.requests).toEqual([]);
    const nextDay = await refreshRoster(http, urls, entries, same.roster, new Date(T0.getTime() + SECTOR_TTL_MS));
    expect(nextDay.requests).toBe(1);
    expect(submissionRequests()).toEqual([]);
    // A month later each classification is checked again.
    expect(classificationsDue(nextDay.roster, entries, new Date(T0.getTime() + FPI_RECHECK_MS))).toHaveLength(8);
  });

  it('the whole-sector entry wins no FPI filter; a ticker-watched CIK is not listed twice', async () => {
    registerSecSectorList(fake);
    const entries = sicEntries(['SIC:3674']);
    const { roster } = await refreshRoster(http, urls, entries, undefined, T0);
    const resolved = resolveSectors(entries, roster, new Set(['1045810']));
    expect(resolved.map((c) => c.cik)).toEqual(['2488', '50863', '723125', TSMC, UMC, ASE, '9999201']);
    expect(submissionRequests()).toEqual([]);
  });

  it(`classifies at most ${MAX_CLASSIFICATIONS_PER_CYCLE} companies per cycle and carries on in the next one`, async () => {
    registerSecCompaniesBySic(fake, { '3559': companies(MAX_CLASSIFICATIONS_PER_CYCLE + 30) });
    serveSectorSubmissions();
    const entries = sicEntries(['SIC:3559:FPI']);
    const first = await refreshRoster(http, urls, entries, undefined, T0);
    expect(submissionRequests()).toHaveLength(MAX_CLASSIFICATIONS_PER_CYCLE);
    expect(classificationsDue(first.roster, entries, T0)).toHaveLength(30);
    fake.clearRequests();
    const second = await refreshRoster(http, urls, entries, first.roster, new Date(T0.getTime() + 5 * 60_000));
    expect(browseRequests()).toEqual([]);
    expect(submissionRequests()).toHaveLength(30);
    expect(classificationsDue(second.roster, entries, T0)).toEqual([]);
  });

  it('a failed refresh keeps the previous roster and warns; the sector is never dropped', async () => {
    registerSecCompaniesBySic(fake, { '3674': companies(3) });
    const entries = sicEntries(['SIC:3674']);
    const first = await refreshRoster(http, urls, entries, undefined, T0);
    registerSecCompaniesBySic(fake, () => ({ status: 500, body: 'boom' }));
    const later = new Date(T0.getTime() + SECTOR_TTL_MS + HOUR);
    const failed = await refreshRoster(http, urls, entries, first.roster, later);
    expect(failed.changed).toBe(false);
    expect(failed.roster.sectors['3674']).toEqual(first.roster.sectors['3674']);
    expect(resolveSectors(entries, failed.roster)).toHaveLength(3);
    expect(failed.warnings).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(
          /SIC:3674: roster refresh failed .*still watching the 3 companies listed at 2026-03-03T15:00:00.000Z/,
        ),
      }),
    ]);
    // An HTML page served with 200 is a failed refresh too, not an empty sector.
    registerSecCompaniesBySic(fake, () => ({ body: '<html><body>maintenance</body></html>', headers: { 'content-type': 'text/html' } }));
    const html = await refreshRoster(http, urls, entries, first.roster, later);
    expect(resolveSectors(entries, html.roster)).toHaveLength(3);
    expect(html.warnings[0]?.kind).toBe('parse');
  });

  it('a first resolution failure fails the cycle with a clear error; so does a code EDGAR lists nothing under', async () => {
    registerSecCompaniesBySic(fake, () => ({ status: 500, body: 'boom' }));
    await expect(refreshRoster(http, urls, sicEntries(['SIC:3674']), undefined, T0)).rejects.toThrow(
      /watchlist sector SIC:3674 could not be resolved \(no earlier roster/,
    );
    registerSecCompaniesBySic(fake, {});
    const err = await refreshRoster(http, urls, sicEntries(['SIC:9999']), undefined, T0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ kind: 'config', message: expect.stringMatching(/EDGAR lists no company under SIC code 9999/) });
  });

  it('a 403 block is rethrown even with a roster to fall back on (the runner must cool down)', async () => {
    registerSecCompaniesBySic(fake, { '3674': companies(3) });
    const entries = sicEntries(['SIC:3674']);
    const first = await refreshRoster(http, urls, entries, undefined, T0);
    registerSecCompaniesBySic(fake, () => ({ status: 403, body: 'Request Rate Threshold Exceeded' }));
    await expect(refreshRoster(http, urls, entries, first.roster, new Date(T0.getTime() + SECTOR_TTL_MS))).rejects.toMatchObject({
      kind: 'blocked',
    });
  });

  it('a failed FPI check stops classifying for this cycle with a warning; what was classified is kept', async () => {
    registerSecSectorList(fake);
    serveSectorSubmissions({ 'CIK0001033767.json': { cik: '1033767', filings: {} } });
    const entries = sicEntries(['SIC:3674:FPI']);
    const refresh = await refreshRoster(http, urls, entries, undefined, T0);
    expect(refresh.warnings).toEqual([
      expect.objectContaining({ kind: 'parse', message: expect.stringMatching(/foreign-private-issuer check of CIK 1033767 failed/) }),
    ]);
    expect(resolveSectors(entries, refresh.roster).map((c) => c.cik)).toEqual([TSMC]);
    expect(classificationsDue(refresh.roster, entries, T0)).toEqual([UMC, ASE, '9999201']);
  });

  it('forgets codes that left the watch-list, and reads back only a roster of its own shape', async () => {
    registerSecCompaniesBySic(fake, { '3674': companies(2), '3672': companies(2, 8_200_001) });
    const both = await refreshRoster(http, urls, sicEntries(['SIC:3674', 'SIC:3672']), undefined, T0);
    const one = await refreshRoster(http, urls, sicEntries(['SIC:3672']), both.roster, T0);
    expect(Object.keys(one.roster.sectors)).toEqual(['3672']);
    expect(one.changed).toBe(true);
    const item = JSON.parse(JSON.stringify(one.roster)) as Record<string, unknown>;
    expect(rosterFromItem(item)).toEqual(one.roster as SectorRoster);
    expect(rosterFromItem({ ...item, v: 2 })).toBeUndefined();
    expect(rosterFromItem({ v: 1, sectors: { '3672': { ciks: 'x' } }, filers: {} })).toBeUndefined();
  });
});

describe('subjects of a sector watch-list (CLI)', () => {
  it('accepts a ticker of a sector company (not in the config), still refuses unknown subjects without a sector', () => {
    expect(checkSubject('tsm', ['NVDA', 'SIC:3674'])).toBe('TSM');
    expect(checkSubject('nvda', ['NVDA', 'SIC:3674'])).toBe('NVDA');
    expect(() => checkSubject('TSM', ['NVDA'])).toThrow(/unknown subject "TSM"/);
    expect(() => checkSubject('not a ticker', ['SIC:3674'])).toThrow(/unknown subject/);
  });
});
