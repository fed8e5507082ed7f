import type { ChangeDraft, Importance } from '#core/change.ts';
import { capDraft, DEFAULT_DRAFT_LIMITS } from '#core/limits.ts';
import { formBase } from '../sec/forms.ts';
import type { PassageDiff, PassageDiffResult } from './diff.ts';
import { displayText } from '../sec/normalise.ts';
import { countriesIn } from '../sec/places.ts';
import { exportTerms, namedProducts } from './passages.ts';

/**
 * From a passage diff to a change draft, and the per-company reference state. Pure: no I/O,
 * no clock, no AWS.
 */

/**
 * Filing families. 10-K/10-Q and 20-F each compare with their own previous filing; an 8-K
 * compares with the company's standing language (`standing.ts`), kept under family `8-K`.
 */
export type Family = 'periodic' | '20-F' | '8-K';

/**
 * The family of a form: 10-K and 10-Q (and transition reports) compare with each other,
 * a 20-F with the previous 20-F, an 8-K with the standing language; other forms are not analysed.
 */
export function familyOf(form: string): Family | undefined {
  const base = formBase(form);
  if (['10-K', '10-Q', '10-KT', '10-QT'].includes(base)) return 'periodic';
  if (base === '20-F') return '20-F';
  if (base === '8-K') return '8-K';
  return undefined;
}

/** Annual reports restate every risk factor; a 10-Q restates only what changed. */
export function isAnnual(form: string): boolean {
  return ['10-K', '10-KT', '20-F'].includes(formBase(form));
}

/** State item key of a company's reference passages for a family. */
export function passagesKey(cik: string, family: Family): string {
  return `passages#${cik}#${family}`;
}

/**
 * What a company's next filing of a family is compared with: the passages in force after
 * its last analysed filing. An annual report replaces them all; a 10-Q replaces what it
 * restates and leaves the rest in force (its risk factors are a delta on the 10-K), so a
 * 10-K after three 10-Qs is compared with everything said since the last 10-K.
 */
export interface Reference {
  cik: string;
  family: Family;
  /** Accession and form of the newest filing folded in. */
  accession: string;
  form: string;
  filedAt: string | undefined;
  /** Passages in display form, newest filing's first. */
  passages: string[];
  /** Passages dropped to keep the item under DynamoDB's 400 KB (oldest carried ones go first). */
  truncated: number;
}

/** Budget for a reference item's passages (UTF-8 bytes), well under DynamoDB's 400 KB item limit. */
export const MAX_REFERENCE_BYTES = 300_000;
/** Budget for a change's `data` (UTF-8 bytes of its JSON); the change item also holds title and summary. */
export const MAX_CHANGE_DATA_BYTES = 250_000;

/** Read a reference back from a state item; undefined when it has another shape. */
export function referenceFromItem(item: Record<string, unknown> | undefined): Reference | undefined {
  if (!item || typeof item.cik !== 'string' || typeof item.accession !== 'string' || !Array.isArray(item.passages)) return undefined;
  const family = item.family === 'periodic' || item.family === '20-F' || item.family === '8-K' ? item.family : undefined;
  if (!family) return undefined;
  return {
    cik: item.cik,
    family,
    accession: item.accession,
    form: typeof item.form === 'string' ? item.form : '',
    filedAt: typeof item.filedAt === 'string' ? item.filedAt : undefined,
    passages: item.passages.filter((p): p is string => typeof p === 'string'),
    truncated: typeof item.truncated === 'number' ? item.truncated : 0,
  };
}

/** Keep passages, in order, within a byte budget; says how many were dropped. */
export function truncatePassages(passages: readonly string[], maxBytes = MAX_REFERENCE_BYTES): { passages: string[]; dropped: number } {
  const kept: string[] = [];
  let bytes = 0;
  for (const p of passages) {
    const size = Buffer.byteLength(p, 'utf8') + 4; // quotes and comma in the stored JSON
    if (bytes + size > maxBytes) break;
    kept.push(p);
    bytes += size;
  }
  return { passages: kept, dropped: passages.length - kept.length };
}

/** The reference after a filing: see {@link Reference}. */
export function nextReference(
  filing: { cik: string; accession: string; form: string; filedAt: string | undefined },
  family: Family,
  current: readonly string[],
  diff: Pick<PassageDiffResult, 'unmatched'> | undefined,
): Reference {
  const carried = isAnnual(filing.form) || !diff ? [] : diff.unmatched;
  const all = [...current.map(displayText), ...carried];
  const { passages, dropped } = truncatePassages(all);
  return { cik: filing.cik, family, accession: filing.accession, form: filing.form, filedAt: filing.filedAt, passages, truncated: dropped };
}

