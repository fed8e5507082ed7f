import { diffWords } from 'diff';
import type { Change } from '#core/change.ts';
import { plainText } from '#core/escape.ts';
import { type ChangedPassageData, type ExportLanguageData, SEC_EXPORT_LANGUAGE_CONTRACT } from '#sources/sec-export-language/contract.ts';
import {
  byImportance,
  COLORS,
  card,
  cardTitle,
  changeFooter,
  chip,
  dataOf,
  type DeepPartial,
  esc,
  type FamilyRenderer,
  highChip,
  linkRow,
  metaLine,
  oneLine,
  plural,
  type RenderContext,
  sourceUrl,
  str,
  wrap,
} from './kit.ts';

/**
 * Export-control language (`export-language.*`): word-level diffs of the passages that
 * changed between two filings, insertions green (`<ins>`) and deletions red (`<del>`),
 * `[+…+]` / `[-…-]` in the text part. Long unchanged stretches are shortened to their
 * edges so the change stays in view.
 */
export const languageRenderer: FamilyRenderer = {
  id: 'language',
  label: 'Export-control language',
  accent: '#bf3989',
  matches: (c) => c.kind.startsWith('export-language.') || c.source === 'sec-export-language',
  headline(changes, ctx) {
    const sorted = [...changes].sort(byImportance);
    const lead = sorted[0];
    if (!lead) return '';
    const title = lead.title || fallbackTitle(lead, languageData(lead, ctx));
    return changes.length === 1 ? title : `${title} and ${plural(changes.length - 1, 'more language change')}`;
  },
  render(changes, ctx) {
    const sorted = [...changes].sort(byImportance);
    return { html: sorted.map((c) => languageCard(c, ctx)).join(''), text: sorted.map((c) => languageText(c, ctx)).join('\n\n') };
  },
};

/** One diff operation. */
export interface DiffOp {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}

/** Passages shown per change; the rest are counted. */
export const MAX_PASSAGES = 6;
/** Longest added/removed passage shown, in characters. */
const MAX_PASSAGE_CHARS = 700;
/** Unchanged runs longer than this many words are shortened to their edges. */
const CONTEXT_WORDS = 14;

/** The change's data through the sec-export-language contract (other kinds read as `export-language.changed`). */
function languageData(c: Change, ctx: RenderContext): DeepPartial<ExportLanguageData> {
  return dataOf(c, SEC_EXPORT_LANGUAGE_CONTRACT, 'export-language.changed', ctx);
}

function fallbackTitle(c: Change, d: DeepPartial<ExportLanguageData>): string {
  const form = str(d.form);
  return `${c.subject}${form ? ` ${form}` : ''}: export-control language changed`;
}

