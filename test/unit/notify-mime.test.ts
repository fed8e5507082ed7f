import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Change, type ChangeDraft, finalizeChange } from '#core/change.ts';
import { buildMime, type MimeOptions } from '#core/mime.ts';
import { type RenderedEmail, renderConfirmationEmail, renderEmail } from '#notify/render.ts';
import { sampleAll, sampleEntities, sampleFederalRegister, sampleFilings, sampleLanguage, sampleRevenue } from '../support/samples.ts';
import { decodeWords, header, parseMime, partText, wireProblems } from '../support/mime-parse.ts';

/**
 * Issue 19, item 1: SES takes raw messages only as RFC 5322 wire format: every line ends in
 * CRLF and holds at most 998 octets. A message with bare LFs or a 4,817-byte line is refused
 * (`MessageRejected`, permanent): the alert is lost for every subscriber. These tests build
 * the message of every change family, a 23-entity Entity List rule, a maximal digest and
 * random hostile text, and read each back with an independent parser.
 */

const at = new Date('2026-03-02T14:05:00Z');
const OPTIONS: MimeOptions = {
  from: { address: 'alerts@export-watch.example', name: 'export-watch' },
  to: 'reader@example.com',
  headers: { 'X-Export-Watch-Kind': 'alert', 'X-Export-Watch-Changes': '3' },
  unsubscribe: { url: 'https://links.example/unsubscribe?t=abc', mailto: 'mailto:unsub@export-watch.example?subject=unsubscribe' },
};
const render = (changes: Change[], extra: Parameters<typeof renderEmail>[2] = {}) =>
  renderEmail(
    changes,
    { email: 'reader@example.com', name: 'Dana' },
    { countriesOfInterest: ['SG', 'CN'], unsubscribeUrl: 'https://links.example/unsubscribe?t=abc', ...extra },
  );

/** A change no family claims (the generic renderer's). */
function otherChange(title = 'Something else changed', summary = 'A summary.'): Change {
  return finalizeChange(
    { source: 'sec-filings', kind: 'misc.thing', naturalKey: 'k', subject: 'X', title, summary, data: {} } as unknown as ChangeDraft,
    at,
  );
}

/** The maximal digest: 2,000 changes (DIGEST_MAX_CHANGES) of every family, 500 shown (the config's maxChangesPerEmail cap). */
function maximalDigest(): Change[] {
  const others = [...sampleFederalRegister(), ...sampleRevenue(), ...sampleLanguage(), ...sampleFilings(), otherChange()];
  return [...sampleEntities(2000 - others.length - 2), ...others];
}

const CASES: Array<[string, () => RenderedEmail]> = [
  ['SEC filings', () => render(sampleFilings())],
  ['regional revenue', () => render(sampleRevenue())],
  ['export-control language', () => render(sampleLanguage())],
  ['Federal Register', () => render(sampleFederalRegister())],
  ['Entity List rule with 23 entities', () => render(sampleEntities(23))],
  ['other changes (generic)', () => render([otherChange()])],
  ['every family in one email', () => render(sampleAll())],
  [
    'maximal digest (2,000 changes, 500 shown)',
    () => render(maximalDigest(), { maxChanges: 500, digest: { since: '2026-03-01T12:00:00.000Z', until: '2026-03-02T12:00:00.000Z' } }),
  ],
  [
    'confirmation',
    () =>
      renderConfirmationEmail(
        { email: 'reader@example.com', mode: 'daily', digestHour: 7 },
        { confirmUrl: 'https://links.example/confirm?t=abc' },
      ),
  ],
];

/** The renderer's text with its line breaks as the message must carry them. */
const crlf = (s: string) => s.replace(/\r\n|\r|\n/g, '\r\n');

function expectWireSafe(raw: Buffer): void {
  expect(wireProblems(raw).slice(0, 5)).toEqual([]);
}

describe('MIME wire format (issue 19, item 1)', () => {
  for (const [name, make] of CASES) {
    it(`${name}: CRLF only, no line over 998 octets, and both parts decode back to the rendered text`, async () => {
      const email = make();
      const raw = await buildMime(email, OPTIONS);
      expectWireSafe(raw);
      const parsed = parseMime(raw);
      expect(decodeWords(header(parsed.headers, 'Subject') ?? '')).toBe(email.subject);
      expect(partText(parsed, 'text/plain')).toBe(crlf(email.text));
      expect(partText(parsed, 'text/html')).toBe(crlf(email.html));
      // Both parts are encoded (QP wraps at 76): a 7bit/8bit part would carry the renderer's
      // lines, however long, straight onto the wire.
      for (const p of parsed.parts) expect(['quoted-printable', 'base64']).toContain(p.transferEncoding.toLowerCase());
    });
  }

  it('the maximal digest is big enough to matter (hundreds of kB of HTML)', async () => {
    const [, make] = CASES.find(([n]) => n.startsWith('maximal')) as (typeof CASES)[number];
    const email = make();
    expect(email.html.length).toBeGreaterThan(200_000);
    expect((await buildMime(email, OPTIONS)).length).toBeGreaterThan(email.html.length);
  });

  it('an ASCII-only email with short lines (which the composer would send as 7bit) still goes out CRLF', async () => {
    const email: RenderedEmail = {
      subject: 'Plain',
      text: 'line one\nline two\n\nline four\r\nline five\rline six',
      html: '<p>a</p>\n<p>b</p>',
    };
    const raw = await buildMime(email, OPTIONS);
    expectWireSafe(raw);
    const parsed = parseMime(raw);
    expect(partText(parsed, 'text/plain')).toBe(crlf(email.text));
    expect(partText(parsed, 'text/html')).toBe(crlf(email.html));
  });

  it('property: random titles and summaries (long tokens, CR/LF/CRLF, unicode) never break the wire format', async () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.constantFrom('\n', '\r', '\r\n', '\r\r\n', '\n\r', ' ', '\t', '=', '=?utf-8?B?AAA?=', '.', '\u00a0'),
      // a long token with no place to break (a URL, a base64 blob, a list of accession numbers)
      fc.integer({ min: 500, max: 5000 }).map((n) => 'x'.repeat(n)),
      fc.integer({ min: 100, max: 1200 }).map((n) => 'é'.repeat(n)),
    );
    const text = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(text, text, fc.constantFrom('fr.document', 'filing.new', 'misc.thing'), async (title, summary, kind) => {
        const source = kind === 'fr.document' ? 'federal-register' : 'sec-filings';
        const change = finalizeChange(
          { source, kind, naturalKey: 'k', subject: 'S', title: title || 't', summary, data: { abstract: summary } } as ChangeDraft,
          at,
        );
        const email = render([change]);
        const raw = await buildMime(email, OPTIONS);
        expect(wireProblems(raw)).toEqual([]);
        const parsed = parseMime(raw);
        expect(partText(parsed, 'text/plain')).toBe(crlf(email.text));
        expect(partText(parsed, 'text/html')).toBe(crlf(email.html));
      }),
      { numRuns: 150, seed: 19 },
    );
  });

  it('long extra header values are folded or bounded within 998 octets', async () => {
    const email = render(sampleFilings());
    const raw = await buildMime(email, {
      ...OPTIONS,
      headers: { 'X-Long': 'y'.repeat(3000), 'X-Words': 'word '.repeat(600), 'X-Unicode': 'ü'.repeat(900) },
    });
    expectWireSafe(raw);
  });
});
