import type { Change } from '#core/change.ts';
import { countryName, isoCountry, UNRECOGNISED_COUNTRY } from '#core/countries.ts';
import { plainText } from '#core/escape.ts';
import {
  ENTITY_LIST_CONTRACT,
  type EntityAddress,
  type EntityAmendedData,
  type EntityFieldChange,
  type EntityListingData,
} from '#sources/entity-list/contract.ts';
import {
  arr,
  COLORS,
  card,
  dataOf,
  type DeepPartial,
  esc,
  FONT,
  type FamilyRenderer,
  link,
  obj,
  oneLine,
  plural,
  type RenderContext,
  scrollBox,
  sourceUrl,
  str,
  wrap,
} from './kit.ts';

/**
 * Entity List, MEU List and Unverified List changes (`entity.*`): one table per list and
 * action, rows grouped by country, each with its Federal Register citation linked. A
 * batch of additions is one piece of news ("BIS adds 23 entities to the Entity List
 * (China 15, Singapore 2)"), so the headline aggregates by country.
 */
export const entitiesRenderer: FamilyRenderer = {
  id: 'entities',
  label: 'Entity List and other BIS lists',
  accent: '#cf222e',
  matches: (c) => c.kind.startsWith('entity.') || c.source === 'entity-list',
  headline: (changes, ctx) => entityHeadline(changes, ctx),
  render(changes, ctx) {
    const groups = groupEntities(changes, ctx);
    return {
      html: groups.map((g) => groupHtml(g, ctx)).join(''),
      text: groups.map((g) => groupText(g, ctx)).join('\n\n'),
    };
  },
};

type Action = 'added' | 'removed' | 'amended' | 'other';
const ACTION_ORDER: Action[] = ['added', 'amended', 'removed', 'other'];

interface EntityGroup {
  list: string;
  /** Full list name as published (`Entity List (EL) - Bureau of Industry and Security`). */
  listFull: string | undefined;
  action: Action;
  changes: Change[];
}

function actionOf(c: Change): Action {
  const a = c.kind.split('.')[1];
  return a === 'added' || a === 'removed' || a === 'amended' ? a : 'other';
}

/**
 * The entry's data through the screening-list contract. A kind the contract does not declare
 * is read as `entity.amended` when its action is `amended` (so an amendment's field changes
 * are always checked), else as `entity.added`.
 */
function entityData(c: Change, ctx: RenderContext | undefined): DeepPartial<EntityListingData> {
  return dataOf(c, ENTITY_LIST_CONTRACT, actionOf(c) === 'amended' ? 'entity.amended' : 'entity.added', ctx);
}

/**
 * The field changes of an amendment. Only `entity.amended` (and an undeclared kind of action
 * `amended`) is asked, and {@link entityData} reads those with `entity.amended`'s schema,
 * which declares `changes`: so the data is that kind's.
 */
function amendmentOf(c: Change, ctx: RenderContext | undefined): ReadonlyArray<DeepPartial<EntityFieldChange>> {
  return (entityData(c, ctx) as DeepPartial<EntityAmendedData>).changes ?? [];
}

function listOf(c: Change, ctx: RenderContext | undefined): string {
  return c.subject || str(entityData(c, ctx).list) || 'Entity List';
}

/** The grouping key of an entity whose country is given but is no ISO 3166 code. */
const UNRECOGNISED = '?';

/**
 * Primary country of an entity: the first listed (the FR prints each entry under one
 * country), as an ISO 3166 alpha-2 code; {@link UNRECOGNISED} when the upstream gave
 * something else (a raw CSL country can hold ESC, RLO or NUL), '' when none.
 */
function primaryCountry(c: Change, ctx: RenderContext | undefined): string {
  const given = entityData(c, ctx).countries?.[0] ?? c.countries[0];
  if (given === undefined || given.trim() === '') return '';
  return isoCountry(given) ?? UNRECOGNISED;
}

function entityName(c: Change, ctx: RenderContext | undefined): string {
  return oneLine(str(entityData(c, ctx).name) ?? c.title.replace(/^[^:]*:\s*(added|removed|amended)\s*/i, ''));
}

