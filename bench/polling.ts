import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '#core/clock.ts';
import { runSourceCycle } from '#core/source.ts';
import { createCycleDeps, createUpstreamClient } from '#app/compose.ts';
import { secFilingsSource } from '#sources/sec-filings/source.ts';
import { FakeUpstream } from '#test/support/fake-upstream.ts';
import { shared } from '#test/support/fixtures.ts';
import { startLocalDynamo, testConfig } from '#test/support/local-aws.ts';
import { registerSecDemo, SEC_DEMO_FIXTURES } from '#test/support/upstreams/sec.ts';

/** Requests and bytes of one quiet SEC cycle for a watch-list size. */
export interface PollingRow {
  companies: number;
  requests: number;
  bytes: number;
  naiveRequests: number;
  naiveBytes: number;
}

/**
 * A quiet `sec-filings` cycle (after its baseline) against the fake EDGAR, for watch-lists
 * of 1, 10, 100 and 1,000 companies, side by side with the naive approach of fetching every
 * company's submissions JSON each cycle (each served as a real-size submissions file).
 * Bytes are decoded body bytes, what the function processes.
 */
export async function runPollingBench(sizes: number[] = [1, 10, 100, 1000]): Promise<PollingRow[]> {
  const fake = await new FakeUpstream().start();
  const realSubmissions = shared('sec/nvidia/submissions-CIK0001045810.json');
  const submissionsBody = readFileSync(
    existsSync(realSubmissions) ? realSubmissions : join(SEC_DEMO_FIXTURES, 'submissions-CIK0001045810.json'),
  );
  const naiveFake = await new FakeUpstream().start();
  naiveFake.on('GET', /^\/submissions\//, () => ({ body: submissionsBody, headers: { 'content-type': 'application/json' } }));
  const rows: PollingRow[] = [];
  try {
    for (const n of sizes) {
      registerSecDemo(fake, 'quiet', { synthesize: true });
      const watchlist = ['NVDA', ...Array.from({ length: n - 1 }, (_, i) => String(8_000_001 + i))];
      const config = testConfig({ ...fake.env(), EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist }) });
      const local = await startLocalDynamo(config.tables);
      const clock = new ManualClock('2025-08-27T20:45:30Z');
      const http = createUpstreamClient(config, { secRequestsPerSecond: 10_000, backoffBaseMs: 1 });
      const deps = createCycleDeps(config, { db: local.db, clock, http });
      const baseline = await runSourceCycle(secFilingsSource, deps);
      if (baseline.status !== 'ok') throw new Error(`baseline failed: ${JSON.stringify(baseline)}`);
      clock.advance(10 * 60_000);
      const before = { ...http.stats };
      const quiet = await runSourceCycle(secFilingsSource, deps);
      if (quiet.status !== 'ok') throw new Error(`quiet cycle failed: ${JSON.stringify(quiet)}`);
      const requests = http.stats.requests - before.requests;
      const bytes = http.stats.bytes - before.bytes;

      // The naive watcher: every company's submissions JSON, every cycle.
      const naive = createUpstreamClient(config, { secRequestsPerSecond: 10_000, otherRequestsPerSecond: 10_000 });
      for (let i = 0; i < n; i++) await naive.get(`${naiveFake.url}/submissions/CIK${String(8_000_001 + i).padStart(10, '0')}.json`);
      rows.push({ companies: n, requests, bytes, naiveRequests: naive.stats.requests, naiveBytes: naive.stats.bytes });
      await local.stop();
    }
  } finally {
    await fake.stop();
    await naiveFake.stop();
  }
  return rows;
}

export function formatPollingBench(rows: PollingRow[]): string {
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  return [
    '| watched companies | export-watch requests | export-watch bytes | naive requests | naive bytes | bytes saved |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.companies} | ${r.requests} | ${kb(r.bytes)} | ${r.naiveRequests} | ${kb(r.naiveBytes)} | ${(r.naiveBytes / Math.max(1, r.bytes)).toFixed(0)}× |`,
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatPollingBench(await runPollingBench()));
}
