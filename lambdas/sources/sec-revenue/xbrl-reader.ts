import { Parser } from 'htmlparser2';

/**
 * A streaming XBRL reader for the two shapes SEC filings come in:
 *
 * - inline XBRL (`nvda-20250727.htm`): XHTML with `ix:` tags. Parsed in htmlparser2's HTML
 *   mode because real filings are not always well-formed XML (NVIDIA's FY2023 10-K closes an
 *   `ix:nonNumeric` across table cells); HTML mode closes what it must and moves on.
 * - the EDGAR-extracted instance (`nvda-20250727_htm.xml`): plain XBRL 2.1 in XML mode.
 *
 * Only what the revenue analysis needs is kept — contexts, units, a caller-chosen set of
 * numeric facts (revenue and concentration concepts by default) and a few `dei` facts —
 * so memory stays flat however large the filing; no DOM is ever built. No AWS imports.
 */

/** A context: the entity, the period and any dimension members of a fact. */
export interface XbrlContext {
  id: string;
  /** The identifier under the `http://www.sec.gov/CIK` scheme, as written (zero-padded). */
  cik?: string | undefined;
  /** `YYYY-MM-DD` for duration contexts. */
  start?: string | undefined;
  end?: string | undefined;
  /** `YYYY-MM-DD` for instant contexts. */
  instant?: string | undefined;
  /** Axis → member, both as canonical QNames (`srt:StatementGeographicalAxis` → `country:SG`). Typed members appear as `typed:<value>`. */
  dimensions: Record<string, string>;
}

/** A unit: its measures (`iso4217:USD`), with a denominator for ratios such as USD per share. */
export interface XbrlUnit {
  id: string;
  measures: string[];
  denominator?: string[] | undefined;
}

/** A numeric fact as reported, with its value in units (scale and sign applied). */
export interface XbrlFact {
  /** Canonical QName, e.g. `us-gaap:Revenues`. */
  concept: string;
  contextRef: string;
  unitRef?: string | undefined;
  /** Precision: `-6` = rounded to millions; `Infinity` for `INF`; `undefined` when absent. */
  decimals?: number | undefined;
  /** The value in units (× 10^scale, sign applied); `null` when nil or unreadable. */
  value: number | null;
  /** The text as it appeared (trimmed), for messages. */
  raw: string;
  /** How many times the same concept/context/unit appeared (statement, note, MD&A…). */
  occurrences: number;
}

/** Two or more values reported for the same concept, context and unit that disagree beyond rounding. */
export interface FactConflict {
  concept: string;
  contextRef: string;
  unitRef?: string | undefined;
  values: number[];
}

/** The Document and Entity Information facts the analysis uses (first reported value of each). */
export interface DeiFacts {
  documentType?: string;
  /** `YYYY-MM-DD` when the reported text could be read as a date. */
  documentPeriodEndDate?: string;
  entityCentralIndexKey?: string;
  entityRegistrantName?: string;
  tradingSymbol?: string;
  fiscalYearFocus?: string;
  fiscalPeriodFocus?: string;
  amendmentFlag?: string;
  /** Context of the `dei:DocumentType` fact: its period is the document's reporting period. */
  documentContextRef?: string;
}

/** What one pass over a document produced. */
export interface XbrlDocument {
  format: 'ixbrl' | 'xbrl' | 'unknown';
  /** Declared prefix → namespace URI, as found on the root element. */
  namespaces: Record<string, string>;
  contexts: Map<string, XbrlContext>;
  units: Map<string, XbrlUnit>;
  /** Numeric facts kept by the concept filter, deduplicated on concept + context + unit. */
  facts: XbrlFact[];
  dei: DeiFacts;
  conflicts: FactConflict[];
  stats: { elements: number; factsSeen: number; factsKept: number; contextsSeen: number };
}

/** Input accepted by {@link readXbrl}: a whole body or a stream of chunks (split anywhere, even inside a tag or a UTF-8 sequence). */
export type XbrlInput = Uint8Array | string | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

export interface ReadXbrlOptions {
  /** Force a mode; `auto` sniffs the first bytes (an `<html` root or `ix:` namespace → inline XBRL). */
  format?: 'auto' | 'ixbrl' | 'xbrl';
  /** Which numeric concepts (canonical QNames) to keep. Default: {@link isRevenueRelatedConcept}. */
  keepConcept?: (concept: string) => boolean;
}

