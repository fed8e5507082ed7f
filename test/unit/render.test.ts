import { describe, expect, it } from 'vitest';
import { type ChangeDraft, finalizeChange } from '../../lambdas/core/change.ts';
import { matchesSubscriber } from '../../lambdas/core/subscriber.ts';
import { escapeHtml, headerText, safeUrl } from '../../lambdas/notify/escape.ts';
import { buildMime } from '../../lambdas/notify/mime.ts';
import { renderEmail, subjectFor } from '../../lambdas/notify/render.ts';

const hostile: ChangeDraft = {
  source: 'federal-register',
  kind: 'fr.document',
  naturalKey: '2026-1',
  subject: 'BIS',
  title: 'Additions <script>alert(1)</script> to the Entity List\r\nBcc: victim@example.com',
  summary: 'Abstract with <img src=x onerror=alert(1)> & "quotes"',
  url: 'javascript:alert(1)',
  importance: 'high',
  countries: ['CN'],
  data: {},
};

describe('rendering', () => {
  it('escapes everything from upstreams and drops non-http links', () => {
    const email = renderEmail([finalizeChange(hostile, new Date('2026-01-01T00:00:00Z'))], { email: 'a@example.com' });
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).not.toContain('javascript:');
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.text).toContain('Abstract with <img src=x onerror=alert(1)> & "quotes"');
    expect(email.html).not.toMatch(/<link|src="http/);
  });

  it('never renders an empty email', () => {
    expect(() => renderEmail([], { email: 'a@example.com' })).toThrow(/without changes/);
    expect(() => subjectFor([])).toThrow(/without changes/);
  });

  it('puts the most important change in the subject and truncates long batches', () => {
    const low = (i: number) => finalizeChange({ ...hostile, naturalKey: `n${i}`, title: `Notice ${i}`, importance: 'low' }, new Date('2026-01-01T00:00:00Z'));
    const lead = finalizeChange({ ...hostile, naturalKey: 'lead', title: 'BIS adds 23 entities to the Entity List' }, new Date('2026-01-01T00:00:00Z'));
    const batch = [...Array.from({ length: 30 }, (_, i) => low(i)), lead];
    const email = renderEmail(batch, { email: 'a@example.com', name: 'Ann' }, { maxChanges: 10 });
    expect(email.subject).toBe('export-watch: BIS adds 23 entities to the Entity List (+30 more)');
    expect(email.text).toContain('21 more changes not shown');
    expect(email.text).toContain('export-watch changes --since 2026-01-01T00:00:00.000Z');
    expect(email.text.match(/^\* /gm)).toHaveLength(10);
  });

  it('builds a multipart MIME message whose headers cannot be injected', async () => {
    const change = finalizeChange(hostile, new Date('2026-01-01T00:00:00Z'));
    const raw = (await buildMime(renderEmail([change], { email: 'a@example.com' }), 'alerts@example.com', 'a@example.com')).toString();
    const headerBlock = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(headerBlock).not.toMatch(/^Bcc:/im);
    expect(headerBlock).toMatch(/^Subject: /m);
    expect(raw).toMatch(/Content-Type: multipart\/alternative/);
    expect(raw).toMatch(/Content-Type: text\/plain/);
    expect(raw).toMatch(/Content-Type: text\/html/);
  });

  it('helpers', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(safeUrl('https://www.sec.gov/a?b=1')).toBe('https://www.sec.gov/a?b=1');
    expect(safeUrl('data:text/html,x')).toBeUndefined();
    expect(headerText('a\r\nb\u0000c', 200)).toBe('a b c');
    expect(headerText('x'.repeat(300), 10)).toHaveLength(10);
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
});
