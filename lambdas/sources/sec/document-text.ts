import { TextDecoder } from 'node:util';
import { Parser } from 'htmlparser2';
import { displayText } from './normalise.ts';

/**
 * Streaming HTML → paragraphs for SEC filing documents. Pure: no I/O, no AWS.
 *
 * Filings are 1–3 MB of (inline XBRL) HTML, not always well-formed XML (NVIDIA's FY2023
 * 10-K is not), so htmlparser2 runs in HTML mode and no DOM is built: text is collected
 * into paragraphs as the tags stream by, and memory stays proportional to the text.
 *
 * - Block elements (`div`, `p`, `li`, headings, `br`) end a paragraph; inline elements and
 *   every `ix:` tag are transparent, so tagged facts read as the sentence they sit in.
 * - Hidden content is skipped: `display:none` subtrees (where iXBRL keeps `ix:header`),
 *   `ix:header` itself, `head`, `script`, `style`.
 * - Table rows are flattened to one paragraph each (cells joined by spaces), kind `table`,
 *   unless a row is plainly prose (a bullet list laid out as a table), which is kind `text`.
 *   A cell that grows into running prose (old filings wrap the whole body in one layout
 *   cell) is split at its block boundaries like ordinary text.
 * - Page furniture is dropped before paragraphs are joined: page numbers, "Table of
 *   Contents" back-links and running headers/footers next to page breaks; a paragraph that
 *   a page break cut in two is joined again. Tag stripping that glued a page number into
 *   the text ("including China.35On April 9") cannot happen here.
 * - A few `dei:` facts (document type, registrant, ticker) are captured even though they
 *   usually sit in the hidden header: the CLI uses them to know what it is comparing.
 */

/** Where a paragraph came from. */
export type ParagraphKind = 'text' | 'table';

/** One readable paragraph, in display form (see `normalise.ts`). */
export interface Paragraph {
  text: string;
  kind: ParagraphKind;
}

/** `dei:` cover facts found in the document. */
export interface DocumentInfo {
  documentType?: string | undefined;
  registrantName?: string | undefined;
  tradingSymbol?: string | undefined;
  cik?: string | undefined;
  periodEnd?: string | undefined;
}

/** Counters, for logs and the benchmark. */
export interface ExtractStats {
  elements: number;
  /** Paragraphs before page furniture was removed. */
  rawParagraphs: number;
  pageBreaks: number;
  furnitureDropped: number;
  /** Paragraphs re-joined across a page break. */
  pageJoins: number;
}

/** What {@link extractText} returns. */
export interface ExtractedText {
  paragraphs: Paragraph[];
  info: DocumentInfo;
  stats: ExtractStats;
}

const BLOCK_TAGS = new Set([
  'p',
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'li',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'blockquote',
  'pre',
  'section',
  'article',
  'header',
  'footer',
  'center',
  'address',
  'body',
  'html',
  'form',
  'fieldset',
  'figure',
  'figcaption',
  'main',
  'nav',
  'aside',
  'caption',
  'page',
]);
const HIDDEN_TAGS = new Set(['head', 'script', 'style', 'title', 'noscript', 'template', 'ix:header', 'svg', 'xml', 'object']);
const HIDDEN_STYLE = /display\s*:\s*none/i;
const BREAK_BEFORE_STYLE = /page-break-before\s*:\s*always|break-before\s*:\s*page/i;
const BREAK_AFTER_STYLE = /page-break-after\s*:\s*always|break-after\s*:\s*page/i;

const DEI_FIELDS: Record<string, keyof DocumentInfo> = {
  'dei:documenttype': 'documentType',
  'dei:entityregistrantname': 'registrantName',
  'dei:tradingsymbol': 'tradingSymbol',
  'dei:entitycentralindexkey': 'cik',
  'dei:documentperiodenddate': 'periodEnd',
};

/** A cell longer than this that meets a block boundary is running prose, not a table cell. */
const LAYOUT_CELL_CHARS = 400;

