import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Change, type ChangeDraft, finalizeChange } from '#core/change.ts';
import { escapeHtml, headerText, plainText } from '#core/escape.ts';
import { buildMime } from '#core/mime.ts';
import { renderEmail } from '#notify/render.ts';
import { diffLists } from '#sources/entity-list/diff.ts';
import { toChangeDraft } from '#sources/entity-list/drafts.ts';
import { ENTITY_LIST } from '#sources/entity-list/lists.ts';
import { toEntityRecord } from '#sources/entity-list/parse.ts';
import { decodeWords, header, parseMime, partText } from '../support/mime-parse.ts';

/**
 * Display spoofing (issue 19, item 7): what an upstream sends must not make an email read
 * differently than it is. RFC 2047 encoded-words in a title would be decoded by the mail
 * client into a right-to-left override and a fake "Bcc:" line; CSL address countries reached
 * the text part raw (ESC, RLO, NUL); `escapeHtml` kept NUL and bidi overrides.
 */

const at = new Date('2026-03-02T14:05:00Z');
const to = 'reader@example.com';
const mimeOptions = { from: { address: 'alerts@export-watch.example', name: 'export-watch' }, to };

/** C0 and C1 controls except TAB, CR and LF (line structure is checked apart), and every bidi control. */
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const BIDI_AND_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const RLO = '\u202e';
const ESC = '\u001b';
const NUL = '\u0000';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
/** An encoded-word that a mail client decodes to an RLO, a line break and a fake Bcc header. */
const SPOOF = `=?utf-8?b?${b64(`${RLO}\r\nBcc: x@evil.example`)}?=`;
const SPOOF_Q = '=?UTF-8?Q?=E2=80=AE=0D=0ABcc:_y@evil.example?=';

function frChange(title: string, extra: Partial<ChangeDraft> = {}): Change {
  return finalizeChange(
    {
      source: 'federal-register',
      kind: 'fr.document',
      naturalKey: `fr-${title.length}`,
      subject: 'BIS',
      title,
      summary: 'Summary.',
      url: 'https://www.federalregister.gov/documents/2026/03/02/2026-1/x',
      data: { type: 'Rule', htmlUrl: 'https://www.federalregister.gov/documents/2026/03/02/2026-1/x' },
      ...extra,
    },
    at,
  );
}

async function subjectOf(changes: Change[]): Promise<{ decoded: string; headers: Array<[string, string]> }> {
  const raw = await buildMime(renderEmail(changes, { email: to }), mimeOptions);
  const { headers } = parseMime(raw);
  return { decoded: decodeWords(header(headers, 'Subject') ?? ''), headers };
}

describe('encoded-words in upstream titles (issue 19, item 7)', () => {
  // `hidden`: the Bcc text exists only inside the encoded-word, so a reader must never see
  // it; the raw case shows the upstream's words on the one Subject line, as sent.
  for (const [name, title, hidden] of [
    ['B-encoded RLO + CRLF + Bcc', `Additions to the Entity List ${SPOOF}`, true],
    ['Q-encoded RLO + CRLF + Bcc', `${SPOOF_Q} Revisions`, true],
    ['raw RLO, LRI, ALM, LRM and a CRLF Bcc line', `Rule ${RLO}txt.exe\u2066\u061c\u200e\r\nBcc: z@evil.example`, false],
  ] as const) {
    it(`${name}: the decoded Subject has no control or bidi characters and no Bcc line`, async () => {
      const { decoded, headers } = await subjectOf([frChange(title)]);
      expect(decoded).not.toMatch(BIDI_AND_CONTROLS);
      if (hidden) expect(decoded).not.toMatch(/Bcc: \S+@evil/i);
      // The header a client would display, decoded once, holds no further encoded-word.
      expect(decodeWords(decoded)).toBe(decoded);
      expect(headers.map(([k]) => k.toLowerCase())).not.toContain('bcc');
      expect(headers.filter(([k]) => k.toLowerCase() === 'subject')).toHaveLength(1);
    });
  }

  it('headerText breaks every =?…?= sequence and strips C0/C1 controls and bidi controls', () => {
    const out = headerText(`a ${SPOOF} b ${SPOOF_Q} \u200f\u061c\u0085\u009b c`);
    expect(out).not.toMatch(/=\?/);
    expect(out).not.toMatch(BIDI_AND_CONTROLS);
    expect(out).toContain('a ');
  });
});

