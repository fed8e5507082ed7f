import type { Change } from '../core/change.ts';
import type { Subscriber } from '../core/subscriber.ts';
import { escapeHtml, headerText, safeUrl } from './escape.ts';

/** A rendered email: one multipart message with HTML and plain text. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface RenderOptions {
  /** Most changes shown in full; the rest are summarised as "N more changes". */
  maxChanges?: number;
}

const SOURCE_LABELS: Record<string, string> = {
  'sec-filings': 'SEC filings',
  'sec-revenue': 'Regional revenue',
  'sec-export-language': 'Export-control language',
  'federal-register': 'BIS in the Federal Register',
  'entity-list': 'Entity List',
};

const IMPORTANCE_ORDER = { high: 0, normal: 1, low: 2 } as const;

/** Order: most important first, then newest. */
function ordered(changes: Change[]): Change[] {
  return [...changes].sort(
    (a, b) => IMPORTANCE_ORDER[a.importance] - IMPORTANCE_ORDER[b.importance] || (b.occurredAt ?? b.detectedAt).localeCompare(a.occurredAt ?? a.detectedAt),
  );
}

/** Subject that states the news: the single change's title, or the lead change plus a count. */
export function subjectFor(changes: Change[]): string {
  const sorted = ordered(changes);
  const lead = sorted[0];
  if (!lead) throw new Error('refusing to render an email without changes');
  const base = changes.length === 1 ? lead.title : `${lead.title} (+${changes.length - 1} more)`;
  return headerText(`export-watch: ${base}`, 180);
}

/**
 * Render a batch of changes for one subscriber. Pure: the same input gives the same
 * email. Everything from upstreams is HTML-escaped; links are http(s) only; layout is
 * tables with inline CSS and no remote images or scripts.
 */
export function renderEmail(changes: Change[], subscriber: Pick<Subscriber, 'email' | 'name'>, options: RenderOptions = {}): RenderedEmail {
  if (changes.length === 0) throw new Error('refusing to render an email without changes');
  const max = options.maxChanges ?? 25;
  const sorted = ordered(changes);
  const shown = sorted.slice(0, max);
  const hidden = sorted.length - shown.length;
  const since = sorted.map((c) => c.detectedAt).sort()[0] ?? '';

  const groups = new Map<string, Change[]>();
  for (const change of shown) {
    const list = groups.get(change.source) ?? [];
    list.push(change);
    groups.set(change.source, list);
  }

  const greeting = subscriber.name ? `Hello ${subscriber.name},` : 'Hello,';
  const intro = `${changes.length} new change${changes.length === 1 ? '' : 's'} detected by export-watch.`;
  const moreText = hidden > 0 ? `${hidden} more change${hidden === 1 ? '' : 's'} not shown. See them all with: export-watch changes --since ${since}` : '';

  const textParts = [greeting, '', intro, ''];
  const htmlSections: string[] = [];
  for (const [source, list] of groups) {
    const label = SOURCE_LABELS[source] ?? source;
    textParts.push(`== ${label} ==`, '');
    const cards: string[] = [];
    for (const c of list) {
      const url = safeUrl(c.url);
      textParts.push(`* ${c.title}`, ...(c.summary ? [`  ${c.summary}`] : []), ...(url ? [`  ${url}`] : []), `  (${c.kind}, ${c.subject}, detected ${c.detectedAt})`, '');
      const badge = c.importance === 'high' ? '<span style="background:#b00020;color:#ffffff;font-size:11px;padding:1px 6px;border-radius:3px;margin-right:6px;">HIGH</span>' : '';
      const title = url ? `<a href="${escapeHtml(url)}" style="color:#0b57d0;text-decoration:none;">${escapeHtml(c.title)}</a>` : escapeHtml(c.title);
      cards.push(
        `<tr><td style="padding:10px 12px;border:1px solid #e0e0e0;border-radius:4px;">` +
          `<div style="font-size:15px;font-weight:bold;margin-bottom:4px;">${badge}${title}</div>` +
          (c.summary ? `<div style="font-size:13px;color:#333333;white-space:pre-wrap;">${escapeHtml(c.summary)}</div>` : '') +
          `<div style="font-size:11px;color:#777777;margin-top:6px;">${escapeHtml(c.kind)} · ${escapeHtml(c.subject)} · detected ${escapeHtml(c.detectedAt)}</div>` +
          `</td></tr><tr><td style="height:8px;"></td></tr>`,
      );
    }
    htmlSections.push(
      `<tr><td style="padding:14px 0 6px 0;font-size:17px;font-weight:bold;color:#202124;">${escapeHtml(label)}</td></tr>` +
        `<tr><td><table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:separate;">${cards.join('')}</table></td></tr>`,
    );
  }
  if (moreText) textParts.push(moreText, '');
  textParts.push('--', 'You receive this because you subscribed to export-watch alerts.');

  const html =
    '<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>' +
    '<body style="margin:0;padding:0;background:#f6f8fa;font-family:Arial,Helvetica,sans-serif;">' +
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:16px;">' +
    '<table role="presentation" width="640" cellpadding="0" cellspacing="0" style="max-width:640px;background:#ffffff;padding:16px;">' +
    `<tr><td style="font-size:14px;color:#202124;">${escapeHtml(greeting)}<br>${escapeHtml(intro)}</td></tr>` +
    htmlSections.join('') +
    (moreText ? `<tr><td style="padding-top:8px;font-size:13px;color:#555555;">${escapeHtml(moreText)}</td></tr>` : '') +
    '<tr><td style="padding-top:16px;font-size:11px;color:#888888;">You receive this because you subscribed to export-watch alerts.</td></tr>' +
    '</table></td></tr></table></body></html>';

  return { subject: subjectFor(changes), html, text: textParts.join('\n') };
}
