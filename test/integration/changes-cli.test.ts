import { parse } from 'csv-parse/sync';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Change, finalizeChange, SOURCE_NAMES, type SourceName } from '#core/change.ts';
import { loadConfig } from '#core/config.ts';
import type { ChangeQuery } from '#core/ports.ts';
import { startDynalite } from '#app/local/services.ts';
import { DynamoChangeLog, matchesQuery, PageTokenError } from '#store/change-log.ts';
import { ensureTables } from '#store/create-tables.ts';
import { REPO_ROOT } from '../support/fixtures.ts';
import { type LocalDynamo, startLocalDynamo, testConfig } from '../support/local-aws.ts';
import { exportWatch } from '../support/cli.ts';
import { OUTSIDER_CIK, SECTOR_CIKS, SECTOR_MENTIONS, SECTOR_SIC, seedSector } from '../support/sector-seed.ts';

// Keyed by name, not SourceName: a source added to SOURCE_NAMES (sec-full-text, issue 17) gets its subjects here.
const SUBJECTS: Record<string, string[]> = {
  'sec-filings': ['NVDA', 'AMD'],
  'sec-revenue': ['NVDA', 'AMD'],
  'sec-export-language': ['NVDA'],
  'federal-register': ['BIS'],
  'entity-list': ['Entity List', 'Unverified List'],
  'sec-full-text': ['MU'],
};
const KINDS: Record<string, string[]> = {
  'sec-filings': ['filing.new'],
  'sec-revenue': ['revenue.regional'],
  'sec-export-language': ['export-language.changed', 'export-language.8k'],
  'federal-register': ['fr.document', 'fr.public-inspection'],
  'entity-list': ['entity.added', 'entity.removed', 'entity.amended'],
  'sec-full-text': ['filing.mention'],
};
const COUNTRY_SETS = [[], ['SG'], ['CN', 'HK'], ['SG', 'TW'], ['CN']];

/**
 * `n` changes over every source, several detected at the same instant (one source cycle
 * stamps all its changes alike), so pages must split ties correctly.
 */
function seedChanges(n: number, base = Date.parse('2026-03-01T12:00:00Z')): Change[] {
  const out: Change[] = [];
  for (let i = 0; i < n; i++) {
    const source = SOURCE_NAMES[(i * 7) % SOURCE_NAMES.length] as SourceName;
    const subjects = SUBJECTS[source] as string[];
    const kinds = KINDS[source] as string[];
    const title =
      i % 11 === 0
        ? `NVIDIA discloses H20 licence, "China", item ${i}`
        : i % 13 === 0
          ? `Multi-line\r\ntitle, with "quotes" ${i}`
          : `${source} change ${i}`;
    out.push(
      finalizeChange(
        {
          source,
          kind: kinds[i % kinds.length] as string,
          naturalKey: `key-${i}`,
          subject: subjects[i % subjects.length] as string,
          title,
          summary: i % 17 === 0 ? `The summary mentions an h20 shipment (${i}).` : `Summary ${i}`,
          url: `https://example.com/${i}`,
          importance: i % 3 === 0 ? 'high' : 'normal',
          countries: COUNTRY_SETS[Math.floor(i / 5) % COUNTRY_SETS.length] as string[],
          data: { i },
        },
        // Groups of 6 share a detectedAt; groups are 7 minutes apart.
        new Date(base + Math.floor(i / 6) * 7 * 60_000),
      ),
    );
  }
  return out;
}

async function seedTable(db: DynamoDBDocumentClient, table: string, changes: Change[]): Promise<void> {
  for (let i = 0; i < changes.length; i += 25) {
    const batch = changes.slice(i, i + 25).map((c) => ({ PutRequest: { Item: { ...c, day: c.detectedAt.slice(0, 10) } } }));
    let request: Record<string, unknown[]> | undefined = { [table]: batch };
    while (request && Object.keys(request).length) {
      const out = await db.send(new BatchWriteCommand({ RequestItems: request as never }));
      request = out.UnprocessedItems as Record<string, unknown[]> | undefined;
    }
  }
}

