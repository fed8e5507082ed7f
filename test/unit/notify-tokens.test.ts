import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { endpointUrl, linksFor } from '#notify/links.ts';
import { localKeyFile } from '#adapters/key-file.ts';
import { cachedKey } from '#core/signing-key.ts';
import { CONFIRM_TOKEN_MAX_AGE_SECONDS, signToken, verifyToken } from '#notify/tokens.ts';

const key = randomBytes(32);
const now = new Date('2026-03-02T12:00:00Z');

/** Flip one base64url character of part `index` of a token. */
function tamper(token: string, index: number): string {
  const parts = token.split('.');
  const part = parts[index] as string;
  parts[index] = `${part.slice(0, 5)}${part[5] === 'A' ? 'B' : 'A'}${part.slice(6)}`;
  return parts.join('.');
}

describe('link tokens', () => {
  it('verify for their address and purpose', () => {
    const token = signToken(key, 'Analyst@Example.com', 'unsubscribe', now);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyToken(key, token, 'unsubscribe', { now })).toEqual({
      ok: true,
      payload: { email: 'analyst@example.com', purpose: 'unsubscribe', issuedAt: now.getTime() / 1000 },
    });
  });

  it('refuse altered payloads, altered or truncated signatures and other keys as forged', () => {
    const token = signToken(key, 'a@example.com', 'unsubscribe', now);
    const payload = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
    const swapped = `v1.${Buffer.from(JSON.stringify({ ...payload, e: 'victim@example.com' })).toString('base64url')}.${token.split('.')[2]}`;
    expect(verifyToken(key, swapped, 'unsubscribe', { now })).toEqual({ ok: false, error: 'forged' });
    expect(verifyToken(key, tamper(token, 1), 'unsubscribe', { now })).toMatchObject({ ok: false, error: 'forged' });
    expect(verifyToken(key, tamper(token, 2), 'unsubscribe', { now })).toEqual({ ok: false, error: 'forged' });
    expect(verifyToken(key, token.slice(0, -4), 'unsubscribe', { now })).toEqual({ ok: false, error: 'forged' });
    expect(verifyToken(randomBytes(32), token, 'unsubscribe', { now })).toEqual({ ok: false, error: 'forged' });
  });

  it('refuse malformed input before anything else', () => {
    for (const bad of [undefined, null, 42, '', 'v1', 'v1.a', 'v2.a.b', 'v1.a.b.c', 'v1.a b.c', 'v1.Zm9v.%%%', 'x'.repeat(3000)]) {
      expect(verifyToken(key, bad, 'unsubscribe', { now })).toEqual({ ok: false, error: 'malformed' });
    }
    // Correctly signed, but not a payload export-watch writes.
    const payload = Buffer.from(JSON.stringify({ e: 'a@example.com', p: 'admin', t: 1 })).toString('base64url');
    const signed = `v1.${payload}.${createHmac('sha256', key).update(`v1.${payload}`).digest('base64url')}`;
    expect(verifyToken(key, signed, 'unsubscribe', { now })).toEqual({ ok: false, error: 'malformed' });
  });

  it('bind the purpose: an unsubscribe token cannot confirm, and the other way round', () => {
    expect(verifyToken(key, signToken(key, 'a@example.com', 'unsubscribe', now), 'confirm', { now })).toEqual({
      ok: false,
      error: 'wrong-purpose',
    });
    expect(verifyToken(key, signToken(key, 'a@example.com', 'confirm', now), 'unsubscribe', { now })).toEqual({
      ok: false,
      error: 'wrong-purpose',
    });
  });

  it('expire confirmation tokens after a week', () => {
    const token = signToken(key, 'a@example.com', 'confirm', now);
    const later = (s: number) => new Date(now.getTime() + s * 1000);
    expect(
      verifyToken(key, token, 'confirm', { now: later(CONFIRM_TOKEN_MAX_AGE_SECONDS - 1), maxAgeSeconds: CONFIRM_TOKEN_MAX_AGE_SECONDS })
        .ok,
    ).toBe(true);
    expect(
      verifyToken(key, token, 'confirm', { now: later(CONFIRM_TOKEN_MAX_AGE_SECONDS + 1), maxAgeSeconds: CONFIRM_TOKEN_MAX_AGE_SECONDS }),
    ).toEqual({ ok: false, error: 'expired' });
  });

  it('refuse to sign or verify with a short key', () => {
    expect(() => signToken(Buffer.alloc(16), 'a@example.com', 'unsubscribe', now)).toThrow(/shorter than 32 bytes/);
  });
});

describe('links', () => {
  it('build endpoint URLs under any base, token in the query', async () => {
    expect(endpointUrl('https://abc.lambda-url.us-east-1.on.aws/', 'unsubscribe', 'v1.a.b')).toBe(
      'https://abc.lambda-url.us-east-1.on.aws/unsubscribe?t=v1.a.b',
    );
    expect(endpointUrl('https://example.com/ew', 'confirm', 'v1.a.b')).toBe('https://example.com/ew/confirm?t=v1.a.b');
    const links = await linksFor(
      { baseUrl: 'http://127.0.0.1:8006', key: async () => key, mailto: 'unsub@example.com' },
      'A@Example.com',
      now,
    );
    expect(links.unsubscribe).toMatch(/^http:\/\/127\.0\.0\.1:8006\/unsubscribe\?t=v1\./);
    expect(verifyToken(key, new URL(links.unsubscribe).searchParams.get('t'), 'unsubscribe', { now }).ok).toBe(true);
    expect(verifyToken(key, new URL(links.confirm).searchParams.get('t'), 'confirm', { now }).ok).toBe(true);
    expect(links.unsubscribeMailto).toBe('mailto:unsub@example.com?subject=unsubscribe%20a%40example.com');
  });
});

describe('signing keys', () => {
  it('are generated locally once, mode 0600, and reused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ew-key-'));
    const path = join(dir, 'sub', 'unsubscribe.key');
    const first = await localKeyFile(path)();
    expect(first).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await localKeyFile(path)()).toEqual(first);
    expect(readFileSync(path, 'utf8').trim()).toBe(first.toString('hex'));
  });

  it('tighten a key file others can read, and refuse a short one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ew-key-'));
    const open = join(dir, 'open.key');
    writeFileSync(open, randomBytes(32).toString('hex'), { mode: 0o644 });
    await localKeyFile(open)();
    expect(statSync(open).mode & 0o777).toBe(0o600);
    const short = join(dir, 'short.key');
    writeFileSync(short, 'abcd', { mode: 0o600 });
    await expect(localKeyFile(short)()).rejects.toThrow(/32-byte hex key/);
  });

  it('cache a remote secret for its TTL', async () => {
    let calls = 0;
    let clock = 0;
    const provider = cachedKey(async () => `${'k'.repeat(40)}${++calls}`, { ttlMs: 1000, now: () => clock });
    const a = await provider();
    expect(await provider()).toBe(a);
    clock = 1500;
    expect((await provider()).toString()).toBe(`${'k'.repeat(40)}2`);
    expect(calls).toBe(2);
    await expect(cachedKey(async () => 'short')()).rejects.toThrow(/shorter than 32 bytes/);
  });
});
