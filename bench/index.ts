import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { formatCostTable, formatCostTotals } from './cost-model.ts';
import { REPO_ROOT } from '#test/support/fixtures.ts';
import { formatBundleBench, runBundleBench } from './bundles.ts';
import { ASSUMED_UPSTREAM_LATENCY_MS, NEWS_SHARE } from './cost-assumptions.ts';
import { countSourceRuns, formatSourceRunCounts, runCostBench, type SourceRunCount } from './cost.ts';
import { EVENT_DRIVEN_DESIGN, POLLING_DESIGN } from './designs.ts';
import { formatE2eBench, runE2eBench } from './e2e.ts';
import { formatEntityListBench, formatEntityListScaling, runEntityListBench } from './entity-list.ts';
import { benchTable, runExportLanguageBench } from './export-language.ts';
import { formatPollingBench, runPollingBench } from './polling.ts';
import { formatLatencyBench, runLatencyBench } from './latency.ts';
import { formatFullTextBench, formatSectorBench, runFullTextBench, runSectorBench, sectorMonthlyCost } from './sector.ts';
import { formatXbrlBench, runXbrlBench } from './xbrl.ts';

/**
 * `npm run bench`: every benchmark in one run, printed as markdown and written to
 * docs/performance.md with the machine it ran on. Benchmarks report ratios measured in the
 * same run (reader vs tokenizer, bundle vs empty bundle, export-watch vs naive polling), so
 * a noisy machine does not make them lie; absolute times are for orientation.
 */