/** Revenue concepts on which geography is reported, most preferred first (docs/upstreams.md §2.1). */
export const REVENUE_CONCEPTS = [
  'us-gaap:Revenues',
  'us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax',
  'us-gaap:RevenueFromContractWithCustomerIncludingAssessedTax',
  'us-gaap:SalesRevenueNet',
  // Pre-2018 filers that sell goods only tag their revenue line this way (Coca-Cola FY2010,
  // Johnson & Johnson 2012); after SalesRevenueNet so a goods-only part never wins over the whole.
  'us-gaap:SalesRevenueGoodsNet',
  // 20-F filers reporting under IFRS.
  'ifrs-full:Revenue',
  'ifrs-full:RevenueFromContractsWithCustomers',
] as const;

const KEPT_BY_DEFAULT = new Set<string>([...REVENUE_CONCEPTS, 'us-gaap:ConcentrationRiskPercentage1']);

/**
 * The default fact filter: revenue concepts plus `ConcentrationRiskPercentage1`, which sits
 * on the same geographic axis and is kept so callers can see (and tests can prove) that it
 * is never mistaken for revenue.
 */
export function isRevenueRelatedConcept(concept: string): boolean {
  return KEPT_BY_DEFAULT.has(concept);
}

/** Namespace URI → the prefix the rest of the code uses, whatever the filer declared (years vary: `us-gaap/2025`). */
export function canonicalPrefixFor(uri: string, declared: string): string {
  if (uri.startsWith('http://fasb.org/us-gaap/')) return 'us-gaap';
  if (uri.startsWith('http://fasb.org/srt/')) return 'srt';
  if (uri.startsWith('http://xbrl.sec.gov/country/')) return 'country';
  if (uri.startsWith('http://xbrl.sec.gov/dei/')) return 'dei';
  if (uri === 'http://www.xbrl.org/2003/instance') return 'xbrli';
  if (uri === 'http://xbrl.org/2006/xbrldi') return 'xbrldi';
  if (uri === 'http://www.xbrl.org/2013/inlineXBRL') return 'ix';
  if (uri === 'http://www.xbrl.org/2003/iso4217') return 'iso4217';
  if (/^https?:\/\/xbrl\.ifrs\.org\/taxonomy\/.*\/ifrs-full$/.test(uri)) return 'ifrs-full';
  return declared;
}

/** Read a whole document or a stream of chunks. */
export async function readXbrl(input: XbrlInput, options: ReadXbrlOptions = {}): Promise<XbrlDocument> {
  const reader = new XbrlStreamReader(options);
  if (typeof input === 'string' || input instanceof Uint8Array) {
    reader.write(input);
    return reader.end();
  }
  if (Symbol.asyncIterator in input) {
    for await (const chunk of input) reader.write(chunk);
  } else {
    for (const chunk of input) reader.write(chunk);
  }
  return reader.end();
}

/** Synchronous variant for a buffered body. */
export function readXbrlSync(input: Uint8Array | string, options: ReadXbrlOptions = {}): XbrlDocument {
  const reader = new XbrlStreamReader(options);
  reader.write(input);
  return reader.end();
}

// Frame codes pushed for every open element and popped on its close: htmlparser2 emits
// exactly one close event per open event (implied closes included, in HTML mode too), so
// the frame stack tells what is closing without comparing names.
const F_NONE = 0;
const F_CONTEXT = 1;
const F_IDENTIFIER = 2;
const F_START = 3;
const F_END = 4;
const F_INSTANT = 5;
const F_MEMBER = 6;
const F_UNIT = 7;
const F_NUMERATOR = 8;
const F_DENOMINATOR = 9;
const F_MEASURE = 10;
const F_EXCLUDE = 11;
const F_CONTINUATION = 12;
// Facts push their collector object as the frame.

/** A fact whose text is being collected. */
interface Collector {
  numeric: boolean;
  concept: string;
  contextRef: string;
  unitRef: string | undefined;
  decimals: string | undefined;
  scale: string | undefined;
  sign: string | undefined;
  format: string | undefined;
  nil: boolean;
  /** Inline XBRL (text is display text needing transformation) vs instance XML (text is the value). */
  inline: boolean;
  text: string;
}

