import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { headerText } from './escape.ts';
import type { RenderedEmail } from './render.ts';

/**
 * Build the complete MIME message (multipart/alternative: text + HTML). nodemailer's
 * composer encodes headers (RFC 2047) and folds lines; the subject is additionally
 * stripped of CR/LF so header injection is impossible whatever an upstream sends.
 */
export async function buildMime(email: RenderedEmail, from: string, to: string, headers: Record<string, string> = {}): Promise<Buffer> {
  const composer = new MailComposer({
    from,
    to,
    subject: headerText(email.subject, 200),
    text: email.text,
    html: email.html,
    textEncoding: 'quoted-printable',
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [headerText(k, 60), headerText(v, 500)])),
  });
  return composer.compile().build();
}
