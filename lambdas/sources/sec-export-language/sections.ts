import { formBase as baseOfForm } from '../sec/forms.ts';
import type { Paragraph } from '../sec/document-text.ts';

/**
 * Section detection in a filing's paragraphs. Pure.
 *
 * "Item 1A" occurs many times in a filing (nine times in NVIDIA's Q2 FY2026 10-Q): in the
 * table of contents, in cross-references ("…described under Item 1A of our Annual Report…")
 * and once as the real heading. A heading here is a short paragraph that is *only* an item
 * label and a title-cased title ("ITEM 1A. RISK FACTORS", "Item 8.01 Other Events.",
 * "Item 2. Management's Discussion and Analysis… 24" in a contents row); cross-references
 * fail that test because they continue in running lower-case prose. Each heading's body
 * runs to the next heading, and where an item still has several headings (the contents
 * entry and the real one) the one followed by the longest body text wins: a contents row is
 * followed by other contents rows, the real heading by pages of text.
 */

/** What a section is, for choosing where export-control language lives. */
export type SectionKind = 'risk-factors' | 'mdna' | 'event' | 'other';

/** One detected section. */
export interface Section {
  /** Item code as printed: `1A`, `7`, `8.01`. */
  item: string;
  /** Part (`I`, `II`, …) the heading sits in, when the document has parts. */
  part: string | undefined;
  title: string;
  kind: SectionKind;
  /** Index of the heading paragraph. */
  heading: number;
  /** Body paragraphs: `[start, end)`. */
  start: number;
  end: number;
  /** Characters of running text in the body (table rows not counted). */
  bodyChars: number;
}

/** An item heading parsed from one paragraph. */
export interface ItemHeading {
  part: string | undefined;
  item: string;
  /** Title after the item label, page number removed; '' when the title is a separate paragraph. */
  title: string;
}

/** Longest paragraph still taken for a heading (the longest real titles are ~100 characters). */
const MAX_HEADING_CHARS = 160;
const ITEM_HEADING = /^(?:part\s+(iv|i{1,3})\s*[,.:;-]?\s*)?item\s+(\d{1,2}(?:\.\d{2})?[a-d]?)(?!\w)\s*[.:-]?\s*(.*)$/i;
const PART_HEADING = /^part\s+(iv|i{1,3})\b\s*[,.:;-]?\s*(.*)$/i;
/** Words a title may have in lower case; any other lower-case word means running prose. */
const SMALL_WORDS = new Set([
  'a',
  'an',
  'and',
  'as',
  'at',
  'by',
  'for',
  'from',
  'in',
  'into',
  'of',
  'on',
  'or',
  'the',
  'to',
  'with',
  'about',
  'under',
  'upon',
  'not',
  'that',
  'than',
  'its',
  'per',
  'vs',
  'vs.',
]);

/**
 * True when `text` reads as a title: empty, or starting with a capital (or a quote or
 * bracket) with at most one lower-case word beyond the small words of titles.
 */
