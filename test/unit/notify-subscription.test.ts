import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Change, type ChangeDraft, finalizeChange } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import { countryScopeOf, matchesSubscriber, type Subscriber } from '#core/subscriber.ts';
import type { FrDocument, FrPublicInspection } from '#sources/federal-register/api.ts';
import { publicInspectionDraft, publishedDraft } from '#sources/federal-register/detect.ts';
import { fromFunctionUrlEvent } from '#app/lambda/subscription.ts';
import { handleLinkRequest, type LinkRequest, type SubscriptionDeps } from '#notify/subscription.ts';
import { signToken } from '#notify/tokens.ts';
import type { SubscriberUpdate, UpdateCondition } from '#core/ports.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';

const key = randomBytes(32);
const clock = new ManualClock('2026-03-02T12:00:00Z');

/** The two store methods the endpoint uses, over a map, with the same condition semantics. */
function memoryStore(initial: Subscriber[]) {
  const rows = new Map(initial.map((s) => [s.email, { ...s }]));
  return {
    rows,
    get: async (email: string) => rows.get(email.toLowerCase()),
    update: async (email: string, changes: SubscriberUpdate, condition: UpdateCondition = {}) => {
      const row = rows.get(email.toLowerCase());
      if (!row || (condition.statusIn && !condition.statusIn.includes(row.status))) return undefined;
      for (const [k, v] of Object.entries(changes)) {
        if (v === null) delete (row as Record<string, unknown>)[k];
        else if (v !== undefined) (row as Record<string, unknown>)[k] = v;
      }
      return row;
    },
  };
}

const sub = (email: string, status: Subscriber['status']): Subscriber => ({
  email,
  mode: 'immediate',
  digestHour: 7,
  filters: {},
  status,
  createdAt: '2026-03-01T00:00:00.000Z',
});
const req = (method: string, path: string, token?: string, body?: string): LinkRequest => ({
  method,
  path,
  query: new URLSearchParams(token === undefined ? {} : { t: token }),
  body,
});