/** Group by list (Entity List first, then by size) and action (added, amended, removed). `ctx`: the email's, where contract errors go. */
export function groupEntities(changes: readonly Change[], ctx?: RenderContext): EntityGroup[] {
  const map = new Map<string, EntityGroup>();
  for (const c of changes) {
    const key = `${listOf(c, ctx)}\u0000${actionOf(c)}`;
    const g = map.get(key) ?? { list: listOf(c, ctx), listFull: str(entityData(c, ctx).list), action: actionOf(c), changes: [] };
    g.changes.push(c);
    map.set(key, g);
  }
  const listSize = new Map<string, number>();
  for (const g of map.values()) listSize.set(g.list, (listSize.get(g.list) ?? 0) + g.changes.length);
  return [...map.values()].sort(
    (a, b) =>
      Number(b.list === 'Entity List') - Number(a.list === 'Entity List') ||
      (listSize.get(b.list) ?? 0) - (listSize.get(a.list) ?? 0) ||
      a.list.localeCompare(b.list) ||
      ACTION_ORDER.indexOf(a.action) - ACTION_ORDER.indexOf(b.action),
  );
}

/** Entities per primary country, largest first (ties by name). `ctx`: the email's, where contract errors go. */
export function countByCountry(changes: readonly Change[], ctx?: RenderContext): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(primaryCountry(c, ctx), (counts.get(primaryCountry(c, ctx)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || countryLabel(a[0]).localeCompare(countryLabel(b[0])));
}

function countryLabel(code: string): string {
  if (code === UNRECOGNISED) return UNRECOGNISED_COUNTRY;
  return code ? countryName(code) : 'No country given';
}

function countriesPhrase(changes: readonly Change[], ctx: RenderContext | undefined): string {
  const counts = countByCountry(changes, ctx);
  const top = counts.slice(0, 3).map(([cc, n]) => `${countryLabel(cc)} ${n}`);
  return top.join(', ');
}

function isBis(g: { list: string; listFull: string | undefined }): boolean {
  return /bureau of industry and security/i.test(g.listFull ?? '') || /^(entity list|meu list|unverified list)$/i.test(g.list);
}

function groupHeadline(g: EntityGroup, ctx: RenderContext | undefined): string {
  const n = g.changes.length;
  const first = g.changes[0] as Change;
  const agency = isBis(g) ? 'BIS ' : '';
  const country = primaryCountry(first, ctx);
  const one = `${entityName(first, ctx)}${country ? ` (${countryLabel(country)})` : ''}`;
  switch (g.action) {
    case 'added':
      return n === 1
        ? `${agency}adds ${one} to the ${g.list}`
        : `${agency}adds ${n} entities to the ${g.list} (${countriesPhrase(g.changes, ctx)})`;
    case 'removed':
      return n === 1
        ? `${agency}removes ${one} from the ${g.list}`
        : `${agency}removes ${n} entities from the ${g.list} (${countriesPhrase(g.changes, ctx)})`;
    case 'amended':
      return n === 1
        ? `${agency}amends the ${g.list} entry for ${one}`
        : `${agency}amends ${n} ${g.list} entries (${countriesPhrase(g.changes, ctx)})`;
    default:
      return n === 1 ? first.title : `${plural(n, 'change')} on the ${g.list}`;
  }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "BIS adds 23 entities to the Entity List (China 15, Singapore 2); 1 removed, 2 amended". `ctx`: the email's. */
export function entityHeadline(changes: readonly Change[], ctx?: RenderContext): string {
  const groups = groupEntities(changes, ctx);
  const lead = groups[0];
  if (!lead) return '';
  const sameList = groups.filter((g) => g.list === lead.list && g !== lead);
  const others = groups.filter((g) => g.list !== lead.list).reduce((n, g) => n + g.changes.length, 0);
  const extra = sameList.map((g) => `${g.changes.length} ${g.action === 'other' ? 'other' : g.action}`);
  if (others) extra.push(`${plural(others, 'change')} on other lists`);
  return `${capitalise(groupHeadline(lead, ctx))}${extra.length ? `; ${extra.join(', ')}` : ''}`;
}

const CITATION = /(\d{1,3})\s*FR\s*(\d{1,6})/g;

/** Federal Register citations in a notice string, linked to federalregister.gov. */
export function citationsHtml(notice: string | undefined): string {
  if (!notice) return `<span style="color:${COLORS.faint};">—</span>`;
  let out = '';
  let last = 0;
  for (const m of notice.matchAll(CITATION)) {
    out += esc(notice.slice(last, m.index));
    out += link(`https://www.federalregister.gov/citation/${m[1]}-FR-${m[2]}`, m[0]);
    last = (m.index ?? 0) + m[0].length;
  }
  return out + esc(notice.slice(last));
}

/** Every distinct citation of the group with its federalregister.gov URL, for the text part. */
function citationLinks(changes: readonly Change[], ctx: RenderContext): string[] {
  const seen = new Map<string, string>();
  for (const c of changes) {
    for (const m of (str(entityData(c, ctx).federalRegisterNotice) ?? '').matchAll(CITATION)) {
      seen.set(`${m[1]} FR ${m[2]}`, `https://www.federalregister.gov/citation/${m[1]}-FR-${m[2]}`);
    }
  }
  return [...seen].map(([cite, url]) => `${cite}: ${url}`);
}

/**
 * An address as one line. Its country shows only as an ISO 3166 code; anything else is
 * dropped. Takes what the contract leaves unknown too: an amendment's `before` and `after`.
 */
function formatAddress(a: EntityAddress | unknown): string {
  const o = obj(a);
  if (typeof a === 'string') return a;
  return [o.address, o.city, o.state, o.postal_code ?? o.postalCode, isoCountry(o.country)]
    .map((p) => (typeof p === 'string' ? p.trim() : ''))
    .filter(Boolean)
    .join(', ');
}

const FIELD_LABELS: Record<string, string> = {
  altNames: 'Alternate names',
  addresses: 'Addresses',
  federalRegisterNotice: 'Federal Register notice',
  startDate: 'Start date',
  licenseRequirement: 'License requirement',
  licensePolicy: 'License policy',
  countries: 'Countries',
  name: 'Name',
};

interface FieldDelta {
  label: string;
  added: string[];
  removed: string[];
  before?: string | undefined;
  after?: string | undefined;
}

function fieldDeltas(c: Change, ctx: RenderContext): FieldDelta[] {
  return amendmentOf(c, ctx).map((f) => {
    const field = str(f.field) ?? '?';
    const label = FIELD_LABELS[field] ?? field;
    const show = (v: unknown) => (field === 'addresses' ? formatAddress(v) : typeof v === 'string' ? v : JSON.stringify(v));
    if (Array.isArray(f.before) || Array.isArray(f.after)) {
      const before = arr(f.before).map(show);
      const after = arr(f.after).map(show);
      return { label, added: after.filter((x) => !before.includes(x)), removed: before.filter((x) => !after.includes(x)) };
    }
    return {
      label,
      added: [],
      removed: [],
      before: f.before === null || f.before === undefined ? '(none)' : show(f.before),
      after: f.after === null || f.after === undefined ? '(none)' : show(f.after),
    };
  });
}

const INS = `background:${COLORS.insBg};color:${COLORS.insFg};text-decoration:none;`;
const DEL = `background:${COLORS.delBg};color:${COLORS.delFg};text-decoration:line-through;`;

function deltasHtml(c: Change, ctx: RenderContext): string {
  const deltas = fieldDeltas(c, ctx);
  if (deltas.length === 0) return `<span style="color:${COLORS.muted};">${esc(c.summary)}</span>`;
  return deltas
    .map((d) => {
      const parts =
        d.before !== undefined
          ? [`<del style="${DEL}">${esc(d.before)}</del> → <ins style="${INS}">${esc(d.after)}</ins>`]
          : [
              ...d.added.map((x) => `<ins style="${INS}">+ ${esc(x)}</ins>`),
              ...d.removed.map((x) => `<del style="${DEL}">− ${esc(x)}</del>`),
            ];
      return `<div style="margin-bottom:2px;"><span style="color:${COLORS.muted};">${esc(d.label)}:</span> ${parts.join('<br>') || 'changed'}</div>`;
    })
    .join('');
}

function deltasText(c: Change, ctx: RenderContext): string {
  const deltas = fieldDeltas(c, ctx);
  if (deltas.length === 0) return plainText(c.summary);
  return deltas
    .map((d) =>
      d.before !== undefined
        ? `${d.label}: [-${d.before}-] [+${d.after}+]`
        : `${d.label}: ${[...d.added.map((x) => `[+${x}+]`), ...d.removed.map((x) => `[-${x}-]`)].join(' ') || 'changed'}`,
    )
    .join('; ');
}

/** One license requirement/policy line when the whole group shares it. */
function sharedLicense(changes: readonly Change[], ctx: RenderContext): string | undefined {
  const lines = new Set(changes.map((c) => ownLicenseText(entityData(c, ctx))));
  return lines.size === 1 ? [...lines][0] || undefined : undefined;
}

/** An entity's license requirement and policy as one text line ('' when it has neither). */
function ownLicenseText(d: DeepPartial<EntityListingData>): string {
  return [
    str(d.licenseRequirement) ? `License requirement: ${str(d.licenseRequirement)}` : '',
    str(d.licensePolicy) ? `License policy: ${str(d.licensePolicy)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

const ACTION_STYLE: Record<Action, { label: (list: string) => string; color: string; bg: string }> = {
  added: { label: (l) => `Added to the ${l}`, color: COLORS.down, bg: '#ffebe9' },
  amended: { label: (l) => `Amended on the ${l}`, color: '#9a6700', bg: '#fff8c5' },
  removed: { label: (l) => `Removed from the ${l}`, color: COLORS.up, bg: '#dafbe1' },
  other: { label: (l) => `Other changes on the ${l}`, color: COLORS.muted, bg: COLORS.panel },
};

const TH = `font-size:11px;line-height:15px;color:${COLORS.muted};font-weight:bold;text-transform:uppercase;letter-spacing:0.3px;padding:6px 8px;border-bottom:2px solid ${COLORS.border};`;
const TD = `font-size:13px;line-height:18px;padding:6px 8px;border-bottom:1px solid ${COLORS.rule};vertical-align:top;`;

function byCountry(changes: readonly Change[], ctx: RenderContext): Array<[string, Change[]]> {
  const order = countByCountry(changes, ctx).map(([cc]) => cc);
  return order.map((cc) => [
    cc,
    changes.filter((c) => primaryCountry(c, ctx) === cc).sort((a, b) => entityName(a, ctx).localeCompare(entityName(b, ctx))),
  ]);
}

function groupHtml(g: EntityGroup, ctx: RenderContext): string {
  const style = ACTION_STYLE[g.action];
  const amended = g.action === 'amended';
  const license = sharedLicense(g.changes, ctx);
  const head =
    `<tr><th align="left" style="${TH}">Entity</th>` +
    `<th align="left" style="${TH}">${amended ? 'What changed' : 'Address'}</th>` +
    `<th align="left" style="${TH}white-space:nowrap;">FR notice</th>` +
    (amended ? '' : `<th align="left" style="${TH}white-space:nowrap;">Start date</th>`) +
    '</tr>';
  const cols = amended ? 3 : 4;
  const rows = byCountry(g.changes, ctx)
    .map(([cc, list]) => {
      const interest = ctx.interest.has(cc);
      const countryRow = `<tr><td colspan="${cols}" style="font-size:12px;line-height:16px;font-weight:bold;color:${COLORS.ink};background:${interest ? COLORS.interestBg : COLORS.panel};padding:5px 8px;border-bottom:1px solid ${COLORS.rule};${interest ? `border-left:4px solid ${COLORS.interestBorder};` : ''}">${interest ? '★&nbsp;' : ''}${esc(countryLabel(cc))} <span style="font-weight:normal;color:${COLORS.muted};">(${list.length})</span></td></tr>`;
      const entityRows = list
        .map((c) => {
          const d = entityData(c, ctx);
          const aka = (d.altNames ?? []).filter((x) => x.trim() !== '');
          const addresses = (d.addresses ?? []).map(formatAddress).filter(Boolean);
          const ownLicense = license === undefined ? [str(d.licenseRequirement), str(d.licensePolicy)].filter(Boolean).join(' · ') : '';
          const nameCell =
            `<strong>${link(sourceUrl(c, c.url, ctx), entityName(c, ctx), `color:${COLORS.ink};`)}</strong>` +
            (aka.length ? `<br><span style="font-size:11px;color:${COLORS.muted};">a.k.a. ${esc(aka.join('; '))}</span>` : '') +
            (ownLicense ? `<br><span style="font-size:11px;color:${COLORS.muted};">${esc(ownLicense)}</span>` : '');
          const second = amended
            ? deltasHtml(c, ctx)
            : addresses.length
              ? esc(addresses.join(' | '))
              : `<span style="color:${COLORS.faint};">—</span>`;
          return (
            `<tr><td style="${TD}">${nameCell}</td>` +
            `<td style="${TD}font-size:12px;color:${amended ? COLORS.ink : COLORS.muted};">${second}</td>` +
            `<td style="${TD}white-space:nowrap;font-size:12px;">${citationsHtml(str(d.federalRegisterNotice))}</td>` +
            (amended ? '' : `<td style="${TD}white-space:nowrap;font-size:12px;">${esc(str(d.startDate) ?? '—')}</td>`) +
            '</tr>'
          );
        })
        .join('');
      return countryRow + entityRows;
    })
    .join('');
  const source = g.changes.map((c) => sourceUrl(c, c.url, ctx)).find(Boolean);
  return card(
    `<div style="display:inline-block;background:${style.bg};color:${style.color};font-size:12px;font-weight:bold;border-radius:4px;padding:2px 8px;">${esc(style.label(g.list))} · ${esc(plural(g.changes.length, 'entity', 'entities'))}</div>` +
      `<div style="font-size:15px;line-height:21px;font-weight:bold;margin:6px 0 2px 0;">${esc(capitalise(groupHeadline(g, ctx)))}</div>` +
      // Four columns do not fit a phone: the table scrolls inside the card, the email stays put.
      scrollBox(
        `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin-top:8px;font-family:${FONT};color:${COLORS.ink};">${head}${rows}</table>`,
      ) +
      (license ? `<div style="font-size:12px;line-height:18px;color:${COLORS.muted};margin-top:8px;">${esc(license)}</div>` : '') +
      (source
        ? `<div style="font-size:12px;line-height:18px;margin-top:8px;">${link(source, `The ${g.list} →`, 'font-weight:bold;')}</div>`
        : '') +
      `<div style="font-size:11px;line-height:16px;color:${COLORS.faint};margin-top:8px;">entity.${esc(g.action)} &middot; ${esc(g.list)} &middot; detected ${esc(detectedRange(g.changes))}</div>`,
    { accent: style.color },
  );
}

function detectedRange(changes: readonly Change[]): string {
  const times = changes.map((c) => c.detectedAt).sort();
  const fmt = (iso: string | undefined) => (iso ? iso.replace(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}).*$/, '$1 $2 UTC') : '');
  return times[0] === times[times.length - 1] ? fmt(times[0]) : `${fmt(times[0])} to ${fmt(times[times.length - 1])}`;
}

