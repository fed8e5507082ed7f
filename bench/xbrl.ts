import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { load } from 'cheerio';
import { Parser } from 'htmlparser2';
import { extractBreakdowns } from '#sources/sec-revenue/breakdowns.ts';
import { readXbrlSync, XbrlStreamReader } from '#sources/sec-revenue/xbrl-reader.ts';
import { OWN_FIXTURES, REPO_ROOT, SHARED_FIXTURES } from '#test/support/fixtures.ts';

/**
 * XBRL extraction benchmark: for each SEC fixture, the time (median of 5 after 3 warm-up
 * runs) and peak heap of `readXbrl` + `extractBreakdowns`, against a plain htmlparser2
 * pass over the same bytes with the same options and no-op callbacks. Each (file, mode)
 * runs in a fresh `node --expose-gc` child so heaps do not mix. Run: `npx tsx bench/xbrl.ts`.
 */

/** One benchmark row. */
export interface XbrlBenchRow {
  fixture: string;
  bytes: number;
  mode: 'ixbrl' | 'xbrl';
  readerMs: number;
  baselineMs: number;
  /** readerMs / baselineMs; the goal is ≤ 2. */
  ratio: number;
  readerPeakHeapMb: number;
  baselinePeakHeapMb: number;
  /** A straightforward DOM implementation: cheerio load + select of contexts and facts. */
  domMs: number;
  domPeakHeapMb: number;
  factsKept: number;
  breakdowns: number;
}

interface ChildResult {
  times: number[];
  peakHeapBytes: number;
  factsKept: number;
  breakdowns: number;
  mode: 'ixbrl' | 'xbrl';
}

const RUNS = 5;
const WARMUP = 3;
const CHUNK = 64 * 1024;

/** The SEC fixtures: NVIDIA inline documents and Tesla/Apple instances (or the project's own excerpt when the shared set is absent). */
export function benchFiles(): string[] {
  const sec = join(SHARED_FIXTURES, 'sec');
  if (!existsSync(sec)) return [join(OWN_FIXTURES, 'sec-revenue/nvda-20250727-excerpt.htm')];
  const list = (dir: string, re: RegExp) =>
    existsSync(join(sec, dir))
      ? readdirSync(join(sec, dir))
          .filter((f) => re.test(f))
          .sort()
          .map((f) => join(sec, dir, f))
      : [];
  return [...list('nvidia', /\.htm$/), ...list('tesla', /_htm\.xml$/), ...list('apple', /_htm\.xml$/)];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const isXmlInstance = (file: string) => file.endsWith('.xml');

function parserOptions(xml: boolean) {
  // Exactly the options the reader uses, so the ratio measures the reader's own work.
  return { xmlMode: xml, lowerCaseTags: !xml, lowerCaseAttributeNames: true, recognizeSelfClosing: true, decodeEntities: true };
}

const noop = () => undefined;
function baselinePass(text: string | string[], xml: boolean): void {
  const parser = new Parser({ onopentag: noop, onclosetag: noop, ontext: noop }, parserOptions(xml));
  if (typeof text === 'string') parser.write(text);
  else for (const chunk of text) parser.write(chunk);
  parser.end();
}

/**
 * What a typical implementation does: load the whole document into a DOM, then select the
 * contexts and revenue facts. Only the selection is done (no breakdown logic), so the
 * comparison flatters the DOM approach.
 */
function domPass(text: string, xml: boolean): number {
  const $ = load(text, { xml: xml ? { xmlMode: true } : false });
  const contexts = $(xml ? 'xbrli\\:context, context' : 'xbrli\\:context').length;
  const facts = $(xml ? '[contextRef]' : 'ix\\:nonfraction').filter((_, el) => /Revenue/i.test($(el).attr('name') ?? el.tagName)).length;
  return contexts + facts;
}

/** Child side: time and measure one mode over one file, print JSON. */
function runChild(file: string, mode: 'reader' | 'baseline' | 'dom', runs: number): ChildResult {
  const bytes = readFileSync(file);
  const xml = isXmlInstance(file);
  let factsKept = 0;
  let breakdowns = 0;
  const once = () => {
    if (mode === 'reader') {
      const doc = readXbrlSync(bytes);
      factsKept = doc.facts.length;
      breakdowns = extractBreakdowns(doc).length;
    } else if (mode === 'dom') {
      factsKept = domPass(new TextDecoder().decode(bytes), xml);
    } else {
      // Decoding is part of both passes: the reader decodes the same bytes.
      baselinePass(new TextDecoder().decode(bytes), xml);
    }
  };
  const gc = (globalThis as { gc?: () => void }).gc;
  // Small documents (the 30 KB 8-K) parse in a millisecond or two: repeat them within a
  // sample so timer resolution and scheduler noise do not decide the ratio.
  const reps = Math.max(1, Math.round(1_000_000 / bytes.length));
  for (let i = 0; i < WARMUP * reps; i++) once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) once();
    times.push((performance.now() - t0) / reps);
  }

  // Peak heap: stream the file in 64 KB chunks (as an HTTP body arrives) and sample the
  // heap between chunks; synchronous parsing gives timers no chance to sample.
  gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().heapUsed - base);
  };
  const decoder = new TextDecoder();
  if (mode === 'reader') {
    const reader = new XbrlStreamReader();
    for (let off = 0; off < bytes.length; off += CHUNK) {
      reader.write(bytes.subarray(off, off + CHUNK));
      sample();
    }
    const doc = reader.end();
    extractBreakdowns(doc);
    sample();
  } else if (mode === 'dom') {
    // A DOM needs the whole text first; sample after loading it.
    let text = '';
    for (let off = 0; off < bytes.length; off += CHUNK) {
      text += decoder.decode(bytes.subarray(off, off + CHUNK), { stream: true });
      sample();
    }
    const $ = load(text, { xml: xml ? { xmlMode: true } : false });
    sample();
    domPass(text, xml);
    sample();
    if ($.root().children().length < 0) throw new Error('unreachable');
  } else {
    const parser = new Parser({ onopentag: noop, onclosetag: noop, ontext: noop }, parserOptions(xml));
    for (let off = 0; off < bytes.length; off += CHUNK) {
      parser.write(decoder.decode(bytes.subarray(off, off + CHUNK), { stream: true }));
      sample();
    }
    parser.end();
    sample();
  }
  return { times, peakHeapBytes: peak, factsKept, breakdowns, mode: xml ? 'xbrl' : 'ixbrl' };
}

