import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '#core/clock.ts';
import { loadConfig } from '#core/config.ts';
import { ConfigError } from '#core/errors.ts';
import { sha256 } from '#core/hash.ts';
import type { UpstreamClient, UpstreamResponse } from '#core/http.ts';
import type { SourceContext } from '#core/source.ts';
import { diffReport, type EntityListDiffReport, entityListDiffCommand, parseListCodes } from '#app/cli/entity-list.ts';
import { diffLists } from '#sources/entity-list/diff.ts';
import { CSL_LISTS, ENTITY_LIST } from '#sources/entity-list/lists.ts';
import { parseCsl } from '#sources/entity-list/parse.ts';
import { type EntityListCursor, entityListSource } from '#sources/entity-list/source.ts';
import {
  cslBody,
  ENTITY_LIST_DEMO_NEWS,
  entityListDemoBody,
  entityListDemoRows,
  syntheticCslRows,
} from '../support/upstreams/entity-list.ts';

/** The command's clock: fixed, so `startDateIssue` never depends on the calendar day. */
const NOW = new Date('2026-10-01T12:00:00Z');

let dir: string;
let quiet: string;
let news: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ew-el-diff-'));
  quiet = join(dir, 'quiet.json');
  news = join(dir, 'news.json');
  writeFileSync(quiet, entityListDemoBody('quiet'));
  writeFileSync(news, entityListDemoBody('news'));
});

/** Run the command, capturing both streams. */
async function diff(oldPath: string, newPath: string, opts: Parameters<typeof entityListDiffCommand>[2] = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await entityListDiffCommand(oldPath, newPath, opts, { out: (s) => out.push(s), err: (s) => err.push(s) }, NOW);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The source's own changes for the same pair of bodies: a baseline run, then a run on `after`. */
async function sourceChanges(before: string, after: string) {
  const config = loadConfig({ EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['NVDA'] }) });
  const store = new Map<string, Record<string, unknown>>();
  let body = before;
  const http = {
    async get(url: string): Promise<UpstreamResponse> {
      const buf = Buffer.from(body);
      return { url, status: 200, notModified: false, headers: new Headers(), body: buf, bodyHash: sha256(buf), validators: {} };
    },
  } as unknown as UpstreamClient;
  const ctx = (cursor: EntityListCursor | undefined): SourceContext<EntityListCursor> => ({
    config,
    http,
    clock: new ManualClock(NOW.toISOString()),
    cursor,
    readItem: async (key) => store.get(key),
    readItems: async (prefix) => [...store].filter(([k]) => k.startsWith(prefix)).map(([key, value]) => ({ key, value })),
    queryChanges: () => (async function* () {})(),
    log: () => undefined,
  });
  const first = await entityListSource.poll(ctx(undefined));
  for (const w of first.itemWrites ?? []) if (w.value) store.set(w.key, JSON.parse(JSON.stringify(w.value)));
  body = after;
  return (await entityListSource.poll(ctx(first.cursor))).changes;
}