interface ResolvedName {
  /** Canonical prefix ('' for unprefixed HTML elements, 'xbrli' for the instance default namespace). */
  prefix: string;
  /** Local name lower-cased, for matching structure in both modes. */
  lower: string;
  /** Canonical QName, case preserved (used as the concept name of instance facts). */
  qname: string;
}

const DEI_FIELDS: Record<string, keyof DeiFacts> = {
  'dei:DocumentType': 'documentType',
  'dei:DocumentPeriodEndDate': 'documentPeriodEndDate',
  'dei:EntityCentralIndexKey': 'entityCentralIndexKey',
  'dei:EntityRegistrantName': 'entityRegistrantName',
  'dei:TradingSymbol': 'tradingSymbol',
  'dei:DocumentFiscalYearFocus': 'fiscalYearFocus',
  'dei:DocumentFiscalPeriodFocus': 'fiscalPeriodFocus',
  'dei:AmendmentFlag': 'amendmentFlag',
};

const SNIFF_CHARS = 1024;
/** Give up waiting for a root element after this much text (then parse as tolerant HTML). */
const MAX_SNIFF_CHARS = 1 << 20;

/**
 * The incremental reader behind {@link readXbrl}: `write` chunks as they arrive, then `end`.
 * Exposed for callers that push bytes themselves (an HTTP body stream, a file stream).
 */
export class XbrlStreamReader {
  private parser: Parser | undefined;
  private readonly decoder = new TextDecoder('utf-8');
  private carry: Uint8Array | undefined;
  private pending = '';
  private xml = false;
  private format: XbrlDocument['format'] = 'unknown';
  private readonly keep: (concept: string) => boolean;

  private readonly namespaces: Record<string, string> = {};
  /** Declared prefix (lower-cased) → canonical prefix. */
  private readonly prefixMap = new Map<string, string>();
  private readonly nameCache = new Map<string, ResolvedName>();
  private rootSeen = false;

  private readonly frames: Array<number | Collector> = [];
  private readonly contexts = new Map<string, XbrlContext>();
  private readonly units = new Map<string, XbrlUnit>();
  private readonly facts = new Map<string, XbrlFact>();
  private readonly conflicts = new Map<string, FactConflict>();
  private readonly dei: DeiFacts = {};
  private readonly deiTexts: Array<{ field: keyof DeiFacts; collector: Collector }> = [];
  /** `continuedAt` id → the non-numeric fact it continues. */
  private readonly continuations = new Map<string, Collector>();

  private context: XbrlContext | undefined;
  private unit: { id: string; measures: string[]; denominator: string[]; inDenominator: boolean } | undefined;
  private leafText: string | undefined;
  private memberAxis = '';
  private readonly active: Collector[] = [];
  private excludeDepth = 0;
  private stats = { elements: 0, factsSeen: 0, factsKept: 0, contextsSeen: 0 };

  constructor(private readonly options: ReadXbrlOptions = {}) {
    this.keep = options.keepConcept ?? isRevenueRelatedConcept;
  }

  /** Feed a chunk (bytes are decoded as UTF-8, split sequences included). */
  write(chunk: Uint8Array | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decode(chunk);
    if (this.parser) {
      this.parser.write(text);
      return;
    }
    this.pending += text;
    if (this.pending.length >= SNIFF_CHARS && this.sniff(false)) this.startParser();
  }

  /**
   * Decode a chunk, holding back a UTF-8 sequence cut at its end for the next one. Not
   * `TextDecoder`'s `stream` mode: that yields two-byte strings even for ASCII, which makes
   * the tokenizer ~40% slower on a filing; whole-chunk decoding keeps one-byte strings.
   */
  private decode(chunk: Uint8Array): string {
    let bytes = chunk;
    if (this.carry) {
      bytes = new Uint8Array(this.carry.length + chunk.length);
      bytes.set(this.carry);
      bytes.set(chunk, this.carry.length);
      this.carry = undefined;
    }
    let cut = bytes.length;
    for (let i = bytes.length - 1; i >= 0 && i >= bytes.length - 4; i--) {
      const b = bytes[i] as number;
      if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
      if (b >= 0xc0 && i + (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2) > bytes.length) cut = i;
      break;
    }
    if (cut < bytes.length) {
      this.carry = bytes.slice(cut);
      bytes = bytes.subarray(0, cut);
    }
    return this.decoder.decode(bytes);
  }

