import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { passagesOf } from '#sources/sec-export-language/passages.ts';
import { ParagraphExtractor } from '#sources/sec/document-text.ts';
import { shared } from '#test/support/fixtures.ts';

/**
 * Benchmark of the export-language extraction on NVIDIA's real filings: time to turn the
 * primary document into paragraphs, sections and export-control passages, and the peak heap
 * above the starting point while doing it. The document is fed in 64 KB slices, as a
 * streamed HTTP body would be, and the heap is sampled after every slice (no DOM is built,
 * so the peak should stay near the size of the text, not of the HTML).
 *
 * Goal: a 2–3 MB filing well under 1 s. Run: `npx tsx bench/export-language.ts`
 * (with `node --expose-gc` semantics the baseline is taken after a collection when possible).
 */

/** One row of the benchmark. */
export interface ExportLanguageBenchRow {
  document: string;
  bytes: number;
  paragraphs: number;
  passages: number;
  /** Median over the runs, milliseconds. */
  extractMs: number;
  /** Fastest run, milliseconds. */
  bestMs: number;
  /** Peak heap above the pre-run baseline during one run, MB. */
  peakHeapMB: number;
}

/** NVIDIA documents of the shared fixtures (10-Q Q2 FY2026, 10-K FY2023, an 8-K). */
export const BENCH_DOCUMENTS: readonly string[] = [
  'sec/nvidia/nvda-20250727-10q.htm',
  'sec/nvidia/nvda-20230129-10k.htm',
  'sec/nvidia/nvda-20260302-8k.htm',
];

const SLICE = 64 * 1024;

function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** One full extraction, sampling the heap after each slice. */
function runOnce(body: Buffer, sample: boolean): { paragraphs: number; passages: number; ms: number; peak: number } {
  collect();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  const started = performance.now();
  const extractor = new ParagraphExtractor();
  for (let i = 0; i < body.length; i += SLICE) {
    extractor.write(body.subarray(i, i + SLICE));
    if (sample) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
  }
  const extracted = extractor.end();
  const found = passagesOf(extracted.paragraphs, extracted.info.documentType);
  const ms = performance.now() - started;
  if (sample) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
  return { paragraphs: extracted.paragraphs.length, passages: found.passages.length, ms, peak };
}

/** Markdown table of the rows. */
export function benchTable(rows: readonly ExportLanguageBenchRow[]): string {
  const lines = [
    '| document | size | paragraphs | passages | extraction (median) | best | peak heap |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.document} | ${(r.bytes / 1024 / 1024).toFixed(2)} MB | ${r.paragraphs} | ${r.passages} | ${r.extractMs.toFixed(0)} ms | ${r.bestMs.toFixed(0)} ms | ${r.peakHeapMB.toFixed(1)} MB |`,
    ),
  ];
  return lines.join('\n');
}

/**
 * Run the benchmark over the documents that exist (shared fixtures are optional), print a
 * markdown table and return the rows.
 */
export function runExportLanguageBench(
  options: { documents?: readonly string[]; runs?: number; print?: (s: string) => void } = {},
): ExportLanguageBenchRow[] {
  const runs = options.runs ?? 5;
  const print = options.print ?? ((s: string) => console.log(s));
  const rows: ExportLanguageBenchRow[] = [];
  for (const rel of options.documents ?? BENCH_DOCUMENTS) {
    const file = existsSync(rel) ? rel : shared(rel);
    if (!existsSync(file)) {
      print(`skipped ${rel}: not found`);
      continue;
    }
    const body = readFileSync(file);
    runOnce(body, false); // warm-up: JIT and parser tables
    const times: number[] = [];
    let peak = 0;
    let last = { paragraphs: 0, passages: 0 };
    for (let i = 0; i < runs; i++) {
      const r = runOnce(body, i === 0);
      times.push(r.ms);
      if (i === 0) peak = r.peak;
      last = r;
    }
    times.sort((a, b) => a - b);
    rows.push({
      document: basename(file),
      bytes: statSync(file).size,
      paragraphs: last.paragraphs,
      passages: last.passages,
      extractMs: times[Math.floor(times.length / 2)] as number,
      bestMs: times[0] as number,
      peakHeapMB: peak / 1024 / 1024,
    });
  }
  print(benchTable(rows));
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runExportLanguageBench();
