import { SourceError } from '#core/errors.ts';
import { unpadCik } from '../sec/cik.ts';

/**
 * Parser for EDGAR's "latest filings" Atom feed (`browse-edgar?action=getcurrent`).
 *
 * The feed is machine-generated and very regular, so a small strict parser is enough and
 * keeps the Lambda free of an XML dependency. It is strict on purpose: a truncated body,
 * an HTML maintenance page served with 200, or an entry without an accession must fail
 * the cycle (kind `parse`) rather than silently look like "no new filings".
 */

/** One `<entry>`: EDGAR emits one per (filing, filer role). */
export interface FeedEntry {
  accession: string;
  /** Form type from `<category term>` (e.g. `8-K`, `10-K/A`). */
  form: string;
  companyName: string;
  /** Unpadded CIK of the company named in this entry. */
  cik: string;
  /** `Filer`, `Reporting`, `Issuer`, `Subject`, `Filed by`. */
  role: string;
  /** `Filed:` date from the summary (YYYY-MM-DD), when present. */
  filedDate: string | undefined;
  /** Raw `<updated>` with its real UTC offset (e.g. `2026-01-12T11:27:39-05:00`). */
  updated: string;
  /** `updated` as epoch milliseconds (the offset is honoured). */
  updatedMs: number;
  /** Link to the filing index page. */
  indexUrl: string | undefined;
  /** 8-K item codes listed in the summary (`Item 7.01: …` → `7.01`). */
  items: string[];
}

/** A filing as the feed shows it: entries deduplicated by accession number. */
export interface FeedFiling {
  accession: string;
  form: string;
  filedDate: string | undefined;
  updated: string;
  updatedMs: number;
  items: string[];
  /** Every company the filing was listed under, in feed order (one per role). */
  companies: Array<{ cik: string; name: string; role: string }>;
}

/** One parsed feed page. */
export interface FeedPage {
  /** Feed-level `<updated>` (raw). */
  updated: string | undefined;
  /** Entries in feed order (newest first), one per filer role. */
  entries: FeedEntry[];
  /** Filings in feed order, deduplicated on the accession number from `<id>`. */
  filings: FeedFiling[];
}

const ACCESSION_RE = /^\d{10}-\d{2}-\d{6}$/;

/**
 * Decode a feed body. EDGAR declares ISO-8859-1; a body that declares UTF-8 is decoded
 * as such, anything else as Latin-1 (never UTF-8 by default: company names carry
 * accented Latin-1 bytes that are invalid UTF-8).
 */
export function decodeFeed(body: Uint8Array): string {
  const head = new TextDecoder('latin1').decode(body.subarray(0, 200));
  const declared = /<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1]?.toLowerCase();
  const encoding = declared === 'utf-8' || declared === 'utf8' ? 'utf-8' : 'latin1';
  return new TextDecoder(encoding).decode(body);
}

/** Decode the XML entities the feed uses (predefined ones plus numeric references). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (whole, ref: string) => {
    const lower = ref.toLowerCase();
    if (lower === 'lt') return '<';
    if (lower === 'gt') return '>';
    if (lower === 'amp') return '&';
    if (lower === 'quot') return '"';
    if (lower === 'apos') return "'";
    const code = lower.startsWith('#x') ? Number.parseInt(lower.slice(2), 16) : Number.parseInt(lower.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** Text content of the first `<name …>…</name>` element, entities decoded; undefined if absent. */
function elementText(xml: string, name: string): string | undefined {
  const re = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`);
  const m = re.exec(xml);
  if (!m) return undefined;
  const raw = m[1] ?? '';
  const cdata = /^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/.exec(raw);
  return cdata ? cdata[1] : decodeEntities(raw);
}

/** Value of `attr` on the first `<name …>` tag (self-closing or not). */
function attribute(xml: string, name: string, attr: string): string | undefined {
  const tag = new RegExp(`<${name}\\s[^>]*>`).exec(xml)?.[0];
  if (!tag) return undefined;
  const m = new RegExp(`\\s${attr}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  const value = m?.[1] ?? m?.[2];
  return value === undefined ? undefined : decodeEntities(value);
}

/** 8-K style item codes (`Item 2.02: …`) from an already entity-decoded summary. */
export function itemsFromSummary(summaryHtml: string): string[] {
  const text = summaryHtml.replace(/<[^>]*>/g, '\n');
  const items: string[] = [];
  for (const m of text.matchAll(/Item\s+(\d{1,2}\.\d{2})\s*:/g)) {
    if (m[1] && !items.includes(m[1])) items.push(m[1]);
  }
  return items;
}

