import type { Reference } from './detect.ts';
import { diffPassages, type PassageDiff } from './diff.ts';
import { comparisonKey, comparisonText, displayText } from '../sec/normalise.ts';
import { countriesIn } from '../sec/places.ts';
import { exportTerms, namedProducts } from './passages.ts';

/**
 * A company's standing export-control language, and what an 8-K says beyond it. Pure: no
 * I/O, no clock, no AWS.
 *
 * An 8-K is not a statement of its own: most of what it says about export controls repeats
 * what the company already said. A notes offering's forward-looking-statements paragraph
 * lists "export regulations" and "China" among its risks, an earnings 8-K restates the 10-Q's
 * risk language. Reporting such passages as news is noise, so an 8-K is compared with the
 * company's *standing language*: the passages of its latest 10-K/10-Q (the periodic
 * reference, `detect.ts`) plus those of its earlier 8-Ks, kept as a bounded state item
 * (`passages#<cik>#8-K`, newest first). The comparison is the periodic diff
 * (`diff.ts`/`align.ts`); on top of it:
 *
 * - a passage that aligns with a standing one is news only when its inserted words bring a
 *   fact the standing language does not hold (a date, an amount, a product, a country or an
 *   export-control term, in a sentence about export controls). Re-wording, a longer or
 *   shorter version, a new framing ("Important factors that could cause…") is not news;
 * - a passage that aligns with nothing is news (a genuinely new paragraph);
 * - a cautionary statement (forward-looking statements, "actual results may differ"),
 *   aligned or not, reports no event: it is news only when it names a product, a country
 *   or an export-control term the company never used before. Its dates are document
 *   references ("the fiscal year ended January 26, 2025"), never facts.
 *
 * Known limit: an aligned passage that turns a risk into a fact without a new date, amount,
 * product, country or term ("may require a licence" → "now requires a licence") is taken
 * for a re-wording.
 */

/** Most passages kept in a company's 8-K standing item. */
export const MAX_STANDING_PASSAGES = 150;
/** Byte budget of a company's 8-K standing item (the periodic reference has its own). */
export const MAX_STANDING_BYTES = 150_000;

/** What is new in an 8-K against the standing language. `removed` is always empty: an 8-K restates nothing. */
export interface StandingComparison extends PassageDiff {
  /** Passages judged repeats of the standing language (equal, trivially re-worded or boilerplate). */
  repeated: number;
}