/** A reference as a state item value. */
export function referenceItem(reference: Reference): Record<string, unknown> {
  return { ...reference };
}

// ---------------------------------------------------------------------------------------
// Change drafts
// ---------------------------------------------------------------------------------------

/** The filing a change is about. */
export interface FilingRef {
  /** Unpadded CIK. */
  cik: string;
  /** Change subject: the ticker (or CIK when none). */
  subject: string;
  companyName: string | undefined;
  accession: string;
  form: string;
  url: string | undefined;
  occurredAt: string | undefined;
}

/** Terms that make an added or changed passage high importance. */
const HIGH_TERMS = new Set(['Entity List', 'licence requirement', 'China', 'Hong Kong', 'Macau', 'Country Group D:5', 'named product']);

/** Topic shown in a title, most specific first. */
const TOPICS: ReadonlyArray<[string, string]> = [
  ['licence requirement', 'licence requirement'],
  ['Entity List', 'Entity List'],
  ['AI Diffusion rule', 'AI Diffusion rule'],
  ['foreign direct product rule', 'foreign direct product rule'],
  ['validated end user', 'validated end users'],
  ['Country Group D:5', 'D:5 countries'],
  ['ECCN', 'ECCN controls'],
  ['export controls', 'export controls'],
  ['sanctions', 'sanctions'],
];

/** How telling a passage is for a title: licence requirements and named products first. */
function salience(text: string): number {
  const terms = exportTerms(text);
  let score = 0;
  if (terms.has('licence requirement')) score += 4;
  if (terms.has('Entity List')) score += 4;
  if (terms.has('named product')) score += 3;
  if (terms.has('Country Group D:5')) score += 2;
  if (terms.has('AI Diffusion rule') || terms.has('foreign direct product rule')) score += 2;
  if (terms.has('China')) score += 1;
  return score;
}

/**
 * "H20 licence requirement": the product(s) most of the new passages name, and the topic of
 * the most telling passage (licence requirements and the Entity List first).
 */
export function titleHint(texts: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  const productCounts = new Map<string, number>();
  for (const t of texts) {
    const s = salience(t);
    if (s > bestScore) {
      best = t;
      bestScore = s;
    }
    for (const p of namedProducts(t)) productCounts.set(p, (productCounts.get(p) ?? 0) + 1);
  }
  const top = Math.max(0, ...productCounts.values());
  const products = [...productCounts]
    .filter(([, n]) => n === top && n > 0)
    .slice(0, 2)
    .map(([p]) => p)
    .join('/');
  const topic = best ? TOPICS.find(([label]) => exportTerms(best).has(label))?.[1] : undefined;
  const hint = [products, topic].filter(Boolean).join(' ');
  return hint || undefined;
}

/**
 * A readable company label from EDGAR's conformed name: "NVIDIA CORP" → "NVIDIA",
 * "ADVANCED MICRO DEVICES INC" → "Advanced Micro Devices", "Intel Corp" → "Intel".
 */
