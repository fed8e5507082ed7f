/**
 * Browser check of the subscriber emails: renders sample emails of every change family
 * (from realistic sample changes), writes each as an HTML file (plus its plain-text part),
 * and screenshots it in headless Chromium into docs/screenshots/.
 *
 *   npx tsx scripts/screenshot-emails.ts [--html-dir DIR] [--out DIR] [--only NAME,...]
 *
 * Needs Debian's `chromium` (or CHROMIUM=/path/to/chrome): `apt-get install -y chromium`.
 * Exits 2 when it is missing, 1 when a screenshot fails.
 */
import { execFile } from 'node:child_process';
import { chromiumFlags, findChromium, removeProfile } from './screenshot-report.ts';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Change } from '#core/change.ts';
import { page } from '#notify/pages.ts';
import { renderConfirmationEmail, renderEmail, type RenderOptions } from '#notify/render.ts';
import {
  sampleAll,
  sampleEntities,
  sampleFederalRegister,
  sampleFilings,
  sampleLanguage,
  sampleMentions,
  sampleRevenue,
} from '#test/support/samples.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WIDTH = 760;
const INTEREST = ['SG', 'CN', 'HK', 'TW', 'MY', 'AE'];
const SUBSCRIBER = { email: 'analyst@example.com', name: 'Dana', filters: {} };
const UNSUBSCRIBE = 'https://links.example.com/unsubscribe?t=v1.sample.signature';

interface Sample {
  name: string;
  html: string;
  text?: string;
  subject?: string;
  width?: number;
}

function email(name: string, changes: Change[], options: RenderOptions = {}): Sample {
  const rendered = renderEmail(changes, SUBSCRIBER, { countriesOfInterest: INTEREST, unsubscribeUrl: UNSUBSCRIBE, ...options });
  return { name, html: rendered.html, text: rendered.text, subject: rendered.subject };
}

function samples(): Sample[] {
  const confirm = renderConfirmationEmail(
    {
      email: 'new.analyst@example.com',
      name: 'Sam',
      mode: 'daily',
      digestHour: 7,
      filters: { countries: ['SG'], minImportance: 'normal' },
    },
    { confirmUrl: 'https://links.example.com/confirm?t=v1.sample.signature' },
  );
  return [
    email('alert-entity-list', sampleEntities()),
    email('alert-revenue', sampleRevenue()),
    email('alert-export-language', sampleLanguage()),
    email('alert-federal-register', sampleFederalRegister()),
    email('alert-filings', sampleFilings()),
    email('digest', sampleAll(), { digest: { since: '2026-03-01T12:00:00.000Z', until: '2026-03-02T12:00:00.000Z' }, maxChanges: 12 }),
    email('rollup-mentions', sampleMentions(), {
      digest: { since: '2026-03-02T12:00:00.000Z', until: '2026-03-03T12:00:00.000Z', rollup: true },
    }),
    { name: 'confirmation', html: confirm.html, text: confirm.text, subject: confirm.subject },
    {
      name: 'unsubscribe-page',
      html: page({
        title: 'Unsubscribe?',
        paragraphs: ['Stop all export-watch emails to analyst@example.com?'],
        button: { label: 'Unsubscribe' },
      }),
    },
  ];
}

/** The shared headless flags at a device scale of 1 and a fixed window size. */
function emailChromiumFlags(profile: string, width: number, height: number): string[] {
  return chromiumFlags(profile, ['--force-device-scale-factor=1', `--window-size=${width},${height}`]);
}

/**
 * The page's full height: a copy of the HTML with a measuring script (the email itself
 * has none) is loaded with --dump-dom, which prints the DOM after scripts ran.
 */
async function measure(chromium: string, html: string, dir: string, width: number): Promise<number> {
  const probe = join(dir, 'probe.html');
  // The bottom of the content plus the body's bottom padding; scrollHeight would never be
  // less than the viewport, which leaves short pages with a tall empty margin.
  const script =
    "<script>addEventListener('load',()=>{const b=document.body;const bottom=Math.max(0,...[...b.children].map((e)=>e.getBoundingClientRect().bottom));" +
    "const pad=parseFloat(getComputedStyle(b).paddingBottom)||0;b.setAttribute('data-height',String(Math.ceil(bottom+pad+20)))});</script>";
  writeFileSync(probe, html.replace('</body>', `${script}</body>`));
  const profile = mkdtempSync(join(tmpdir(), 'ew-chromium-'));
  try {
    const { stdout } = await run(chromium, [...emailChromiumFlags(profile, width, 800), '--dump-dom', `file://${probe}`], {
      timeout: 60_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    const height = Number(/data-height="(\d+)"/.exec(stdout)?.[1]);
    return Number.isFinite(height) && height > 0 ? Math.min(height, 12_000) : 1600;
  } finally {
    removeProfile(profile);
  }
}

async function screenshot(chromium: string, file: string, out: string, width: number, height: number): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'ew-chromium-'));
  try {
    await run(chromium, [...emailChromiumFlags(profile, width, height), `--screenshot=${out}`, `file://${file}`], { timeout: 60_000 });
  } finally {
    removeProfile(profile);
  }
  if (!existsSync(out) || statSync(out).size === 0) throw new Error(`Chromium wrote no screenshot to ${out}`);
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const htmlDir = resolve(arg('--html-dir') ?? join(tmpdir(), 'export-watch-emails'));
  const outDir = resolve(arg('--out') ?? join(ROOT, 'docs/screenshots'));
  const only = arg('--only')?.split(',');
  mkdirSync(htmlDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });

  const list = samples().filter((s) => !only || only.includes(s.name));
  for (const s of list) {
    writeFileSync(join(htmlDir, `${s.name}.html`), s.html);
    if (s.text) writeFileSync(join(htmlDir, `${s.name}.txt`), `Subject: ${s.subject ?? ''}\n\n${s.text}\n`);
  }
  console.log(`Rendered ${list.length} sample(s) to ${htmlDir}`);

  const chromium = await findChromium();
  if (!chromium) {
    console.error(
      [
        'Chromium was not found, so no screenshots were taken.',
        'Install it (Debian/Ubuntu):  apt-get update && apt-get install -y chromium',
        'or point CHROMIUM at a Chrome/Chromium binary:  CHROMIUM=/path/to/chrome npx tsx scripts/screenshot-emails.ts',
      ].join('\n'),
    );
    return 2;
  }

  const work = mkdtempSync(join(tmpdir(), 'ew-shots-'));
  let failed = 0;
  try {
    for (const s of list) {
      const width = s.width ?? WIDTH;
      const file = join(htmlDir, `${s.name}.html`);
      const out = join(outDir, `${s.name}.png`);
      try {
        const height = await measure(chromium, s.html, work, width);
        await screenshot(chromium, file, out, width, height);
        console.log(`  ${out}  (${width}×${height})${s.subject ? `  subject: ${s.subject}` : ''}`);
      } catch (err) {
        failed++;
        console.error(`  ${s.name}: ${(err as Error).message}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
