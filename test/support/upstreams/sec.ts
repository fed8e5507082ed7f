import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeResponse, FakeUpstream } from '../fake-upstream.ts';
import { OWN_FIXTURES, shared } from '../fixtures.ts';

/**
 * EDGAR routes for the {@link FakeUpstream}, under the real URL layouts:
 * `www.sec.gov` paths at the fake's root and `data.sec.gov` paths under `/sec-data`
 * (`SEC_DATA_URL = fake.url + '/sec-data'`).
 *
 * - {@link registerSecFromSharedFixtures}: the real recorded feed pages, 503 page and
 *   submissions JSON from `../shared/fixtures/sec` (tests).
 * - {@link registerSecDemo}: the small demo scenario in `test/fixtures/sec` with a
 *   `quiet` and a `news` phase (NVIDIA files its Q2 FY2026 10-Q).
 * - Builders ({@link atomFeed}, {@link submissionsJson}) for tests that need their own pages.
 */

/** Path of the getcurrent feed. */
export const SEC_FEED_PATH = '/cgi-bin/browse-edgar';
/** Path of the ticker file. */
export const SEC_TICKERS_PATH = '/files/company_tickers.json';
/** Route of submissions JSON and older pages on the fake data host. */
export const SEC_SUBMISSIONS_ROUTE = /^\/sec-data\/submissions\/(CIK\d{10}(?:-submissions-\d{3,})?\.json)$/;

/** The demo's own fixtures. */
export const SEC_DEMO_FIXTURES = join(OWN_FIXTURES, 'sec');

const ATOM_HEADERS = { 'content-type': 'application/atom+xml; charset=ISO-8859-1', 'cache-control': 'no-cache' };
const JSON_HEADERS = { 'content-type': 'application/json' };

/** A small stand-in for EDGAR's 503 "File Unavailable" page (own wording). */
export const END_OF_FEED_HTML =
  '<!DOCTYPE html><html><head><title>SEC.gov | File Unavailable</title></head><body><h1>This page is temporarily unavailable.</h1></body></html>';

// ---------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------

/** One feed entry to build (one filer role of a filing). */
export interface FeedEntrySpec {
  accession: string;
  form: string;
  company: string;
  /** CIK (any padding). */
  cik: string | number;
  role?: 'Filer' | 'Reporting' | 'Issuer' | 'Subject' | 'Filed by';
  /** `<updated>` with its offset, e.g. `2025-08-27T16:52:07-04:00`. */
  updated: string;
  /** Filed date; defaults to the date part of `updated`. */
  filed?: string;
  /** 8-K items shown in the summary, e.g. `[['2.02', 'Results of Operations and Financial Condition']]`. */
  items?: Array<[string, string]>;
  size?: string;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;');
}

/**
 * An Atom page shaped like EDGAR's getcurrent output, encoded in ISO-8859-1 like the
 * real feed (characters beyond Latin-1 become `?`).
 */
