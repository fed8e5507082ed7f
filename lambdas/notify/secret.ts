import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIN_KEY_BYTES } from './tokens.ts';

/** Returns the link-signing key. */
export type KeyProvider = () => Promise<Buffer>;

/**
 * The local key: 32 random bytes (hex) in `path`, created on first use with mode 0600
 * (`wx`, so two processes starting at once never overwrite each other's key) and kept
 * across runs, so links in emails already sent keep working.
 */
export function localKeyFile(path: string): KeyProvider {
  let cached: Buffer | undefined;
  return async () => {
    if (cached) return cached;
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    // A key file someone made readable by others is tightened rather than trusted as is.
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
    if (key.length < MIN_KEY_BYTES)
      throw new Error(`${path} does not hold a ${MIN_KEY_BYTES}-byte hex key; delete it to generate a new one (old links stop working)`);
    cached = key;
    return key;
  };
}

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
