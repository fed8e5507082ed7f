import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change, SourceName } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import type { AppConfig } from '#core/config.ts';
import { type CycleDeps, runSourceCycle, type SourceDefinition } from '#core/source.ts';
import { createCycleDeps, createUpstreamClient } from '#app/compose.ts';
import { createEntityListSource, entityListSource } from '#sources/entity-list/source.ts';
import { federalRegisterSource } from '#sources/federal-register/source.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';
import { type LocalDynamo, startLocalDynamo, testConfig } from '../support/local-aws.ts';
import { cslBody, entityListDemoRows, serveCsl } from '../support/upstreams/entity-list.ts';
import { federalRegisterDemoData, serveFederalRegisterDocuments, servePublicInspection } from '../support/upstreams/federal-register.ts';

/**
 * Issue 19, item 5: one oversized upstream record must not stop its source. DynamoDB (and
 * dynalite, which enforces the same 400 KB item limit) refuses an item over 400 KB; before
 * the caps, the change (or the Entity List snapshot item) of such a record failed the cycle
 * on every run. Now the record's strings and arrays are cut with a visible marker, the cycle
 * succeeds, and the next run with the same data reports nothing new.
 */

const ITEM_LIMIT = 400 * 1024;
const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');

interface Harness {
  fake: FakeUpstream;
  local: LocalDynamo;
  deps: CycleDeps;
  clock: ManualClock;
}

async function harness(start: string): Promise<Harness> {
  const fake = await new FakeUpstream().start();
  const config: AppConfig = testConfig(fake.env());
  const local = await startLocalDynamo(config.tables);
  const clock = new ManualClock(start);
  const http = createUpstreamClient(config, { otherRequestsPerSecond: 1000, secRequestsPerSecond: 1000, backoffBaseMs: 1 });
  return { fake, local, clock, deps: createCycleDeps(config, { db: local.db, http, clock }) };
}

async function changesOf(deps: CycleDeps, source: SourceName): Promise<Change[]> {
  const out: Change[] = [];
  for await (const c of deps.changes.query({ source })) out.push(c);
  return out;
}

describe('oversized records: a 450 KB Federal Register abstract', () => {
  let h: Harness;
  const today = '2026-10-02';
  const run = () => {
    h.clock.advance(15 * 60_000);
    return runSourceCycle(federalRegisterSource as SourceDefinition<unknown>, h.deps);
  };

  beforeAll(async () => {
    h = await harness('2026-10-02T13:00:00Z');
  });
  afterAll(async () => {
    await h?.fake.stop();
    await h?.local.stop();
  });

  it('the cycle succeeds with one change whose abstract ends with the marker, far under 400 KB; the next run adds nothing', async () => {
    const quiet = federalRegisterDemoData('quiet', { today });
    serveFederalRegisterDocuments(h.fake, quiet.documents);
    servePublicInspection(h.fake, quiet.publicInspection);
    expect(await run()).toMatchObject({ status: 'ok', baseline: true });

    const template = quiet.documents[0] as Record<string, unknown>;
    const abstract = 'The Bureau of Industry and Security amends the Export Administration Regulations. '.repeat(5_600); // ~450 KB
    expect(Buffer.byteLength(abstract)).toBeGreaterThan(450_000);
    const huge = { ...template, document_number: '2026-99999', publication_date: today, title: 'Additions to the Entity List', abstract };
    serveFederalRegisterDocuments(h.fake, [...quiet.documents, huge]);

    const outcome = await run();
    expect(outcome).toMatchObject({ status: 'ok', baseline: false, changesCreated: 1 });
    const [change, ...rest] = await changesOf(h.deps, 'federal-register');
    expect(rest).toEqual([]);
    expect(change?.naturalKey).toBe('2026-99999#published');
    expect(String(change?.data.abstract)).toMatch(/… \[truncated: \d+ more characters\]$/);
    expect(String(change?.data.abstract).startsWith('The Bureau of Industry and Security amends')).toBe(true);
    expect(bytes(change)).toBeLessThan(ITEM_LIMIT / 4);
    // The per-document state items stay small too.
    for (const item of await h.deps.state.getItems('federal-register', 'doc#')) expect(bytes(item.value)).toBeLessThan(2_000);

    expect(await run()).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 0 });
    expect(await changesOf(h.deps, 'federal-register')).toHaveLength(1);
    expect((await h.deps.state.get('federal-register'))?.consecutiveFailures).toBe(0);
  });
});

