import { formatMoney, formatShare, type ShareParts } from '#core/format.ts';
import { escapeHtml } from '#core/escape.ts';
import type { CompanyReport, EntityMarker, RegionValue, ReportPeriod, ReportRegion, RuleMarker } from './report-model.ts';
import { SECTOR_REGIONS, type SectorModel, type SectorRegionId } from './sector.ts';

/**
 * The report's chart, hand-built as inline SVG (no library, no script, nothing fetched at
 * view time): one line per region with the share of revenue (0–100 %) over time, quarters
 * solid and fiscal years dashed, the highlighted region (Singapore) drawn bold with its
 * values; Federal Register rules and Entity List additions as labelled markers on the same
 * time axis; a legend column on the right. Pure: a string from the model.
 */

/** Layout options. */
export interface ChartOptions {
  /** Total width in px (default 960). */
  width?: number;
  /** Height of the plot area in px (default 300). */
  plotHeight?: number;
}

/** Marker colours by what a rule does. */
export const MARKER_COLORS = {
  'advanced-computing': '#e6550d',
  'entity-list': '#6a51a3',
  'ear-amendment': '#8c8c8c',
  additions: '#6a51a3',
} as const;

/** Rule classes drawn on the chart; notices and the rest stay in the timeline table. */
const CHARTED_RULES = new Set([
  'advanced-computing',
  'entity-list-addition',
  'entity-list-removal',
  'entity-list-revision',
  'entity-list-affiliates',
  'ear-amendment',
]);
/** Rule classes that get a label (the others only a line and a tooltip). */
const LABELLED_RULES = new Set([
  'advanced-computing',
  'entity-list-addition',
  'entity-list-removal',
  'entity-list-revision',
  'entity-list-affiliates',
]);

const DAY = 86_400_000;
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', Arial, sans-serif";
const LEGEND_W = 215;
const MARGIN_LEFT = 54;
const ROW = 16;
const MAX_ROWS = 7;
/** Rough width of one character of 11 px sans-serif text, for label collision checks. */
const CHAR_W = 6.1;
/** Quarters further apart than this are joined by a dotted "gap" line, not a solid one. */
const CONSECUTIVE_DAYS = 120;

const time = (date: string) => Date.parse(`${date.slice(0, 10)}T00:00:00Z`);

/** "21.7%": the shared share formatter; pass value and base where known, a bare number is a fraction. */
export function pct(share: ShareParts | number): string {
  return formatShare(share);
}

/** A rule's short label: what it does. */
export function ruleLabel(rule: Pick<RuleMarker, 'classification' | 'status'>): string {
  const what: Record<string, string> = {
    'advanced-computing': 'Advanced-computing rule',
    'entity-list-addition': 'Entity List additions rule',
    'entity-list-removal': 'Entity List removals rule',
    'entity-list-revision': 'Entity List revisions rule',
    'entity-list-affiliates': 'Affiliates (50 percent) rule',
    'denial-order': 'Denial order',
    'ear-amendment': 'EAR amendment',
    notice: 'BIS notice',
  };
  const base = what[rule.classification] ?? 'BIS document';
  return rule.status === 'public-inspection' ? `${base} (public inspection)` : rule.status === 'correction' ? `${base} (correction)` : base;
}

/** "Entity List +3 (CN 2, SG 1)". */
export function additionsLabel(m: EntityMarker): string {
  const cc = m.countries.slice(0, 3).map((c) => `${c.code} ${c.count}`);
  if (m.countries.length > 3) cc.push('…');
  return `${m.list} +${m.count}${cc.length ? ` (${cc.join(', ')})` : ''}`;
}

function ruleColor(classification: string): string {
  if (classification === 'advanced-computing') return MARKER_COLORS['advanced-computing'];
  if (classification.startsWith('entity-list')) return MARKER_COLORS['entity-list'];
  return MARKER_COLORS['ear-amendment'];
}

interface Marker {
  date: string;
  color: string;
  dash: string;
  label: string | undefined;
  tooltip: string;
  count?: number;
}

