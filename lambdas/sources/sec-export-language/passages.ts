import { SourceError } from '#core/errors.ts';
import { comparisonKey, comparisonText } from '../sec/normalise.ts';
import { chooseSections, formBase, type Section, type SectionKind } from './sections.ts';
import { type DocumentInfo, type ExtractStats, extractText, type Paragraph } from '../sec/document-text.ts';

/**
 * Which paragraphs talk about export controls. Pure.
 *
 * A paragraph is an export-control passage when it uses a regulatory term (export
 * controls, a licence requirement, the Entity List, BIS/EAR, the Commerce Department,
 * Country Group D:5, ECCNs, the AI Diffusion rule…), or when it combines two weaker
 * signals: a sensitive destination (China, Hong Kong, Macau, Singapore, Russia) or a named
 * product (H20, A100, H100, MI308…) with another such signal or with restriction language
 * (restrictions, sanctions, diversion, advanced computing). "Diversion of management's
 * attention" alone, or a revenue table naming Singapore, is not enough.
 */

/** A term that makes (or helps make) a paragraph an export-control passage. */
interface Term {
  label: string;
  re: RegExp;
  /** core: enough on its own; place/product/topic: two different groups needed. */
  group: 'core' | 'place' | 'product' | 'topic';
}

/** Products named in export-control rules and disclosures (NVIDIA, AMD, Intel). */
const PRODUCT_RE =
  /\b(h20e?|h800|h100|h200|h20|a100|a800|a30|a40|l20|l40s?|l2|b20|b30a?|b200|gb200|gb300|rtx 4090d?|rtx pro 6000d?|mi308x?|mi309|mi300x?|mi325x?|mi350x?|mi355x?|mi250x?|mi210|gaudi ?[23]?)\b/g;