export function atomFeed(entries: readonly FeedEntrySpec[], updated: string): Buffer {
  const header = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Latest Filings</title>
<link rel="alternate" href="/cgi-bin/browse-edgar?action=getcurrent"/>
<link rel="self" href="/cgi-bin/browse-edgar?action=getcurrent"/>
<id>https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent</id>
<author><name>Webmaster</name><email>webmaster@sec.gov</email></author>
<updated>${updated}</updated>
`;
  const body = entries
    .map((e) => {
      const cik = String(e.cik).replace(/^0+/, '');
      const padded = cik.padStart(10, '0');
      const folder = e.accession.replace(/-/g, '');
      const filed = e.filed ?? e.updated.slice(0, 10);
      const summary = [
        ` <b>Filed:</b> ${filed} <b>AccNo:</b> ${e.accession} <b>Size:</b> ${e.size ?? '120 KB'}`,
        ...(e.items ?? []).map(([code, title]) => `<br>Item ${code}: ${title}`),
      ].join('\n');
      return `<entry>
<title>${escapeXml(`${e.form} - ${e.company} (${padded}) (${e.role ?? 'Filer'})`)}</title>
<link rel="alternate" type="text/html" href="https://www.sec.gov/Archives/edgar/data/${cik}/${folder}/${e.accession}-index.htm"/>
<summary type="html">
${escapeXml(summary)}
</summary>
<updated>${e.updated}</updated>
<category scheme="https://www.sec.gov/" label="form type" term="${escapeXml(e.form)}"/>
<id>urn:tag:sec.gov,2008:accession-number=${e.accession}</id>
</entry>
`;
    })
    .join('');
  return Buffer.from(`${header}${body}</feed>\n`, 'latin1');
}

/** One filing row to build. */
export interface SubmissionRowSpec {
  accession: string;
  filingDate: string;
  reportDate?: string;
  acceptanceDateTime?: string;
  form: string;
  items?: string;
  primaryDocument?: string;
  primaryDocDescription?: string;
}

const COLUMNS = [
  'accessionNumber',
  'filingDate',
  'reportDate',
  'acceptanceDateTime',
  'act',
  'form',
  'fileNumber',
  'filmNumber',
  'items',
  'core_type',
  'size',
  'isXBRL',
  'isInlineXBRL',
  'primaryDocument',
  'primaryDocDescription',
] as const;

/** Rows → EDGAR's columnar object (all 15 real columns, newest row first as given). */
export function columnar(rows: readonly SubmissionRowSpec[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = Object.fromEntries(COLUMNS.map((c) => [c, []]));
  for (const r of rows) {
    const periodic = /^(10-K|10-Q|20-F|8-K|6-K)/.test(r.form);
    out.accessionNumber?.push(r.accession);
    out.filingDate?.push(r.filingDate);
    out.reportDate?.push(r.reportDate ?? '');
    out.acceptanceDateTime?.push(r.acceptanceDateTime ?? `${r.filingDate}T16:00:00.000Z`);
    out.act?.push(periodic ? '34' : '');
    out.form?.push(r.form);
    out.fileNumber?.push('');
    out.filmNumber?.push('');
    out.items?.push(r.items ?? '');
    out.core_type?.push(periodic ? 'XBRL' : r.form);
    out.size?.push(100_000);
    out.isXBRL?.push(periodic ? 1 : 0);
    out.isInlineXBRL?.push(periodic ? 1 : 0);
    out.primaryDocument?.push(r.primaryDocument ?? '');
    out.primaryDocDescription?.push(r.primaryDocDescription ?? r.form);
  }
  return out;
}

/** A submissions JSON document (the fields the source reads, plus a few for realism). */
export function submissionsJson(spec: {
  cik: string | number;
  name: string;
  tickers?: string[];
  rows: readonly SubmissionRowSpec[];
  files?: Array<{ name: string; filingCount: number; filingFrom: string; filingTo: string }>;
}): Record<string, unknown> {
  return {
    cik: String(spec.cik).replace(/^0+/, '').padStart(10, '0'),
    entityType: 'operating',
    name: spec.name,
    tickers: spec.tickers ?? [],
    exchanges: (spec.tickers ?? []).map(() => 'Nasdaq'),
    filings: { recent: columnar(spec.rows), files: spec.files ?? [] },
  };
}

/** Keep only the rows of a columnar object for which `keep(i)` holds (all columns alike). */
export function filterColumnar(
  cols: Record<string, unknown[]>,
  keep: (i: number, accession: string) => boolean,
): Record<string, unknown[]> {
  const accessions = (cols.accessionNumber ?? []) as string[];
  const indexes = accessions.map((a, i) => (keep(i, a) ? i : -1)).filter((i) => i >= 0);
  return Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, indexes.map((i) => v[i])]));
}

/** A copy of a submissions document whose `filings.recent` keeps only some rows. */
export function filterSubmissions(doc: Record<string, unknown>, keep: (i: number, accession: string) => boolean): Record<string, unknown> {
  const filings = doc.filings as { recent: Record<string, unknown[]>; files: unknown[] };
  return { ...doc, filings: { ...filings, recent: filterColumnar(filings.recent, keep) } };
}

/** A synthetic submissions document for any CIK (for large watch-lists): one old 10-K. */
export function syntheticSubmissions(cik: string): Record<string, unknown> {
  const n = cik.replace(/^0+/, '');
  return submissionsJson({
    cik: n,
    name: `SYNTHETIC COMPANY ${n}`,
    rows: [
      {
        accession: `${n.padStart(10, '0')}-25-000001`,
        filingDate: '2025-02-20',
        reportDate: '2024-12-31',
        form: '10-K',
        primaryDocument: 'annual.htm',
      },
      { accession: `${n.padStart(10, '0')}-25-000002`, filingDate: '2025-02-01', form: '4', primaryDocument: 'form4.xml' },
    ],
  });
}

/** One company of a company-by-SIC browse page to build. */
export interface SicListEntrySpec {
  cik: string | number;
  /** Two-letter state or EDGAR country code of the business address (`CA`, `F5` = Taiwan). */
  state?: string;
}

/**
 * A company-by-SIC browse page (`action=getcompany&SIC=…&output=atom`) in EDGAR's shape:
 * one `<entry>` per company with `<company-info>` (addresses, `<cik>`, `<sic>`, `<state>`),
 * and EDGAR's `ARRAY(0x…)` placeholders where the real feed prints the names.
 */
export function sicListAtom(
  sic: string,
  entries: readonly SicListEntrySpec[],
  opts: { start?: number; count?: number; next?: boolean; updated?: string } = {},
): Buffer {
  const start = opts.start ?? 0;
  const count = opts.count ?? 100;
  const updated = opts.updated ?? '2026-03-02T20:51:58-05:00';
  const base = `https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany&amp;SIC=${sic}&amp;type=&amp;owner=include&amp;count=${count}`;
  const body = entries
    .map((e, i) => {
      const cik = String(e.cik).replace(/^0+/, '').padStart(10, '0');
      const state = e.state ?? 'CA';
      const ptr = (0x56131b582710 + (start + i) * 0x40).toString(16);
      return `<entry title="ARRAY(0x${ptr})">
      <content type="text/xml">
        <company-info name="ARRAY(0x${ptr}0)">
          <addresses>
            <address type="business">
              <state>${state}</state>
            </address>
            <address type="mailing" />
          </addresses>
          <cik>${cik}</cik>
          <irs-number></irs-number>
          <sic>${sic}</sic>
          <state>${state}</state>
        </company-info>
      </content>
      <id>urn:tag:www.sec.gov:cik=${cik}</id>
      <link href="https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany&amp;CIK=${cik}&amp;owner=exclude&amp;hidefilings=0" type="text/html" />
      <summary type="html">&lt;strong&gt;CIK:&lt;/strong&gt; ${cik}, &lt;strong&gt;State:&lt;/strong&gt; ${state}</summary>
      <updated>${updated}</updated>
    </entry>
`;
    })
    .join('');
  const next = opts.next ?? entries.length >= count;
  return Buffer.from(
    `<?xml version="1.0" encoding="ISO-8859-1" ?>
  <feed xmlns="http://www.w3.org/2005/Atom">
    <author>
      <email>webmaster@sec.gov</email>
      <name>Webmaster</name>
    </author>
${body}    <id>${base}</id>
    <link href="${base}&amp;start=${start}&amp;output=atom" rel="self" type="application/atom+xml" />
    <link href="${base}&amp;start=${start}" rel="alternate" type="text/html" />
${
  next
    ? `    <link href="${base}&amp;output=atom&amp;start=${start + count}" rel="next" type="application/atom+xml" />
`
    : ''
}    <title>Company Search Feed</title>
    <updated>${updated}</updated>
  </feed>
`,
    'latin1',
  );
}

// ---------------------------------------------------------------------------------------
// Route registration
// ---------------------------------------------------------------------------------------

/** A feed page: a body (200), a full response, or a file path (read at request time). */
export type FeedPageSource = Buffer | FakeResponse | { file: string };

function asResponse(page: FeedPageSource): FakeResponse {
  if (Buffer.isBuffer(page)) return { body: page, headers: ATOM_HEADERS };
  if ('file' in page) return { body: readFileSync(page.file), headers: ATOM_HEADERS };
  return page;
}

/**
 * Serve getcurrent pages by `start`. A `start` with no page gets the 503 end-of-feed
 * page (`endOfFeed`, default: a small own HTML page), as EDGAR does beyond start=5000.
 */
export function registerSecFeed(
  fake: FakeUpstream,
  pages: Record<number, FeedPageSource> | ((start: number) => FeedPageSource | undefined),
  endOfFeed?: () => FakeResponse,
): void {
  const lookup = typeof pages === 'function' ? pages : (start: number) => pages[start];
  browseEdgar(fake).getcurrent = (url) => {
    const start = Number(url.searchParams.get('start') ?? '0');
    const page = lookup(start);
    if (page) return asResponse(page);
    return endOfFeed?.() ?? { status: 503, body: END_OF_FEED_HTML, headers: { 'content-type': 'text/html' } };
  };
}

type BrowseHandler = (url: URL) => FakeResponse;
const BROWSE_HANDLERS = new WeakMap<FakeUpstream, { getcurrent?: BrowseHandler; getcompany?: BrowseHandler }>();

/**
 * The one `/cgi-bin/browse-edgar` route of a fake, dispatching on `action` (`getcurrent`:
 * the latest-filings feed; `getcompany`: the company browse by SIC), so both can be
 * registered independently.
 */
function browseEdgar(fake: FakeUpstream): { getcurrent?: BrowseHandler; getcompany?: BrowseHandler } {
  let handlers = BROWSE_HANDLERS.get(fake);
  if (!handlers) {
    handlers = {};
    BROWSE_HANDLERS.set(fake, handlers);
  }
  const h = handlers;
  // Installed on every registration: a test may have replaced the route with its own.
  fake.on('GET', SEC_FEED_PATH, ({ url }) => {
    const action = url.searchParams.get('action');
    const handler = action === 'getcurrent' ? h.getcurrent : action === 'getcompany' ? h.getcompany : undefined;
    if (!handler || url.searchParams.get('output') !== 'atom') {
      return {
        status: 400,
        body: `fake EDGAR: no ${action ?? '(no action)'} pages registered (only action=getcurrent|getcompany&output=atom)`,
      };
    }
    return handler(url);
  });
  return h;
}

/**
 * Serve the company browse by SIC code (`action=getcompany&SIC=3674&start=N&count=100&output=atom`):
 * `lists` maps a code to its companies (paged like EDGAR, with a `rel="next"` link while
 * more follow), to a file (one page, served for start=0), or a function of `(sic, start)`
 * giving a page or a full response. A code with nothing registered gets an empty feed.
 */
export function registerSecCompaniesBySic(
  fake: FakeUpstream,
  lists: Record<string, readonly SicListEntrySpec[] | { file: string }> | ((sic: string, start: number) => FeedPageSource | undefined),
): void {
  browseEdgar(fake).getcompany = (url) => {
    const sic = url.searchParams.get('SIC') ?? '';
    const start = Number(url.searchParams.get('start') ?? '0');
    const count = Number(url.searchParams.get('count') ?? '40');
    if (typeof lists === 'function') return asResponse(lists(sic, start) ?? sicListAtom(sic, [], { start, count }));
    const list = lists[sic];
    if (list && 'file' in list) return asResponse(start === 0 ? list : sicListAtom(sic, [], { start, count }));
    const all = (list as readonly SicListEntrySpec[] | undefined) ?? [];
    const page = all.slice(start, start + count);
    return asResponse(sicListAtom(sic, page, { start, count, next: start + count < all.length }));
  };
}

/**
 * Serve submissions JSON and older pages: `resolve(name)` gets the file name
 * (`CIK0001045810.json`, `CIK0001318605-submissions-001.json`) and returns a JSON value,
 * `{ file }` to serve a file, or undefined for 404.
 */
export function registerSecSubmissions(fake: FakeUpstream, resolve: (name: string) => unknown | { file: string } | undefined): void {
  fake.on('GET', SEC_SUBMISSIONS_ROUTE, ({ url }) => {
    const name = SEC_SUBMISSIONS_ROUTE.exec(url.pathname)?.[1] ?? '';
    const value = resolve(name);
    if (value === undefined)
      return {
        status: 404,
        body: '<?xml version="1.0"?><Error><Code>NoSuchKey</Code></Error>',
        headers: { 'content-type': 'application/xml' },
      };
    if (value !== null && typeof value === 'object' && 'file' in value && typeof (value as { file: unknown }).file === 'string') {
      return { body: readFileSync((value as { file: string }).file), headers: JSON_HEADERS };
    }
    return { body: JSON.stringify(value), headers: JSON_HEADERS };
  });
}

/** Serve company_tickers.json (a value or a file). */
export function registerSecTickers(
  fake: FakeUpstream,
  tickers: unknown | { file: string } = { file: join(SEC_DEMO_FIXTURES, 'company_tickers.json') },
): void {
  fake.on('GET', SEC_TICKERS_PATH, () => {
    if (tickers !== null && typeof tickers === 'object' && 'file' in tickers) {
      return { body: readFileSync((tickers as { file: string }).file), headers: JSON_HEADERS };
    }
    return { body: JSON.stringify(tickers), headers: JSON_HEADERS };
  });
}

/** Real shared fixture files (see ../shared/fixtures/README.md). */
export const SHARED_SEC = {
  feedStart0: shared('sec/feeds/getcurrent-start0-count100.atom.xml'),
  feedStart5000: shared('sec/feeds/getcurrent-start5000-count100.atom.xml'),
  feed503: shared('sec/feeds/getcurrent-start5100-503.html'),
  nvidiaSubmissions: shared('sec/nvidia/submissions-CIK0001045810.json'),
  teslaSubmissions: shared('sec/tesla/submissions-CIK0001318605.json'),
  teslaOlderPage: shared('sec/tesla/submissions-CIK0001318605-submissions-001.json'),
} as const;

/** Options of {@link registerSecFromSharedFixtures}. */
export interface SharedSecOptions {
  /** Feed pages by `start`; default the two recorded pages (0 and 5000); others answer the real 503 page. */
  feedPages?: Record<number, FeedPageSource>;
  /** Extra or replacement submissions documents by file name (`CIK##########.json`). */
  submissions?: Record<string, unknown>;
  /** Serve {@link syntheticSubmissions} for any other CIK (large watch-lists). */
  synthesize?: boolean;
  /** company_tickers.json body; default the demo's small ticker file (it includes TSLA). */
  tickers?: unknown;
}

