import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeUpstream } from '../fake-upstream.ts';
import { OWN_FIXTURES, shared } from '../fixtures.ts';

/** NVIDIA's Q2 FY2026 10-Q as the demo's `sec-filings` source announces it. */
export const NVDA_10Q_ACCESSION = '0001045810-25-000209';
/** Archives path of its primary document (unpadded CIK, accession without dashes). */
export const NVDA_10Q_PATH = '/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm';

/**
 * The document served for that path: the real filing from the shared fixtures when present,
 * else the project's small iXBRL excerpt with the same structure and revenue numbers.
 */
export function nvda10qDocument(): string {
  const real = shared('sec/nvidia/nvda-20250727-10q.htm');
  return existsSync(real) ? real : join(OWN_FIXTURES, 'sec-revenue/nvda-20250727-excerpt.htm');
}

/** Serve NVIDIA's Q2 FY2026 10-Q primary document where EDGAR Archives has it. */
export function registerRevenueDemo(fake: FakeUpstream): void {
  fake.file(NVDA_10Q_PATH, nvda10qDocument(), { 'content-type': 'text/html' });
}
