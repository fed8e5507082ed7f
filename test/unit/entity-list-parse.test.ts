import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '#core/errors.ts';
import { CSL_LIST_CODES } from '#core/config.ts';
import {
  bracketedCode,
  CSL_LISTS,
  DEFAULT_LISTS,
  ENTITY_LIST,
  listCode,
  listNamesOf,
  listShortName,
  MEU_LIST,
  UNVERIFIED_LIST,
} from '#sources/entity-list/lists.ts';
import { checkDate, fixMojibake, normCountry, normName, normText } from '#sources/entity-list/normalise.ts';
import { ENTRY_LIMITS, entityKey, entryHash, MAX_RECORDS_PER_KEY, parseCsl, toEntityRecord } from '#sources/entity-list/parse.ts';
import { forEachResult } from '#sources/entity-list/scan.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';
import { cslBody, entityListDemoBody } from '../support/upstreams/entity-list.ts';

const SDN = 'Specially Designated Nationals (SDN) - Treasury Department';
const ISN = 'Nonproliferation Sanctions (ISN) - State Department';

function collect(text: string | Buffer): unknown[] {
  const out: unknown[] = [];
  forEachResult(Buffer.isBuffer(text) ? text : Buffer.from(text), (json) => out.push(JSON.parse(json)));
  return out;
}

function kind(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof SourceError ? err.kind : `not a SourceError: ${String(err)}`;
  }
  return undefined;
}

