import { InputError } from '#core/errors.ts';
import type { Change } from '#core/change.ts';
import type { RevenueSeries } from '#sources/sec-revenue/detect.ts';
import { SECTORS_ITEM_KEY } from '#sources/sec-filings/sectors.ts';
import { memberCountries } from '#sources/sec-revenue/labels.ts';
import { buildReportModel, type ChartKind, type CompanyReport, dayOf, type EntityMarker, type RuleMarker } from './report-model.ts';

/**
 * The sector page's model (issue 17, item 3): for the companies of one SIC code (the
 * roster `sec-filings` caches in its state item `sectors`), each company's share of revenue
 * from Singapore, China including Hong Kong, and Taiwan over time; the filers of the sector
 * whose filings newly mention export controls (`filing.mention` changes of sec-full-text);
 * and the BIS rules (federal-register changes) on the same time axis. Pure: built from the
 * roster, the stored revenue series and plain changes; no I/O, no AWS. Text stays as the
 * upstream gave it; the renderer escapes it.
 */

/** The three regions of the sector chart, in legend order. */
export const SECTOR_REGIONS = [
  { id: 'SG', label: 'Singapore' },
  { id: 'CNHK', label: 'China incl. Hong Kong' },
  { id: 'TW', label: 'Taiwan' },
] as const;
/** A region of the sector chart. */
export type SectorRegionId = (typeof SECTOR_REGIONS)[number]['id'];

/** Most companies drawn on the one chart (the others are in the table below it): more lines are unreadable. */
export const MAX_CHARTED_COMPANIES = 10;

/** Company colours (distinct from the rule markers' orange, purple and grey). */
export const COMPANY_PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#17becf',
  '#8c564b',
  '#e377c2',
  '#bcbd22',
  '#393b79',
  '#637939',
  '#843c39',
] as const;

/** One company of a sector roster. */
export interface SectorMember {
  /** Unpadded CIK (`1045810`). */
  cik: string;
  name: string | undefined;
}

/** The companies of one SIC code, as the store holds them. */
export interface SectorRoster {
  sic: string;
  /** When EDGAR last listed the code. */
  fetchedAt: string | undefined;
  companies: SectorMember[];
}

/** Key of the roster state item of `sec-filings` (lambdas/sources/sec-filings/sectors.ts). */
export const ROSTER_SOURCE = 'sec-filings';
export const ROSTER_ITEM_KEY = SECTORS_ITEM_KEY;

/** `0001045810` → `1045810`; undefined for anything that is not a CIK. */
export function unpad(cik: unknown): string | undefined {
  if (typeof cik !== 'string' && typeof cik !== 'number') return undefined;
  const s = String(cik).trim();
  if (!/^\d{1,10}$/.test(s)) return undefined;
  return s.replace(/^0+(?=\d)/, '');
}

/**
 * One code's roster from the `sectors` state item of sec-filings
 * (`{ v: 1, sectors: { "3674": { fetchedAt, ciks: [...], names?: { cik: name } } }, filers: { cik: { name } } }`);
 * undefined when the item has no listing of the code. Names come from the listing, else
 * from the FPI classification.
 */
export function rosterFromItem(item: Record<string, unknown> | undefined, sic: string): SectorRoster | undefined {
  const sectors = item?.sectors;
  if (!sectors || typeof sectors !== 'object') return undefined;
  const list = (sectors as Record<string, unknown>)[sic] as { fetchedAt?: unknown; ciks?: unknown; names?: unknown } | undefined;
  if (!list || !Array.isArray(list.ciks)) return undefined;
  const names = list.names && typeof list.names === 'object' ? (list.names as Record<string, unknown>) : {};
  const filers = item?.filers && typeof item.filers === 'object' ? (item.filers as Record<string, { name?: unknown } | undefined>) : {};
  const seen = new Set<string>();
  const companies: SectorMember[] = [];
  for (const raw of list.ciks) {
    const cik = unpad(raw);
    if (!cik || seen.has(cik)) continue;
    seen.add(cik);
    const name = names[cik] ?? filers[cik]?.name;
    companies.push({ cik, name: typeof name === 'string' && name.trim() ? name.trim() : undefined });
  }
  return { sic, fetchedAt: typeof list.fetchedAt === 'string' ? list.fetchedAt : undefined, companies };
}