/** The expected answer of a query: the seeded changes it matches, newest first. */
function expected(all: Change[], q: ChangeQuery): Change[] {
  return all
    .filter((c) => matchesQuery(c, q) && (!q.since || c.detectedAt >= q.since) && (!q.until || c.detectedAt <= q.until))
    .sort((a, b) => b.detectedAt.localeCompare(a.detectedAt));
}

const ids = (list: Change[]) => list.map((c) => c.id);
/** Ids newest first with ties by id: DynamoDB orders changes of the same instant its own way. */
const canonical = (list: Change[]) =>
  [...list].sort((a, b) => b.detectedAt.localeCompare(a.detectedAt) || a.id.localeCompare(b.id)).map((c) => c.id);

describe('change log queries and pagination (in-memory dynalite)', () => {
  let local: LocalDynamo;
  let log: DynamoChangeLog;
  const all = seedChanges(240);

  beforeAll(async () => {
    const config = testConfig();
    local = await startLocalDynamo(config.tables);
    log = new DynamoChangeLog(local.db, config.tables.changes);
    await seedTable(local.db, config.tables.changes, all);
  });
  afterAll(async () => {
    await local?.stop();
  });

  async function full(q: ChangeQuery): Promise<Change[]> {
    const out: Change[] = [];
    for await (const c of log.query(q)) out.push(c);
    return out;
  }

  async function paged(q: ChangeQuery, limit: number): Promise<{ changes: Change[]; pages: number }> {
    const changes: Change[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await log.queryPage(pages === 0 ? q : {}, { limit, pageToken: token });
      expect(page.changes.length).toBeLessThanOrEqual(limit);
      if (page.nextPageToken) expect(page.changes.length).toBe(limit);
      changes.push(...page.changes);
      token = page.nextPageToken;
      pages++;
    } while (token && pages < 500);
    return { changes, pages };
  }

  const queries: Array<[string, ChangeQuery]> = [
    ['every source (merged by-source queries)', {}],
    ['one source', { source: 'entity-list' }],
    ['one subject', { subject: 'NVDA' }],
    ['subject and kind prefix', { subject: 'NVDA', kind: 'export-language' }],
    ['country', { country: 'sg' }],
    ['text, case-insensitive over title and summary', { text: 'H20' }],
    ['time window', { since: '2026-03-01T13:00:00.000Z', until: '2026-03-01T15:00:00.000Z' }],
    ['source, country and window', { source: 'federal-register', country: 'CN', since: '2026-03-01T12:30:00.000Z' }],
  ];

  it.each(queries)('%s: returns exactly the matching changes, newest first', async (_name, q) => {
    const got = await full(q);
    const want = expected(all, q);
    expect(want.length).toBeGreaterThan(0);
    expect(new Set(ids(got))).toEqual(new Set(ids(want)));
    expect(got.length).toBe(want.length);
    for (let i = 1; i < got.length; i++) expect((got[i - 1] as Change).detectedAt >= (got[i] as Change).detectedAt).toBe(true);
  });

  it.each(queries)('%s: page tokens round-trip without duplicates or gaps', async (_name, q) => {
    const want = await full(q);
    for (const limit of [1, 7, 50]) {
      const { changes, pages } = await paged(q, limit);
      expect(ids(changes)).toEqual(ids(want));
      expect(new Set(ids(changes)).size).toBe(changes.length);
      expect(pages).toBe(Math.max(1, Math.ceil(want.length / limit)));
    }
  });

  it('text and country filters match what they say', async () => {
    const h20 = await full({ text: 'h20' });
    expect(h20.every((c) => `${c.title} ${c.summary}`.toLowerCase().includes('h20'))).toBe(true);
    expect(h20.some((c) => !c.title.includes('H20'))).toBe(true); // found in the summary only
    const sg = await full({ country: 'SG' });
    expect(sg.every((c) => c.countries.includes('SG'))).toBe(true);
  });

  it('honours the query limit and keeps the since/until bounds inclusive', async () => {
    expect(await full({ limit: 5 })).toHaveLength(5);
    const instant = all[30]?.detectedAt as string;
    const exact = await full({ since: instant, until: instant });
    expect(exact.length).toBe(6);
    expect(exact.every((c) => c.detectedAt === instant)).toBe(true);
  });

  it('a token may be continued with the same query repeated, but not with another', async () => {
    const first = await log.queryPage({ source: 'sec-revenue', country: 'SG' }, { limit: 3 });
    expect(first.nextPageToken).toBeDefined();
    const again = await log.queryPage({ source: 'sec-revenue', country: 'sg' }, { limit: 3, pageToken: first.nextPageToken });
    expect(again.changes).toHaveLength(3);
    const bare = await log.queryPage({}, { limit: 3, pageToken: first.nextPageToken });
    expect(ids(again.changes)).toEqual(ids(bare.changes));
    await expect(log.queryPage({ source: 'federal-register' }, { limit: 3, pageToken: first.nextPageToken })).rejects.toThrow(
      PageTokenError,
    );
    await expect(log.queryPage({}, { limit: 3, pageToken: 'not-a-token' })).rejects.toThrow(PageTokenError);
    const forged = Buffer.from(JSON.stringify({ v: 1, q: {}, m: { 'no-such-source': null } })).toString('base64url');
    await expect(log.queryPage({}, { limit: 3, pageToken: forged })).rejects.toThrow(PageTokenError);
  });
});