  /** Finish the document and return what was read. */
  end(): XbrlDocument {
    const tail = this.carry ? this.decoder.decode(this.carry) : '';
    this.carry = undefined;
    if (!this.parser) {
      this.pending += tail;
      this.sniff(true);
      this.startParser();
    } else if (tail) {
      this.parser.write(tail);
    }
    this.parser?.end();
    return this.result();
  }

  /**
   * Decide the mode from the root element once it has arrived (comments, processing
   * instructions and a DOCTYPE may come first): `<html>` or an `xmlns:ix` declaration is
   * inline XBRL, `<xbrl>` an instance. Returns false while more bytes are needed.
   */
  private sniff(final: boolean): boolean {
    const forced = this.options.format ?? 'auto';
    if (forced !== 'auto') {
      this.format = forced;
      return true;
    }
    const root = findRootTag(this.pending);
    if (root === undefined) return final || this.pending.length > MAX_SNIFF_CHARS;
    const name = /^<([A-Za-z][\w.:-]*)/.exec(root)?.[1] ?? '';
    const local = name.slice(name.indexOf(':') + 1).toLowerCase();
    if (local === 'html' || /xmlns:ix\s*=/.test(root)) this.format = 'ixbrl';
    else if (local === 'xbrl') this.format = 'xbrl';
    return true;
  }

  private startParser(): void {
    this.xml = this.format === 'xbrl';
    this.parser = new Parser(
      {
        onopentag: (name, attrs) => this.onOpen(name, attrs),
        onclosetag: () => this.onClose(),
        ontext: (text) => this.onText(text),
      },
      {
        xmlMode: this.xml,
        // Instance element names are concept names: keep their case there. Attribute
        // names are lower-cased in both modes so lookups are the same (`contextref`).
        lowerCaseTags: !this.xml,
        lowerCaseAttributeNames: true,
        // Inline XBRL is XHTML: `<td/>` and a nil `<ix:nonFraction …/>` are empty elements.
        recognizeSelfClosing: true,
        decodeEntities: true,
      },
    );
    const pending = this.pending;
    this.pending = '';
    this.parser.write(pending);
  }

  private declareNamespaces(attrs: Record<string, string>): void {
    for (const key in attrs) {
      if (key === 'xmlns') {
        const uri = attrs[key] as string;
        this.namespaces[''] = uri;
        this.prefixMap.set('', canonicalPrefixFor(uri, ''));
      } else if (key.startsWith('xmlns:')) {
        const prefix = key.slice(6);
        const uri = attrs[key] as string;
        this.namespaces[prefix] = uri;
        this.prefixMap.set(prefix.toLowerCase(), canonicalPrefixFor(uri, prefix));
      }
    }
  }

  /** Canonical form of a QName found in text or attribute values (`gaap:Revenues` → `us-gaap:Revenues`). */
  private canonical(qname: string): string {
    const colon = qname.indexOf(':');
    if (colon < 0) return qname;
    const prefix = qname.slice(0, colon);
    const mapped = this.prefixMap.get(prefix.toLowerCase());
    return mapped === undefined || mapped === prefix ? qname : `${mapped}:${qname.slice(colon + 1)}`;
  }

  private resolve(name: string): ResolvedName {
    let resolved = this.nameCache.get(name);
    if (resolved) return resolved;
    const colon = name.indexOf(':');
    const local = colon < 0 ? name : name.slice(colon + 1);
    let prefix: string;
    if (colon < 0) {
      // Unprefixed: HTML in inline XBRL; the instance namespace in `<xbrl xmlns="…/instance">`.
      prefix = this.xml ? (this.prefixMap.get('') ?? 'xbrli') : '';
    } else {
      const declared = name.slice(0, colon);
      prefix = this.prefixMap.get(declared.toLowerCase()) ?? declared.toLowerCase();
    }
    resolved = { prefix, lower: local.toLowerCase(), qname: prefix ? `${prefix}:${local}` : local };
    this.nameCache.set(name, resolved);
    return resolved;
  }

