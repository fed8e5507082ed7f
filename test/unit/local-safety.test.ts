import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourceName } from '#core/change.ts';
import { DEMO_MARKER, DemoDirError, prepareDemoDir } from '#app/local/demo-dir.ts';
import { PortUnavailableError, portError } from '#app/local/services.ts';
import { type SignalSource, stopOnSignals } from '#app/local/signals.ts';
import { formatHealthLine, healthReport } from '#ops/report.ts';

describe('status shows a held lease', () => {
  const thresholds = {
    failureThreshold: 3,
    blockedThreshold: 1,
    stalenessMultiplier: 3,
    staleGraceMinutes: 10,
    reminderInitialMinutes: 60,
    reminderMaxMinutes: 1440,
  };
  const now = new Date('2026-03-03T16:00:00Z');
  const holder = 'export-watch local runtime (pid 4242 on laptop) 0b7c…';

  it('names holder and expiry on a never-run source (a first cycle that was killed)', () => {
    const [row] = healthReport(['sec-filings'], [], new Map(), now, thresholds, undefined, [
      { source: 'sec-filings', owner: holder, until: '2026-03-03T16:10:00.000Z' },
    ]);
    expect(row?.health.lease).toEqual({ holder, until: '2026-03-03T16:10:00.000Z' });
    expect(row?.health.reason).toMatch(
      /has not run yet; lease held by export-watch local runtime \(pid 4242 on laptop\).* until 2026-03-03T16:10:00.000Z/,
    );
    expect(formatHealthLine(row!, thresholds)).toBe(
      `sec-filings: NEVER-RUN — last success never, last attempt never, consecutive failures 0, LEASE held by ${holder} until 2026-03-03T16:10:00.000Z (runs skip the source until then)`,
    );
  });

  it('leaves an expired lease out (runs no longer skip the source)', () => {
    const [row] = healthReport(['sec-filings'], [], new Map(), now, thresholds, undefined, [
      { source: 'sec-filings', owner: holder, until: '2026-03-03T15:59:59.000Z' },
    ]);
    expect(row?.health.lease).toBeUndefined();
    expect(formatHealthLine(row!, thresholds)).not.toMatch(/LEASE/);
  });
});

describe('prepareDemoDir', () => {
  const tmp = () => mkdtempSync(join(tmpdir(), 'ew-demo-dir-'));

  it('creates a missing dir and marks it', () => {
    const dir = join(tmp(), 'a', 'demo');
    expect(prepareDemoDir(dir)).toBe(dir);
    expect(existsSync(join(dir, DEMO_MARKER))).toBe(true);
  });

  it('adopts an empty dir', () => {
    const dir = tmp();
    prepareDemoDir(dir);
    expect(existsSync(join(dir, DEMO_MARKER))).toBe(true);
  });

  it('clears only the demo entries of a marked dir', () => {
    const dir = tmp();
    prepareDemoDir(dir);
    mkdirSync(join(dir, 'dynamodb'));
    writeFileSync(join(dir, 'dynamodb', '000001.log'), 'x');
    mkdirSync(join(dir, 'outbox'));
    writeFileSync(join(dir, 'unsubscribe.key'), 'k');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    prepareDemoDir(dir);
    expect(existsSync(join(dir, 'dynamodb'))).toBe(false);
    expect(existsSync(join(dir, 'outbox'))).toBe(false);
    expect(existsSync(join(dir, 'unsubscribe.key'))).toBe(false);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('refuses a non-empty unmarked dir and a file, touching nothing', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'dynamodb'));
    writeFileSync(join(dir, 'unsubscribe.key'), 'real key');
    expect(() => prepareDemoDir(dir)).toThrow(DemoDirError);
    expect(readFileSync(join(dir, 'unsubscribe.key'), 'utf8')).toBe('real key');
    expect(existsSync(join(dir, DEMO_MARKER))).toBe(false);
    expect(() => prepareDemoDir(join(dir, 'unsubscribe.key'))).toThrow(/is not a directory/);
  });
});

describe('port errors', () => {
  it('names the port and the option; other errors pass unchanged', () => {
    const err = portError(
      Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8006'), { code: 'EADDRINUSE' }),
      'local confirm/unsubscribe link server',
      8006,
      '--links-port',
    );
    expect(err).toBeInstanceOf(PortUnavailableError);
    expect((err as Error).message).toBe(
      'port 8006 for the local confirm/unsubscribe link server is already in use (another export-watch run, or another program); choose another with --links-port N (0 = any free port)',
    );
    const other = new Error('disk full');
    expect(portError(other, 'x', 1, '--x')).toBe(other);
  });
});

describe('stopOnSignals', () => {
  const setup = (interrupt: () => Promise<SourceName[]>) => {
    const signals = new EventEmitter();
    const lines: string[] = [];
    const exits: number[] = [];
    const remove = stopOnSignals(
      { interrupt },
      { out: (l) => lines.push(l), exit: (c) => exits.push(c), signals: signals as unknown as SignalSource },
    );
    return { signals, lines, exits, remove };
  };
  const settle = () => new Promise((r) => setImmediate(r));

  it('SIGINT: interrupts (leases released), says which, then exits 130', async () => {
    let interrupted = 0;
    const t = setup(async () => {
      interrupted++;
      return ['sec-filings'];
    });
    t.signals.emit('SIGINT');
    await settle();
    expect(interrupted).toBe(1);
    expect(t.lines).toEqual([
      'SIGINT: stopping…',
      'Released the lease of sec-filings (the interrupted cycle advanced nothing; the next run repeats it).',
    ]);
    expect(t.exits).toEqual([130]);
  });

  it('SIGTERM exits 143; a second signal during a stuck clean-up exits at once', async () => {
    const t = setup(() => new Promise<SourceName[]>(() => undefined));
    t.signals.emit('SIGTERM');
    await settle();
    expect(t.exits).toEqual([]);
    t.signals.emit('SIGINT');
    expect(t.exits).toEqual([130]);
  });

  it('removed after a normal finish: signals no longer interrupt', async () => {
    let interrupted = 0;
    const t = setup(async () => {
      interrupted++;
      return [];
    });
    t.remove();
    expect(t.signals.listenerCount('SIGINT') + t.signals.listenerCount('SIGTERM')).toBe(0);
    expect(interrupted).toBe(0);
  });
});
