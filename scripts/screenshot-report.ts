/**
 * Browser check of the analyst report: builds the demo data (the offline demo, plus — when
 * `../shared/fixtures` is there — NVIDIA's revenue history from two real filings served by
 * a loopback fake EDGAR), writes `export-watch report`, opens it in headless Chromium with
 * console, page-error and network capture, and saves a screenshot.
 *
 *   npx tsx scripts/screenshot-report.ts [--data-dir .export-watch/report-demo] [--out docs/report.png] [--full] [--no-history]
 *   npx tsx scripts/screenshot-report.ts --sector [--data-dir .export-watch/report-sector] [--out docs/screenshots/report-sector.png]
 *
 * `--sector` builds the sector page instead (`export-watch report --sector 3674`): the demo
 * data plus the SIC 3674 roster, revenue series and filing.mention changes of
 * `test/support/sector-seed.ts` (partly invented companies; the page carries the demo
 * banner), the same browser check, and a full-page screenshot.
 *
 * Chromium is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`), so
 * no extra npm package is needed. Needs Debian's `chromium` (or CHROMIUM=/path/to/chrome):
 * `apt-get install -y chromium`. Exits 2 when it is missing, 1 when the page logs an error
 * or tries to fetch anything.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin/export-watch-cli.mjs');

/** The Chromium binary, or undefined when none answers `--version`. */
export async function findChromium(): Promise<string | undefined> {
  const candidates = [process.env.CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome'].filter((c): c is string => Boolean(c));
  for (const c of candidates) {
    try {
      await run(c, ['--version'], { timeout: 20_000 });
      return c;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** The fields of the DevTools events this check reads. */
interface CdpEvent {
  type?: string;
  args?: Array<{ value?: unknown; description?: string }>;
  exceptionDetails?: { text?: string; exception?: { description?: string } };
  entry?: { source?: string; level?: string; text?: string; url?: string };
  request?: { url?: string };
  errorText?: string;
}

type CdpMessage = {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
};

/** A minimal DevTools-protocol client over Chromium's pipe (fd 3 in, fd 4 out; NUL-separated JSON). */
class CdpPipe {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private readonly listeners: Array<(m: CdpMessage) => void> = [];
  private buffer = '';

  constructor(
    private readonly input: Writable,
    output: Readable,
  ) {
    const decoder = new StringDecoder('utf8');
    output.on('data', (chunk: Buffer) => {
      this.buffer += decoder.write(chunk);
      for (let end = this.buffer.indexOf('\0'); end >= 0; end = this.buffer.indexOf('\0')) {
        const message = JSON.parse(this.buffer.slice(0, end)) as CdpMessage;
        this.buffer = this.buffer.slice(end + 1);
        if (message.id !== undefined) {
          const waiter = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.error) waiter?.reject(new Error(message.error.message));
          else waiter?.resolve(message.result ?? {});
        } else {
          for (const l of this.listeners) l(message);
        }
      }
    });
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = ++this.next;
    this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  on(listener: (m: CdpMessage) => void): void {
    this.listeners.push(listener);
  }

  waitFor(method: string, sessionId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${method}`)), timeoutMs);
      this.on((m) => {
        if (m.method === method && m.sessionId === sessionId) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }
}

/** What loading a page showed. */
export interface PageCheck {
  /** Console errors, uncaught exceptions and browser log errors (CSP violations, failed loads). */
  errors: string[];
  warnings: string[];
  /** Every URL the page tried to fetch besides itself. */
  requests: string[];
  title: string;
  /** Number of inline SVG charts. */
  charts: number;
  /** Full page height in CSS px. */
  height: number;
}

/**
 * Remove a Chromium profile directory. Chromium's helper processes (crashpad, GPU) may
 * still write into it for a moment after the browser exits, which makes a plain recursive
 * remove fail with ENOTEMPTY: retry, and never let the clean-up fail a check.
 */
export function removeProfile(profile: string): void {
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch {
    // A leftover temporary directory is harmless; the OS cleans tmp.
  }
}

/** Flags that keep headless Chromium off the network and out of the user's profile, plus `extra`. */
export function chromiumFlags(profile: string, extra: readonly string[] = []): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    ...extra,
  ];
}

/**
 * Open a local HTML file in headless Chromium, collect errors and requests, and optionally
 * save a PNG screenshot (`clipHeight` limits it to the top of the page; `scale` is the
 * device pixel ratio).
 */
export async function checkPage(
  chromium: string,
  file: string,
  options: { width?: number; screenshot?: string; clipHeight?: number; scale?: number; timeoutMs?: number } = {},
): Promise<PageCheck> {
  const width = options.width ?? 1040;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const profile = mkdtempSync(join(tmpdir(), 'ew-chromium-'));
  const child: ChildProcess = spawn(chromium, chromiumFlags(profile, ['--remote-debugging-pipe']), {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const cdp = new CdpPipe(child.stdio[3] as Writable, child.stdio[4] as Readable);
  const url = pathToFileURL(resolve(file)).href;
  const result: PageCheck = { errors: [], warnings: [], requests: [], title: '', charts: 0, height: 0 };
  try {
    const { targetId } = (await cdp.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    cdp.on((m) => {
      if (m.sessionId !== sessionId || !m.params) return;
      const p = m.params as CdpEvent;
      if (m.method === 'Runtime.consoleAPICalled') {
        const line = `console.${p.type}: ${(p.args ?? []).map((a) => a.value ?? a.description).join(' ')}`;
        if (p.type === 'error' || p.type === 'assert') result.errors.push(line);
        else if (p.type === 'warning') result.warnings.push(line);
      } else if (m.method === 'Runtime.exceptionThrown') {
        result.errors.push(`exception: ${p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text}`);
      } else if (m.method === 'Log.entryAdded') {
        const line = `${p.entry?.source} ${p.entry?.level}: ${p.entry?.text}${p.entry?.url ? ` (${p.entry.url})` : ''}`;
        if (p.entry?.level === 'error') result.errors.push(line);
        else if (p.entry?.level === 'warning') result.warnings.push(line);
      } else if (m.method === 'Network.requestWillBeSent') {
        const requested = String(p.request?.url ?? '');
        if (requested !== url && !requested.startsWith('data:') && requested !== 'about:blank') result.requests.push(requested);
      } else if (m.method === 'Network.loadingFailed' && !String(p.errorText).includes('ERR_ABORTED')) {
        result.errors.push(`network: ${p.errorText}`);
      }
    });
    for (const domain of ['Page', 'Runtime', 'Log', 'Network']) await cdp.send(`${domain}.enable`, {}, sessionId);
    await cdp.send(
      'Emulation.setDeviceMetricsOverride',
      { width, height: 900, deviceScaleFactor: options.scale ?? 1, mobile: false },
      sessionId,
    );
    const loaded = cdp.waitFor('Page.loadEventFired', sessionId, timeoutMs);
    await cdp.send('Page.navigate', { url }, sessionId);
    await loaded;
    await new Promise((r) => setTimeout(r, 300)); // late console messages
    const evaluate = async (expression: string) =>
      ((await cdp.send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)).result as { value: unknown }).value;
    result.title = String(await evaluate('document.title'));
    result.charts = Number(await evaluate("document.querySelectorAll('svg.chart').length"));
    result.height = Number(await evaluate('Math.ceil(document.documentElement.scrollHeight)'));
    if (options.screenshot) {
      const height = Math.min(result.height, options.clipHeight ?? result.height);
      await cdp.send(
        'Emulation.setDeviceMetricsOverride',
        { width, height, deviceScaleFactor: options.scale ?? 1, mobile: false },
        sessionId,
      );
      const shot = (await cdp.send(
        'Page.captureScreenshot',
        { format: 'png', clip: { x: 0, y: 0, width, height, scale: 1 }, captureBeyondViewport: true },
        sessionId,
      )) as { data: string };
      writeFileSync(options.screenshot, Buffer.from(shot.data, 'base64'));
    }
    await cdp.send('Browser.close').catch(() => undefined);
  } catch (err) {
    throw new Error(`${(err as Error).message}${stderr ? `\nChromium stderr:\n${stderr.slice(-2000)}` : ''}`);
  } finally {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    removeProfile(profile);
  }
  return result;
}

/** Run the CLI as a child process (the same way an analyst does). */
async function exportWatch(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  });
  return stdout;
}

/** A fake EDGAR serving NVIDIA's FY2023 10-K and Q2 FY2026 10-Q (the shared fixtures). */
async function startNvidiaHistoryUpstream() {
  const { FakeUpstream } = await import('#test/support/fake-upstream.ts');
  const { registerSecSubmissions, registerSecTickers, submissionsJson } = await import('#test/support/upstreams/sec.ts');
  const { shared } = await import('#test/support/fixtures.ts');
  const fake = await new FakeUpstream().start();
  registerSecTickers(fake);
  const filings = [
    {
      accession: '0001045810-25-000209',
      filingDate: '2025-08-27',
      reportDate: '2025-07-27',
      form: '10-Q',
      primaryDocument: 'nvda-20250727.htm',
      file: 'sec/nvidia/nvda-20250727-10q.htm',
    },
    {
      accession: '0001045810-23-000017',
      filingDate: '2023-02-24',
      reportDate: '2023-01-29',
      form: '10-K',
      primaryDocument: 'nvda-20230129.htm',
      file: 'sec/nvidia/nvda-20230129-10k.htm',
    },
  ];
  const doc = submissionsJson({ cik: 1045810, name: 'NVIDIA CORP', tickers: ['NVDA'], rows: filings });
  registerSecSubmissions(fake, (name) => (name === 'CIK0001045810.json' ? doc : undefined));
  for (const f of filings) {
    fake.file(`/Archives/edgar/data/1045810/${f.accession.replace(/-/g, '')}/${f.primaryDocument}`, shared(f.file), {
      'content-type': 'text/html',
    });
  }
  return fake;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The sector page's check and screenshot (`--sector`). */
async function sectorMain(chromium: string): Promise<number> {
  const dataDir = resolve(arg('--data-dir') ?? join(ROOT, '.export-watch/report-sector'));
  const out = resolve(arg('--out') ?? join(ROOT, 'docs/screenshots/report-sector.png'));
  console.log(`Demo data and the SIC 3674 sector in ${dataDir}`);
  rmSync(dataDir, { recursive: true, force: true });
  // The demo's run may report a failing source (its exit code is 1 then): the sector page needs only its data.
  await exportWatch(['demo', '--data-dir', dataDir]).catch((err: Error) => console.log(`  (demo: ${err.message.split('\n')[0]})`));
  const { seedSector, SECTOR_SIC } = await import('#test/support/sector-seed.ts');
  await seedSector(dataDir);
  const html = join(dataDir, 'sector.html');
  process.stdout.write(await exportWatch(['report', '--data-dir', dataDir, '--sector', SECTOR_SIC, '--out', html]));
  const check = await checkPage(chromium, html, { screenshot: out, width: 1040, scale: 1.5 });
  console.log(`Loaded "${check.title}": ${check.charts} chart(s), page height ${check.height}px; screenshot ${out}`);
  for (const w of check.warnings) console.log(`  warning: ${w}`);
  for (const e of check.errors) console.error(`  ERROR: ${e}`);
  for (const r of check.requests) console.error(`  REQUEST (must be none): ${r}`);
  return check.errors.length || check.requests.length ? 1 : 0;
}

async function main(): Promise<number> {
  if (process.argv.includes('--sector')) {
    const chromium = await findChromium();
    if (!chromium) {
      console.error(
        'Chromium was not found. Install it (Debian/Ubuntu): apt-get update && apt-get install -y chromium, or set CHROMIUM=/path/to/chrome',
      );
      return 2;
    }
    return sectorMain(chromium);
  }
  // Under the repository by default, so the report names a short relative path.
  const dataDir = resolve(arg('--data-dir') ?? join(ROOT, '.export-watch/report-demo'));
  const out = resolve(arg('--out') ?? join(ROOT, 'docs/report.png'));
  const chromium = await findChromium();
  if (!chromium) {
    console.error(
      'Chromium was not found. Install it (Debian/Ubuntu): apt-get update && apt-get install -y chromium, or set CHROMIUM=/path/to/chrome',
    );
    return 2;
  }
  console.log(`Demo data in ${dataDir}`);
  await exportWatch(['demo', '--data-dir', dataDir]);
  const { hasSharedFixtures } = await import('#test/support/fixtures.ts');
  if (hasSharedFixtures && !process.argv.includes('--no-history')) {
    const fake = await startNvidiaHistoryUpstream();
    try {
      const env = { ...fake.env(), SEC_USER_AGENT: process.env.SEC_USER_AGENT ?? 'export-watch demo demo@example.com' };
      process.stdout.write(await exportWatch(['revenue-history', 'NVDA', '--data-dir', dataDir], env));
    } finally {
      await fake.stop();
    }
  }
  const html = join(dataDir, 'report.html');
  process.stdout.write(await exportWatch(['report', '--data-dir', dataDir, '--out', html]));
  const check = await checkPage(chromium, html, {
    screenshot: out,
    width: 1040,
    scale: 1.5,
    ...(process.argv.includes('--full') ? {} : { clipHeight: 1080 }),
  });
  console.log(`Loaded "${check.title}": ${check.charts} chart(s), page height ${check.height}px; screenshot ${out}`);
  for (const w of check.warnings) console.log(`  warning: ${w}`);
  for (const e of check.errors) console.error(`  ERROR: ${e}`);
  for (const r of check.requests) console.error(`  REQUEST (must be none): ${r}`);
  return check.errors.length || check.requests.length ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
