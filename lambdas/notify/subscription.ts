import type { Clock } from '#core/clock.ts';
import { errorMessageOf } from '#core/errors.ts';
import { PAGE_HEADERS, page } from './pages.ts';
import type { KeyProvider, SubscribersPort } from '#core/ports.ts';
import { CONFIRM_TOKEN_MAX_AGE_SECONDS, type TokenError, type TokenPurpose, verifyToken } from './tokens.ts';

/**
 * The confirm and unsubscribe endpoint, independent of how requests arrive: the Lambda
 * function URL (`app/lambda/subscription.ts`) and the local runtime's loopback server
 * (`link-server.ts`) both translate to {@link LinkRequest} and call
 * {@link handleLinkRequest}.
 *
 * RFC 8058: a GET (a person clicking, or a mail scanner prefetching) only shows a page
 * with a button; only a POST changes anything. Mail providers' one-click unsubscribe
 * POSTs `List-Unsubscribe=One-Click` to the URL in the header. The signed token is the
 * authentication: a malformed token gets 400, a forged or altered one 403.
 */

/** An endpoint request. */
export interface LinkRequest {
  method: string;
  /** Path without query (`/unsubscribe`; a prefix before the last segment is ignored). */
  path: string;
  query: URLSearchParams;
  /** Request body (form-encoded for POSTs), if any. */
  body?: string | undefined;
}

/** An endpoint response. */
export interface LinkResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What the endpoint needs. */
export interface SubscriptionDeps {
  subscribers: Pick<SubscribersPort, 'get' | 'update'>;
  key: KeyProvider;
  clock: Clock;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

const TOKEN_ERRORS: Record<TokenError, { status: number; title: string; text: string }> = {
  malformed: {
    status: 400,
    title: 'This link is incomplete',
    text: 'The link is damaged or was cut short. Open it again from the email, or copy the whole address.',
  },
  forged: { status: 403, title: 'This link is not valid', text: 'The link was not issued by export-watch, or was altered.' },
  'wrong-purpose': { status: 403, title: 'This link is not valid', text: 'The link was issued for something else.' },
  expired: {
    status: 410,
    title: 'This link has expired',
    text: 'Confirmation links are valid for 7 days. Ask the administrator to send a new one.',
  },
};

function respond(status: number, body: string, extra: Record<string, string> = {}): LinkResponse {
  return { status, headers: { ...PAGE_HEADERS, ...extra }, body };
}

function tokenOf(req: LinkRequest): string | null {
  const fromQuery = req.query.get('t');
  if (fromQuery) return fromQuery;
  // A POST from a client that moved the token into the form body.
  if (req.body && req.body.length < 8192) return new URLSearchParams(req.body).get('t');
  return null;
}

/** Handle one request to the endpoint. Never throws: storage errors become a 503 page. */
export async function handleLinkRequest(req: LinkRequest, deps: SubscriptionDeps): Promise<LinkResponse> {
  const segment = req.path.split('/').filter(Boolean).pop() ?? '';
  const purpose: TokenPurpose | undefined = segment === 'unsubscribe' ? 'unsubscribe' : segment === 'confirm' ? 'confirm' : undefined;
  if (!purpose)
    return respond(404, page({ title: 'Not found', paragraphs: ['This address only serves export-watch confirm and unsubscribe links.'] }));
  const method = req.method.toUpperCase();
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
    return respond(405, page({ title: 'Method not allowed', paragraphs: ['Use the link from the email.'] }), { Allow: 'GET, HEAD, POST' });
  }

  try {
    const now = deps.clock.now();
    const check = verifyToken(await deps.key(), tokenOf(req), purpose, {
      now,
      ...(purpose === 'confirm' ? { maxAgeSeconds: CONFIRM_TOKEN_MAX_AGE_SECONDS } : {}),
    });
    if (!check.ok) {
      deps.log?.('link refused', { purpose, reason: check.error });
      const e = TOKEN_ERRORS[check.error];
      return respond(e.status, page({ title: e.title, paragraphs: [e.text] }));
    }
    const email = check.payload.email;

    if (method !== 'POST') {
      return purpose === 'unsubscribe'
        ? respond(
            200,
            page({
              title: 'Unsubscribe?',
              paragraphs: [`Stop all export-watch emails to ${email}?`],
              button: { label: 'Unsubscribe', fields: { 'List-Unsubscribe': 'One-Click' } },
            }),
          )
        : respond(
            200,
            page({
              title: 'Confirm your subscription',
              paragraphs: [`Send export-watch emails to ${email}?`],
              button: { label: 'Confirm subscription', color: '#1f883d' },
            }),
          );
    }

    const at = now.toISOString();
    if (purpose === 'unsubscribe') {
      // Idempotent, and the same answer whether or not the address is (still) subscribed.
      await deps.subscribers.update(
        email,
        { status: 'unsubscribed', unsubscribedAt: at, updatedAt: at },
        { statusIn: ['active', 'pending', 'parked', 'removed'] },
      );
      deps.log?.('unsubscribed', { email });
      return respond(200, page({ title: 'You are unsubscribed', paragraphs: [`export-watch will send no more emails to ${email}.`] }));
    }

    const confirmed = await deps.subscribers.update(email, { status: 'active', confirmedAt: at, updatedAt: at }, { statusIn: ['pending'] });
    if (confirmed) {
      deps.log?.('subscription confirmed', { email });
      return respond(200, page({ title: 'Subscription confirmed', paragraphs: [`export-watch will now email ${email}.`] }));
    }
    const current = await deps.subscribers.get(email);
    if (current?.status === 'active')
      return respond(200, page({ title: 'Already confirmed', paragraphs: [`${email} already receives export-watch emails.`] }));
    return respond(
      409,
      page({
        title: 'Nothing to confirm',
        paragraphs: [`There is no pending subscription for ${email}. Ask the administrator to add it again.`],
      }),
    );
  } catch (err) {
    deps.log?.('link request failed', { error: errorMessageOf(err) });
    return respond(
      503,
      page({
        title: 'Please try again',
        paragraphs: ['Something went wrong on our side; nothing was changed. Try the link again in a few minutes.'],
      }),
      { 'Retry-After': '60' },
    );
  }
}