  private onOpen(name: string, attrs: Record<string, string>): void {
    this.stats.elements++;
    if (!this.rootSeen) {
      this.rootSeen = true;
      this.declareNamespaces(attrs);
    }
    // Fast path: the bulk of an inline document is unprefixed HTML (div, span, td).
    if (!this.xml && name.indexOf(':') < 0) {
      this.frames.push(F_NONE);
      return;
    }
    const r = this.resolve(name);
    let frame: number | Collector = F_NONE;
    switch (r.prefix) {
      case 'xbrli':
        frame = this.openStructure(r.lower, attrs);
        break;
      case 'xbrldi':
        if (this.context && (r.lower === 'explicitmember' || r.lower === 'typedmember')) {
          this.memberAxis = (r.lower === 'typedmember' ? '#' : '') + this.canonical(attrs.dimension ?? '');
          this.leafText = '';
          frame = F_MEMBER;
        }
        break;
      case 'ix':
        if (this.format === 'unknown') this.format = 'ixbrl'; // an HTML root without the ix declaration on it
        frame = this.openInline(r.lower, attrs);
        break;
      default:
        if (this.xml && attrs.contextref !== undefined) frame = this.openInstanceFact(r.qname, attrs);
    }
    this.frames.push(frame);
  }

  private openStructure(local: string, attrs: Record<string, string>): number {
    switch (local) {
      case 'context':
        this.stats.contextsSeen++;
        this.context = { id: attrs.id ?? '', dimensions: {} };
        return F_CONTEXT;
      case 'identifier':
        if (!this.context) return F_NONE;
        this.leafText = attrs.scheme === undefined || /sec\.gov\/CIK/i.test(attrs.scheme) ? '' : undefined;
        return this.leafText === undefined ? F_NONE : F_IDENTIFIER;
      case 'startdate':
      case 'enddate':
      case 'instant':
        if (!this.context) return F_NONE;
        this.leafText = '';
        return local === 'startdate' ? F_START : local === 'enddate' ? F_END : F_INSTANT;
      case 'unit':
        this.unit = { id: attrs.id ?? '', measures: [], denominator: [], inDenominator: false };
        return F_UNIT;
      case 'unitnumerator':
        return F_NUMERATOR;
      case 'unitdenominator':
        if (this.unit) this.unit.inDenominator = true;
        return F_DENOMINATOR;
      case 'measure':
        if (!this.unit) return F_NONE;
        this.leafText = '';
        return F_MEASURE;
      default:
        return F_NONE;
    }
  }

  private openInline(local: string, attrs: Record<string, string>): number | Collector {
    switch (local) {
      case 'nonfraction': {
        this.stats.factsSeen++;
        const concept = this.canonical(attrs.name ?? '');
        if (!this.keep(concept)) return F_NONE;
        const collector: Collector = {
          numeric: true,
          concept,
          contextRef: attrs.contextref ?? '',
          unitRef: attrs.unitref,
          decimals: attrs.decimals,
          scale: attrs.scale,
          sign: attrs.sign,
          format: attrs.format,
          nil: attrs['xsi:nil'] === 'true',
          inline: true,
          text: '',
        };
        this.active.push(collector);
        return collector;
      }
      case 'nonnumeric': {
        this.stats.factsSeen++;
        const concept = this.canonical(attrs.name ?? '');
        const field = DEI_FIELDS[concept];
        if (!field || this.dei[field] !== undefined || this.deiTexts.some((d) => d.field === field)) return F_NONE;
        const collector = this.textCollector(concept, attrs, true);
        this.deiTexts.push({ field, collector });
        if (attrs.continuedat) this.continuations.set(attrs.continuedat, collector);
        this.active.push(collector);
        return collector;
      }
      case 'continuation': {
        const target = this.continuations.get(attrs.id ?? '');
        if (!target) return F_NONE;
        if (attrs.continuedat) this.continuations.set(attrs.continuedat, target);
        target.text += ' ';
        this.active.push(target);
        return F_CONTINUATION;
      }
      case 'exclude':
        this.excludeDepth++;
        return F_EXCLUDE;
      default:
        return F_NONE;
    }
  }