describe('entity-list diff: the source diff', () => {
  it('reports exactly the changes the source records for the same pair (key, title and data)', async () => {
    const changes = await sourceChanges(entityListDemoBody('quiet'), entityListDemoBody('news'));
    const report = diffReport(
      diffLists(parseCsl(entityListDemoBody('quiet')).entries, parseCsl(entityListDemoBody('news')).entries).events,
      NOW,
    );
    const fromReport = [...report.added, ...report.modified, ...report.removed].map((e) => ({ key: e.key, title: e.title, data: e.data }));
    const fromSource = changes.map((c) => ({ key: c.naturalKey, title: c.title, data: c.data }));
    expect(fromReport).toEqual(fromSource);
    expect(fromReport).toHaveLength(5);
  });

  it('--json prints { added, removed, modified } with the change data; modified entries say which fields changed', async () => {
    const { code, stdout, stderr } = await diff(quiet, news, { json: true });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as EntityListDiffReport;
    expect(Object.keys(report)).toEqual(['added', 'removed', 'modified']);
    expect(report.added.map((e) => [e.data.name, e.data.countries]).sort()).toEqual(
      ENTITY_LIST_DEMO_NEWS.added.map((a) => [a.name, a.countries]).sort(),
    );
    expect(report.removed.map((e) => e.data.name)).toEqual(['Example Freight FZE']);
    const [modified] = report.modified;
    expect(modified?.key).toBe('EL|example wafer fabrication institute|CN');
    expect(modified?.data).toMatchObject({
      list: ENTITY_LIST,
      name: 'Example Wafer Fabrication Institute',
      federalRegisterNotice: '89 FR 10101',
    });
    const changes = modified?.data.changes as Array<{ field: string; before: unknown[]; after: unknown[] }>;
    expect(changes.map((c) => c.field)).toEqual(['addresses']);
    expect([changes[0]?.before.length, changes[0]?.after.length]).toEqual([1, 2]);
    for (const e of report.added)
      expect(Object.keys(e.data)).toEqual(
        expect.arrayContaining(['list', 'name', 'altNames', 'countries', 'addresses', 'federalRegisterNotice', 'startDate']),
      );
  });

  it('text: per list and kind, grouped by country, with names and FR citations', async () => {
    const { code, stdout } = await diff(quiet, news);
    expect(code).toBe(0);
    expect(stdout).toContain('Lists compared: Entity List 24 -> 26; MEU List 4 -> 4; Unverified List 4 -> 4.');
    expect(stdout).toContain('Not compared (other lists in the files; select them with --lists): SDN 4, ISN 1, DPL 1.');
    expect(stdout).toContain('3 added, 1 modified, 1 removed.');
    expect(stdout).toMatch(
      /Entity List: 3 added\n {2}China \(CN\): 2\n {4}\+ Example Chip Design Innovation Co\., Ltd\. — 91 FR 41234, start 2026-09-29\n/,
    );
    expect(stdout).toMatch(/ {2}Singapore \(SG\): 1\n {4}\+ Example Accelerator Reseller Pte\. Ltd\. — 91 FR 41234/);
    expect(stdout).toMatch(
      /Entity List: 1 modified\n {2}China \(CN\): 1\n {4}~ Example Wafer Fabrication Institute — 89 FR 10101, start 2024-12-05\n {8}addresses: added “No\. 9 Demo Chip Road, Lingang, Shanghai, CN”/,
    );
    expect(stdout).toMatch(
      /Entity List: 1 removed\n {2}United Arab Emirates \(AE\): 1\n {4}- Example Freight FZE — last listed: 88 FR 44444/,
    );
    expect((await diff(quiet, quiet)).stdout).toMatch(/No differences\.$/);
  });

  it('--lists and --config choose the lists like the source does', async () => {
    expect((await diff(quiet, news, { lists: 'sdn' })).stdout).toMatch(/Lists compared: Specially Designated Nationals \(SDN\) 4 -> 4\./);
    const both = JSON.parse((await diff(quiet, news, { json: true, lists: 'EL,SDN' })).stdout) as EntityListDiffReport;
    const sdnEvents = [...both.added, ...both.removed, ...both.modified].filter((e) => e.data.list === CSL_LISTS.SDN);
    expect(sdnEvents.length).toBeGreaterThan(0); // the news phase changes SDN rows too
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ watchlist: ['NVDA'], entityList: { lists: ['EL', 'SDN'] } }));
    expect((await diff(quiet, news, { json: true, config: configFile })).stdout).toBe(
      (await diff(quiet, news, { json: true, lists: 'EL,SDN' })).stdout,
    );
  });

  it('says when the source would refuse the pair, and that a larger bound in the config lets it through', async () => {
    // Drop 5 of 24 Entity List rows: 32 → 27 entries, −15.6%.
    const rows = entityListDemoRows('quiet');
    const fewer = rows
      .filter((r) => r.source === ENTITY_LIST)
      .slice(5)
      .concat(rows.filter((r) => r.source !== ENTITY_LIST));
    const shrunk = join(dir, 'shrunk.json');
    writeFileSync(shrunk, cslBody(fewer));
    const text = await diff(quiet, shrunk);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('5 removed.');
    expect(text.stdout).toMatch(
      /Note: the entity-list source would refuse to publish this diff \(entry count moved from 32 to 27 \(−15\.6%\), beyond the ±10% bound;.*raise entityList\.maxCountChange/,
    );
    const json = await diff(quiet, shrunk, { json: true });
    expect((JSON.parse(json.stdout) as EntityListDiffReport).removed).toHaveLength(5);
    expect(json.stderr).toMatch(/would refuse/); // the note stays out of the JSON
    const loose = join(dir, 'loose.json');
    writeFileSync(loose, JSON.stringify({ watchlist: ['NVDA'], entityList: { maxCountChange: 0.2 } }));
    expect((await diff(quiet, shrunk, { config: loose })).stdout).not.toMatch(/would refuse/);
  });
});

