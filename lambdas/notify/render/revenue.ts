import type { Change } from '#core/change.ts';
import { countryName } from '#core/countries.ts';
import { formatMoneyShort, roundTenth } from '#core/format.ts';
import { type RevenueMoveData, type RevenueRegionData, SEC_REVENUE_CONTRACT } from '#sources/sec-revenue/contract.ts';
import {
  arrow,
  byImportance,
  COLORS,
  card,
  cardTitle,
  changeFooter,
  chip,
  dataOf,
  type DeepPartial,
  esc,
  FONT,
  type FamilyRenderer,
  highChip,
  linkRow,
  metaLine,
  num,
  plural,
  type RenderContext,
  scrollBox,
  share,
  signed,
  sourceUrl,
  str,
  textTable,
  wrap,
  oneLine,
} from './kit.ts';

/**
 * Regional revenue (`revenue.*`): a before/after table per change with shares, the
 * percentage-point moves (▲▼) and value changes, the countries of interest highlighted.
 * Every card says what the shares are of: total revenue, or a product's or segment's
 * revenue for a two-axis split (Netflix's Streaming × region), with the company's revenue
 * beside it; members overlapping the regions (a region next to its own countries) are
 * listed apart, never added in. Reads the data block through the sec-revenue contract
 * (kit.ts `dataOf`): any field may be missing, and each one there has its declared type.
 */
export const revenueRenderer: FamilyRenderer = {
  id: 'revenue',
  label: 'Regional revenue',
  accent: '#8250df',
  matches: (c) => c.kind.startsWith('revenue.') || c.source === 'sec-revenue',
  headline(changes) {
    const sorted = [...changes].sort(byImportance);
    const lead = sorted[0];
    if (!lead) return '';
    return changes.length === 1 ? lead.title : `${lead.title} and ${plural(changes.length - 1, 'more revenue split')}`;
  },
  render(changes, ctx) {
    const sorted = [...changes].sort(byImportance);
    return { html: sorted.map((c) => revenueCard(c, ctx)).join(''), text: sorted.map((c) => revenueText(c, ctx)).join('\n\n') };
  },
};

type Basis = 'YoY' | 'QoQ' | 'Recast';

interface RegionRow {
  member: string;
  label: string;
  before?: ShareCell | undefined;
  after?: ShareCell | undefined;
  pp: Partial<Record<Basis, number>>;
  valuePct: Partial<Record<Basis, number>>;
  added: boolean;
  removed: boolean;
  interest: boolean;
}

/** A value with what its share is of: `base` (total or sum of regions) when known, else the stored fraction. */
interface ShareCell {
  value?: number | undefined;
  share?: number | undefined;
  base?: number | undefined;
}

interface RevenueView {
  periodLabel: string;
  beforeLabel: string;
  basis: Basis | undefined;
  /** Second pp column (QoQ next to a YoY headline) when the data has it. */
  secondary: Basis | undefined;
  rows: RegionRow[];
  total?: number | undefined;
  totalBefore?: number | undefined;
  /** The label of the total row: "Total revenue", or "Streaming revenue" for a product × region split. */
  totalLabel: string;
  /** What shares are of, in words ("total revenue", "Streaming revenue"). */
  shareOf: string;
  /** The company's revenue, for a split of a product or segment. */
  consolidatedTotal?: number | undefined;
  /** Members reported beside the regions that overlap them (not added). */
  overlapping: Array<{ label: string } & ShareCell>;
  complete: boolean;
  recast: boolean;
  form?: string | undefined;
  accession?: string | undefined;
  periodRange?: string | undefined;
  previousAccession?: string | undefined;
}

const BASIS: Record<string, Basis> = { yoy: 'YoY', qoq: 'QoQ', recast: 'Recast' };

type RegionData = DeepPartial<RevenueRegionData>;

function regionList(
  value: readonly RegionData[] | null | undefined,
): Array<{ member: string; label: string; value?: number | undefined; share?: number | undefined }> {
  return (value ?? [])
    .map((r) => ({
      member: str(r.member) ?? str(r.label) ?? '',
      label: str(r.label) ?? str(r.member) ?? '?',
      value: r.value,
      share: r.share,
    }))
    .filter((r) => r.member !== '');
}

