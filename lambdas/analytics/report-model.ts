import type { Change, Importance } from '#core/change.ts';
import type { ShareParts } from '#core/format.ts';
import type { RevenueSeries } from '#sources/sec-revenue/detect.ts';
import { memberCountries } from '#sources/sec-revenue/labels.ts';

/**
 * The analyst report's model: per company, the regional revenue series (from sec-revenue's
 * stored series items and the `revenue.regional` changes), the export-language changes and
 * revenue alerts; and the shared regulatory timeline (Federal Register rules, Entity List
 * additions per day). Pure: built from plain changes and series, no I/O, no AWS. Text is
 * kept as the upstream gave it; the renderer escapes it.
 */

/** The period kinds the report shows (year-to-date periods stay in the store). */
export type ChartKind = 'quarter' | 'annual';

/** One region's number in one period. */
export interface RegionValue {
  member: string;
  label: string;
  value: number;
  /** Fraction of the total (or of the sum of regions when no total is reported), exact. */
  share: number;
  /** What `share` is of: the total, or the sum of the regions. Shares print from value and base (`core/format.ts`). */
  base: number;
}

/** One reporting period of a company. */
export interface ReportPeriod {
  /** `start..end`: the series key of the plain breakdown. */
  key: string;
  start: string;
  end: string;
  kind: ChartKind;
  fiscalLabel: string;
  total: number | null;
  regions: RegionValue[];
  /** Fourth quarter computed as year − nine months. */
  derived: boolean;
  /** Filing the numbers come from, when known. */
  accession: string | undefined;
  /** Where the report found it: the stored series (history, comparatives) or a change. */
  origin: 'series' | 'change';
}

/** A region line of a company's chart. */
export interface ReportRegion {
  member: string;
  label: string;
  /** ISO codes the member covers (`country:SG` → SG, "China (including Hong Kong)" → CN, HK). */
  countries: string[];
  /** Covers a highlighted country (Singapore by default). */
  highlighted: boolean;
  /** Share in the newest period that reports the region. */
  latestShare: number | null;
  /** The same as value and base, for printing it rounded once like every other surface. */
  latest?: ShareParts | undefined;
  color: string;
}

/** A revenue alert (`revenue.regional` change) of a company. */
export interface RevenueAlert {
  date: string;
  title: string;
  url: string | undefined;
  importance: Importance;
}

/** An export-control language change of a company. */
export interface LanguageItem {
  date: string;
  kind: string;
  form: string | undefined;
  accession: string | undefined;
  previousAccession: string | undefined;
  title: string;
  summary: string;
  url: string | undefined;
  importance: Importance;
  countries: string[];
  added: string[];
  removed: string[];
  changed: Array<{ before: string; after: string }>;
}

/** Everything the report shows about one company. */
export interface CompanyReport {
  /** Ticker (the change subject) or CIK. */
  subject: string;
  /** 10-digit CIK, when known. */
  cik: string | undefined;
  name: string;
  /** Quarters and fiscal years, oldest first. */
  periods: ReportPeriod[];
  /** Regions of the chart, largest latest share first. */
  regions: ReportRegion[];
  alerts: RevenueAlert[];
  language: LanguageItem[];
  /** Breakdowns along another dimension too (e.g. product × region), not charted. */
  otherBreakdowns: number;
}

/** A Federal Register document on the timeline. */
export interface RuleMarker {
  date: string;
  documentNumber: string;
  title: string;
  /** federal-register's classification: entity-list-addition, advanced-computing, ear-amendment, notice, … */
  classification: string;
  status: 'published' | 'public-inspection' | 'correction';
  url: string | undefined;
  countries: string[];
  importance: Importance;
  citation: string | undefined;
}

/** Entity List (or other screening list) additions of one day. */
export interface EntityMarker {
  date: string;
  /** List short name (`Entity List`). */
  list: string;
  count: number;
  /** Additions per country code, most first. */
  countries: Array<{ code: string; count: number }>;
  entries: Array<{ name: string; countries: string[]; notice: string | undefined }>;
}

/** The whole report. */
export interface ReportModel {
  generatedAt: string;
  /** Where the data came from ("local store …", "table …"). */
  origin: string;
  highlight: string[];
  companies: CompanyReport[];
  rules: RuleMarker[];
  entities: EntityMarker[];
}

