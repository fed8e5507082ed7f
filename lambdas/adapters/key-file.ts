import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KeyProvider } from '#core/ports.ts';
import { MIN_KEY_BYTES } from '#core/signing-key.ts';

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
