/**
 * C0 and C1 control characters except TAB, LF and CR (CR is normalised, not dropped): NUL,
 * ESC (an ANSI sequence repaints a terminal mail reader), DEL, and the C1 set, which some
 * clients render as line breaks or escape sequences.
 */
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * Bidirectional formatting characters: the embeddings and overrides U+202A–202E (an RLO turns
 * "gnp.exe" into "exe.png"), the isolates U+2066–2069, the marks U+200E/U+200F and the Arabic
 * letter mark U+061C. No upstream text we show needs them, and each can make a line read
 * differently than it is.
 */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text as a reader may see it: bidi controls and C0/C1 controls (but TAB and LF) removed,
 * CRLF and lone CR as LF. The base of {@link escapeHtml} and {@link plainText}; the renderer
 * runs it over each finished email as a backstop.
 */
export function displaySafe(value: unknown): string {
  return String(value ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROLS, '')
    .replace(BIDI, '');
}

/**
 * Escape text for HTML element content and attribute values: the one escaper of the emails,
 * the subscription pages and the report (its HTML and inline SVG). Control and bidi
 * characters are dropped first (see {@link displaySafe}): an entity reference would not
 * neutralise them, and the C0 controls are not even valid in XML 1.0 text, so an SVG with
 * one would not parse.
 */
export function escapeHtml(value: unknown): string {
  return displaySafe(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Only http(s) URLs may become links (in emails, pages and the report); anything else (javascript:, data:, not a URL) is dropped. */
export function safeUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Make text safe for a single-line mail header: no CR/LF or other control characters
 * (header injection), no bidi controls (a subject that reads differently than it is), no
 * RFC 2047 encoded-word (`=?utf-8?b?…?=` in an upstream title would be decoded by the mail
 * client, into an RLO and a fake "Bcc:" line say: `=?` becomes `= ?`, which no client
 * decodes), collapsed whitespace, bounded length.
 */
export function headerText(value: string, max = 200): string {
  const clean = String(value ?? '')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(BIDI, '')
    .replace(/\s+/g, ' ')
    // After the removals: "=\u202e?" must not close up into an encoded-word either.
    .replace(/=\?/g, '= ?')
    .trim();
  if (clean.length <= max) return clean;
  // Cut on a code point boundary: half a surrogate pair is not valid UTF-8.
  return `${clean.slice(0, max - 1).replace(/[\ud800-\udbff]$/, '')}…`;
}

/**
 * Text from an upstream for the plain-text part: control characters other than newline
 * and tab become spaces (a stray CR or ANSI escape must not reach a terminal mail reader),
 * bidi controls removed (see {@link displaySafe}), CRLF normalised. The one sanitiser of the
 * text part: every renderer's text goes through it (`wrap`, `oneLine`, and the renderer's
 * final pass over the whole part).
 */
export function plainText(value: unknown): string {
  return String(value ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(BIDI, '');
}

/**
 * A deliberately strict address check for recipients and senders: one `local@domain`,
 * no display name, no whitespace, quotes, angle brackets, commas or control characters
 * (each of those could smuggle a second recipient or a header into the message).
 */
export function isValidEmail(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 254) return false;
  return (
    /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/.test(
      value,
    ) &&
    !value.startsWith('.') &&
    !value.includes('..') &&
    !/\.@/.test(value)
  );
}
