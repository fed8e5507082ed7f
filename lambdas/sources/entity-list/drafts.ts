import type { ChangeDraft, Importance } from '#core/change.ts';
import { capDraft } from '#core/limits.ts';
import type { EntityEvent, FieldChange } from './diff.ts';
import { ENTITY_LIST, listShortName } from './lists.ts';
import { checkDate, isIsoCountry, normFold, normName, normText } from './normalise.ts';
import type { EntityAmendedData, EntityListingData } from './contract.ts';
import type { CslAddress, EntityRecord } from './parse.ts';

/**
 * Change drafts for list events: pure formatting. Titles and summaries use the published
 * values (trimmed for display); the data block keeps them exactly as published.
 */

const FIELD_LABELS: Record<FieldChange['field'], string> = {
  altNames: 'alternate names',
  addresses: 'addresses',
  federalRegisterNotice: 'Federal Register notice',
  startDate: 'start date',
  licenseRequirement: 'license requirement',
  licensePolicy: 'license policy',
  countries: 'countries',
};

const MAX_LISTED = 3;

/** An address on one line: its non-empty parts joined by commas. */
export function formatAddress(a: CslAddress): string {
  return [a.address, a.city, a.state, a.postal_code, a.country]
    .map((p) => normText(p))
    .filter((p): p is string => p !== null)
    .join(', ');
}

/** Up to three quoted values and "and N more"; `omitted` counts values the entry no longer holds (cut by the parse caps). */
function quoteList(values: string[], omitted = 0): string {
  const shown = values.slice(0, MAX_LISTED).map((v) => `“${v}”`);
  const more = Math.max(0, values.length - MAX_LISTED) + omitted;
  if (more > 0) shown.push(`and ${more} more`);
  return shown.join('; ');
}

/** Plain-text description of one field change: array members added/removed, scalars before → after. */
export function describeFieldChange(c: FieldChange): string {
  const label = FIELD_LABELS[c.field];
  if (Array.isArray(c.before) || Array.isArray(c.after)) {
    const isAddr = c.field === 'addresses';
    const show = (v: unknown) => (isAddr ? formatAddress(v as CslAddress) : (normText(v) ?? ''));
    const norm = (v: unknown) =>
      isAddr ? (normFold(formatAddress(v as CslAddress)) ?? '') : c.field === 'altNames' ? (normName(v) ?? '') : (normText(v) ?? '');
    const before = (c.before as unknown[] | null) ?? [];
    const after = (c.after as unknown[] | null) ?? [];
    const beforeKeys = new Set(before.map(norm));
    const afterKeys = new Set(after.map(norm));
    const added = after
      .filter((v) => !beforeKeys.has(norm(v)))
      .map(show)
      .filter((s) => s !== '');
    const removed = before
      .filter((v) => !afterKeys.has(norm(v)))
      .map(show)
      .filter((s) => s !== '');
    const parts: string[] = [];
    if (added.length) parts.push(`added ${quoteList(added)}`);
    if (removed.length) parts.push(`removed ${quoteList(removed)}`);
    return `${label}: ${parts.length ? parts.join('; ') : 'changed'}`;
  }
  return `${label}: “${normText(c.before) ?? '(none)'}” → “${normText(c.after) ?? '(none)'}”`;
}

function displayName(e: EntityRecord): string {
  return normText(e.name) ?? e.name;
}