// Frame flags pushed for every open element and popped on its close (htmlparser2 emits one
// close per open, implied closes included), so closing never compares tag names.
const F_HIDDEN = 1;
const F_BLOCK = 2;
const F_TABLE = 4;
const F_ROW = 8;
const F_CELL = 16;
const F_BREAK_AFTER = 32;
const F_DEI = 64;

/** Marker for a page break in the raw paragraph stream. */
const BREAK = 0;
type RawItem = Paragraph | typeof BREAK;

interface TableFrame {
  cells: string[];
  cell: string[] | undefined;
}

/**
 * The incremental extractor behind {@link extractText}: `write` chunks (strings or bytes)
 * as they arrive, then `end`. Bytes are decoded as UTF-8 unless the document declares a
 * single-byte charset (ISO-8859-1 / Windows-1252, as some older filings do).
 */
export class ParagraphExtractor {
  private readonly parser: Parser;
  private decoder: TextDecoder | undefined;
  private readonly frames: number[] = [];
  private hiddenDepth = 0;
  private para: string[] = [];
  private readonly tables: TableFrame[] = [];
  private readonly items: RawItem[] = [];
  private readonly info: DocumentInfo = {};
  private readonly deiCaptures: Array<{ field: keyof DocumentInfo; text: string[] }> = [];
  private readonly stats: ExtractStats = { elements: 0, rawParagraphs: 0, pageBreaks: 0, furnitureDropped: 0, pageJoins: 0 };
  private ended = false;