function memberCountries(member: string, label: string, given: readonly string[] | undefined, interest: ReadonlySet<string>): string[] {
  if (given?.length) return [...given];
  const m = /country:([A-Z]{2})$/i.exec(member);
  if (m?.[1]) return [m[1].toUpperCase()];
  // A custom member ("nvda:SingaporeMember") without country metadata: match by name.
  return [...interest].filter((code) => label.toLowerCase() === countryName(code).toLowerCase());
}

/** A cell's share as an exact fraction: value / base when both are known, else the stored share, else 0. */
function exactShare(cell: ShareCell | undefined): number {
  if (cell?.value !== undefined && cell.base) return cell.value / cell.base;
  return cell?.share ?? 0;
}

/** Whether a cell's share is known: stored, or from its value and base. */
function hasShare(cell: ShareCell | undefined): boolean {
  return cell?.share !== undefined || (cell?.value !== undefined && !!cell.base);
}

/** One region's move; in a map of moves the member is the key. */
type MoveData = DeepPartial<RevenueMoveData>;

/**
 * Build the table model from a change's data block, read through the sec-revenue contract
 * (`ctx` is the email's: a contract error goes to its hook).
 */
export function revenueView(c: Change, ctx: RenderContext): RevenueView {
  const d = dataOf(c, SEC_REVENUE_CONTRACT, 'revenue.regional', ctx);
  const period = d.period ?? {};
  const compared = d.comparedWith ?? {};
  const regions = d.regions ?? {};
  const total = d.total ?? undefined;
  const totalBefore = d.totalBefore ?? undefined;
  // What each side's shares are of: the reported total, else the sum of the regions (as the
  // source computes them). Shares print from value / base, rounded once: the stored fraction
  // of older changes is rounded to 4 places already (0.4335 would print as 43.4%, not 43.3%).
  const withBase = (
    list: ReturnType<typeof regionList>,
    reported: number | undefined,
  ): Array<{ member: string; label: string } & ShareCell> => {
    const sum = list.every((r) => r.value !== undefined) && list.length ? list.reduce((t, r) => t + (r.value as number), 0) : undefined;
    const base = reported ?? sum;
    return list.map((r) => (base !== undefined && base !== 0 ? { ...r, base } : r));
  };
  const before = withBase(regionList(regions.before ?? d.regionsBefore ?? d.before), totalBefore);
  const after = withBase(regionList(regions.after ?? d.regionsAfter ?? d.after), total);
  const afterBase = after.find((r) => r.base !== undefined)?.base;
  const moveList: MoveData[] = Array.isArray(d.moves)
    ? d.moves
    : Object.entries(d.moves ?? {}).map(([member, m]): MoveData => ({ member, ...m }));
  const moves = new Map(moveList.map((m) => [str(m.member) ?? '', m]));
  const added = new Set(d.membersAdded ?? []);
  const removed = new Set(d.membersRemoved ?? []);
  const recast = d.recast === true;
  const basis =
    BASIS[compared.basis ?? ''] ??
    (recast
      ? 'Recast'
      : moveList.some((m) => num(m.sharePpYoY) !== undefined)
        ? 'YoY'
        : moveList.some((m) => num(m.sharePpQoQ) !== undefined)
          ? 'QoQ'
          : undefined);
  const secondary = basis === 'YoY' && moveList.some((m) => num(m.sharePpQoQ) !== undefined) ? 'QoQ' : undefined;

  const members = [...after.map((r) => r.member)];
  for (const r of before) if (!members.includes(r.member)) members.push(r.member);
  for (const m of moves.keys()) if (m && !members.includes(m)) members.push(m);

  const rows: RegionRow[] = members.map((member) => {
    const a = after.find((r) => r.member === member);
    const b = before.find((r) => r.member === member);
    const m: MoveData = moves.get(member) ?? {};
    const label = a?.label ?? b?.label ?? str(m.label) ?? member;
    const afterCell =
      a ?? (num(m.value) !== undefined ? { value: num(m.value), share: num(m.share), base: afterBase ?? (total || undefined) } : undefined);
    const pp: RegionRow['pp'] = {};
    const valuePct: RegionRow['valuePct'] = {};
    for (const k of ['YoY', 'QoQ', 'Recast'] as const) {
      const p = num(m[`sharePp${k}`]);
      const v = num(m[`valuePct${k}`]);
      if (p !== undefined) pp[k] = p;
      if (v !== undefined) valuePct[k] = v;
    }
    // Without precomputed moves, derive the headline move from the two splits (a region
    // added or dropped counts from or to zero, as the source does).
    if (basis && pp[basis] === undefined && before.length > 0 && (hasShare(afterCell) || hasShare(b))) {
      // Exact shares in, unrounded out: the cell formatter rounds it once.
      pp[basis] = (exactShare(afterCell) - exactShare(b)) * 100;
    }
    if (basis && valuePct[basis] === undefined && afterCell?.value !== undefined && b?.value)
      valuePct[basis] = Math.round(((afterCell.value - b.value) / Math.abs(b.value)) * 1000) / 10;
    const countries = memberCountries(member, label, m.countries, ctx.interest);
    return {
      member,
      label,
      before: b,
      after: afterCell,
      pp,
      valuePct,
      added: added.has(member) || (before.length > 0 && !b && !!afterCell),
      removed: removed.has(member) || (!afterCell && !!b),
      interest: countries.some((cc) => ctx.interest.has(cc)),
    };
  });

  const start = str(period.start);
  const end = str(period.end);
  // The other dimensions of a two-axis split, in words: "Streaming".
  const scope =
    str(d.scope) ??
    (Object.values(d.dimensionLabels ?? {})
      .filter((l): l is string => typeof l === 'string')
      .join(', ') ||
      Object.values(d.dimensions ?? {})
        .filter((m): m is string => typeof m === 'string')
        .map((m) => m.slice(m.indexOf(':') + 1).replace(/Member$/, ''))
        .join(', '));
  const consolidated = d.consolidatedTotal ?? undefined;
  const shareOf = str(d.shareOf) ?? (scope ? `${scope} revenue` : total !== undefined ? 'total revenue' : 'the sum of the regions');
  return {
    periodLabel: str(period.fiscalLabel) ?? (end ? `period ending ${end}` : 'Reported'),
    beforeLabel: str(compared.fiscalLabel) ?? (recast ? 'Reported before' : 'Before'),
    basis,
    secondary,
    rows,
    total,
    totalBefore,
    totalLabel: scope ? `${scope} revenue` : 'Total revenue',
    shareOf,
    consolidatedTotal: scope ? consolidated : undefined,
    // From the value when the base is known, so 10.148% does not print as 10.2% from a 4-place share.
    overlapping: (d.overlapping ?? []).map((o) => ({
      label: str(o.label) ?? str(o.member) ?? '?',
      value: o.value,
      share: o.share,
      base: afterBase,
    })),
    complete: d.complete !== false,
    recast,
    form: str(d.form),
    accession: str(d.accession),
    periodRange: start && end ? `${start} to ${end}` : end,
    previousAccession: str(compared.accession),
  };
}