function markersOf(rules: readonly RuleMarker[], entities: readonly EntityMarker[]): Marker[] {
  const out: Marker[] = [];
  for (const r of rules) {
    if (!CHARTED_RULES.has(r.classification)) continue;
    out.push({
      date: r.date,
      color: ruleColor(r.classification),
      dash: r.status === 'public-inspection' ? '2 3' : '5 3',
      label: LABELLED_RULES.has(r.classification) ? `${ruleLabel(r)} · ${r.date}` : undefined,
      tooltip: `${r.date} ${ruleLabel(r)}: ${r.title}${r.citation ? ` (${r.citation})` : ''}`,
    });
  }
  for (const m of entities) {
    out.push({
      date: m.date,
      color: MARKER_COLORS.additions,
      dash: '1 3',
      label: `${additionsLabel(m)} · ${m.date}`,
      tooltip: `${m.date} ${additionsLabel(m)}: ${m.entries.map((e) => `${e.name}${e.countries.length ? ` (${e.countries.join(', ')})` : ''}`).join('; ')}`,
      count: m.count,
    });
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

/** Split a label into lines of at most `max` characters at spaces. */
function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && `${line} ${word}`.length > max) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Text with a white halo so it stays readable over lines and markers. */
function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs} paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round">${escapeHtml(content)}</text>`;
}

function pointTooltip(region: ReportRegion, p: ReportPeriod, r: RegionValue): string {
  const total = p.total !== null ? ` of ${formatMoney(p.total)}` : '';
  return `${region.label} — ${p.fiscalLabel}${p.derived ? ' (derived: year − nine months)' : ''}, ${p.start} – ${p.end}: ${pct(r)} (${formatMoney(r.value)}${total})`;
}

/** A time axis over `times` (ms), padded so nothing sits on the frame: at least 120 days wide. */
function timeAxis(times: readonly number[], plotL: number, plotW: number): { t0: number; t1: number; x: (date: string) => number } {
  let t0 = Math.min(...times);
  let t1 = Math.max(...times);
  if (t1 - t0 < 120 * DAY) {
    t0 -= 90 * DAY;
    t1 += 90 * DAY;
  }
  const pad = Math.max(30 * DAY, (t1 - t0) * 0.035);
  t0 -= pad;
  t1 += pad;
  return { t0, t1, x: (date: string) => plotL + ((time(date) - t0) / (t1 - t0)) * plotW };
}

/** A marker label placed in the band above the plot. */
interface PlacedLabel {
  m: Marker;
  row: number;
  x: number;
  anchor: 'start' | 'end';
}

/**
 * Marker labels in a band above the plot, in as few rows as keep them apart (at most
 * MAX_ROWS; a label that does not fit is left out, its line and tooltip remain).
 */
function placeLabels(markers: readonly Marker[], x: (date: string) => number, width: number): { rows: number; placed: PlacedLabel[] } {
  const rows: Array<Array<[number, number]>> = [];
  const placed: PlacedLabel[] = [];
  for (const m of markers) {
    if (!m.label) continue;
    const mx = x(m.date);
    const w = m.label.length * CHAR_W + 10;
    let anchor: 'start' | 'end' = 'start';
    let span: [number, number] = [mx + 4, mx + 4 + w];
    if (span[1] > width - 6) {
      anchor = 'end';
      span = [mx - 4 - w, mx - 4];
    }
    let row = rows.findIndex((r) => r.every(([a, b]) => span[1] + 8 < a || span[0] - 8 > b));
    if (row < 0 && rows.length < MAX_ROWS) {
      rows.push([]);
      row = rows.length - 1;
    }
    if (row < 0) continue;
    rows[row]?.push(span);
    placed.push({ m, row, x: mx, anchor });
  }
  return { rows: rows.length, placed };
}

/** Quarter ticks and year labels (quarter names too when `labelQuarters`) along the x axis. */
function timeTicks(
  axis: { t0: number; t1: number },
  plot: { l: number; w: number; t: number; b: number },
  labelQuarters: boolean,
): string[] {
  const { t0, t1 } = axis;
  const parts: string[] = [];
  for (let yr = new Date(t0).getUTCFullYear(); yr <= new Date(t1).getUTCFullYear(); yr++) {
    for (const month of [0, 3, 6, 9]) {
      const tick = Date.UTC(yr, month, 1);
      if (tick < t0 || tick > t1) continue;
      const tx = (plot.l + ((tick - t0) / (t1 - t0)) * plot.w).toFixed(1);
      const major = month === 0;
      if (major) parts.push(`<line x1="${tx}" x2="${tx}" y1="${plot.t}" y2="${plot.b}" stroke="#f0f0f0"/>`);
      parts.push(`<line x1="${tx}" x2="${tx}" y1="${plot.b}" y2="${plot.b + (major ? 6 : 3)}" stroke="#888"/>`);
      if (major)
        parts.push(`<text x="${tx}" y="${plot.b + 19}" text-anchor="middle" font-size="11.5" font-weight="600" fill="#333">${yr}</text>`);
      else if (labelQuarters) {
        const name = ['Jan', 'Apr', 'Jul', 'Oct'][month / 3] as string;
        parts.push(`<text x="${tx}" y="${plot.b + 17}" text-anchor="middle" font-size="10" fill="#777">${name}</text>`);
      }
    }
  }
  return parts;
}