export function isTitleLike(text: string): boolean {
  if (text === '') return true;
  if (!/^["'([]?[A-Z0-9[]/.test(text)) return false;
  let lower = 0;
  for (const word of text.split(/\s+/)) {
    const w = word.replace(/^["'([]+|["'),.:;\]]+$/g, '');
    if (/^[a-z]/.test(w) && !SMALL_WORDS.has(w)) lower++;
    if (lower > 1) return false;
  }
  return true;
}

/** Parse an item heading ("Item 1A. Risk Factors", "PART II - ITEM 1A.", "Item 8.01 Other Events."). */
export function parseItemHeading(text: string): ItemHeading | undefined {
  if (text.length > MAX_HEADING_CHARS) return undefined;
  const m = ITEM_HEADING.exec(text);
  if (!m) return undefined;
  const title = cleanTitle(m[3] ?? '');
  if (!isTitleLike(title)) return undefined;
  return { part: m[1]?.toUpperCase(), item: (m[2] as string).toUpperCase(), title };
}

/** Parse a part heading ("PART II", "Part I : Financial Information"); the roman numeral, upper case. */
export function parsePartHeading(text: string): string | undefined {
  if (text.length > 80) return undefined;
  const m = PART_HEADING.exec(text);
  if (!m) return undefined;
  const rest = cleanTitle(m[2] ?? '');
  if (/^item\b/i.test(rest) || !isTitleLike(rest)) return undefined;
  return (m[1] as string).toUpperCase();
}

/** Drop a trailing contents page number and surrounding quotes. */
function cleanTitle(raw: string): string {
  return raw
    .replace(/\s+\d{1,3}$/, '')
    .replace(/^["']+|["']+$/g, '')
    .trim();
}

/** Classify a heading: risk factors, MD&A, an 8-K event item, or other. */
export function sectionKind(h: { item: string; part: string | undefined; title: string }, form?: string): SectionKind {
  const base = formBase(form);
  if (/^\d\.\d{2}$/.test(h.item)) return 'event';
  // A 20-F's risk factors are part D of Item 3 "Key Information"; Item 5 is its MD&A.
  if (base === '20-F' && h.item === '3') return 'risk-factors';
  if (base === '20-F' && h.item === '5') return 'mdna';
  if (/risk factors/i.test(h.title)) return 'risk-factors';
  if (/management'?s discussion|operating and financial review/i.test(h.title)) return 'mdna';
  if (h.title !== '') return 'other';
  // No title printed: fall back on the standard item numbers of the form.
  if (h.item === '1A') return 'risk-factors';
  if (base === '10-K' && h.item === '7') return 'mdna';
  if (base === '10-Q' && h.item === '2' && h.part !== 'II') return 'mdna';
  return 'other';
}

/** `10-K/A` → `10-K`; undefined stays undefined. */
export function formBase(form: string | undefined): string | undefined {
  return form === undefined ? undefined : baseOfForm(form);
}

/**
 * Every heading occurrence with its body (to the next item or part heading), in document
 * order. A bare "Item 1A." whose title is the next short paragraph takes that title.
 */
export function findSections(paragraphs: readonly Paragraph[], form?: string): Section[] {
  const headings: Array<{ index: number; bodyStart: number; heading: ItemHeading | undefined }> = [];
  let part: string | undefined;
  for (let i = 0; i < paragraphs.length; i++) {
    const text = (paragraphs[i] as Paragraph).text;
    const item = parseItemHeading(text);
    if (item) {
      if (item.part) part = item.part;
      let bodyStart = i + 1;
      if (item.title === '') {
        const next = paragraphs[i + 1]?.text ?? '';
        if (next.length <= 120 && /^["']?[A-Z]/.test(next) && isTitleLike(next) && !parseItemHeading(next) && !parsePartHeading(next)) {
          item.title = cleanTitle(next);
          bodyStart = i + 2;
        }
      }
      headings.push({ index: i, bodyStart, heading: { ...item, part: item.part ?? part } });
      continue;
    }
    const p = parsePartHeading(text);
    if (p) {
      part = p;
      headings.push({ index: i, bodyStart: i + 1, heading: undefined });
    }
  }
  const sections: Section[] = [];
  headings.forEach((h, n) => {
    if (!h.heading) return;
    const end = headings[n + 1]?.index ?? paragraphs.length;
    let bodyChars = 0;
    for (let i = h.bodyStart; i < end; i++) {
      const p = paragraphs[i] as Paragraph;
      if (p.kind === 'text') bodyChars += p.text.length;
    }
    sections.push({
      item: h.heading.item,
      part: h.heading.part,
      title: h.heading.title,
      kind: sectionKind(h.heading, form),
      heading: h.index,
      start: h.bodyStart,
      end,
      bodyChars,
    });
  });
  return sections;
}

/** 8-K items where export-control news lands (docs/upstreams.md §3). */
export const EXPORT_EVENT_ITEMS: readonly string[] = ['1.01', '2.02', '7.01', '8.01'];

/** The sections to read for export-control language, and whether the whole document was used instead. */
export interface SectionChoice {
  sections: Section[];
  /** True when no wanted section was found and the whole document stands in for them. */
  wholeDocument: boolean;
}

/**
 * Choose the sections export-control language is read from: risk factors and MD&A for
 * periodic reports, the event items (1.01, 2.02, 7.01, 8.01) for an 8-K. For each wanted
 * section the occurrence followed by the longest body wins (the real heading, not the
 * contents entry). When none is found the whole document is used, so an unusually laid-out
 * filing still yields its passages.
 */
export function chooseSections(paragraphs: readonly Paragraph[], form?: string): SectionChoice {
  const all = findSections(paragraphs, form);
  const base = formBase(form);
  const wanted = (s: Section): string | undefined => {
    if (s.kind === 'event')
      return base === undefined || base === '8-K' || base === '6-K'
        ? EXPORT_EVENT_ITEMS.includes(s.item)
          ? `event:${s.item}`
          : undefined
        : undefined;
    if (s.kind === 'risk-factors' || s.kind === 'mdna') return base === '8-K' ? undefined : s.kind;
    return undefined;
  };
  const best = new Map<string, Section>();
  for (const s of all) {
    const key = wanted(s);
    if (!key) continue;
    const current = best.get(key);
    if (!current || s.bodyChars > current.bodyChars) best.set(key, s);
  }
  const sections = [...best.values()].filter((s) => s.bodyChars > 0).sort((a, b) => a.heading - b.heading);
  if (sections.length > 0) return { sections, wholeDocument: false };
  return {
    sections: [
      { item: '', part: undefined, title: 'whole document', kind: 'other', heading: -1, start: 0, end: paragraphs.length, bodyChars: 0 },
    ],
    wholeDocument: true,
  };
}