function parseEntry(xml: string, index: number): FeedEntry {
  const fail = (what: string) => new SourceError('parse', `EDGAR feed entry ${index + 1}: ${what}`);
  const id = elementText(xml, 'id')?.trim();
  if (!id) throw fail('no <id>');
  const accession = /accession-number=(\S+)$/.exec(id)?.[1];
  if (!accession || !ACCESSION_RE.test(accession)) throw fail(`<id> ${JSON.stringify(id)} carries no accession number`);

  const title = elementText(xml, 'title')?.trim();
  if (!title) throw fail('no <title>');
  // Title: "<form> - <company> (<10-digit CIK>) (<role>)"; the company name may itself
  // contain " - ", so the form comes from <category term> and the tail is anchored.
  const tail = /^(.*) \((\d{10})\) \(([^()]+)\)$/.exec(title);
  if (!tail) throw fail(`title ${JSON.stringify(title)} does not end in "(CIK) (role)"`);
  const form = attribute(xml, 'category', 'term')?.trim() || /^(.+?) - /.exec(tail[1] ?? '')?.[1];
  if (!form) throw fail('no form type');
  const head = tail[1] ?? '';
  const companyName = head.startsWith(`${form} - `) ? head.slice(form.length + 3) : head.replace(/^.+? - /, '');

  const updated = elementText(xml, 'updated')?.trim();
  const updatedMs = updated ? Date.parse(updated) : Number.NaN;
  if (!updated || !Number.isFinite(updatedMs)) throw fail(`bad <updated> ${JSON.stringify(updated)}`);

  const summary = elementText(xml, 'summary') ?? '';
  const filedDate = /Filed:\s*(?:<[^>]*>\s*)*(\d{4}-\d{2}-\d{2})/.exec(summary)?.[1];
  return {
    accession,
    form,
    companyName: companyName.trim(),
    cik: unpadCik(tail[2] ?? ''),
    role: (tail[3] ?? '').trim(),
    filedDate,
    updated,
    updatedMs,
    indexUrl: attribute(xml, 'link', 'href'),
    items: itemsFromSummary(summary),
  };
}

/**
 * Parse one decoded feed page. Throws `SourceError('parse')` on anything that is not a
 * complete getcurrent Atom document.
 */
export function parseFeed(xml: string): FeedPage {
  const body = xml.replace(/^\uFEFF/, '').trim();
  const withoutProlog = body.replace(/^<\?xml[^>]*\?>\s*/, '');
  if (!/^<feed[\s>]/.test(withoutProlog)) {
    const hint = /<title>([^<]{0,80})/i.exec(body)?.[1]?.trim();
    throw new SourceError('parse', `EDGAR feed is not an Atom document${hint ? ` (page title: ${JSON.stringify(hint)})` : ''}`);
  }
  if (!/<\/feed>$/.test(withoutProlog)) throw new SourceError('parse', 'EDGAR feed is truncated (no closing </feed>)');

  const opens = withoutProlog.match(/<entry[\s>]/g)?.length ?? 0;
  const blocks = [...withoutProlog.matchAll(/<entry(?:\s[^>]*)?>([\s\S]*?)<\/entry>/g)].map((m) => m[1] ?? '');
  if (blocks.length !== opens) throw new SourceError('parse', `EDGAR feed has ${opens} <entry> tags but ${blocks.length} complete entries`);

  const entries = blocks.map(parseEntry);
  const feedHead = withoutProlog.split(/<entry[\s>]/)[0] ?? '';
  return { updated: elementText(feedHead, 'updated')?.trim(), entries, filings: dedupeEntries(entries) };
}

/** Group role entries into filings, keeping feed order (first appearance). */
export function dedupeEntries(entries: readonly FeedEntry[]): FeedFiling[] {
  const byAccession = new Map<string, FeedFiling>();
  for (const e of entries) {
    let filing = byAccession.get(e.accession);
    if (!filing) {
      filing = {
        accession: e.accession,
        form: e.form,
        filedDate: e.filedDate,
        updated: e.updated,
        updatedMs: e.updatedMs,
        items: [...e.items],
        companies: [],
      };
      byAccession.set(e.accession, filing);
    }
    for (const item of e.items) if (!filing.items.includes(item)) filing.items.push(item);
    if (!filing.companies.some((c) => c.cik === e.cik && c.role === e.role))
      filing.companies.push({ cik: e.cik, name: e.companyName, role: e.role });
  }
  return [...byAccession.values()];
}

/**
 * True when a getcurrent response is EDGAR's "end of feed": HTTP 503 with the
 * "File Unavailable" page (served for `start` beyond ~5000).
 */
export function isEndOfFeed(status: number): boolean {
  return status === 503;
}
