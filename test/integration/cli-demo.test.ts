import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDemoUpstream } from '../support/demo-upstream.ts';
import { exportWatch } from '../support/cli.ts';

describe('export-watch CLI (real process, real local services)', () => {
  it('prints help for every command', async () => {
    for (const cmd of ['run', 'changes', 'demo', 'status', 'report', 'revenue-history', 'revenue', 'diff-filings', 'subscribers']) {
      const { code, stdout } = await exportWatch([cmd, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`Usage: export-watch ${cmd}`));
    }
  });

  it('demo: baseline, then news → changes in the log and .eml files in the outbox', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ew-demo-'));
    const demo = await exportWatch(['demo', '--data-dir', dataDir]);
    expect(demo.stderr).not.toMatch(/Error/);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/baseline recorded/);

    const changes = await exportWatch(['changes', '--data-dir', dataDir, '--format', 'json', '--since', '2000-01-01']);
    expect(changes.code).toBe(0);
    const parsed = JSON.parse(changes.stdout) as Array<{ id: string; source: string; kind: string }>;
    expect(parsed.length).toBeGreaterThan(0);
    expect(new Set(parsed.map((c) => c.id)).size).toBe(parsed.length);

    const emails = readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
    expect(emails.length).toBeGreaterThan(0);
    const eml = readFileSync(join(dataDir, 'outbox', emails[0] ?? ''), 'utf8');
    expect(eml).toMatch(/^Subject: /m);
    expect(eml).toMatch(/multipart\/alternative/);
    // Demo honesty (issue 21, item 8): every demo email is marked as demo data, in its subject
    // (encoded-word or plain) and in its body, and names the stand-in 10-Q by its made-up accession.
    for (const name of emails) {
      const message = readFileSync(join(dataDir, 'outbox', name), 'utf8');
      expect(message).toMatch(/^Subject: (?:=\?UTF-8\?Q\?=5BDEMO=5D_|\[DEMO\] )/m);
      expect(message).toContain('DEMO DATA');
      expect(message).not.toMatch(/0001045810-25-000209|000104581025000209/);
    }

    const csv = await exportWatch(['changes', '--data-dir', dataDir, '--format', 'csv', '--since', '2000-01-01']);
    expect(csv.stdout.split('\r\n')[0]).toBe('detectedAt,source,kind,subject,importance,countries,title,url,id');
  });

  it('run --once completes a cycle against the fake upstream (exit 0), re-running adds no duplicate; status shows health', async () => {
    const upstream = await startDemoUpstream();
    try {
      const dataDir = mkdtempSync(join(tmpdir(), 'ew-run-'));
      const env = { ...upstream.fake.env(), SEC_USER_AGENT: 'export-watch tests tests@example.com' };
      const args = ['run', '--once', '--data-dir', dataDir, '--ses-port', '0'];
      const first = await exportWatch(args, env);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/Local SES web UI: http:\/\/127\.0\.0\.1:\d+\//);
      expect(first.stdout).toMatch(/sec-filings: baseline recorded/);
      upstream.setPhase('news');
      const second = await exportWatch(args, env);
      expect(second.code).toBe(0);
      const count = async () =>
        JSON.parse((await exportWatch(['changes', '--data-dir', dataDir, '--format', 'json', '--since', '2000-01-01'])).stdout)
          .length as number;
      const afterNews = await count();
      expect(afterNews).toBeGreaterThan(0);
      const third = await exportWatch(args, env);
      expect(third.code).toBe(0);
      expect(third.stdout).not.toMatch(/[1-9]\d* new change/);
      expect(await count()).toBe(afterNews);

      upstream.fake.on('GET', '/downloadable_consolidated_screening_list/v1/consolidated.json', () => ({
        status: 200,
        body: '{"results": [',
      }));
      const broken = await exportWatch(args, env);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(/entity-list: FAILED \[parse\]/);
      expect(broken.stdout).toMatch(/sec-filings: ok/);
      const status = await exportWatch(['status', '--data-dir', dataDir]);
      expect(status.stdout).toMatch(/entity-list: .*consecutive failures 1, last error \[parse\]/);
      expect(status.stdout).toMatch(/sec-filings: .*consecutive failures 0/);
    } finally {
      await upstream.fake.stop();
    }
  });

  it('rejects an invalid config with a message naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ew-cfg-'));
    const bad = join(dir, 'bad.json');
    (await import('node:fs')).writeFileSync(bad, JSON.stringify({ watchlist: ['NVDA'], countriesOfInterest: ['Singapore'] }));
    const out = await exportWatch(['run', '--once', '--config', bad, '--data-dir', join(dir, 'data')]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/countriesOfInterest\.0/);
  });
});