const TERMS: readonly Term[] = [
  {
    label: 'export controls',
    re: /\bexports? (?:control|controls|controlled|restriction|restrictions|regulation|regulations|rule|rules|requirement|requirements|classification|licens\w*|administration|ban|bans|limit|limits|policy|policies)\b|\bdeemed exports?\b|\b(?:restrict|restriction|restrictions|prohibit|prohibition|prohibitions|ban|bans)\b[^.]{0,60}\bexports?\b/,
    group: 'core',
  },
  { label: 'Entity List', re: /\bentity list\b/, group: 'core' },
  { label: 'BIS', re: /\bbureau of industry and security\b|\bbis\b/, group: 'core' },
  { label: 'EAR', re: /\bexport administration regulations\b|\bear\b/, group: 'core' },
  { label: 'Commerce Department', re: /\bdepartment of commerce\b|\bcommerce department\b/, group: 'core' },
  { label: 'Country Group D:5', re: /\bcountry groups?\b|\bd:[1-5]\b/, group: 'core' },
  { label: 'AI Diffusion rule', re: /\bai diffusion\b|\bdiffusion (?:rule|ifr)\b/, group: 'core' },
  { label: 'ECCN', re: /\beccns?\b|\b[0-9][a-e][0-9]{3}(?:\.[a-z])?\b/, group: 'core' },
  { label: 'foreign direct product rule', re: /\bforeign direct product\b|\bfdpr\b/, group: 'core' },
  { label: 'validated end user', re: /\bvalidated end users?\b|\bveu\b/, group: 'core' },
  { label: 'China', re: /\bchina\b|\bchinese\b|\bprc\b|\bpeople's republic\b/, group: 'place' },
  { label: 'Hong Kong', re: /\bhong kong\b/, group: 'place' },
  { label: 'Macau', re: /\bmaca[uo]\b/, group: 'place' },
  { label: 'Singapore', re: /\bsingapore\b/, group: 'place' },
  { label: 'Russia', re: /\brussia\b|\brussian\b|\bbelarus\b/, group: 'place' },
  { label: 'named product', re: new RegExp(PRODUCT_RE.source), group: 'product' },
  { label: 'restrictions', re: /\brestrict(?:ion|ions|ed|ing|s)?\b|\bprohibit\w*\b|\bban(?:s|ned)?\b/, group: 'topic' },
  { label: 'sanctions', re: /\bsanctions?\b/, group: 'topic' },
  { label: 'diversion', re: /\bdiver(?:sion|t|ted|ting)\b/, group: 'topic' },
  { label: 'advanced computing', re: /\badvanced computing\b|\bsupercomput\w*\b/, group: 'topic' },
  { label: 'national security', re: /\bnational security\b/, group: 'topic' },
];

const LICENCE_RE = /\blicens(?:e|es|ed|ing)\b/;
// "U.S. government" is already "usg" here; plain "government" or "e-commerce" is not context.
const LICENCE_CONTEXT_RE =
  /\bexports?\b|\busg\b|\bdepartment of commerce\b|\bcommerce department\b|\bbis\b|\bchina\b|\bd:[1-5]\b|\bentity list\b/;

/** Labels of the export-control terms in a paragraph (`licence requirement` included). */
export function exportTerms(text: string): Set<string> {
  const s = comparisonText(text);
  const found = new Set<string>();
  for (const t of TERMS) if (t.re.test(s)) found.add(t.label);
  // "licence" alone is ordinary business (software licences); next to export, USG or
  // China it is a licence requirement.
  if (LICENCE_RE.test(s) && LICENCE_CONTEXT_RE.test(s)) found.add('licence requirement');
  return found;
}

const GROUP_OF = new Map(TERMS.map((t) => [t.label, t.group] as const));

/** True when a paragraph is about export controls (see the module comment). */
export function isExportPassage(text: string): boolean {
  if (text.length < 60) return false; // headings and fragments, not statements
  const terms = exportTerms(text);
  if (terms.has('licence requirement')) return true;
  const groups = new Set<string>();
  for (const label of terms) groups.add(GROUP_OF.get(label) ?? 'core');
  if (groups.has('core')) return true;
  // "Restrictions" next to a place is too common (lockdowns, data localisation, gaming
  // rules): with a place it takes a stronger topic; with a named product it is enough.
  const strongTopic = [...terms].some((label) => GROUP_OF.get(label) === 'topic' && label !== 'restrictions');
  if (groups.has('product')) return groups.has('place') || groups.has('topic');
  return groups.has('place') && strongTopic;
}

/** Named products in a paragraph, as printed upper case (`H20`, `MI308`), first mention first. */
export function namedProducts(text: string): string[] {
  const out: string[] = [];
  for (const m of comparisonText(text).matchAll(PRODUCT_RE)) {
    const name = (m[1] as string).toUpperCase();
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** A passage with where it was found. */
export interface Passage {
  /** Display form (see `sec/normalise.ts`). */
  text: string;
  section: SectionKind | 'document';
}

/** Everything the export-language analysis needs from one filing document. */
export interface FilingAnalysis {
  /** The form the caller gave, else the document's `dei:DocumentType`. */
  form: string | undefined;
  info: DocumentInfo;
  paragraphs: number;
  sections: Array<Pick<Section, 'item' | 'part' | 'title' | 'kind' | 'heading' | 'bodyChars'>>;
  wholeDocument: boolean;
  /** Export-control passages in document order, each wording once. */
  passages: Passage[];
  stats: ExtractStats;
}

/** Export passages of already-extracted paragraphs (for tests and re-use). */
export function passagesOf(
  paragraphs: readonly Paragraph[],
  form: string | undefined,
): Pick<FilingAnalysis, 'sections' | 'wholeDocument' | 'passages'> {
  const choice = chooseSections(paragraphs, form);
  const seen = new Set<string>();
  const passages: Passage[] = [];
  for (const s of choice.sections) {
    for (let i = s.start; i < s.end; i++) {
      const p = paragraphs[i] as Paragraph;
      // Figures are not language: table rows count only when they are prose (see sec/document-text.ts).
      if (p.kind !== 'text' || !isExportPassage(p.text)) continue;
      // The same wording in risk factors and MD&A is one passage.
      const key = comparisonKey(p.text);
      if (seen.has(key)) continue;
      seen.add(key);
      passages.push({ text: p.text, section: choice.wholeDocument ? 'document' : s.kind });
    }
  }
  return {
    sections: choice.wholeDocument
      ? []
      : choice.sections.map(({ item, part, title, kind, heading, bodyChars }) => ({ item, part, title, kind, heading, bodyChars })),
    wholeDocument: choice.wholeDocument,
    passages,
  };
}

/**
 * Analyse a filing's primary document: paragraphs, sections, export-control passages.
 * `form` (from the `filing.new` change) wins over the document's own `dei:DocumentType`.
 */
export function analyseFiling(input: string | Uint8Array, options: { form?: string | undefined } = {}): FilingAnalysis {
  const extracted = extractText(input);
  const form = options.form ?? extracted.info.documentType;
  const found = passagesOf(extracted.paragraphs, formBase(form) === undefined ? undefined : form);
  return { form, info: extracted.info, paragraphs: extracted.paragraphs.length, ...found, stats: extracted.stats };
}

/** True when a body looks like an HTML document at all (the first 4 KB hold a tag we know). */
function looksLikeHtml(body: Uint8Array): boolean {
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 4096)).toString('latin1');
  return /<(?:!doctype\s+html|html|body|head|div|p|table|document|span|font)\b/i.test(head);
}

/**
 * Analyse a fetched primary document; a body that is not a readable HTML document is a
 * `parse` error naming the filing.
 */
export function analyseDocument(body: Uint8Array, form: string | undefined, where: string): FilingAnalysis {
  if (!looksLikeHtml(body)) throw new SourceError('parse', `${where}: not an HTML document`);
  let analysis: FilingAnalysis;
  try {
    analysis = analyseFiling(body, { form });
  } catch (err) {
    throw new SourceError('parse', `${where}: cannot read the document (${(err as Error).message})`, { cause: err });
  }
  // Every real filing has dozens of paragraphs (even an 8-K's cover page).
  if (analysis.paragraphs < 5) throw new SourceError('parse', `${where}: no readable text (${analysis.paragraphs} paragraph(s))`);
  return analysis;
}
