import type { FakeResponse, FakeUpstream } from '../fake-upstream.ts';

/**
 * A fake EDGAR full-text search (`/LATEST/search-index`) over a set of documents, and the
 * Archives paths of those documents, for the `sec-full-text` tests and demo.
 *
 * Responses have the shape of the recorded EFTS samples (../shared/fixtures/sec/efts/
 * efts_hit_samples.json): `hits.total{value, relation}`, `hits.hits[]{_index, _id:
 * "<adsh>:<filename>", _score, _source{ciks, display_names, adsh, form, file_type,
 * root_forms, file_date, items, …}}`, 100 hits per page, `from` paging. The search itself is
 * real: a document matches when its text contains every quoted term of `q` (case and
 * spacing folded), its form is in `forms` and its date is in `startdt..enddt`.
 *
 * Companies and accession numbers are made up (CIKs 00099900xx, accessions in the project's
 * synthetic `…-9xxxxx` range); the export-control paragraphs are real prose copied from
 * NVIDIA's 10-Q for the quarter to 2025-07-27 and 10-K for FY2023 (../shared/fixtures/sec/
 * nvidia/), so the passage extraction runs on real filing language.
 */

/** A document the fake indexes and serves. */
export interface FakeDocument {
  adsh: string;
  filename: string;
  cik: string;
  /** EFTS display name, e.g. `EXAMPLE RESELLER PTE LTD  (CIK 0009990001)`. */
  displayName: string;
  form: string;
  fileType: string;
  fileDate: string;
  items?: string[];
  /** HTML served at the document's Archives path. */
  html: string;
  /** Make `_source.adsh` disagree with `_id` (a hit that only quotes this accession). */
  quotedAdsh?: string;
}

/** Options of {@link registerFullText}. */
export interface FullTextOptions {
  /**
   * Above this many matching documents a window answers as EFTS does at its ~10,000 cap:
   * `total {value: 10000, relation: "gte"}` and only the first pages. Scaled down from
   * 10,000 so a test needs a few dozen documents, not ten thousand; the client reacts to
   * `relation: "gte"`, not to the number.
   */
  capAbove?: number;
  /**
   * Answer some search requests otherwise (a fault on one page): a response for the
   * request, or undefined for the index's own answer.
   */
  override?: (url: URL) => FakeResponse | undefined;
}

/** Real paragraph (NVIDIA 10-Q, Q2 FY2026, risk factors): "export license" and "Entity List". */
export const PASSAGE_ENTITY_LIST =
  "Government actions, including trade protection and national and economic security policies of U.S. and foreign government bodies, such as tariffs, import or export regulations, including deemed export restrictions and restrictions on the activities of U.S. persons, trade and economic sanctions, decrees, quotas or other trade barriers and restrictions could affect our ability to ship products, provide services to our customers and employees, do business without an export license with entities on the U.S. Department of Commerce's U.S. Entity List or other USG restricted parties lists (which is expected to change from time to time), and generally fulfill our contractual obligations and have a material adverse effect on our business.";

/** Real paragraph (NVIDIA 10-K FY2023): licensing requirements, China; no "Entity List". */
export const PASSAGE_LICENSING =
  "During the third quarter of fiscal year 2023, the U.S. government, or USG, announced new export restrictions and export licensing requirements targeting China's semiconductor and supercomputing industries. These restrictions impact exports of certain chips, as well as software, hardware, equipment, and technology used to develop, produce, and manufacture certain chips, to China (including Hong Kong and Macau) and Russia.";

/** Neutral paragraphs around the passage (own prose, no export-control terms). */
const FILLER = [
  'This report describes our business, our results of operations and our financial condition for the period.',
  'Our products are sold through distributors and directly to manufacturers in several regions.',
];

/** A small HTML filing document holding `paragraphs` between neutral text. */
export function documentHtml(title: string, paragraphs: readonly string[]): string {
  const ps = [title, ...FILLER, ...paragraphs, FILLER[0] as string]
    .map((p) => `<p>${p.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`)
    .join('\n');
  return `<!DOCTYPE html><html><head><title>${title}</title></head><body>\n${ps}\n</body></html>`;
}

