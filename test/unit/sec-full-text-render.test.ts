import { describe, expect, it } from 'vitest';
import { type Change, finalizeChange } from '#core/change.ts';
import { familyOf } from '#notify/render/families.ts';
import { groupByQuery, mentionsRenderer } from '#notify/render/mentions.ts';
import { renderEmail } from '#notify/render.ts';
import { DEFAULT_QUERIES, groupMentions, mentionDraft, phraseSpan } from '#sources/sec-full-text/detect.ts';
import { PASSAGE_ENTITY_LIST, PASSAGE_LICENSING } from '../support/upstreams/sec-full-text.ts';

const DETECTED = new Date('2026-11-18T16:10:00Z');

function mention(seq: number, company: string, queryIndex: number, passage: string, fileDate = '2026-11-18'): Change {
  const cik = String(9990000 + seq).padStart(10, '0');
  const q = DEFAULT_QUERIES[queryIndex]!;
  const [m] = groupMentions(q.id, [
    {
      adsh: `${cik}-26-900001`,
      filename: 'doc.htm',
      ciks: [cik],
      displayNames: [`${company}  (CIK ${cik})`],
      form: '10-Q',
      fileType: '10-Q',
      fileDate,
      items: [],
    },
  ]);
  return finalizeChange(mentionDraft(m!, q, { text: passage, document: 'doc.htm', span: phraseSpan(passage, q.phrase) }, false), DETECTED);
}

const subscriber = { email: 'reader@example.com' };

describe('filing.mention emails (issue 17, item 1)', () => {
  const changes = [
    mention(1, 'EXAMPLE RESELLER PTE LTD', 0, PASSAGE_ENTITY_LIST),
    mention(2, 'EXAMPLE DISTRIBUTOR <b>INC</b>', 1, PASSAGE_LICENSING, '2026-11-17'),
    mention(3, 'EXAMPLE SUPPLIER CO', 0, PASSAGE_ENTITY_LIST, '2026-11-17'),
  ];

  it('are rendered by the mentions family, not the generic filings one', () => {
    for (const c of changes) expect(familyOf(c).id).toBe('mentions');
  });

  it("group a day's mentions per query: one section per phrase, its filings by date", () => {
    expect(groupByQuery(changes).map(([q, list]) => [q, list.map((c) => c.subject)])).toEqual([
      ['Entity List', ['EXAMPLE SUPPLIER CO', 'EXAMPLE RESELLER PTE LTD']],
      ['export license', ['EXAMPLE DISTRIBUTOR <b>INC</b>']],
    ]);
    const { html, text } = mentionsRenderer.render(changes, { interest: new Set() });
    expect(html.indexOf('&ldquo;Entity List&rdquo; &middot; 2 filings')).toBeGreaterThanOrEqual(0);
    expect(html.indexOf('&ldquo;export license&rdquo; &middot; 1 filing')).toBeGreaterThan(html.indexOf('&ldquo;Entity List&rdquo;'));
    expect(text).toContain('"Entity List" (2 filings)');
    expect(text).toContain('"export license" (1 filing)');
  });

  it('show company, form, date and the passage with the phrase highlighted, escaped, linking the filing index on sec.gov', () => {
    const email = renderEmail(changes, subscriber, { unsubscribeUrl: 'https://links.export-watch.example/u?t=1', maxChanges: 50 });
    expect(email.html).toContain('EXAMPLE DISTRIBUTOR &lt;b&gt;INC&lt;/b&gt;');
    expect(email.html).not.toContain('<b>INC</b>');
    expect(email.html).toMatch(/U\.S\. <span style="[^"]*background:#fff5d6[^"]*">Entity List<\/span> or other USG/);
    expect(email.html).toMatch(/<span style="[^"]*">export licensing<\/span> requirements/);
    expect(email.html).toContain('2026-11-17');
    expect(email.html).toContain('10-Q');
    const hrefs = [...email.html.matchAll(/href="([^"]*)"/g)]
      .map((m) => m[1]!.replace(/&amp;/g, '&'))
      .filter((u) => !u.startsWith('https://links.export-watch.example'));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const u of hrefs)
      expect(u).toMatch(/^https:\/\/www\.sec\.gov\/Archives\/edgar\/data\/\d+\/\d{18}\/\d{10}-\d{2}-\d{6}-index\.htm$/);
    expect(email.text).toContain('>>Entity List<<');
    expect(email.text).toContain('Filing index: https://www.sec.gov/Archives/edgar/data/9990001/');
  });

  it('link nothing but sec.gov: a mention pointing elsewhere gets no link in either part', () => {
    const evil = { ...changes[0]!, url: 'https://www.sec.gov.evil.example/x-index.htm' };
    const email = renderEmail([evil], subscriber, { unsubscribeUrl: 'https://links.export-watch.example/u?t=1', maxChanges: 50 });
    expect(email.html).not.toContain('evil.example');
    expect(email.text).not.toContain('evil.example');
  });

  it('a bad highlight span (out of range) shows the passage without a highlight', () => {
    const c = { ...changes[0]!, data: { ...changes[0]!.data, passageSpan: [5, 99_999] } };
    const { html } = mentionsRenderer.render([c], { interest: new Set() });
    expect(html).toContain('Government actions');
    expect(html).not.toContain('background:#fff5d6');
  });
});