describeWithSharedFixtures('oversized records: a screening-list entity with 3,000 addresses', () => {
  let h: Harness;
  let template: Record<string, unknown>;
  /** The giant entry as last served (the amendment test changes it). */
  let giantNow: Record<string, unknown>;
  const run = (source: SourceDefinition<never> = entityListSource as SourceDefinition<never>) => {
    h.clock.advance(60 * 60_000);
    return runSourceCycle(source, h.deps);
  };
  // The 20-repeat case grows a 34-entry list by 10 entries, past the ±10% count bound.
  const looseCounts = createEntityListSource({ bounds: { maxCountChange: 1, maxListChange: 1 } }) as SourceDefinition<never>;
  /** Serve rows; `salt` changes an uncompared field so the body (and ETag) differ and the list is diffed again. */
  const serve = (rows: Record<string, unknown>[], salt = '') => serveCsl(h.fake, cslBody(rows.map((r) => ({ ...r, remarks: salt }))));

  beforeAll(async () => {
    h = await harness('2026-10-01T12:40:00Z');
    // The real CSL Entity List record shape (shared fixture), as the template of the giant entry.
    template = (JSON.parse(readFileSync(shared('entity-list/csl_records_el_sdn_isn_2026.json'), 'utf8')) as { EL: Record<string, unknown> })
      .EL;
  });
  afterAll(async () => {
    await h?.fake.stop();
    await h?.local.stop();
  });

  const giant = (extra: Record<string, unknown> = {}) => {
    const addr = (template.addresses as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
    return {
      ...template,
      id: 'giant-entity',
      name: 'Example Sprawling Logistics Holdings',
      alt_names: Array.from({ length: 3_000 }, (_, i) => `Sprawling Logistics Branch ${i}`),
      addresses: Array.from({ length: 3_000 }, (_, i) => ({
        ...addr,
        address: `${i + 1} ${String(addr.address)}`,
        city: `Kabul District ${i % 22}`,
      })),
      ...extra,
    };
  };

  it('the cycle succeeds; the change carries at most 50 addresses and an "N more" count, under 400 KB; the next run adds nothing', async () => {
    const quiet = entityListDemoRows('quiet');
    serve(quiet);
    expect(await run()).toMatchObject({ status: 'ok', baseline: true });

    serve([...quiet, giant()]);
    const outcome = await run();
    expect(outcome).toMatchObject({ status: 'ok', baseline: false, changesCreated: 1 });
    const all = await changesOf(h.deps, 'entity-list');
    expect(all).toHaveLength(1);
    const change = all[0] as Change;
    expect(change.kind).toBe('entity.added');
    expect((change.data.addresses as unknown[]).length).toBeLessThanOrEqual(50);
    expect(change.data.addressesOmitted).toBe(3_000 - (change.data.addresses as unknown[]).length);
    expect((change.data.altNames as unknown[]).length).toBeLessThanOrEqual(100);
    expect(change.data.altNamesOmitted).toBe(3_000 - (change.data.altNames as unknown[]).length);
    expect(change.summary).toMatch(/and 2997 more/); // the summary counts every published address
    expect(bytes(change)).toBeLessThan(ITEM_LIMIT / 4);
    for (const item of await h.deps.state.getItems('entity-list', 'e#')) expect(bytes(item.value)).toBeLessThan(ITEM_LIMIT / 4);

    // Same rows, different bytes: the list is parsed and diffed again, and nothing is new.
    serve([...quiet, giant()], 'again');
    expect(await run()).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 0 });
    expect(await changesOf(h.deps, 'entity-list')).toHaveLength(1);
  });

  it('an amendment of the giant entry (its first address) is one change under 400 KB', async () => {
    const quiet = entityListDemoRows('quiet');
    const g = giant();
    const addresses = [...(g.addresses as Array<Record<string, unknown>>)];
    addresses[0] = { ...addresses[0], address: 'Moved: 1 New Road' };
    giantNow = { ...g, addresses };
    serve([...quiet, giantNow]);
    expect(await run()).toMatchObject({ status: 'ok', changesCreated: 1 });
    const amended = (await changesOf(h.deps, 'entity-list')).filter((c) => c.kind === 'entity.amended');
    expect(amended).toHaveLength(1);
    expect(bytes(amended[0])).toBeLessThan(ITEM_LIMIT / 2);
    expect(amended[0]?.summary).toMatch(/Moved: 1 New Road/);
  });

  it('a record with a 450 KB name and licence text still fits: cut with the marker, stable across runs', async () => {
    const quiet = entityListDemoRows('quiet');
    const long = {
      ...template,
      id: 'long-text',
      name: `Example Verbose Trading ${'Company '.repeat(60_000)}`,
      license_policy: 'Case-by-case review. '.repeat(22_000),
    };
    serve([...quiet, giantNow, long]);
    const first = await run();
    expect(first).toMatchObject({ status: 'ok', changesCreated: 1 });
    const added = (await changesOf(h.deps, 'entity-list')).filter(
      (c) => c.kind === 'entity.added' && String(c.data.name).startsWith('Example Verbose'),
    );
    expect(added).toHaveLength(1);
    expect(String(added[0]?.data.name)).toMatch(/\[truncated: \d+ more characters\]$/);
    expect(String(added[0]?.data.licensePolicy)).toMatch(/\[truncated: \d+ more characters\]$/);
    expect(bytes(added[0])).toBeLessThan(ITEM_LIMIT / 4);
    serve([...quiet, giantNow, long], 'again');
    expect(await run()).toMatchObject({ status: 'ok', changesCreated: 0 });
  });

  it('one key repeated by 20 large rows: at most 10 records share its snapshot item, which stays under 400 KB', async () => {
    const quiet = entityListDemoRows('quiet');
    const addr = (template.addresses as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
    const repeats = Array.from({ length: 20 }, (_, i) => ({
      ...template,
      id: `repeat-${i}`,
      name: 'Example Repeated Procurement Front',
      federal_register_notice: `${80 + i} FR ${10_000 + i}`,
      addresses: Array.from({ length: 50 }, (_, k) => ({ ...addr, address: `${k} ${'Warehouse Row '.repeat(140)}` })),
    }));
    serve([...quiet, giantNow, ...repeats]);
    const outcome = await run(looseCounts);
    expect(outcome).toMatchObject({ status: 'ok', changesCreated: 10 + 1 }); // the ten kept records, and the long-text entry's removal
    const items = await h.deps.state.getItems('entity-list', 'e#');
    const group = items.find((i) => String(i.value.key).includes('example repeated procurement front'));
    expect(group).toBeDefined();
    expect((group?.value.records as unknown[] | undefined)?.length).toBe(10);
    for (const item of items) expect(bytes(item.value)).toBeLessThan(ITEM_LIMIT * 0.75);
    serve([...quiet, giantNow, ...repeats], 'again');
    expect(await run(looseCounts)).toMatchObject({ status: 'ok', changesCreated: 0 });
  });
});