/**
 * Register EDGAR from the real shared fixtures: the recorded getcurrent pages (start=0
 * and start=5000), the real 503 page for every other start, NVIDIA's and Tesla's
 * submissions JSON and Tesla's older page.
 */
export function registerSecFromSharedFixtures(fake: FakeUpstream, opts: SharedSecOptions = {}): void {
  const pages = opts.feedPages ?? { 0: { file: SHARED_SEC.feedStart0 }, 5000: { file: SHARED_SEC.feedStart5000 } };
  registerSecFeed(fake, pages, () => ({
    status: 503,
    body: readFileSync(SHARED_SEC.feed503),
    headers: { 'content-type': 'text/html; charset=utf-8' },
  }));
  const files: Record<string, string> = {
    'CIK0001045810.json': SHARED_SEC.nvidiaSubmissions,
    'CIK0001318605.json': SHARED_SEC.teslaSubmissions,
    'CIK0001318605-submissions-001.json': SHARED_SEC.teslaOlderPage,
  };
  registerSecSubmissions(fake, (name) => {
    if (opts.submissions && name in opts.submissions) return opts.submissions[name];
    if (files[name]) return { file: files[name] };
    const cik = /^CIK(\d{10})\.json$/.exec(name)?.[1];
    return opts.synthesize && cik ? syntheticSubmissions(cik) : undefined;
  });
  registerSecTickers(fake, opts.tickers);
}