/** What the report is built from. */
export interface ReportInput {
  changes: readonly Change[];
  series: readonly RevenueSeries[];
  /** Countries whose lines are highlighted; default SG. */
  highlight?: readonly string[] | undefined;
  /** Only this company (ticker or CIK). */
  subject?: string | undefined;
  generatedAt: Date;
  origin?: string | undefined;
}

/** The highlighted line's colour. */
export const HIGHLIGHT_COLOR = '#d62728';
/** The other lines' colours, in order (no orange or purple: those mark rules and additions). */
export const REGION_PALETTE = [
  '#1f77b4',
  '#2ca02c',
  '#17becf',
  '#8c564b',
  '#7f7f7f',
  '#bcbd22',
  '#e377c2',
  '#393b79',
  '#637939',
  '#843c39',
] as const;

const CHART_KINDS = new Set<string>(['quarter', 'annual']);

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The calendar day of an upstream time: its own date part (an Eastern `-05:00` time keeps its Eastern date). */
export function dayOf(iso: string | undefined): string | undefined {
  return iso && /^\d{4}-\d{2}-\d{2}/.test(iso) ? iso.slice(0, 10) : undefined;
}

function regionsFrom(list: unknown, total: number | null): RegionValue[] {
  if (!Array.isArray(list)) return [];
  const rows = list
    .map(record)
    .map((r) => ({ member: str(r.member), label: str(r.label), value: num(r.value) }))
    .filter((r): r is { member: string; label: string; value: number } => r.member !== undefined && r.value !== null)
    .map((r) => ({ member: r.member, label: r.label ?? r.member, value: r.value }));
  const base = total ?? rows.reduce((s, r) => s + r.value, 0);
  return rows.map((r) => ({ ...r, share: base === 0 ? 0 : r.value / base, base }));
}

function periodFrom(p: {
  start: unknown;
  end: unknown;
  kind: unknown;
  fiscalLabel: unknown;
  total: unknown;
  regions: unknown;
  derived?: unknown;
  accession?: unknown;
  origin: ReportPeriod['origin'];
}): ReportPeriod | undefined {
  const start = str(p.start);
  const end = str(p.end);
  const kind = str(p.kind);
  if (!start || !end || !kind || !CHART_KINDS.has(kind)) return undefined;
  const total = num(p.total);
  const regions = regionsFrom(p.regions, total);
  if (regions.length === 0) return undefined;
  return {
    key: `${start}..${end}`,
    start,
    end,
    kind: kind as ChartKind,
    fiscalLabel: str(p.fiscalLabel) ?? `${kind === 'annual' ? 'year' : 'quarter'} to ${end}`,
    total,
    regions: regions.sort((a, b) => b.value - a.value || a.member.localeCompare(b.member)),
    derived: p.derived === true,
    accession: str(p.accession),
    origin: p.origin,
  };
}

function hasOtherDimensions(dimensions: unknown): boolean {
  return Object.keys(record(dimensions)).length > 0;
}

interface CompanyDraft {
  subject: string;
  cik: string | undefined;
  name: string | undefined;
  periods: Map<string, ReportPeriod>;
  alerts: RevenueAlert[];
  language: LanguageItem[];
  otherBreakdowns: Set<string>;
}

function byNewest(a: Change, b: Change): number {
  return b.detectedAt.localeCompare(a.detectedAt) || a.id.localeCompare(b.id);
}

