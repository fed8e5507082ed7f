/**
 * A small, independent reader of the raw messages `buildMime` writes, for tests: wire-format
 * checks (RFC 5322 line endings and lengths), header unfolding, RFC 2047 encoded-word
 * decoding, and the decoded bodies of a multipart/alternative message (quoted-printable,
 * base64, 7bit/8bit). Written by hand rather than with nodemailer so a bug in the composer
 * cannot hide behind the same library reading its own output.
 */

/** Most octets a line may hold, CRLF excluded (RFC 5322 §2.1.1). */
export const MAX_LINE_OCTETS = 998;

/** What is wrong with a raw message on the wire: bare CR, bare LF, lines over 998 octets. */
export function wireProblems(raw: Buffer): string[] {
  const problems: string[] = [];
  let lineStart = 0;
  let lineNo = 1;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    if (b === 0x0d) {
      if (raw[i + 1] !== 0x0a) problems.push(`bare CR at byte ${i} (line ${lineNo})`);
      continue;
    }
    if (b !== 0x0a) continue;
    if (raw[i - 1] !== 0x0d) problems.push(`bare LF at byte ${i} (line ${lineNo})`);
    const length = i - lineStart - (raw[i - 1] === 0x0d ? 1 : 0);
    if (length > MAX_LINE_OCTETS) problems.push(`line ${lineNo} has ${length} octets`);
    lineStart = i + 1;
    lineNo++;
  }
  if (raw.length - lineStart > MAX_LINE_OCTETS) problems.push(`last line has ${raw.length - lineStart} octets`);
  return problems;
}

/** Decode RFC 2047 encoded-words (`=?utf-8?B?…?=`, `=?utf-8?Q?…?=`); whitespace between adjacent words is dropped. */
export function decodeWords(value: string): string {
  const word = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  // Whitespace between two encoded-words is not part of the text (RFC 2047 §6.2).
  const joined = value.replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?)/g, '$1');
  return joined.replace(word, (_m, charset: string, enc: string, text: string) => {
    const bytes = enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qpBytes(text.replace(/_/g, ' '));
    return new TextDecoder(charset.toLowerCase().replace(/\*.*$/, '')).decode(bytes);
  });
}

function qpBytes(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(...Buffer.from(ch, 'latin1'));
  }
  return Buffer.from(out);
}

/** A quoted-printable body → its bytes: soft breaks (`=` CRLF) removed, `=XX` decoded. */
export function decodeQuotedPrintable(body: string): Buffer {
  return qpBytes(body.replace(/=\r?\n/g, ''));
}

/** One header block: unfolded lines as `[name, value]`, in order (names as written). */
export function parseHeaders(block: string): Array<[string, string]> {
  const unfolded = block.replace(/\r\n([ \t])/g, '$1');
  return unfolded
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => {
      const colon = l.indexOf(':');
      return [l.slice(0, colon), l.slice(colon + 1).trim()] as [string, string];
    });
}

/** The first header called `name` (case-insensitive), raw (not decoded). */
export function header(headers: Array<[string, string]>, name: string): string | undefined {
  return headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

/** A decoded leaf part. */
export interface ParsedPart {
  headers: Array<[string, string]>;
  contentType: string;
  transferEncoding: string;
  /** The body decoded to text (UTF-8). */
  text: string;
}

/** A parsed message: its top-level headers and its leaf parts (multipart/* flattened). */
export interface ParsedMessage {
  headers: Array<[string, string]>;
  parts: ParsedPart[];
}

function splitHead(entity: string): [string, string] {
  const end = entity.indexOf('\r\n\r\n');
  return end < 0 ? [entity, ''] : [entity.slice(0, end), entity.slice(end + 4)];
}

function decodeBody(body: string, encoding: string): string {
  const enc = encoding.toLowerCase();
  const bytes =
    enc === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : enc === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
        : Buffer.from(body, 'latin1');
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function leaves(entity: string, out: ParsedPart[]): Array<[string, string]> {
  const [head, body] = splitHead(entity);
  const headers = parseHeaders(head);
  const contentType = header(headers, 'Content-Type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (/^multipart\//i.test(contentType) && boundary) {
    const chunks = body.split(`--${boundary}`);
    // chunks[0] is the preamble; the last one starts with `--` (the close delimiter).
    for (const chunk of chunks.slice(1)) {
      if (chunk.startsWith('--')) break;
      leaves(chunk.replace(/^\r\n/, '').replace(/\r\n$/, ''), out);
    }
  } else {
    const transferEncoding = header(headers, 'Content-Transfer-Encoding') ?? '7bit';
    out.push({ headers, contentType, transferEncoding, text: decodeBody(body, transferEncoding) });
  }
  return headers;
}

/** Parse a raw message (as `buildMime` returns it). */
export function parseMime(raw: Buffer): ParsedMessage {
  const parts: ParsedPart[] = [];
  const headers = leaves(raw.toString('latin1'), parts);
  return { headers, parts };
}

/** The decoded text of the first leaf part of type `type` (`text/plain`, `text/html`). */
export function partText(message: ParsedMessage, type: string): string | undefined {
  return message.parts.find((p) => p.contentType.toLowerCase().startsWith(type))?.text;
}
