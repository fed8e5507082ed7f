import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Change } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import type { AppConfig } from '#core/config.ts';
import { type CycleDeps, runSourceCycle } from '#core/source.ts';
import { createCycleDeps, createUpstreamClient } from '#app/compose.ts';
import { ENTITY_LIST } from '#sources/entity-list/lists.ts';
import { entityListSource } from '#sources/entity-list/source.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';
import { type LocalDynamo, startLocalDynamo, testConfig } from '../support/local-aws.ts';
import { cslBody, serveCsl } from '../support/upstreams/entity-list.ts';

/**
 * Issue 19, item 6: the Entity List sanity bounds counted rows only, so a reformat that
 * amends every row (same entries, every address rewritten) passed and mailed thousands of
 * `entity.amended` changes. Now the amended share is bounded like the count: the cycle fails
 * with kind `sanity`, nothing is written, and the snapshot and cursor stay on the last good
 * list. Baseline: the real Entity List (3,409 rows of Supp. No. 4 to Part 744, shared fixture).
 */

type Row = Record<string, unknown>;

const COUNTRY_ALIASES: Record<string, string> = {
  Burma: 'MM',
  Russia: 'RU',
  'South Korea': 'KR',
  Laos: 'LA',
  Turkey: 'TR',
  Syria: 'SY',
  Iran: 'IR',
  Vietnam: 'VN',
  Bolivia: 'BO',
  Venezuela: 'VE',
  'Crimea Region of Ukraine': 'UA',
  Taiwan: 'TW',
};

/** ISO code of an English country name as the eCFR table writes it. */
function isoOf(country: string, names: Map<string, string>): string {
  return COUNTRY_ALIASES[country] ?? names.get(country) ?? country;
}

describeWithSharedFixtures('amend flood: every Entity List row reformatted', () => {
  let fake: FakeUpstream;
  let local: LocalDynamo;
  let deps: CycleDeps;
  let rows: Row[];
  const clock = new ManualClock('2026-10-01T12:40:00Z');

  const run = () => {
    clock.advance(60 * 60_000);
    return runSourceCycle(entityListSource, deps);
  };
  const changes = async () => {
    const out: Change[] = [];
    for await (const c of deps.changes.query({ source: 'entity-list' })) out.push(c);
    return out;
  };
  const snapshot = async () => (await deps.state.getItems('entity-list', 'e#')).map((i) => JSON.stringify(i)).sort();

  beforeAll(async () => {
    const display = new Intl.DisplayNames(['en'], { type: 'region' });
    const names = new Map<string, string>();
    for (let a = 65; a <= 90; a++) {
      for (let b = 65; b <= 90; b++) {
        const code = String.fromCharCode(a, b);
        try {
          const name = display.of(code);
          if (name && name !== code && !names.has(name)) names.set(name, code);
        } catch {
          // not a region code
        }
      }
    }
    const supp4 = JSON.parse(readFileSync(shared('entity-list/el_supp4_part744_parsed_2026-07-09.json'), 'utf8')) as {
      entities: Array<{ name: string; aliases: string[]; country: string; address: string; federal_register: string; notes: string }>;
    };
    // Each eCFR row becomes a CSL Entity List record with one address carrying its country.
    rows = supp4.entities.map((e, i) => ({
      id: `supp4-${i}`,
      source: ENTITY_LIST,
      name: e.name,
      alt_names: e.aliases,
      addresses: [{ address: e.address, city: null, state: null, postal_code: null, country: isoOf(e.country, names) }],
      federal_register_notice: e.federal_register,
      start_date: null,
      license_requirement: e.notes,
      license_policy: null,
    }));
    fake = await new FakeUpstream().start();
    const config: AppConfig = testConfig(fake.env());
    local = await startLocalDynamo(config.tables);
    deps = createCycleDeps(config, {
      db: local.db,
      clock,
      http: createUpstreamClient(config, { otherRequestsPerSecond: 1000, backoffBaseMs: 1 }),
    });
  }, 60_000);

  afterAll(async () => {
    await fake?.stop();
    await local?.stop();
  });

  it('refuses the reformatted list (kind sanity, nothing written), then the original list is quietly accepted', async () => {
    serveCsl(fake, cslBody(rows));
    expect(await run()).toMatchObject({ status: 'ok', baseline: true, itemsSeen: 3409 });
    const goodState = await deps.state.get('entity-list');
    const goodSnapshot = await snapshot();

    // The same entries, every address rewritten: the street part and the rest split apart
    // ("501, 5th Floor, …, Kabul, Afghanistan" → address "Kabul, Afghanistan", city "501, 5th Floor, …").
    const reformatted = rows.map((r) => {
      const a = (r.addresses as Row[])[0] as Row;
      const text = String(a.address);
      const cut = text.indexOf(',');
      return {
        ...r,
        addresses: [{ ...a, address: cut > 0 ? text.slice(cut + 1).trim() : `c/o ${text}`, city: cut > 0 ? text.slice(0, cut) : null }],
      };
    });
    serveCsl(fake, cslBody(reformatted));
    const refused = await run();
    expect(refused).toMatchObject({ status: 'failed', errorKind: 'sanity', consecutiveFailures: 1 });
    expect((refused as { error: string }).error).toMatch(
      /^\d+ of 3409 entries \(\d+\.\d%\) would be amended, beyond the 25% bound; refusing to publish/,
    );
    expect(await changes()).toEqual([]);
    const after = await deps.state.get('entity-list');
    expect(after?.cursor).toEqual(goodState?.cursor);
    expect(await snapshot()).toEqual(goodSnapshot);

    // The next run gets the original list back: nothing to report, healthy again.
    serveCsl(fake, cslBody(rows));
    expect(await run()).toMatchObject({ status: 'ok', baseline: false, changesCreated: 0, itemsSeen: 3409 });
    expect(await changes()).toEqual([]);
    expect((await deps.state.get('entity-list'))?.consecutiveFailures).toBe(0);
  });

  it('a real-sized amendment (every China entry of one FR notice) still publishes', async () => {
    const notice = String(rows.find((r) => (r.addresses as Row[])[0]?.country === 'CN')?.federal_register_notice);
    let amended = 0;
    const ruled = rows.map((r) => {
      if (r.federal_register_notice !== notice) return r;
      amended++;
      return { ...r, license_policy: 'Presumption of denial.' };
    });
    expect(amended).toBeGreaterThan(0);
    expect(amended).toBeLessThan(3409 * 0.25);
    serveCsl(fake, cslBody(ruled));
    const outcome = await run();
    expect(outcome).toMatchObject({ status: 'ok', changesCreated: amended });
    expect((await changes()).every((c) => c.kind === 'entity.amended')).toBe(true);
  });
});
