import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage } from '#scripts/screenshot-report.ts';
import { REPO_ROOT } from '../support/fixtures.ts';
import { SECTOR_CIKS, SECTOR_SIC, seedSector } from '../support/sector-seed.ts';

const run = promisify(execFile);
/** The demo runs as of this instant, so its dated data (the FR rule is published that day) is the same on any calendar day. */
const DEMO_NOW = '2026-11-28T15:00:00Z';
const cli = join(REPO_ROOT, 'bin/export-watch-cli.mjs');

/** A Chromium binary that answers `--version`, found synchronously so the suite can skip. */
function findChromiumSync(): string | undefined {
  for (const c of [process.env.CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome'].filter((x): x is string => Boolean(x))) {
    if (spawnSync(c, ['--version'], { timeout: 20_000 }).status === 0) return c;
  }
  return undefined;
}
const chromium = findChromiumSync();
const NO_CHROMIUM = 'Chromium not found: install it (apt-get install -y chromium) or set CHROMIUM=/path/to/chrome to run the browser check';

async function exportWatch(args: string[]) {
  return run(process.execPath, [cli, ...args], { cwd: REPO_ROOT, env: process.env, maxBuffer: 64 * 1024 * 1024, timeout: 180_000 });
}

describe('export-watch report on the demo data', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ew-report-'));
  const out = join(dataDir, 'report.html');
  let html = '';

  beforeAll(async () => {
    await exportWatch(['demo', '--data-dir', dataDir, '--now', DEMO_NOW]);
    const report = await exportWatch(['report', '--data-dir', dataDir, '--out', out]);
    expect(report.stdout).toMatch(/Report written: .*report\.html/);
    html = readFileSync(out, 'utf8');
  }, 180_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('writes one self-contained HTML file: inline CSS and SVG, no script, nothing to fetch', () => {
    const $ = cheerio.load(html);
    expect($('script').length).toBe(0);
    expect($('[src], link[href]').length).toBe(0);
    expect($('style').length).toBe(1);
    expect($('meta[http-equiv="Content-Security-Policy"]').attr('content')).toContain("default-src 'none'");
    expect(statSync(out).size).toBeLessThan(500_000);
  });

  it("charts NVIDIA's regional shares with Singapore highlighted, and the demo's rules and additions as markers", () => {
    const $ = cheerio.load(html);
    const section = $('#company-NVDA');
    expect(section.find('svg.chart').length).toBe(1);
    expect(section.find('g.region').length).toBe(5);
    expect(
      section
        .find('g.region[data-member="country:SG"] text')
        .map((_, t) => $(t).text())
        .get(),
    ).toEqual(['18.7%', '21.7%']);
    const labels = section
      .find('svg text')
      .map((_, t) => $(t).text())
      .get();
    expect(labels).toContain(`Advanced-computing rule · ${DEMO_NOW.slice(0, 10)}`);
    expect(labels).toContain('Entity List +3 (CN 2, SG 1) · 2026-09-29');
    expect(labels).toContain('100%');
    expect(section.find('.headline').text()).toMatch(/Q2 FY2026.*Singapore 21\.7%/);
  });

  it('shows the numbers, the export-language change and the timeline', () => {
    const $ = cheerio.load(html);
    const rows = $('#company-NVDA h3:contains("Quarters") + .table-wrap tbody tr');
    expect(rows.map((_, r) => $(r).find('td.period strong').text()).get()).toEqual(['Q2 FY2026', 'Q2 FY2025']);
    expect(rows.first().find('td.hl .v').text()).toBe('10,156');
    expect($('#company-NVDA blockquote.add').length).toBeGreaterThan(0);
    expect($('#company-NVDA').text()).toMatch(/H20/);
    expect($('#timeline tbody tr').length).toBe(3);
  });

  it('says it is demo data: a banner, no "shown as published" claim, and no stand-in text under a real accession', () => {
    const $ = cheerio.load(html);
    expect($('.demo-banner').text()).toMatch(/^DEMO DATA — not real filings or rules\./);
    expect($('footer').text()).not.toMatch(/Upstream text is shown as published/);
    expect($('footer').text()).toMatch(/partly invented/);
    // The export-language change quotes the stand-in 10-Q, so it names its made-up accession.
    expect(html).not.toMatch(/0001045810-25-000209|0001045810-25-000116/);
  });

  describe.skipIf(!chromium)(`in headless Chromium (${chromium ? chromium : NO_CHROMIUM})`, () => {
    it('loads without console errors, page errors or network requests', async () => {
      const shot = join(dataDir, 'report.png');
      const check = await checkPage(chromium as string, out, { screenshot: shot, clipHeight: 1200 });
      expect(check.errors).toEqual([]);
      expect(check.requests).toEqual([]);
      expect(check.title).toBe('export-watch report: NVIDIA CORP');
      expect(check.charts).toBe(1);
      expect(check.height).toBeGreaterThan(800);
      expect(statSync(shot).size).toBeGreaterThan(10_000);
    }, 120_000);

    it('would catch a page error: a broken page fails the check', async () => {
      const broken = join(dataDir, 'broken.html');
      writeFileSync(
        broken,
        '<!DOCTYPE html><title>x</title><img src="https://example.invalid/x.png"><script>throw new Error("boom")</script>',
      );
      const check = await checkPage(chromium as string, broken);
      expect(check.errors.join('\n')).toMatch(/boom/);
      expect(check.requests).toContain('https://example.invalid/x.png');
    }, 120_000);
  });
});

describe('export-watch report --sector (the demo data plus a seeded SIC 3674 roster, series and filing.mention changes)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ew-sector-'));
  const out = join(dataDir, 'sector.html');
  let html = '';
  let stdout = '';

  beforeAll(async () => {
    await exportWatch(['demo', '--data-dir', dataDir, '--now', DEMO_NOW]);
    await seedSector(dataDir);
    const report = await exportWatch(['report', '--data-dir', dataDir, '--sector', SECTOR_SIC, '--out', out]);
    stdout = report.stdout;
    html = readFileSync(out, 'utf8');
  }, 180_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reports the roster, the companies with regional revenue and the mentions', () => {
    expect(stdout).toMatch(/Sector page written: .*sector\.html/);
    expect(stdout).toMatch(/SIC 3674: 5 companies on the roster, 4 with regional revenue \(4 charted\); 3 export-control mention\(s\)/);
  });

  it('one self-contained chart: a line per company and region (CN+HK summed where reported apart), the BIS rules on the time axis', () => {
    const $ = cheerio.load(html);
    expect($('script').length).toBe(0);
    expect($('[src], link[href]').length).toBe(0);
    expect($('meta[http-equiv="Content-Security-Policy"]').attr('content')).toContain("default-src 'none'");
    expect($('svg.chart').length).toBe(1);
    // NVIDIA (demo) 3 regions, AMD 3, Example Semiconductor 2 (no Taiwan), Example Foundry 2 (fiscal years).
    expect($('svg.chart g.sector-line').length).toBe(10);
    expect($(`g.sector-line[data-cik="${SECTOR_CIKS.exampleSemi}"][data-region="CNHK"] title`).first().text()).toMatch(
      /\(China \+ Hong Kong\), Q2 2024, .*: 25\.6% \(\$230\.0M of \$900\.0M\)/,
    );
    const labels = $('svg.chart text')
      .map((_, t) => $(t).text())
      .get();
    expect(labels).toContain('Advanced-computing rule · 2024-12-05');
    expect(labels).toContain('Advanced-computing rule · 2025-01-15');
    expect($('figcaption').text()).toMatch(/sum of China and Hong Kong where a company reports them apart \(EXAMPLE SEMICONDUCTOR CO\)/);
    const nvidia = $('tr.sector-company').filter((_, r) => $(r).text().includes('NVIDIA'));
    expect(nvidia.find('td.num .v').first().text()).toBe('21.7%');
  });

  it('lists the sector filers that mention export controls (not the outsider), escaped, linking only to sec.gov', () => {
    const $ = cheerio.load(html);
    const rows = $('#mentions tr.mention');
    expect(
      rows
        .map((_, r) => $(r).find('td').eq(1).text())
        .get()
        .map((t) => t.replace(/\s+CIK.*/, '')),
    ).toEqual(['EXAMPLE DISTRIBUTOR INC', 'EXAMPLE DISTRIBUTOR INC', 'EXAMPLE SEMICONDUCTOR CO']);
    expect($('#mentions tr.mention.first').length).toBe(2);
    expect(html).not.toContain('OUTSIDER');
    expect($('#mentions blockquote').eq(1).text()).toContain('<which we may not obtain>');
    expect(html).not.toContain('<which');
    for (const href of $('#mentions a')
      .map((_, a) => $(a).attr('href'))
      .get())
      expect(href).toMatch(/^https:\/\/www\.sec\.gov\/Archives\//);
    expect($('#timeline tbody tr').length).toBe(4);
  });

  it('a sector with no roster is a one-line error that says what to do', async () => {
    const failed = await run(
      process.execPath,
      [cli, 'report', '--data-dir', dataDir, '--sector', '3559', '--out', join(dataDir, 'x.html')],
      { cwd: REPO_ROOT },
    ).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(2);
    // One line of ours (the rest of stderr is the AWS SDK's Node-version notice, if any).
    expect(failed?.stderr.split('\n').filter((l) => l.startsWith('export-watch'))).toEqual([
      `export-watch report: --sector 3559: no roster of SIC 3559 in local store ${join(dataDir, 'dynamodb')}: add "SIC:3559" to the watch-list of the config and run once (export-watch run --once), then try again`,
    ]);
  });

  describe.skipIf(!chromium)(`in headless Chromium (${chromium ? chromium : NO_CHROMIUM})`, () => {
    it('the sector page loads without console errors, page errors or network requests', async () => {
      const shot = join(dataDir, 'report-sector.png');
      const check = await checkPage(chromium as string, out, { screenshot: shot });
      expect(check.errors).toEqual([]);
      expect(check.requests).toEqual([]);
      expect(check.title).toBe(`export-watch sector SIC ${SECTOR_SIC}`);
      expect(check.charts).toBe(1);
      expect(statSync(shot).size).toBeGreaterThan(10_000);
    }, 120_000);
  });
});
