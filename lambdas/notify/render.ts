import type { RenderedEmail } from '#core/mime.ts';
import type { Change } from '#core/change.ts';
import type { SubscriberFilters } from '#core/config.ts';
import type { ContractError } from '#core/contract.ts';
import { countryName } from '#core/countries.ts';
import type { Subscriber } from '#core/subscriber.ts';
import { displaySafe, escapeHtml, headerText, plainText, safeUrl } from '#core/escape.ts';
import type { LinkHosts } from './links.ts';
import { FAMILIES, familyOf } from './render/families.ts';
import {
  BREAK_LONG,
  byImportance,
  COLORS,
  type FamilyRenderer,
  FONT,
  MONO,
  oneLine,
  plural,
  type RenderContext,
  wrap,
} from './render/kit.ts';
import { newYorkDateLabel, newYorkTimeLabel } from '#core/time.ts';

/**
 * Email rendering: `(changes, subscriber, options) → { subject, html, text }`. Pure (no
 * I/O, no clock, no AWS): the same input always gives the same email. One renderer per
 * change family lives in `render/`; this module orders the sections, writes the subject,
 * truncates long batches and adds the frame (header, summary, footer, unsubscribe).
 *
 * Safety: every upstream string is HTML-escaped where it is written; links are http(s)
 * only; the subject is a single header-safe line; layout is tables with inline CSS and
 * no remote images, fonts or scripts.
 */

export type { RenderedEmail } from '#core/mime.ts';

/** Options of {@link renderEmail}. */
export interface RenderOptions {
  /** Most changes shown in full; the rest are summarised as "N more changes". Default 25. */
  maxChanges?: number;
  /** Countries to highlight (config `countriesOfInterest`). */
  countriesOfInterest?: readonly string[];
  /** A daily digest instead of an immediate alert: `window` is what it covers. */
  digest?: { since: string; until: string; rollup?: boolean | undefined } | undefined;
  /** The recipient's unsubscribe link (shown in the footer). */
  unsubscribeUrl?: string | undefined;
  /**
   * Link hosts besides each source's own domains (`SOURCE_LINK_HOSTS`): the hosts of the
   * configured base URLs, from `configuredLinkHosts(config.urls)` in links.ts. A change URL
   * on any other host is shown as no link at all (issue 19, item 2).
   */
  linkHosts?: LinkHosts | undefined;
  /** A line about the links, in the footer (the local runtime's "links work while it runs"). */
  linksNote?: string | undefined;
  /** How a reader sees every change since `since`; default: the `export-watch changes` command. */
  moreHint?: (since: string) => string;
  /**
   * The changes come from the offline demo (`export-watch demo`): its upstream serves
   * invented filings and rules, so the subject starts with {@link DEMO_SUBJECT_PREFIX} and
   * both parts open with {@link DEMO_BANNER}. Nobody must mistake a demo email for news.
   */
  demo?: boolean | undefined;
  /**
   * Told once per change whose data fails its family's contract (sources/<name>/contract.ts):
   * the email shows the fields that passed, and this keeps the failure visible (the notifier
   * logs it). The error names the change, its kind and each failing field path.
   */
  onContractError?: ((error: ContractError) => void) | undefined;
}

/** The banner every demo email, page and report opens with. */
export const DEMO_BANNER =
  'DEMO DATA — not real filings or rules. This was produced by export-watch demo against a fake upstream; some filings, passages, rules and entities in it are invented.';

/** Subject prefix of every demo email. */
export const DEMO_SUBJECT_PREFIX = '[DEMO] ';

/** The default "see them all" instruction. */
export function defaultMoreHint(since: string): string {
  return `npx export-watch changes --since ${since} (add --table and --region for the deployed change log)`;
}

interface Section {
  family: FamilyRenderer;
  changes: Change[];
}

const RANK = { high: 0, normal: 1, low: 2 } as const;

/** Group changes by family; sections with the most important change first, then in family order. */
function sectionsOf(changes: readonly Change[]): Section[] {
  const map = new Map<FamilyRenderer, Change[]>();
  for (const c of changes) {
    const f = familyOf(c);
    map.set(f, [...(map.get(f) ?? []), c]);
  }
  const best = (list: Change[]) => Math.min(...list.map((c) => RANK[c.importance]));
  return [...map]
    .map(([family, list]) => ({ family, changes: list }))
    .sort((a, b) => best(a.changes) - best(b.changes) || FAMILIES.indexOf(a.family) - FAMILIES.indexOf(b.family));
}

/**
 * The changes shown in full when there are more than `max`: the most important of each
 * family first (so a long Entity List batch cannot push a revenue table out of a digest),
 * then the rest by importance and recency.
 */
