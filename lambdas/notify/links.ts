import type { SourceName } from '#core/change.ts';
import { signToken } from './tokens.ts';

/** Where the confirm and unsubscribe endpoints live, and the key that signs their tokens. */
export interface LinkSettings {
  /** Base URL of the endpoint (function URL, custom domain, or the local link server). */
  baseUrl: string;
  /** Returns the signing key (cached by the provider). */
  key: () => Promise<Buffer>;
  /** Optional mailbox for a `mailto:` List-Unsubscribe target. */
  mailto?: string | undefined;
  /**
   * A line every email with these links carries in its footer: the local runtime says its
   * link server answers only while it runs (the links are dead after `run --once` or the demo).
   */
  note?: string | undefined;
}

/** The signed links of one recipient. */
export interface RecipientLinks {
  unsubscribe: string;
  confirm: string;
  /** `mailto:` unsubscribe target when configured. */
  unsubscribeMailto?: string | undefined;
}

/** `https://x.example/base` + `unsubscribe` → `https://x.example/base/unsubscribe`. */
export function endpointUrl(baseUrl: string, path: 'unsubscribe' | 'confirm', token: string): string {
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  const url = new URL(path, base);
  url.search = new URLSearchParams({ t: token }).toString();
  return url.toString();
}

/** Sign the links for `email` at `now`. */
export async function linksFor(settings: LinkSettings, email: string, now: Date): Promise<RecipientLinks> {
  const key = await settings.key();
  return {
    unsubscribe: endpointUrl(settings.baseUrl, 'unsubscribe', signToken(key, email, 'unsubscribe', now)),
    confirm: endpointUrl(settings.baseUrl, 'confirm', signToken(key, email, 'confirm', now)),
    ...(settings.mailto
      ? { unsubscribeMailto: `mailto:${settings.mailto}?subject=${encodeURIComponent(`unsubscribe ${email.toLowerCase()}`)}` }
      : {}),
  };
}

// ---------------------------------------------------------------------------- source links

/**
 * The domains each source's changes may link to (a host matches a domain or any subdomain
 * of it, on a dot boundary). A change's URLs come from upstream data: the Federal Register's
 * `html_url`, the CSL's `source_list_url`, or a redirect target (issue 19, item 2: a 302 to
 * another host once put a phishing link in an email). An email links only to these, to the
 * hosts of the configured base URLs ({@link configuredLinkHosts}), and to the product's own
 * unsubscribe and confirm links; any other URL is no link in either part.
 *
 * - SEC sources: sec.gov (www., data., efts.).
 * - Federal Register: federalregister.gov (www., public-inspection.) and govinfo.gov (the PDFs).
 * - Entity List and the other CSL lists: trade.gov (the CSL), bis.gov and bis.doc.gov (BIS's
 *   `source_list_url`s), federalregister.gov (the FR citations), and the publishers of the
 *   other lists the config can select: state.gov (ISN, DTC), treasury.gov and treas.gov (OFAC).
 */
export const SOURCE_LINK_HOSTS: Readonly<Record<SourceName, readonly string[]>> = {
  'sec-filings': ['sec.gov'],
  'sec-revenue': ['sec.gov'],
  'sec-export-language': ['sec.gov'],
  'sec-full-text': ['sec.gov'],
  'federal-register': ['federalregister.gov', 'govinfo.gov'],
  'entity-list': ['trade.gov', 'bis.gov', 'bis.doc.gov', 'federalregister.gov', 'state.gov', 'treasury.gov', 'treas.gov'],
};

/** Extra link hosts per source (lower-case `host[:port]`, matched exactly): the configured base URLs' hosts. */
export type LinkHosts = Partial<Record<SourceName, readonly string[]>>;

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The hosts of the configured upstream base URLs, by source. In production they are the
 * public hosts already allowed; with `SEC_WWW_URL` pointed at a mirror, the fake upstream of
 * the tests or the local demo (`http://127.0.0.1:PORT`) the SEC sources build their document
 * URLs from that base, and those links stay links.
 */
export function configuredLinkHosts(urls: { secWww: string; secData: string; federalRegister: string; csl: string }): LinkHosts {
  const hosts = (...list: string[]) => [...new Set(list.map(hostOf).filter((h): h is string => h !== undefined))];
  const sec = hosts(urls.secWww, urls.secData);
  return {
    'sec-filings': sec,
    'sec-revenue': sec,
    'sec-export-language': sec,
    'federal-register': hosts(urls.federalRegister),
    'entity-list': hosts(urls.csl),
  };
}

/**
 * Whether `url` may be a link in an email about a change of `source`: http(s), no user
 * name or password in it (`https://www.sec.gov@evil.example` is evil.example, and a user
 * part only serves to disguise the host), and a host of the source's own domains or one of
 * `extra[source]`. An unknown source may link nowhere.
 */
export function sourceLinkAllowed(source: string, url: unknown, extra: LinkHosts = {}): boolean {
  if (typeof url !== 'string') return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  if (parsed.username !== '' || parsed.password !== '') return false;
  const domains = (SOURCE_LINK_HOSTS as Record<string, readonly string[] | undefined>)[source] ?? [];
  const host = parsed.hostname.toLowerCase();
  if (domains.some((d) => host === d || host.endsWith(`.${d}`))) return true;
  const configured = (extra as Record<string, readonly string[] | undefined>)[source] ?? [];
  return configured.includes(parsed.host.toLowerCase());
}