function spawnChild(file: string, mode: 'reader' | 'baseline' | 'dom', runs: number): Promise<ChildResult> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, '--child', file, mode, String(runs)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench child for ${basename(file)} (${mode}) exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as ChildResult);
      } catch (err) {
        reject(err);
      }
    });
  });
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const ms = (n: number) => Math.round(n * 10) / 10;

/** Run the benchmark over every fixture and return its rows (for `npm run bench`). */
export async function runXbrlBench(options: { files?: string[]; runs?: number } = {}): Promise<XbrlBenchRow[]> {
  const runs = options.runs ?? RUNS;
  const rows: XbrlBenchRow[] = [];
  for (const file of options.files ?? benchFiles()) {
    const reader = await spawnChild(file, 'reader', runs);
    const baseline = await spawnChild(file, 'baseline', runs);
    const dom = await spawnChild(file, 'dom', Math.min(runs, 3));
    const readerMs = median(reader.times);
    const baselineMs = median(baseline.times);
    rows.push({
      fixture: relative(REPO_ROOT, file),
      bytes: statSync(file).size,
      mode: reader.mode,
      readerMs: ms(readerMs),
      baselineMs: ms(baselineMs),
      ratio: Math.round((readerMs / baselineMs) * 100) / 100,
      readerPeakHeapMb: mb(reader.peakHeapBytes),
      baselinePeakHeapMb: mb(baseline.peakHeapBytes),
      domMs: ms(median(dom.times)),
      domPeakHeapMb: mb(dom.peakHeapBytes),
      factsKept: reader.factsKept,
      breakdowns: reader.breakdowns,
    });
  }
  return rows;
}

/** The rows as a markdown table. */
export function formatXbrlBench(rows: XbrlBenchRow[]): string {
  const lines = [
    `| fixture | size | mode | extract ms (median of ${RUNS}) | htmlparser2 no-op ms | ratio (goal ≤ 2) | cheerio DOM ms | extract peak heap MB | no-op peak heap MB | cheerio DOM peak heap MB | facts kept | breakdowns |`,
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${basename(r.fixture)} | ${(r.bytes / 1024 / 1024).toFixed(2)} MB | ${r.mode} | ${r.readerMs} | ${r.baselineMs} | ${r.ratio} | ${r.domMs} | ${r.readerPeakHeapMb} | ${r.baselinePeakHeapMb} | ${r.domPeakHeapMb} | ${r.factsKept} | ${r.breakdowns} |`,
    );
  }
  return lines.join('\n');
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const result = runChild(args[1] as string, args[2] as 'reader' | 'baseline' | 'dom', Number(args[3] ?? RUNS));
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const rows = await runXbrlBench();
    console.log(formatXbrlBench(rows));
    const worst = Math.max(...rows.map((r) => r.ratio));
    console.log(`\nworst ratio ${worst} (goal ≤ 2)`);
  }
}
