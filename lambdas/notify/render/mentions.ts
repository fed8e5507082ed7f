import type { Change } from '#core/change.ts';
import { type FilingMentionData, SEC_FULL_TEXT_CONTRACT } from '#sources/sec-full-text/contract.ts';
import {
  COLORS,
  card,
  cardTitle,
  changeFooter,
  chip,
  dataOf,
  type DeepPartial,
  esc,
  type FamilyRenderer,
  factTable,
  highChip,
  linkRow,
  oneLine,
  plural,
  type RenderContext,
  sourceUrl,
  str,
  wrap,
} from './kit.ts';

/**
 * Filings that mention a watched phrase (`filing.mention`, the sec-full-text source): one
 * section per query ("Entity List", "export license", …), in the order of the first
 * mention of each, and one card per filing with company, form, filing date and the
 * passage, the phrase highlighted. Links go to the filing index on sec.gov only.
 */

const MARK = `background:${COLORS.interestBg};color:${COLORS.ink};font-weight:bold;border-radius:2px;padding:0 1px;`;

/** The mention's data through the sec-full-text contract. */
function mentionData(c: Change, ctx: RenderContext | undefined): DeepPartial<FilingMentionData> {
  return dataOf(c, SEC_FULL_TEXT_CONTRACT, 'filing.mention', ctx);
}

/** The phrase of a mention's query (the change's `data.query`). */
function queryOf(c: Change, ctx: RenderContext | undefined): string {
  return str(mentionData(c, ctx).query) ?? 'other queries';
}

/**
 * The mentions grouped by query: [phrase, mentions] in first-seen order, each group by filing
 * date then company. `ctx` is the email's (its contract errors are reported there).
 */
export function groupByQuery(changes: readonly Change[], ctx?: RenderContext): Array<[string, Change[]]> {
  const groups = new Map<string, Change[]>();
  for (const c of changes) {
    const q = queryOf(c, ctx);
    const list = groups.get(q) ?? [];
    list.push(c);
    groups.set(q, list);
  }
  for (const list of groups.values()) {
    list.sort(
      (a, b) =>
        (str(mentionData(a, ctx).filedAt) ?? '').localeCompare(str(mentionData(b, ctx).filedAt) ?? '') ||
        a.subject.localeCompare(b.subject) ||
        a.id.localeCompare(b.id),
    );
  }
  return [...groups.entries()];
}

/** The passage and the [start, end) of the phrase in it, when the span is valid. */
function passageOf(d: DeepPartial<FilingMentionData>): { text: string; span: [number, number] | undefined } | undefined {
  const text = str(d.passage);
  if (!text) return undefined;
  const [s, e] = d.passageSpan ?? [];
  const valid = s !== undefined && e !== undefined && Number.isInteger(s) && Number.isInteger(e) && s >= 0 && s < e && e <= text.length;
  return { text, span: valid ? [s, e] : undefined };
}

/** The passage as escaped HTML, the phrase inside a highlighted span. */
export function passageHtml(text: string, span: [number, number] | undefined): string {
  if (!span) return esc(text);
  return `${esc(text.slice(0, span[0]))}<span style="${MARK}">${esc(text.slice(span[0], span[1]))}</span>${esc(text.slice(span[1]))}`;
}

function company(c: Change, ctx: RenderContext): string {
  const d = mentionData(c, ctx);
  const name = str(d.company) ?? c.subject;
  const ticker = str(d.ticker);
  return ticker ? `${name} (${ticker})` : name;
}

function mentionCard(c: Change, ctx: RenderContext): string {
  const d = mentionData(c, ctx);
  const index = sourceUrl(c, c.url, ctx);
  const passage = passageOf(d);
  const watched = d.watched === true;
  const form = str(d.form);
  const chips = `${highChip(c)}${form ? chip(form) : ''}${watched ? chip('on the watch-list', { bg: '#ddf4ff', fg: '#0550ae', border: '#b6e3ff' }) : chip('not on the watch-list')}`;
  const documents = (d.documents ?? []).map((x) => str(x.filename)).filter((x): x is string => !!x);
  const body = passage
    ? `<div style="font-size:13px;line-height:19px;color:${COLORS.ink};margin-top:6px;border-left:3px solid ${COLORS.border};padding-left:8px;">${passageHtml(passage.text, passage.span)}</div>`
    : `<div style="font-size:13px;line-height:19px;color:${COLORS.muted};margin-top:6px;">${esc(c.summary)}</div>`;
  return card(
    `<div>${chips}</div>` +
      cardTitle(company(c, ctx), index) +
      body +
      factTable([
        ['Form', str(d.form)],
        ['Filed', str(d.filedAt)],
        ['CIK', str(d.cik)],
        ['Accession', str(d.accession)],
        ['Documents', documents.length ? documents.join(', ') : undefined],
      ]) +
      linkRow([[index, 'Filing index on sec.gov']]) +
      changeFooter(c),
  );
}

function mentionText(c: Change, ctx: RenderContext): string {
  const d = mentionData(c, ctx);
  const lines = [
    `* ${c.importance === 'high' ? '[HIGH] ' : ''}${oneLine(company(c, ctx))}: ${oneLine(str(d.form) ?? 'filing')}${str(d.filedAt) ? ` filed ${oneLine(str(d.filedAt))}` : ''}`,
  ];
  const passage = passageOf(d);
  if (passage) {
    // Plain text has no highlight: the phrase is set in >>double angle brackets<<.
    const t = passage.span
      ? `${passage.text.slice(0, passage.span[0])}>>${passage.text.slice(passage.span[0], passage.span[1])}<<${passage.text.slice(passage.span[1])}`
      : passage.text;
    lines.push(wrap(`"${t}"`, 76, '  '));
  } else lines.push(wrap(c.summary, 76, '  '));
  const index = sourceUrl(c, c.url, ctx);
  if (index) lines.push(`  Filing index: ${index}`);
  lines.push(`  (${c.kind}, ${oneLine(c.subject)}, ${oneLine(str(d.accession) ?? '')}, detected ${c.detectedAt})`);
  return lines.join('\n');
}

/** `filing.mention` changes, grouped per query. Placed before the filings family, which matches every `filing.*`. */
export const mentionsRenderer: FamilyRenderer = {
  id: 'mentions',
  label: 'Filings that mention export controls',
  accent: '#9a6700',
  matches: (c) => c.kind === 'filing.mention',
  headline(changes, ctx) {
    const groups = groupByQuery(changes, ctx);
    const lead = groups[0];
    if (!lead) return '';
    const companies = new Set(changes.map((c) => company(c, ctx)));
    const first = [...companies][0] as string;
    const who = companies.size === 1 ? first : `${first} and ${plural(companies.size - 1, 'more filer')}`;
    return `${who} mention${companies.size === 1 ? 's' : ''} "${lead[0]}"${groups.length > 1 ? ` and ${plural(groups.length - 1, 'more phrase')}` : ''}`;
  },
  render(changes, ctx) {
    const groups = groupByQuery(changes, ctx);
    const html = groups
      .map(
        ([query, list]) =>
          `<div style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:20px;font-weight:bold;color:${COLORS.ink};margin:10px 0 6px 0;">&ldquo;${esc(query)}&rdquo; &middot; ${esc(plural(list.length, 'filing'))}</div>` +
          list.map((c) => mentionCard(c, ctx)).join(''),
      )
      .join('');
    const text = groups
      .map(([query, list]) =>
        [`"${oneLine(query)}" (${plural(list.length, 'filing')})`, ...list.map((c) => mentionText(c, ctx))].join('\n\n'),
      )
      .join('\n\n');
    return { html, text };
  },
};
