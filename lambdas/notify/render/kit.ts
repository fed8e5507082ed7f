import * as z from 'zod';
import type { Change } from '#core/change.ts';
import { ContractError, type ContractKinds, type KindSchemas, type PartialContractChange, readChangeData } from '#core/contract.ts';
import { formatShare, formatSigned, roundTenth, type ShareParts } from '#core/format.ts';
import { escapeHtml, headerText, plainText, safeUrl } from '#core/escape.ts';
import { type LinkHosts, sourceLinkAllowed } from '../links.ts';

/**
 * Building blocks shared by the family renderers: email-safe HTML (tables, inline
 * styles, no classes, no remote resources), plain-text helpers, the contract reader of the
 * `data` block of a change ({@link dataOf}; `str`/`obj`/`arr` remain for what a contract
 * leaves `unknown`), and number/country formatting. Pure, no I/O.
 */

/** What every family renderer gets besides its changes. */
export interface RenderContext {
  /** ISO-3166 alpha-2 codes to highlight (config `countriesOfInterest`). */
  interest: ReadonlySet<string>;
  /** Link hosts besides each source's own domains: the configured base URLs' ({@link sourceUrl}). */
  linkHosts?: LinkHosts | undefined;
  /**
   * Told once per change (per context) whose data fails its family's contract: a wrong-typed
   * field, data cut to fit the store, or a kind the family does not declare. The card still
   * shows every field that passed ({@link dataOf}); this is how the failure is not silent.
   */
  onContractError?: ((error: ContractError) => void) | undefined;
}

/** One family of changes (filings, revenue, language, BIS documents, lists). */
export interface FamilyRenderer {
  /** Stable id, also the section order key. */
  readonly id: string;
  /** Section heading. */
  readonly label: string;
  /** Accent colour of the section. */
  readonly accent: string;
  /** Does this family render the change? */
  matches(change: Change): boolean;
  /** One line that states the news of these changes (subject lines, the intro). */
  headline(changes: readonly Change[], ctx: RenderContext): string;
  /** The section body: HTML (escaped) and plain text. */
  render(changes: readonly Change[], ctx: RenderContext): { html: string; text: string };
}

// ---------------------------------------------------------------------------- palette

export const COLORS = {
  ink: '#1f2328',
  muted: '#59636e',
  faint: '#818b98',
  border: '#d1d9e0',
  rule: '#eaeef2',
  panel: '#f6f8fa',
  link: '#0b57d0',
  up: '#1a7f37',
  down: '#cf222e',
  insBg: '#d1f7da',
  insFg: '#0f5323',
  delBg: '#ffe1e0',
  delFg: '#8a0c16',
  interestBg: '#fff5d6',
  interestBorder: '#d4a72c',
  high: '#b42318',
  brand: '#0f2742',
} as const;

export const FONT = 'Arial,Helvetica,sans-serif';
export const MONO = 'Menlo,Consolas,monospace';

// ---------------------------------------------------------------------------- HTML

/** HTML-escape. */
export const esc = escapeHtml;

/**
 * `url` when an email about `change` may link to it: http(s) and on a host of the change's
 * own source (see `SOURCE_LINK_HOSTS` in links.ts) or a configured base URL's host; else
 * undefined, and the renderers show no link (no href, no URL in the text part). Every URL
 * from a change goes through here before {@link link}, {@link cardTitle} or {@link linkRow}.
 */
export function sourceUrl(change: Pick<Change, 'source'>, url: unknown, ctx: RenderContext): string | undefined {
  return sourceLinkAllowed(change.source, url, ctx.linkHosts) ? safeUrl(url) : undefined;
}

/** A link when `url` is http(s), otherwise the escaped label alone. Pass change URLs through {@link sourceUrl} first. */
export function link(url: unknown, label: string, style = ''): string {
  const safe = safeUrl(url);
  if (!safe) return esc(label);
  return `<a href="${esc(safe)}" style="color:${COLORS.link};text-decoration:none;${style}">${esc(label)}</a>`;
}