/** The store port the roster is read through (DynamoSourceState has it). */
export interface RosterReader {
  getItem(source: 'sec-filings', key: string): Promise<Record<string, unknown> | undefined>;
}

/** Read one code's roster from the store; undefined when the code was never listed there. */
export async function readSectorRoster(state: RosterReader | undefined, sic: string): Promise<SectorRoster | undefined> {
  if (!state) return undefined;
  return rosterFromItem(await state.getItem(ROSTER_SOURCE, ROSTER_ITEM_KEY), sic);
}

/** Check a `--sector` value: four digits (a SIC code). Throws an InputError. */
export function checkSector(value: string, option = '--sector'): string {
  const v = value.trim().replace(/^SIC:/i, '');
  if (/^\d{4}$/.test(v)) return v;
  throw new InputError(`${option}: "${value}" is not a SIC code: give its four digits, e.g. ${option} 3674 (semiconductors)`);
}

/** The one-line explanation of a sector with no roster in the store: what to do about it. */
export function unknownSectorMessage(sic: string, where: string, option = '--sector'): string {
  return `${option} ${sic}: no roster of SIC ${sic} in ${where}: add "SIC:${sic}" to the watch-list of the config and run once (export-watch run --once), then try again`;
}

/**
 * Which changes concern the sector's companies: those whose `data.cik` or subject is one
 * of its CIKs, or whose subject is a ticker some change or series ties to such a CIK.
 */
export class SectorMembership {
  private readonly ciks: Set<string>;
  private readonly tickers = new Set<string>();

  constructor(roster: Pick<SectorRoster, 'companies'>, series: readonly Pick<RevenueSeries, 'cik' | 'ticker'>[] = []) {
    this.ciks = new Set(roster.companies.map((c) => c.cik));
    for (const s of series) this.learn(s.cik, s.ticker);
  }

  /** Learn the watched tickers of the sec-filings `tickers` item (`byTicker: { NVDA: { cik } }`). */
  learnTickers(item: Record<string, unknown> | undefined): void {
    const byTicker = item?.byTicker;
    if (!byTicker || typeof byTicker !== 'object') return;
    for (const [ticker, v] of Object.entries(byTicker as Record<string, { cik?: unknown } | undefined>)) this.learn(v?.cik, ticker);
  }

  /** Remember that `ticker` is the subject of the company `cik` (from a change or series). */
  learn(cik: unknown, ticker: unknown): void {
    const c = unpad(cik);
    if (c && this.ciks.has(c) && typeof ticker === 'string' && ticker && !unpad(ticker)) this.tickers.add(ticker.toUpperCase());
  }

  /** Learn the ticker a change carries with its CIK, then say whether the change is a member's. */
  includes(change: Pick<Change, 'subject' | 'data'>): boolean {
    const cik = unpad((change.data as Record<string, unknown> | undefined)?.cik);
    if (cik) {
      this.learn(cik, change.subject);
      return this.ciks.has(cik);
    }
    const subjectCik = unpad(change.subject);
    if (subjectCik) return this.ciks.has(subjectCik);
    return this.tickers.has(change.subject.toUpperCase());
  }

  hasCik(cik: string | undefined): boolean {
    const c = unpad(cik);
    return c !== undefined && this.ciks.has(c);
  }

  /** Number of CIKs. */
  get size(): number {
    return this.ciks.size;
  }
}

/** One company's share of one region at one period end. */
export interface SectorPoint {
  start: string;
  end: string;
  kind: ChartKind;
  fiscalLabel: string;
  /** Revenue of the region (the sum of the members mapped to it). */
  value: number;
  /** What the share is of (the total, or the sum of regions when no total is reported). */
  base: number;
  share: number;
  /** The company's own member labels summed into this point (China and Hong Kong reported apart: two). */
  members: string[];
  accession: string | undefined;
}

