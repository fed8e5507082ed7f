import { SourceError } from '#core/errors.ts';
import type { UpstreamClient } from '#core/http.ts';
import type { SourceWarning } from '#core/ports.ts';
import { unpadCik } from '../sec/cik.ts';
import { submissionsUrl } from '../sec/fetch.ts';
import { isFpiForm } from '../sec/forms.ts';
import { parseSicEntry, type SicEntry } from '../sec/sic.ts';
import type { WatchedCompany } from './tickers.ts';

/**
 * Sector watch-list entries (issue 17, item 2): `SIC:3674` watches every company EDGAR
 * lists under SIC code 3674, `SIC:3674:FPI` only its foreign private issuers.
 *
 * Resolution goes through EDGAR's company browse by SIC code
 * (`/cgi-bin/browse-edgar?action=getcompany&SIC=3674&owner=include&count=100&start=N&output=atom`,
 * one Atom entry per company, paged by `start`). The roster is cached in the state item
 * {@link SECTORS_ITEM_KEY} and refreshed daily: a quiet cycle costs no request for it.
 *
 * A company is a foreign private issuer when its submissions JSON (`filings.recent`)
 * lists a 20-F, 40-F or 6-K (amendments and the 20-F/40-F registration forms included):
 * only foreign private issuers may file those, and the JSON has no FPI flag of its own
 * (`category` is the filer size, `entityType` "operating" for domestic and foreign alike).
 * Submissions are fetched only for FPI sectors, only for companies not classified yet or
 * classified more than {@link FPI_RECHECK_MS} ago, and at most
 * {@link MAX_CLASSIFICATIONS_PER_CYCLE} per cycle, so the SEC budget stays small.
 *
 * Failure rules: a failed refresh keeps the previous roster of that sector and records a
 * warning (a sector is never dropped); a sector that has never resolved fails the cycle;
 * a 403 block is always rethrown (the runner must cool down).
 */

/** Key of the roster state item of `sec-filings`. */
export const SECTORS_ITEM_KEY = 'sectors';

/** The sector entries of a watch-list, in order. */
export function sicEntries(watchlist: readonly string[]): SicEntry[] {
  return watchlist.map(parseSicEntry).filter((e): e is SicEntry => e !== undefined);
}

/** The ticker and CIK entries of a watch-list (resolved through company_tickers.json). */
export function companyEntries(watchlist: readonly string[]): string[] {
  return watchlist.filter((e) => parseSicEntry(e) === undefined);
}

/** The roster of one SIC code. */
export interface SectorList {
  /** ISO time of the last successful listing. */
  fetchedAt: string;
  /** Every unpadded CIK EDGAR listed under the code, in listing order. */
  ciks: string[];
  /** Company names where the listing gave a usable one (EDGAR's Atom often prints `ARRAY(0x…)`). */
  names?: Record<string, string>;
}

/** Foreign-private-issuer classification of one company (FPI sectors only). */
export interface FilerClass {
  fpi: boolean;
  /** ISO time of the submissions JSON it was decided from. */
  checkedAt: string;
  /** Company name from the submissions JSON. */
  name?: string;
}

/**
 * State item `sectors` of `sec-filings`:
 * `{ v: 1, sectors: { "3674": { fetchedAt, ciks: ["1045810", …], names? } }, filers: { "1046179": { fpi: true, checkedAt, name } } }`.
 */
export interface SectorRoster {
  v: 1;
  sectors: Record<string, SectorList>;
  filers: Record<string, FilerClass>;
}

/** How long a sector listing is trusted. */
export const SECTOR_TTL_MS = 24 * 60 * 60 * 1000;
/** How long an FPI classification is trusted (a filer rarely changes status). */
export const FPI_RECHECK_MS = 30 * 24 * 60 * 60 * 1000;
/** Submissions JSON fetched per cycle to classify companies of FPI sectors. */
export const MAX_CLASSIFICATIONS_PER_CYCLE = 100;
/** Companies per browse page (EDGAR's maximum). */
export const SIC_PAGE_SIZE = 100;
/** Most pages read per code (4,000 companies; the largest semiconductor codes list a few hundred). */
export const MAX_SIC_PAGES = 40;

