import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SourceName } from '#core/change.ts';
import { loadConfig } from '#core/config.ts';
import { UpstreamClient } from '#core/http.ts';
import { LocalRuntime } from '#app/local/runtime.ts';
import type { ObservabilityMode } from '#core/config.ts';
import { ASSUMED_UPSTREAM_LATENCY_MS, NEWS_SHARE } from './cost-assumptions.ts';
import { type CostAssumptions, type CostModel, designCostAssumptions, estimateMonthlyCost } from './cost-model.ts';
import { createUpstreamClient } from '#app/compose.ts';
import { startDemoUpstream } from '#test/support/demo-upstream.ts';
import { EVENT_DRIVEN_DESIGN, type PipelineDesign } from './designs.ts';
import { timeMethod } from './e2e.ts';

/** What one run of a source costs, counted on the demo data. */
export interface SourceRunCount {
  source: SourceName;
  phase: 'quiet' | 'news';
  upstreamRequests: number;
  dynamoReads: number;
  dynamoWrites: number;
  computeMs: number;
}

const WRITE_COMMANDS = /^(Put|Update|Delete|BatchWrite)/;

/** Count upstream requests and DynamoDB reads/writes of each source's quiet and news runs. */
export async function countSourceRuns(): Promise<SourceRunCount[]> {
  const upstream = await startDemoUpstream();
  const dataDir = mkdtempSync(join(tmpdir(), 'ew-cost-bench-'));
  const env = { ...upstream.fake.env(), SEC_USER_AGENT: 'export-watch bench bench@example.com' };
  const config = loadConfig({ ...process.env, ...env });
  const runtime = await LocalRuntime.start({
    dataDir,
    env,
    log: () => undefined,
    http: createUpstreamClient(config, { secRequestsPerSecond: 10_000, otherRequestsPerSecond: 10_000 }),
  });
  let reads = 0;
  let writes = 0;
  const proto = DynamoDBDocumentClient.prototype as unknown as { send: (command: { constructor: { name: string } }) => Promise<unknown> };
  const originalSend = proto.send;
  proto.send = function counted(this: unknown, command) {
    if (WRITE_COMMANDS.test(command.constructor.name)) writes++;
    else reads++;
    return originalSend.call(this, command);
  };
  const fetchTime = { ms: 0 };
  const restoreFetch = timeMethod(UpstreamClient.prototype, 'get', fetchTime);
  const rows: SourceRunCount[] = [];
  try {
    for (const phase of ['quiet', 'quiet', 'news'] as const) {
      upstream.setPhase(phase);
      for (const source of runtime.enabledSources()) {
        reads = 0;
        writes = 0;
        fetchTime.ms = 0;
        upstream.fake.clearRequests();
        const t = performance.now();
        await runtime.runSource(source);
        const wall = performance.now() - t;
        rows.push({
          source,
          phase,
          upstreamRequests: upstream.fake.requests.length,
          dynamoReads: reads,
          dynamoWrites: writes,
          computeMs: Math.max(0, wall - fetchTime.ms),
        });
      }
      await runtime.runNotifier();
    }
  } finally {
    proto.send = originalSend;
    restoreFetch();
    await runtime.stop();
    await upstream.fake.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // The first quiet pass is the baseline; keep the steady-state quiet run and the news run.
  const quiet = rows.slice(runtimeCount(rows), 2 * runtimeCount(rows));
  const news = rows.slice(2 * runtimeCount(rows));
  return [...quiet, ...news];
}

function runtimeCount(rows: SourceRunCount[]): number {
  return rows.length / 3;
}

/**
 * The monthly cost of the default deployment, with each source's per-run duration and
 * DynamoDB requests taken from counted demo runs (quiet runs, plus news in
 * {@link NEWS_SHARE} of runs) instead of assumptions. Duration = measured compute +
 * upstream requests × {@link ASSUMED_UPSTREAM_LATENCY_MS}; one request unit per DynamoDB
 * call (items here are far below 4 KB / 1 KB).
 *
 * `model` is the default deployment (observability `lean`); `full` is the same work with
 * `export-watch:observability=full` (dashboard, per-source metrics, more alarms, two keys).
 */
export async function runCostBench(
  design: PipelineDesign = EVENT_DRIVEN_DESIGN,
  measured?: SourceRunCount[],
  /** Change the assumptions after the measured figures are in (e.g. a sector-sized watch-list). */
  adjust?: (assumptions: CostAssumptions) => void,
): Promise<{ counts: SourceRunCount[]; model: CostModel; full: CostModel }> {
  const counts = measured ?? (await countSourceRuns());
  const triggered = new Set<string>(design.analysisTrigger?.analyses ?? []);
  const modelOf = (observability: ObservabilityMode): CostModel => {
    const assumptions = designCostAssumptions(design, observability);
    for (const fn of assumptions.functions) {
      const quiet = counts.find((c) => c.source === fn.name && c.phase === 'quiet');
      const news = counts.find((c) => c.source === fn.name && c.phase === 'news');
      if (!quiet || !news) continue;
      const perRun = (c: SourceRunCount) => ({
        avgDurationMs: c.computeMs + c.upstreamRequests * ASSUMED_UPSTREAM_LATENCY_MS,
        readUnitsPerRun: c.dynamoReads,
        writeUnitsPerRun: c.dynamoWrites,
      });
      if (triggered.has(fn.name)) {
        // Triggered runs do the work (a news run); the scheduled sweeps find nothing (quiet).
        Object.assign(fn, perRun(quiet));
        fn.extraRun = perRun(news);
        continue;
      }
      const mix = (q: number, n: number) => (1 - NEWS_SHARE) * q + NEWS_SHARE * n;
      const q = perRun(quiet);
      const n = perRun(news);
      fn.avgDurationMs = mix(q.avgDurationMs, n.avgDurationMs);
      fn.readUnitsPerRun = mix(q.readUnitsPerRun, n.readUnitsPerRun);
      fn.writeUnitsPerRun = mix(q.writeUnitsPerRun, n.writeUnitsPerRun);
    }
    adjust?.(assumptions);
    return estimateMonthlyCost(assumptions);
  };
  return { counts, model: modelOf('lean'), full: modelOf('full') };
}

export function formatSourceRunCounts(counts: SourceRunCount[]): string {
  return [
    '| source | run | upstream requests | DynamoDB reads | DynamoDB writes | compute |',
    '|---|---|---:|---:|---:|---:|',
    ...counts.map(
      (c) => `| ${c.source} | ${c.phase} | ${c.upstreamRequests} | ${c.dynamoReads} | ${c.dynamoWrites} | ${c.computeMs.toFixed(0)} ms |`,
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { formatCostTable, formatCostTotals } = await import('./cost-model.ts');
  const { counts, model, full } = await runCostBench();
  console.log(formatSourceRunCounts(counts));
  console.log(formatCostTable(model));
  console.log(formatCostTotals('Default (observability lean)', model));
  console.log(formatCostTotals('Observability full (export-watch:observability=full)', full));
}
