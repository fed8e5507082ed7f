/**
 * Text normalisation for matching and comparing screening-list rows. These functions
 * never rewrite published values: changes carry the original strings, and the normalised
 * forms only decide whether two rows are the same entry and whether it changed.
 */

/** Windows-1252 characters for bytes 0x80–0x9F, reversed: mojibake often went through cp1252. */
const CP1252_BYTE: Record<string, number> = {
  '\u20AC': 0x80,
  '\u201A': 0x82,
  '\u0192': 0x83,
  '\u201E': 0x84,
  '\u2026': 0x85,
  '\u2020': 0x86,
  '\u2021': 0x87,
  '\u02C6': 0x88,
  '\u2030': 0x89,
  '\u0160': 0x8a,
  '\u2039': 0x8b,
  '\u0152': 0x8c,
  '\u017D': 0x8e,
  '\u2018': 0x91,
  '\u2019': 0x92,
  '\u201C': 0x93,
  '\u201D': 0x94,
  '\u2022': 0x95,
  '\u2013': 0x96,
  '\u2014': 0x97,
  '\u02DC': 0x98,
  '\u2122': 0x99,
  '\u0161': 0x9a,
  '\u203A': 0x9b,
  '\u0153': 0x9c,
  '\u017E': 0x9e,
  '\u0178': 0x9f,
};
const CONT = `[\\u0080-\\u00BF${Object.keys(CP1252_BYTE).join('')}]`;
/** A UTF-8 lead byte followed by its continuation bytes, all read as Latin-1/cp1252 characters. */
const MOJIBAKE = new RegExp(`[\\u00C2-\\u00DF]${CONT}|[\\u00E0-\\u00EF]${CONT}{2}|[\\u00F0-\\u00F4]${CONT}{3}`, 'g');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Undo UTF-8 text that was decoded as Latin-1 or cp1252 (`Â§744.11` → `§744.11`).
 * Only sequences that decode to valid UTF-8 are replaced, so ordinary accented text stays.
 */
export function fixMojibake(text: string): string {
  if (!/[\u00C2-\u00F4]/.test(text)) return text; // fast path: no possible lead byte
  return text.replace(MOJIBAKE, (seq) => {
    const bytes = new Uint8Array(seq.length);
    for (let i = 0; i < seq.length; i++) {
      const ch = seq[i] as string;
      bytes[i] = CP1252_BYTE[ch] ?? ch.charCodeAt(0);
    }
    try {
      return utf8.decode(bytes);
    } catch {
      return seq;
    }
  });
}

/**
 * A published value as comparable text: mojibake repaired, NFKC, whitespace collapsed and
 * trimmed. `null`, `undefined` and `""` all become `null`, since the CSL uses them interchangeably.
 */
export function normText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value : String(value);
  const out = fixMojibake(text).normalize('NFKC').replace(/\s+/gu, ' ').trim();
  return out === '' ? null : out;
}

/** Case-fold: upper then lower handles ß→ss and final sigma, which `toLowerCase` alone does not. */
function caseFold(text: string): string {
  return text.toUpperCase().toLowerCase();
}

/** {@link normText} plus case-folding: for free text whose capitalisation is editorial noise. */
export function normFold(value: unknown): string | null {
  const t = normText(value);
  return t === null ? null : caseFold(t);
}

/** Apostrophes and quotes vanish ("O'Neil" = "ONeil"); other punctuation separates words. */
const QUOTES = /['"`\u00B4\u2018\u2019\u201A\u201B\u201C\u201D\u201E\u201F\u2032\u2033]/gu;
const PUNCT = /[\p{P}\p{S}]/gu;

/**
 * A name as a matching key: {@link normFold}, quotes dropped, every other punctuation or
 * symbol read as a space, spaces collapsed. "Huawei Technologies Co., Ltd." and
 * "HUAWEI TECHNOLOGIES CO LTD" give the same key.
 */
export function normName(value: unknown): string | null {
  const t = normFold(value);
  if (t === null) return null;
  const out = t.replace(QUOTES, '').replace(PUNCT, ' ').replace(/\s+/gu, ' ').trim();
  return out === '' ? null : out;
}

/** An ISO-3166 alpha-2 code, upper-cased; anything else normalised as text. */
export function normCountry(value: unknown): string | null {
  const t = normText(value);
  return t === null ? null : t.toUpperCase();
}

/** True for a two-letter country code (only these go into a change's `countries`). */
export function isIsoCountry(code: string): boolean {
  return /^[A-Z]{2}$/.test(code);
}

/** Why a published date cannot be used as an event time. */
export type DateIssue = 'unparseable' | 'impossible';

/**
 * Check a published `start_date`: a real calendar date (YYYY-MM-DD, optionally with a time)
 * between 1900 and a year after `now`. Upstream typos such as `3033-01-17` are kept as
 * published and flagged `impossible`, never corrected.
 */
export function checkDate(raw: string | null, now: Date): { date?: string; issue?: DateIssue } {
  const text = normText(raw);
  if (text === null) return {};
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+Z?)?$/.exec(text);
  if (!m) return { issue: 'unparseable' };
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  const date = `${y}-${mo}-${d}`;
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) return { issue: 'impossible' };
  const year = Number(y);
  if (year < 1900 || year > now.getUTCFullYear() + 1) return { issue: 'impossible' };
  return { date };
}
