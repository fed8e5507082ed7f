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
    ...(settings.mailto ? { unsubscribeMailto: `mailto:${settings.mailto}?subject=${encodeURIComponent(`unsubscribe ${email.toLowerCase()}`)}` } : {}),
  };
}