/** URL of one page of EDGAR's company browse by SIC code. */
export function sicListUrl(secWww: string, sic: string, start: number): string {
  return `${secWww}/cgi-bin/browse-edgar?action=getcompany&SIC=${sic}&type=&dateb=&owner=include&start=${start}&count=${SIC_PAGE_SIZE}&output=atom`;
}

/** One company of a browse page. */
export interface SicListEntry {
  cik: string;
  /** Name when usable (not EDGAR's `ARRAY(0x…)` placeholder). */
  name: string | undefined;
  /** SIC code of the entry, when given. */
  sic: string | undefined;
}

/** One parsed browse page. */
export interface SicListPage {
  entries: SicListEntry[];
  /** The page links a `rel="next"` page. */
  hasNext: boolean;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d)))
    .replace(/&amp;/g, '&');
}

/**
 * Parse a company browse page (Atom). Strict like the getcurrent parser: a body that is
 * not an Atom feed (an HTML error page served with 200) or an entry without a CIK fails
 * with `parse` rather than look like an empty sector.
 */
export function parseSicListPage(body: string, where = 'EDGAR company browse'): SicListPage {
  if (!/<feed[\s>]/.test(body) || !/<\/feed>\s*$/.test(body))
    throw new SourceError('parse', `${where}: not an Atom feed (truncated, or an HTML page)`);
  const entries: SicListEntry[] = [];
  for (const m of body.matchAll(/<entry\b([^>]*)>([\s\S]*?)<\/entry>/g)) {
    const attrs = m[1] ?? '';
    const inner = m[2] ?? '';
    const cikText = /<cik>\s*(\d{1,10})\s*<\/cik>/.exec(inner)?.[1] ?? /<id>[^<]*cik=(\d{1,10})\s*<\/id>/.exec(inner)?.[1];
    if (!cikText) throw new SourceError('parse', `${where}: an entry has no CIK`);
    const rawName = /<company-info\b[^>]*\bname="([^"]*)"/.exec(inner)?.[1] ?? /\btitle="([^"]*)"/.exec(attrs)?.[1];
    const name = rawName === undefined ? undefined : decodeEntities(rawName).trim();
    entries.push({
      cik: unpadCik(cikText),
      name: name && !/^ARRAY\(0x[0-9a-f]+\)$/i.test(name) ? name : undefined,
      sic: /<sic>\s*(\d{4})\s*<\/sic>/.exec(inner)?.[1],
    });
  }
  return { entries, hasNext: /<link\b[^>]*\brel="next"/.test(body) };
}

/** The FPI rule on a submissions JSON: any 20-F/40-F/6-K (or amendment) among `filings.recent`. */
export function isForeignPrivateIssuer(submissions: unknown): boolean {
  const forms = (submissions as { filings?: { recent?: { form?: unknown } } } | null)?.filings?.recent?.form;
  if (!Array.isArray(forms)) throw new SourceError('parse', 'submissions JSON: no filings.recent.form column');
  return forms.some((f) => typeof f === 'string' && isFpiForm(f));
}

/** Read a roster back from a state item; undefined when it has another shape. */
export function rosterFromItem(item: Record<string, unknown> | undefined): SectorRoster | undefined {
  if (item?.v !== 1) return undefined;
  const { sectors, filers } = item;
  if (typeof sectors !== 'object' || sectors === null || typeof filers !== 'object' || filers === null) return undefined;
  for (const s of Object.values(sectors as Record<string, unknown>)) {
    const list = s as Partial<SectorList> | null;
    if (!list || typeof list.fetchedAt !== 'string' || !Array.isArray(list.ciks)) return undefined;
  }
  return item as unknown as SectorRoster;
}

/** True when the listing of a code is missing or older than {@link SECTOR_TTL_MS}. */
export function sectorNeedsListing(roster: SectorRoster | undefined, sic: string, now: Date): boolean {
  const list = roster?.sectors[sic];
  if (!list) return true;
  const at = Date.parse(list.fetchedAt);
  return !Number.isFinite(at) || now.getTime() - at >= SECTOR_TTL_MS;
}

