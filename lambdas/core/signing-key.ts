import type { KeyProvider } from './ports.ts';

/**
 * The link-signing key's rules, shared by the token code (`notify/tokens.ts`) and the key
 * adapters (`adapters/key-file.ts`, `adapters/secrets-manager.ts`), which may import only core.
 */

/** Shortest key accepted: 256 bits. */
export const MIN_KEY_BYTES = 32;

/**
 * A key read from somewhere remote (Secrets Manager in AWS) and cached for `ttlMs`, so a
 * warm Lambda does not call the service per email but does pick up a replaced secret.
 */
export function cachedKey(fetchKey: () => Promise<string>, options: { ttlMs?: number; now?: () => number } = {}): KeyProvider {
  const ttl = options.ttlMs ?? 15 * 60_000;
  const now = options.now ?? Date.now;
  let cached: { key: Buffer; at: number } | undefined;
  return async () => {
    if (cached && now() - cached.at < ttl) return cached.key;
    const value = (await fetchKey()).trim();
    const key = Buffer.from(value, 'utf8');
    if (key.length < MIN_KEY_BYTES) throw new Error(`the link-signing secret is shorter than ${MIN_KEY_BYTES} bytes`);
    cached = { key, at: now() };
    return key;
  };
}
