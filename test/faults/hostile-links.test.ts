import { describe, expect, it } from 'vitest';
import type { Change } from '#core/change.ts';
import { configuredLinkHosts, SOURCE_LINK_HOSTS, sourceLinkAllowed } from '#notify/links.ts';
import { type RenderOptions, renderEmail } from '#notify/render.ts';
import { sampleEntities, sampleFederalRegister, sampleFilings, sampleLanguage, sampleRevenue } from '../support/samples.ts';

/**
 * Links only to the source's own domains (issue 19, item 2, the renderer half): a 302 from
 * the Federal Register to another host once produced a change whose link pointed at a
 * phishing page, and the email carried it. Whatever URL a change holds, an email links only
 * to hosts of that change's source (sec.gov for the SEC sources, federalregister.gov and
 * govinfo.gov for the Federal Register, the CSL's publishers for the lists), plus the
 * product's own unsubscribe link. Anything else is not a link in either part.
 */

const UNSUBSCRIBE = 'https://links.export-watch.example/unsubscribe?t=abc';
const subscriber = { email: 'reader@example.com' };

/** Hosts an attacker can point a change at: look-alikes, suffix tricks, credentials, other schemes' hosts. */
const EVIL_URLS = [
  'https://evil.example/phish',
  'https://www.sec.gov.evil.example/Archives/edgar/data/1/x.htm',
  'https://evilsec.gov/Archives/x.htm',
  'https://www.sec.gov@evil.example/Archives/x.htm',
  'https://evil.example/https://www.sec.gov/Archives/x.htm',
  'http://federalregister.gov.evil.example/documents/x',
  'https://xn--sec-gov-9ya.example/x',
  'https://127.0.0.1:8443/x',
];

/** `change` with every URL it carries (its `url` and any http(s) string in `data`, nested) replaced by `evil`. */
function poison(change: Change, evil: string): Change {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return /^https?:\/\//i.test(v) ? evil : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { ...change, url: evil, data: walk(change.data) as Record<string, unknown> };
}

const FAMILIES: Array<[string, () => Change[], string[]]> = [
  ['SEC filings', sampleFilings, ['sec.gov']],
  ['regional revenue', sampleRevenue, ['sec.gov']],
  ['export-control language', sampleLanguage, ['sec.gov']],
  ['Federal Register', sampleFederalRegister, ['federalregister.gov', 'govinfo.gov']],
  ['Entity List', () => sampleEntities(8), ['bis.gov', 'federalregister.gov']],
];

const hrefs = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
const textUrls = (text: string) => [...text.matchAll(/\b(?:https?:\/\/|www\.)[^\s<>"]+/gi)].map((m) => m[0]);
const hostOf = (url: string) => new URL(/^www\./i.test(url) ? `https://${url}` : url).hostname;
const under = (host: string, domains: readonly string[]) => domains.some((d) => host === d || host.endsWith(`.${d}`));

function render(changes: Change[], extra: RenderOptions = {}) {
  return renderEmail(changes, subscriber, { unsubscribeUrl: UNSUBSCRIBE, maxChanges: 50, ...extra });
}

describe('links only to the source’s own domains (issue 19, item 2)', () => {
  for (const [name, make, domains] of FAMILIES) {
    it(`${name}: the samples link to their own hosts only`, () => {
      const email = render(make());
      const links = hrefs(email.html).filter((u) => u !== UNSUBSCRIBE);
      expect(links.length).toBeGreaterThan(0);
      for (const u of links) expect(under(hostOf(u), domains), u).toBe(true);
    });

    for (const evil of EVIL_URLS) {
      it(`${name}: a change pointing at ${evil} gets no href and no URL in the text part`, () => {
        const email = render(make().map((c) => poison(c, evil)));
        const evilHost = new URL(evil).hostname;
        for (const u of hrefs(email.html)) {
          expect(u === UNSUBSCRIBE || under(hostOf(u), domains), `href ${u}`).toBe(true);
          expect(hostOf(u)).not.toBe(evilHost);
        }
        for (const u of textUrls(email.text)) expect(u === UNSUBSCRIBE || under(hostOf(u), domains), `text URL ${u}`).toBe(true);
        expect(email.text).not.toContain(evil);
        expect(email.html).not.toContain(`href="${evil}`);
      });
    }
  }

  it('a change of one source cannot link to another source’s hosts (an SEC filing pointing at federalregister.gov)', () => {
    const [filing] = sampleFilings();
    const email = render([poison(filing as Change, 'https://www.federalregister.gov/documents/x')]);
    expect(hrefs(email.html).filter((u) => u !== UNSUBSCRIBE)).toEqual([]);
    expect(email.text).not.toContain('federalregister.gov/documents/x');
  });

  it('the host of a configured base URL (the fake upstream, the local demo) is accepted for its source only', () => {
    const local = 'http://127.0.0.1:4567/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm';
    const filings = sampleFilings().map((c) => poison(c, local));
    expect(hrefs(render(filings).html)).toEqual([UNSUBSCRIBE]);
    const linkHosts = configuredLinkHosts({
      secWww: 'http://127.0.0.1:4567',
      secData: 'http://127.0.0.1:4567',
      federalRegister: 'http://127.0.0.1:4568',
      csl: 'http://127.0.0.1:4569/consolidated.json',
    });
    const withConfig = render(filings, { linkHosts });
    expect(hrefs(withConfig.html)).toContain(local);
    expect(withConfig.text).toContain(`Document: ${local}`);
    // The SEC base URL's host is not a Federal Register host.
    const fr = sampleFederalRegister().map((c) => poison(c, 'http://127.0.0.1:4567/documents/x'));
    expect(hrefs(render(fr, { linkHosts }).html)).toEqual([UNSUBSCRIBE]);
  });

  it('sourceLinkAllowed: suffixes match on a dot boundary; credentials, other schemes and unknown sources are refused', () => {
    expect(sourceLinkAllowed('sec-filings', 'https://www.sec.gov/x')).toBe(true);
    expect(sourceLinkAllowed('sec-filings', 'https://sec.gov/x')).toBe(true);
    expect(sourceLinkAllowed('sec-filings', 'https://evilsec.gov/x')).toBe(false);
    expect(sourceLinkAllowed('sec-filings', 'https://user:pw@www.sec.gov/x')).toBe(false);
    expect(sourceLinkAllowed('sec-filings', 'javascript:alert(1)//www.sec.gov')).toBe(false);
    expect(sourceLinkAllowed('federal-register', 'https://public-inspection.federalregister.gov/2026-04112.pdf')).toBe(true);
    expect(sourceLinkAllowed('federal-register', 'https://www.govinfo.gov/content/pkg/x.pdf')).toBe(true);
    expect(
      sourceLinkAllowed('entity-list', 'http://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern/entity-list'),
    ).toBe(true);
    expect(sourceLinkAllowed('entity-list', 'https://www.trade.gov/consolidated-screening-list')).toBe(true);
    expect(sourceLinkAllowed('not-a-source', 'https://www.sec.gov/x')).toBe(false);
    for (const hosts of Object.values(SOURCE_LINK_HOSTS)) expect(hosts.length).toBeGreaterThan(0);
  });
});
