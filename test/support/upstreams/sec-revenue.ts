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

/** Netflix's Q3 2024 10-Q (Streaming × region, no Streaming subtotal), accession 0001065280-24-000287. */
export const NFLX_10Q_ACCESSION = '0001065280-24-000287';
/** Its filing folder on EDGAR Archives (unpadded CIK, accession without dashes). */
export const NFLX_10Q_FOLDER = '/Archives/edgar/data/1065280/000106528024000287/';
/** The document the fake serves as its primary document: the project's excerpt of the filing's instance. */
export const NFLX_10Q_PATH = `${NFLX_10Q_FOLDER}nflx-20240930_htm.xml`;

/**
 * Serve Netflix's filing folder the way EDGAR does: `index.json` listing the filing's files,
 * the instance excerpt, and the label linkbase excerpt (`nflx-20240930_lab.xml`) that names
 * its members ("United States and Canada", "Streaming").
 */
export function registerNetflixFiling(fake: FakeUpstream): void {
  const names = [
    'nflx-20240930.htm',
    'nflx-20240930.xsd',
    'nflx-20240930_cal.xml',
    'nflx-20240930_def.xml',
    'nflx-20240930_htm.xml',
    'nflx-20240930_lab.xml',
    'nflx-20240930_pre.xml',
  ];
  fake.json(`${NFLX_10Q_FOLDER}index.json`, {
    directory: {
      item: names.map((name) => ({ 'last-modified': '2024-10-18 16:05:12', name, type: 'text.gif', size: '' })),
      name: NFLX_10Q_FOLDER.slice(0, -1),
      'parent-dir': '',
    },
  });
  fake.file(NFLX_10Q_PATH, join(OWN_FIXTURES, 'sec-revenue/nflx-20240930_htm.xml'), { 'content-type': 'application/xml' });
  fake.file(`${NFLX_10Q_FOLDER}nflx-20240930_lab.xml`, join(OWN_FIXTURES, 'sec-revenue/nflx-20240930_lab.xml'), {
    'content-type': 'application/xml',
  });
}
