import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENTITY_LIST, MEU_LIST, UNVERIFIED_LIST } from '#sources/entity-list/lists.ts';
import type { FakeResponse, FakeUpstream } from '../fake-upstream.ts';
import { OWN_FIXTURES } from '../fixtures.ts';

/** Path of the CSL bulk JSON on data.trade.gov (and on the fake). */
export const CSL_PATH = '/downloadable_consolidated_screening_list/v1/consolidated.json';

/** The CSL URL on a started fake upstream. */
export function cslUrl(fake: FakeUpstream): string {
  return `${fake.url}${CSL_PATH}`;
}

type Row = Record<string, unknown> & { id: string; source: string; name: string };

/** Strong ETag of a body, as trade.gov sends one. */
export function etagOf(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 20)}"`;
}

/**
 * Serve `body` as the CSL: `ETag` and `Last-Modified` headers, and 304 when the request's
 * `If-None-Match` matches. Replaces any CSL route registered before.
 * @returns the ETag served.
 */
export function serveCsl(fake: FakeUpstream, body: string | Buffer, options: { etag?: string; lastModified?: string } = {}): string {
  const etag = options.etag ?? etagOf(body);
  const lastModified = options.lastModified ?? 'Tue, 29 Sep 2026 14:00:00 GMT';
  fake.on('GET', CSL_PATH, (req): FakeResponse => {
    if (req.headers['if-none-match'] === etag) return { status: 304, body: '', headers: { etag, 'last-modified': lastModified } };
    return { body, headers: { 'content-type': 'application/json', etag, 'last-modified': lastModified } };
  });
  return etag;
}

/** The two demo phases: `quiet` is the baseline list, `news` adds, amends and removes entries. */
export type EntityListDemoPhase = 'quiet' | 'news';

interface NewsPatch {
  reverseOrder: boolean;
  add: Row[];
  amend: Array<{ id: string; set: Record<string, unknown> }>;
  remove: Array<{ id: string }>;
  noise: Array<{ id: string; set: Record<string, unknown> }>;
  addOther: Row[];
  removeOther: Array<{ id: string }>;
}

/** Rows of a demo phase (fresh copies: callers may modify them). */
export function entityListDemoRows(phase: EntityListDemoPhase): Row[] {
  const quiet = JSON.parse(readFileSync(join(OWN_FIXTURES, 'entity-list/csl-demo-quiet.json'), 'utf8')) as { results: Row[] };
  if (phase === 'quiet') return quiet.results;
  const patch = JSON.parse(readFileSync(join(OWN_FIXTURES, 'entity-list/csl-demo-news.json'), 'utf8')) as NewsPatch;
  const removed = new Set([...patch.remove, ...patch.removeOther].map((r) => r.id));
  const sets = new Map([...patch.amend, ...patch.noise].map((p) => [p.id, p.set]));
  let rows = quiet.results.filter((r) => !removed.has(r.id)).map((r) => ({ ...r, ...sets.get(r.id) }) as Row);
  rows = [...rows, ...patch.add, ...patch.addOther];
  return patch.reverseOrder ? rows.reverse() : rows;
}

/** The CSL body of a list of rows, shaped like `consolidated.json`. */
export function cslBody(rows: readonly Record<string, unknown>[]): string {
  return JSON.stringify({ results: rows });
}

/** Body of a demo phase. */
export function entityListDemoBody(phase: EntityListDemoPhase): string {
  return cslBody(entityListDemoRows(phase));
}

/** Serve a demo phase on the fake's CSL route. @returns the ETag served. */
export function registerEntityListDemo(fake: FakeUpstream, phase: EntityListDemoPhase): string {
  return serveCsl(fake, entityListDemoBody(phase));
}

/** What the `news` phase must report against `quiet`, for tests and the demo's checks. */
export const ENTITY_LIST_DEMO_NEWS = {
  added: [
    { name: 'Example Chip Design Innovation Co., Ltd.', countries: ['CN'] },
    { name: 'Example High Bandwidth Memory Technology Co.', countries: ['CN'] },
    { name: 'Example Accelerator Reseller Pte. Ltd.', countries: ['SG'] },
  ],
  amended: [{ name: 'Example Wafer Fabrication Institute', countries: ['CN'], field: 'addresses' }],
  removed: [{ name: 'Example Freight FZE', countries: ['AE'] }],
  /** Entries kept from each phase with the default lists. */
  counts: { quiet: 32, news: 34 },
} as const;