/** A small rounded label. */
export function chip(text: string, options: { bg?: string; fg?: string; border?: string } = {}): string {
  const bg = options.bg ?? COLORS.panel;
  const fg = options.fg ?? COLORS.muted;
  const border = options.border ?? COLORS.border;
  return `<span style="display:inline-block;background:${bg};color:${fg};border:1px solid ${border};border-radius:10px;padding:1px 8px;font-size:11px;line-height:16px;font-weight:bold;margin-right:4px;white-space:nowrap;">${esc(text)}</span>`;
}

/** The red HIGH chip for high-importance changes. */
export function highChip(change: Pick<Change, 'importance'>): string {
  return change.importance === 'high' ? chip('HIGH', { bg: COLORS.high, fg: '#ffffff', border: COLORS.high }) : '';
}

/**
 * Lets a long token (a URL, an accession list, an e-mail address) break anywhere rather than
 * push its box wider than a 390 px phone screen.
 */
export const BREAK_LONG = 'overflow-wrap:anywhere;word-break:break-word;';

/**
 * A wide table's wrapper: on a narrow screen it scrolls sideways inside the card instead of
 * widening the whole email. Only works inside a fixed-layout parent ({@link card}), where the
 * cell cannot grow to the table's width.
 */
export function scrollBox(inner: string): string {
  return `<div style="width:100%;max-width:100%;overflow-x:auto;-webkit-overflow-scrolling:touch;">${inner}</div>`;
}

/**
 * A bordered card (one table cell) followed by a spacer. The fixed table layout keeps the
 * card at the width of the email (100%, at most 680 px): a wide table or a long word inside
 * cannot stretch it past a phone's screen.
 */
