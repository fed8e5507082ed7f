import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ManualClock } from '#core/clock.ts';
import { runSourceCycle } from '#core/source.ts';
import { createCycleDeps, createUpstreamClient } from '#app/compose.ts';
import { entityListSource } from '#sources/entity-list/source.ts';
import { FakeUpstream } from '#test/support/fake-upstream.ts';
import { REPO_ROOT } from '#test/support/fixtures.ts';
import { startLocalDynamo, testConfig } from '#test/support/local-aws.ts';
import { diffEntries } from '#sources/entity-list/diff.ts';
import { parseCsl } from '#sources/entity-list/parse.ts';
import { cslBody, serveCsl, syntheticCslRows } from '#test/support/upstreams/entity-list.ts';

/** The full-size Entity List cycle, measured in a fresh process. */
export interface EntityListBenchRow {
  rows: number;
  bodyMB: number;
  bisEntries: number;
  changes: number;
  baselineMs: number;
  changedCycleMs: number;
  unchangedCycleMs: number;
  /** Peak RSS of the whole bench process (fake server, dynalite and test data included). */
  peakRssMB: number;
  /** Peak heap + buffers added by the changed cycle itself: what the Lambda needs. */
  cycleMemoryMB: number;
}

/** Runs in the child: baseline, then a cycle with ~1% amendments and some additions/removals, then a 304 cycle. */
async function worker(rowsCount: number): Promise<EntityListBenchRow> {
  // Memory of the cycle itself: heap + array buffers (the body) above what the bench
  // already holds (fake server, dynalite, test data), sampled during the changed cycle.
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  let floor = 0;
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, used());
  }, 2);
  const fake = await new FakeUpstream().start();
  const rows = syntheticCslRows(rowsCount, { seed: 7, bisShare: 0.15 });
  const first = cslBody(rows);
  serveCsl(fake, first);
  const config = testConfig({
    ...fake.env(),
    EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['NVDA'], http: { maxBodyBytes: 128 * 1024 * 1024 } }),
  });
  const local = await startLocalDynamo(config.tables);
  const clock = new ManualClock('2026-11-01T12:00:00Z');
  const deps = createCycleDeps(config, {
    db: local.db,
    clock,
    http: createUpstreamClient(config, { otherRequestsPerSecond: 1000, secRequestsPerSecond: 1000 }),
  });

  let t = performance.now();
  const baseline = await runSourceCycle(entityListSource, deps);
  const baselineMs = performance.now() - t;
  if (baseline.status !== 'ok') throw new Error(JSON.stringify(baseline));

  // Next version: amend every 100th BIS row's address, drop 10 rows, add 20.
  const bis = rows.filter((r) => String(r.source).includes('Bureau of Industry and Security'));
  const amended = rows.map((r, i) =>
    i % 100 === 0 && bis.includes(r)
      ? {
          ...r,
          addresses: [
            ...(r.addresses as unknown[]),
            { address: 'New Road 1', city: 'Shenzhen', state: null, postal_code: '518000', country: 'CN' },
          ],
        }
      : r,
  );
  const removed = new Set(bis.slice(0, 10));
  const added = syntheticCslRows(20, { seed: 99, bisShare: 1 }).map((r, i) => ({ ...r, name: `Added Entity ${i} Co., Ltd.` }));
  serveCsl(fake, cslBody([...amended.filter((r) => !removed.has(r)), ...added]));
  clock.advance(3_600_000);
  (globalThis as { gc?: () => void }).gc?.();
  floor = used();
  peak = floor;
  t = performance.now();
  const changed = await runSourceCycle(entityListSource, deps);
  const cyclePeak = peak - floor;
  const changedCycleMs = performance.now() - t;
  if (changed.status !== 'ok') throw new Error(JSON.stringify(changed));

  clock.advance(3_600_000);
  t = performance.now();
  await runSourceCycle(entityListSource, deps);
  const unchangedCycleMs = performance.now() - t;

  clearInterval(sampler);
  await local.stop();
  await fake.stop();
  return {
    rows: rowsCount,
    bodyMB: Buffer.byteLength(first) / 1024 / 1024,
    bisEntries: baseline.itemsSeen,
    changes: changed.changesCreated,
    baselineMs,
    changedCycleMs,
    unchangedCycleMs,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    cycleMemoryMB: cyclePeak / 1024 / 1024,
  };
}

/**
 * A full-size consolidated screening list (~25,800 rows, ~30 MB): time and peak memory of
 * a changed cycle. The process also holds the fake server, dynalite and the test data, so
 * its peak RSS is an upper bound of what the Lambda needs (goal: 512 MB with headroom).
 */
export function runEntityListBench(rows = 25_800): EntityListBenchRow {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(REPO_ROOT, 'bench/entity-list.ts'), '--worker', String(rows)],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return JSON.parse(out.toString().trim().split('\n').at(-1) ?? '{}') as EntityListBenchRow;
}

export function formatEntityListBench(r: EntityListBenchRow): string {
  return [
    '| rows | body | BIS entries | changes | baseline cycle | changed cycle | unchanged (304) cycle | memory of the changed cycle | goal: < 256 MB (512 MB Lambda with headroom) | peak RSS of the whole bench process |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
    `| ${r.rows} | ${r.bodyMB.toFixed(1)} MB | ${r.bisEntries} | ${r.changes} | ${(r.baselineMs / 1000).toFixed(2)} s | ${(r.changedCycleMs / 1000).toFixed(2)} s | ${r.unchangedCycleMs.toFixed(0)} ms | ${r.cycleMemoryMB.toFixed(0)} MB | ${r.cycleMemoryMB < 256 ? 'met' : 'MISSED'} | ${r.peakRssMB.toFixed(0)} MB |`,
  ].join('\n');
}

/** Parse + diff time of an all-BIS list of `n` rows against its own snapshot (best of three). */
function parseAndDiffMs(n: number): number {
  const body = Buffer.from(cslBody(syntheticCslRows(n, { seed: 3, bisShare: 1 })));
  const baseline = diffEntries([], parseCsl(body).entries).itemWrites.flatMap((w) =>
    w.value === null ? [] : [{ key: w.key, value: w.value }],
  );
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    diffEntries(baseline, parseCsl(body).entries);
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/** Scaling of parse + diff: a 4× larger list should take about 4× as long (goal: ratio < 6, never the 16× of a quadratic diff). */
export function formatEntityListScaling(): string {
  parseAndDiffMs(500); // warm-up
  const small = parseAndDiffMs(2_000);
  const large = parseAndDiffMs(8_000);
  const ratio = large / small;
  return `Parse + diff of 2,000 vs 8,000 rows (all BIS, best of 3): ${small.toFixed(0)} ms vs ${large.toFixed(0)} ms, ratio ${ratio.toFixed(1)} for 4× the rows (goal < 6: ${ratio < 6 ? 'met' : 'MISSED'}).`;
}

if (process.argv[2] === '--worker') {
  const result = await worker(Number(process.argv[3] ?? 25_800));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatEntityListBench(runEntityListBench()));
}