  private openInstanceFact(concept: string, attrs: Record<string, string>): number | Collector {
    this.stats.factsSeen++;
    const field = DEI_FIELDS[concept];
    if (field) {
      if (this.dei[field] !== undefined || this.deiTexts.some((d) => d.field === field)) return F_NONE;
      const collector = this.textCollector(concept, attrs, false);
      this.deiTexts.push({ field, collector });
      this.active.push(collector);
      return collector;
    }
    if (attrs.unitref === undefined || !this.keep(concept)) return F_NONE;
    const collector: Collector = {
      numeric: true,
      concept,
      contextRef: attrs.contextref ?? '',
      unitRef: attrs.unitref,
      decimals: attrs.decimals,
      scale: undefined,
      sign: undefined,
      format: undefined,
      nil: attrs['xsi:nil'] === 'true',
      inline: false,
      text: '',
    };
    this.active.push(collector);
    return collector;
  }

  private textCollector(concept: string, attrs: Record<string, string>, inline: boolean): Collector {
    return {
      numeric: false,
      concept,
      contextRef: attrs.contextref ?? '',
      unitRef: undefined,
      decimals: undefined,
      scale: undefined,
      sign: undefined,
      format: attrs.format,
      nil: false,
      inline,
      text: '',
    };
  }

  private onText(text: string): void {
    if (this.leafText !== undefined) this.leafText += text;
    const active = this.active;
    for (let i = 0; i < active.length; i++) {
      const c = active[i] as Collector;
      // ix:exclude marks display text (page numbers, footnote marks) inside a non-numeric fact.
      if (this.excludeDepth > 0 && !c.numeric) continue;
      c.text += text;
    }
  }

  private onClose(): void {
    const frame = this.frames.pop();
    if (frame === undefined || frame === F_NONE) return;
    if (typeof frame === 'object') {
      this.removeActive(frame);
      if (frame.numeric) this.addNumericFact(frame);
      return;
    }
    switch (frame) {
      case F_CONTEXT:
        if (this.context?.id) this.contexts.set(this.context.id, this.context);
        this.context = undefined;
        break;
      case F_IDENTIFIER:
        if (this.context) this.context.cik = this.takeLeaf();
        break;
      case F_START:
        if (this.context) this.context.start = this.takeLeaf().slice(0, 10);
        break;
      case F_END:
        if (this.context) this.context.end = this.takeLeaf().slice(0, 10);
        break;
      case F_INSTANT:
        if (this.context) this.context.instant = this.takeLeaf().slice(0, 10);
        break;
      case F_MEMBER: {
        const value = this.takeLeaf();
        if (this.context && this.memberAxis) {
          if (this.memberAxis.startsWith('#')) this.context.dimensions[this.memberAxis.slice(1)] = `typed:${value}`;
          else this.context.dimensions[this.memberAxis] = this.canonical(value);
        }
        break;
      }
      case F_MEASURE: {
        const measure = this.canonical(this.takeLeaf());
        if (this.unit) (this.unit.inDenominator ? this.unit.denominator : this.unit.measures).push(measure);
        break;
      }
      case F_DENOMINATOR:
        if (this.unit) this.unit.inDenominator = false;
        break;
      case F_UNIT:
        if (this.unit?.id) {
          this.units.set(this.unit.id, {
            id: this.unit.id,
            measures: this.unit.measures,
            ...(this.unit.denominator.length ? { denominator: this.unit.denominator } : {}),
          });
        }
        this.unit = undefined;
        break;
      case F_EXCLUDE:
        this.excludeDepth--;
        break;
      case F_CONTINUATION:
        this.active.pop();
        break;
    }
  }

  private takeLeaf(): string {
    const text = (this.leafText ?? '').trim();
    this.leafText = undefined;
    return text;
  }

  private removeActive(collector: Collector): void {
    const i = this.active.lastIndexOf(collector);
    if (i >= 0) this.active.splice(i, 1);
  }

