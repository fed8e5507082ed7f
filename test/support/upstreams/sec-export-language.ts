import { join } from 'node:path';
import type { FakeUpstream } from '../fake-upstream.ts';
import { OWN_FIXTURES } from '../fixtures.ts';

/**
 * EDGAR Archives routes for the `sec-export-language` demo and tests, under the real URL
 * layout (`/Archives/edgar/data/<cik>/<accession without dashes>/<primary document>`).
 *
 * The documents are small own-prose iXBRL stand-ins in `test/fixtures/sec-export-language/`
 * whose export-control paragraphs change between the two quarters. Invented text must never
 * appear under a real company's real filing, so every stand-in has a made-up accession
 * number in the project's synthetic `…-9xxxxx` range ({@link EXPORT_LANGUAGE_STAND_INS}).
 * The demo serves NVIDIA's feed entry and submissions rows of the two 10-Qs renumbered the
 * same way: its news is the stand-in Q2 FY2026 10-Q (0001045810-25-900209, in place of the
 * real 0001045810-25-000209), whose previous 10-Q is the stand-in Q1 (0001045810-25-900116,
 * in place of 0001045810-25-000116). The Q2 stand-in also carries the real geographic
 * revenue facts of that quarter (same contexts and members as the filing), so `sec-revenue`
 * reads the same file.
 */

/** The demo's own fixtures. */
export const EXPORT_LANGUAGE_FIXTURES = join(OWN_FIXTURES, 'sec-export-language');

/** A primary document the fake serves. */
export interface DemoDocument {
  accession: string;
  form: string;
  primaryDocument: string;
  /** Path on the fake (www.sec.gov layout). */
  path: string;
  /** Fixture file served for it. */
  file: string;
}

function archivePath(cik: string, accession: string, primaryDocument: string): string {
  return `/Archives/edgar/data/${cik}/${accession.replace(/-/g, '')}/${primaryDocument}`;
}

/**
 * Real accession numbers → the made-up ones the demo serves instead (feed and submissions),
 * so the stand-in 10-Qs are never announced under NVIDIA's real filings.
 */
export const EXPORT_LANGUAGE_STAND_INS: Readonly<Record<string, string>> = {
  '0001045810-25-000116': '0001045810-25-900116',
  '0001045810-25-000209': '0001045810-25-900209',
};

/** Stand-in for NVIDIA's previous 10-Q (Q1 FY2026), as the demo submissions JSON lists it (made-up accession). */
export const EXPORT_LANGUAGE_PREVIOUS: DemoDocument = {
  accession: '0001045810-25-900116',
  form: '10-Q',
  primaryDocument: 'nvda-20250427.htm',
  path: archivePath('1045810', '0001045810-25-900116', 'nvda-20250427.htm'),
  file: join(EXPORT_LANGUAGE_FIXTURES, 'nvda-20250427.htm'),
};

/** Stand-in for NVIDIA's Q2 FY2026 10-Q, the demo's news (made-up accession). */
export const EXPORT_LANGUAGE_CURRENT: DemoDocument = {
  accession: '0001045810-25-900209',
  form: '10-Q',
  primaryDocument: 'nvda-20250727.htm',
  path: archivePath('1045810', '0001045810-25-900209', 'nvda-20250727.htm'),
  file: join(EXPORT_LANGUAGE_FIXTURES, 'nvda-20250727.htm'),
};

/** A stand-in 8-K (Item 8.01) with export-control passages, made-up accession, for tests (not part of the demo feed). */
export const EXPORT_LANGUAGE_8K: DemoDocument = {
  accession: '0001045810-25-900082',
  form: '8-K',
  primaryDocument: 'nvda-20250409.htm',
  path: archivePath('1045810', '0001045810-25-900082', 'nvda-20250409.htm'),
  file: join(EXPORT_LANGUAGE_FIXTURES, 'nvda-20250409-8k.htm'),
};

/** NVIDIA's FY2025 10-K stand-in (made-up accession; dated as filed 2025-02-26): the standing language before the H20 8-K (tests only). */
export const EXPORT_LANGUAGE_10K: DemoDocument = {
  accession: '0001045810-25-900023',
  form: '10-K',
  primaryDocument: 'nvda-20250126.htm',
  path: archivePath('1045810', '0001045810-25-900023', 'nvda-20250126.htm'),
  file: join(EXPORT_LANGUAGE_FIXTURES, 'nvda-20250126.htm'),
};

/**
 * A synthetic notes-offering 8-K (Items 8.01, 9.01; made-up accession) whose
 * forward-looking-statements paragraph repeats the 10-Q's risk language (tests only).
 */
export const EXPORT_LANGUAGE_NOTES_8K: DemoDocument = {
  accession: '0001045810-25-900301',
  form: '8-K',
  primaryDocument: 'nvda-20250915.htm',
  path: archivePath('1045810', '0001045810-25-900301', 'nvda-20250915.htm'),
  file: join(EXPORT_LANGUAGE_FIXTURES, 'nvda-20250915-8k.htm'),
};

/** Every document of the demo, for a lead combining routes with other sources' demos. */
export const EXPORT_LANGUAGE_DEMO_DOCUMENTS: readonly DemoDocument[] = [EXPORT_LANGUAGE_PREVIOUS, EXPORT_LANGUAGE_CURRENT];

/**
 * Serve the demo's primary documents (both phases: a document is only asked for once a
 * filing announces it). `current: false` leaves the 10-Q path to another registration
 * (e.g. `sec-revenue`'s), since the fake keeps one route per path: the last `on()` wins.
 */
export function registerExportLanguageDemo(fake: FakeUpstream, _phase: 'quiet' | 'news' = 'news', opts: { current?: boolean } = {}): void {
  for (const doc of EXPORT_LANGUAGE_DEMO_DOCUMENTS) {
    if (doc === EXPORT_LANGUAGE_CURRENT && opts.current === false) continue;
    fake.file(doc.path, doc.file, { 'content-type': 'text/html' });
  }
}