describe('forEachResult (one-pass scanner)', () => {
  it('yields each results element exactly as JSON.parse would', () => {
    const doc = {
      meta: { note: 'a } tricky ] "value" with \\ backslashes', results: 'not this one' },
      results: [
        { name: 'A "quoted" {brace} [bracket]', n: 1 },
        { name: 'back\\slash\\', nested: { a: [1, { b: '}' }] } },
        { name: 'Ünïcödé 華為 §' },
      ],
      trailer: [1, 2, 3],
    };
    expect(collect(JSON.stringify(doc, null, 2))).toEqual(doc.results);
    expect(collect(JSON.stringify(doc))).toEqual(doc.results);
  });

  it('accepts a BOM, a bare top-level array and an empty results array', () => {
    expect(collect(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"results":[{"a":1}]}')]))).toEqual([{ a: 1 }]);
    expect(collect('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(collect('{"results": [ ] }')).toEqual([]);
  });

  it('fails with kind parse on truncation, missing results, wrong types and trailing bytes', () => {
    const body = entityListDemoBody('quiet');
    for (const cut of [1, 100, Math.floor(body.length / 2), body.length - 3, body.length - 1]) {
      expect(
        kind(() => collect(body.slice(0, cut))),
        `cut at ${cut}`,
      ).toBe('parse');
    }
    expect(kind(() => collect(''))).toBe('parse');
    expect(kind(() => collect('{"total": 3}'))).toBe('parse');
    expect(kind(() => collect('{"results": {"a": 1}}'))).toBe('parse');
    expect(kind(() => collect('{"results": []} garbage'))).toBe('parse');
    expect(kind(() => collect('"just a string"'))).toBe('parse');
  });

  it('walks the demo body with the same result as JSON.parse', () => {
    const body = entityListDemoBody('news');
    expect(collect(body)).toEqual((JSON.parse(body) as { results: unknown[] }).results);
  });
});

describe('normalisation', () => {
  it('repairs UTF-8 read as Latin-1 or cp1252, and leaves real accents alone', () => {
    expect(fixMojibake('(See Â§744.11 of the EAR)')).toBe('(See §744.11 of the EAR)');
    expect(fixMojibake('MÃ¼nchen')).toBe('München');
    expect(fixMojibake('Itâ€™s')).toBe('It’s');
    expect(fixMojibake('São Paulo, Zürich, Ñandú')).toBe('São Paulo, Zürich, Ñandú');
  });

  it('treats null, undefined, empty and blank strings alike, and collapses whitespace (NFKC first)', () => {
    expect(normText(null)).toBeNull();
    expect(normText(undefined)).toBeNull();
    expect(normText('')).toBeNull();
    expect(normText(' \u00a0 ')).toBeNull();
    expect(normText('  SPC Supachoke ')).toBe('SPC Supachoke');
    expect(normText('ＡＢＣ\u3000Co.')).toBe('ABC Co.'); // full-width letters and space (NFKC)
    expect(normText('78 FR 75485 ')).toBe('78 FR 75485');
  });

  it('makes name keys case-, spacing- and punctuation-insensitive', () => {
    expect(normName('HUAWEI TECHNOLOGIES CO., LTD.')).toBe('huawei technologies co ltd');
    expect(normName(' Huawei  Technologies Co Ltd')).toBe('huawei technologies co ltd');
    expect(normName('Huawei Technologies Co.,Ltd.')).toBe('huawei technologies co ltd');
    expect(normName('STRAßE Trading')).toBe(normName('strasse trading'));
    expect(normName("People's Steel Mills")).toBe(normName('Peoples Steel Mills'));
    expect(normName('Example (Shenzhen) Co.')).toBe(normName('Example （Shenzhen） Co.'));
    expect(normName('a | b')).not.toContain('|');
    expect(normName('...')).toBeNull();
    expect(normCountry(' cn')).toBe('CN');
  });

  it('keeps impossible dates as published and flags them', () => {
    const now = new Date('2026-10-01T00:00:00Z');
    expect(checkDate('2011-11-21', now)).toEqual({ date: '2011-11-21' });
    expect(checkDate('2011-11-21T00:00:00', now)).toEqual({ date: '2011-11-21' });
    expect(checkDate('3033-01-17', now)).toEqual({ issue: 'impossible' });
    expect(checkDate('2023-02-30', now)).toEqual({ issue: 'impossible' });
    expect(checkDate('11/21/2011', now)).toEqual({ issue: 'unparseable' });
    expect(checkDate('', now)).toEqual({});
    expect(checkDate(null, now)).toEqual({});
  });

  it('names lists by short name and stable code', () => {
    expect([ENTITY_LIST, MEU_LIST, UNVERIFIED_LIST].map(listShortName)).toEqual(['Entity List', 'MEU List', 'Unverified List']);
    expect([ENTITY_LIST, MEU_LIST, UNVERIFIED_LIST, SDN].map(listCode)).toEqual(['EL', 'MEU', 'UVL', 'SDN']);
    expect(listShortName(SDN)).toBe('Specially Designated Nationals (SDN)');
  });
});

describe('parseCsl on the demo list', () => {
  it('keeps only the three BIS lists by default, and counts what it skipped', () => {
    const parsed = parseCsl(entityListDemoBody('quiet'));
    expect(parsed.totalRecords).toBe(38);
    expect(parsed.entries).toHaveLength(32);
    expect(parsed.listCounts).toEqual({ [ENTITY_LIST]: 24, [MEU_LIST]: 4, [UNVERIFIED_LIST]: 4 });
    expect(parsed.otherSources[SDN]).toBe(4);
    expect(parsed.otherSources['Denied Persons List (DPL) - Bureau of Industry and Security']).toBe(1);
    expect(parsed.entries.every((e) => e.list !== SDN)).toBe(true);
  });

  it('keeps published values (padded names, "" and null) but keys on the normalised name', () => {
    const parsed = parseCsl(entityListDemoBody('quiet'));
    const padded = parsed.entries.find((e) => e.name.includes('Trading Hong Kong'));
    expect(padded?.name).toBe('  Example Trading Hong Kong Limited ');
    expect(padded?.key).toBe('EL|example trading hong kong limited|HK');
    expect(padded?.addresses[0]).toMatchObject({ state: null, postal_code: null });
  });

  it('adds other lists when asked, matching their names loosely', () => {
    const parsed = parseCsl(entityListDemoBody('quiet'), { lists: [ENTITY_LIST, SDN.toUpperCase(), `  ${ISN}`] });
    expect(parsed.entries).toHaveLength(24 + 4 + 1);
    const isn = parsed.entries.find((e) => e.list === `  ${ISN}`);
    expect(isn?.countries).toEqual(['CN']); // top-level `country` of ISN rows
  });

  it('matches a reworded list by its code in parentheses, keeping the selected name', () => {
    const DTC = CSL_LISTS.DTC;
    const rows = [
      { source: 'AECA Debarred List (DTC) - State Department', name: 'Example Debarred Person', addresses: [{ country: 'GB' }] },
      { source: DTC, name: 'Example Other Person', addresses: [{ country: 'FR' }] },
      { source: 'Entity List (EL) - Bureau of Industry and Security, renamed', name: 'Example Renamed', addresses: [{ country: 'CN' }] },
      { source: 'Some List Without A Code', name: 'Example Uncoded', addresses: [{ country: 'CN' }] },
    ];
    const parsed = parseCsl(cslBody(rows), { lists: [ENTITY_LIST, DTC] });
    expect(parsed.entries.map((e) => [e.list, e.key])).toEqual([
      [DTC, 'DTC|example debarred person|GB'],
      [DTC, 'DTC|example other person|FR'],
      [ENTITY_LIST, 'EL|example renamed|CN'],
    ]);
    expect(parsed.listCounts).toEqual({ [ENTITY_LIST]: 1, [DTC]: 2 });
    expect(parsed.otherSources).toEqual({ 'Some List Without A Code': 1 });
    // The codes of a name come only from its parentheses: listCode's whole-name fallback never matches loosely.
    expect(bracketedCode('Some List Without A Code')).toBeUndefined();
    expect(bracketedCode(MEU_LIST)).toBe('MEU');
  });

  it('knows a published name for every code the config accepts, and the defaults are EL, MEU, UVL', () => {
    expect(Object.keys(CSL_LISTS).sort()).toEqual([...CSL_LIST_CODES].sort());
    for (const [code, name] of Object.entries(CSL_LISTS)) if (code !== 'NS-MBS') expect(listCode(name)).toBe(code);
    expect(DEFAULT_LISTS).toEqual([ENTITY_LIST, MEU_LIST, UNVERIFIED_LIST]);
    expect(listNamesOf(['SDN', 'ISN'])).toEqual([SDN, ISN]);
  });

  it('skips a selected row with no usable name instead of keying it on nothing', () => {
    const parsed = parseCsl(
      cslBody([
        { source: ENTITY_LIST, name: ' ' },
        { source: ENTITY_LIST, name: 'Real Name', addresses: [{ country: 'CN' }] },
      ]),
    );
    expect(parsed.entries.map((e) => e.key)).toEqual(['EL|real name|CN']);
    expect(parsed.skipped).toBe(1);
  });

  it('fails with parse on a row that is not an object', () => {
    expect(kind(() => parseCsl('{"results":[{"source":"x","name":"a"}, 42]}'))).toBe('parse');
  });
});

describeWithSharedFixtures('parseCsl on real record shapes', () => {
  // Loaded in a hook: vitest runs a skipped suite's body too, and the file may be absent.
  let records: Record<string, Record<string, unknown>>;
  let body: string;
  beforeAll(() => {
    records = JSON.parse(readFileSync(shared('entity-list/csl_records_el_sdn_isn_2026.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    body = cslBody([records.EL as Record<string, unknown>, records.SDN as Record<string, unknown>, records.ISN as Record<string, unknown>]);
  });

  it('keeps the EL row, ignores SDN and ISN rows by default', () => {
    const parsed = parseCsl(body);
    expect(parsed.entries).toHaveLength(1);
    const el = parsed.entries[0];
    expect(el).toMatchObject({
      key: 'EL|abdul satar ghoura|AF',
      name: 'Abdul Satar Ghoura',
      altNames: [], // alt_names: null
      countries: ['AF'],
      federalRegisterNotice: '76 FR 71867',
      startDate: '2011-11-21',
      licensePolicy: 'Presumption of denial.',
      url: 'https://www.bis.gov/regulations/ear/744#supplement-4-744',
    });
    expect(el?.addresses[0]).toEqual({
      address: '501, 5th Floor, Amanullah Sancharaki Market',
      city: 'Kabul',
      state: '',
      postal_code: '',
      country: 'AF',
    });
    expect(parsed.otherSources).toEqual({ [SDN]: 1, [ISN]: 1 });
  });

  it('reads SDN (id = entity number, several countries) and ISN (top-level country, padded name) shapes when selected', () => {
    const parsed = parseCsl(body, { lists: [ENTITY_LIST, SDN, ISN] });
    const byList = Object.fromEntries(parsed.entries.map((e) => [e.list, e]));
    expect(byList[SDN]?.key).toBe('SDN|havin bank limited|CU,GB');
    expect(byList[SDN]?.altNames).toEqual(['HAVANA INTERNATIONAL BANK, LTD']);
    expect(byList[ISN]?.key).toBe('ISN|spc supachoke|TH');
    expect(byList[ISN]?.name).toBe('SPC Supachoke ');
  });

  it('the same content with a different upstream id and "" for null hashes equally', () => {
    const el = records.EL as Record<string, unknown>;
    const variant = {
      ...el,
      id: 'f'.repeat(56),
      remarks: null,
      title: '',
      alt_names: [],
      addresses: [{ address: '501, 5th Floor, Amanullah Sancharaki Market', city: 'Kabul', state: null, postal_code: null, country: 'AF' }],
    };
    const a = toEntityRecord(el, ENTITY_LIST);
    const b = toEntityRecord(variant, ENTITY_LIST);
    expect(b?.key).toBe(a?.key);
    expect(b?.hash).toBe(a?.hash);
  });
});

describeWithSharedFixtures('GovWizely expected results (2015): mojibake and grouping', () => {
  let rows: Array<Record<string, unknown>>;
  let parsed: ReturnType<typeof parseCsl>;
  beforeAll(() => {
    rows = JSON.parse(readFileSync(shared('entity-list/govwizely_csl_el_expected_results_2015.json'), 'utf8')) as Array<
      Record<string, unknown>
    >;
    parsed = parseCsl(cslBody(rows));
  });

  it('parses every row, keeping the mojibake as published', () => {
    expect(parsed.entries).toHaveLength(7);
    expect(parsed.entries[0]?.licenseRequirement).toBe('For all items subject to the EAR. (See Â§744.11 of the EAR).');
  });

  it('compares the mojibake equal to the repaired text', () => {
    const first = rows[0] as Record<string, unknown>;
    const repaired = { ...first, license_requirement: 'For all items subject to the EAR. (See §744.11 of the EAR).' };
    expect(toEntityRecord(repaired, ENTITY_LIST)?.hash).toBe(parsed.entries[0]?.hash);
  });

  it('treats the trailing space of "78 FR 75485 " as noise', () => {
    const murat = rows.find((r) => r.name === 'Murat Peker') as Record<string, unknown>;
    expect(toEntityRecord({ ...murat, federal_register_notice: '78 FR 75485' }, ENTITY_LIST)?.hash).toBe(
      toEntityRecord(murat, ENTITY_LIST)?.hash,
    );
  });

  it('groups an entity with several addresses in one country under one key, and keeps same-key rows apart by content', () => {
    const zurmat = parsed.entries.find((e) => e.name.startsWith('Zurmat'));
    expect(zurmat?.addresses).toHaveLength(7);
    expect(zurmat?.countries).toEqual(['AF']);
    const qazi = parsed.entries.filter((e) => e.name === 'Qazi Abdallah');
    expect(qazi).toHaveLength(3);
    expect(new Set(qazi.map((e) => e.key)).size).toBe(1); // same list, name and country
    expect(new Set(qazi.map((e) => e.hash)).size).toBe(3); // different FR notice or start date
  });

  it('keys and hashes are independent of row order', () => {
    const reversed = parseCsl(cslBody([...rows].reverse()));
    const sig = (es: typeof parsed.entries) => es.map((e) => `${e.key}#${e.hash}`).sort();
    expect(sig(reversed.entries)).toEqual(sig(parsed.entries));
  });

  it('builds the key from list, normalised name and sorted countries', () => {
    expect(entityKey(ENTITY_LIST, ' Fazal  Rahim Farid ', ['AF', 'PK'])).toBe('EL|fazal rahim farid|AF,PK');
    expect(
      entryHash({
        altNames: ['b', 'a'],
        addresses: [],
        federalRegisterNotice: '',
        startDate: null,
        licenseRequirement: null,
        licensePolicy: null,
      }),
    ).toBe(
      entryHash({
        altNames: ['A', 'B'],
        addresses: [],
        federalRegisterNotice: null,
        startDate: '',
        licenseRequirement: '',
        licensePolicy: null,
      }),
    );
  });
});

describe('entry caps (issue 19, item 5)', () => {
  const row = (over: Record<string, unknown> = {}) => ({
    source: ENTITY_LIST,
    name: 'Example Capped Trading Co.',
    alt_names: ['ECT'],
    addresses: [{ address: '1 Road', city: 'Shenzhen', state: null, postal_code: null, country: 'CN' }],
    federal_register_notice: '89 FR 1',
    start_date: '2024-01-02',
    license_requirement: 'For all items subject to the EAR.',
    license_policy: 'Presumption of denial.',
    ...over,
  });

  it('leaves a normal entry as it was: no omitted counts, the hash of its fields alone', () => {
    const e = toEntityRecord(row(), ENTITY_LIST);
    expect(e).toBeDefined();
    expect(e && 'addressesOmitted' in e).toBe(false);
    expect(e && 'altNamesOmitted' in e).toBe(false);
    expect(e?.hash).toBe(
      entryHash({
        altNames: ['ECT'],
        addresses: e?.addresses ?? [],
        federalRegisterNotice: '89 FR 1',
        startDate: '2024-01-02',
        licenseRequirement: 'For all items subject to the EAR.',
        licensePolicy: 'Presumption of denial.',
      }),
    );
  });

  it('keeps 50 of 3,000 addresses with the count of the rest, countries from all of them, and a stable hash', () => {
    const addresses = Array.from({ length: 3000 }, (_, i) => ({
      address: `${i} Road`,
      city: null,
      state: null,
      postal_code: null,
      country: i === 2999 ? 'SG' : 'CN',
    }));
    const e = toEntityRecord(row({ addresses, alt_names: Array.from({ length: 500 }, (_, i) => `Alias ${i}`) }), ENTITY_LIST);
    expect(e?.addresses).toHaveLength(ENTRY_LIMITS.addresses);
    expect(e?.addressesOmitted).toBe(2950);
    expect(e?.altNames).toHaveLength(ENTRY_LIMITS.altNames);
    expect(e?.altNamesOmitted).toBe(400);
    expect(e?.countries).toEqual(['CN', 'SG']);
    expect(toEntityRecord(row({ addresses, alt_names: Array.from({ length: 500 }, (_, i) => `Alias ${i}`) }), ENTITY_LIST)?.hash).toBe(
      e?.hash,
    );
    // One more published address (beyond the kept ones) is still a change of content.
    expect(
      toEntityRecord(
        row({ addresses: [...addresses, { address: 'x', country: 'CN' }], alt_names: Array.from({ length: 500 }, (_, i) => `Alias ${i}`) }),
        ENTITY_LIST,
      )?.hash,
    ).not.toBe(e?.hash);
  });

  it('cuts long text with the marker and keeps every entry within its byte budget', () => {
    const huge = 'Word '.repeat(100_000);
    const e = toEntityRecord(
      row({ name: huge, license_policy: huge, addresses: Array.from({ length: 50 }, () => ({ address: huge, country: 'CN' })) }),
      ENTITY_LIST,
    );
    expect(e?.name).toMatch(/… \[truncated: \d+ more characters\]$/);
    expect(e?.name.length).toBeLessThan(ENTRY_LIMITS.name + 50);
    expect(e?.licensePolicy).toMatch(/\[truncated: \d+ more characters\]$/);
    expect(Buffer.byteLength(JSON.stringify(e))).toBeLessThan(ENTRY_LIMITS.recordBytes + 2_000); // + key and hash
  });

  it(`keeps at most ${MAX_RECORDS_PER_KEY} rows of one key and counts the rest`, () => {
    const rows = Array.from({ length: 25 }, (_, i) => row({ federal_register_notice: `89 FR ${i}` }));
    const parsed = parseCsl(cslBody(rows));
    expect(parsed.entries).toHaveLength(MAX_RECORDS_PER_KEY);
    expect(parsed.keyRepeatsDropped).toBe(25 - MAX_RECORDS_PER_KEY);
    expect(parsed.listCounts[ENTITY_LIST]).toBe(MAX_RECORDS_PER_KEY);
    expect('keyRepeatsDropped' in parseCsl(entityListDemoBody('quiet'))).toBe(false);
  });
});