function countriesText(e: EntityRecord): string {
  return e.countries.length ? ` (${e.countries.join(', ')})` : '';
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function listingFacts(e: EntityRecord, now: Date): string {
  const date = checkDate(e.startDate, now);
  const start = normText(e.startDate);
  const startText = start === null ? 'not given' : date.issue ? `${start} (as published; not a valid date)` : start;
  const facts = [`Federal Register notice: ${normText(e.federalRegisterNotice) ?? 'not given'}; start date: ${startText}.`];
  const req = normText(e.licenseRequirement);
  if (req) facts.push(`License requirement: ${sentence(req)}`);
  const policy = normText(e.licensePolicy);
  if (policy) facts.push(`License policy: ${sentence(policy)}`);
  return facts.join(' ');
}

function changeData(e: EntityRecord, now: Date, changes?: FieldChange[]): EntityListingData | EntityAmendedData {
  const issue = checkDate(e.startDate, now).issue;
  return {
    list: e.list,
    name: e.name,
    altNames: e.altNames,
    countries: e.countries,
    // CslAddress is an interface (no index signature): the same objects, typed as the contract's loose address.
    addresses: e.addresses as EntityListingData['addresses'],
    federalRegisterNotice: e.federalRegisterNotice,
    startDate: e.startDate,
    licenseRequirement: e.licenseRequirement,
    licensePolicy: e.licensePolicy,
    // Items cut by the parse caps (parse.ts ENTRY_LIMITS): the change says how many more were published.
    ...(e.addressesOmitted ? { addressesOmitted: e.addressesOmitted } : {}),
    ...(e.altNamesOmitted ? { altNamesOmitted: e.altNamesOmitted } : {}),
    ...(issue ? { startDateIssue: issue } : {}),
    ...(changes ? { changes } : {}),
  };
}

/**
 * The change draft of one event. `naturalKey` is the list key; `version` carries the kind
 * and content hash(es), because the change id is (source, key, version): an addition and a
 * later removal of the same content must not share an id, and each amendment is new.
 */
export function toChangeDraft(event: EntityEvent, now: Date): ChangeDraft {
  // Entries are capped at parse; the draft is capped again as a whole (core/limits.ts), so no
  // entry, however large as published, makes a change too big to store.
  return capDraft(entityDraft(event, now));
}

function entityDraft(event: EntityEvent, now: Date): ChangeDraft {
  const e = event.entry;
  const short = listShortName(e.list);
  const name = displayName(e);
  const cc = countriesText(e);
  const countries = e.countries.filter(isIsoCountry);
  const url = e.url ?? undefined;
  const h = (x: EntityRecord) => x.hash.slice(0, 16);
  const base = { source: 'entity-list' as const, naturalKey: e.key, subject: short, countries, ...(url ? { url } : {}) };
  if (event.kind === 'added') {
    const aka = e.altNames.map((a) => normText(a)).filter((a): a is string => a !== null);
    const addresses = e.addresses.map(formatAddress).filter((a) => a !== '');
    const extra = [
      aka.length ? `Also known as ${quoteList(aka, e.altNamesOmitted)}.` : '',
      addresses.length ? `Address: ${quoteList(addresses, e.addressesOmitted)}.` : '',
    ].filter(Boolean);
    const date = checkDate(e.startDate, now).date;
    const importance: Importance = e.list === ENTITY_LIST ? 'high' : 'normal';
    return {
      ...base,
      kind: 'entity.added',
      version: `added:${h(e)}`,
      title: `${short}: added ${name}${cc}`,
      summary: [`${name}${cc} was added to the ${short}.`, listingFacts(e, now), ...extra].join(' '),
      importance,
      ...(date ? { occurredAt: date } : {}),
      data: changeData(e, now),
    };
  }
  if (event.kind === 'removed') {
    return {
      ...base,
      kind: 'entity.removed',
      version: `removed:${h(e)}`,
      title: `${short}: removed ${name}${cc}`,
      summary: `${name}${cc} no longer appears on the ${short}. Last listing: ${listingFacts(e, now)}`,
      importance: 'normal',
      data: changeData(e, now),
    };
  }
  const startChanged = event.changes.some((c) => c.field === 'startDate');
  const date = startChanged ? checkDate(e.startDate, now).date : undefined;
  return {
    ...base,
    kind: 'entity.amended',
    version: `amended:${h(event.before)}>${h(e)}`,
    title: `${short}: amended ${name}${cc}`,
    summary: [
      `The ${short} entry for ${name}${cc} was amended. Changed ${event.changes.map(describeFieldChange).join('. ')}.`,
      listingFacts(e, now),
    ].join(' '),
    importance: 'normal',
    ...(date ? { occurredAt: date } : {}),
    data: changeData(e, now, event.changes),
  };
}