export function pickShown(changes: readonly Change[], max: number): Change[] {
  const sorted = [...changes].sort(byImportance);
  if (sorted.length <= max) return sorted;
  const picked = new Set<Change>();
  for (const s of sectionsOf(sorted)) {
    const first = s.changes[0];
    if (first && picked.size < max) picked.add(first);
  }
  for (const c of sorted) {
    if (picked.size >= max) break;
    picked.add(c);
  }
  return sorted.filter((c) => picked.has(c));
}

/**
 * A subject that states the news: the headline of the leading family (the one with the
 * most important change), plus how many other changes the email holds. Header-safe.
 */
export function subjectFor(changes: readonly Change[], options: Pick<RenderOptions, 'countriesOfInterest' | 'digest'> = {}): string {
  return subjectIn(changes, options, { interest: new Set(options.countriesOfInterest ?? []) });
}

/** {@link subjectFor} in the context of the whole email, so each change's data is read (and reported) once. */
function subjectIn(changes: readonly Change[], options: Pick<RenderOptions, 'digest'>, ctx: RenderContext): string {
  if (changes.length === 0) throw new Error('refusing to render an email without changes');
  const [lead] = sectionsOf(changes);
  const headline = lead ? lead.family.headline(lead.changes, ctx) : '';
  const rest = changes.length - (lead?.changes.length ?? 0);
  const base = `${headline}${rest > 0 ? ` · +${plural(rest, 'more change')}` : ''}`;
  const prefix = options.digest ? (options.digest.rollup ? 'Daily round-up: ' : 'Daily digest: ') : '';
  return headerText(`${prefix}${base}`, 200);
}