/** A tiny deterministic PRNG (mulberry32) so synthetic lists are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COUNTRIES = ['CN', 'CN', 'CN', 'RU', 'RU', 'HK', 'AE', 'SG', 'IR', 'PK', 'TR', 'MY', 'GB', 'DE', 'TW'];
const WORDS = [
  'Advanced',
  'Micro',
  'Systems',
  'Trading',
  'Technology',
  'Electronics',
  'Research',
  'Institute',
  'Precision',
  'Global',
  'Industrial',
  'Logistics',
  'Semiconductor',
  'Optics',
  'Aerospace',
  'Devices',
];

/**
 * A synthetic CSL of `rows` rows (about 1.2 KB each: 25,000 rows ≈ 30 MB), BIS rows on the
 * three default lists and the rest on other lists, with some names under several
 * countries. For performance and linearity checks; write it to a temp dir, never commit it.
 */
export function syntheticCslRows(rows: number, options: { seed?: number; bisShare?: number } = {}): Row[] {
  const rnd = prng(options.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const bisShare = options.bisShare ?? 0.25;
  const out: Row[] = [];
  for (let i = 0; i < rows; i++) {
    const bis = rnd() < bisShare;
    const source = bis
      ? rnd() < 0.85
        ? ENTITY_LIST
        : rnd() < 0.5
          ? MEU_LIST
          : UNVERIFIED_LIST
      : 'Specially Designated Nationals (SDN) - Treasury Department';
    // Every 40th name reuses the previous one under another country, as on the real list.
    const name =
      i % 40 === 1 && out.length > 0 ? (out[out.length - 1] as Row).name : `Synthetic ${pick(WORDS)} ${pick(WORDS)} ${i} Co., Ltd.`;
    const nAddr = 1 + Math.floor(rnd() * 3);
    const country = pick(COUNTRIES);
    const addresses = Array.from({ length: nAddr }, (_, k) => ({
      address: `${(i * 7 + k) % 997} ${pick(WORDS)} Road, Building ${k + 1}, Synthetic Industrial Park, Phase ${k + 2}`,
      city: `City ${i % 300}`,
      state: rnd() < 0.5 ? '' : null,
      postal_code: String(100000 + ((i * 13) % 899999)),
      country,
    }));
    out.push({
      id: createHash('sha224').update(`${i}`).digest('hex'),
      source,
      name,
      alt_names: rnd() < 0.4 ? null : [`${pick(WORDS)} ${i}`, `${pick(WORDS)} ${pick(WORDS)} ${i}`],
      addresses,
      federal_register_notice: `${80 + (i % 11)} FR ${10000 + (i % 80000)}`,
      start_date: `20${10 + (i % 16)}-0${1 + (i % 9)}-1${i % 10}`,
      license_requirement: 'For all items subject to the EAR. (See §744.11 of the EAR).',
      license_policy: 'Presumption of denial.',
      standard_order: null,
      remarks: bis ? '' : 'Synthetic remarks for a row of another list, padding it to a realistic size for the benchmark.',
      source_list_url: 'https://www.bis.gov/regulations/ear/744#supplement-4-744',
      source_information_url: 'https://www.bis.gov/licensing/guidance-on-end-user-and-end-use-controls-and-us-person-controls',
      title: null,
      programs: bis ? undefined : ['SYNTHETIC'],
    });
  }
  return out;
}

/** Write a synthetic CSL to `dir/consolidated.json`; returns the path and byte size. */
export function writeSyntheticCsl(
  dir: string,
  rows: number,
  options: { seed?: number; bisShare?: number } = {},
): { path: string; bytes: number } {
  const body = cslBody(syntheticCslRows(rows, options));
  const path = join(dir, 'consolidated.json');
  writeFileSync(path, body);
  return { path, bytes: Buffer.byteLength(body) };
}