/** A company of the sector page. */
export interface SectorCompany {
  cik: string;
  /** Ticker when known, else the CIK. */
  subject: string;
  name: string;
  color: string;
  /** Charted on the one chart (the first {@link MAX_CHARTED_COMPANIES} with data). */
  charted: boolean;
  /** The period kind of its points: quarters, or fiscal years for a company with none (20-F filers). */
  kind: ChartKind | undefined;
  lines: Record<SectorRegionId, SectorPoint[]>;
  /** China and Hong Kong are reported apart (in some period) and summed here. */
  summedCnHk: boolean;
}

/** A filing of a sector company that mentions export controls (a `filing.mention` change). */
export interface MentionRow {
  date: string;
  cik: string | undefined;
  company: string;
  form: string | undefined;
  query: string | undefined;
  passage: string | undefined;
  /** Only a sec.gov link (the renderer links nothing else). */
  url: string | undefined;
  accession: string | undefined;
  /** The company's first mention in the change log (earliest date). */
  first: boolean;
}

/** The sector page. */
export interface SectorModel {
  sic: string;
  generatedAt: string;
  origin: string;
  rosterFetchedAt: string | undefined;
  /** Companies on the roster. */
  rosterSize: number;
  /** Companies with a revenue series for at least one of the three regions, charted first. */
  companies: SectorCompany[];
  /** Newest first. */
  mentions: MentionRow[];
  rules: RuleMarker[];
  entities: EntityMarker[];
}

/** What the sector page is built from. */
export interface SectorInput {
  roster: SectorRoster;
  /** sec-revenue's stored series (any company: filtered to the roster here). */
  series: readonly RevenueSeries[];
  /** revenue.regional, filing.mention, federal-register and entity-list changes (any company). */
  changes: readonly Change[];
  generatedAt: Date;
  origin?: string | undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** The sector region a revenue member stands for, or undefined (a member covering other places too is none of them). */
export function sectorRegionOf(member: string, label?: string): SectorRegionId | undefined {
  const countries = memberCountries(member, label);
  if (countries.length === 0) return undefined;
  if (countries.every((c) => c === 'SG')) return 'SG';
  if (countries.every((c) => c === 'TW')) return 'TW';
  if (countries.every((c) => c === 'CN' || c === 'HK')) return 'CNHK';
  return undefined;
}

function sectorLines(c: CompanyReport): { kind: ChartKind | undefined; lines: Record<SectorRegionId, SectorPoint[]>; summed: boolean } {
  const lines: Record<SectorRegionId, SectorPoint[]> = { SG: [], CNHK: [], TW: [] };
  const quarters = c.periods.filter((p) => p.kind === 'quarter');
  // One kind per company so its line never zig-zags between quarters and years.
  const periods = quarters.some((p) => p.regions.some((r) => sectorRegionOf(r.member, r.label)))
    ? quarters
    : c.periods.filter((p) => p.kind === 'annual');
  let summed = false;
  for (const p of periods) {
    const acc = new Map<SectorRegionId, { value: number; base: number; members: string[] }>();
    for (const r of p.regions) {
      const id = sectorRegionOf(r.member, r.label);
      if (!id) continue;
      const a = acc.get(id) ?? { value: 0, base: r.base, members: [] };
      a.value += r.value;
      a.members.push(r.label);
      acc.set(id, a);
    }
    for (const [id, a] of acc) {
      if (id === 'CNHK' && a.members.length > 1) summed = true;
      lines[id].push({
        start: p.start,
        end: p.end,
        kind: p.kind,
        fiscalLabel: p.fiscalLabel,
        value: a.value,
        base: a.base,
        share: a.base === 0 ? 0 : a.value / a.base,
        members: a.members,
        accession: p.accession,
      });
    }
  }
  const kind = periods[0]?.kind;
  return { kind: Object.values(lines).some((l) => l.length) ? kind : undefined, lines, summed };
}

/** Only sec.gov (and its subdomains) over https: the sector page links nowhere else. */
export function secGovUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && (u.hostname === 'sec.gov' || u.hostname.endsWith('.sec.gov')) ? u.href : undefined;
  } catch {
    return undefined;
  }
}

