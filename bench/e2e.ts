import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '#core/config.ts';
import { UpstreamClient } from '#core/http.ts';
import { LocalRuntime } from '#app/local/runtime.ts';
import { SesMailer } from '#adapters/mailer.ts';
import { createUpstreamClient } from '#app/compose.ts';
import { startDemoUpstream } from '#test/support/demo-upstream.ts';

/** Where the time of one local cycle goes. */
export interface E2eRow {
  phase: string;
  wallMs: number;
  fetchMs: number;
  storeMs: number;
  sendMs: number;
  computeMs: number;
  changes: number;
  emails: number;
}

/** Accumulate the wall time spent inside `proto[method]`. */
export function timeMethod(proto: object, method: string, bucket: { ms: number }): () => void {
  const target = proto as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = target[method] as (...args: unknown[]) => Promise<unknown>;
  target[method] = async function timed(this: unknown, ...args: unknown[]) {
    const t = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      bucket.ms += performance.now() - t;
    }
  };
  return () => {
    target[method] = original;
  };
}

/**
 * A local cycle over the demo data (every source, then the notifier) against the fake
 * upstream, embedded dynalite and local SES: wall time and where it goes. Upstream rate
 * limits are lifted so the figures show work, not politeness waits. "compute" is the rest:
 * parsing, diffing, rendering and MIME building.
 */
export async function runE2eBench(): Promise<E2eRow[]> {
  const upstream = await startDemoUpstream();
  const dataDir = mkdtempSync(join(tmpdir(), 'ew-e2e-bench-'));
  const env = { ...upstream.fake.env(), SEC_USER_AGENT: 'export-watch bench bench@example.com' };
  const config = loadConfig({ ...process.env, ...env });
  const runtime = await LocalRuntime.start({
    dataDir,
    env,
    log: () => undefined,
    http: createUpstreamClient(config, { secRequestsPerSecond: 10_000, otherRequestsPerSecond: 10_000 }),
  });
  const fetch = { ms: 0 };
  const store = { ms: 0 };
  const send = { ms: 0 };
  const restore = [
    timeMethod(UpstreamClient.prototype, 'get', fetch),
    timeMethod(DynamoDBDocumentClient.prototype, 'send', store),
    timeMethod(SesMailer.prototype, 'send', send),
  ];
  const rows: E2eRow[] = [];
  try {
    for (const phase of ['quiet', 'news', 'news'] as const) {
      upstream.setPhase(phase);
      fetch.ms = 0;
      store.ms = 0;
      send.ms = 0;
      const t = performance.now();
      const summary = await runtime.runOnce();
      const wallMs = performance.now() - t;
      const changes = summary.sources.reduce((n, s) => n + (s.status === 'ok' ? s.changesCreated : 0), 0);
      const label = rows.length === 0 ? 'baseline (quiet)' : rows.length === 1 ? 'news' : 'repeat (nothing new)';
      rows.push({
        phase: label,
        wallMs,
        fetchMs: fetch.ms,
        storeMs: store.ms,
        sendMs: send.ms,
        computeMs: Math.max(0, wallMs - fetch.ms - store.ms - send.ms),
        changes,
        emails: summary.notifier.emailsSent,
      });
    }
  } finally {
    for (const r of restore) r();
    await runtime.stop();
    await upstream.fake.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}

export function formatE2eBench(rows: E2eRow[]): string {
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  return [
    '| cycle | wall | upstream fetch | DynamoDB | SES send | compute (parse, diff, render) | changes | emails |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.phase} | ${ms(r.wallMs)} | ${ms(r.fetchMs)} | ${ms(r.storeMs)} | ${ms(r.sendMs)} | ${ms(r.computeMs)} | ${r.changes} | ${r.emails} |`,
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatE2eBench(await runE2eBench()));
}
