import type { Change } from '#core/change.ts';
import {
  byImportance,
  COLORS,
  card,
  cardTitle,
  changeFooter,
  chip,
  type FamilyRenderer,
  highChip,
  linkRow,
  oneLine,
  paragraph,
  plural,
  sourceUrl,
  wrap,
} from './kit.ts';

/** Any change no family claims: title, summary, link. */
export const genericRenderer: FamilyRenderer = {
  id: 'other',
  label: 'Other changes',
  accent: COLORS.muted,
  matches: () => true,
  headline(changes) {
    const lead = [...changes].sort(byImportance)[0];
    if (!lead) return '';
    return changes.length === 1 ? lead.title : `${lead.title} and ${plural(changes.length - 1, 'more change')}`;
  },
  render(changes, ctx) {
    const sorted = [...changes].sort(byImportance);
    return {
      html: sorted
        .map((c) => {
          const url = sourceUrl(c, c.url, ctx);
          return card(
            `<div>${highChip(c)}${chip(c.subject)}</div>${cardTitle(c.title, url)}${c.summary ? paragraph(c.summary) : ''}${linkRow([[url, 'Source']])}${changeFooter(c)}`,
          );
        })
        .join(''),
      text: sorted
        .map((c: Change) => {
          const url = sourceUrl(c, c.url, ctx);
          return [
            `* ${oneLine(c.title)}`,
            ...(c.summary ? [wrap(c.summary, 76, '  ')] : []),
            ...(url ? [`  ${url}`] : []),
            `  (${c.kind}, ${oneLine(c.subject)}, detected ${c.detectedAt})`,
          ].join('\n');
        })
        .join('\n\n'),
    };
  },
};
