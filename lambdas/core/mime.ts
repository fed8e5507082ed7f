import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { headerText, isValidEmail, safeUrl } from './escape.ts';

/** A rendered email: one multipart message with HTML and plain text. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Envelope and extra headers of one message. */
export interface MimeOptions {
  /** Sender address (validated) and display name. */
  from: { address: string; name?: string | undefined };
  /** One recipient address (validated). */
  to: string;
  /** Extra single-line headers (names and values are sanitised). */
  headers?: Record<string, string>;
  /**
   * RFC 2369 / RFC 8058 unsubscribe targets. With a URL the message also gets
   * `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, so mail providers can offer a
   * one-click unsubscribe that POSTs to the URL.
   */
  unsubscribe?: { url: string; mailto?: string | undefined } | undefined;
}

/** Thrown for an address that must not reach a header. */
export class InvalidAddressError extends Error {
  constructor(role: 'sender' | 'recipient', value: string) {
    super(`invalid ${role} address ${JSON.stringify(headerText(value, 80))}`);
    this.name = 'InvalidAddressError';
  }
}

/** The `List-Unsubscribe` headers for `unsubscribe`, or none when no https URL is given. */
export function unsubscribeHeaders(unsubscribe: MimeOptions['unsubscribe']): Record<string, string> {
  const url = safeUrl(unsubscribe?.url);
  if (!url) return {};
  const targets = [`<${url}>`];
  if (unsubscribe?.mailto?.startsWith('mailto:')) targets.push(`<${unsubscribe.mailto}>`);
  // RFC 8058 one-click needs an HTTPS URI, which the deployed function URL always is. The
  // local runtime's loopback server is plain http; its messages keep the header anyway so
  // local mail has exactly the production shape (no mail provider ever sees it).
  return { 'List-Unsubscribe': targets.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/**
 * Every line break as CRLF. RFC 5322 §2.3 allows CR and LF only together; SES refuses a raw
 * message with a bare LF (`MessageRejected`, which no retry fixes), and the renderers join
 * their lines with `\n`.
 */
export function toCrlf(value: string): string {
  return value.replace(/\r\n|\r|\n/g, '\r\n');
}

/**
 * One body part, always quoted-printable: QP wraps every line at 76 characters with soft
 * breaks, so a 5 kB line of HTML (a 23-entity table) becomes 998-safe lines and decodes
 * back to the same text. Left to itself the composer sends an ASCII part with short lines
 * as 7bit, which carries whatever line endings and lengths the content has.
 */
function bodyPart(content: string): { content: string; contentTransferEncoding: 'quoted-printable' } {
  return { content: toCrlf(content), contentTransferEncoding: 'quoted-printable' };
}

/**
 * Build the complete MIME message (multipart/alternative: text + HTML). nodemailer's
 * composer encodes headers (RFC 2047) and folds lines; on top of that the subject and
 * every extra header are stripped of CR/LF and control characters, and both addresses
 * are validated, so header injection is impossible whatever an upstream sends.
 *
 * The result is RFC 5322 wire format, as SES `SendRawEmail` requires: CRLF line endings
 * only (the bodies are normalised before encoding, and the composer's `newline: 'windows'`
 * rewrites any LF that is left), no line over 998 octets (both bodies quoted-printable,
 * header values bounded and folded). test/unit/notify-mime.test.ts checks every family.
 */
export async function buildMime(email: RenderedEmail, options: MimeOptions): Promise<Buffer> {
  if (!isValidEmail(options.from.address)) throw new InvalidAddressError('sender', options.from.address);
  if (!isValidEmail(options.to)) throw new InvalidAddressError('recipient', options.to);
  const extra = { ...unsubscribeHeaders(options.unsubscribe), ...(options.headers ?? {}) };
  const composer = new MailComposer({
    from: options.from.name ? { name: headerText(options.from.name, 64), address: options.from.address } : options.from.address,
    to: options.to,
    subject: headerText(email.subject, 200),
    text: bodyPart(email.text),
    html: bodyPart(email.html),
    textEncoding: 'quoted-printable',
    newline: 'windows',
    headers: Object.fromEntries(
      Object.entries(extra)
        .map(([k, v]) => [k.replace(/[^A-Za-z0-9-]/g, ''), headerText(v, 900)] as const)
        .filter(([k]) => k !== ''),
    ),
  });
  return composer.compile().build();
}