  private addNumericFact(c: Collector): void {
    const raw = c.text.replace(/\s+/g, ' ').trim();
    const value = c.nil ? null : c.inline ? parseInlineNumber(raw, c.format, c.scale, c.sign) : parseDecimal(raw);
    const decimals = parseDecimals(c.decimals);
    const key = `${c.concept}\u0000${c.contextRef}\u0000${c.unitRef ?? ''}`;
    const existing = this.facts.get(key);
    if (!existing) {
      this.stats.factsKept++;
      this.facts.set(key, { concept: c.concept, contextRef: c.contextRef, unitRef: c.unitRef, decimals, value, raw, occurrences: 1 });
      return;
    }
    existing.occurrences++;
    if (existing.value === null || value === null) {
      if (existing.value === null && value !== null) Object.assign(existing, { value, raw, decimals });
      return;
    }
    if (Math.abs(existing.value - value) <= roundingTolerance(existing.decimals) + roundingTolerance(decimals)) {
      // The same number shown at different precision (e.g. −6 in a table, −8 in MD&A): keep the precise one.
      if ((decimals ?? Number.NEGATIVE_INFINITY) > (existing.decimals ?? Number.NEGATIVE_INFINITY)) {
        Object.assign(existing, { value, raw, decimals });
      }
      return;
    }
    const conflict = this.conflicts.get(key) ?? {
      concept: c.concept,
      contextRef: c.contextRef,
      unitRef: c.unitRef,
      values: [existing.value],
    };
    if (!conflict.values.includes(value)) conflict.values.push(value);
    this.conflicts.set(key, conflict);
  }

  private result(): XbrlDocument {
    for (const { field, collector } of this.deiTexts) {
      const text = collector.text.replace(/[\s\u00a0]+/g, ' ').trim();
      if (!text) continue;
      if (field === 'documentPeriodEndDate') {
        const date = parseDisplayDate(text);
        if (date) this.dei.documentPeriodEndDate = date;
      } else {
        this.dei[field] = text;
      }
      if (field === 'documentType') this.dei.documentContextRef = collector.contextRef;
    }
    // Keep only contexts the kept facts (and the dei document context) refer to.
    const facts = [...this.facts.values()];
    const used = new Set(facts.map((f) => f.contextRef));
    if (this.dei.documentContextRef) used.add(this.dei.documentContextRef);
    const contexts = new Map<string, XbrlContext>();
    for (const id of used) {
      const context = this.contexts.get(id);
      if (context) contexts.set(id, context);
    }
    return {
      format: this.format,
      namespaces: this.namespaces,
      contexts,
      units: this.units,
      facts,
      dei: this.dei,
      conflicts: [...this.conflicts.values()],
      stats: this.stats,
    };
  }
}

/**
 * The first element's start tag (`<html …>`), skipping comments, processing instructions
 * and a DOCTYPE; undefined until it has fully arrived. Scans only the prefix it needs.
 */
function findRootTag(text: string): string | undefined {
  let i = 0;
  for (;;) {
    const lt = text.indexOf('<', i);
    if (lt < 0) return undefined;
    let close: string | undefined;
    if (text.startsWith('<!--', lt)) close = '-->';
    else if (text.startsWith('<?', lt)) close = '?>';
    else if (text.startsWith('<!', lt)) close = '>';
    if (close) {
      const end = text.indexOf(close, lt + 2);
      if (end < 0) return undefined;
      i = end + close.length;
      continue;
    }
    if (/[A-Za-z]/.test(text.charAt(lt + 1))) {
      const end = text.indexOf('>', lt);
      return end < 0 ? undefined : text.slice(lt, end + 1);
    }
    i = lt + 1;
  }
}

/** Half a unit of the last reported digit: the most a correctly rounded fact can be off by. */
export function roundingTolerance(decimals: number | undefined): number {
  if (decimals === undefined || decimals === Number.POSITIVE_INFINITY) return 0;
  return 0.5 * 10 ** -decimals;
}

function parseDecimals(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^INF$/i.test(trimmed)) return Number.POSITIVE_INFINITY;
  const n = Number.parseInt(trimmed, 10);
  return Number.isNaN(n) ? undefined : n;
}

/** An `xs:decimal` lexical value (instance documents). */
function parseDecimal(raw: string): number | null {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return null;
  return Number(raw);
}

const DASHES = /^[\u2012\u2013\u2014\u2015\u2212-]+$/;