/** Demo phases (same values as the demo runner's). */
export type SecDemoPhase = 'quiet' | 'news';

/**
 * NVIDIA's 10-Q of the `news` phase as the fixture files list it (the real filing). The demo
 * itself serves it renumbered (`EXPORT_LANGUAGE_STAND_INS`), since its document there is a stand-in.
 */
export const SEC_DEMO_NEWS = {
  cik: '1045810',
  ticker: 'NVDA',
  accession: '0001045810-25-000209',
  form: '10-Q',
  primaryDocument: 'nvda-20250727.htm',
  reportDate: '2025-07-27',
  filingDate: '2025-08-27',
  acceptanceDateTime: '2025-08-27T20:52:07.000Z',
} as const;

/** Options of {@link registerSecDemo}. */
export interface SecDemoOptions {
  /** Also answer any other CIK with a small synthetic document. */
  synthesize?: boolean;
  /**
   * Accession numbers to serve under another number (real → made-up), in the feed and the
   * submissions JSON alike. The demo passes its stand-in map (`EXPORT_LANGUAGE_STAND_INS`):
   * the 10-Qs it analyses are documents in our own prose, and invented text must never
   * appear under a real company's real filing. The fixture files keep the real numbers
   * (they are copied verbatim and pinned by the `sec-filings` tests).
   */
  renumber?: Readonly<Record<string, string>>;
  /**
   * Also serve the sector scenario (`test/fixtures/sec/sectors`): the recorded company browse
   * of SIC 3674 and the submissions of its companies that are not in the demo (TSMC, UMC,
   * ASE, a fictional domestic filer).
   */
  sectors?: boolean;
}