/** Passages of several lists, each wording once (equal comparison keys), first occurrence first. */
function uniqueWordings(lists: ReadonlyArray<readonly string[] | undefined>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const list of lists) {
    for (const p of list ?? []) {
      const key = comparisonKey(p);
      if (key === '' || seen.has(key)) continue;
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}

/**
 * The standing language from a company's references (periodic, 20-F, 8-K), each wording
 * once, in the order given.
 */
export function standingPassages(references: ReadonlyArray<Reference | undefined>): string[] {
  return uniqueWordings(references.map((r) => r?.passages));
}

/**
 * The 8-K standing item after a filing: its passages first (newest language first, so the
 * bounds drop what the company has not repeated for the longest), then the earlier ones it
 * did not repeat, cut to {@link MAX_STANDING_PASSAGES} and {@link MAX_STANDING_BYTES}.
 * `truncated` counts every passage aged out so far.
 */
export function nextStanding(
  previous: Reference | undefined,
  filing: { cik: string; accession: string; form: string; filedAt: string | undefined },
  passages: readonly string[],
  limits: { maxPassages?: number; maxBytes?: number } = {},
): Reference {
  const maxPassages = limits.maxPassages ?? MAX_STANDING_PASSAGES;
  const maxBytes = limits.maxBytes ?? MAX_STANDING_BYTES;
  const all = uniqueWordings([passages.map(displayText), previous?.passages]);
  const kept: string[] = [];
  let bytes = 0;
  for (const p of all) {
    const size = Buffer.byteLength(p, 'utf8') + 4; // quotes and comma in the stored JSON
    if (kept.length >= maxPassages || bytes + size > maxBytes) break;
    kept.push(p);
    bytes += size;
  }
  return {
    cik: filing.cik,
    family: '8-K',
    accession: filing.accession,
    form: filing.form,
    filedAt: filing.filedAt,
    passages: kept,
    truncated: (previous?.truncated ?? 0) + (all.length - kept.length),
  };
}

// ---------------------------------------------------------------------------------------
// Facts
// ---------------------------------------------------------------------------------------

const MONTHS = 'january|february|march|april|may|june|july|august|september|october|november|december';
/** "april 9, 2025" or "april 2025" (comparison text is lower case). */
const DATE_RE = new RegExp(`\\b(${MONTHS})\\s+(?:(\\d{1,2}),?\\s+)?(\\d{4})\\b`, 'g');
/** "$5.5 billion", "$800 million", "15%", "15 percent". */
const AMOUNT_RE = /\$\s?\d[\d,]*(?:\.\d+)?(?:\s+(?:thousand|million|billion|trillion))?|\b\d+(?:\.\d+)?\s?(?:%|percent\b)/g;
/** Labels too common to mark a fact ("restrictions" is in every risk factor). */
const WEAK_TERMS = new Set(['restrictions']);
/** Cautionary language: it announces risks, never events. */
const CAUTIONARY_RE =
  /\bforward looking statements?\b|\bcautionary (?:statements?|notes?|language)\b|\bsafe harbor\b|\bcould cause (?:our |the company's )?actual results\b|\bactual (?:results|events) (?:may|could|might) differ\b/;

/** True for a cautionary (forward-looking-statements) passage. */
export function isCautionary(text: string): boolean {
  return CAUTIONARY_RE.test(comparisonText(text));
}

/** True when a sentence is about export controls: an export-control term (beyond "restrictions") or a named product. */
function aboutExportControls(sentence: string): boolean {
  if (namedProducts(sentence).length > 0) return true;
  for (const label of exportTerms(sentence)) if (!WEAK_TERMS.has(label)) return true;
  return false;
}

/**
 * The facts a text states: products, countries and export-control terms; with `events`,
 * also dates and amounts. A full date also counts as its month (a standing "April 9, 2025"
 * covers a later "in April 2025").
 */
export function factsOf(text: string, options: { events?: boolean; expandDates?: boolean } = {}): Set<string> {
  const out = new Set<string>();
  for (const p of namedProducts(text)) out.add(`product ${p}`);
  for (const c of countriesIn(text)) out.add(`country ${c}`);
  for (const label of exportTerms(text)) if (!WEAK_TERMS.has(label)) out.add(`term ${label}`);
  if (options.events) {
    const s = comparisonText(text);
    for (const m of s.matchAll(DATE_RE)) {
      const [, month, day, year] = m;
      out.add(day ? `date ${month} ${Number(day)}, ${year}` : `date ${month} ${year}`);
      if (day && options.expandDates) out.add(`date ${month} ${year}`);
    }
    for (const m of s.matchAll(AMOUNT_RE)) out.add(`amount ${m[0].replace(/[\s,]+/g, '').replace('percent', '%')}`);
  }
  return out;
}

/**
 * Sentences of a display text with their offsets: a full stop, ? or ! before a capital, or
 * any semicolon (the clauses of a risk list are separate statements).
 */
export function sentences(text: string): Array<{ text: string; start: number; end: number }> {
  const out: Array<{ text: string; start: number; end: number }> = [];
  const boundary = /(?<=[.!?]["')]?)\s+(?=["'(]?[A-Z0-9$])|(?<=;)\s+/g;
  let start = 0;
  for (const m of text.matchAll(boundary)) {
    const end = m.index ?? 0;
    out.push({ text: text.slice(start, end), start, end });
    start = end + m[0].length;
  }
  if (start < text.length) out.push({ text: text.slice(start), start, end: text.length });
  return out;
}

/** Character ranges of `after` that a word diff inserts; undefined when the ops do not spell `after`. */
function insertedRanges(after: string, ops: PassageDiff['changed'][number]['diff']): Array<[number, number]> | undefined {
  const ranges: Array<[number, number]> = [];
  let pos = 0;
  for (const o of ops) {
    if (o.op === 'delete') continue;
    if (o.op === 'insert' && o.text.trim() !== '') ranges.push([pos, pos + o.text.length]);
    pos += o.text.length;
  }
  return pos === after.length ? ranges : undefined;
}

/** Facts of `facts` the standing language lacks. */
function unknown(facts: ReadonlySet<string>, standing: ReadonlySet<string>): string[] {
  return [...facts].filter((f) => !standing.has(f));
}

/**
 * New facts of an aligned (changed) 8-K passage: facts of its sentences that are about export
 * controls and gained inserted words, missing from the standing language.
 */
function newFactsOfChanged(change: PassageDiff['changed'][number], standing: ReadonlySet<string>): string[] {
  const ranges = insertedRanges(change.after, change.diff);
  const touched = sentences(change.after).filter((s) => !ranges || ranges.some(([a, b]) => a < s.end && b > s.start));
  const facts = new Set<string>();
  for (const s of touched) if (aboutExportControls(s.text)) for (const f of factsOf(s.text, { events: true })) facts.add(f);
  return unknown(facts, standing);
}

/**
 * Compare an 8-K's passages with the company's standing language and keep what is news (see
 * the module comment). With no standing language at all every passage is news, as before
 * standing language existed.
 */
export function compareWithStanding(standing: readonly string[], current: readonly string[]): StandingComparison {
  const diff = diffPassages(standing, current, { reportRemoved: false });
  if (standing.length === 0) return { added: diff.added, removed: [], changed: diff.changed, repeated: 0 };
  const known = new Set<string>();
  for (const p of standing) for (const f of factsOf(p, { events: true, expandDates: true })) known.add(f);

  // Cautionary passages: news only for a product, country or term never used before.
  const cautionaryNews = (text: string) => unknown(factsOf(text), known).length > 0;
  const added = diff.added.filter((t) => !isCautionary(t) || cautionaryNews(t));
  const changed = diff.changed.filter((c) => (isCautionary(c.after) ? cautionaryNews(c.after) : newFactsOfChanged(c, known).length > 0));
  const total = diff.added.length + diff.changed.length + diff.unchanged;
  return { added, removed: [], changed, repeated: total - added.length - changed.length };
}
