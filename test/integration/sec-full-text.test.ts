import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import type { AppConfig } from '#core/config.ts';
import type { SourceState } from '#core/ports.ts';
import { type CycleDeps, type CycleOutcome, runSourceCycle } from '#core/source.ts';
import { createCycleDeps, createUpstreamClient } from '#app/compose.ts';
import { secFullTextSource } from '#sources/sec-full-text/source.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { type LocalDynamo, startLocalDynamo, testConfig } from '../support/local-aws.ts';
import {
  archivePath,
  documentHtml,
  type FakeDocument,
  PASSAGE_ENTITY_LIST,
  PASSAGE_LICENSING,
  registerFullText,
  resellerDocument,
} from '../support/upstreams/sec-full-text.ts';

/**
 * The sec-full-text source end to end: the real runner and DynamoDB adapters on dynalite,
 * the real HTTP client against a fake EDGAR full-text search on loopback (responses shaped
 * like the recorded EFTS samples), documents read through the language analysis's extraction.
 */
describe('sec-full-text source cycle', () => {
  const fake = new FakeUpstream();
  const clock = new ManualClock('2026-11-18T16:00:00Z'); // Wednesday 11:00 ET
  const docs: FakeDocument[] = [];
  let config: AppConfig;
  let local: LocalDynamo;
  let deps: CycleDeps;

  const cycle = (): Promise<CycleOutcome> => runSourceCycle(secFullTextSource, deps);
  const state = async (): Promise<SourceState> => (await deps.state.get('sec-full-text'))!;
  const changes = async (): Promise<Change[]> => {
    const all: Change[] = [];
    for await (const c of deps.changes.query({ source: 'sec-full-text' })) all.push(c);
    return all;
  };
  const searches = () => fake.requests.filter((r) => r.path === '/LATEST/search-index').map((r) => new URLSearchParams(r.query));

  beforeAll(async () => {
    await fake.start();
    config = testConfig(fake.env());
    local = await startLocalDynamo(config.tables);
    const http = createUpstreamClient(config, {
      otherRequestsPerSecond: 1000,
      secRequestsPerSecond: 1000,
      backoffBaseMs: 1,
      maxRetries: 0,
    });
    deps = createCycleDeps(config, { db: local.db, http, clock });
    // An older mention, present from the start: the baseline.
    docs.push(resellerDocument('2026-11-17', 1, [PASSAGE_LICENSING]));
    registerFullText(fake, docs);
  });

  afterAll(async () => {
    await fake.stop();
    await local?.stop();
  });

  it('the first run is a baseline: searches every default query over all filers, fetches no document, reports nothing', async () => {
    expect(config.watchlist).not.toContain('0009990001');
    fake.clearRequests();
    const outcome = await cycle();
    expect(outcome).toMatchObject({ status: 'ok', baseline: true, changesCreated: 0 });
    expect(await changes()).toEqual([]);
    const qs = searches();
    expect(qs.map((q) => q.get('q'))).toEqual([
      '"Entity List"',
      '"export license"',
      '"Export Administration Regulations"',
      '"foreign direct product rule"',
    ]);
    for (const q of qs) {
      expect(q.get('ciks')).toBeNull(); // across all filers
      expect(q.get('forms')).toBe(config.forms.join(','));
      expect(q.get('dateRange')).toBe('custom');
      expect(q.get('startdt')).toBe('2026-11-15'); // 3 days of indexing lag
      expect(q.get('enddt')).toBe('2026-11-18');
    }
    expect(fake.requests.some((r) => r.path.startsWith('/Archives/'))).toBe(false);
    expect((await state()).cursor).toMatchObject({ v: 1, lastSuccessAt: '2026-11-18T16:00:00.000Z', pages: 4 });
  });

  it('a new mention by a company on no watch-list is one filing.mention change with the matching paragraph, the document read once', async () => {
    // The 10-Q matches both "Entity List" and "export license": two queries, one document read.
    const doc = resellerDocument('2026-11-18', 2, [PASSAGE_ENTITY_LIST]);
    docs.push(doc);
    registerFullText(fake, docs);
    clock.advance(10 * 60_000);
    fake.clearRequests();
    const outcome = await cycle();
    expect(outcome).toMatchObject({ status: 'ok', baseline: false, changesCreated: 2 });
    expect(fake.requests.filter((r) => r.path === archivePath(doc))).toHaveLength(1);
    expect(fake.requests.filter((r) => r.path.startsWith('/Archives/'))).toHaveLength(1); // the baseline's 10-Q is not re-read
    const all = await changes();
    const entity = all.find((c) => c.data.queryId === 'entity-list')!;
    expect(entity).toMatchObject({
      kind: 'filing.mention',
      naturalKey: `${doc.adsh}|entity-list`,
      subject: 'EXAMPLE RESELLER PTE LTD',
      occurredAt: '2026-11-18',
      url: `https://www.sec.gov/Archives/edgar/data/9990001/${doc.adsh.replace(/-/g, '')}/${doc.adsh}-index.htm`,
    });
    expect(entity.data).toMatchObject({
      accession: doc.adsh,
      cik: '0009990001',
      company: 'EXAMPLE RESELLER PTE LTD',
      form: '10-Q',
      filedAt: '2026-11-18',
      query: 'Entity List',
      watched: false,
      passage: PASSAGE_ENTITY_LIST,
      passageDocument: doc.filename,
    });
    const [s, e] = entity.data.passageSpan as [number, number];
    expect(PASSAGE_ENTITY_LIST.slice(s, e)).toBe('Entity List');
    expect(all.find((c) => c.data.queryId === 'export-license')?.data.passage).toBe(PASSAGE_ENTITY_LIST);
  });

  it('a filing matching one query is exactly one filing.mention change, with the paragraph that holds the phrase', async () => {
    const own = 'In April 2026 two of our distributors in Singapore were added to the Entity List, and we stopped shipping to them.';
    const doc: FakeDocument = {
      ...resellerDocument('2026-11-18', 5, [PASSAGE_LICENSING, own]),
      cik: '0009990005',
      adsh: '0009990005-26-900005',
      displayName: 'EXAMPLE COMPONENTS LTD  (CIK 0009990005)',
    };
    docs.push(doc);
    registerFullText(fake, docs);
    clock.advance(10 * 60_000);
    const outcome = await cycle();
    expect(outcome).toMatchObject({ status: 'ok', changesCreated: 1 });
    const mine = (await changes()).filter((c) => c.data.accession === doc.adsh);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ naturalKey: `${doc.adsh}|entity-list`, subject: 'EXAMPLE COMPONENTS LTD', countries: ['SG'] });
    expect(mine[0]!.data).toMatchObject({
      company: 'EXAMPLE COMPONENTS LTD',
      form: '10-Q',
      filedAt: '2026-11-18',
      query: 'Entity List',
      passage: own,
      watched: false,
    });
  });

  it('re-runs add nothing and read no document', async () => {
    clock.advance(10 * 60_000);
    fake.clearRequests();
    const before = (await changes()).length;
    const outcome = await cycle();
    expect(outcome).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 0 });
    expect((await changes()).length).toBe(before);
    expect(fake.requests.some((r) => r.path.startsWith('/Archives/'))).toBe(false);
  });

  it('dedupes the exhibits of one accession: one change per accession and query, listing every matching document', async () => {
    const base = resellerDocument('2026-11-18', 3, [PASSAGE_ENTITY_LIST]);
    const exhibit: FakeDocument = {
      ...base,
      filename: 'exr-ex99-1.htm',
      fileType: 'EX-99.1',
      html: documentHtml('Exhibit 99.1', [PASSAGE_ENTITY_LIST]),
    };
    // An 8-K whose exhibit only quotes the accession: `_source.adsh` disagrees with `_id`.
    const quoting: FakeDocument = { ...resellerDocument('2026-11-18', 4, [PASSAGE_ENTITY_LIST]), quotedAdsh: base.adsh };
    docs.push(exhibit, base, quoting);
    registerFullText(fake, docs);
    clock.advance(10 * 60_000);
    fake.clearRequests();
    const outcome = await cycle();
    expect(outcome).toMatchObject({ status: 'ok', changesCreated: 2 }); // entity-list + export-license for the one accession
    const mine = (await changes()).filter((c) => c.data.accession === base.adsh);
    expect(mine.map((c) => c.naturalKey).sort()).toEqual([`${base.adsh}|entity-list`, `${base.adsh}|export-license`]);
    for (const c of mine)
      expect(c.data.documents).toEqual([
        { filename: base.filename, fileType: '10-Q' },
        { filename: 'exr-ex99-1.htm', fileType: 'EX-99.1' },
      ]);
    // The primary document is read, once for both queries; the exhibit is not.
    expect(fake.requests.filter((r) => r.path.startsWith('/Archives/')).map((r) => r.path)).toEqual([archivePath(base)]);
    expect((await changes()).some((c) => c.naturalKey.startsWith(quoting.adsh))).toBe(false);
  });

  it('a failed page (500 on from=100) is an error state: nothing written, cursor unchanged; the next run catches up', async () => {
    // 120 new documents for "Entity List": two pages.
    for (let i = 0; i < 120; i++) docs.push(resellerDocument('2026-11-18', 100 + i, [PASSAGE_ENTITY_LIST]));
    const cursorBefore = (await state()).cursor;
    const countBefore = (await changes()).length;
    const itemsBefore = (await deps.state.getItems('sec-full-text', 'm#')).length;
    registerFullText(fake, docs, {
      override: (url) => (url.searchParams.get('from') === '100' ? { status: 500, body: 'boom' } : undefined),
    });
    clock.advance(10 * 60_000);
    const outcome = await cycle();
    expect(outcome).toMatchObject({ status: 'failed', errorKind: 'network' });
    const s = await state();
    expect(s.cursor).toEqual(cursorBefore);
    expect(s.consecutiveFailures).toBe(1);
    expect((await changes()).length).toBe(countBefore);
    expect((await deps.state.getItems('sec-full-text', 'm#')).length).toBe(itemsBefore);

    registerFullText(fake, docs); // the page works again
    clock.advance(10 * 60_000);
    fake.clearRequests();
    const retry = await cycle();
    expect(retry).toMatchObject({ status: 'ok' });
    expect(
      searches()
        .filter((q) => q.get('q') === '"Entity List"')
        .map((q) => q.get('from')),
    ).toEqual([null, '100']);
    // At most MAX_DOCUMENTS_PER_CYCLE (40) documents a cycle: the rest wait, their date kept in the cursor.
    const entityCount = async () => (await changes()).filter((c) => c.data.queryId === 'entity-list').length;
    expect(await entityCount()).toBe(3 + 40);
    expect((await state()).cursor).toMatchObject({ pendingFrom: '2026-11-18' });
    for (let i = 0; i < 2; i++) {
      clock.advance(10 * 60_000);
      expect(await cycle()).toMatchObject({ status: 'ok', changesCreated: 80 }); // 40 documents × ("Entity List", "export license")
    }
    expect(await entityCount()).toBe(3 + 120); // the three earlier accessions and the 120 new ones
    expect((await state()).cursor).not.toHaveProperty('pendingFrom');
  });
});

