import type { Change } from '#core/change.ts';
import { countryName } from '#core/countries.ts';
import { newYorkTimeLabel } from '#core/time.ts';
import { FEDERAL_REGISTER_CONTRACT } from '#sources/federal-register/contract.ts';
import {
  byImportance,
  COLORS,
  card,
  cardTitle,
  changeFooter,
  chip,
  dataOf,
  esc,
  type FamilyRenderer,
  factTable,
  highChip,
  linkRow,
  plural,
  type RenderContext,
  sourceUrl,
  str,
  wrap,
  oneLine,
} from './kit.ts';

/** BIS documents in the Federal Register (`fr.*`): a card per document with type, dates, abstract and links. */
export const federalRegisterRenderer: FamilyRenderer = {
  id: 'federal-register',
  label: 'BIS in the Federal Register',
  accent: '#9a6700',
  matches: (c) => c.kind.startsWith('fr.') || c.source === 'federal-register',
  headline(changes, ctx) {
    const sorted = [...changes].sort(byImportance);
    const lead = sorted[0];
    if (!lead) return '';
    const one = documentHeadline(lead, ctx);
    return changes.length === 1 ? one : `${one} and ${plural(changes.length - 1, 'more BIS document')}`;
  },
  render(changes, ctx) {
    const sorted = [...changes].sort(byImportance);
    return { html: sorted.map((c) => documentCard(c, ctx)).join(''), text: sorted.map((c) => documentText(c, ctx)).join('\n\n') };
  },
};

const KIND_LABELS: Record<string, { label: string; bg: string; fg: string; border: string }> = {
  'fr.public-inspection': { label: 'On public inspection', bg: '#fff8c5', fg: '#7d4e00', border: '#f5e0a0' },
  'fr.published': { label: 'Published (was on public inspection)', bg: '#ddf4ff', fg: '#0550ae', border: '#b6e3ff' },
  'fr.document': { label: 'Published', bg: '#ddf4ff', fg: '#0550ae', border: '#b6e3ff' },
  'fr.correction': { label: 'Correction', bg: '#fbefff', fg: '#6639ba', border: '#ecd8ff' },
  'fr.withdrawn': { label: 'Withdrawn before publication', bg: '#ffebe9', fg: COLORS.down, border: '#ffcecb' },
};

function kindLabel(c: Change) {
  return KIND_LABELS[c.kind] ?? { label: c.kind, bg: COLORS.panel, fg: COLORS.muted, border: COLORS.border };
}

/** "Interim final rule; request for comments." → "Interim final rule". */
function actionLead(action: string | undefined): string | undefined {
  const first = action?.split(/[;.]/)[0]?.trim();
  return first ? first : undefined;
}

/** The document's data through the Federal Register contract (other `fr.*` kinds read as `fr.document`). */
function documentData(c: Change, ctx: RenderContext | undefined) {
  return dataOf(c, FEDERAL_REGISTER_CONTRACT, 'fr.document', ctx);
}

/** The data of any `fr.*` kind, as {@link documentData} reads it. */
type DocumentData = ReturnType<typeof documentData>;

/** One document as a headline: "BIS interim final rule: Revisions to …". `ctx` is the email's, where contract errors go. */
export function documentHeadline(c: Change, ctx?: RenderContext): string {
  const d = documentData(c, ctx);
  switch (c.kind) {
    case 'fr.public-inspection':
      return `BIS ${(str(d.type) ?? 'document').toLowerCase()} on public inspection: ${c.title}`;
    case 'fr.withdrawn':
      return `BIS withdraws before publication: ${c.title}`;
    case 'fr.correction':
      return `BIS correction: ${c.title}`;
    default: {
      const what = actionLead(str(d.action)) ?? str(d.type) ?? 'document';
      return `BIS ${what.charAt(0).toLowerCase()}${what.slice(1)}: ${c.title}`;
    }
  }
}

