import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeResponse, FakeUpstream } from '../fake-upstream.ts';
import { OWN_FIXTURES, shared } from '../fixtures.ts';

/**
 * Federal Register routes for the {@link FakeUpstream}: the real recorded responses for
 * tests, and a small demo scenario (quiet → news → published) for the demo and the
 * integration test. Answers mimic the real API: no validators, `no-cache` headers, zero
 * hits without a `results` key, `fields[]` honoured, `next_page_url` with an opaque
 * `search_after_cursor` that echoes the other parameters (including `_`).
 */

/** Paths the FR source calls. `documents` (no `.json`) is the `next_page_url` path. */
export const FR_PATHS = {
  documents: '/api/v1/documents.json',
  documentsNext: '/api/v1/documents',
  publicInspection: '/api/v1/public-inspection-documents/current.json',
} as const;

/** Headers the live API sends (from the recorded `.meta.json`): no ETag, no Last-Modified. */
const FR_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store, no-cache, must-revalidate, private',
  pragma: 'no-cache',
  'access-control-allow-origin': '*',
  age: '0',
};

const json = (value: unknown, headers: Record<string, string> = {}): FakeResponse => ({
  body: JSON.stringify(value),
  headers: { ...FR_HEADERS, ...headers },
});

/** A document as served: any JSON object with at least a number and a publication date. */
export type FakeFrDocument = Record<string, unknown> & { document_number: string; publication_date: string };

export interface ServeDocumentsOptions {
  /** Page size the fake uses instead of `per_page`, to exercise paging with few documents. */
  pageSize?: number;
  headers?: Record<string, string>;
}

function epochMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/** Newest first, like `order=newest`: publication date, then document number, descending. */
function newestFirst(a: FakeFrDocument, b: FakeFrDocument): number {
  return b.publication_date.localeCompare(a.publication_date) || b.document_number.localeCompare(a.document_number);
}

/**
 * Serve `documents.json` (and its `next_page_url` path) from a list of documents, applying
 * `conditions[agencies][]`, `conditions[publication_date][gte]`, `fields[]`, `per_page`
 * and `search_after_cursor` the way the API does.
 */
export function serveFederalRegisterDocuments(
  fake: FakeUpstream,
  documents: readonly FakeFrDocument[],
  options: ServeDocumentsOptions = {},
): FakeUpstream {
  const handler = ({ url }: { url: URL }): FakeResponse => {
    const q = url.searchParams;
    const agencies = q.getAll('conditions[agencies][]');
    const gte = q.get('conditions[publication_date][gte]');
    let hits = [...documents].sort(newestFirst);
    if (agencies.length) {
      hits = hits.filter(
        (d) =>
          Array.isArray(d.agencies) &&
          (d.agencies as Array<{ slug?: string }>).some((a) => a.slug !== undefined && agencies.includes(a.slug)),
      );
    }
    if (gte) hits = hits.filter((d) => d.publication_date >= gte);
    const count = hits.length;
    const perPage = options.pageSize ?? Number(q.get('per_page') ?? 20);
    const after = q.get('search_after_cursor');
    let start = 0;
    if (after) {
      const [, number] = JSON.parse(Buffer.from(after, 'base64').toString('utf8')) as [number, string];
      start = hits.findIndex((d) => d.document_number === number) + 1;
    }
    const fields = q.getAll('fields[]');
    const page = hits
      .slice(start, start + perPage)
      .map((d) => (fields.length ? Object.fromEntries(fields.filter((f) => f in d).map((f) => [f, d[f]])) : d));
    const body: Record<string, unknown> = { description: 'Documents matching the query', count };
    if (count === 0) return json(body, options.headers); // the real API drops results and total_pages
    body.total_pages = Math.ceil(count / perPage);
    const last = hits[start + perPage - 1];
    if (start + perPage < count && last) {
      const next = new URLSearchParams(q);
      for (const key of ['search_after_cursor', 'page', 'format']) next.delete(key);
      next.set('format', 'json');
      next.set('page', String(Math.floor(start / perPage) + 2));
      next.set(
        'search_after_cursor',
        Buffer.from(JSON.stringify([epochMs(last.publication_date), last.document_number]))
          .toString('base64')
          .replace(/=+$/, ''),
      );
      body.next_page_url = `${fake.url}${FR_PATHS.documentsNext}?${next.toString()}`;
    }
    body.results = page;
    return json(body, options.headers);
  };
  fake.on('GET', FR_PATHS.documents, handler);
  fake.on('GET', FR_PATHS.documentsNext, handler);
  return fake;
}

