import { describe, expect, it } from 'vitest';
import { type ChangeDraft, finalizeChange } from '#core/change.ts';
import { matchesSubscriber } from '#core/subscriber.ts';
import { escapeHtml, headerText, isValidEmail, plainText, safeUrl } from '#core/escape.ts';
import { buildMime, InvalidAddressError } from '#core/mime.ts';
import { pickShown, renderConfirmationEmail, renderEmail, subjectFor } from '#notify/render.ts';
import {
  sampleAll,
  sampleEntities,
  sampleFederalRegister,
  sampleFilings,
  sampleLanguage,
  sampleMentions,
  sampleRevenue,
} from '../support/samples.ts';

const hostile: ChangeDraft = {
  source: 'federal-register',
  kind: 'fr.document',
  naturalKey: '2026-1',
  subject: 'BIS',
  title: 'Additions <script>alert(1)</script> to the Entity List\r\nBcc: victim@example.com',
  summary: 'Abstract with <img src=x onerror=alert(1)> & "quotes"\r\nand a second line',
  url: 'javascript:alert(1)',
  importance: 'high',
  countries: ['CN'],
  data: {
    abstract: '<b>bold</b> abstract',
    htmlUrl: 'javascript:alert(2)',
    pdfUrl: 'data:text/html,<script>x</script>',
    type: 'Rule"><script>',
  },
};
const at = new Date('2026-01-01T00:00:00Z');
const subscriber = { email: 'a@example.com' };
const INTEREST = ['SG', 'CN', 'HK', 'TW', 'MY', 'AE'];
/** The text part is wrapped at 76 columns: compare with whitespace collapsed. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

/** Every email the renderer can make from the samples, for the blanket checks. */
function everyEmail() {
  const families = [sampleEntities(), sampleFederalRegister(), sampleRevenue(), sampleLanguage(), sampleFilings(), sampleAll()];
  return [
    ...families.map((c) =>
      renderEmail(
        c,
        { ...subscriber, name: 'Dana' },
        { countriesOfInterest: INTEREST, unsubscribeUrl: 'https://x.example/unsubscribe?t=abc' },
      ),
    ),
    renderEmail(sampleAll(), subscriber, {
      digest: { since: '2026-03-01T12:00:00.000Z', until: '2026-03-02T12:00:00.000Z' },
      maxChanges: 5,
    }),
    renderEmail(sampleMentions(), subscriber, {
      digest: { since: '2026-03-02T12:00:00.000Z', until: '2026-03-03T12:00:00.000Z', rollup: true },
    }),
    renderConfirmationEmail({ email: 'a@example.com', mode: 'daily', digestHour: 7 }, { confirmUrl: 'https://x.example/confirm?t=abc' }),
  ];
}