/** "sources sec-filings; countries Singapore; minimum importance high" (or "all changes"). */
export function describeFilters(filters: SubscriberFilters | undefined): string {
  if (!filters) return 'all changes';
  const parts = [
    filters.sources?.length ? `sources ${filters.sources.join(', ')}` : '',
    filters.kinds?.length ? `kinds ${filters.kinds.join(', ')}` : '',
    filters.subjects?.length ? `companies/subjects ${filters.subjects.join(', ')}` : '',
    filters.countries?.length ? `countries ${filters.countries.map(countryName).join(', ')}` : '',
    filters.minImportance ? `importance ${filters.minImportance} or higher` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'all changes';
}

/**
 * Render a batch of changes for one subscriber (an immediate alert, or a daily digest
 * with `options.digest`). Throws on an empty batch: an empty email is never sent.
 */
export function renderEmail(
  changes: readonly Change[],
  subscriber: Pick<Subscriber, 'email'> & Partial<Pick<Subscriber, 'name' | 'filters'>>,
  options: RenderOptions = {},
): RenderedEmail {
  if (changes.length === 0) throw new Error('refusing to render an email without changes');
  const ctx: RenderContext = {
    interest: new Set(options.countriesOfInterest ?? []),
    linkHosts: options.linkHosts,
    onContractError: options.onContractError,
  };
  const max = Math.max(1, options.maxChanges ?? 25);
  const shown = pickShown(changes, max);
  const hidden = changes.length - shown.length;
  const since = options.digest?.since ?? [...changes.map((c) => c.detectedAt)].sort()[0] ?? '';
  const sections = sectionsOf(shown);
  const allSections = sectionsOf(changes);
  const subject = (options.demo ? DEMO_SUBJECT_PREFIX : '') + subjectIn(changes, options, ctx);

  const greeting = subscriber.name ? `Hello ${plainText(subscriber.name)},` : 'Hello,';
  const count = plural(changes.length, 'new change');
  const intro = options.digest?.rollup
    ? `Your daily round-up of filings that mention export controls: ${count} detected between ${newYorkTimeLabel(new Date(options.digest.since))} and ${newYorkTimeLabel(new Date(options.digest.until))}.`
    : options.digest
      ? `Your daily digest: ${count} detected between ${newYorkTimeLabel(new Date(options.digest.since))} and ${newYorkTimeLabel(new Date(options.digest.until))}.`
      : `${count} detected by export-watch.`;
  const moreHint = (options.moreHint ?? defaultMoreHint)(since);
  const moreText = hidden > 0 ? `${plural(hidden, 'more change')} not shown. See them all with: ${moreHint}` : '';
  const why = options.digest?.rollup
    ? `You get this because ${subscriber.email} subscribed to export-watch alerts (${describeFilters(subscriber.filters)}); filings that mention export controls come once a day, in this round-up.`
    : `You get this because ${subscriber.email} subscribed to export-watch ${options.digest ? 'daily digests' : 'alerts'} (${describeFilters(subscriber.filters)}).`;
  const unsubscribe = safeUrl(options.unsubscribeUrl);

  // ---- plain text
  const text: string[] = [...(options.demo ? [wrap(DEMO_BANNER, 76), ''] : []), greeting, '', wrap(intro, 76), ''];
  if (allSections.length > 1) {
    text.push('In this email:');
    for (const s of allSections)
      text.push(wrap(`- ${oneLine(s.family.headline(s.changes, ctx))} (${s.changes.length})`, 76, '  ').replace(/^ {2}/, ''));
    text.push('');
  }
  for (const s of sections) {
    const body = s.family.render(s.changes, ctx);
    text.push(`== ${s.family.label} ==`, '', body.text, '');
  }
  if (moreText) text.push(`${plural(hidden, 'more change')} not shown. See them all with:`, `  ${moreHint}`, '');
  text.push('--', wrap(why, 76));
  if (unsubscribe) text.push(`Unsubscribe: ${unsubscribe}`);
  if (options.linksNote) text.push(wrap(options.linksNote, 76));

  // ---- HTML
  const heading = options.digest
    ? `${options.digest.rollup ? 'Daily round-up' : 'Daily digest'} · ${newYorkDateLabel(new Date(options.digest.until))}`
    : 'Alert';
  const preheader = `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;color:#ffffff;">${escapeHtml(subject)}</div>`;
  const summary =
    allSections.length > 1
      ? `<tr><td style="padding:4px 24px 8px 24px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:${COLORS.panel};border-radius:6px;"><tr><td style="padding:10px 14px;font-family:${FONT};">` +
        `<div style="font-size:11px;font-weight:bold;color:${COLORS.muted};text-transform:uppercase;letter-spacing:0.4px;margin-bottom:4px;">In this email</div>` +
        allSections
          .map(
            (s) =>
              `<div style="font-size:13px;line-height:20px;color:${COLORS.ink};"><span style="display:inline-block;width:8px;height:8px;border-radius:4px;background:${s.family.accent};margin-right:8px;"></span>${escapeHtml(s.family.headline(s.changes, ctx))} <span style="color:${COLORS.muted};">(${s.changes.length})</span></div>`,
          )
          .join('') +
        '</td></tr></table></td></tr>'
      : '';
  const body = sections
    .map((s) => {
      const r = s.family.render(s.changes, ctx);
      return (
        `<tr><td style="padding:14px 24px 6px 24px;font-family:${FONT};">` +
        `<div style="font-size:13px;font-weight:bold;color:${s.family.accent};text-transform:uppercase;letter-spacing:0.5px;border-bottom:2px solid ${s.family.accent};padding-bottom:4px;">${escapeHtml(s.family.label)} <span style="color:${COLORS.muted};font-weight:normal;">· ${s.changes.length}</span></div>` +
        '</td></tr>' +
        `<tr><td style="padding:6px 24px 0 24px;">${r.html}</td></tr>`
      );
    })
    .join('');
  const more = moreText
    ? `<tr><td style="padding:4px 24px 8px 24px;font-family:${FONT};${BREAK_LONG}"><div style="font-size:13px;line-height:19px;color:${COLORS.ink};background:#fff8c5;border:1px solid #f5e0a0;border-radius:6px;padding:10px 14px;"><strong>${escapeHtml(plural(hidden, 'more change'))} not shown.</strong> See them all with:<br><code style="font-family:${MONO};font-size:12px;">${escapeHtml(moreHint)}</code></div></td></tr>`
    : '';
  const footer =
    `<tr><td style="padding:16px 24px 20px 24px;border-top:1px solid ${COLORS.rule};font-family:${FONT};font-size:11px;line-height:17px;color:${COLORS.faint};${BREAK_LONG}">` +
    escapeHtml(why) +
    (unsubscribe
      ? `<br><a href="${escapeHtml(unsubscribe)}" style="color:${COLORS.muted};text-decoration:underline;">Unsubscribe</a>`
      : '') +
    (options.linksNote ? `<br>${escapeHtml(options.linksNote)}` : '') +
    '</td></tr>';

  const html =
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="color-scheme" content="light"><meta name="supported-color-schemes" content="light">' +
    `<title>${escapeHtml(subject)}</title></head>` +
    `<body style="margin:0;padding:0;background:#eef1f4;font-family:${FONT};color:${COLORS.ink};">` +
    preheader +
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#eef1f4;"><tr><td align="center" style="padding:20px 8px;">' +
    // Fixed layout: at 390 px no wide table or long token can push the email past the screen
    // (the revenue and Entity List tables scroll inside their cards instead).
    '<table role="presentation" width="680" cellpadding="0" cellspacing="0" style="width:100%;max-width:680px;table-layout:fixed;background:#ffffff;border-radius:8px;border:1px solid #dde3e9;">' +
    `<tr><td style="background:${COLORS.brand};border-radius:8px 8px 0 0;padding:14px 24px;font-family:${FONT};">` +
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>' +
    '<td style="font-size:17px;font-weight:bold;color:#ffffff;letter-spacing:0.3px;">export-watch</td>' +
    `<td align="right" style="font-size:12px;color:#c9d6e3;">${escapeHtml(heading)}</td>` +
    '</tr></table></td></tr>' +
    (options.demo
      ? `<tr><td class="demo-banner" style="padding:10px 24px;background:#fff1c2;border-bottom:2px solid #d4a72c;font-family:${FONT};font-size:13px;line-height:19px;color:#4d3800;"><strong>DEMO DATA — not real filings or rules.</strong> ${escapeHtml(DEMO_BANNER.replace(/^DEMO DATA — not real filings or rules\. /, ''))}</td></tr>`
      : '') +
    `<tr><td style="padding:18px 24px 6px 24px;font-family:${FONT};font-size:14px;line-height:21px;color:${COLORS.ink};${BREAK_LONG}">${escapeHtml(greeting)}<br>${escapeHtml(intro)}</td></tr>` +
    summary +
    body +
    more +
    footer +
    '</table></td></tr></table></body></html>';

  // Backstop over the finished parts: whatever a renderer forgot to pass through `esc` or
  // `wrap`, no control or bidi character reaches the reader (issue 19, item 7).
  return { subject, html: displaySafe(html), text: plainText(text.join('\n')) };
}

/** Options of {@link renderConfirmationEmail}. */
export interface ConfirmationOptions {
  confirmUrl: string;
  /** A line about the link, under it (see {@link RenderOptions.linksNote}). */
  linksNote?: string | undefined;
}

/** The double opt-in email: what was asked for, one confirm button, and "ignore if not you". */
export function renderConfirmationEmail(
  subscriber: Pick<Subscriber, 'email' | 'mode' | 'digestHour'> & Partial<Pick<Subscriber, 'name' | 'filters'>>,
  options: ConfirmationOptions,
): RenderedEmail {
  const url = safeUrl(options.confirmUrl);
  if (!url) throw new Error('confirmation email needs an http(s) confirm URL');
  const what =
    subscriber.mode === 'daily'
      ? `a daily digest at ${String(subscriber.digestHour).padStart(2, '0')}:00 New York time`
      : 'an email as soon as something changes';
  const filters = describeFilters(subscriber.filters);
  const greeting = subscriber.name ? `Hello ${plainText(subscriber.name)},` : 'Hello,';
  const lines = [
    `Someone (hopefully you) asked export-watch to send ${subscriber.email} ${what}, for ${filters}.`,
    'Nothing will be sent until you confirm. If you did not ask for this, ignore this email.',
  ];
  const validity = `The link opens a page with a Confirm button; it is valid for 7 days.${options.linksNote ? ` ${options.linksNote}` : ''}`;
  const text = [greeting, '', ...lines.map((l) => wrap(l, 76)), '', `Confirm: ${url}`, '', wrap(validity, 76)].join('\n');
  const html =
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Confirm your export-watch subscription</title></head>' +
    `<body style="margin:0;padding:0;background:#eef1f4;font-family:${FONT};color:${COLORS.ink};">` +
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:20px 8px;">' +
    '<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="width:100%;max-width:560px;background:#ffffff;border-radius:8px;border:1px solid #dde3e9;">' +
    `<tr><td style="background:${COLORS.brand};border-radius:8px 8px 0 0;padding:14px 24px;font-size:17px;font-weight:bold;color:#ffffff;">export-watch</td></tr>` +
    `<tr><td style="padding:20px 24px;font-size:14px;line-height:21px;">${escapeHtml(greeting)}<br><br>${lines.map(escapeHtml).join('<br><br>')}</td></tr>` +
    `<tr><td style="padding:0 24px 24px 24px;"><a href="${escapeHtml(url)}" style="display:inline-block;background:#1f883d;color:#ffffff;font-weight:bold;font-size:14px;text-decoration:none;padding:10px 18px;border-radius:6px;">Confirm subscription</a>` +
    `<div style="font-size:11px;line-height:17px;color:${COLORS.faint};margin-top:14px;">${escapeHtml(validity)}</div></td></tr>` +
    '</table></td></tr></table></body></html>';
  return { subject: 'Confirm your export-watch subscription', html, text };
}