function mentionRows(changes: readonly Change[], membership: SectorMembership, names: Map<string, string>): MentionRow[] {
  const rows: MentionRow[] = [];
  for (const c of changes) {
    if (c.kind !== 'filing.mention' || !membership.includes(c)) continue;
    const d = (c.data ?? {}) as Record<string, unknown>;
    const cik = unpad(d.cik) ?? unpad(c.subject);
    const passages = Array.isArray(d.passages) ? d.passages.filter((p): p is string => typeof p === 'string') : [];
    rows.push({
      date: dayOf(str(d.filedAt) ?? str(d.filed) ?? str(d.filingDate) ?? c.occurredAt) ?? c.detectedAt.slice(0, 10),
      cik,
      company: str(d.companyName) ?? str(d.company) ?? str(d.name) ?? (cik ? names.get(cik) : undefined) ?? c.subject,
      form: str(d.form),
      query: str(d.query),
      passage: str(d.passage) ?? passages[0],
      url: secGovUrl(c.url) ?? secGovUrl(str(d.url)) ?? secGovUrl(str(d.documentUrl)),
      accession: str(d.accession),
      first: false,
    });
  }
  // Newest first; a filer's earliest mention is the one that is new for it.
  rows.sort(
    (a, b) => b.date.localeCompare(a.date) || a.company.localeCompare(b.company) || (a.accession ?? '').localeCompare(b.accession ?? ''),
  );
  const firstSeen = new Set<string>();
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i] as MentionRow;
    const key = row.cik ?? row.company;
    if (!firstSeen.has(key)) {
      firstSeen.add(key);
      row.first = true;
    }
  }
  return rows;
}

/** Build the sector page's model. */
export function buildSectorModel(input: SectorInput): SectorModel {
  const membership = new SectorMembership(input.roster, input.series);
  const series = input.series.filter((s) => membership.hasCik(s.cik));
  const revenue = input.changes.filter((c) => c.kind === 'revenue.regional' && membership.includes(c));
  const regulatory = input.changes.filter((c) => c.source === 'federal-register' || c.kind === 'entity.added');
  // The company report does the reading of series and revenue changes once for both pages.
  const base = buildReportModel({ changes: [...revenue, ...regulatory], series, generatedAt: input.generatedAt, origin: input.origin });
  const names = new Map(input.roster.companies.filter((c) => c.name).map((c) => [c.cik, c.name as string]));

  const drafts = base.companies
    .map((c) => ({ c, cik: unpad(c.cik), ...sectorLines(c) }))
    .filter((d): d is typeof d & { cik: string } => d.cik !== undefined && d.kind !== undefined);
  // Charted first: the companies with the largest share of the three regions in their newest period.
  const weight = (lines: Record<SectorRegionId, SectorPoint[]>) => Object.values(lines).reduce((s, l) => s + (l.at(-1)?.share ?? 0), 0);
  drafts.sort((a, b) => weight(b.lines) - weight(a.lines) || a.c.subject.localeCompare(b.c.subject));
  const companies: SectorCompany[] = drafts.map((d, i) => ({
    cik: d.cik,
    subject: d.c.subject,
    name: d.c.name !== d.c.subject ? d.c.name : (names.get(d.cik) ?? d.c.name),
    color: COMPANY_PALETTE[i % COMPANY_PALETTE.length] as string,
    charted: i < MAX_CHARTED_COMPANIES,
    kind: d.kind,
    lines: d.lines,
    summedCnHk: d.summed,
  }));
  for (const c of companies) names.set(c.cik, names.get(c.cik) ?? c.name);

  return {
    sic: input.roster.sic,
    generatedAt: input.generatedAt.toISOString(),
    origin: input.origin ?? '',
    rosterFetchedAt: input.roster.fetchedAt,
    rosterSize: input.roster.companies.length,
    companies,
    mentions: mentionRows(input.changes, membership, names),
    rules: base.rules,
    entities: base.entities,
  };
}