describe('confirm/unsubscribe endpoint', () => {
  let store: ReturnType<typeof memoryStore>;
  let deps: SubscriptionDeps;
  beforeEach(() => {
    store = memoryStore([
      sub('active@example.com', 'active'),
      sub('pending@example.com', 'pending'),
      sub('gone@example.com', 'suppressed'),
    ]);
    deps = { subscribers: store, key: async () => key, clock };
  });

  it('GET shows a confirmation page with a POST button and changes nothing', async () => {
    const token = signToken(key, 'active@example.com', 'unsubscribe', clock.now());
    const res = await handleLinkRequest(req('GET', '/unsubscribe', token), deps);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<form method="post">');
    expect(res.body).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(res.body).toContain('active@example.com');
    expect(res.headers).toMatchObject({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' });
    expect(res.headers['Content-Security-Policy']).toContain("default-src 'none'");
    expect(store.rows.get('active@example.com')?.status).toBe('active');
  });

  it('POST (RFC 8058 one-click) unsubscribes, idempotently', async () => {
    const token = signToken(key, 'active@example.com', 'unsubscribe', clock.now());
    const first = await handleLinkRequest(req('POST', '/unsubscribe', token, 'List-Unsubscribe=One-Click'), deps);
    expect(first.status).toBe(200);
    expect(first.body).toContain('You are unsubscribed');
    expect(store.rows.get('active@example.com')).toMatchObject({ status: 'unsubscribed', unsubscribedAt: '2026-03-02T12:00:00.000Z' });
    expect((await handleLinkRequest(req('POST', '/unsubscribe', token, 'List-Unsubscribe=One-Click'), deps)).status).toBe(200);
    // A suppressed address stays suppressed; the answer is the same.
    const gone = signToken(key, 'gone@example.com', 'unsubscribe', clock.now());
    expect((await handleLinkRequest(req('POST', '/unsubscribe', gone), deps)).status).toBe(200);
    expect(store.rows.get('gone@example.com')?.status).toBe('suppressed');
  });

  it('accepts the token from a form body and a path prefix before the endpoint', async () => {
    const token = signToken(key, 'active@example.com', 'unsubscribe', clock.now());
    const res = await handleLinkRequest(req('POST', '/prefix/unsubscribe/', undefined, `t=${encodeURIComponent(token)}`), deps);
    expect(res.status).toBe(200);
    expect(store.rows.get('active@example.com')?.status).toBe('unsubscribed');
  });

  it('refuses forged (403), malformed (400) and wrong-purpose (403) tokens without touching anything', async () => {
    const token = signToken(key, 'active@example.com', 'unsubscribe', clock.now());
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await handleLinkRequest(req('POST', '/unsubscribe', forged), deps)).status).toBe(403);
    expect(
      (
        await handleLinkRequest(
          req('POST', '/unsubscribe', signToken(randomBytes(32), 'active@example.com', 'unsubscribe', clock.now())),
          deps,
        )
      ).status,
    ).toBe(403);
    expect((await handleLinkRequest(req('POST', '/unsubscribe', 'v1.garbage'), deps)).status).toBe(400);
    expect((await handleLinkRequest(req('POST', '/unsubscribe'), deps)).status).toBe(400);
    expect(
      (await handleLinkRequest(req('POST', '/unsubscribe', signToken(key, 'active@example.com', 'confirm', clock.now())), deps)).status,
    ).toBe(403);
    expect(store.rows.get('active@example.com')?.status).toBe('active');
  });

  it('confirms a pending subscription on POST only, once, and not after a week', async () => {
    const token = signToken(key, 'pending@example.com', 'confirm', clock.now());
    const page = await handleLinkRequest(req('GET', '/confirm', token), deps);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Confirm subscription');
    expect(store.rows.get('pending@example.com')?.status).toBe('pending');
    const done = await handleLinkRequest(req('POST', '/confirm', token), deps);
    expect(done.body).toContain('Subscription confirmed');
    expect(store.rows.get('pending@example.com')).toMatchObject({ status: 'active', confirmedAt: '2026-03-02T12:00:00.000Z' });
    expect((await handleLinkRequest(req('POST', '/confirm', token), deps)).body).toContain('Already confirmed');
    // A confirm link never revives a suppressed (or unsubscribed) address.
    expect(
      (await handleLinkRequest(req('POST', '/confirm', signToken(key, 'gone@example.com', 'confirm', clock.now())), deps)).status,
    ).toBe(409);
    const old = signToken(key, 'pending@example.com', 'confirm', new Date('2026-02-01T00:00:00Z'));
    expect((await handleLinkRequest(req('POST', '/confirm', old), deps)).status).toBe(410);
  });

  it('answers 404 elsewhere, 405 for other methods, and 503 when storage fails', async () => {
    expect((await handleLinkRequest(req('GET', '/'), deps)).status).toBe(404);
    expect((await handleLinkRequest(req('GET', '/admin'), deps)).status).toBe(404);
    const del = await handleLinkRequest(req('DELETE', '/unsubscribe', 'x'), deps);
    expect(del.status).toBe(405);
    expect(del.headers.Allow).toBe('GET, HEAD, POST');
    const broken: SubscriptionDeps = { ...deps, subscribers: { ...store, update: async () => Promise.reject(new Error('throttled')) } };
    const res = await handleLinkRequest(
      req('POST', '/unsubscribe', signToken(key, 'active@example.com', 'unsubscribe', clock.now())),
      broken,
    );
    expect(res.status).toBe(503);
  });

  it('escapes the address it shows', async () => {
    const token = signToken(key, '<script>x</script>@example.com', 'unsubscribe', clock.now());
    const res = await handleLinkRequest(req('GET', '/unsubscribe', token), deps);
    expect(res.body).not.toContain('<script>');
    expect(res.body).toContain('&lt;script&gt;');
  });

  it('reads function-URL events (payload 2.0), base64 bodies included', () => {
    const event = {
      rawPath: '/unsubscribe',
      rawQueryString: 't=v1.a.b',
      body: Buffer.from('List-Unsubscribe=One-Click').toString('base64'),
      isBase64Encoded: true,
      requestContext: { http: { method: 'POST' } },
    } as never;
    const r = fromFunctionUrlEvent(event);
    expect(r).toMatchObject({ method: 'POST', path: '/unsubscribe', body: 'List-Unsubscribe=One-Click' });
    expect(r.query.get('t')).toBe('v1.a.b');
  });
});

/**
 * Country filters (lambdas/core/subscriber.ts) on changes built by the real Federal Register
 * drafts: a rule or notice whose countries are unknown or that applies worldwide passes.
 */