describe('rendering', () => {
  it('a daily round-up of mentions says what it is in the subject, the heading and the footer', () => {
    const email = renderEmail(sampleMentions(), subscriber, {
      digest: { since: '2026-03-02T12:00:00.000Z', until: '2026-03-03T12:00:00.000Z', rollup: true },
    });
    expect(email.subject).toMatch(/^Daily round-up: .*mention "Entity List"/);
    expect(email.html).toContain('Daily round-up · Tue 3 Mar 2026');
    expect(flat(email.text)).toContain('filings that mention export controls come once a day, in this round-up');
    expect(flat(email.text)).toContain('"Entity List" (2 filings)');
  });

  it('escapes everything from upstreams and drops non-http links', () => {
    const email = renderEmail([finalizeChange(hostile, at)], subscriber);
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(email.html).not.toContain('<b>bold');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('Rule&quot;&gt;&lt;script&gt;');
    expect(email.html).not.toMatch(/javascript:|data:text/);
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.subject).toContain('<script>'); // a header is text: escaping is the MIME encoder's job
    expect(flat(email.text)).toContain('<b>bold</b> abstract');
    expect(email.html).toContain('&lt;b&gt;bold&lt;/b&gt; abstract');
    const generic = renderEmail([finalizeChange({ ...hostile, source: 'sec-filings', kind: 'other.thing', data: {} }, at)], subscriber);
    expect(flat(generic.text)).toContain('Abstract with <img src=x onerror=alert(1)> & "quotes"');
    expect(generic.html).toContain('Abstract with &lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
    expect(generic.html).not.toMatch(/<img|javascript:/);
    expect(email.text).not.toContain('\r');
    expect(email.html).not.toMatch(/<link|src="http/);
  });

  it('uses only inline styles, tables and no remote resources, scripts or style sheets', () => {
    for (const email of everyEmail()) {
      expect(email.html).not.toMatch(/<script|<style|<link|<img|<iframe|\bsrc=|url\(|@import|class="/i);
      expect(email.html).toMatch(/^<!DOCTYPE html>/);
      expect(email.html).toContain('role="presentation"');
      expect(email.subject).not.toMatch(/[\r\n\u0000-\u001f]/);
      expect(email.text).not.toMatch(/[\r\u0000-\u0008\u000b-\u001f]/);
    }
  });

  it('never renders an empty email', () => {
    expect(() => renderEmail([], subscriber)).toThrow(/without changes/);
    expect(() => subjectFor([])).toThrow(/without changes/);
  });

  it('writes subjects that state the news, per family', () => {
    expect(subjectFor(sampleRevenue())).toBe('NVIDIA Q2 FY2026: Singapore 21.7% of revenue (+3.0 pp YoY)');
    const batch = sampleEntities(23).filter((c) => c.kind === 'entity.added');
    expect(subjectFor(batch)).toBe('BIS adds 23 entities to the Entity List (China 20, Singapore 2, UAE 1)');
    expect(subjectFor(sampleEntities())).toBe('BIS adds 8 entities to the Entity List (China 5, Singapore 2, UAE 1); 1 amended, 1 removed');
    expect(subjectFor(batch.slice(0, 1))).toBe('BIS adds Example Chip Design Innovation Co., Ltd. (China) to the Entity List');
    expect(subjectFor(sampleFilings().slice(0, 1))).toBe('NVIDIA CORP filed 10-Q (period 2025-07-27)');
    expect(subjectFor(sampleFederalRegister().slice(0, 1))).toBe(
      'BIS interim final rule: Revisions to Export Controls on Advanced Computing Items and Data Center Authorizations',
    );
    // The lead family is the one with the most important change; the rest is counted.
    expect(subjectFor([...sampleFilings().slice(1), ...sampleRevenue()])).toBe(
      'NVIDIA Q2 FY2026: Singapore 21.7% of revenue (+3.0 pp YoY) · +1 more change',
    );
    expect(subjectFor(sampleRevenue(), { digest: { since: 'a', until: 'b' } })).toMatch(/^Daily digest: NVIDIA Q2 FY2026/);
  });

  it('truncates long batches with "N more changes" and how to see them, keeping every family in view', () => {
    const all = sampleAll();
    const email = renderEmail(all, { email: 'a@example.com', name: 'Ann' }, { maxChanges: 6 });
    expect(email.text).toContain(`${all.length - 6} more changes not shown. See them all with:`);
    expect(email.text).toMatch(/npx export-watch changes --since 2026-03-02T14:05:00.000Z/);
    expect(email.html).toContain(`${all.length - 6} more changes not shown.</strong>`);
    const shown = pickShown(all, 6);
    expect(new Set(shown.map((c) => c.source))).toEqual(
      new Set(['entity-list', 'federal-register', 'sec-revenue', 'sec-export-language', 'sec-filings']),
    );
    expect(pickShown(all, 100)).toHaveLength(all.length);
    // The subject still states the whole batch.
    expect(email.subject).toMatch(/^BIS adds 8 entities/);
  });

  it('greets, summarises a multi-family email and ends with why and how to unsubscribe', () => {
    const email = renderEmail(
      sampleAll(),
      { email: 'sg@example.com', name: 'Sam', filters: { countries: ['SG'], minImportance: 'high' } },
      { unsubscribeUrl: 'https://x.example/unsubscribe?t=abc' },
    );
    expect(email.text.startsWith('Hello Sam,')).toBe(true);
    expect(email.text).toContain('In this email:');
    expect(flat(email.text)).toContain('subscribed to export-watch alerts (countries Singapore; importance high or higher)');
    expect(email.text).toContain('Unsubscribe: https://x.example/unsubscribe?t=abc');
    expect(email.html).toContain('href="https://x.example/unsubscribe?t=abc"');
    expect(email.html).toContain('In this email');
  });

  it('renders the double opt-in email with one confirm link and no unsubscribe noise', () => {
    const email = renderConfirmationEmail(
      { email: 'new@example.com', mode: 'daily', digestHour: 7, filters: { sources: ['entity-list'] } },
      { confirmUrl: 'https://x.example/confirm?t=tok' },
    );
    expect(email.subject).toBe('Confirm your export-watch subscription');
    expect(flat(email.text)).toContain('a daily digest at 07:00 New York time, for sources entity-list');
    expect(email.text).toContain('Confirm: https://x.example/confirm?t=tok');
    expect(email.html).toContain('href="https://x.example/confirm?t=tok"');
    expect(() =>
      renderConfirmationEmail({ email: 'a@example.com', mode: 'immediate', digestHour: 7 }, { confirmUrl: 'javascript:x' }),
    ).toThrow();
  });
});

describe('a 390 px phone screen (issue 21 item 10)', () => {
  const alerts = () =>
    [sampleEntities(), sampleFederalRegister(), sampleRevenue(), sampleLanguage(), sampleFilings(), sampleAll()].map(
      (c) =>
        renderEmail(c, subscriber, {
          countriesOfInterest: INTEREST,
          unsubscribeUrl: `https://x.example/unsubscribe?t=v1.${'x'.repeat(120)}`,
        }).html,
    );

  it('keeps the email at most 680 px and no wider than the screen: fixed layout, 100% wide', () => {
    for (const html of alerts()) expect(html).toContain('style="width:100%;max-width:680px;table-layout:fixed;');
  });

  it('every card has a fixed layout and lets long tokens break, so its content cannot widen it', () => {
    for (const html of alerts()) {
      const cards = html.match(/<td style="border:1px solid #d1d9e0;[^"]*"/g) ?? [];
      expect(cards.length).toBeGreaterThan(0);
      for (const td of cards) expect(td).toContain('overflow-wrap:anywhere;word-break:break-word;');
      const cardTables = html.match(/<table role="presentation" width="100%"[^>]*style="[^"]*margin:0 0 12px 0;"/g) ?? [];
      expect(cardTables).toHaveLength(cards.length);
      for (const t of cardTables) expect(t).toContain('table-layout:fixed;');
    }
  });

  it('every table with column headers (revenue, Entity List) scrolls sideways inside a 100%-wide box', () => {
    for (const html of alerts()) {
      for (const m of html.matchAll(/<table[^>]*>(?=<tr><th)/g)) {
        expect(html.slice(Math.max(0, (m.index ?? 0) - 100), m.index)).toMatch(
          /<div style="width:100%;max-width:100%;overflow-x:auto;[^"]*">$/,
        );
      }
    }
    expect((alerts()[0] ?? '').match(/<table[^>]*>(?=<tr><th)/g)?.length).toBeGreaterThan(0);
    expect((alerts()[2] ?? '').match(/<table[^>]*>(?=<tr><th)/g)?.length).toBeGreaterThan(0);
  });

  it('breaks the long unsubscribe link and addresses of the footer', () => {
    for (const html of alerts()) expect(html).toMatch(/<td style="[^"]*overflow-wrap:anywhere;[^"]*">You get this because/);
  });
});

describe('MIME', () => {
  const from = { address: 'alerts@example.com', name: 'export-watch' };

  it('builds a multipart message whose headers cannot be injected', async () => {
    const change = finalizeChange(hostile, at);
    const raw = (
      await buildMime(renderEmail([change], subscriber), {
        from,
        to: 'a@example.com',
        headers: { 'X-Evil\r\nBcc': 'x\r\nBcc: victim@example.com' },
      })
    ).toString();
    const headerBlock = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(headerBlock).not.toMatch(/^Bcc:/im);
    expect(headerBlock).toMatch(/^Subject: /m);
    expect(headerBlock).toMatch(/^From: "export-watch" <alerts@example.com>$/m);
    expect(raw).toMatch(/Content-Type: multipart\/alternative/);
    expect(raw).toMatch(/Content-Type: text\/plain/);
    expect(raw).toMatch(/Content-Type: text\/html/);
  });

  it('adds List-Unsubscribe (URL and mailto) and RFC 8058 one-click headers', async () => {
    const raw = (
      await buildMime(renderEmail(sampleFilings(), subscriber), {
        from,
        to: 'a@example.com',
        unsubscribe: { url: 'https://links.example.com/unsubscribe?t=v1.abc.def', mailto: 'mailto:unsub@example.com?subject=unsubscribe' },
      })
    ).toString();
    const headers = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
    expect(headers).toMatch(
      /^List-Unsubscribe: <https:\/\/links\.example\.com\/unsubscribe\?t=v1\.abc\.def>, <mailto:unsub@example\.com\?subject=unsubscribe>$/m,
    );
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
  });

  it('adds no unsubscribe header for a non-http target', async () => {
    const raw = (
      await buildMime(renderEmail(sampleFilings(), subscriber), { from, to: 'a@example.com', unsubscribe: { url: 'javascript:alert(1)' } })
    ).toString();
    expect(raw).not.toMatch(/List-Unsubscribe/);
  });

  it('rejects invalid sender and recipient addresses', async () => {
    const email = renderEmail(sampleFilings(), subscriber);
    await expect(buildMime(email, { from, to: 'a@example.com\r\nBcc: b@example.com' })).rejects.toBeInstanceOf(InvalidAddressError);
    await expect(buildMime(email, { from, to: 'a@example.com, b@example.com' })).rejects.toBeInstanceOf(InvalidAddressError);
    await expect(buildMime(email, { from: { address: '"x" <alerts@example.com>' }, to: 'a@example.com' })).rejects.toBeInstanceOf(
      InvalidAddressError,
    );
  });
});

describe('escaping helpers', () => {
  it('escape, sanitise and validate', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(safeUrl('https://www.sec.gov/a?b=1')).toBe('https://www.sec.gov/a?b=1');
    expect(safeUrl('data:text/html,x')).toBeUndefined();
    expect(safeUrl('not a url')).toBeUndefined();
    expect(headerText('a\r\nb\u0000c', 200)).toBe('a b c');
    expect(headerText('evil\u202egnp.exe', 200)).toBe('evilgnp.exe');
    expect(headerText('x'.repeat(300), 10)).toHaveLength(10);
    expect(plainText('a\r\nb\u001b[31mc\td')).toBe('a\nb [31mc\td');
    for (const ok of ['a@example.com', 'first.last+tag@sub.example.co.uk', "o'neil@example.com"]) expect(isValidEmail(ok)).toBe(true);
    for (const bad of [
      '',
      'a',
      'a@b',
      'a@@b.com',
      'a b@example.com',
      'a@example.com\r\n',
      '<a@example.com>',
      'a@example.com,b@example.com',
      '.a@example.com',
      'a..b@example.com',
      'a@-x.com',
      42,
    ]) {
      expect(isValidEmail(bad)).toBe(false);
    }
  });
});

describe('subscriber filters', () => {
  const change = finalizeChange(hostile, new Date());
  it('match on source, kind prefix, subject, country and importance', () => {
    expect(matchesSubscriber(change, {})).toBe(true);
    expect(matchesSubscriber(change, { sources: ['federal-register'] })).toBe(true);
    expect(matchesSubscriber(change, { sources: ['sec-filings'] })).toBe(false);
    expect(matchesSubscriber(change, { kinds: ['fr'] })).toBe(true);
    expect(matchesSubscriber(change, { kinds: ['filing'] })).toBe(false);
    expect(matchesSubscriber(change, { subjects: ['bis'] })).toBe(true);
    expect(matchesSubscriber(change, { countries: ['SG'] })).toBe(false);
    expect(matchesSubscriber(change, { countries: ['SG', 'CN'] })).toBe(true);
    expect(matchesSubscriber(change, { minImportance: 'high' })).toBe(true);
    expect(matchesSubscriber({ ...change, importance: 'normal' }, { minImportance: 'high' })).toBe(false);
  });

  it('let an Entity List rule on public inspection (countries not yet known) through a country filter, and nothing else without countries', () => {
    const pi = { ...change, kind: 'fr.public-inspection', countries: [], data: { classification: 'entity-list-addition' } };
    expect(matchesSubscriber(pi, { countries: ['SG'] })).toBe(true);
    expect(matchesSubscriber({ ...pi, data: { classification: 'advanced-computing' } }, { countries: ['SG'] })).toBe(false);
    expect(matchesSubscriber({ ...pi, source: 'sec-filings' }, { countries: ['SG'] })).toBe(false);
    expect(matchesSubscriber({ ...pi, countries: ['CN'] }, { countries: ['SG'] })).toBe(false);
  });
});
