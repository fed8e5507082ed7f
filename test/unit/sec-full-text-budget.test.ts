import { describe, expect, it } from 'vitest';
import { loadConfig } from '#core/config.ts';
import { createUpstreamClient } from '#app/compose.ts';
import { eftsBase } from '#sources/sec-full-text/source.ts';

/**
 * Full-text search spends the SEC budget (docs/upstreams.md §1.7: ≤ 10 requests/s across all SEC
 * hosts): efts.sec.gov requests wait on the same limiter as www.sec.gov and data.sec.gov.
 */
describe('sec-full-text inside the shared SEC rate budget', () => {
  const env = {
    SEC_USER_AGENT: 'Acme Research admin@acme.com',
    EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['NVDA'], http: { secRequestsPerSecond: 2 } }),
  };

  async function waitsFor(urls: string[], extraEnv: Record<string, string> = {}): Promise<number[]> {
    const waits: number[] = [];
    const impl = (async () => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } })) as typeof fetch;
    const client = createUpstreamClient(loadConfig({ ...env, ...extraEnv }), {
      fetch: impl,
      sleep: async (ms: number) => void waits.push(ms),
    });
    for (const u of urls) await client.get(u);
    return waits;
  }

  it('alternating www.sec.gov and efts.sec.gov requests are paced as one host (2 a second → ~500 ms apart)', async () => {
    const base = eftsBase(loadConfig(env));
    expect(base).toBe('https://efts.sec.gov');
    const waits = await waitsFor([
      'https://www.sec.gov/a',
      `${base}/LATEST/search-index?q=%22Entity+List%22`,
      'https://data.sec.gov/b',
      `${base}/LATEST/search-index?q=%22export+license%22`,
    ]);
    expect(waits).toHaveLength(3);
    for (const w of waits) expect(w).toBeGreaterThan(400);
  });

  it('a configured EFTS mirror (SEC_EFTS_URL) shares the budget too', async () => {
    const waits = await waitsFor(['https://www.sec.gov/a', 'https://efts-mirror.example/LATEST/search-index?q=x'], {
      SEC_EFTS_URL: 'https://efts-mirror.example',
    });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(400);
  });
});
