import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Subscriber } from '#core/subscriber.ts';
import { startDemoUpstream } from '../support/demo-upstream.ts';
import { exportWatch } from '../support/cli.ts';

describe('export-watch subscribers (real process, local data dir)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ew-subs-'));
  const dir = ['--data-dir', dataDir];
  const list = async (): Promise<Subscriber[]> =>
    JSON.parse((await exportWatch(['subscribers', 'list', '--format', 'json', ...dir])).stdout);

  it('prints help for every sub-command', async () => {
    for (const cmd of ['add', 'list', 'update', 'remove']) {
      const { code, stdout } = await exportWatch(['subscribers', cmd, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`Usage: export-watch subscribers ${cmd}`));
    }
  });

  it('add: a pending subscriber with validated filters; a duplicate or a bad value is refused', async () => {
    const added = await exportWatch([
      'subscribers',
      'add',
      'SG-Desk@Example.com',
      '--name',
      'SG desk',
      '--mode',
      'daily',
      '--digest-hour',
      '8',
      '--countries',
      'sg,my',
      '--min-importance',
      'high',
      ...dir,
    ]);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(
      'Added sg-desk@example.com (pending): daily digest at 08:00 ET, countries Singapore, Malaysia; importance high or higher.',
    );
    expect(added.stdout).toContain('confirmation email goes out on the next notifier run');

    const again = await exportWatch(['subscribers', 'add', 'sg-desk@example.com', ...dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('sg-desk@example.com already exists (status pending)');

    const badAddress = await exportWatch(['subscribers', 'add', 'not-an-address', ...dir]);
    expect(badAddress.code).not.toBe(0);
    expect(badAddress.stderr).toContain('not a valid email address');
    const badSource = await exportWatch(['subscribers', 'add', 'x@example.com', '--sources', 'sec-filings,nope', ...dir]);
    expect(badSource.code).toBe(2);
    expect(badSource.stderr).toMatch(/--sources: unknown source "nope"/);
    const badHour = await exportWatch(['subscribers', 'add', 'x@example.com', '--digest-hour', '24', ...dir]);
    expect(badHour.code).not.toBe(0);
    const header = await exportWatch(['subscribers', 'add', 'x@example.com\r\nBcc: y@example.com', ...dir]);
    expect(header.code).not.toBe(0);

    const [s] = await list();
    expect(s).toMatchObject({
      email: 'sg-desk@example.com',
      name: 'SG desk',
      status: 'pending',
      origin: 'cli',
      mode: 'daily',
      digestHour: 8,
      filters: { countries: ['SG', 'MY'], minImportance: 'high' },
    });
    expect(await list()).toHaveLength(1);
  });

  it('list: a table by default', async () => {
    await exportWatch(['subscribers', 'add', 'all@example.com', ...dir]);
    const table = await exportWatch(['subscribers', 'list', ...dir]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^email\s+status\s+mode\s+filters\s+created$/m);
    expect(table.stdout).toMatch(/^all@example\.com\s+pending\s+immediate\s+all changes\s+\d{4}-\d{2}-\d{2}$/m);
    expect(table.stdout).toContain('2 subscriber(s)');
  });

  it('update: given filters replace those keys, --clear-filters starts over, unknown addresses fail', async () => {
    const updated = await exportWatch([
      'subscribers',
      'update',
      'sg-desk@example.com',
      '--companies',
      'NVDA,AMD',
      '--mode',
      'immediate',
      ...dir,
    ]);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain('Updated sg-desk@example.com: pending, immediate alerts');
    let s = (await list()).find((x) => x.email === 'sg-desk@example.com');
    expect(s).toMatchObject({ mode: 'immediate', filters: { countries: ['SG', 'MY'], minImportance: 'high', subjects: ['NVDA', 'AMD'] } });

    await exportWatch([
      'subscribers',
      'update',
      'sg-desk@example.com',
      '--clear-filters',
      '--sources',
      'entity-list',
      '--name',
      '',
      ...dir,
    ]);
    s = (await list()).find((x) => x.email === 'sg-desk@example.com');
    expect(s?.filters).toEqual({ sources: ['entity-list'] });
    expect(s?.name).toBeUndefined();

    const missing = await exportWatch(['subscribers', 'update', 'nobody@example.com', '--mode', 'daily', ...dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no subscriber nobody@example.com');
  });

  it('remove: deletes the subscriber; a second remove fails', async () => {
    const removed = await exportWatch(['subscribers', 'remove', 'all@example.com', ...dir]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('Removed all@example.com.');
    expect((await list()).map((s) => s.email)).toEqual(['sg-desk@example.com']);
    const again = await exportWatch(['subscribers', 'remove', 'all@example.com', ...dir]);
    expect(again.code).toBe(1);
  });

  it('run --once sends the pending subscriber the double opt-in email, once', async () => {
    const upstream = await startDemoUpstream();
    try {
      const env = { ...upstream.fake.env(), SEC_USER_AGENT: 'export-watch tests tests@example.com' };
      const args = ['run', '--once', '--ses-port', '0', '--links-port', '0', ...dir];
      const first = await exportWatch(args, env);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/Confirm\/unsubscribe links \(local\): http:\/\/127\.0\.0\.1:\d+\//);
      expect(first.stdout).toMatch(/notifier: .*1 email\(s\) sent \(1 confirmation\(s\)\)/);
      const emails = readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
      expect(emails).toHaveLength(1);
      const eml = readFileSync(join(dataDir, 'outbox', emails[0] ?? ''), 'utf8');
      expect(eml).toMatch(/^To: sg-desk@example\.com$/m);
      expect(eml).toMatch(/^Subject: Confirm your export-watch subscription$/m);
      expect(eml).toMatch(/\/confirm\?t=3Dv1\./); // quoted-printable "="
      const after = await list();
      expect(after.find((x) => x.email === 'sg-desk@example.com')?.confirmationSentAt).toBeTruthy();
      // The config's seed subscriber was added too, already active (no opt-in for the operator's own file).
      expect(after.find((x) => x.email === 'analyst@example.com')).toMatchObject({ status: 'active', origin: 'config' });
      const second = await exportWatch(args, env);
      expect(second.stdout).not.toMatch(/confirmation/);
      expect(readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
    } finally {
      await upstream.fake.stop();
    }
  });
});