/** Serve `public-inspection-documents/current.json` with a fixed body. */
export function servePublicInspection(fake: FakeUpstream, body: unknown, headers: Record<string, string> = {}): FakeUpstream {
  return fake.on('GET', FR_PATHS.publicInspection, () => json(body, headers));
}

/** Response headers recorded with a shared fixture (`….meta.json`), minus transport ones. */
function recordedHeaders(metaFile: string): Record<string, string> {
  const meta = JSON.parse(readFileSync(shared(metaFile), 'utf8')) as { response_headers: Record<string, string> };
  const { 'content-encoding': _e, 'content-length': _l, status: _s, ...rest } = meta.response_headers;
  return rest;
}

/**
 * Serve the real recorded responses (`../shared/fixtures/federal-register`): page 1 of the
 * all-agency `documents_newest` (count 10,000, a `next_page_url` to the live host), the
 * next-issue-early first five as the last page (its own `next_page_url` removed), and the
 * first ten entries of the 2026-10-02 public-inspection list (with a withdrawal). Note that
 * these are all agencies: good for parsing and paging, and for the BIS-filter sanity check.
 */
export function registerFederalRegisterSharedFixtures(fake: FakeUpstream): FakeUpstream {
  const dir = 'federal-register';
  fake.on('GET', FR_PATHS.documents, () => ({
    body: readFileSync(shared(`${dir}/fr_documents_newest_2026-10-02.json`)),
    headers: recordedHeaders(`${dir}/fr_documents_newest_2026-10-02.meta.json`),
  }));
  fake.on('GET', FR_PATHS.documentsNext, () => {
    const page = JSON.parse(readFileSync(shared(`${dir}/fr_documents_newest_next_issue_early_2026-10-03.first5.json`), 'utf8')) as Record<
      string,
      unknown
    >;
    delete page.next_page_url;
    return json(page, recordedHeaders(`${dir}/fr_documents_newest_next_issue_early_2026-10-03.meta.json`));
  });
  fake.on('GET', FR_PATHS.publicInspection, () => ({
    body: readFileSync(shared(`${dir}/fr_pi_current_2026-10-02.first10.json`)),
    headers: recordedHeaders(`${dir}/fr_pi_current_2026-10-02.meta.json`),
  }));
  return fake;
}

/** Phases of the demo: nothing new; a BIS Entity List rule on PI plus a new chip rule; that rule published. */
export const FR_DEMO_PHASES = ['quiet', 'news', 'published'] as const;
export type FederalRegisterDemoPhase = (typeof FR_DEMO_PHASES)[number];

interface DemoFile {
  anchorDate: string;
  documents: Array<FakeFrDocument & { phases: string[]; agencies: unknown }>;
  publicInspection: Record<FederalRegisterDemoPhase, { regular_filings_updated_at: string; special_filings_updated_at: string }>;
  publicInspectionDocuments: Array<Record<string, unknown> & { phases: string[] }>;
}

/** The agencies of a BIS document, as the API lists them. */
const BIS_AGENCIES = [
  {
    raw_name: 'DEPARTMENT OF COMMERCE',
    name: 'Commerce Department',
    id: 54,
    url: 'https://www.federalregister.gov/agencies/commerce-department',
    json_url: 'https://www.federalregister.gov/api/v1/agencies/54',
    parent_id: null,
    slug: 'commerce-department',
  },
  {
    raw_name: 'Bureau of Industry and Security',
    name: 'Industry and Security Bureau',
    id: 241,
    url: 'https://www.federalregister.gov/agencies/industry-and-security-bureau',
    json_url: 'https://www.federalregister.gov/api/v1/agencies/241',
    parent_id: 54,
    slug: 'industry-and-security-bureau',
  },
];

