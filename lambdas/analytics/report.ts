import type { Change } from '../core/change.ts';
import type { ChangeQuery } from '../core/ports.ts';
import type { RevenueSeries } from '../sources/sec-revenue/detect.ts';
import { renderReportHtml } from './html.ts';
import { buildReportModel, type ReportModel } from './report-model.ts';
import type { AnalystStore } from './store.ts';

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
  const items = store.state ? await store.state.getItems('sec-revenue', 'series#') : [];
  const series = items.map((i) => i.value as unknown as RevenueSeries).filter((s) => s && typeof s.periods === 'object');
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
