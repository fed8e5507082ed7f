import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import type { AppConfig } from '#core/config.ts';
import type { SourceState } from '#core/ports.ts';
import { type CycleDeps, type CycleOutcome, runSourceCycle } from '#core/source.ts';
import { createCycleDeps, createUpstreamClient } from '#app/compose.ts';
import { federalRegisterSource } from '#sources/federal-register/source.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { type LocalDynamo, startLocalDynamo, testConfig } from '../support/local-aws.ts';
import {
  FR_PATHS,
  type FakeFrDocument,
  federalRegisterDemoData,
  registerFederalRegisterDemo,
  serveFederalRegisterDocuments,
  servePublicInspection,
} from '../support/upstreams/federal-register.ts';

/**
 * The federal-register source end to end: the real runner and DynamoDB adapters on an
 * in-memory dynalite, the real HTTP client against the fake Federal Register on loopback,
 * through the demo scenario (quiet → news → published) and the failure modes.
 */
describe('federal-register source cycle', () => {
  const fake = new FakeUpstream();
  const clock = new ManualClock('2026-10-02T13:00:00Z'); // Friday 09:00 ET, after the 08:45 PI posting
  let config: AppConfig;
  let local: LocalDynamo;
  let deps: CycleDeps;

  const cycle = (): Promise<CycleOutcome> => runSourceCycle(federalRegisterSource, deps);
  const state = async (): Promise<SourceState> => (await deps.state.get('federal-register'))!;
  const changes = async (): Promise<Change[]> => {
    const all: Change[] = [];
    for await (const c of deps.changes.query({ source: 'federal-register' })) all.push(c);
    return all;
  };
  const later = (minutes: number) => clock.advance(minutes * 60_000);

  beforeAll(async () => {
    await fake.start();
    config = testConfig(fake.env());
    local = await startLocalDynamo(config.tables);
    // The one fake serves every upstream and fake.env() makes its host an SEC host too, so
    // lift the SEC limit as well as the per-host one.
    const http = createUpstreamClient(config, { otherRequestsPerSecond: 1000, secRequestsPerSecond: 1000, backoffBaseMs: 1 });
    deps = createCycleDeps(config, { db: local.db, http, clock });
  });

  afterAll(async () => {
    await fake.stop();
    await local?.stop();
  });

  it('records a baseline on the quiet day without reporting anything', async () => {
    registerFederalRegisterDemo(fake, 'quiet', { today: '2026-10-02' });
    fake.clearRequests();
    const outcome = await cycle();
    expect(outcome).toMatchObject({ status: 'ok', baseline: true, changesCreated: 0, suppressed: 3, itemsSeen: 3 });
    expect(await changes()).toEqual([]);
    // two requests per cycle: documents.json and current.json, both cache-busted
    expect(fake.requests.map((r) => r.path)).toEqual([FR_PATHS.documents, FR_PATHS.publicInspection]);
    const q = new URLSearchParams(fake.requests[0]!.query);
    expect(q.get('conditions[publication_date][gte]')).toBe('2026-09-02'); // 30 days back on the first run
    expect(q.get('_')).toBe(String(Date.parse('2026-10-02T13:00:00Z') / 1000));
    const s = await state();
    expect(s.cursor).toMatchObject({ v: 1, windowStart: '2026-09-02', documentsCount: 3, publicInspection: { bisCount: 0 } });
    expect(await deps.state.getItems('federal-register', 'doc#')).toHaveLength(3);
  });

  it('alerts once on the Entity List rule on public inspection and on the new chip rule', async () => {
    registerFederalRegisterDemo(fake, 'news', { today: '2026-10-02' });
    later(15);
    fake.clearRequests();
    const outcome = await cycle();
    expect(outcome).toMatchObject({ status: 'ok', baseline: false, changesCreated: 2 });
    expect(new URLSearchParams(fake.requests[0]!.query).get('conditions[publication_date][gte]')).toBe('2026-09-18'); // 14 days before the last success

    const all = await changes();
    const pi = all.filter((c) => c.kind === 'fr.public-inspection');
    expect(pi).toHaveLength(1);
    expect(pi[0]).toMatchObject({
      source: 'federal-register',
      naturalKey: '2026-20415#pi',
      subject: 'BIS',
      title: 'Additions to the Entity List',
      importance: 'high',
      url: 'https://public-inspection.federalregister.gov/2026-20415.pdf',
      occurredAt: '2026-10-02T08:45:00.000-04:00',
    });
    expect(pi[0]?.data).toMatchObject({ classification: 'entity-list-addition', publicationDate: '2026-10-05' });

    const doc = all.find((c) => c.kind === 'fr.document');
    expect(doc).toMatchObject({
      naturalKey: '2026-20301#published',
      importance: 'high',
      countries: ['CN', 'MO', 'MY', 'SG'],
      occurredAt: '2026-10-02',
      url: 'https://www.federalregister.gov/documents/2026/10/02/2026-20301/revisions-to-export-controls-on-advanced-computing-items-and-data-center-authorizations',
    });
    expect(doc?.data).toMatchObject({
      classification: 'advanced-computing',
      regulationIdNumbers: ['0694-AK12'],
      cfrReferences: ['15 CFR 734', '15 CFR 740', '15 CFR 744'],
    });
  });

  it('reports nothing more when the same lists are polled again', async () => {
    later(15);
    const outcome = await cycle();
    expect(outcome).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 0 });
    expect(await changes()).toHaveLength(2);
  });

  it('turns the publication of that rule into an fr.published update', async () => {
    registerFederalRegisterDemo(fake, 'published', { today: '2026-10-02' });
    clock.set('2026-10-05T12:00:00Z'); // Monday 08:00 ET
    const outcome = await cycle();
    expect(outcome).toMatchObject({ status: 'ok', changesCreated: 1 });
    const all = await changes();
    expect(all).toHaveLength(3);
    const forRule = all.filter((c) => c.data.documentNumber === '2026-20415');
    expect(forRule.map((c) => c.kind).sort()).toEqual(['fr.public-inspection', 'fr.published']);
    const update = forRule.find((c) => c.kind === 'fr.published');
    expect(update).toMatchObject({
      naturalKey: '2026-20415#published',
      importance: 'high',
      countries: ['CN', 'SG'],
      occurredAt: '2026-10-05',
    });
    expect(update?.data).toMatchObject({
      previouslyOnPublicInspection: true,
      filedAt: '2026-10-02T12:45:00.000Z',
      citation: '91 FR 63402',
    });
    expect(all.some((c) => c.kind === 'fr.document' && c.data.documentNumber === '2026-20415')).toBe(false);

    later(15);
    expect(await cycle()).toMatchObject({ status: 'ok', changesCreated: 0 });
    expect(await changes()).toHaveLength(3);
  });

  it('accepts a zero-hit answer without a results key', async () => {
    fake.json(FR_PATHS.documents, { description: 'Documents matching …', count: 0 });
    fake.json(FR_PATHS.publicInspection, { count: 0, results: [] });
    later(15);
    expect(await cycle()).toMatchObject({ status: 'ok', changesCreated: 0, itemsSeen: 0 });
  });

  it('fails on invalid JSON without moving the cursor', async () => {
    const before = await state();
    fake.on('GET', FR_PATHS.documents, () => ({ body: '{"count": 3, "results": [', headers: { 'content-type': 'application/json' } }));
    later(15);
    const outcome = await cycle();
    expect(outcome).toMatchObject({ status: 'failed', errorKind: 'parse', consecutiveFailures: 1 });
    const after = await state();
    expect(after.cursor).toEqual(before.cursor);
    expect(after.lastSuccessAt).toBe(before.lastSuccessAt);
    expect(after.lastError?.kind).toBe('parse');
  });

  it('fails on documents missing required fields, naming the field', async () => {
    const before = await state();
    fake.json(FR_PATHS.documents, {
      count: 1,
      results: [{ document_number: '2026-20999', agencies: [{ slug: 'industry-and-security-bureau' }] }],
    });
    later(15);
    const outcome = await cycle();
    expect(outcome).toMatchObject({ status: 'failed', errorKind: 'parse', consecutiveFailures: 2 });
    expect(outcome.status === 'failed' && outcome.error).toMatch(/results\.0\.title/);
    expect((await state()).cursor).toEqual(before.cursor);
  });

  it('fails as a sanity error when the agency filter silently fell back', async () => {
    fake.json(FR_PATHS.documents, {
      count: 1,
      results: [
        {
          document_number: '2026-20322',
          title: 'Continuation of the National Emergency With Respect to the Situation in and in Relation to Syria',
          type: 'Presidential Document',
          publication_date: '2026-10-02',
          html_url: 'https://www.federalregister.gov/documents/2026/10/02/2026-20322/x',
          agencies: [{ name: 'Executive Office of the President', slug: 'executive-office-of-the-president' }],
        },
      ],
    });
    fake.json(FR_PATHS.publicInspection, { count: 0, results: [] });
    later(15);
    const outcome = await cycle();
    expect(outcome).toMatchObject({ status: 'failed', errorKind: 'sanity', consecutiveFailures: 3 });
    expect((await state()).lastError?.message).toMatch(/filter fell back/);
  });

  it('recovers on the next good answer without duplicating anything', async () => {
    registerFederalRegisterDemo(fake, 'published', { today: '2026-10-02' });
    later(15);
    expect(await cycle()).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 0 });
    const s = await state();
    expect(s.consecutiveFailures).toBe(0);
    expect(await changes()).toHaveLength(3);
  });
});