/** The date in Eastern time (the FR's calendar) of an instant, default now. */
export function easternDate(at: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** UTC offset of US Eastern time at an instant, in minutes (−240 in summer, −300 in winter). */
function easternOffsetMinutes(at: Date): number {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', timeZoneName: 'shortOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT-5';
  const match = /GMT([+-]\d{1,2})(?::(\d{2}))?/.exec(name);
  return match ? Number(match[1]) * 60 + Math.sign(Number(match[1])) * Number(match[2] ?? 0) : -300;
}

const offsetText = (minutes: number) =>
  `${minutes < 0 ? '-' : '+'}${String(Math.floor(Math.abs(minutes) / 60)).padStart(2, '0')}:${String(Math.abs(minutes) % 60).padStart(2, '0')}`;

/**
 * Shift every date inside a JSON value by `days`, keeping Eastern wall-clock times (the
 * FR posts at 08:45 ET in summer and in winter): `YYYY-MM-DD` (also in govinfo paths),
 * Eastern timestamps (`2026-10-02T08:45:00.000-04:00`, offset recomputed), `/YYYY/MM/DD/`
 * in document URLs, prose dates ("October 5, 2026") and the `?<epoch>` PI posting time.
 * Document numbers (`2026-20415`) are left alone.
 */
export function shiftDates<T>(value: T, days: number): T {
  if (days === 0) return value;
  const shiftDate = (y: string | number, m: string | number, d: string | number) =>
    new Date(Date.UTC(Number(y), Number(m) - 1, Number(d) + days)).toISOString().slice(0, 10);
  const shiftEpoch = (seconds: number) => {
    const before = new Date(seconds * 1000);
    const after = new Date((seconds + days * 86_400) * 1000);
    return seconds + days * 86_400 + (easternOffsetMinutes(before) - easternOffsetMinutes(after)) * 60;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return v
        .replace(
          /(?<!\d)(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2}:\d{2})/g,
          (_m, y: string, mo: string, d: string, time: string) => {
            const date = shiftDate(y, mo, d);
            return `${date}T${time}${offsetText(easternOffsetMinutes(new Date(`${date}T12:00:00Z`)))}`;
          },
        )
        .replace(/(?<!\d)(\d{4})-(\d{2})-(\d{2})(?![\dT])/g, (_m, y: string, mo: string, d: string) => shiftDate(y, mo, d))
        .replace(
          /\/(\d{4})\/(\d{2})\/(\d{2})\//g,
          (_m, y: string, mo: string, d: string) => `/${shiftDate(y, mo, d).replaceAll('-', '/')}/`,
        )
        .replace(new RegExp(`\\b(${MONTHS.join('|')}) (\\d{1,2}), (\\d{4})\\b`, 'g'), (_m, month: string, d: string, y: string) => {
          const [yy, mm, dd] = shiftDate(y, MONTHS.indexOf(month) + 1, d).split('-');
          return `${MONTHS[Number(mm) - 1]} ${Number(dd)}, ${yy}`;
        })
        .replace(/\?(\d{10})$/, (_m, sec: string) => `?${shiftEpoch(Number(sec))}`);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

export interface FederalRegisterDemoOptions {
  /** The Eastern date the demo's anchor day maps to; default today, so a live demo clock works. Tests pin it. */
  today?: string;
  /** Page size of the fake `documents.json` (default: the requested `per_page`). */
  pageSize?: number;
}

/** The demo data of one phase, dates shifted to `today`. */
export function federalRegisterDemoData(
  phase: FederalRegisterDemoPhase,
  options: FederalRegisterDemoOptions = {},
): { documents: FakeFrDocument[]; publicInspection: Record<string, unknown> } {
  const file = JSON.parse(readFileSync(join(OWN_FIXTURES, 'federal-register/demo-scenario.json'), 'utf8')) as DemoFile;
  const days = Math.round(
    (Date.parse(`${options.today ?? easternDate()}T00:00:00Z`) - Date.parse(`${file.anchorDate}T00:00:00Z`)) / 86_400_000,
  );
  const documents = file.documents
    .filter((d) => d.phases.includes(phase))
    .map(({ phases: _p, ...d }) => ({ ...d, agencies: d.agencies === 'BIS' ? BIS_AGENCIES : d.agencies }) as FakeFrDocument);
  const results = file.publicInspectionDocuments.filter((d) => d.phases.includes(phase)).map(({ phases: _p, ...d }) => d);
  const publicInspection = { count: results.length, results, ...file.publicInspection[phase] };
  return shiftDates({ documents, publicInspection }, days);
}

/**
 * Register the demo scenario's routes for a phase (replacing earlier FR routes):
 * - `quiet`: three older BIS documents; public inspection holds no BIS entry.
 * - `news`: public inspection lists a BIS rule "Additions to the Entity List" (to be
 *   published three days later), and a new advanced-computing rule is published.
 * - `published`: that Entity List rule is published (entities in China and Singapore).
 */
export function registerFederalRegisterDemo(
  fake: FakeUpstream,
  phase: FederalRegisterDemoPhase,
  options: FederalRegisterDemoOptions = {},
): FakeUpstream {
  const data = federalRegisterDemoData(phase, options);
  serveFederalRegisterDocuments(fake, data.documents, options.pageSize === undefined ? {} : { pageSize: options.pageSize });
  return servePublicInspection(fake, data.publicInspection);
}