function facts(c: Change, d: DocumentData): Array<[string, string | undefined]> {
  const filedAt = str(d.filedAt);
  const filed = filedAt && !Number.isNaN(Date.parse(filedAt)) ? newYorkTimeLabel(new Date(filedAt)) : filedAt;
  const cfr = d.cfrReferences ?? [];
  const rins = d.regulationIdNumbers ?? [];
  return [
    ['Document', str(d.documentNumber)],
    ['Type', [str(d.type), str(d.action)?.replace(/\.$/, '')].filter(Boolean).join(' — ') || undefined],
    ['On public inspection', filed],
    [c.kind === 'fr.public-inspection' ? 'Scheduled for' : 'Published', str(d.publicationDate)],
    ['Effective', str(d.effectiveOn)],
    ['Citation', str(d.citation)],
    ['CFR', cfr.length ? cfr.join(', ') : undefined],
    ['RIN', rins.length ? rins.join(', ') : undefined],
    ['Corrects', str(d.correctionOf)],
  ];
}

function countriesHtml(c: Change, ctx: RenderContext): string {
  if (c.countries.length === 0) return '';
  const names = c.countries.map((cc) =>
    ctx.interest.has(cc)
      ? `<span style="background:${COLORS.interestBg};border-bottom:2px solid ${COLORS.interestBorder};font-weight:bold;">${esc(countryName(cc))}</span>`
      : esc(countryName(cc)),
  );
  return `<div style="font-size:12px;line-height:18px;color:${COLORS.muted};margin-top:6px;">Countries mentioned: ${names.join(', ')}</div>`;
}

function documentCard(c: Change, ctx: RenderContext): string {
  const d = documentData(c, ctx);
  const htmlUrl = sourceUrl(c, str(d.htmlUrl) ?? c.url, ctx);
  const k = kindLabel(c);
  const abstract = str(d.abstract) ?? c.summary;
  const [type, classification, action] = [str(d.type), str(d.classification), str(d.action)];
  const notes = [
    d.titleChangedSincePublicInspection === true ? 'The title changed since the public-inspection copy.' : '',
    d.previouslyWithdrawn === true ? 'This document had been withdrawn from public inspection before.' : '',
    str(d.editorialNote) ? `Editorial note: ${str(d.editorialNote)}` : '',
  ].filter(Boolean);
  return card(
    `<div>${highChip(c)}${chip(k.label, k)}${type ? chip(type) : ''}${classification && classification !== 'other' ? chip(classification) : ''}</div>` +
      cardTitle(c.title, htmlUrl) +
      (action ? `<div style="font-size:12px;line-height:18px;font-style:italic;color:${COLORS.muted};">${esc(action)}</div>` : '') +
      factTable(facts(c, d)) +
      (abstract
        ? `<div style="font-size:13px;line-height:19px;color:${COLORS.ink};margin-top:8px;padding:8px 10px;background:${COLORS.panel};border-radius:4px;">${esc(abstract)}</div>`
        : '') +
      notes.map((n) => `<div style="font-size:12px;line-height:18px;color:${COLORS.muted};margin-top:4px;">${esc(n)}</div>`).join('') +
      countriesHtml(c, ctx) +
      linkRow([
        [htmlUrl, 'Federal Register'],
        [sourceUrl(c, d.pdfUrl, ctx), 'PDF'],
      ]) +
      changeFooter(c),
    { accent: c.importance === 'high' ? COLORS.high : undefined },
  );
}

function documentText(c: Change, ctx: RenderContext): string {
  const d = documentData(c, ctx);
  const lines = [`* ${c.importance === 'high' ? '[HIGH] ' : ''}${oneLine(c.title)}`, `  ${kindLabel(c).label}`];
  for (const [k, v] of facts(c, d)) if (v) lines.push(wrap(`${k}: ${v}`, 76, '  '));
  const abstract = str(d.abstract) ?? c.summary;
  if (abstract) lines.push('', wrap(abstract, 76, '  '));
  if (str(d.editorialNote)) lines.push(wrap(`Editorial note: ${str(d.editorialNote)}`, 76, '  '));
  if (c.countries.length)
    lines.push(`  Countries mentioned: ${c.countries.map((cc) => `${countryName(cc)}${ctx.interest.has(cc) ? ' *' : ''}`).join(', ')}`);
  const html = sourceUrl(c, str(d.htmlUrl) ?? c.url, ctx);
  const pdf = sourceUrl(c, d.pdfUrl, ctx);
  if (html) lines.push(`  Federal Register: ${html}`);
  if (pdf && pdf !== html) lines.push(`  PDF: ${pdf}`);
  lines.push(`  (${c.kind}, ${oneLine(c.subject)}, detected ${c.detectedAt})`);
  return lines.join('\n');
}