  constructor() {
    this.parser = new Parser(
      {
        onopentag: (name, attribs) => this.open(name, attribs),
        onclosetag: () => this.close(),
        ontext: (text) => this.text(text),
      },
      { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
    );
  }

  /** Feed a chunk of the document. */
  write(chunk: string | Uint8Array): void {
    if (typeof chunk === 'string') {
      this.parser.write(chunk);
      return;
    }
    this.decoder ??= new TextDecoder(sniffSingleByteCharset(chunk) ? 'windows-1252' : 'utf-8');
    this.parser.write(this.decoder.decode(chunk, { stream: true }));
  }

  /** Finish: flush the parser and return the cleaned paragraphs. */
  end(): ExtractedText {
    if (!this.ended) {
      if (this.decoder) this.parser.write(this.decoder.decode());
      this.parser.end();
      this.flushTables();
      this.flush();
      this.ended = true;
    }
    const paragraphs = cleanParagraphs(this.items, this.stats);
    return { paragraphs, info: { ...this.info }, stats: { ...this.stats } };
  }

  private open(name: string, attribs: Record<string, string>): void {
    this.stats.elements++;
    let flags = 0;
    const style = attribs.style;
    if (this.hiddenDepth > 0 || HIDDEN_TAGS.has(name) || (style !== undefined && HIDDEN_STYLE.test(style)) || 'hidden' in attribs) {
      flags |= F_HIDDEN;
      this.hiddenDepth++;
    }
    if (name === 'ix:nonnumeric') {
      const field = DEI_FIELDS[(attribs.name ?? '').toLowerCase()];
      if (field && this.info[field] === undefined) {
        flags |= F_DEI;
        this.deiCaptures.push({ field, text: [] });
      }
    }
    if (!(flags & F_HIDDEN)) {
      if (style !== undefined && BREAK_BEFORE_STYLE.test(style)) this.pageBreak();
      if (style !== undefined && BREAK_AFTER_STYLE.test(style)) flags |= F_BREAK_AFTER;
      if (name === 'hr') {
        this.pageBreak();
      } else if (name === 'br') {
        this.blockBoundary();
      } else if (name === 'table') {
        if (this.tables.length === 0) this.flush();
        else this.blockBoundary();
        this.tables.push({ cells: [], cell: undefined });
        flags |= F_TABLE;
      } else if (name === 'tr' && this.tables.length > 0) {
        const table = this.tables[this.tables.length - 1] as TableFrame;
        this.endRow(table);
        flags |= F_ROW;
      } else if ((name === 'td' || name === 'th') && this.tables.length > 0) {
        const table = this.tables[this.tables.length - 1] as TableFrame;
        this.endCell(table);
        table.cell = [];
        flags |= F_CELL;
      } else if (BLOCK_TAGS.has(name)) {
        this.blockBoundary();
        flags |= F_BLOCK;
      }
    }
    this.frames.push(flags);
  }

  private close(): void {
    const flags = this.frames.pop() ?? 0;
    if (flags & F_DEI) {
      const capture = this.deiCaptures.pop();
      if (capture) {
        const value = displayText(capture.text.join(''));
        if (value && this.info[capture.field] === undefined) this.info[capture.field] = value;
      }
    }
    if (flags & F_HIDDEN) {
      this.hiddenDepth--;
      return;
    }
    if (flags & F_CELL) {
      const table = this.tables[this.tables.length - 1];
      if (table) this.endCell(table);
    } else if (flags & F_ROW) {
      const table = this.tables[this.tables.length - 1];
      if (table) this.endRow(table);
    } else if (flags & F_TABLE) {
      const table = this.tables.pop();
      if (table) {
        this.endRow(table);
        if (this.tables.length > 0) this.blockBoundary();
      }
    } else if (flags & F_BLOCK) {
      this.blockBoundary();
    }
    if (flags & F_BREAK_AFTER) this.pageBreak();
  }

  private text(text: string): void {
    for (const capture of this.deiCaptures) capture.text.push(text);
    if (this.hiddenDepth > 0) return;
    const table = this.tables[this.tables.length - 1];
    if (table) {
      table.cell ??= [];
      table.cell.push(text);
    } else {
      this.para.push(text);
    }
  }

  /** A block boundary: ends the paragraph, or inside a table separates words (or splits a layout cell). */
  private blockBoundary(): void {
    const table = this.tables[this.tables.length - 1];
    if (!table) {
      this.flush();
      return;
    }
    if (!table.cell) return;
    const length = table.cell.reduce((n, s) => n + s.length, 0);
    if (length > LAYOUT_CELL_CHARS) {
      // Running prose inside a layout cell: emit what the row holds so far as text.
      const text = displayText([...table.cells, table.cell.join('')].join(' '));
      if (text) this.push({ text, kind: 'text' });
      table.cells = [];
      table.cell = [];
    } else {
      table.cell.push(' ');
    }
  }

  private endCell(table: TableFrame): void {
    if (!table.cell) return;
    const text = displayText(table.cell.join(''));
    if (text) table.cells.push(text);
    table.cell = undefined;
  }

  private endRow(table: TableFrame): void {
    this.endCell(table);
    if (table.cells.length === 0) return;
    const text = table.cells.join(' ');
    this.push({ text, kind: isProseRow(table.cells) ? 'text' : 'table' });
    table.cells = [];
  }

  private flushTables(): void {
    while (this.tables.length > 0) this.endRow(this.tables.pop() as TableFrame);
  }

  private flush(): void {
    if (this.para.length === 0) return;
    const text = displayText(this.para.join(''));
    this.para = [];
    if (text) this.push({ text, kind: 'text' });
  }

  private push(p: Paragraph): void {
    this.stats.rawParagraphs++;
    this.items.push(p);
  }

  private pageBreak(): void {
    if (this.tables.length === 0) this.flush();
    this.stats.pageBreaks++;
    if (this.items[this.items.length - 1] !== BREAK) this.items.push(BREAK);
  }
}

/** True when a document's first bytes declare a single-byte charset. */
function sniffSingleByteCharset(head: Uint8Array): boolean {
  const text = new TextDecoder('latin1').decode(head.subarray(0, 2048));
  return /(?:encoding|charset)\s*=\s*["']?\s*(?:iso-8859-1|latin-?1|windows-1252|cp1252)/i.test(text);
}

/** A row that is prose laid out as a table (bullet + sentence), not figures. */
function isProseRow(cells: readonly string[]): boolean {
  if (cells.length > 3) return false;
  return cells.some((c) => c.length >= 80 && (c.match(/[A-Za-z]/g)?.length ?? 0) >= c.length * 0.6);
}

/**
 * Extract the paragraphs of a whole document (a string, or bytes decoded as in
 * {@link ParagraphExtractor}).
 */
export function extractText(input: string | Uint8Array): ExtractedText {
  const extractor = new ParagraphExtractor();
  if (typeof input === 'string') extractor.write(input);
  else {
    // Feed bytes in slices: the decoder and tokenizer then hold one slice at a time.
    const step = 256 * 1024;
    for (let i = 0; i < input.length; i += step) extractor.write(input.subarray(i, i + step));
  }
  return extractor.end();
}

// ---------------------------------------------------------------------------------------
// Page furniture
// ---------------------------------------------------------------------------------------

/** A bare page number: `35`, `- 35 -`, `Page 35`, `(iv)`, `F-12`, `35 of 120`. */
const PAGE_NUMBER = /^(?:page\s+)?[-(]?\s*(?:\d{1,4}|[ivxlcdm]{1,7}|[a-z]-\d{1,3})\s*[-)]?(?:\s+of\s+\d{1,4})?$/i;
/** Back-links to the table of contents printed on every page. */
const TOC_LINK = /^(?:return to |back to |go to )?(?:the )?(?:table of contents|index|toc)\.?$/i;
/** How many paragraphs on each side of a page break can be running headers/footers. */
const FURNITURE_WINDOW = 3;

/** True for a paragraph that is only page furniture wherever it stands. */
export function isPageFurniture(text: string): boolean {
  return PAGE_NUMBER.test(text) || TOC_LINK.test(text);
}

/**
 * Drop page furniture and re-join paragraphs split by a page break. Exported for tests:
 * a document and a copy with its page breaks, page numbers and line wrapping moved must
 * give the same paragraphs.
 */
export function cleanParagraphs(items: readonly RawItem[], stats?: ExtractStats): Paragraph[] {
  // Running headers/footers ("NVIDIA Corporation | Q2 FY2026 Form 10-Q | 35"): short texts
  // that recur (digits aside) next to page breaks.
  const nearBreak = new Set<number>();
  items.forEach((item, i) => {
    if (item !== BREAK) return;
    for (let d = 1; d <= FURNITURE_WINDOW; d++) {
      nearBreak.add(i - d);
      nearBreak.add(i + d);
    }
  });
  const recurring = new Map<string, number>();
  const shape = (text: string) => text.toLowerCase().replace(/\d+/g, '#');
  for (const i of nearBreak) {
    const item = items[i];
    if (item === undefined || item === BREAK || item.text.length > 150) continue;
    const key = shape(item.text);
    recurring.set(key, (recurring.get(key) ?? 0) + 1);
  }
  const isRunning = (p: Paragraph, i: number) => nearBreak.has(i) && p.text.length <= 150 && (recurring.get(shape(p.text)) ?? 0) >= 3;

  const out: Paragraph[] = [];
  let brokeSinceLast = false;
  items.forEach((item, i) => {
    if (item === BREAK) {
      brokeSinceLast = true;
      return;
    }
    if (isPageFurniture(item.text) || isRunning(item, i)) {
      if (stats) stats.furnitureDropped++;
      return;
    }
    const prev = out[out.length - 1];
    if (brokeSinceLast && prev && continuesAcrossBreak(prev, item)) {
      out[out.length - 1] = { text: `${prev.text} ${item.text}`, kind: prev.kind };
      if (stats) stats.pageJoins++;
    } else {
      out.push(item);
    }
    brokeSinceLast = false;
  });
  return out;
}

/**
 * True when `next` continues `prev` across a page break: `prev` has no sentence end and
 * `next` starts in lower case, or `prev` is long running text stopping mid-clause (a word
 * or a comma) and `next` starts with a word ("…required by the" / "USG to…"). A short
 * unpunctuated `prev` followed by a capital is a heading; a list item ending in ";" is
 * followed by the next item: neither is joined.
 */
function continuesAcrossBreak(prev: Paragraph, next: Paragraph): boolean {
  if (prev.kind !== 'text' || next.kind !== 'text') return false;
  if (/[.!?:;]["')\]]?$/.test(prev.text)) return false;
  if (/^[a-z]/.test(next.text)) return true;
  return prev.text.length >= 150 && /[a-z,]$/.test(prev.text) && /^[A-Za-z0-9$"'(]/.test(next.text);
}