/** Build the report model. */
export function buildReportModel(input: ReportInput): ReportModel {
  const highlight = (input.highlight?.length ? input.highlight : ['SG']).map((c) => c.toUpperCase());
  const companies = new Map<string, CompanyDraft>();
  const aliases = new Map<string, string>(); // ticker → cik key, so series and changes meet
  const company = (cik: string | undefined, subject: string | undefined, name: string | undefined): CompanyDraft => {
    const key = cik ?? (subject ? aliases.get(subject.toUpperCase()) : undefined) ?? `subject:${subject ?? '?'}`;
    let draft = companies.get(key);
    if (!draft) {
      draft = { subject: subject ?? cik ?? '?', cik, name, periods: new Map(), alerts: [], language: [], otherBreakdowns: new Set() };
      companies.set(key, draft);
    }
    if (subject && (draft.subject === draft.cik || draft.subject === '?')) draft.subject = subject;
    draft.name ??= name;
    if (subject) aliases.set(subject.toUpperCase(), key);
    return draft;
  };

  // 1. Stored series first: they hold the history and the latest (recast) numbers.
  for (const series of input.series) {
    const draft = company(series.cik, series.ticker, series.name);
    for (const [key, p] of Object.entries(series.periods ?? {})) {
      if (hasOtherDimensions(p.dimensions)) {
        draft.otherBreakdowns.add(key);
        continue;
      }
      const period = periodFrom({
        start: p.start,
        end: p.end,
        kind: p.periodKind,
        fiscalLabel: p.fiscalLabel,
        total: p.total,
        regions: p.regions,
        derived: p.derived,
        accession: p.accession,
        origin: 'series',
      });
      if (period) draft.periods.set(period.key, period);
    }
  }

  // 2. Changes, newest first: fill in periods the series lacks (trimmed, or no state table access).
  const changes = [...input.changes].sort(byNewest);
  for (const c of changes.filter((c) => c.kind === 'revenue.regional')) {
    const d = record(c.data);
    const draft = company(str(d.cik), c.subject, str(d.company));
    draft.alerts.push({ date: dayOf(c.occurredAt) ?? c.detectedAt.slice(0, 10), title: c.title, url: c.url, importance: c.importance });
    if (hasOtherDimensions(d.dimensions)) {
      draft.otherBreakdowns.add(`${str(record(d.period).start)}..${str(record(d.period).end)}|${JSON.stringify(d.dimensions)}`);
      continue;
    }
    const period = record(d.period);
    const regions = record(d.regions);
    const after = periodFrom({
      start: period.start,
      end: period.end,
      kind: period.kind,
      fiscalLabel: period.fiscalLabel,
      derived: period.derived,
      total: d.total,
      regions: regions.after,
      accession: d.accession,
      origin: 'change',
    });
    if (after && !draft.periods.has(after.key)) draft.periods.set(after.key, after);
    const against = record(d.comparedWith);
    // A recast's "before" is the superseded report of the same period: not a period of its own.
    if (str(against.basis) !== 'recast') {
      const before = periodFrom({
        start: against.start,
        end: against.end,
        kind: period.kind,
        fiscalLabel: against.fiscalLabel,
        total: d.totalBefore,
        regions: regions.before,
        accession: against.accession,
        origin: 'change',
      });
      if (before && !draft.periods.has(before.key)) draft.periods.set(before.key, before);
    }
  }
  for (const c of changes.filter((c) => c.kind.startsWith('export-language.'))) {
    const d = record(c.data);
    const draft = company(undefined, c.subject, undefined);
    const texts = (v: unknown) => (Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : []);
    draft.language.push({
      date: dayOf(c.occurredAt) ?? c.detectedAt.slice(0, 10),
      kind: c.kind,
      form: str(d.form),
      accession: str(d.accession),
      previousAccession: str(d.previousAccession),
      title: c.title,
      summary: c.summary,
      url: c.url,
      importance: c.importance,
      countries: c.countries,
      added: texts(d.added),
      removed: texts(d.removed),
      changed: (Array.isArray(d.changed) ? d.changed : [])
        .map(record)
        .map((x) => ({ before: str(x.before) ?? '', after: str(x.after) ?? '' })),
    });
  }

  const wanted = input.subject?.toUpperCase();
  const reports = [...companies.values()]
    .filter((d) => !wanted || d.subject.toUpperCase() === wanted || (d.cik !== undefined && Number(d.cik) === Number(wanted)))
    .filter((d) => d.periods.size > 0 || d.language.length > 0 || d.alerts.length > 0)
    .map((d) => finishCompany(d, highlight))
    .sort((a, b) => a.subject.localeCompare(b.subject));

  return {
    generatedAt: input.generatedAt.toISOString(),
    origin: input.origin ?? '',
    highlight,
    companies: reports,
    rules: ruleMarkers(changes),
    entities: entityMarkers(changes),
  };
}