function ppCell(value: number | undefined): string {
  if (value === undefined) return `<span style="color:${COLORS.faint};">—</span>`;
  // Colour, arrow and sign all follow the move as printed: +0.04 pp is a grey ▬ ±0.0.
  const shown = roundTenth(value);
  const color = shown > 0 ? COLORS.up : shown < 0 ? COLORS.down : COLORS.muted;
  return `<span style="color:${color};font-weight:bold;white-space:nowrap;">${arrow(value)}&nbsp;${esc(signed(value))}&nbsp;pp</span>`;
}

function pctText(value: number | undefined): string {
  return value === undefined ? '—' : `${signed(value)}%`;
}

const TH = `font-size:11px;line-height:15px;color:${COLORS.muted};font-weight:bold;text-transform:uppercase;letter-spacing:0.3px;padding:6px 8px;border-bottom:2px solid ${COLORS.border};`;
const TD = `font-size:13px;line-height:18px;padding:6px 8px;border-bottom:1px solid ${COLORS.rule};vertical-align:top;`;

function valueCell(cell: RegionRow['before']): string {
  if (!cell || cell.value === undefined) return `<span style="color:${COLORS.faint};">—</span>`;
  return `${esc(formatMoneyShort(cell.value))}<br><span style="font-size:11px;color:${COLORS.muted};">${esc(share(cell))}</span>`;
}