/** The placed labels, over everything else. */
function labelTexts(placed: readonly PlacedLabel[], rowY: (row: number) => number): string[] {
  return placed.map((p) => {
    const tx = p.anchor === 'start' ? p.x + 4 : p.x - 4;
    return `<g><title>${escapeHtml(p.m.tooltip)}</title>${text(tx, rowY(p.row), p.m.label ?? '', `text-anchor="${p.anchor}" font-size="11" font-weight="600" fill="${p.m.color}"`)}</g>`;
  });
}

/**
 * The chart of one company, or an empty string when it has no quarter or fiscal year yet.
 * Markers from the whole timeline share its time axis.
 */
export function renderRevenueChart(
  company: CompanyReport,
  timeline: { rules: readonly RuleMarker[]; entities: readonly EntityMarker[] },
  options: ChartOptions = {},
): string {
  const periods = company.periods;
  if (periods.length === 0) return '';
  const width = options.width ?? 960;
  const plotH = options.plotHeight ?? 300;
  const plotL = MARGIN_LEFT;
  const plotW = width - plotL - LEGEND_W - 24;
  const plotR = plotL + plotW;
  const markers = markersOf(timeline.rules, timeline.entities);

  // Time domain: every point and marker, padded so nothing sits on the frame.
  const times = [...periods.map((p) => time(p.end)), ...markers.map((m) => time(m.date))].filter(Number.isFinite);
  const { t0, t1, x } = timeAxis(times, plotL, plotW);
  const { rows, placed } = placeLabels(markers, x, width);
  const bandTop = 6;
  const plotT = bandTop + rows * ROW + (rows ? 12 : 8);
  const plotB = plotT + plotH;
  const y = (share: number) => plotB - Math.max(0, Math.min(1, share)) * plotH;
  const rowY = (row: number) => bandTop + 11 + row * ROW;

  const parts: string[] = [];
  // Grid and axes.
  for (let s = 0; s <= 100; s += 10) {
    const gy = y(s / 100);
    parts.push(
      `<line x1="${plotL}" x2="${plotR}" y1="${gy.toFixed(1)}" y2="${gy.toFixed(1)}" stroke="${s === 0 ? '#888' : '#e6e6e6'}" stroke-width="1"/>`,
    );
    if (s % 20 === 0)
      parts.push(`<text x="${plotL - 8}" y="${(gy + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#555">${s}%</text>`);
  }
  parts.push(
    `<text transform="translate(14 ${(plotT + plotH / 2).toFixed(1)}) rotate(-90)" text-anchor="middle" font-size="11" fill="#555">Share of revenue</text>`,
  );
  const spanYears = (t1 - t0) / (365.25 * DAY);
  parts.push(...timeTicks({ t0, t1 }, { l: plotL, w: plotW, t: plotT, b: plotB }, spanYears < 2.6));

  // Markers: lines from their label row (or the plot top) to the axis, behind the data.
  const labelled = new Map(placed.map((p) => [p.m, p]));
  for (const m of markers) {
    const mx = x(m.date).toFixed(1);
    const p = labelled.get(m);
    const top = p ? rowY(p.row) + 3 : plotT;
    parts.push(
      `<g><title>${escapeHtml(m.tooltip)}</title><line x1="${mx}" x2="${mx}" y1="${top.toFixed(1)}" y2="${plotB}" stroke="${m.color}" stroke-width="${p ? 1.6 : 1.2}" stroke-dasharray="${m.dash}" opacity="${p ? 0.95 : 0.6}"/>` +
        (m.count !== undefined
          ? `<path d="M${mx} ${plotB - 7} l6 7 l-6 7 l-6 -7 z" fill="${m.color}" stroke="#fff" stroke-width="1"/>`
          : '') +
        '</g>',
    );
  }

  // Region lines: the others first, the highlighted one on top.
  const order = [...company.regions].sort((a, b) => Number(a.highlighted) - Number(b.highlighted));
  for (const region of order) {
    const w = region.highlighted ? 3.5 : 2;
    const pointsOf = (kind: 'quarter' | 'annual') =>
      periods
        .filter((p) => p.kind === kind)
        .map((p) => ({ p, r: p.regions.find((r) => r.member === region.member) }))
        .filter((e): e is { p: ReportPeriod; r: NonNullable<typeof e.r> } => e.r !== undefined);
    const annual = pointsOf('annual');
    const quarters = pointsOf('quarter');
    const g: string[] = [];
    if (annual.length > 1) {
      g.push(
        `<path d="${annual.map((e, i) => `${i ? 'L' : 'M'}${x(e.p.end).toFixed(1)} ${y(e.r.share).toFixed(1)}`).join(' ')}" fill="none" stroke="${region.color}" stroke-width="${w - 0.5}" stroke-dasharray="7 4" opacity="0.8"/>`,
      );
    }
    for (let i = 1; i < quarters.length; i++) {
      const a = quarters[i - 1] as (typeof quarters)[number];
      const b = quarters[i] as (typeof quarters)[number];
      const consecutive = (time(b.p.end) - time(a.p.end)) / DAY <= CONSECUTIVE_DAYS;
      g.push(
        `<line x1="${x(a.p.end).toFixed(1)}" y1="${y(a.r.share).toFixed(1)}" x2="${x(b.p.end).toFixed(1)}" y2="${y(b.r.share).toFixed(1)}" stroke="${region.color}" stroke-width="${consecutive ? w : w - 0.5}"${consecutive ? '' : ` stroke-dasharray="3 4" opacity="${region.highlighted ? 1 : 0.7}"`} stroke-linecap="round"/>`,
      );
    }
    for (const e of annual) {
      g.push(
        `<circle cx="${x(e.p.end).toFixed(1)}" cy="${y(e.r.share).toFixed(1)}" r="${region.highlighted ? 4.5 : 3.5}" fill="#fff" stroke="${region.color}" stroke-width="2"><title>${escapeHtml(pointTooltip(region, e.p, e.r))}</title></circle>`,
      );
    }
    for (const e of quarters) {
      g.push(
        `<circle cx="${x(e.p.end).toFixed(1)}" cy="${y(e.r.share).toFixed(1)}" r="${region.highlighted ? 5 : 3.5}" fill="${region.color}" stroke="#fff" stroke-width="1.5"><title>${escapeHtml(pointTooltip(region, e.p, e.r))}</title></circle>`,
      );
    }
    if (region.highlighted) {
      for (const e of [...annual, ...quarters]) {
        g.push(
          text(x(e.p.end), y(e.r.share) - 10, pct(e.r), `text-anchor="middle" font-size="11.5" font-weight="700" fill="${region.color}"`),
        );
      }
    }
    parts.push(`<g class="region" data-member="${escapeHtml(region.member)}">${g.join('')}</g>`);
  }

  // Marker labels last, over everything.
  parts.push(...labelTexts(placed, rowY));

  // Legend column: regions with their newest share, then the keys.
  const lx = plotR + 24;
  const legend: string[] = [];
  let ly = plotT + 4;
  const newest = periods.at(-1) as ReportPeriod;
  legend.push(`<text x="${lx}" y="${ly + 8}" font-size="12" font-weight="700" fill="#222">Share of revenue</text>`);
  ly += 24;
  legend.push(
    `<text x="${lx}" y="${ly}" font-size="10.5" fill="#666">${escapeHtml(`newest: ${newest.fiscalLabel} (to ${newest.end})`)}</text>`,
  );
  ly += 16;
  for (const region of company.regions) {
    const lines = wrap(region.label, 24);
    const strong = region.highlighted ? ' font-weight="700"' : '';
    legend.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${region.color}" stroke-width="${region.highlighted ? 3.5 : 2}"/><circle cx="${lx + 9}" cy="${ly - 4}" r="${region.highlighted ? 4 : 3}" fill="${region.color}"/>`,
    );
    lines.forEach((line, i) => {
      legend.push(
        `<text x="${lx + 24}" y="${ly + i * 13}" font-size="11.5" fill="${region.highlighted ? region.color : '#222'}"${strong}>${escapeHtml(line)}</text>`,
      );
    });
    legend.push(
      `<text x="${width - 6}" y="${ly}" text-anchor="end" font-size="11.5" fill="${region.highlighted ? region.color : '#222'}"${strong}>${region.latestShare === null ? '—' : pct(region.latest ?? region.latestShare)}</text>`,
    );
    ly += lines.length * 13 + 7;
  }
  ly += 8;
  const key = (glyph: string, label: string) => {
    legend.push(`${glyph}<text x="${lx + 24}" y="${ly}" font-size="10.5" fill="#444">${escapeHtml(label)}</text>`);
    ly += 16;
  };
  const keyLine = (stroke: string, dash: string, w = 2) =>
    `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${stroke}" stroke-width="${w}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
  key(keyLine('#444', ''), 'quarter');
  if (periods.some((p) => p.kind === 'annual')) key(keyLine('#444', '7 4', 1.5), 'fiscal year');
  const quarterEnds = periods.filter((p) => p.kind === 'quarter').map((p) => time(p.end));
  if (quarterEnds.some((t, i) => i > 0 && (t - (quarterEnds[i - 1] as number)) / DAY > CONSECUTIVE_DAYS))
    key(keyLine('#444', '3 4', 1.5), 'quarters not adjacent');
  if (markers.some((m) => m.color === MARKER_COLORS['advanced-computing']))
    key(keyLine(MARKER_COLORS['advanced-computing'], '5 3', 1.6), 'advanced-computing rule');
  if (markers.some((m) => m.color === MARKER_COLORS['entity-list'] && m.count === undefined))
    key(keyLine(MARKER_COLORS['entity-list'], '5 3', 1.6), 'Entity List rule');
  if (markers.some((m) => m.count !== undefined)) {
    key(`<path d="M${lx + 9} ${ly - 10} l6 6 l-6 6 l-6 -6 z" fill="${MARKER_COLORS.additions}"/>`, 'Entity List additions');
  }
  if (markers.some((m) => m.color === MARKER_COLORS['ear-amendment']))
    key(keyLine(MARKER_COLORS['ear-amendment'], '5 3', 1.2), 'other EAR rule');
  if (markers.some((m) => m.dash === '2 3')) key(keyLine('#666', '2 3', 1.6), 'on public inspection');

  const height = Math.ceil(Math.max(plotB + 30, ly + 4));
  const title = `${company.name}: regional revenue share over time`;
  const desc = `Lines: ${company.regions.map((r) => `${r.label}${r.latestShare === null ? '' : ` ${pct(r.latest ?? r.latestShare)}`}`).join(', ')}. ${markers.length} regulatory marker(s).`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="t-${escapeHtml(company.subject)} d-${escapeHtml(company.subject)}" font-family="${FONT}">`,
    `<title id="t-${escapeHtml(company.subject)}">${escapeHtml(title)}</title><desc id="d-${escapeHtml(company.subject)}">${escapeHtml(desc)}</desc>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    ...parts,
    ...legend,
    '</svg>',
  ].join('\n');
}

/** How each region of the sector chart is drawn: companies are told apart by colour, regions by dash and marker. */
export const SECTOR_REGION_STYLE: Record<SectorRegionId, { dash: string; marker: 'circle' | 'square' | 'triangle'; legend: string }> = {
  SG: { dash: '', marker: 'circle', legend: 'Singapore' },
  CNHK: { dash: '7 4', marker: 'square', legend: 'China incl. Hong Kong (China and Hong Kong summed where reported apart)' },
  TW: { dash: '2 3', marker: 'triangle', legend: 'Taiwan' },
};

function glyph(
  shape: 'circle' | 'square' | 'triangle',
  cx: number,
  cy: number,
  r: number,
  color: string,
  hollow: boolean,
  title = '',
): string {
  const paint = hollow ? `fill="#fff" stroke="${color}" stroke-width="1.8"` : `fill="${color}" stroke="#fff" stroke-width="1.2"`;
  const t = title ? `<title>${escapeHtml(title)}</title>` : '';
  if (shape === 'circle') return `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${r}" ${paint}>${t}</circle>`;
  if (shape === 'square')
    return `<rect x="${(cx - r).toFixed(1)}" y="${(cy - r).toFixed(1)}" width="${2 * r}" height="${2 * r}" ${paint}>${t}</rect>`;
  return `<path d="M${cx.toFixed(1)} ${(cy - r - 1).toFixed(1)} l${r + 1} ${2 * r + 1} l${-2 * r - 2} 0 z" ${paint}>${t}</path>`;
}

