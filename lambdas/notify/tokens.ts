import { createHmac, timingSafeEqual } from 'node:crypto';
import { MIN_KEY_BYTES } from '#core/signing-key.ts';

/**
 * Signed link tokens for the unsubscribe and confirm links: the token is the
 * authentication of those endpoints (the function URL is public, as RFC 8058 one-click
 * unsubscribe requires), so it carries the address and the purpose and is signed with
 * HMAC-SHA256 under a secret only export-watch holds.
 *
 * Format: `v1.<base64url(JSON payload)>.<base64url(HMAC-SHA256(key, "v1." + payload))>`.
 * The purpose is inside the signed payload: an unsubscribe token can never confirm a
 * subscription, nor the other way round.
 */

/** What a token allows. */
export type TokenPurpose = 'unsubscribe' | 'confirm';

/** The signed content of a token. */
export interface TokenPayload {
  /** Lower-cased address. */
  email: string;
  purpose: TokenPurpose;
  /** Issue time, seconds since the epoch. */
  issuedAt: number;
}

/** Why a token was refused: `malformed` (HTTP 400), `forged` (403), `expired` (410), `wrong-purpose` (403). */
export type TokenError = 'malformed' | 'forged' | 'expired' | 'wrong-purpose';

/** Result of {@link verifyToken}. */
export type TokenCheck = { ok: true; payload: TokenPayload } | { ok: false; error: TokenError };

const VERSION = 'v1';

function mac(key: Buffer, signed: string): Buffer {
  if (key.length < MIN_KEY_BYTES) throw new Error(`link-signing key is shorter than ${MIN_KEY_BYTES} bytes`);
  return createHmac('sha256', key).update(signed).digest();
}

/** Sign a token for `email` and `purpose`. */
export function signToken(key: Buffer, email: string, purpose: TokenPurpose, issuedAt: Date): string {
  const payload = Buffer.from(JSON.stringify({ e: email.toLowerCase(), p: purpose, t: Math.floor(issuedAt.getTime() / 1000) })).toString(
    'base64url',
  );
  const signed = `${VERSION}.${payload}`;
  return `${signed}.${mac(key, signed).toString('base64url')}`;
}

/**
 * Verify a token: the signature first (constant-time compare of the full MAC), then the
 * payload and purpose, then the age when `maxAgeSeconds` is given. Nothing in the
 * payload is trusted before the signature holds.
 */
export function verifyToken(
  key: Buffer,
  token: unknown,
  expected: TokenPurpose,
  options: { now: Date; maxAgeSeconds?: number },
): TokenCheck {
  if (typeof token !== 'string' || token.length > 2048) return { ok: false, error: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !/^[A-Za-z0-9_-]+$/.test(parts[1] ?? '') || !/^[A-Za-z0-9_-]+$/.test(parts[2] ?? '')) {
    return { ok: false, error: 'malformed' };
  }
  const given = Buffer.from(parts[2] as string, 'base64url');
  const wanted = mac(key, `${parts[0]}.${parts[1]}`);
  // timingSafeEqual needs equal lengths; a wrong length is a forgery all the same.
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return { ok: false, error: 'forged' };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, error: 'malformed' };
  }
  const p = raw as { e?: unknown; p?: unknown; t?: unknown };
  if (typeof p.e !== 'string' || (p.p !== 'unsubscribe' && p.p !== 'confirm') || typeof p.t !== 'number')
    return { ok: false, error: 'malformed' };
  if (p.p !== expected) return { ok: false, error: 'wrong-purpose' };
  if (options.maxAgeSeconds !== undefined && options.now.getTime() / 1000 - p.t > options.maxAgeSeconds)
    return { ok: false, error: 'expired' };
  return { ok: true, payload: { email: p.e, purpose: p.p, issuedAt: p.t } };
}

/** Confirmation links stay valid for a week; unsubscribe links never expire (old emails must keep working). */
export const CONFIRM_TOKEN_MAX_AGE_SECONDS = 7 * 24 * 3600;