function revenueTable(v: RevenueView): string {
  const basis = v.basis;
  const head =
    `<tr><th align="left" style="${TH}">Region</th>` +
    `<th align="right" style="${TH}white-space:nowrap;">${esc(v.beforeLabel)}</th>` +
    `<th align="right" style="${TH}white-space:nowrap;">${esc(v.periodLabel)}</th>` +
    (basis ? `<th align="right" style="${TH}">Share ${esc(basis)}</th>` : '') +
    (v.secondary ? `<th align="right" style="${TH}">Share ${esc(v.secondary)}</th>` : '') +
    (basis ? `<th align="right" style="${TH}">Value ${esc(basis)}</th>` : '') +
    '</tr>';
  const body = v.rows
    .map((r) => {
      const bg = r.interest ? `background:${COLORS.interestBg};` : '';
      const mark = r.interest ? `border-left:4px solid ${COLORS.interestBorder};` : 'border-left:4px solid transparent;';
      const tags = `${r.added ? ` ${chip('new', { bg: '#dafbe1', fg: COLORS.up, border: '#aceebb' })}` : ''}${r.removed ? ` ${chip('no longer reported', { bg: '#ffebe9', fg: COLORS.down, border: '#ffcecb' })}` : ''}`;
      return (
        `<tr style="${bg}">` +
        `<td align="left" style="${TD}${mark}${r.interest ? 'font-weight:bold;' : ''}">${r.interest ? '★&nbsp;' : ''}${esc(r.label)}${tags}</td>` +
        `<td align="right" style="${TD}">${valueCell(r.before)}</td>` +
        `<td align="right" style="${TD}">${valueCell(r.after)}</td>` +
        (basis ? `<td align="right" style="${TD}">${ppCell(r.pp[basis])}</td>` : '') +
        (v.secondary ? `<td align="right" style="${TD}">${ppCell(r.pp[v.secondary])}</td>` : '') +
        (basis ? `<td align="right" style="${TD}color:${COLORS.muted};white-space:nowrap;">${esc(pctText(r.valuePct[basis]))}</td>` : '') +
        '</tr>'
      );
    })
    .join('');
  const totalPct =
    v.total !== undefined && v.totalBefore ? Math.round(((v.total - v.totalBefore) / Math.abs(v.totalBefore)) * 1000) / 10 : undefined;
  const total =
    v.total !== undefined
      ? `<tr><td align="left" style="${TD}border-left:4px solid transparent;font-weight:bold;border-bottom:none;">${esc(v.totalLabel)}</td>` +
        `<td align="right" style="${TD}font-weight:bold;border-bottom:none;">${esc(formatMoneyShort(v.totalBefore))}</td>` +
        `<td align="right" style="${TD}font-weight:bold;border-bottom:none;">${esc(formatMoneyShort(v.total))}</td>` +
        (basis ? `<td style="${TD}border-bottom:none;"></td>` : '') +
        (v.secondary ? `<td style="${TD}border-bottom:none;"></td>` : '') +
        (basis
          ? `<td align="right" style="${TD}color:${COLORS.muted};border-bottom:none;white-space:nowrap;">${esc(pctText(totalPct))}</td>`
          : '') +
        '</tr>'
      : '';
  // The wrapper scrolls sideways on a narrow phone screen instead of squeezing six columns.
  return scrollBox(
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin-top:10px;font-family:${FONT};color:${COLORS.ink};">${head}${body}${total}</table>`,
  );
}

function notes(v: RevenueView): string[] {
  const out: string[] = [`Shares are of ${v.shareOf}.`];
  if (v.consolidatedTotal !== undefined) out.push(`Company revenue (all products and segments): ${formatMoneyShort(v.consolidatedTotal)}.`);
  if (v.overlapping.length) {
    const list = v.overlapping
      .map((o) => `${o.label} ${formatMoneyShort(o.value)}${o.share !== undefined || o.base !== undefined ? ` (${share(o)})` : ''}`)
      .join(', ');
    out.push(`Also reported, overlapping the regions above and not added to them: ${list}.`);
  }
  if (v.recast)
    out.push(
      `Recast: this period was reported before${v.previousAccession ? ` (filing ${v.previousAccession})` : ''} with a different split.`,
    );
  const added = v.rows.filter((r) => r.added).map((r) => r.label);
  const removed = v.rows.filter((r) => r.removed).map((r) => r.label);
  if (added.length) out.push(`Newly reported: ${added.join(', ')}.`);
  if (removed.length) out.push(`No longer reported separately: ${removed.join(', ')}.`);
  if (!v.complete) out.push('The regions do not add up to the reported total.');
  return out;
}

