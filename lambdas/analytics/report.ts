import type { Change } from '#core/change.ts';
import type { ChangeQuery } from '#core/ports.ts';
import type { RevenueSeries } from '#sources/sec-revenue/detect.ts';
import { renderReportHtml, renderSectorHtml } from './html.ts';
import { buildReportModel, type ReportModel } from './report-model.ts';
import {
  buildSectorModel,
  readSectorRoster,
  type SectorModel,
  SectorMembership,
  type SectorRoster,
  unknownSectorMessage,
} from './sector.ts';
import type { AnalystStorePort as AnalystStore } from '#core/ports.ts';
import { InputError } from '#core/errors.ts';

/**
 * The `export-watch report` use case: read what the report needs from the store (index
 * queries per source or subject, never a scan; sec-revenue's series items), build the
 * model and render the HTML.
 */

/** What to include. */
export interface ReportOptions {
  /** Only this company (ticker or CIK). */
  subject?: string | undefined;
  /** Only changes detected at or after / before these times. */
  since?: string | undefined;
  until?: string | undefined;
  /** Highlighted countries; default SG. */
  highlight?: string[] | undefined;
  now?: Date | undefined;
  /** The store holds the offline demo's data (the report says so). */
  demo?: boolean | undefined;
}

async function collect(store: AnalystStore, q: ChangeQuery): Promise<Change[]> {
  const out: Change[] = [];
  if (!store.changes) return out;
  for await (const c of store.changes.query(q)) out.push(c);
  return out;
}

/** Read the store and build the report model. */
export async function loadReportModel(store: AnalystStore, opts: ReportOptions = {}): Promise<ReportModel> {
  const window = { since: opts.since, until: opts.until };
  const company = opts.subject && !/^\d+$/.test(opts.subject) ? { subject: opts.subject.toUpperCase() } : {};
  const [revenue, language, rules, additions] = await Promise.all([
    collect(store, { ...window, ...company, source: 'sec-revenue', kind: 'revenue.regional' }),
    collect(store, { ...window, ...company, source: 'sec-export-language' }),
    collect(store, { ...window, source: 'federal-register' }),
    collect(store, { ...window, source: 'entity-list', kind: 'entity.added' }),
  ]);
  const series = await readSeries(store);
  return buildReportModel({
    changes: [...revenue, ...language, ...rules, ...additions],
    series,
    subject: opts.subject,
    highlight: opts.highlight,
    generatedAt: opts.now ?? new Date(),
    origin: store.description,
  });
}

/** The report's HTML and the model it shows. */
export async function buildReport(store: AnalystStore, opts: ReportOptions = {}): Promise<{ html: string; model: ReportModel }> {
  const model = await loadReportModel(store, opts);
  return { html: renderReportHtml(model, { demo: opts.demo }), model };
}

/** sec-revenue's stored series items (none without a state table). */
async function readSeries(store: AnalystStore): Promise<RevenueSeries[]> {
  const items = store.state ? await store.state.getItems('sec-revenue', 'series#') : [];
  return items.map((i) => i.value as unknown as RevenueSeries).filter((s) => s && typeof s.periods === 'object');
}

/** Source of the `filing.mention` changes (issue 17, item 1), queried by name so the page reads them whatever the build's source list. */
export const MENTION_SOURCE = 'sec-full-text';

/** A sector as the store knows it: its roster, the series of its companies, and who belongs to it. */
export interface SectorContext {
  roster: SectorRoster;
  /** Every stored series (the model filters them to the roster). */
  series: RevenueSeries[];
  membership: SectorMembership;
}

/**
 * Read a sector's roster (sec-filings' `sectors` item), the revenue series and the watched
 * tickers, so changes can be told apart by CIK or ticker. A code the store holds no
 * roster of is an InputError that says what to do.
 */
export async function loadSectorContext(store: AnalystStore, sic: string, option = '--sector'): Promise<SectorContext> {
  if (!store.state)
    throw new InputError(`${option} ${sic}: the sector roster is in the state table: pass --state-table (the stack output StateTableName)`);
  const roster = await readSectorRoster(store.state, sic);
  if (!roster) throw new InputError(unknownSectorMessage(sic, store.description, option));
  const series = await readSeries(store);
  const membership = new SectorMembership(roster, series);
  membership.learnTickers(await store.state.getItem('sec-filings', 'tickers'));
  return { roster, series, membership };
}

/** Read the store and build the sector page's model. */
export async function loadSectorModel(
  store: AnalystStore,
  sic: string,
  opts: Pick<ReportOptions, 'since' | 'until' | 'now'> = {},
): Promise<SectorModel> {
  const { roster, series } = await loadSectorContext(store, sic);
  const window = { since: opts.since, until: opts.until };
  const [revenue, mentions, rules] = await Promise.all([
    collect(store, { ...window, source: 'sec-revenue', kind: 'revenue.regional' }),
    collect(store, { ...window, source: MENTION_SOURCE, kind: 'filing.mention' }),
    collect(store, { ...window, source: 'federal-register' }),
  ]);
  return buildSectorModel({
    roster,
    series,
    changes: [...revenue, ...mentions, ...rules],
    generatedAt: opts.now ?? new Date(),
    origin: store.description,
  });
}

/** The sector page's HTML and the model it shows. */
export async function buildSectorReport(
  store: AnalystStore,
  sic: string,
  opts: ReportOptions = {},
): Promise<{ html: string; model: SectorModel }> {
  const model = await loadSectorModel(store, sic, opts);
  return { html: renderSectorHtml(model, { demo: opts.demo }), model };
}