/**
 * The value of an `ix:nonFraction`: its display text through the `format` transformation,
 * times 10^scale, negated when `sign="-"`. The decimal point is shifted in the string so
 * `22` at scale −2 is exactly 0.22, not 0.22000000000000003.
 */
export function parseInlineNumber(
  raw: string,
  format: string | undefined,
  scale: string | undefined,
  sign: string | undefined,
): number | null {
  const text = raw.replace(/[\s\u00a0]+/g, ' ').trim();
  const fmt = (format ?? '').slice((format ?? '').indexOf(':') + 1).toLowerCase();
  let digits: string | null;
  if (fmt === 'fixed-zero' || fmt === 'zerodash' || fmt === 'numdash' || DASHES.test(text)) {
    digits = '0';
  } else if (fmt === 'num-comma-decimal' || fmt === 'numcommadecimal' || fmt === 'numdotcomma' || fmt === 'numspacecomma') {
    digits = normaliseDigits(text.replace(/[.\s'’$€£¥()]/g, '').replace(',', '.'));
  } else if (fmt === 'numwordsen' || fmt === 'num-word-en' || fmt === 'numwordsenglish') {
    const n = wordsToNumber(text);
    digits = n === null ? null : String(n);
  } else {
    // num-dot-decimal, numcommadot, numdotdecimal, no format: drop group separators, and
    // currency signs or parentheses a filer left inside the tag (the sign is the attribute's).
    digits = normaliseDigits(text.replace(/[,\s'’$€£¥()]/g, ''));
  }
  if (digits === null) return null;
  const shift = scale === undefined || scale.trim() === '' ? 0 : Number.parseInt(scale, 10);
  if (Number.isNaN(shift)) return null;
  const value = Number(shift === 0 ? digits : `${digits}e${shift}`);
  if (!Number.isFinite(value)) return null;
  return sign === '-' && value !== 0 ? -value : value;
}

function normaliseDigits(text: string): string | null {
  return /^(\d+\.?\d*|\.\d+)$/.test(text) ? text : null;
}

const SMALL_NUMBERS: Record<string, number> = {
  zero: 0,
  no: 0,
  none: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const MULTIPLIERS: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12 };

/** `ixt-sec:numwordsen`: "four", "twenty-one", "one hundred and five"; null when not a number in words. */
export function wordsToNumber(text: string): number | null {
  const words = text
    .toLowerCase()
    .replace(/[-,]/g, ' ')
    .split(/\s+/)
    .filter((w) => w && w !== 'and');
  if (!words.length) return null;
  let total = 0;
  let current = 0;
  for (const w of words) {
    const small = SMALL_NUMBERS[w];
    if (small !== undefined) current += small;
    else if (w === 'hundred') current = (current || 1) * 100;
    else if (MULTIPLIERS[w] !== undefined) {
      total += (current || 1) * (MULTIPLIERS[w] as number);
      current = 0;
    } else if (/^\d+$/.test(w)) current += Number(w);
    else return null;
  }
  return total + current;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/**
 * A display date as a `YYYY-MM-DD` string: ISO, "July 27, 2025" (ixt date-monthname-day-year-en),
 * "27 July 2025", or "07/27/2025". Undefined when it is none of those.
 */
export function parseDisplayDate(text: string): string | undefined {
  const t = text.replace(/[\s\u00a0]+/g, ' ').trim();
  let y: number | undefined;
  let m: number | undefined;
  let d: number | undefined;
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(t);
  const monthFirst = /^([A-Za-z]{3,9})\.? ?(\d{1,2}),? ?(\d{4})$/.exec(t);
  const dayFirst = /^(\d{1,2}) ([A-Za-z]{3,9})\.?,? (\d{4})$/.exec(t);
  const numeric = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(t);
  const month = (name: string | undefined) => MONTHS[(name ?? '').slice(0, 3).toLowerCase()];
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (monthFirst) [m, d, y] = [month(monthFirst[1]), Number(monthFirst[2]), Number(monthFirst[3])];
  else if (dayFirst) [d, m, y] = [Number(dayFirst[1]), month(dayFirst[2]), Number(dayFirst[3])];
  else if (numeric) [m, d, y] = [Number(numeric[1]), Number(numeric[2]), Number(numeric[3])];
  if (!y || !m || !d || m > 12 || d > 31) return undefined;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