export function card(inner: string, options: { accent?: string } = {}): string {
  const left = options.accent ? `border-left:4px solid ${options.accent};` : '';
  return (
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="width:100%;max-width:100%;table-layout:fixed;border-collapse:separate;margin:0 0 12px 0;">` +
    `<tr><td style="border:1px solid ${COLORS.border};${left}border-radius:6px;padding:12px 14px;background:#ffffff;font-family:${FONT};color:${COLORS.ink};${BREAK_LONG}">` +
    inner +
    '</td></tr></table>'
  );
}

/** Card title line (optionally linked). */
export function cardTitle(title: string, url?: unknown): string {
  return `<div style="font-size:15px;line-height:21px;font-weight:bold;margin:4px 0 4px 0;">${link(url, title, 'color:' + COLORS.ink + ';')}</div>`;
}

/** Grey meta line: parts joined by middle dots (parts are escaped here). */
export function metaLine(parts: Array<string | undefined | null | false>): string {
  const shown = parts.filter((p): p is string => typeof p === 'string' && p !== '');
  if (shown.length === 0) return '';
  return `<div style="font-size:12px;line-height:18px;color:${COLORS.muted};">${shown.map(esc).join(' &middot; ')}</div>`;
}

/** A line of links, each `[url, label]`, skipping non-http ones. */
export function linkRow(links: Array<[unknown, string]>): string {
  const shown = links.filter(([url]) => safeUrl(url)).map(([url, label]) => link(url, `${label} →`, 'font-weight:bold;'));
  return shown.length ? `<div style="font-size:12px;line-height:18px;margin-top:8px;">${shown.join(' &nbsp;&nbsp; ')}</div>` : '';
}

/** A paragraph of escaped text. */
export function paragraph(text: string, style = ''): string {
  return `<div style="font-size:13px;line-height:19px;color:${COLORS.ink};margin-top:6px;${style}">${esc(text)}</div>`;
}

/** The "kind · subject · detected" footer of a card, as `export-watch changes` shows it. */
export function changeFooter(change: Change): string {
  return `<div style="font-size:11px;line-height:16px;color:${COLORS.faint};margin-top:8px;">${esc(change.kind)} &middot; ${esc(change.subject)} &middot; detected ${esc(formatDetected(change.detectedAt))}</div>`;
}

/** `2026-03-02T15:00:00.000Z` → `2026-03-02 15:00 UTC`. */
export function formatDetected(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** Key/value rows in a compact two-column table; empty values are skipped. */
export function factTable(rows: Array<[string, string | undefined | null]>, options: { htmlValues?: boolean } = {}): string {
  const shown = rows.filter((r): r is [string, string] => typeof r[1] === 'string' && r[1] !== '');
  if (shown.length === 0) return '';
  return (
    `<table role="presentation" cellpadding="0" cellspacing="0" style="margin-top:8px;border-collapse:collapse;font-family:${FONT};">` +
    shown
      .map(
        ([k, v]) =>
          `<tr><td style="font-size:12px;line-height:18px;color:${COLORS.muted};padding:1px 12px 1px 0;vertical-align:top;white-space:nowrap;">${esc(k)}</td>` +
          `<td style="font-size:12px;line-height:18px;color:${COLORS.ink};padding:1px 0;vertical-align:top;">${options.htmlValues ? v : esc(v)}</td></tr>`,
      )
      .join('') +
    '</table>'
  );
}

// ---------------------------------------------------------------------------- text

/** Upstream text as one line (titles, names): a CR/LF in a title must not start a new line. */
export function oneLine(value: unknown): string {
  return headerText(String(value ?? ''), 2000);
}

/** Wrap plain text at `width` columns, every line prefixed with `indent`. */
export function wrap(text: string, width = 76, indent = ''): string {
  const out: string[] = [];
  for (const para of plainText(text).split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && indent.length + line.length + 1 + word.length > width) {
        out.push(indent + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(indent + line);
  }
  return out.join('\n');
}

/** A plain-text table: columns padded to the widest cell, numbers right-aligned. */
export function textTable(header: string[], rows: string[][], rightAligned: ReadonlySet<number> = new Set(), indent = '  '): string {
  const all = [header, ...rows].map((r) => r.map((c) => plainText(c).replace(/\s+/g, ' ')));
  const widths = header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) =>
    indent +
    r
      .map((c, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - [...c].length));
        return rightAligned.has(i) ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(all[0] ?? []), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

// ---------------------------------------------------------------------------- data readers

/**
 * A contract type with every field optional, down through lists and nested objects: what
 * {@link dataOf} gives. Each field that is there has its declared type; any may be missing.
 */
export type DeepPartial<T> = T extends readonly unknown[]
  ? number extends T['length']
    ? DeepPartial<T[number]>[]
    : T
  : T extends object
    ? { [k in keyof T]?: DeepPartial<T[k]> }
    : T;

/** What {@link dataOf} gives for a family: the data of any of its kinds, every field optional. */
export type ReadData<K extends KindSchemas> = DeepPartial<PartialContractChange<K>['data']>;

/** Reads already made in a context, so a change read by its headline, card and text part is checked and reported once. */
const reads = new WeakMap<RenderContext, WeakMap<Change, Map<object, unknown>>>();

/**
 * The data of `change` read through its family's contract: `readChangeData` (core/contract.ts)
 * keeps each field that passes; of a field that fails, what still matches is kept
 * ({@link salvage}: a list's good entries, a nested object's good fields), so a card shows
 * all it can, as the renderers always did, and every value it reads has its declared type.
 * A family renderer also takes kinds its contract does not declare (it matches on the kind
 * prefix or the source): their data is read with the schema of `fallback`, and the error
 * names the kind. Any error goes to {@link RenderContext.onContractError}, once per change.
 */
export function dataOf<K extends KindSchemas>(
  change: Change,
  contract: ContractKinds<K>,
  fallback: keyof K & string,
  ctx?: RenderContext,
): ReadData<K> {
  const cached = ctx ? reads.get(ctx)?.get(change)?.get(contract) : undefined;
  if (cached) return cached as ReadData<K>;
  const { data, error } = readData(change, contract, fallback);
  if (ctx) {
    const byChange = reads.get(ctx) ?? new WeakMap<Change, Map<object, unknown>>();
    reads.set(ctx, byChange);
    const byContract = byChange.get(change) ?? new Map<object, unknown>();
    byChange.set(change, byContract);
    byContract.set(contract, data);
    if (error) ctx.onContractError?.(error);
  }
  return data;
}

function readData<K extends KindSchemas>(
  change: Change,
  contract: ContractKinds<K>,
  fallback: keyof K & string,
): { data: ReadData<K>; error: ContractError | undefined } {
  const declared = Object.hasOwn(contract.kinds, change.kind);
  const kind = declared ? change.kind : fallback;
  const read = readChangeData({ ...change, kind }, contract);
  const data = withSalvaged(read.change.data, change.data, contract.kinds[kind]) as ReadData<K>;
  if (declared) return { data, error: read.error };
  const issues = [
    { path: '(kind)', message: `not a kind of ${contract.source} (${Object.keys(contract.kinds).join(', ')}); read as ${fallback}` },
    ...(read.error?.issues ?? []),
  ];
  return { data, error: new ContractError(change.id, change.kind, issues) };
}

/** `data` (the fields that passed) plus what {@link salvage} keeps of each field that failed. */
function withSalvaged(data: object, raw: unknown, schema: z.ZodObject | undefined): object {
  if (!schema || !isRecord(raw)) return data;
  const out = { ...data } as Record<string, unknown>;
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    if (Object.hasOwn(out, key) || !Object.hasOwn(raw, key)) continue;
    const kept = salvage(field, raw[key]);
    if (kept.ok) out[key] = kept.value;
  }
  return out;
}

type Salvaged = { ok: true; value: unknown } | { ok: false };

/**
 * What of `value` matches `schema` ({@link DeepPartial} of it), or not ok: a list keeps its
 * entries that match (a map its values), an object its fields that match, a union the first
 * option that does; a plain value matches or not.
 */
function salvage(schema: z.ZodType, value: unknown): Salvaged {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return salvage(schema.unwrap() as z.ZodType, value);
  if (schema instanceof z.ZodArray && Array.isArray(value)) {
    return { ok: true, value: value.flatMap((v) => keptOf(salvage(schema.element as z.ZodType, v))) };
  }
  if (schema instanceof z.ZodRecord && isRecord(value)) {
    const entries = Object.entries(value).flatMap(([k, v]) => keptOf(salvage(schema.valueType as z.ZodType, v)).map((x) => [k, x]));
    return { ok: true, value: Object.fromEntries(entries) };
  }
  if (schema instanceof z.ZodObject && isRecord(value)) {
    const out: Record<string, unknown> = {};
    const shape = schema.shape as Record<string, z.ZodType>;
    for (const [key, v] of Object.entries(value)) {
      const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
      if (!field) out[key] = v;
      else for (const kept of keptOf(salvage(field, v))) out[key] = kept;
    }
    return { ok: true, value: out };
  }
  if (schema instanceof z.ZodUnion) {
    for (const option of schema.options as readonly z.ZodType[]) {
      const kept = salvage(option, value);
      if (kept.ok) return kept;
    }
  }
  return { ok: false };
}

const keptOf = (s: Salvaged): unknown[] => (s.ok ? [s.value] : []);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `value` if it is a non-empty string. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** `value` if it is a finite number. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `value` if it is an array, else empty. */
export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `value` if it is a plain object, else empty. */
export function obj(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

// ---------------------------------------------------------------------------- formatting

/**
 * A share as `21.7%`: the one formatter of every surface ({@link formatShare}). Pass the
 * region's value and its base where known, so a share stored to 4 places is not rounded twice.
 */
export function share(value: ShareParts | number | undefined | null): string {
  return formatShare(value);
}

/** Signed number rounded once to one decimal, with a real minus: `+3.0`, `−1.2`, `±0.0`. */
export function signed(value: number): string {
  return formatSigned(value);
}

/** Arrow for a move as it prints (rounded to one decimal): ▲ up, ▼ down, ▬ flat. */
export function arrow(value: number): string {
  const r = roundTenth(value);
  return r > 0 ? '▲' : r < 0 ? '▼' : '▬';
}

/** `n thing` / `n things`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Most important first, then newest. */
export function byImportance(a: Change, b: Change): number {
  const rank = { high: 0, normal: 1, low: 2 } as const;
  return (
    rank[a.importance] - rank[b.importance] ||
    (b.occurredAt ?? b.detectedAt).localeCompare(a.occurredAt ?? a.detectedAt) ||
    a.id.localeCompare(b.id)
  );
}