export function companyLabel(name: string | undefined, fallback: string): string {
  let n = (name ?? '').trim().replace(/\s*\/[A-Z]{2}\/?$/i, '');
  for (let k = 0; k < 3; k++) {
    n = n
      .replace(/[\s,]+(?:corp(?:oration)?|inc(?:orporated)?|co|company|ltd|limited|plc|n\.?v|s\.?a|ag|se|holdings?|group)\.?$/i, '')
      .trim();
  }
  if (!n) return fallback;
  const words = n.split(/\s+/);
  if (words.length > 1 && n === n.toUpperCase()) {
    return words.map((w) => (w.length <= 3 && !/[aeiou]/i.test(w) ? w : w.charAt(0) + w.slice(1).toLowerCase())).join(' ');
  }
  return n;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function listJoin(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function excerpt(text: string, max = 240): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

/** `data` of an export-language change (the CLI's `--json` prints exactly this). */
export interface ExportLanguageData extends PassageDiff {
  form: string;
  accession: string | null;
  previousAccession: string | null;
  /** Present only when the lists were cut to fit a change item: how many entries were left out. */
  omitted?: { added: number; removed: number; changed: number };
}

/** Cut a change's lists (removed first, then changed, then added, from the end) to fit the budget. */
export function capData(data: ExportLanguageData, maxBytes = MAX_CHANGE_DATA_BYTES): ExportLanguageData {
  const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8') + 1;
  let total = size(data);
  if (total <= maxBytes) return data;
  const out: ExportLanguageData = { ...data, added: [...data.added], removed: [...data.removed], changed: [...data.changed] };
  const omitted = { added: 0, removed: 0, changed: 0 };
  for (const list of ['removed', 'changed', 'added'] as const) {
    const items = out[list] as unknown[];
    while (total > maxBytes && items.length > 0) {
      total -= size(items.pop());
      omitted[list]++;
    }
  }
  return { ...out, omitted };
}

/**
 * The change draft for a filing's export-language diff, or undefined when the diff is
 * empty: no change at all never becomes a change. An 8-K gives kind `export-language.8k`
 * with what is new against the standing language (`previous`: the latest periodic filing
 * in it, if any); periodic reports give `export-language.changed`.
 */
export function exportLanguageChange(
  filing: FilingRef,
  diff: PassageDiff,
  previous: { accession: string; form: string } | undefined,
): ChangeDraft | undefined {
  if (diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0) return undefined;
  const eightK = familyOf(filing.form) === '8-K';
  const company = companyLabel(filing.companyName, filing.subject);
  const newTexts = [...diff.added, ...diff.changed.map((c) => c.after)];

  let title: string;
  // An 8-K's passages are new against the standing language (`standing.ts`): wholly new
  // paragraphs are `added`, standing ones it updates with new facts are `changed`.
  const eightKWhat = diff.changed.length
    ? `${listJoin([diff.added.length ? `${diff.added.length} new` : '', `${diff.changed.length} updated`].filter(Boolean))} export-control paragraph${diff.added.length + diff.changed.length === 1 ? '' : 's'}`
    : plural(diff.added.length, 'export-control paragraph');
  if (eightK) {
    title = `${company} ${filing.form} discloses ${eightKWhat}`;
  } else {
    const verbs = [
      diff.added.length ? `adds ${diff.added.length}` : '',
      diff.changed.length ? `changes ${diff.changed.length}` : '',
      diff.removed.length ? `drops ${diff.removed.length}` : '',
    ].filter(Boolean);
    const total = diff.added.length + diff.changed.length + diff.removed.length;
    title = `${company} ${filing.form} ${listJoin(verbs)} export-control paragraph${total === 1 && verbs.length === 1 ? '' : 's'}`;
  }
  const hint = titleHint(newTexts);
  if (hint) title += ` (${hint})`;

  const counts = [
    diff.added.length ? `${diff.added.length} added` : '',
    diff.changed.length ? `${diff.changed.length} changed` : '',
    diff.removed.length ? `${diff.removed.length} removed` : '',
  ].filter(Boolean);
  let summary = `${company} (${filing.subject}) ${filing.form} ${filing.accession}`;
  summary += eightK
    ? `: ${eightKWhat} in the filing's event items${previous ? `, against the company's standing language (${previous.form} ${previous.accession} and earlier 8-Ks)` : ''}.`
    : `, compared with ${previous ? `${previous.form} ${previous.accession}` : 'the previous filing'}: ${listJoin(counts)} export-control paragraph${counts.length === 1 && diff.added.length + diff.changed.length + diff.removed.length === 1 ? '' : 's'}.`;
  const lead = diff.added[0] ?? diff.changed[0]?.after ?? diff.removed[0];
  if (lead) summary += ` ${diff.added[0] ? 'New' : diff.changed[0] ? 'Changed' : 'Removed'}: "${excerpt(lead)}"`;

  const high = newTexts.some((t) => [...exportTerms(t)].some((label) => HIGH_TERMS.has(label)));
  const importance: Importance = high ? 'high' : 'normal';
  const countries = [...new Set(newTexts.flatMap(countriesIn))].sort();

  const data = capData({
    form: filing.form,
    accession: filing.accession,
    previousAccession: previous?.accession ?? null,
    added: diff.added,
    removed: diff.removed,
    changed: diff.changed,
  });
  // Capped (core/limits.ts): an oversized upstream field must not make the change too big to store.
  return capDraft(
    {
      source: 'sec-export-language',
      kind: eightK ? 'export-language.8k' : 'export-language.changed',
      naturalKey: filing.accession,
      subject: filing.subject,
      title,
      summary,
      url: filing.url,
      importance,
      countries,
      occurredAt: filing.occurredAt,
      // PassageDiff's interfaces have no index signature; the contract (contract.ts ExportLanguageData) is checked on the samples and drafts in test/unit/contracts.test.ts.
      data: data as unknown as Record<string, unknown>,
      // One change per filing: re-analysing it (a lost cursor, an improved extractor) must
      // not alert again, so the version does not depend on the diff's content.
      version: '1',
    },
    { ...DEFAULT_DRAFT_LIMITS, dataBytes: MAX_CHANGE_DATA_BYTES },
  );
}