function revenueCard(c: Change, ctx: RenderContext): string {
  const v = revenueView(c, ctx);
  const url = sourceUrl(c, c.url, ctx);
  const legend = v.rows.some((r) => r.interest)
    ? `<div style="font-size:11px;color:${COLORS.muted};margin-top:6px;">★ highlighted: countries of interest</div>`
    : '';
  return card(
    `<div>${highChip(c)}${chip(c.subject, { bg: '#fbefff', fg: '#6639ba', border: '#ecd8ff' })}${v.form ? chip(v.form) : ''}${v.recast ? chip('recast', { bg: '#fff8c5', fg: '#7d4e00', border: '#f5e0a0' }) : ''}</div>` +
      cardTitle(c.title, url) +
      metaLine([
        v.periodRange ? `Period ${v.periodRange}` : undefined,
        v.basis ? `compared with ${v.beforeLabel} (${v.basis})` : undefined,
        v.accession ? `accession ${v.accession}` : undefined,
      ]) +
      revenueTable(v) +
      legend +
      notes(v)
        .map((n) => `<div style="font-size:12px;line-height:18px;color:${COLORS.muted};margin-top:4px;">${esc(n)}</div>`)
        .join('') +
      linkRow([[url, 'Filing']]) +
      changeFooter(c),
    { accent: c.importance === 'high' ? COLORS.high : undefined },
  );
}

function revenueText(c: Change, ctx: RenderContext): string {
  const v = revenueView(c, ctx);
  const lines = [`* ${c.importance === 'high' ? '[HIGH] ' : ''}${oneLine(c.title)}`];
  const meta = [
    v.form ? `Form ${v.form}` : '',
    v.periodRange ? `period ${v.periodRange}` : '',
    v.basis ? `compared with ${v.beforeLabel} (${v.basis})` : '',
  ]
    .filter(Boolean)
    .join(', ');
  if (meta) lines.push(wrap(meta, 76, '  '));
  const header = [
    'Region',
    v.beforeLabel,
    v.periodLabel,
    ...(v.basis ? [`Share ${v.basis}`] : []),
    ...(v.secondary ? [`Share ${v.secondary}`] : []),
    ...(v.basis ? [`Value ${v.basis}`] : []),
  ];
  const cell = (x: RegionRow['before']) => (x?.value === undefined ? '—' : `${formatMoneyShort(x.value)} ${share(x)}`);
  const pp = (x: number | undefined) => (x === undefined ? '—' : `${arrow(x)} ${signed(x)} pp`);
  const rows = v.rows.map((r) => [
    `${r.label}${r.interest ? ' *' : ''}${r.added ? ' (new)' : ''}${r.removed ? ' (gone)' : ''}`,
    cell(r.before),
    cell(r.after),
    ...(v.basis ? [pp(r.pp[v.basis])] : []),
    ...(v.secondary ? [pp(r.pp[v.secondary])] : []),
    ...(v.basis ? [pctText(r.valuePct[v.basis])] : []),
  ]);
  if (v.total !== undefined) {
    const totalPct = v.totalBefore ? Math.round(((v.total - v.totalBefore) / Math.abs(v.totalBefore)) * 1000) / 10 : undefined;
    rows.push([
      v.totalLabel,
      formatMoneyShort(v.totalBefore),
      formatMoneyShort(v.total),
      ...(v.basis ? [''] : []),
      ...(v.secondary ? [''] : []),
      ...(v.basis ? [pctText(totalPct)] : []),
    ]);
  }
  const right = new Set(header.map((_, i) => i).filter((i) => i > 0));
  lines.push('', textTable(header, rows, right, '  '));
  if (v.rows.some((r) => r.interest)) lines.push('  * country of interest');
  for (const n of notes(v)) lines.push(wrap(n, 76, '  '));
  const url = sourceUrl(c, c.url, ctx);
  if (url) lines.push(`  Filing: ${url}`);
  lines.push(`  (${c.kind}, ${oneLine(c.subject)}, detected ${c.detectedAt})`);
  return lines.join('\n');
}