/** CIKs of FPI sectors whose classification is missing or older than {@link FPI_RECHECK_MS}. */
export function classificationsDue(roster: SectorRoster, entries: readonly SicEntry[], now: Date): string[] {
  const due = new Set<string>();
  for (const e of entries) {
    if (!e.fpiOnly) continue;
    for (const cik of roster.sectors[e.sic]?.ciks ?? []) {
      const c = roster.filers[cik];
      const at = c ? Date.parse(c.checkedAt) : Number.NaN;
      if (!c || !Number.isFinite(at) || now.getTime() - at >= FPI_RECHECK_MS) due.add(cik);
    }
  }
  return [...due];
}

/** Read every page of one code's listing. */
export async function fetchSicList(
  http: UpstreamClient,
  secWww: string,
  sic: string,
): Promise<{ entries: SicListEntry[]; requests: number; capped: boolean }> {
  const seen = new Set<string>();
  const entries: SicListEntry[] = [];
  let requests = 0;
  for (let p = 0; p < MAX_SIC_PAGES; p++) {
    const url = sicListUrl(secWww, sic, p * SIC_PAGE_SIZE);
    const response = await http.get(url, { accept: 'application/atom+xml' });
    requests++;
    const page = parseSicListPage(response.body.toString('latin1'), `EDGAR company browse of SIC ${sic} (start=${p * SIC_PAGE_SIZE})`);
    // Page boundaries move while EDGAR updates: a company on two pages counts once.
    for (const e of page.entries) {
      if (seen.has(e.cik)) continue;
      seen.add(e.cik);
      entries.push(e);
    }
    if (page.entries.length < SIC_PAGE_SIZE) return { entries, requests, capped: false };
  }
  return { entries, requests, capped: true };
}

/** What bringing the roster up to date produced. */
export interface RosterRefresh {
  roster: SectorRoster;
  /** True when the roster changed and must be written back. */
  changed: boolean;
  warnings: SourceWarning[];
  requests: number;
}

function isBlocked(err: unknown): boolean {
  return err instanceof SourceError && err.kind === 'blocked';
}

/**
 * Bring the roster up to date for the sector entries: list codes whose listing is
 * missing or a day old, then classify due companies of FPI sectors (capped per cycle).
 * A failed listing keeps the previous one (warning); a code never listed fails the cycle.
 */