describe('entity-list diff: bad input', () => {
  it('exit code 2 and one clear line for a missing file, a directory, CSV, non-JSON, malformed JSON and the wrong shape', async () => {
    const write = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing.json'), /cannot read .*missing\.json: no such file/],
      [dir, /cannot read .*: is a directory/],
      [write('empty.json', '  \n'), /empty\.json is empty/],
      [
        write('list.csv', '_id,source,entity_number,type,programs,name\n1,Entity List (EL) - Bureau of Industry and Security,,,,X\n'),
        /list\.csv looks like the CSL's CSV\/TSV export; give the JSON download/,
      ],
      [write('headers.txt', '_id,source,name\n'), /headers\.txt looks like the CSL's CSV/],
      [write('prose.json', 'hello'), /prose\.json is not JSON/],
      [
        write('truncated.json', '{"results": [{"source": "x", "name": "a"'),
        /truncated\.json is not a valid consolidated screening list: CSL body is truncated/,
      ],
      [
        write('noresults.json', '{"total": 0}'),
        /noresults\.json is not a valid consolidated screening list: CSL body has no `results` array/,
      ],
      [write('numbers.json', '[1, 2]'), /numbers\.json is not a valid consolidated screening list: CSL results\[0\] is not an object/],
      [
        write('changes.json', JSON.stringify([{ id: 'x', source: 'entity-list', kind: 'entity.added' }])),
        /changes\.json is not a consolidated screening list: its 1 row\(s\) have no CSL `source`/,
      ],
    ];
    for (const [path, message] of cases) {
      for (const [a, b] of [
        [path, news],
        [quiet, path],
      ] as const) {
        const r = await diff(a, b);
        expect(r.code, path).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(/^export-watch: entity-list diff: /);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    }
  });

  it('an empty results array is a valid (empty) list', async () => {
    const emptyList = join(dir, 'empty-list.json');
    writeFileSync(emptyList, '{"results": []}');
    const r = await diff(emptyList, news);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('34 added, 0 modified, 0 removed.');
  });

  it('unknown --lists codes exit 2 naming the known ones; a bad --config is a ConfigError', async () => {
    const r = await diff(quiet, news, { lists: 'EL,XX' });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe(
      'export-watch: entity-list diff: --lists: unknown list code XX (known: EL, MEU, UVL, DPL, ISN, DTC, SDN, SSI, FSE, CAP, PLC, CMIC, NS-MBS)',
    );
    expect(parseListCodes(' el, dpl ,EL')).toEqual(['EL', 'DPL']);
    expect(() => parseListCodes(',')).toThrow(/expected list codes/);
    const bad = join(dir, 'bad-config.json');
    writeFileSync(bad, JSON.stringify({ watchlist: ['NVDA'], entityList: { lists: ['XYZ'] } }));
    await expect(diff(quiet, news, { config: bad })).rejects.toThrow(ConfigError);
    await expect(diff(quiet, news, { config: bad })).rejects.toThrow(/entityList\.lists\.0: expected a CSL list code/);
  });

  it('applies the amended-share bound of the source too (issue 19, item 6)', async () => {
    // 300 Entity List rows, then the same rows with every address rewritten: 300 amendments (100%).
    const rows = syntheticCslRows(300, { bisShare: 1 });
    const base = join(dir, 'base-300.json');
    const rewritten = join(dir, 'rewritten-300.json');
    writeFileSync(base, cslBody(rows));
    writeFileSync(
      rewritten,
      cslBody(
        rows.map((r) => ({
          ...r,
          addresses: (r.addresses as Array<Record<string, unknown>>).map((a) => ({ ...a, address: `Unit 1, ${String(a.address)}` })),
        })),
      ),
    );
    const text = await diff(base, rewritten);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /would refuse to publish this diff \(300 of 300 entries \(100\.0%\) would be amended, beyond the 25% bound;.*raise entityList\.maxAmendedShare/,
    );
    const loose = join(dir, 'loose-amend.json');
    writeFileSync(loose, JSON.stringify({ watchlist: ['NVDA'], entityList: { maxAmendedShare: 1 } }));
    expect((await diff(base, rewritten, { config: loose })).stdout).not.toMatch(/would refuse/);
  });
});