function finishCompany(d: CompanyDraft, highlight: string[]): CompanyReport {
  const periods = [...d.periods.values()].sort((a, b) => a.end.localeCompare(b.end) || a.kind.localeCompare(b.kind));
  // Each region's label and share come from the newest period that reports it.
  const latest = new Map<string, { label: string; share: number; value: number; base: number; end: string }>();
  for (const p of periods)
    for (const r of p.regions) latest.set(r.member, { label: r.label, share: r.share, value: r.value, base: r.base, end: p.end });
  const newestEnd = periods.at(-1)?.end ?? '';
  const ordered = [...latest.entries()].sort(([am, a], [bm, b]) => {
    // Regions still reported come first, largest share first; discontinued ones after.
    const aCurrent = a.end === newestEnd ? 0 : 1;
    const bCurrent = b.end === newestEnd ? 0 : 1;
    return aCurrent - bCurrent || b.share - a.share || am.localeCompare(bm);
  });
  let next = 0;
  const regions: ReportRegion[] = ordered.map(([member, info]) => {
    const countries = memberCountries(member);
    const highlighted = countries.some((c) => highlight.includes(c));
    const color = highlighted ? HIGHLIGHT_COLOR : (REGION_PALETTE[next++ % REGION_PALETTE.length] as string);
    const current = info.end === newestEnd;
    return {
      member,
      label: info.label,
      countries,
      highlighted,
      latestShare: current ? info.share : null,
      ...(current ? { latest: { value: info.value, base: info.base } } : {}),
      color,
    };
  });
  return {
    subject: d.subject,
    cik: d.cik,
    name: d.name ?? d.subject,
    periods,
    regions,
    alerts: d.alerts,
    language: d.language,
    otherBreakdowns: d.otherBreakdowns.size,
  };
}

const FR_STATUS: Record<string, RuleMarker['status'] | undefined> = {
  'fr.published': 'published',
  'fr.document': 'published',
  'fr.public-inspection': 'public-inspection',
  'fr.correction': 'correction',
};

/**
 * One marker per Federal Register document: its publication date once published, else the
 * day it went on public inspection (when the market first saw it). A withdrawn
 * public-inspection document never became a rule and is dropped.
 */
function ruleMarkers(changes: readonly Change[]): RuleMarker[] {
  const byDoc = new Map<string, RuleMarker>();
  const withdrawn = new Set<string>();
  const rank = { published: 3, correction: 2, 'public-inspection': 1 } as const;
  for (const c of changes) {
    if (c.source !== 'federal-register') continue;
    const d = record(c.data);
    const doc = str(d.documentNumber) ?? c.naturalKey.split('#')[0] ?? c.id;
    if (c.kind === 'fr.withdrawn') {
      withdrawn.add(doc);
      continue;
    }
    const status = FR_STATUS[c.kind];
    if (!status) continue;
    const date =
      status === 'public-inspection' ? (dayOf(str(d.filedAt)) ?? dayOf(c.occurredAt)) : (str(d.publicationDate) ?? dayOf(c.occurredAt));
    const marker: RuleMarker = {
      date: date ?? c.detectedAt.slice(0, 10),
      documentNumber: doc,
      title: c.title,
      classification: str(d.classification) ?? 'other',
      status,
      url: c.url ?? str(d.htmlUrl),
      countries: c.countries,
      importance: c.importance,
      citation: str(d.citation),
    };
    const previous = byDoc.get(doc);
    if (!previous || rank[status] > rank[previous.status]) byDoc.set(doc, marker);
  }
  return [...byDoc.values()]
    .filter((m) => !(m.status === 'public-inspection' && withdrawn.has(m.documentNumber)))
    .sort((a, b) => a.date.localeCompare(b.date) || a.documentNumber.localeCompare(b.documentNumber));
}

/** `entity.added` changes grouped per day (the listing's start date when given) and list. */
function entityMarkers(changes: readonly Change[]): EntityMarker[] {
  const groups = new Map<string, EntityMarker>();
  for (const c of changes) {
    if (c.kind !== 'entity.added') continue;
    const d = record(c.data);
    const date = dayOf(c.occurredAt) ?? c.detectedAt.slice(0, 10);
    const key = `${date}|${c.subject}`;
    let group = groups.get(key);
    if (!group) {
      group = { date, list: c.subject, count: 0, countries: [], entries: [] };
      groups.set(key, group);
    }
    group.count++;
    group.entries.push({ name: str(d.name) ?? c.title, countries: c.countries, notice: str(d.federalRegisterNotice) });
  }
  for (const g of groups.values()) {
    const counts = new Map<string, number>();
    for (const e of g.entries) for (const code of e.countries) counts.set(code, (counts.get(code) ?? 0) + 1);
    g.countries = [...counts.entries()]
      .map(([code, count]) => ({ code, count }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
    g.entries.sort((a, b) => a.name.localeCompare(b.name));
  }
  return [...groups.values()].sort((a, b) => a.date.localeCompare(b.date) || a.list.localeCompare(b.list));
}
