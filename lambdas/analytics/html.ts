import { formatMillions, formatMoney } from '#core/format.ts';
import { additionsLabel, pct, renderRevenueChart, renderSectorChart, ruleLabel } from './chart.ts';
import { escapeHtml, safeUrl } from '#core/escape.ts';
import type { CompanyReport, EntityMarker, LanguageItem, ReportModel, ReportPeriod, RuleMarker } from './report-model.ts';
import { SECTOR_REGIONS, type SectorCompany, type SectorModel, type SectorRegionId } from './sector.ts';

/**
 * The analyst report as one self-contained HTML file: inline CSS and inline SVG, no
 * script, no font, no image fetched. A Content-Security-Policy forbids every fetch, so the
 * file stays offline wherever it is opened. Every upstream string is escaped; only http(s)
 * URLs become links. Pure: a string from the model.
 */

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1d1f23; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', Arial, sans-serif; }
main { max-width: 1010px; margin: 0 auto; padding: 20px 16px 40px; }
header.page { margin-bottom: 16px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 2px; }
h3 { font-size: 15px; margin: 22px 0 8px; }
.meta, .muted { color: #5f6670; font-size: 12.5px; }
nav.toc { margin-top: 8px; font-size: 13px; }
nav.toc a { margin-right: 12px; }
section.card { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: 18px 20px; margin: 16px 0; }
.headline { margin: 6px 0 10px; font-size: 14.5px; }
.headline strong.hl { color: #d62728; }
figure { margin: 8px 0 0; overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12px; color: #5f6670; margin-top: 4px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { padding: 5px 8px; border-bottom: 1px solid #eceef1; text-align: left; vertical-align: top; }
th { background: #f7f8fa; font-weight: 600; color: #3b4048; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th.num { white-space: normal; max-width: 120px; }
td.period { white-space: nowrap; }
td.src { font-size: 11.5px; white-space: nowrap; }
td.num .s { display: block; color: #5f6670; font-size: 11.5px; }
td.num.hl, th.num.hl { background: #fdf0f0; }
td.num.hl .v, td.num.hl .s, th.num.hl { color: #b21f20; font-weight: 600; }
.table-wrap { overflow-x: auto; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 11px; font-weight: 600; white-space: nowrap; }
.b-advanced-computing { background: #fde5d6; color: #a63603; }
.b-entity-list { background: #ebe6f5; color: #54278f; }
.b-other { background: #eceef1; color: #4a4f57; }
.b-high { background: #fde3e3; color: #a50f15; }
ul.plain { list-style: none; padding: 0; margin: 0; }
ul.plain > li { padding: 8px 0; border-bottom: 1px solid #eceef1; }
ul.plain > li:last-child { border-bottom: 0; }
details { margin-top: 4px; }
details summary { cursor: pointer; color: #2b5797; font-size: 12.5px; }
blockquote { margin: 6px 0; padding: 6px 10px; border-left: 3px solid #c7ccd3; background: #fafbfc; font-size: 12.5px; }
blockquote.add { border-left-color: #2ca02c; }
blockquote.del { border-left-color: #d62728; }
a { color: #2b5797; }
.empty { color: #5f6670; font-style: italic; }
footer { color: #5f6670; font-size: 12px; margin-top: 24px; }
`;

function link(url: string | undefined, label: string): string {
  const href = safeUrl(url);
  return href ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer">${escapeHtml(label)}</a>` : escapeHtml(label);
}

function badgeClass(classification: string): string {
  if (classification === 'advanced-computing') return 'b-advanced-computing';
  if (classification.startsWith('entity-list')) return 'b-entity-list';
  return 'b-other';
}

function headline(c: CompanyReport): string {
  const quarters = c.periods.filter((p) => p.kind === 'quarter');
  const latest = quarters.at(-1) ?? c.periods.at(-1);
  if (!latest) return '';
  const hl = c.regions.filter((r) => r.highlighted).map((r) => ({ r, v: latest.regions.find((x) => x.member === r.member) }));
  const parts = hl.filter((h) => h.v).map((h) => `<strong class="hl">${escapeHtml(h.r.label)} ${pct(h.v ?? 0)}</strong>`);
  const lead = latest.regions[0];
  const total = latest.total !== null ? `revenue ${formatMoney(latest.total)}` : 'no total reported';
  const leadText = lead && !hl.some((h) => h.r.member === lead.member) ? `; largest: ${escapeHtml(lead.label)} ${pct(lead)}` : '';
  return `<p class="headline">Newest ${latest.kind === 'quarter' ? 'quarter' : 'period'}: <strong>${escapeHtml(latest.fiscalLabel)}</strong> (to ${escapeHtml(latest.end)}): ${total}${parts.length ? `; ${parts.join(', ')}` : ''}${leadText}.</p>`;
}

function periodTable(c: CompanyReport, periods: ReportPeriod[], caption: string): string {
  if (!periods.length) return '';
  const regions = c.regions.filter((r) => periods.some((p) => p.regions.some((x) => x.member === r.member)));
  const head = regions.map((r) => `<th class="num${r.highlighted ? ' hl' : ''}">${escapeHtml(r.label)}</th>`).join('');
  const rows = [...periods]
    .reverse()
    .map((p) => {
      const cells = regions
        .map((r) => {
          const v = p.regions.find((x) => x.member === r.member);
          const cls = `num${r.highlighted ? ' hl' : ''}`;
          return v
            ? `<td class="${cls}"><span class="v">${formatMillions(v.value, 1)}</span><span class="s">${pct(v)}</span></td>`
            : `<td class="${cls}">—</td>`;
        })
        .join('');
      const note = [p.derived ? 'derived: year − nine months' : '', p.accession ? `filing ${p.accession}` : ''].filter(Boolean).join('; ');
      return `<tr><td class="period"><strong>${escapeHtml(p.fiscalLabel)}</strong><br><span class="muted">${escapeHtml(p.start)} – ${escapeHtml(p.end)}</span></td><td class="num">${p.total === null ? '—' : formatMillions(p.total, 1)}</td>${cells}<td class="muted src">${note.split('; ').map(escapeHtml).join('<br>')}</td></tr>`;
    })
    .join('\n');
  return `<h3>${escapeHtml(caption)} <span class="muted">($M; share of total)</span></h3>
<div class="table-wrap"><table><thead><tr><th>Period</th><th class="num">Total</th>${head}<th>Source</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
}

function languageList(items: LanguageItem[]): string {
  if (!items.length) return '<p class="empty">No export-control language changes recorded.</p>';
  const quote = (cls: string, t: string) => `<blockquote class="${cls}">${escapeHtml(t)}</blockquote>`;
  return `<ul class="plain">${items
    .map((l) => {
      const counts = [
        l.added.length ? `${l.added.length} added` : '',
        l.changed.length ? `${l.changed.length} changed` : '',
        l.removed.length ? `${l.removed.length} removed` : '',
      ]
        .filter(Boolean)
        .join(', ');
      const body = [
        ...l.added.map((t) => quote('add', t)),
        ...l.changed.map((c) => `${quote('del', c.before)}${quote('add', c.after)}`),
        ...l.removed.map((t) => quote('del', t)),
      ].join('');
      return `<li><span class="muted">${escapeHtml(l.date)}</span> ${l.importance === 'high' ? '<span class="badge b-high">high</span> ' : ''}${link(l.url, l.title)}
<div class="muted">${escapeHtml([l.form, l.accession, l.previousAccession ? `vs ${l.previousAccession}` : '', counts, l.countries.length ? `countries: ${l.countries.join(', ')}` : ''].filter(Boolean).join(' · '))}</div>
${body ? `<details><summary>Show the paragraphs</summary>${body}</details>` : ''}</li>`;
    })
    .join('\n')}</ul>`;
}

function companySection(c: CompanyReport, model: ReportModel): string {
  const chart = renderRevenueChart(c, model);
  const quarters = c.periods.filter((p) => p.kind === 'quarter');
  const years = c.periods.filter((p) => p.kind === 'annual');
  const alerts = c.alerts.length
    ? `<ul class="plain">${c.alerts.map((a) => `<li><span class="muted">${escapeHtml(a.date)}</span> ${a.importance === 'high' ? '<span class="badge b-high">high</span> ' : ''}${link(a.url, a.title)}</li>`).join('\n')}</ul>`
    : '<p class="empty">No revenue alerts yet.</p>';
  return `<section class="card" id="${escapeHtml(`company-${c.subject}`)}">
<h2>${escapeHtml(c.name)} <span class="muted">(${escapeHtml(c.subject)}${c.cik ? `, CIK ${escapeHtml(c.cik)}` : ''})</span></h2>
${headline(c)}
${
  chart
    ? `<figure>${chart}<figcaption>Share of revenue by region at each period end (hover a point for the numbers). Markers: Federal Register rules and Entity List additions on the same time axis; the full list is in the regulatory timeline below.</figcaption></figure>`
    : `<p class="empty">No regional revenue stored yet. Backfill it: <code>export-watch revenue-history ${escapeHtml(c.subject)}</code></p>`
}
${periodTable(c, quarters, 'Quarters')}
${periodTable(c, years, 'Fiscal years')}
${c.otherBreakdowns ? `<p class="muted">${c.otherBreakdowns} breakdown(s) along a further dimension (e.g. product × region) are stored but not charted.</p>` : ''}
<h3>Revenue alerts</h3>
${alerts}
<h3>Export-control language</h3>
${languageList(c.language)}
</section>`;
}

function timelineSection(rules: RuleMarker[], entities: EntityMarker[]): string {
  type Row = { date: string; html: string };
  const rows: Row[] = [
    ...rules.map((r) => ({
      date: r.date,
      html: `<td><span class="badge ${badgeClass(r.classification)}">${escapeHtml(ruleLabel(r))}</span></td><td>${link(r.url, r.title)}<div class="muted">${escapeHtml([r.documentNumber, r.citation].filter(Boolean).join(' · '))}</div></td><td>${escapeHtml(r.countries.join(', '))}</td>`,
    })),
    ...entities.map((m) => ({
      date: m.date,
      html: `<td><span class="badge b-entity-list">${escapeHtml(`${m.list} additions`)}</span></td><td>${escapeHtml(additionsLabel(m))}<details><summary>${m.count} entr${m.count === 1 ? 'y' : 'ies'}</summary><ul>${m.entries
        .map(
          (e) =>
            `<li>${escapeHtml(e.name)}${e.countries.length ? ` (${escapeHtml(e.countries.join(', '))})` : ''}${e.notice ? ` <span class="muted">${escapeHtml(e.notice)}</span>` : ''}</li>`,
        )
        .join('')}</ul></details></td><td>${escapeHtml(m.countries.map((c) => c.code).join(', '))}</td>`,
    })),
  ].sort((a, b) => b.date.localeCompare(a.date));
  const body = rows.length
    ? `<div class="table-wrap"><table><thead><tr><th>Date</th><th>What</th><th>Document</th><th>Countries</th></tr></thead><tbody>
${rows.map((r) => `<tr><td class="num">${escapeHtml(r.date)}</td>${r.html}</tr>`).join('\n')}
</tbody></table></div>`
    : '<p class="empty">No Federal Register documents or Entity List additions in the change log.</p>';
  return `<section class="card" id="timeline"><h2>Regulatory timeline</h2><p class="muted">Federal Register (BIS) documents by publication date (public-inspection date before publication) and Entity List additions per listing date.</p>${body}</section>`;
}

/** Options of {@link renderReportHtml}. */
export interface ReportHtmlOptions {
  /**
   * The store holds the offline demo's data: the page opens with a demo banner and the
   * footer no longer claims that upstream text is shown as published (the demo's filings
   * and rules are partly invented).
   */
  demo?: boolean | undefined;
}

/** The report's demo banner (same words as the demo emails'). */
export const REPORT_DEMO_BANNER =
  'DEMO DATA — not real filings or rules. This report was built from export-watch demo data served by a fake upstream: some filings, export-control passages, rules and entities in it are invented (see the README).';

/** Render the whole report. */
export function renderReportHtml(model: ReportModel, options: ReportHtmlOptions = {}): string {
  const title = model.companies.length === 1 ? `export-watch report: ${model.companies[0]?.name ?? ''}` : 'export-watch report';
  const toc = model.companies.map((c) => `<a href="#${escapeHtml(`company-${c.subject}`)}">${escapeHtml(c.subject)}</a>`).join('');
  const companies = model.companies.length
    ? model.companies.map((c) => companySection(c, model)).join('\n')
    : '<section class="card"><p class="empty">No company has regional revenue or export-language changes in this store yet. Run <code>export-watch revenue-history TICKER</code> or let sec-revenue run.</p></section>';
  return `${documentHead(title, 'export-watch report')}
<body>
<main>
${options.demo ? DEMO_BANNER_HTML : ''}
<header class="page">
<h1>Regional revenue and export-control timeline</h1>
<div class="meta">Generated ${escapeHtml(model.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}${model.origin ? ` from ${escapeHtml(model.origin)}` : ''} · highlighted: ${escapeHtml(model.highlight.join(', '))} · ${model.rules.length} Federal Register document(s), ${model.entities.reduce((s, m) => s + m.count, 0)} Entity List addition(s)</div>
<nav class="toc">${toc}<a href="#timeline">Regulatory timeline</a></nav>
</header>
${companies}
${timelineSection(model.rules, model.entities)}
<footer>Shares are of total revenue as reported (of the sum of regions when no total is reported). Periods come from sec-revenue's stored series (history and comparatives, latest recast) and the revenue changes of the change log; a derived fourth quarter is the fiscal year minus the first nine months. ${options.demo ? 'Demo data: the upstream text shown is partly invented for the demo, not as published.' : 'Upstream text is shown as published.'}</footer>
</main>
</body>
</html>
`;
}

/** Longest passage excerpt shown in the mentions table (the whole passage is in the change). */
export const PASSAGE_EXCERPT_CHARS = 420;

function excerpt(text: string | undefined): string {
  if (!text) return '';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= PASSAGE_EXCERPT_CHARS ? flat : `${flat.slice(0, PASSAGE_EXCERPT_CHARS).replace(/\s\S*$/, '')} …`;
}

function sectorCompanyTable(model: SectorModel): string {
  if (!model.companies.length) return '';
  const cell = (c: SectorCompany, id: SectorRegionId) => {
    const p = c.lines[id].at(-1);
    if (!p) return '<td class="num">—</td>';
    return `<td class="num"><span class="v">${pct(p)}</span><span class="s">${escapeHtml(p.fiscalLabel)}${p.members.length > 1 ? ` · ${escapeHtml(p.members.join(' + '))}` : ''}</span></td>`;
  };
  const rows = model.companies
    .map(
      (c) =>
        `<tr class="sector-company"><td><span class="swatch" style="background:${c.charted ? c.color : '#fff'}"></span>${escapeHtml(c.name)} <span class="muted">(${escapeHtml(c.subject)}, CIK ${escapeHtml(c.cik)})</span>${c.charted ? '' : ' <span class="muted">not charted</span>'}</td><td>${c.kind === 'annual' ? 'fiscal years' : 'quarters'}</td>${SECTOR_REGIONS.map((r) => cell(c, r.id)).join('')}</tr>`,
    )
    .join('\n');
  return `<h3>Newest shares per company</h3>
<div class="table-wrap"><table><thead><tr><th>Company</th><th>Periods</th>${SECTOR_REGIONS.map((r) => `<th class="num">${escapeHtml(r.label)}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
}

function mentionsSection(model: SectorModel): string {
  const body = model.mentions.length
    ? `<div class="table-wrap"><table><thead><tr><th>Filed</th><th>Company</th><th>Form</th><th>Query</th><th>Passage</th></tr></thead><tbody>
${model.mentions
  .map(
    (m) =>
      `<tr class="mention${m.first ? ' first' : ''}"><td class="num">${escapeHtml(m.date)}</td><td>${escapeHtml(m.company)}${m.cik ? ` <span class="muted">CIK ${escapeHtml(m.cik)}</span>` : ''}${m.first ? ' <span class="badge b-high">first mention</span>' : ''}</td><td>${link(m.url, m.form ?? 'filing')}${m.accession ? `<div class="muted">${escapeHtml(m.accession)}</div>` : ''}</td><td>${escapeHtml(m.query ?? '')}</td><td>${m.passage ? `<blockquote>${escapeHtml(excerpt(m.passage))}</blockquote>` : '<span class="muted">—</span>'}</td></tr>`,
  )
  .join('\n')}
</tbody></table></div>`
    : '<p class="empty">No filing of a company of this sector mentions export controls in the change log (sec-full-text\'s filing.mention changes).</p>';
  return `<section class="card" id="mentions"><h2>Filers that newly mention export controls</h2><p class="muted">EDGAR full-text search hits (sec-full-text) of the sector's companies, newest first; "first mention" marks each filer's earliest one. Links go to sec.gov only.</p>${body}</section>`;
}

/** The banner of a report built on demo data (its first sentence in bold). */
const DEMO_BANNER_HTML = `<div class="demo-banner" role="note" style="background:#fff1c2;border:2px solid #d4a72c;border-radius:6px;padding:10px 14px;margin-bottom:16px;color:#4d3800;"><strong>${escapeHtml(REPORT_DEMO_BANNER.slice(0, REPORT_DEMO_BANNER.indexOf('.') + 1))}</strong>${escapeHtml(REPORT_DEMO_BANNER.slice(REPORT_DEMO_BANNER.indexOf('.') + 1))}</div>`;

/**
 * The document head of every report page: a Content-Security-Policy that allows no
 * request at all (inline CSS, data: images), so a page opened offline or from a mail
 * attachment never reaches out.
 */
function documentHead(title: string, generator: string, extraCss = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(generator)}">
<title>${escapeHtml(title)}</title>
<style>${CSS}${extraCss ? `\n${extraCss}` : ''}</style>
</head>`;
}

/** Render the sector page (`export-watch report --sector`): one self-contained HTML file like the report. */
export function renderSectorHtml(model: SectorModel, options: ReportHtmlOptions = {}): string {
  const chart = renderSectorChart(model);
  const summed = model.companies.filter((c) => c.summedCnHk && c.charted).map((c) => c.name);
  const charted = model.companies.filter((c) => c.charted).length;
  const title = `export-watch sector SIC ${model.sic}`;
  return `${documentHead(title, 'export-watch report --sector', '.swatch { display: inline-block; width: 11px; height: 11px; border: 1px solid #c7ccd3; margin-right: 6px; vertical-align: -1px; }\n')}
<body>
<main>
${options.demo ? DEMO_BANNER_HTML : ''}
<header class="page">
<h1>Sector SIC ${escapeHtml(model.sic)}: Singapore, China and Taiwan in revenue, export-control mentions and BIS rules</h1>
<div class="meta">Generated ${escapeHtml(model.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}${model.origin ? ` from ${escapeHtml(model.origin)}` : ''} · ${model.rosterSize} compan${model.rosterSize === 1 ? 'y' : 'ies'} on the roster${model.rosterFetchedAt ? ` (EDGAR listing of ${escapeHtml(model.rosterFetchedAt.slice(0, 10))})` : ''} · ${model.companies.length} with regional revenue · ${model.mentions.length} mention(s) · ${model.rules.length} Federal Register document(s)</div>
<nav class="toc"><a href="#shares">Revenue shares</a><a href="#mentions">Mentions</a><a href="#timeline">Regulatory timeline</a></nav>
</header>
<section class="card" id="shares">
<h2>Share of revenue: Singapore, China incl. Hong Kong, Taiwan</h2>
${
  chart
    ? `<figure>${chart}<figcaption>Each company's share of its revenue at each period end (hover a point for the numbers): colour is the company, dash and marker the region. China incl. Hong Kong is the sum of China and Hong Kong where a company reports them apart${summed.length ? ` (${escapeHtml(summed.join(', '))})` : ''}. ${charted < model.companies.length ? `The ${charted} companies with the largest combined share are charted; the others are in the table. ` : ''}Markers: BIS rules (Federal Register) on the same time axis.</figcaption></figure>`
    : '<p class="empty">No company of this sector has regional revenue for Singapore, China or Taiwan stored yet (sec-revenue series; backfill with <code>export-watch revenue-history TICKER</code>).</p>'
}
${sectorCompanyTable(model)}
</section>
${mentionsSection(model)}
${timelineSection(model.rules, model.entities)}
<footer>Shares are of total revenue as reported (of the sum of regions when no total is reported), from sec-revenue's stored series and revenue changes of the sector's companies (by CIK). A region that covers other places too (e.g. "Asia Pacific") counts for none of the three. ${options.demo ? 'Demo data: the upstream text shown is partly invented for the demo, not as published.' : 'Upstream text is shown as published.'}</footer>
</main>
</body>
</html>
`;
}
