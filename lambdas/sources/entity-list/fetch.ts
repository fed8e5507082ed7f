import type { UpstreamClient, Validators } from '#core/http.ts';

/** The CSL download: unchanged (304), or a body with its hash and fresh validators. */
export type CslDownload = { notModified: true } | { notModified: false; body: Buffer; bodyHash: string; validators: Validators };

/**
 * Conditional GET of the CSL bulk JSON. trade.gov reports strong ETags and Last-Modified;
 * the caller still compares the body hash, since a regenerated file can carry a new ETag
 * with the same bytes. Retries, rate limit, size cap and gzip are the client's.
 */
export async function fetchCsl(http: UpstreamClient, url: string, validators: Validators | undefined): Promise<CslDownload> {
  const res = await http.get(url, { validators, accept: 'application/json' });
  if (res.notModified) return { notModified: true };
  return { notModified: false, body: res.body, bodyHash: res.bodyHash, validators: res.validators };
}