/** A CSL row of the Entity List with hostile text in every address field. */
function hostileCslRow(country: string): Record<string, unknown> {
  return {
    id: 'f'.repeat(56),
    source: ENTITY_LIST,
    name: `Example Hostile Trading Co. ${ESC}[31m`,
    alt_names: [`Alias${RLO}gnp.exe`],
    addresses: [
      { address: `1 Demo Road${NUL}`, city: `Shen${ESC}[2Jzhen`, state: `Guang${RLO}dong`, postal_code: `5180${NUL}57`, country },
    ],
    federal_register_notice: '91 FR 10488',
    start_date: '2026-03-03',
    license_requirement: 'For all items subject to the EAR.',
    license_policy: 'Presumption of denial.',
    source_list_url: 'https://www.bis.gov/regulations/ear/744#supplement-4-744',
  };
}

/** The CSL row through the real source path: parse, diff against an empty list, draft, change. */
function entityFromCsl(row: Record<string, unknown>): Change {
  const record = toEntityRecord(row, ENTITY_LIST);
  if (!record) throw new Error('row was dropped');
  const [event] = diffLists([], [record]).events;
  if (!event) throw new Error('no event');
  return finalizeChange(toChangeDraft(event, at), at);
}

describe('hostile CSL addresses (issue 19, item 7)', () => {
  const countries = [`C${ESC}[31mN`, `${RLO}NC`, `C${NUL}N`, `CN${RLO}`, 'ZZ', 'Country of China', '<b>CN</b>', `\u061cCN`];
  for (const country of countries) {
    it(`country ${JSON.stringify(country)}: neither part of the message carries a control or bidi code point, nor the raw country`, async () => {
      const change = entityFromCsl(hostileCslRow(country));
      const email = renderEmail([change], { email: to }, { countriesOfInterest: ['CN'] });
      for (const part of [email.text, email.html]) expect(part).not.toMatch(FORBIDDEN);
      const raw = await buildMime(email, mimeOptions);
      const parsed = parseMime(raw);
      for (const part of [
        partText(parsed, 'text/plain') ?? '',
        partText(parsed, 'text/html') ?? '',
        decodeWords(header(parsed.headers, 'Subject') ?? ''),
      ]) {
        expect(part).not.toMatch(FORBIDDEN);
      }
      // Not an ISO 3166 code: shown as the neutral placeholder, never as sent.
      const stripped = country.replace(BIDI_AND_CONTROLS, '');
      if (!/^[A-Z]{2}$/.test(stripped) || stripped === 'ZZ') {
        expect(email.text).not.toContain(stripped);
        expect(email.html).not.toContain(escapeHtml(stripped));
      }
    });
  }

  it('an ISO country in an address still shows (as its name)', () => {
    const change = entityFromCsl(hostileCslRow('SG'));
    const email = renderEmail([change], { email: to });
    expect(email.text).toContain('Singapore');
    expect(email.html).toContain('Singapore');
  });
});

describe('escapeHtml and plainText (issue 19, item 7)', () => {
  const anyText = fc.string({
    unit: fc.oneof(
      fc.constantFrom(
        NUL,
        ESC,
        RLO,
        '\u2066',
        '\u2069',
        '\u200e',
        '\u200f',
        '\u061c',
        '\u0085',
        '\u009b',
        '\u007f',
        '<',
        '>',
        '&',
        '"',
        "'",
        '\n',
        '\t',
      ),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    ),
    maxLength: 60,
  });

  it('property: escapeHtml output has no markup characters, no controls (but TAB/LF) and no bidi controls', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const out = escapeHtml(s);
        expect(out).not.toMatch(/[<>"']/);
        expect(out).not.toMatch(/&(?!(?:amp|lt|gt|quot|#39);)/);
        expect(out).not.toMatch(FORBIDDEN);
        expect(out).not.toMatch(/\r/);
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it('property: escapeHtml keeps every other character (decoding the five entities gives the input minus the dropped code points)', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const decoded = escapeHtml(s)
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&amp;/g, '&');
        expect(decoded).toBe(s.replace(/\r\n?/g, '\n').replace(new RegExp(FORBIDDEN.source, 'gu'), ''));
      }),
      { numRuns: 500, seed: 8 },
    );
  });

  it('property: plainText output has no controls but TAB and LF, and no bidi controls', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const out = plainText(s);
        expect(out).not.toMatch(FORBIDDEN);
        expect(out).not.toMatch(/\r/);
      }),
      { numRuns: 500, seed: 9 },
    );
  });
});