// ---------------------------------------------------------------------------------------
// The real command against a local data dir
// ---------------------------------------------------------------------------------------

/** RFC 4180 records, read by an independent parser (csv-parse), not by our own code. */
function parseCsv(text: string): string[][] {
  return parse(text, { record_delimiter: '\r\n', relax_column_count: true }) as string[][];
}

describe('export-watch changes (real process, local data dir)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ew-changes-'));
  // 1,300 changes: enough for the progress lines (every 1,000) and for real pagination.
  const all = seedChanges(1300);
  const all2000 = ['--data-dir', dataDir, '--since', '2000-01-01'];

  beforeAll(async () => {
    const config = loadConfig({ ...process.env, EXPORT_WATCH_CONFIG: join(REPO_ROOT, 'export-watch.config.json') });
    const service = await startDynalite({ path: join(dataDir, 'dynamodb') });
    const client = new DynamoDBClient({
      endpoint: service.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await ensureTables(client, config.tables);
      await seedTable(DynamoDBDocumentClient.from(client), config.tables.changes, all);
    } finally {
      client.destroy();
      await service.close();
    }
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('csv: stable header, every record parses back with quotes, commas and line breaks intact', async () => {
    const out = await exportWatch(['changes', ...all2000, '--source', 'sec-filings', '--format', 'csv']);
    expect(out.code).toBe(0);
    const rows = parseCsv(out.stdout);
    expect(rows[0]).toEqual(['detectedAt', 'source', 'kind', 'subject', 'importance', 'countries', 'title', 'url', 'id']);
    const want = expected(all, { source: 'sec-filings' });
    expect(rows.length - 1).toBe(want.length);
    for (const row of rows.slice(1)) expect(row).toHaveLength(9);
    const byId = new Map(want.map((c) => [c.id, c]));
    for (const row of rows.slice(1)) {
      const c = byId.get(row[8] as string);
      expect(row[6]).toBe(c?.title);
      expect(row[5]).toBe(c?.countries.join(' '));
    }
    expect(rows.slice(1).some((r) => (r[6] as string).includes('\r\n') && (r[6] as string).includes('"'))).toBe(true);
  });

  it('ndjson: one object a line; country and text filters', async () => {
    const out = await exportWatch(['changes', ...all2000, '--country', 'SG', '--text', 'h20', '--format', 'ndjson']);
    expect(out.code).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines.at(-1)).toBe('');
    const parsed = lines.slice(0, -1).map((l) => JSON.parse(l) as Change);
    expect(canonical(parsed)).toEqual(canonical(expected(all, { country: 'SG', text: 'h20' })));
    for (let i = 1; i < parsed.length; i++) expect((parsed[i - 1] as Change).detectedAt >= (parsed[i] as Change).detectedAt).toBe(true);
    expect(parsed.length).toBeGreaterThan(3);
  });

  it('since/until and kind prefix', async () => {
    const q = { since: '2026-03-02T00:00:00.000Z', until: '2026-03-02T06:00:00.000Z', kind: 'entity' };
    const out = await exportWatch([
      'changes',
      '--data-dir',
      dataDir,
      '--since',
      q.since,
      '--until',
      q.until,
      '--kind',
      'entity',
      '--format',
      'json',
    ]);
    expect(out.code).toBe(0);
    const parsed = JSON.parse(out.stdout) as Change[];
    expect(new Set(ids(parsed))).toEqual(new Set(ids(expected(all, q))));
    expect(parsed.every((c) => c.kind.startsWith('entity.') && c.detectedAt >= q.since && c.detectedAt <= q.until)).toBe(true);
  });

  it('--limit pages with --page-token from stderr: the pages add up to the full export', async () => {
    const fullOut = await exportWatch(['changes', ...all2000, '--subject', 'NVDA', '--format', 'json']);
    const full = JSON.parse(fullOut.stdout) as Change[];
    expect(full.length).toBeGreaterThan(300);
    const seen: Change[] = [];
    let args = ['changes', ...all2000, '--subject', 'NVDA', '--limit', '150', '--format', 'ndjson'];
    for (let page = 0; page < 20; page++) {
      const out = await exportWatch(args);
      expect(out.code).toBe(0);
      seen.push(
        ...out.stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Change),
      );
      const token = /next page: --page-token (\S+)/.exec(out.stderr)?.[1];
      if (!token) break;
      // The token carries the query: only the token, the page size and the format are repeated.
      args = ['changes', '--data-dir', dataDir, '--page-token', token, '--limit', '150', '--format', 'ndjson'];
    }
    expect(ids(seen)).toEqual(ids(full));
  });

  it('json export of every change: stdout is clean JSON, progress every 1,000 on stderr', async () => {
    const out = await exportWatch(['changes', ...all2000, '--format', 'json']);
    expect(out.code).toBe(0);
    const parsed = JSON.parse(out.stdout) as Change[];
    expect(parsed).toHaveLength(all.length);
    expect(canonical(parsed)).toEqual(canonical(all));
    expect(out.stderr).toMatch(/… 1,000 changes/);
    expect(out.stderr).toMatch(/1,300 changes written/);
  });

  it('rejects a bad page token and a bad country code', async () => {
    const bad = await exportWatch(['changes', '--data-dir', dataDir, '--page-token', 'xyz', '--limit', '5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--page-token: the page token is not one this command printed/);
    const country = await exportWatch(['changes', '--data-dir', dataDir, '--country', 'Singapore']);
    expect(country.code).toBe(2);
    expect(country.stderr).toMatch(/unknown country code "Singapore": did you mean SG\?/);
  });
});

describe('export-watch changes --sector (real process, local data dir with a SIC 3674 roster)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ew-changes-sector-'));
  const detected = (i: number) => new Date(Date.parse('2026-11-20T12:00:00Z') + i * 60_000);
  const draft = (source: SourceName, kind: string, subject: string, key: string, data: Record<string, unknown>) => ({
    source,
    kind,
    naturalKey: key,
    subject,
    title: `${subject} ${kind} ${key}`,
    summary: '',
    url: 'https://www.sec.gov/Archives/x.htm',
    importance: 'normal' as const,
    countries: [],
    data,
  });
  // Members by data.cik (AMD, Example Semiconductor), by ticker only (AMD's export-language change: the
  // ticker comes from AMD's stored series), by CIK subject; and non-members (INTC, rules, lists).
  const members = [
    finalizeChange(draft('sec-filings', 'filing.new', 'AMD', 'a-1', { cik: '0000002488', form: '10-Q' }), detected(1)),
    finalizeChange(draft('sec-export-language', 'export-language.changed', 'AMD', 'a-2', { form: '10-Q' }), detected(2)),
    finalizeChange(draft('sec-revenue', 'revenue.regional', 'EXSM', 'e-1', { cik: '0009900001' }), detected(3)),
    finalizeChange(
      draft('sec-filings', 'filing.new', SECTOR_CIKS.exampleFoundry, 'f-1', { cik: SECTOR_CIKS.exampleFoundry, form: '20-F' }),
      detected(4),
    ),
  ];
  const others = [
    finalizeChange(draft('sec-filings', 'filing.new', 'INTC', 'i-1', { cik: '0000050863', form: '10-Q' }), detected(5)),
    finalizeChange(draft('sec-export-language', 'export-language.changed', 'INTC', 'i-2', { form: '10-Q' }), detected(6)),
    finalizeChange(draft('entity-list', 'entity.added', 'Entity List', 'el-1', { name: 'X' }), detected(7)),
  ];
  const sectorMentions = SECTOR_MENTIONS.filter((c) => (c.data as { cik: string }).cik !== OUTSIDER_CIK);
  const want = [...members, ...sectorMentions];
  const args = ['changes', '--data-dir', dataDir, '--since', '2000-01-01', '--sector', SECTOR_SIC];

  beforeAll(async () => {
    await seedSector(dataDir);
    const config = loadConfig({ ...process.env, EXPORT_WATCH_CONFIG: join(REPO_ROOT, 'export-watch.config.json') });
    const service = await startDynalite({ path: join(dataDir, 'dynamodb') });
    const client = new DynamoDBClient({
      endpoint: service.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await seedTable(DynamoDBDocumentClient.from(client), config.tables.changes, [...members, ...others]);
    } finally {
      client.destroy();
      await service.close();
    }
  }, 120_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('ndjson: exactly the changes of the sector companies (filings, revenue, language, filing.mention), newest first', async () => {
    const out = await exportWatch([...args, '--format', 'ndjson']);
    expect(out.code).toBe(0);
    const got = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Change);
    expect(canonical(got)).toEqual(canonical(want));
    for (let i = 1; i < got.length; i++) expect((got[i - 1] as Change).detectedAt >= (got[i] as Change).detectedAt).toBe(true);
    expect(got.filter((c) => c.kind === 'filing.mention')).toHaveLength(3);
  });

  it('csv and a kind filter combine with the sector', async () => {
    const out = await exportWatch([...args, '--kind', 'filing', '--format', 'csv']);
    expect(out.code).toBe(0);
    const rows = parseCsv(out.stdout);
    expect(rows[0]?.[0]).toBe('detectedAt');
    expect(new Set(rows.slice(1).map((r) => r[8]))).toEqual(new Set(want.filter((c) => c.kind.startsWith('filing.')).map((c) => c.id)));
  });

  it('--limit pages carry on with --sector and the printed token, and add up to the sector', async () => {
    const seen: Change[] = [];
    let pageArgs = [...args, '--limit', '2', '--format', 'ndjson'];
    for (let page = 0; page < 10; page++) {
      const out = await exportWatch(pageArgs);
      expect(out.code).toBe(0);
      seen.push(
        ...out.stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Change),
      );
      const token = /next page: --sector 3674 --page-token (\S+)/.exec(out.stderr)?.[1];
      if (!token) break;
      pageArgs = ['changes', '--data-dir', dataDir, '--sector', SECTOR_SIC, '--page-token', token, '--limit', '2', '--format', 'ndjson'];
    }
    // The pages read the sources of the build's list (filing.mention joins once sec-full-text is on it).
    const listed = want.filter((c) => (SOURCE_NAMES as readonly string[]).includes(c.source));
    expect(new Set(ids(seen))).toEqual(new Set(ids(listed)));
    expect(seen).toHaveLength(listed.length);
  });

  it('rejects a code that is not four digits, and a sector the store has no roster of, in one line each', async () => {
    const bad = await exportWatch(['changes', '--data-dir', dataDir, '--sector', '36x4']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^export-watch changes: --sector: "36x4" is not a SIC code: give its four digits, e\.g\. --sector 3674/m);
    const unknown = await exportWatch(['changes', '--data-dir', dataDir, '--sector', '3559']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n').filter((l) => l.startsWith('export-watch'))).toEqual([
      `export-watch changes: --sector 3559: no roster of SIC 3559 in local store ${join(dataDir, 'dynamodb')}: add "SIC:3559" to the watch-list of the config and run once (export-watch run --once), then try again`,
    ]);
    expect(unknown.stdout).toBe('');
  });
});