async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const sections: string[] = [];
  let measuredRuns: SourceRunCount[] | undefined;
  const section = async (title: string, intro: string, run: () => Promise<string> | string) => {
    const started = performance.now();
    process.stderr.write(`bench: ${title}…\n`);
    const body = await run();
    const text = `## ${title}\n\n${intro}\n\n${body}\n\n_(${((performance.now() - started) / 1000).toFixed(1)} s)_\n`;
    console.log(`\n${text}`);
    sections.push(text);
  };

  await section(
    '1. XBRL extraction',
    'Streaming reader (`lambdas/sources/sec-revenue/xbrl-reader.ts`) + breakdowns vs one plain htmlparser2 pass with no-op callbacks over the same bytes (goal: ratio ≤ 2), and vs a straightforward DOM implementation (cheerio load + select of contexts and revenue facts, no breakdown logic). Each measurement runs in a fresh `node --expose-gc` process.',
    async () => {
      const rows = await runXbrlBench();
      return `${formatXbrlBench(rows)}\n\nWorst ratio ${Math.max(...rows.map((r) => r.ratio))} (goal ≤ 2). The DOM approach is ${Math.min(...rows.map((r) => r.domMs / r.readerMs)).toFixed(1)}–${Math.max(...rows.map((r) => r.domMs / r.readerMs)).toFixed(1)}× slower and needs ${Math.min(...rows.filter((r) => r.readerPeakHeapMb > 0.5).map((r) => r.domPeakHeapMb / r.readerPeakHeapMb)).toFixed(0)}–${Math.max(...rows.filter((r) => r.readerPeakHeapMb > 0.5).map((r) => r.domPeakHeapMb / r.readerPeakHeapMb)).toFixed(0)}× the memory.`;
    },
  );
  await section(
    '1b. Export-control language extraction',
    'Text extraction, section detection and passage selection of the NVIDIA filings (goal: a 2–3 MB filing well under 1 s).',
    () => benchTable(runExportLanguageBench({ print: () => undefined })),
  );
  await section(
    '2. Polling cost of a quiet SEC cycle',
    "A quiet `sec-filings` cycle after its baseline, against the fake EDGAR, side by side with the naive watcher that fetches every company's submissions JSON each cycle (served as the real 153 KB NVIDIA file). Goal: constant. Bytes are decoded body bytes.",
    async () => formatPollingBench(await runPollingBench()),
  );
  await section(
    '3. Lambda packages',
    'Each function as synthesized by `cdk synth` (local esbuild, minified ESM, AWS SDK external), and its cold module-initialisation time in a fresh `node` process relative to an empty handler bundled the same way (median of 7). Goal: ≤ 500 KB.',
    async () => formatBundleBench(await runBundleBench()),
  );
  await section(
    '4. Entity List at full size',
    'A synthetic consolidated screening list of 25,800 rows (~27 MB, 15% on the three BIS lists), through the real source cycle against dynalite: baseline, a changed list (1% of BIS entries amended, 10 removed, 20 added), then an unchanged list (304). Memory is the heap and buffers the changed cycle adds, measured in a fresh process.',
    () => `${formatEntityListBench(runEntityListBench())}\n\n${formatEntityListScaling()}`,
  );
  await section(
    '5. End to end',
    'One local cycle over the demo data (all sources, then the notifier) against the fake upstream, dynalite and local SES, with upstream rate limits lifted. DynamoDB time sums concurrent calls, so columns can add up to more than the wall time.',
    async () => formatE2eBench(await runE2eBench()),
  );
  await section(
    '6. Monthly AWS cost',
    `Runs per month from the schedules; each source's duration and DynamoDB requests per run counted on the demo data (quiet runs, with news in ${NEWS_SHARE * 100}% of runs; duration = measured compute + upstream requests × ${ASSUMED_UPSTREAM_LATENCY_MS} ms assumed latency); list prices of us-east-1 (\`bench/cost-assumptions.ts\`). Compare: commercial filing feeds start around $49/month.`,
    async () => {
      const { counts, model, full } = await runCostBench();
      measuredRuns = counts;
      return `${formatSourceRunCounts(counts)}\n\nDefault deployment (\`export-watch:observability=lean\`):\n\n${formatCostTable(model)}\n${formatCostTotals('With `export-watch:observability=full` (dashboard, per-source metrics, more alarms, two keys)', full)}.`;
    },
  );
  await section(
    '7. Alert latency: polling vs event-driven',
    'From the moment an item is visible upstream to the moment its e-mail is handed to SES, replayed on a virtual clock (`bench/latency.ts`) through the schedules and triggers of each design (`bench/designs.ts`: the polling design before issue 16, and the deployed one read from `lambdas/core/schedule.ts`). Recorded arrivals: the `<updated>` stamps of the two shared EDGAR feed pages (watched forms) and the public-inspection `filed_at` postings (each arriving any second of the 3 minutes after its stamp); every family is also swept evenly over its hours (filing hours, posting windows 08:45–18:30 ET; published documents and Entity List changes over a whole day, since no real arrival time is recorded for them). Run times per step are `RUN_SECONDS`; the analyses are the slower of revenue and export language; the monthly cost of each design is the cost model of section 6 with the same measured runs.',
    async () => {
      const result = runLatencyBench();
      const counts = measuredRuns ?? (await countSourceRuns());
      const costs = await Promise.all([POLLING_DESIGN, EVENT_DRIVEN_DESIGN].map((d) => runCostBench(d, counts)));
      const [before, now] = costs as [Awaited<ReturnType<typeof runCostBench>>, Awaited<ReturnType<typeof runCostBench>>];
      const allMet = result.now.every((r) => r.met);
      return `${formatLatencyBench(result)}\n\nMonthly cost (lean, list price): before $${before.model.totalUsd.toFixed(2)}, now $${now.model.totalUsd.toFixed(2)} (goal ≤ $3.50: ${now.model.totalUsd <= 3.5 ? 'met' : '**not met**'}); full: before $${before.full.totalUsd.toFixed(2)}, now $${now.full.totalUsd.toFixed(2)}. Every latency goal ${allMet ? 'is met' : '**is not met**'} by the event-driven design.`;
    },
  );

  await section(
    '8. A sector watch-list through an earnings week',
    `Issue 17: 150 companies (about the size of SIC 3674, semiconductors) each filing a results 8-K and a 10-Q once in the week, at times of day taken from the recorded EDGAR feed pages (\`bench/sector.ts\`). Every busy minute runs a real \`sec-filings\` cycle against the fake EDGAR (the real feed page underneath the new entries, one synthetic submissions JSON per company that filed); quiet minutes are the measured quiet cycle. The watch-list is \`SIC:3674\`, resolved through the fake company browse. \`sec-full-text\` runs all 540 of its runs of the week for real against the fake EFTS, with the sector's 10-Qs and as many of filers on no watch-list mentioning export controls. Lambda time = measured compute + requests × ${ASSUMED_UPSTREAM_LATENCY_MS} ms. The monthly cost prices every week as an earnings week (an upper bound), with one analysis run per busy cycle reading each of its filings at the measured cost of the demo filing, \`sec-full-text\` at its measured runs; the other sources as in section 6.`,
    async () => {
      const week = await runSectorBench();
      const fullText = await runFullTextBench();
      const cost = await sectorMonthlyCost(week, measuredRuns, fullText);
      return `${formatSectorBench(week)}\n\n${formatFullTextBench(fullText)}\n\nMonthly cost with this watch-list: lean **$${cost.lean.toFixed(2)}** (goal < $5: ${cost.lean < 5 ? 'met' : '**not met**'}), full $${cost.full.toFixed(2)}; ${Math.round(cost.triggeredRunsPerMonth)} triggered analysis runs a month.`;
    },
  );

  const git = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT }).toString().trim();
    } catch {
      return 'unknown';
    }
  })();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
  const header = `# Performance\n\nMeasured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} at commit ${git}, on ${machine}. Goals and what the numbers mean: see the notes at the end; regenerate with \`npm run bench\`.\n`;
  const notes = readNotes();
  writeFileSync(join(REPO_ROOT, 'docs/performance.md'), `${header}\n${sections.join('\n')}\n${notes}`);
  process.stderr.write('bench: wrote docs/performance.md\n');
}

/** The hand-written notes kept at the end of docs/performance.md (after the marker). */
function readNotes(): string {
  const marker = '<!-- notes: kept by npm run bench -->';
  try {
    const current = readFileSync(join(REPO_ROOT, 'docs/performance.md'), 'utf8');
    const at = current.indexOf(marker);
    if (at >= 0) return current.slice(at);
  } catch {
    // first run
  }
  return `${marker}\n`;
}

await main();