/** The sector scenario's own fixtures (see its README). */
export const SEC_SECTOR_FIXTURES = join(SEC_DEMO_FIXTURES, 'sectors');

/** Serve the recorded company browse of SIC 3674 (8 companies, one page). */
export function registerSecSectorList(fake: FakeUpstream): void {
  registerSecCompaniesBySic(fake, { '3674': { file: join(SEC_SECTOR_FIXTURES, 'sic-3674-start0.atom.xml') } });
}

/** Replace accession numbers (dashed and undashed, as in URLs) in a served body. */
export function renumberAccessions(body: Buffer, renumber: Readonly<Record<string, string>>, encoding: BufferEncoding): Buffer {
  let text = body.toString(encoding);
  for (const [from, to] of Object.entries(renumber))
    text = text.split(from).join(to).split(from.replace(/-/g, '')).join(to.replace(/-/g, ''));
  return Buffer.from(text, encoding);
}

/**
 * Register the demo scenario from `test/fixtures/sec` (idempotent; call again to switch
 * phase). `quiet`: a feed with no unknown watched filing. `news`: newer entries on top,
 * among them NVIDIA's 10-Q, which NVIDIA's submissions JSON now lists.
 */
export function registerSecDemo(fake: FakeUpstream, phase: SecDemoPhase, opts: SecDemoOptions = {}): void {
  const feeds = join(SEC_DEMO_FIXTURES, 'feeds');
  const feedFile = join(feeds, phase === 'news' ? 'getcurrent-news.atom.xml' : 'getcurrent-quiet.atom.xml');
  const renumber = opts.renumber;
  // The feed is ISO-8859-1: rewrite it as latin1 so its Latin-1 bytes survive.
  registerSecFeed(fake, { 0: renumber ? renumberAccessions(readFileSync(feedFile), renumber, 'latin1') : { file: feedFile } });
  registerSecSubmissions(fake, (name) => {
    const phaseFile = join(SEC_DEMO_FIXTURES, 'submissions', phase, name);
    const sectorFile = join(SEC_SECTOR_FIXTURES, 'submissions', name);
    const file = existsSync(phaseFile)
      ? phaseFile
      : opts.sectors && existsSync(sectorFile)
        ? sectorFile
        : join(SEC_DEMO_FIXTURES, 'submissions', name);
    if (existsSync(file))
      return renumber ? JSON.parse(renumberAccessions(readFileSync(file), renumber, 'utf8').toString('utf8')) : { file };
    const cik = /^CIK(\d{10})\.json$/.exec(name)?.[1];
    return opts.synthesize && cik ? syntheticSubmissions(cik) : undefined;
  });
  registerSecTickers(fake);
  if (opts.sectors) registerSecSectorList(fake);
}

/** Read one of the demo's submissions documents (for tests that derive a scenario from it). */
export function readSecDemoSubmissions(name: string, phase: SecDemoPhase = 'quiet'): Record<string, unknown> {
  const phaseFile = join(SEC_DEMO_FIXTURES, 'submissions', phase, name);
  return JSON.parse(readFileSync(existsSync(phaseFile) ? phaseFile : join(SEC_DEMO_FIXTURES, 'submissions', name), 'utf8'));
}
