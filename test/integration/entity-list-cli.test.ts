import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EntityListDiffReport } from '#app/cli/entity-list.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';
import { entityListDemoBody } from '../support/upstreams/entity-list.ts';
import { exportWatch } from '../support/cli.ts';

/**
 * `export-watch entity-list diff` as a real process: help, the demo pair, files derived
 * from real CSL records, and bad input (exit code 2, one line, no stack trace).
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ew-el-cli-'));
});

describe('export-watch entity-list diff (real process)', () => {
  it('has --help for the group and the command', async () => {
    const group = await exportWatch(['entity-list', '--help']);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/Usage: export-watch entity-list/);
    expect(group.stdout).toMatch(/diff \[options\] <old> <new>/);
    const help = await exportWatch(['entity-list', 'diff', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: export-watch entity-list diff \[options\] <old> <new>/);
    expect(help.stdout).toMatch(/--json/);
    expect(help.stdout).toMatch(/--lists <codes>/);
    expect(help.stdout).toMatch(/--config <file>/);
    expect(help.stdout).toMatch(/2 on bad input/);
  });

  it('the demo pair (own fixtures): readable summary, and --json with the three arrays', async () => {
    const quiet = join(dir, 'quiet.json');
    const news = join(dir, 'news.json');
    writeFileSync(quiet, entityListDemoBody('quiet'));
    writeFileSync(news, entityListDemoBody('news'));
    const text = await exportWatch(['entity-list', 'diff', quiet, news]);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).toContain('3 added, 1 modified, 1 removed.');
    expect(text.stdout).toMatch(/Entity List: 3 added\n {2}China \(CN\): 2\n/);
    expect(text.stdout).toMatch(/\+ Example Accelerator Reseller Pte\. Ltd\. — 91 FR 41234, start 2026-09-29/);
    expect(text.stdout).toMatch(/- Example Freight FZE — last listed: 88 FR 44444/);
    const json = await exportWatch(['entity-list', 'diff', quiet, news, '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as EntityListDiffReport;
    expect([report.added.length, report.removed.length, report.modified.length]).toEqual([3, 1, 1]);
  });
});

describeWithSharedFixtures('export-watch entity-list diff on real CSL records', () => {
  const records = JSON.parse(readFileSync(shared('entity-list/csl_records_el_sdn_isn_2026.json'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  const EL = records.EL as Record<string, unknown>;
  const SDN = records.SDN as Record<string, unknown>;
  const ISN = records.ISN as Record<string, unknown>;
  // A fictional addition in the real EL record's shape.
  const added = {
    ...EL,
    id: 'f'.repeat(56),
    name: 'Example Kabul Trading Company',
    addresses: [{ address: '12 Example Road', city: 'Kabul', state: '', postal_code: '', country: 'AF' }],
    federal_register_notice: '91 FR 41234',
    start_date: '2026-09-29',
  };
  let oldFile: string;
  let newFile: string;
  beforeAll(() => {
    oldFile = join(dir, 'csl-old.json');
    newFile = join(dir, 'csl-new.json');
    // Old: the download's shape. New: the keyed search API's envelope around `results` (same
    // parser); the real EL row with "" turned into null (noise), the SDN row without its
    // alternate name, the ISN row gone, and the addition.
    writeFileSync(oldFile, JSON.stringify({ results: [EL, SDN, ISN] }, null, 2));
    const envelope = records.SEARCH_RESPONSE_ENVELOPE as Record<string, unknown>;
    const elNoise = {
      ...EL,
      addresses: (EL.addresses as Array<Record<string, unknown>>).map((a) => ({ ...a, state: null, postal_code: null })),
      remarks: null,
    };
    writeFileSync(newFile, JSON.stringify({ ...envelope, total: 3, results: [added, { ...SDN, alt_names: [] }, elNoise] }));
  });

  it('default lists: the Entity List addition, grouped by country with its FR citation; the noise is no change', async () => {
    const r = await exportWatch(['entity-list', 'diff', oldFile, newFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Lists compared: Entity List 1 -> 2; MEU List 0 -> 0; Unverified List 0 -> 0.');
    expect(r.stdout).toContain('Not compared (other lists in the files; select them with --lists): SDN 1, ISN 1.');
    expect(r.stdout).toContain('1 added, 0 modified, 0 removed.');
    expect(r.stdout).toMatch(
      /Entity List: 1 added\n {2}Afghanistan \(AF\): 1\n {4}\+ Example Kabul Trading Company — 91 FR 41234, start 2026-09-29/,
    );
    expect(r.stdout).not.toMatch(/Abdul Satar Ghoura/);
  });

  it('--lists EL,SDN,ISN --json: SDN alternate name removed (before/after), ISN removal with its citation as published', async () => {
    const r = await exportWatch(['entity-list', 'diff', oldFile, newFile, '--lists', 'EL,SDN,ISN', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as EntityListDiffReport;
    expect(report.added.map((e) => e.key)).toEqual(['EL|example kabul trading company|AF']);
    expect(report.added[0]?.data).toMatchObject({
      list: 'Entity List (EL) - Bureau of Industry and Security',
      countries: ['AF'],
      federalRegisterNotice: '91 FR 41234',
    });
    expect(report.modified).toHaveLength(1);
    expect(report.modified[0]).toMatchObject({
      key: 'SDN|havin bank limited|CU,GB',
      data: {
        list: 'Specially Designated Nationals (SDN) - Treasury Department',
        name: 'HAVIN BANK LIMITED',
        countries: ['CU', 'GB'],
        altNames: [],
        federalRegisterNotice: null,
        changes: [{ field: 'altNames', before: ['HAVANA INTERNATIONAL BANK, LTD'], after: [] }],
      },
    });
    expect(report.removed).toHaveLength(1);
    // Padded name and State's citation format exactly as published.
    expect(report.removed[0]).toMatchObject({
      key: 'ISN|spc supachoke|TH',
      data: { name: 'SPC Supachoke ', countries: ['TH'], federalRegisterNotice: 'Vol. 59, No. 44, 03/07/1994' },
    });

    const text = await exportWatch(['entity-list', 'diff', oldFile, newFile, '--lists', 'el,sdn,isn']);
    expect(text.stdout).toMatch(
      /Specially Designated Nationals \(SDN\): 1 modified\n {2}Cuba, United Kingdom \(CU, GB\): 1\n {4}~ HAVIN BANK LIMITED — no Federal Register notice given\n {8}alternate names: removed “HAVANA INTERNATIONAL BANK, LTD”/,
    );
    expect(text.stdout).toMatch(
      /Nonproliferation Sanctions \(ISN\): 1 removed\n {2}Thailand \(TH\): 1\n {4}- SPC Supachoke — last listed: Vol\. 59, No\. 44, 03\/07\/1994, start 1994-02-08/,
    );
  });

  it('bad input exits 2 with one line and no stack trace: missing file, the CSL CSV, a JSON file of another shape', async () => {
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing.json'), /cannot read .*missing\.json: no such file/],
      [
        shared('entity-list/csl_consolidated_csv_header_and_dpl_row_example.csv'),
        /looks like the CSL's CSV\/TSV export; give the JSON download \(consolidated\.json\)/,
      ],
      [
        shared('entity-list/csl_records_el_sdn_isn_2026.json'),
        /is not a valid consolidated screening list: CSL body has no `results` array/,
      ],
    ];
    for (const [path, message] of cases) {
      const r = await exportWatch(['entity-list', 'diff', path, newFile]);
      expect(r.code, path).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^export-watch: entity-list diff: /);
      expect(r.stderr).toMatch(message);
    }
    const unknown = await exportWatch(['entity-list', 'diff', oldFile, newFile, '--lists', 'EL,NOPE']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--lists: unknown list code NOPE \(known: EL, MEU, UVL, DPL/);
    const badConfig = join(dir, 'bad.json');
    writeFileSync(badConfig, JSON.stringify({ watchlist: ['NVDA'], entityList: { maxCountChange: 10 } }));
    const config = await exportWatch(['entity-list', 'diff', oldFile, newFile, '--config', badConfig]);
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/entityList\.maxCountChange: expected a ratio of at most 1/);
    expect(config.stderr).not.toMatch(/\n\s+at /);
  });
});