describe('sec-full-text at the ~10,000-hit cap', () => {
  const fake = new FakeUpstream();
  const clock = new ManualClock('2026-11-18T16:00:00Z');
  const docs: FakeDocument[] = [];
  let local: LocalDynamo;
  let deps: CycleDeps;

  beforeAll(async () => {
    await fake.start();
    const config = testConfig(fake.env());
    local = await startLocalDynamo(config.tables);
    const http = createUpstreamClient(config, {
      otherRequestsPerSecond: 1000,
      secRequestsPerSecond: 1000,
      backoffBaseMs: 1,
      maxRetries: 0,
    });
    deps = createCycleDeps(config, { db: local.db, http, clock });
    // The fake answers `relation: "gte"` above 150 matching documents (the cap, scaled down).
    registerFullText(fake, docs, { capAbove: 150 });
  });

  afterAll(async () => {
    await fake.stop();
    await local?.stop();
  });

  it('splits a capped window in halves instead of dropping hits: every mention of the window is seen', async () => {
    // 4 days × 60 documents = 240 "Entity List" hits in the baseline window 2026-11-15..18.
    for (const [d, day] of ['2026-11-15', '2026-11-16', '2026-11-17', '2026-11-18'].entries()) {
      for (let i = 0; i < 60; i++) docs.push(resellerDocument(day, d * 100 + i, [PASSAGE_ENTITY_LIST]));
    }
    registerFullText(fake, docs, { capAbove: 150 });
    fake.clearRequests();
    const outcome = await runSourceCycle(secFullTextSource, deps);
    expect(outcome).toMatchObject({ status: 'ok', baseline: true });
    const windows = fake.requests
      .filter((r) => r.path === '/LATEST/search-index')
      .map((r) => new URLSearchParams(r.query))
      .filter((q) => q.get('q') === '"Entity List"')
      .map((q) => `${q.get('startdt')}..${q.get('enddt')}${q.get('from') ? ` from=${q.get('from')}` : ''}`);
    // Whole window capped → halves of 120 hits each, two pages each.
    expect(windows).toEqual([
      '2026-11-15..2026-11-18',
      '2026-11-15..2026-11-16',
      '2026-11-15..2026-11-16 from=100',
      '2026-11-17..2026-11-18',
      '2026-11-17..2026-11-18 from=100',
    ]);
    const items = await deps.state.getItems('sec-full-text', 'm#');
    expect(items.filter((i) => i.key.endsWith('|entity-list'))).toHaveLength(240);
  });
});