function clip(text: string, max = MAX_PASSAGE_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/** The diff of a changed passage: as given, or computed from before/after when missing. */
export function diffOf(entry: DeepPartial<ChangedPassageData>): DiffOp[] {
  const given = (entry.diff ?? []).flatMap((o): DiffOp[] =>
    o.op !== undefined && o.text !== undefined ? [{ op: o.op, text: o.text }] : [],
  );
  if (given.length) return given;
  const before = str(entry.before) ?? '';
  const after = str(entry.after) ?? '';
  if (!before && !after) return [];
  return diffWords(before, after).map((p) => ({ op: p.added ? 'insert' : p.removed ? 'delete' : 'equal', text: p.value }));
}

/** Shorten long unchanged runs to `CONTEXT_WORDS` words at the edges that touch a change. */
export function condense(ops: DiffOp[]): DiffOp[] {
  return ops.map((o, i) => {
    if (o.op !== 'equal') return o;
    const words = o.text.split(/(\s+)/);
    const wordCount = words.filter((w) => w.trim()).length;
    if (wordCount <= CONTEXT_WORDS * 2 + 4) return o;
    const first = i === 0;
    const last = i === ops.length - 1;
    const take = (list: string[]) => list.join('');
    const head = take(words.slice(0, CONTEXT_WORDS * 2));
    const tail = take(words.slice(-CONTEXT_WORDS * 2));
    if (first) return { op: 'equal', text: `… ${tail.trimStart()}` };
    if (last) return { op: 'equal', text: `${head.trimEnd()} …` };
    return { op: 'equal', text: `${head.trimEnd()} … ${tail.trimStart()}` };
  });
}

const INS = `background:${COLORS.insBg};color:${COLORS.insFg};text-decoration:none;border-radius:2px;padding:0 1px;`;
const DEL = `background:${COLORS.delBg};color:${COLORS.delFg};text-decoration:line-through;border-radius:2px;padding:0 1px;`;

/** HTML of a diff: `<ins>`/`<del>` with inline colours (mail clients drop style sheets). */
export function diffHtml(ops: DiffOp[]): string {
  let out = '';
  ops.forEach((o, i) => {
    const next = ops[i + 1];
    if (o.op === 'equal') out += esc(o.text);
    else if (o.op === 'insert') out += `<ins style="${INS}">${esc(o.text)}</ins>`;
    else out += `<del style="${DEL}">${esc(o.text)}</del>${next?.op === 'insert' ? ' ' : ''}`;
  });
  return out;
}

/** Text form of a diff: `[-deleted-]` and `[+inserted+]`. */
export function diffText(ops: DiffOp[]): string {
  let out = '';
  ops.forEach((o, i) => {
    const next = ops[i + 1];
    if (o.op === 'equal') out += o.text;
    else if (o.op === 'insert') out += `[+${o.text}+]`;
    else out += `[-${o.text}-]${next?.op === 'insert' ? ' ' : ''}`;
  });
  return plainText(out);
}

interface Passage {
  kind: 'changed' | 'added' | 'removed';
  ops: DiffOp[];
}

function passages(d: DeepPartial<ExportLanguageData>): { shown: Passage[]; hidden: number } {
  const all: Passage[] = [
    ...(d.changed ?? []).map((e) => ({ kind: 'changed' as const, ops: condense(diffOf(e)) })),
    ...(d.added ?? []).map((t) => ({ kind: 'added' as const, ops: [{ op: 'insert' as const, text: clip(t) }] })),
    ...(d.removed ?? []).map((t) => ({ kind: 'removed' as const, ops: [{ op: 'delete' as const, text: clip(t) }] })),
  ].filter((p) => p.ops.length > 0);
  return { shown: all.slice(0, MAX_PASSAGES), hidden: Math.max(0, all.length - MAX_PASSAGES) };
}

const PASSAGE_LABEL = { changed: 'Changed', added: 'New passage', removed: 'Removed passage' } as const;
const PASSAGE_COLOR = { changed: COLORS.border, added: COLORS.up, removed: COLORS.down } as const;

function filingUrl(d: DeepPartial<ExportLanguageData>, url: string | undefined): string | undefined {
  return str(d.url) ?? url;
}

/**
 * What the filing was compared with. An 8-K is compared with the company's standing
 * language (its latest 10-K/10-Q and earlier 8-Ks), not with one filing.
 */
function comparedWith(c: Change, d: DeepPartial<ExportLanguageData>): string | undefined {
  const previous = str(d.previousAccession);
  if (c.kind.endsWith('.8k')) return previous ? `new against the standing language of ${previous} and earlier 8-Ks` : undefined;
  return previous ? `compared with ${previous}` : undefined;
}

function languageCard(c: Change, ctx: RenderContext): string {
  const d = languageData(c, ctx);
  const url = sourceUrl(c, filingUrl(d, c.url), ctx);
  const { shown, hidden } = passages(d);
  const [changed, added, removed] = [d.changed?.length ?? 0, d.added?.length ?? 0, d.removed?.length ?? 0];
  const counts = [
    changed ? plural(changed, 'changed passage') : '',
    added ? plural(added, 'new passage') : '',
    removed ? plural(removed, 'removed passage') : '',
  ].filter(Boolean);
  const form = str(d.form);
  const accession = str(d.accession);
  const blocks = shown
    .map(
      (p) =>
        `<div style="margin-top:10px;border-left:3px solid ${PASSAGE_COLOR[p.kind]};padding:2px 0 2px 10px;">` +
        `<div style="font-size:11px;line-height:15px;color:${COLORS.muted};font-weight:bold;text-transform:uppercase;letter-spacing:0.3px;">${PASSAGE_LABEL[p.kind]}</div>` +
        `<div style="font-size:13px;line-height:20px;color:${COLORS.ink};">${diffHtml(p.ops)}</div></div>`,
    )
    .join('');
  const more = hidden
    ? `<div style="font-size:12px;color:${COLORS.muted};margin-top:8px;">…and ${plural(hidden, 'more passage')} (see the filing).</div>`
    : '';
  const legend = `<div style="font-size:11px;color:${COLORS.muted};margin-top:8px;"><ins style="${INS}">inserted</ins> &nbsp; <del style="${DEL}">deleted</del></div>`;
  return card(
    `<div>${highChip(c)}${chip(c.subject, { bg: '#ffeff7', fg: '#99286e', border: '#ffd3eb' })}${form ? chip(form) : ''}${c.kind.endsWith('.8k') ? chip('8-K', { bg: '#fff8c5', fg: '#7d4e00', border: '#f5e0a0' }) : ''}</div>` +
      cardTitle(c.title || fallbackTitle(c, d), url) +
      metaLine([accession ? `filing ${accession}` : undefined, comparedWith(c, d), counts.join(', ') || undefined]) +
      (shown.length === 0 && c.summary ? `<div style="font-size:13px;line-height:19px;margin-top:6px;">${esc(c.summary)}</div>` : '') +
      blocks +
      more +
      (shown.length ? legend : '') +
      linkRow([[url, 'Filing']]) +
      changeFooter(c),
    { accent: c.importance === 'high' ? COLORS.high : undefined },
  );
}

function languageText(c: Change, ctx: RenderContext): string {
  const d = languageData(c, ctx);
  const { shown, hidden } = passages(d);
  const lines = [`* ${c.importance === 'high' ? '[HIGH] ' : ''}${oneLine(c.title || fallbackTitle(c, d))}`];
  const form = str(d.form);
  const accession = str(d.accession);
  const meta = [form ? `Form ${form}` : '', accession ? `filing ${accession}` : '', comparedWith(c, d) ?? ''].filter(Boolean).join(', ');
  if (meta) lines.push(wrap(meta, 76, '  '));
  if (shown.length === 0 && c.summary) lines.push(wrap(c.summary, 76, '  '));
  for (const p of shown) {
    lines.push('', `  ${PASSAGE_LABEL[p.kind]}:`, wrap(diffText(p.ops), 76, '    '));
  }
  if (hidden) lines.push('', `  …and ${plural(hidden, 'more passage')} (see the filing).`);
  if (shown.length) lines.push('', '  [+inserted+]  [-deleted-]');
  const url = sourceUrl(c, filingUrl(d, c.url), ctx);
  if (url) lines.push(`  Filing: ${url}`);
  lines.push(`  (${c.kind}, ${oneLine(c.subject)}, detected ${c.detectedAt})`);
  return lines.join('\n');
}