describe('country filters', () => {
  const sg = { countries: ['SG'] };
  const bis = [{ name: 'Industry and Security Bureau', slug: 'industry-and-security-bureau', id: 241, parent_id: 54 }];
  const at = new Date('2025-01-15T14:00:00Z');
  const change = (draft: ChangeDraft): Change => finalizeChange(draft, at);

  const published = (overrides: Partial<FrDocument>): Change =>
    change(
      publishedDraft(
        {
          document_number: '2026-30001',
          title: 'Export Administration Regulations: Updates',
          type: 'Rule',
          abstract: null,
          publication_date: '2026-10-05',
          html_url: 'https://www.federalregister.gov/documents/2026/10/05/2026-30001/x',
          agencies: bis,
          ...overrides,
        },
        undefined,
      ),
    );
  const onPublicInspection = (title: string, number = '2026-30002'): Change =>
    change(
      publicInspectionDraft({
        document_number: number,
        title,
        type: 'Rule',
        agencies: bis,
        filed_at: '2026-10-02T08:45:00.000-04:00',
        publication_date: '2026-10-05',
      } as FrPublicInspection),
    );

  describeWithSharedFixtures('the AI Diffusion rule (2025-00636), which names no country', () => {
    const docs = (
      JSON.parse(readFileSync(shared('federal-register/fr_bis_rules_titles_abstracts_2022-2026.json'), 'utf8')) as {
        documents: Array<{ document_number: string; title: string; abstract: string | null }>;
      }
    ).documents;
    const real = (number: string) => docs.find((d) => d.document_number === number)!;

    it('reaches a subscriber filtering on SG on public inspection and when published', () => {
      const rule = real('2025-00636');
      const pi = onPublicInspection(rule.title, rule.document_number);
      const doc = published({
        document_number: rule.document_number,
        title: rule.title,
        abstract: rule.abstract,
        publication_date: '2025-01-15',
      });
      for (const c of [pi, doc]) {
        expect(c.countries).toEqual([]);
        expect(countryScopeOf(c)).toBe('unknown');
        expect(matchesSubscriber(c, sg)).toBe(true);
        expect(matchesSubscriber(c, { countries: ['SG'], minImportance: 'high', kinds: ['fr'] })).toBe(true);
      }
      expect(pi.kind).toBe('fr.public-inspection');
    });

    it('still filters a rule that names its countries (the H200 rule: China and Macau)', () => {
      const rule = real('2026-00789');
      const doc = published({ document_number: rule.document_number, title: rule.title, abstract: rule.abstract });
      expect(doc.countries).toEqual(['CN', 'MO']);
      expect(countryScopeOf(doc)).toBe('named');
      expect(matchesSubscriber(doc, sg)).toBe(false);
      expect(matchesSubscriber(doc, { countries: ['MO'] })).toBe(true);
    });

    it('lets a rule with worldwide license requirements through (2024-19633)', () => {
      const rule = real('2024-19633');
      expect(countryScopeOf(published({ title: rule.title, abstract: rule.abstract }))).toBe('worldwide');
    });
  });

  it('lets a worldwide rule through even when it names other countries', () => {
    const doc = published({ abstract: 'BIS imposes a worldwide license requirement on these items, except to Canada and Japan.' });
    expect(doc.countries).toEqual(['CA', 'JP']);
    expect(countryScopeOf(doc)).toBe('worldwide');
    expect(matchesSubscriber(doc, sg)).toBe(true);
  });

  it('treats every BIS rule or notice without a country the same way, whatever its class', () => {
    const cases = [
      onPublicInspection('Additions to the Entity List'), // the case 253a098 special-cased
      onPublicInspection('Framework for Controls on Advanced Computing Items'),
      published({ title: 'Expansion of End-User Controls To Cover Affiliates of Certain Listed Entities' }),
      published({ title: 'Order Temporarily Denying Export Privileges', type: 'Notice' }),
      published({ title: 'Information Systems Technical Advisory Committee; Notice of Partially Closed Meeting', type: 'Notice' }),
    ];
    for (const c of cases) {
      expect(countryScopeOf(c)).toBe('unknown');
      expect(matchesSubscriber(c, sg)).toBe(true);
    }
    // the other filters still apply: a meeting notice is not high importance
    expect(matchesSubscriber(cases[4]!, { countries: ['SG'], minImportance: 'high' })).toBe(false);
  });

  it('filters an Entity List rule by the countries it names once published', () => {
    const doc = published({
      title: 'Additions to the Entity List',
      abstract: "BIS adds 12 entities under the destinations of China, People's Republic of (China) (12).",
    });
    expect(countryScopeOf(doc)).toBe('named');
    expect(matchesSubscriber(doc, sg)).toBe(false);
    expect(matchesSubscriber(doc, { countries: ['CN'] })).toBe(true);
  });

  it('keeps filtering changes of other sources that name no country', () => {
    const filing = change({
      source: 'sec-filings',
      kind: 'filing.new',
      naturalKey: '0001045810-26-000024',
      subject: 'NVDA',
      title: 'NVIDIA 8-K',
      summary: '',
      data: {},
    });
    expect(countryScopeOf(filing)).toBe('named');
    expect(matchesSubscriber(filing, sg)).toBe(false);
    expect(matchesSubscriber(filing, {})).toBe(true);
  });

  it('judges changes stored before sources recorded a scope as the filter did then', () => {
    const stored = (classification: string): Change => ({ ...onPublicInspection('x'), data: { classification } });
    expect(countryScopeOf(stored('entity-list-addition'))).toBe('unknown');
    expect(countryScopeOf(stored('advanced-computing'))).toBe('named');
    expect(matchesSubscriber({ ...stored('entity-list-addition'), countries: ['CN'] }, sg)).toBe(false);
  });
});