function groupText(g: EntityGroup, ctx: RenderContext): string {
  const amended = g.action === 'amended';
  const license = sharedLicense(g.changes, ctx);
  const lines = [
    `* ${oneLine(capitalise(groupHeadline(g, ctx)))}`,
    `  ${ACTION_STYLE[g.action].label(g.list)}: ${plural(g.changes.length, 'entity', 'entities')}`,
  ];
  for (const [cc, list] of byCountry(g.changes, ctx)) {
    lines.push('', `  ${countryLabel(cc)}${ctx.interest.has(cc) ? ' *' : ''} (${list.length})`);
    const rows = list.map((c) => {
      const d = entityData(c, ctx);
      const aka = (d.altNames ?? []).filter((x) => x.trim() !== '');
      return [
        `${entityName(c, ctx)}${aka.length ? ` (a.k.a. ${aka.join('; ')})` : ''}`,
        amended ? deltasText(c, ctx) : (d.addresses ?? []).map(formatAddress).filter(Boolean).join(' | ') || '—',
        str(d.federalRegisterNotice) ?? '—',
        amended ? '' : (str(d.startDate) ?? '—'),
        // As the HTML part: the entity's own licence terms when the group does not share one line.
        license === undefined ? ownLicenseText(d) : '',
      ];
    });
    for (const r of rows) {
      lines.push(wrap(`- ${r[0]}`, 76, '    '));
      lines.push(wrap(`${amended ? 'Changed' : 'Address'}: ${r[1]}`, 76, '      '));
      lines.push(wrap(`FR notice: ${r[2]}${amended ? '' : `; start date ${r[3]}`}`, 76, '      '));
      if (r[4]) lines.push(wrap(r[4], 76, '      '));
    }
  }
  if (license) lines.push('', wrap(license, 76, '  '));
  const citations = citationLinks(g.changes, ctx);
  if (citations.length) lines.push('', '  Federal Register notices:', ...citations.map((c) => `    ${c}`));
  const source = g.changes.map((c) => sourceUrl(c, c.url, ctx)).find(Boolean);
  if (source) lines.push(`  The ${g.list}: ${source}`);
  return lines.join('\n');
}