/**
 * Documents listed late with an older publication date (issue 15, item 4): a correction
 * (`C1-…`) dated before the newest document already seen, and a document whose BIS agency
 * tag came days after publication. Every cycle costs exactly two requests.
 */
describe('federal-register look-back: late documents with earlier publication dates', () => {
  const fake = new FakeUpstream();
  const clock = new ManualClock('2026-10-02T13:00:00Z');
  let base: AppConfig;
  let local: LocalDynamo;
  let http: CycleDeps['http'];

  const news = federalRegisterDemoData('news', { today: '2026-10-02' });
  const original = news.documents.find((d) => d.document_number === '2026-19874')!; // published 2026-09-29
  const correction: FakeFrDocument = {
    ...original,
    document_number: 'C1-2026-19874',
    publication_date: '2026-09-30', // older than 2026-20301 (2026-10-02), seen on the first run
    correction_of: 'https://www.federalregister.gov/api/v1/documents/2026-19874.json',
    html_url:
      'https://www.federalregister.gov/documents/2026/09/30/C1-2026-19874/clarification-of-license-exception-eligibility-for-certain-encryption-items',
  };
  const bisAgencies = news.documents[0]!.agencies as Array<{ slug: string }>;
  const lateTagged = (agencies: unknown): FakeFrDocument => ({
    ...news.documents.find((d) => d.document_number === '2026-19205')!,
    document_number: '2026-19950',
    title: 'Removal of Entities From the Entity List',
    publication_date: '2026-09-25',
    html_url: 'https://www.federalregister.gov/documents/2026/09/25/2026-19950/removal-of-entities-from-the-entity-list',
    agencies,
  });

  const deps = (lookbackDays?: number): CycleDeps =>
    createCycleDeps(lookbackDays === undefined ? base : { ...base, federalRegister: { lookbackDays } }, { db: local.db, http, clock });
  const serve = (documents: FakeFrDocument[]) => {
    serveFederalRegisterDocuments(fake, documents);
    servePublicInspection(fake, news.publicInspection);
    fake.clearRequests();
  };
  const gte = () => new URLSearchParams(fake.requests[0]!.query).get('conditions[publication_date][gte]');
  const changes = async (d: CycleDeps): Promise<Change[]> => {
    const all: Change[] = [];
    for await (const c of d.changes.query({ source: 'federal-register' })) all.push(c);
    return all;
  };

  beforeAll(async () => {
    await fake.start();
    base = testConfig(fake.env());
    local = await startLocalDynamo(base.tables);
    http = createUpstreamClient(base, { otherRequestsPerSecond: 1000, secRequestsPerSecond: 1000, backoffBaseMs: 1 });
  });
  afterAll(async () => {
    await fake.stop();
    await local?.stop();
  });

  it('reports a correction and a late-tagged document once each, in two requests per cycle', async () => {
    // Friday: the late document exists but is not tagged BIS yet, so the BIS query omits it.
    serve([...news.documents, lateTagged([{ slug: 'commerce-department', name: 'Commerce Department' }])]);
    expect(await runSourceCycle(federalRegisterSource, deps())).toMatchObject({ status: 'ok', baseline: true });
    expect(fake.requests.map((r) => r.path)).toEqual([FR_PATHS.documents, FR_PATHS.publicInspection]);

    // Monday: the correction and the BIS tag have both arrived, with dates before Friday's newest.
    clock.set('2026-10-05T13:00:00Z');
    serve([...news.documents, correction, lateTagged(bisAgencies)]);
    expect(await runSourceCycle(federalRegisterSource, deps())).toMatchObject({ status: 'ok', changesCreated: 2, duplicates: 0 });
    expect(fake.requests.map((r) => r.path)).toEqual([FR_PATHS.documents, FR_PATHS.publicInspection]);
    expect(gte()).toBe('2026-09-18'); // 14 days before the last success (2026-10-02 ET)
    const reported = (await changes(deps())).map((c) => [c.kind, c.naturalKey, c.occurredAt]).sort();
    expect(reported).toEqual([
      ['fr.correction', 'C1-2026-19874#published', '2026-09-30'],
      ['fr.document', '2026-19950#published', '2026-09-25'],
    ]);

    // The next poll sees the same window and reports nothing, still in two requests.
    clock.set('2026-10-05T13:15:00Z');
    fake.clearRequests();
    expect(await runSourceCycle(federalRegisterSource, deps())).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 0 });
    expect(fake.requests).toHaveLength(2);
  });

  it('takes the window from federalRegister.lookbackDays, and a narrowed then widened window reports nothing old', async () => {
    clock.set('2026-10-06T13:00:00Z');
    serve([...news.documents, correction, lateTagged(bisAgencies)]);
    expect(await runSourceCycle(federalRegisterSource, deps(3))).toMatchObject({ status: 'ok', changesCreated: 0 });
    expect(gte()).toBe('2026-10-02'); // 3 days before 2026-10-05
    expect(fake.requests).toHaveLength(2);

    // Widening again re-reads documents that the narrow window no longer listed (even the
    // baseline's 2026-09-17 rule): their items were kept, so nothing is news.
    clock.set('2026-10-06T13:15:00Z');
    serve([...news.documents, correction, lateTagged(bisAgencies)]);
    expect(await runSourceCycle(federalRegisterSource, deps(30))).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 0 });
    expect(gte()).toBe('2026-09-06');
    expect(fake.requests).toHaveLength(2);
    expect(await changes(deps())).toHaveLength(2);
  });
});