export async function refreshRoster(
  http: UpstreamClient,
  urls: { secWww: string; secData: string },
  entries: readonly SicEntry[],
  previous: SectorRoster | undefined,
  now: Date,
  log: (message: string, fields?: Record<string, unknown>) => void = () => undefined,
): Promise<RosterRefresh> {
  const roster: SectorRoster = { v: 1, sectors: { ...(previous?.sectors ?? {}) }, filers: { ...(previous?.filers ?? {}) } };
  const warnings: SourceWarning[] = [];
  let changed = previous === undefined;
  let requests = 0;
  const at = now.toISOString();
  const codes = [...new Set(entries.map((e) => e.sic))];

  for (const sic of codes) {
    if (!sectorNeedsListing(previous, sic, now)) continue;
    const before = previous?.sectors[sic];
    try {
      const listed = await fetchSicList(http, urls.secWww, sic);
      requests += listed.requests;
      if (listed.entries.length === 0)
        throw new SourceError('config', `watchlist sector SIC:${sic}: EDGAR lists no company under SIC code ${sic}; check the code`);
      if (listed.capped) {
        warnings.push({
          kind: 'sanity',
          message: `watchlist sector SIC:${sic}: more than ${MAX_SIC_PAGES * SIC_PAGE_SIZE} companies listed; only the first ${listed.entries.length} are watched`,
        });
      }
      const names: Record<string, string> = {};
      for (const e of listed.entries) if (e.name) names[e.cik] = e.name;
      roster.sectors[sic] = { fetchedAt: at, ciks: listed.entries.map((e) => e.cik), ...(Object.keys(names).length > 0 ? { names } : {}) };
      changed = true;
      log('sector roster listed', { sic, companies: listed.entries.length, requests: listed.requests, previously: before?.ciks.length });
    } catch (err) {
      if (isBlocked(err) || !before) {
        if (err instanceof SourceError && !isBlocked(err)) {
          throw new SourceError(
            err.kind,
            `watchlist sector SIC:${sic} could not be resolved (no earlier roster to fall back on): ${err.message}`,
            { cause: err },
          );
        }
        throw err;
      }
      warnings.push({
        kind: err instanceof SourceError ? err.kind : 'internal',
        message: `watchlist sector SIC:${sic}: roster refresh failed (${(err as Error).message}); still watching the ${before.ciks.length} companies listed at ${before.fetchedAt}`,
      });
      log('sector roster refresh failed; keeping the previous roster', { sic, error: (err as Error).message, cachedAt: before.fetchedAt });
    }
  }

  const due = classificationsDue(roster, entries, now);
  const batch = due.slice(0, MAX_CLASSIFICATIONS_PER_CYCLE);
  for (const cik of batch) {
    const url = submissionsUrl(urls.secData, cik);
    try {
      const response = await http.get(url, { accept: 'application/json', acceptStatus: [404] });
      requests++;
      if (response.status === 404) {
        // Listed by the browse but without submissions (e.g. a shell that never filed electronically).
        roster.filers[cik] = { fpi: false, checkedAt: at };
      } else {
        let json: unknown;
        try {
          json = JSON.parse(response.body.toString('utf8'));
        } catch (err) {
          throw new SourceError('parse', `${url}: body is not valid JSON (${(err as Error).message})`, { cause: err });
        }
        const name = (json as { name?: unknown } | null)?.name;
        roster.filers[cik] = {
          fpi: isForeignPrivateIssuer(json),
          checkedAt: at,
          ...(typeof name === 'string' && name.trim() ? { name: name.trim() } : {}),
        };
      }
      changed = true;
    } catch (err) {
      if (isBlocked(err)) throw err;
      // Classification resumes next cycle; what is classified so far is watched.
      warnings.push({
        kind: err instanceof SourceError ? err.kind : 'internal',
        message: `foreign-private-issuer check of CIK ${cik} failed (${(err as Error).message}); retried next cycle`,
      });
      break;
    }
  }
  const left = classificationsDue(roster, entries, now).filter((cik) => !roster.filers[cik]).length;
  if (left > 0) log('foreign-private-issuer classification continues next cycle', { classified: batch.length, unclassified: left });

  // Forget classifications of companies no configured FPI sector lists any more.
  const fpiCiks = new Set(entries.filter((e) => e.fpiOnly).flatMap((e) => roster.sectors[e.sic]?.ciks ?? []));
  for (const cik of Object.keys(roster.filers)) {
    if (!fpiCiks.has(cik)) {
      delete roster.filers[cik];
      changed = true;
    }
  }
  // Forget listings of codes no longer configured.
  for (const sic of Object.keys(roster.sectors)) {
    if (!codes.includes(sic)) {
      delete roster.sectors[sic];
      changed = true;
    }
  }
  return { roster, changed, warnings, requests };
}

/**
 * The companies of the sector entries. FPI entries give only companies classified as
 * foreign private issuers (unclassified ones join once classified). Deduplicated by CIK;
 * `exclude` (CIKs already watched through a ticker or CIK entry) win.
 */
export function resolveSectors(
  entries: readonly SicEntry[],
  roster: SectorRoster,
  exclude: ReadonlySet<string> = new Set(),
): WatchedCompany[] {
  const out = new Map<string, WatchedCompany>();
  for (const e of entries) {
    const list = roster.sectors[e.sic];
    if (!list) continue;
    for (const cik of list.ciks) {
      if (exclude.has(cik) || out.has(cik)) continue;
      const filer = roster.filers[cik];
      if (e.fpiOnly && filer?.fpi !== true) continue;
      out.set(cik, { cik, ticker: undefined, title: filer?.name ?? list.names?.[cik], entry: e.entry });
    }
  }
  return [...out.values()];
}

/** Sector entries whose roster holds no company at all (after FPI filtering): worth a warning. */
export function emptySectors(entries: readonly SicEntry[], roster: SectorRoster): SicEntry[] {
  // An FPI sector still being classified is not empty yet.
  return entries.filter(
    (e) =>
      resolveSectors([e], roster).length === 0 && (!e.fpiOnly || (roster.sectors[e.sic]?.ciks ?? []).every((cik) => roster.filers[cik])),
  );
}