/**
 * The sector page's one chart: for each charted company (colour) and each of Singapore,
 * China incl. Hong Kong and Taiwan (dash and marker), its share of revenue at each period
 * end; BIS rules (Federal Register) as labelled markers on the same time axis. The y axis
 * ends at the next 10 % above the largest share, so small shares stay readable. Empty
 * string when no company has a point.
 */
export function renderSectorChart(model: SectorModel, options: ChartOptions = {}): string {
  const companies = model.companies.filter((c) => c.charted);
  const points = companies.flatMap((c) => SECTOR_REGIONS.flatMap((r) => c.lines[r.id]));
  if (points.length === 0) return '';
  const width = options.width ?? 960;
  const plotH = options.plotHeight ?? 320;
  const plotL = MARGIN_LEFT;
  const plotW = width - plotL - LEGEND_W - 24;
  const plotR = plotL + plotW;
  const markers = markersOf(model.rules, []);

  const times = [...points.map((p) => time(p.end)), ...markers.map((m) => time(m.date))].filter(Number.isFinite);
  const { t0, t1, x } = timeAxis(times, plotL, plotW);
  const top = Math.min(1, Math.max(0.1, Math.ceil(Math.max(...points.map((p) => p.share)) * 10 + 1e-9) / 10));

  const { rows, placed } = placeLabels(markers, x, width);
  const bandTop = 6;
  const plotT = bandTop + rows * ROW + (rows ? 12 : 8);
  const plotB = plotT + plotH;
  const y = (share: number) => plotB - (Math.max(0, Math.min(top, share)) / top) * plotH;
  const rowY = (row: number) => bandTop + 11 + row * ROW;

  const parts: string[] = [];
  const step = top <= 0.3 ? 0.05 : 0.1;
  for (let i = 0; i * step <= top + 1e-9; i++) {
    const s = i * step;
    const gy = y(s);
    parts.push(
      `<line x1="${plotL}" x2="${plotR}" y1="${gy.toFixed(1)}" y2="${gy.toFixed(1)}" stroke="${i === 0 ? '#888' : '#e6e6e6'}" stroke-width="1"/>`,
    );
    parts.push(
      `<text x="${plotL - 8}" y="${(gy + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#555">${Math.round(s * 100)}%</text>`,
    );
  }
  parts.push(
    `<text transform="translate(14 ${(plotT + plotH / 2).toFixed(1)}) rotate(-90)" text-anchor="middle" font-size="11" fill="#555">Share of revenue</text>`,
  );
  parts.push(...timeTicks({ t0, t1 }, { l: plotL, w: plotW, t: plotT, b: plotB }, false));

  const labelled = new Map(placed.map((p) => [p.m, p]));
  for (const m of markers) {
    const mx = x(m.date).toFixed(1);
    const p = labelled.get(m);
    const from = p ? rowY(p.row) + 3 : plotT;
    parts.push(
      `<g class="rule-marker"><title>${escapeHtml(m.tooltip)}</title><line x1="${mx}" x2="${mx}" y1="${from.toFixed(1)}" y2="${plotB}" stroke="${m.color}" stroke-width="${p ? 1.6 : 1.2}" stroke-dasharray="${m.dash}" opacity="${p ? 0.95 : 0.6}"/></g>`,
    );
  }

  for (const c of companies) {
    for (const region of SECTOR_REGIONS) {
      const line = c.lines[region.id];
      if (line.length === 0) continue;
      const style = SECTOR_REGION_STYLE[region.id];
      const hollow = c.kind === 'annual';
      const g: string[] = [];
      if (line.length > 1) {
        g.push(
          `<path d="${line.map((p, i) => `${i ? 'L' : 'M'}${x(p.end).toFixed(1)} ${y(p.share).toFixed(1)}`).join(' ')}" fill="none" stroke="${c.color}" stroke-width="2"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''} stroke-linejoin="round"/>`,
        );
      }
      for (const p of line) {
        const summed = p.members.length > 1 ? ` (${p.members.join(' + ')})` : '';
        const tip = `${c.name} — ${region.label}${summed}, ${p.fiscalLabel}, ${p.start} – ${p.end}: ${pct(p)} (${formatMoney(p.value)} of ${formatMoney(p.base)})`;
        g.push(glyph(style.marker, x(p.end), y(p.share), 4, c.color, hollow, tip));
      }
      parts.push(`<g class="sector-line" data-region="${region.id}" data-cik="${escapeHtml(c.cik)}">${g.join('')}</g>`);
    }
  }

  parts.push(...labelTexts(placed, rowY));

  // Legend: companies by colour, then regions by dash and marker, then the keys.
  const lx = plotR + 24;
  const legend: string[] = [];
  let ly = plotT + 4;
  legend.push(`<text x="${lx}" y="${ly + 8}" font-size="12" font-weight="700" fill="#222">Companies</text>`);
  ly += 26;
  for (const c of companies) {
    const lines = wrap(c.name, 26).slice(0, 2);
    legend.push(`<rect x="${lx}" y="${ly - 9}" width="16" height="9" fill="${c.color}"/>`);
    lines.forEach((l, i) => {
      legend.push(`<text x="${lx + 22}" y="${ly + i * 13}" font-size="11" fill="#222">${escapeHtml(l)}</text>`);
    });
    ly += lines.length * 13 + 4;
  }
  ly += 8;
  legend.push(`<text x="${lx}" y="${ly}" font-size="12" font-weight="700" fill="#222">Regions</text>`);
  ly += 18;
  for (const region of SECTOR_REGIONS) {
    const style = SECTOR_REGION_STYLE[region.id];
    const lines = wrap(style.legend, 26);
    legend.push(
      `<g><title>${escapeHtml(style.legend)}</title><line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="#444" stroke-width="2"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>${glyph(style.marker, lx + 9, ly - 4, 3.5, '#444', false)}</g>`,
    );
    lines.forEach((l, i) => {
      legend.push(`<text x="${lx + 24}" y="${ly + i * 13}" font-size="11" fill="#222">${escapeHtml(l)}</text>`);
    });
    ly += lines.length * 13 + 5;
  }
  ly += 6;
  if (companies.some((c) => c.kind === 'annual')) {
    legend.push(
      `${glyph('circle', lx + 9, ly - 4, 3.5, '#444', true)}<text x="${lx + 24}" y="${ly}" font-size="10.5" fill="#444">fiscal year (no quarters)</text>`,
    );
    ly += 16;
  }
  if (markers.some((m) => m.color === MARKER_COLORS['advanced-computing'])) {
    legend.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${MARKER_COLORS['advanced-computing']}" stroke-width="1.6" stroke-dasharray="5 3"/><text x="${lx + 24}" y="${ly}" font-size="10.5" fill="#444">advanced-computing rule</text>`,
    );
    ly += 16;
  }
  if (markers.some((m) => m.color === MARKER_COLORS['entity-list'])) {
    legend.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${MARKER_COLORS['entity-list']}" stroke-width="1.6" stroke-dasharray="5 3"/><text x="${lx + 24}" y="${ly}" font-size="10.5" fill="#444">Entity List rule</text>`,
    );
    ly += 16;
  }
  if (markers.some((m) => m.color === MARKER_COLORS['ear-amendment'])) {
    legend.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${MARKER_COLORS['ear-amendment']}" stroke-width="1.2" stroke-dasharray="5 3"/><text x="${lx + 24}" y="${ly}" font-size="10.5" fill="#444">other EAR rule</text>`,
    );
    ly += 16;
  }

  const height = Math.ceil(Math.max(plotB + 30, ly + 4));
  const id = `sector-${escapeHtml(model.sic)}`;
  const desc = `Share of revenue from ${SECTOR_REGIONS.map((r) => SECTOR_REGION_STYLE[r.id].legend).join(', ')} for ${companies.length} compan${companies.length === 1 ? 'y' : 'ies'} of SIC ${model.sic}: ${companies.map((c) => c.name).join(', ')}. ${markers.length} BIS rule marker(s).`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart sector" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="t-${id} d-${id}" font-family="${FONT}">`,
    `<title id="t-${id}">${escapeHtml(`SIC ${model.sic}: Singapore, China incl. Hong Kong and Taiwan share of revenue`)}</title><desc id="d-${id}">${escapeHtml(desc)}</desc>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    ...parts,
    ...legend,
    '</svg>',
  ].join('\n');
}
