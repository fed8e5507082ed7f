/**
 * Text normalisation for export-control passages. Pure, no I/O.
 *
 * Two levels:
 * - {@link displayText}: what a reader sees, with typographic noise removed (curly quotes,
 *   dash variants, non-breaking and zero-width spaces, runs of whitespace). Passages are
 *   stored and diffed in this form, so a word diff never shows a quote style as a change.
 * - {@link comparisonKey}: what two paragraphs must share to count as the same text. On top
 *   of the display form it folds case, spelling and naming variants that one company uses
 *   interchangeably (docs/upstreams.md §3: "Country Group D5" / "D:5", licence/license, "U.S.
 *   government" / "USG"), list markers and punctuation. Paragraphs with equal keys are equal:
 *   pure formatting, numbering or page-break differences are never changes.
 */

const SINGLE_QUOTES = /[\u2018\u2019\u201a\u201b\u2032\u0060\u00b4]/g;
const DOUBLE_QUOTES = /[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/g;
const DASHES = /[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]/g;
/** Soft hyphen, zero-width space/joiners, BOM: invisible, and they split words. */
const INVISIBLE = /\u00ad|\u200b|\u200c|\u200d|\u2060|\ufeff/g;
/** Every kind of whitespace, NBSP and the typographic spaces included. */
const SPACES = /[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

/** Collapse whitespace (NBSP and typographic spaces included) to single spaces and trim. */
export function collapseWhitespace(text: string): string {
  return text.replace(INVISIBLE, '').replace(SPACES, ' ').trim();
}

/**
 * The display form: NFKC, straight quotes, ASCII hyphens for every dash, single spaces.
 * Idempotent.
 */
export function displayText(text: string): string {
  return collapseWhitespace(text.normalize('NFKC').replace(SINGLE_QUOTES, "'").replace(DOUBLE_QUOTES, '"').replace(DASHES, '-'));
}

/** A leading list marker: bullet, `(1)`, `1.`, `(a)`, `iv)`. Numbering is layout, not content. */
const LIST_MARKER = /^(?:[\u2022\u25cf\u25aa\u25e6\u00b7\u2023\u2043]\s*|[*-]\s+|\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]\s+)/;

/**
 * Stems whose -ise/-ised/-ises/-ising/-isation(s) forms are British spellings of -ize… words
 * (authorise, organisation, recognise, minimise…). Kept to a list on purpose: "advise",
 * "comprise", "exercise", "franchise", "supervise" or "otherwise" are the same in both.
 */
const BRITISH_ISE =
  /\b(author|organ|recogn|real|minim|maxim|util|priorit|character|jeopard|modern|standard|central|harmon|emphas|apolog|normal|optim|summar|categor|capital|monet|subsid|final|legal|stabil|neutral|penal|special|familiar|maximal|commercial|industrial|digit|custom|synchron|computer|global|local|visual|critic)is(e|ed|es|ing|ation|ations)\b/g;

/**
 * The comparison form (lower case): display form plus the equivalences of docs/upstreams.md §3.
 * Exposed for tests; callers usually want {@link comparisonKey}.
 */
export function comparisonText(text: string): string {
  let s = displayText(text).toLowerCase();
  s = s.replace(LIST_MARKER, '');
  s = s.replace(/&/g, ' and ');
  // British and American spellings: licence/licences/licenced/licencing → license…
  s = s.replace(/\blicenc(e|es|ed|ing)\b/g, 'licens$1');
  // -ise/-isation → -ize/-ization, for stems where the -is- form is only the British spelling
  // (a blanket rule would turn "advise", "comprise" or "premise" into non-words).
  s = s.replace(BRITISH_ISE, (_m, stem: string, end: string) => `${stem}iz${end}`);
  // "the U.S. government", "United States government", "US government", "USG" → "usg".
  s = s.replace(/\b(?:u\.\s?s\.|u\.s|us|united states)\s+government\b/g, 'usg');
  // The defining appositive "the U.S. government, or USG, …" says "usg" once: a later filing
  // that only writes "the USG" says the same.
  s = s.replace(/\busg,? or usg\b/g, 'usg');
  s = s.replace(/\b(?:u\.\s?s\.|u\.s\.a\.)(?=[^a-z]|$)/g, 'us');
  s = s.replace(/\bunited states of america\b|\bunited states\b/g, 'us');
  // Country Group D:5, D5, D-5, "D: 5" → d:5 (also D:1 … D:4).
  s = s.replace(/\bd\s?[:-]?\s?([1-5])\b/g, (m, n: string) => (/^d\s/.test(m) && !/:/.test(m) ? m : `d:${n}`));
  // Hyphenated compounds: "export-control" and "export control" are the same words.
  s = s.replace(/([a-z0-9])-(?=[a-z0-9])/g, '$1 ');
  return s;
}

/** Word tokens of a paragraph (lower case, punctuation dropped; `3a090.a`, `d:5`, `4.5` stay whole). */
export function tokens(text: string): string[] {
  return comparisonText(text).match(/[a-z0-9$%]+(?:[.:,][a-z0-9]+)*/g) ?? [];
}

/** The identity of a paragraph's wording: its tokens joined by single spaces. */
export function comparisonKey(text: string): string {
  return tokens(text).join(' ');
}
