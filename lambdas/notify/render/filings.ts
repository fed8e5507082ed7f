import type { Change } from '#core/change.ts';
import { type FilingNewData, SEC_FILINGS_CONTRACT } from '#sources/sec-filings/contract.ts';
import {
  byImportance,
  COLORS,
  card,
  cardTitle,
  changeFooter,
  chip,
  dataOf,
  type DeepPartial,
  type FamilyRenderer,
  factTable,
  highChip,
  linkRow,
  oneLine,
  paragraph,
  plural,
  type RenderContext,
  sourceUrl,
  str,
  wrap,
} from './kit.ts';

/** SEC filings (`filing.*`): one card per filing with its facts and links. */
export const filingsRenderer: FamilyRenderer = {
  id: 'filings',
  label: 'SEC filings',
  accent: '#0969da',
  matches: (c) => c.kind.startsWith('filing.') || (c.source === 'sec-filings' && !c.kind.includes('.')),
  headline(changes) {
    const sorted = [...changes].sort(byImportance);
    const lead = sorted[0];
    if (!lead) return '';
    return changes.length === 1 ? lead.title : `${lead.title} and ${plural(changes.length - 1, 'more filing')}`;
  },
  render(changes, ctx) {
    const sorted = [...changes].sort(byImportance);
    const html = sorted.map((c) => filingCard(c, ctx)).join('');
    const text = sorted.map((c) => filingText(c, ctx)).join('\n\n');
    return { html, text };
  },
};

/** The filing's data through the sec-filings contract (other `filing.*` kinds read as `filing.new`). */
function filingData(c: Change, ctx: RenderContext): DeepPartial<FilingNewData> {
  return dataOf(c, SEC_FILINGS_CONTRACT, 'filing.new', ctx);
}

function facts(c: Change, d: DeepPartial<FilingNewData>): Array<[string, string | undefined]> {
  const items = (d.items ?? []).map(String);
  return [
    ['Company', str(d.companyName) ? `${str(d.companyName)}${c.subject && c.subject !== d.cik ? ` (${c.subject})` : ''}` : undefined],
    ['Form', str(d.form)],
    ['Filed', str(d.filedAt)],
    ['Period', str(d.periodOfReport)],
    ['8-K items', items.length ? items.join(', ') : undefined],
    ['Accession', str(d.accession)],
  ];
}

function filingCard(c: Change, ctx: RenderContext): string {
  const d = filingData(c, ctx);
  const docUrl = sourceUrl(c, str(d.primaryDocumentUrl) ?? c.url, ctx);
  const form = str(d.form);
  const chips = `${highChip(c)}${chip(c.subject, { bg: '#ddf4ff', fg: '#0550ae', border: '#b6e3ff' })}${form ? chip(form) : ''}`;
  return card(
    `<div>${chips}</div>` +
      cardTitle(c.title, docUrl) +
      (c.summary ? paragraph(c.summary, `color:${COLORS.muted};`) : '') +
      factTable(facts(c, d)) +
      linkRow([
        [docUrl, 'Document'],
        [sourceUrl(c, d.indexUrl, ctx), 'Filing index'],
      ]) +
      changeFooter(c),
    { accent: c.importance === 'high' ? COLORS.high : undefined },
  );
}

function filingText(c: Change, ctx: RenderContext): string {
  const d = filingData(c, ctx);
  const lines = [`* ${c.importance === 'high' ? '[HIGH] ' : ''}${oneLine(c.title)}`];
  if (c.summary) lines.push(wrap(c.summary, 76, '  '));
  const docUrl = sourceUrl(c, str(d.primaryDocumentUrl) ?? c.url, ctx);
  const index = sourceUrl(c, d.indexUrl, ctx);
  if (docUrl) lines.push(`  Document: ${docUrl}`);
  if (index && index !== docUrl) lines.push(`  Filing index: ${index}`);
  lines.push(`  (${c.kind}, ${oneLine(c.subject)}, detected ${c.detectedAt})`);
  return lines.join('\n');
}