function fold(s: string): string {
  return s
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#39;|&rsquo;|\u2019/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

/** The quoted terms of a `q` string (`"Entity List" "China"` → two terms). */
export function quotedTerms(q: string): string[] {
  return [...q.matchAll(/"([^"]+)"/g)].map((m) => (m[1] as string).toLowerCase().replace(/\s+/g, ' '));
}

/** The Archives path of a document. */
export function archivePath(d: Pick<FakeDocument, 'cik' | 'adsh' | 'filename'>): string {
  return `/Archives/edgar/data/${Number(d.cik)}/${d.adsh.replace(/-/g, '')}/${d.filename}`;
}

/** The documents of a search, before paging (what the fake's index holds for `url`). */
export function matching(docs: readonly FakeDocument[], url: URL): FakeDocument[] {
  const terms = quotedTerms(url.searchParams.get('q') ?? '');
  const forms = (url.searchParams.get('forms') ?? '').split(',').filter(Boolean);
  const start = url.searchParams.get('startdt') ?? '0000-00-00';
  const end = url.searchParams.get('enddt') ?? '9999-99-99';
  return docs.filter((d) => {
    const text = fold(d.html);
    return (
      terms.length > 0 &&
      terms.every((t) => text.includes(t)) &&
      (forms.length === 0 || forms.includes(d.form)) &&
      d.fileDate >= start &&
      d.fileDate <= end
    );
  });
}

function hitOf(d: FakeDocument, i: number): unknown {
  return {
    _index: 'edgar_file',
    _id: `${d.adsh}:${d.filename}`,
    _score: 10 - i / 1000,
    _source: {
      ciks: [d.cik],
      display_names: [d.displayName],
      adsh: d.quotedAdsh ?? d.adsh,
      file_date: d.fileDate,
      form: d.form,
      file_type: d.fileType,
      root_forms: [d.form],
      sics: ['3674'],
      items: d.items ?? [],
      xsl: null,
    },
  };
}

/**
 * Serve `docs` through `/LATEST/search-index` (the array is live: the search sees documents
 * pushed later) and at their Archives paths on `fake`.
 */
export function registerFullText(fake: FakeUpstream, docs: FakeDocument[], options: FullTextOptions = {}): void {
  fake.on('GET', '/LATEST/search-index', ({ url }) => {
    const overridden = options.override?.(url);
    if (overridden) return overridden;
    const found = matching(docs, url);
    const from = Number(url.searchParams.get('from') ?? '0');
    const capped = options.capAbove !== undefined && found.length > options.capAbove;
    const visible = capped ? found.slice(0, options.capAbove) : found;
    const page = visible.slice(from, from + 100);
    const body = {
      took: 12,
      timed_out: false,
      _shards: { total: 15, successful: 15, failed: 0 },
      hits: {
        total: capped ? { value: 10000, relation: 'gte' } : { value: found.length, relation: 'eq' },
        max_score: 10,
        hits: page.map((d, i) => hitOf(d, from + i)),
      },
    };
    return { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
  });
  // Exact paths, never a pattern: other sources' demo documents live under /Archives too.
  // Documents pushed later are served after calling this again (routes are replaced by path).
  for (const doc of docs) fake.on('GET', archivePath(doc), () => ({ body: doc.html, headers: { 'content-type': 'text/html' } }));
}

/** YYYY-MM-DD `days` before the Eastern date of `now`. */
function easternDaysBefore(now: Date, days: number): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    now,
  );
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/** A made-up filer (not on any watch-list) with a document dated `fileDate`. */
export function resellerDocument(fileDate: string, seq = 1, paragraphs: readonly string[] = [PASSAGE_ENTITY_LIST]): FakeDocument {
  const cik = '0009990001';
  const adsh = `${cik}-26-${String(900000 + seq).padStart(6, '0')}`;
  return {
    adsh,
    filename: `exr-10q-${seq}.htm`,
    cik,
    displayName: `EXAMPLE RESELLER PTE LTD  (CIK ${cik})`,
    form: '10-Q',
    fileType: '10-Q',
    fileDate,
    html: documentHtml('EXAMPLE RESELLER PTE LTD Quarterly Report', paragraphs),
  };
}

/** The demo's full-text index: quiet = one older mention (baseline); news adds one filed today. */
export function fullTextDemoDocuments(phase: 'quiet' | 'news', now: Date): FakeDocument[] {
  const docs = [resellerDocument(easternDaysBefore(now, 1), 1, [PASSAGE_LICENSING])];
  if (phase === 'news') docs.push(resellerDocument(easternDaysBefore(now, 0), 2, [PASSAGE_ENTITY_LIST]));
  return docs;
}

/** Register the demo's full-text routes for a phase (DEMO_ROUTES). */
export function registerFullTextDemo(fake: FakeUpstream, phase: 'quiet' | 'news', now: Date = new Date()): void {
  registerFullText(fake, fullTextDemoDocuments(phase, now));
}
