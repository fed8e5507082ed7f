import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Change, finalizeChange } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import { runSourceCycle } from '#core/source.ts';
import { createCycleDeps, createUpstreamClient } from '#app/compose.ts';
import type { ExportLanguageData } from '#sources/sec-export-language/detect.ts';
import { type SecExportLanguageCursor, secExportLanguageSource } from '#sources/sec-export-language/source.ts';
import { filingChange } from '#sources/sec-filings/detect.ts';
import type { SubmissionRow } from '#sources/sec/submissions.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { startLocalDynamo, testConfig } from '../support/local-aws.ts';
import { registerSecDemo, registerSecSubmissions, SEC_DEMO_NEWS, submissionsJson } from '../support/upstreams/sec.ts';
import {
  EXPORT_LANGUAGE_8K,
  EXPORT_LANGUAGE_10K,
  EXPORT_LANGUAGE_CURRENT,
  EXPORT_LANGUAGE_NOTES_8K,
  EXPORT_LANGUAGE_PREVIOUS,
  EXPORT_LANGUAGE_STAND_INS,
  registerExportLanguageDemo,
} from '../support/upstreams/sec-export-language.ts';

let fake: FakeUpstream;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  fake = await new FakeUpstream().start();
  registerSecDemo(fake, 'news', { renumber: EXPORT_LANGUAGE_STAND_INS }); // NVIDIA's submissions JSON, listing the previous (stand-in) 10-Q
  registerExportLanguageDemo(fake, 'news');
  for (const doc of [EXPORT_LANGUAGE_8K, EXPORT_LANGUAGE_10K, EXPORT_LANGUAGE_NOTES_8K])
    fake.file(doc.path, doc.file, { 'content-type': 'text/html' });
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
  fake.clearRequests();
});
afterAll(async () => {
  await fake.stop();
});

const T0 = '2025-08-27T21:00:00Z';
const MINUTE = 60_000;
const NVIDIA = { cik: SEC_DEMO_NEWS.cik, ticker: SEC_DEMO_NEWS.ticker, name: 'NVIDIA CORP' };

async function harness() {
  const config = testConfig(fake.env());
  const local = await startLocalDynamo(config.tables);
  cleanups.push(() => local.stop());
  const clock = new ManualClock(T0);
  const http = createUpstreamClient(config, { secRequestsPerSecond: 1000, otherRequestsPerSecond: 1000, backoffBaseMs: 1 });
  const deps = createCycleDeps(config, { db: local.db, clock, http });
  return {
    config,
    deps,
    clock,
    run: () => runSourceCycle(secExportLanguageSource, deps),
    /** Log a filing.new change as sec-filings would, detected now. */
    async seed(row: SubmissionRow): Promise<void> {
      await deps.changes.put(finalizeChange(filingChange(NVIDIA, row, config.urls.secWww), clock.now()), { notify: false });
    },
    async changes(): Promise<Change[]> {
      const out: Change[] = [];
      for await (const c of deps.changes.query({ source: 'sec-export-language' })) out.push(c);
      return out;
    },
    cursor: async () => (await deps.state.get('sec-export-language'))?.cursor as SecExportLanguageCursor | undefined,
  };
}

const tenQ: SubmissionRow = {
  accession: EXPORT_LANGUAGE_CURRENT.accession,
  filingDate: SEC_DEMO_NEWS.filingDate,
  reportDate: SEC_DEMO_NEWS.reportDate,
  acceptanceDateTime: SEC_DEMO_NEWS.acceptanceDateTime,
  form: '10-Q',
  items: [],
  primaryDocument: SEC_DEMO_NEWS.primaryDocument,
  primaryDocDescription: '10-Q',
};

describe('sec-export-language cycle against a fake EDGAR and in-memory DynamoDB', () => {
  it('reports the 10-Q once after a baseline, comparing it with the previous 10-Q it fetched, and never again', async () => {
    const h = await harness();
    expect(await h.run()).toMatchObject({ status: 'ok', baseline: true, changesCreated: 0 });

    h.clock.advance(5 * MINUTE);
    await h.seed(tenQ);
    h.clock.advance(5 * MINUTE);
    fake.clearRequests();
    const outcome = await h.run();
    expect(outcome).toMatchObject({ status: 'ok', baseline: false, changesCreated: 1, itemsSeen: 1 });
    // The 10-Q, then (no reference yet) NVIDIA's submissions JSON and the previous 10-Q.
    expect(fake.requests.map((r) => r.path)).toEqual([
      EXPORT_LANGUAGE_CURRENT.path,
      '/sec-data/submissions/CIK0001045810.json',
      EXPORT_LANGUAGE_PREVIOUS.path,
    ]);

    const [change, ...rest] = await h.changes();
    expect(rest).toEqual([]);
    expect(change).toMatchObject({
      source: 'sec-export-language',
      kind: 'export-language.changed',
      naturalKey: EXPORT_LANGUAGE_CURRENT.accession,
      subject: 'NVDA',
      importance: 'high',
      url: `${h.config.urls.secWww}${EXPORT_LANGUAGE_CURRENT.path}`,
      occurredAt: SEC_DEMO_NEWS.acceptanceDateTime,
      title: 'NVIDIA 10-Q adds 2 and changes 2 export-control paragraphs (H20 licence requirement)',
    });
    expect(change?.countries).toEqual(expect.arrayContaining(['CN', 'HK', 'MO', 'SG']));
    const data = change?.data as unknown as ExportLanguageData;
    expect(data).toMatchObject({
      form: '10-Q',
      accession: EXPORT_LANGUAGE_CURRENT.accession,
      previousAccession: EXPORT_LANGUAGE_PREVIOUS.accession,
      removed: [],
    });
    expect(data.added).toHaveLength(2);
    expect(data.added.join(' ')).toMatch(/Entity List/);
    expect(data.changed).toHaveLength(2);
    expect(data.changed.flatMap((c) => c.diff).some((o) => o.op === 'insert' && /August 2025/.test(o.text))).toBe(true);

    // The company's reference now holds the 10-Q's passages.
    const ref = await h.deps.state.getItem('sec-export-language', 'passages#1045810#periodic');
    expect(ref).toMatchObject({ accession: EXPORT_LANGUAGE_CURRENT.accession, form: '10-Q', family: 'periodic', truncated: 0 });

    // Re-run: nothing new, no request.
    h.clock.advance(5 * MINUTE);
    fake.clearRequests();
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 0, itemsSeen: 0 });
    expect(fake.requests).toEqual([]);
    expect(await h.changes()).toHaveLength(1);

    // An amendment with the same wording: compared with the stored reference (no submissions
    // request), and no change at all is no change.
    await h.seed({ ...tenQ, accession: '0001045810-25-900211', form: '10-Q/A' });
    fake.on('GET', '/Archives/edgar/data/1045810/000104581025900211/nvda-20250727.htm', () => ({
      body: readFileSync(EXPORT_LANGUAGE_CURRENT.file),
    }));
    h.clock.advance(5 * MINUTE);
    fake.clearRequests();
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 0, itemsSeen: 1 });
    expect(fake.requests.map((r) => r.path)).toEqual(['/Archives/edgar/data/1045810/000104581025900211/nvda-20250727.htm']);
  });

  it('reports only what an 8-K adds to the standing language: the H20 paragraph, not its cautionary sentence; earlier 8-Ks count; the first 10-Q still builds its baseline as today', async () => {
    // NVIDIA's submissions as of the Q1 10-Q (real accessions, forms and dates): the FY2025
    // 10-K is the latest periodic filing before the H20 8-K.
    registerSecSubmissions(fake, (name) =>
      name === 'CIK0001045810.json'
        ? submissionsJson({
            cik: 1045810,
            name: 'NVIDIA CORP',
            tickers: ['NVDA'],
            rows: [
              {
                accession: EXPORT_LANGUAGE_PREVIOUS.accession,
                filingDate: '2025-05-28',
                reportDate: '2025-04-27',
                form: '10-Q',
                primaryDocument: EXPORT_LANGUAGE_PREVIOUS.primaryDocument,
              },
              {
                accession: EXPORT_LANGUAGE_8K.accession,
                filingDate: '2025-04-15',
                reportDate: '2025-04-09',
                form: '8-K',
                items: '8.01',
                primaryDocument: EXPORT_LANGUAGE_8K.primaryDocument,
              },
              {
                accession: '0001045810-25-900039',
                filingDate: '2025-03-07',
                reportDate: '2025-03-03',
                form: '8-K',
                items: '5.02',
                primaryDocument: 'nvda-20250303.htm',
              },
              {
                accession: EXPORT_LANGUAGE_10K.accession,
                filingDate: '2025-02-26',
                reportDate: '2025-01-26',
                form: '10-K',
                primaryDocument: EXPORT_LANGUAGE_10K.primaryDocument,
              },
            ],
          })
        : undefined,
    );
    cleanups.push(async () => registerSecDemo(fake, 'news', { renumber: EXPORT_LANGUAGE_STAND_INS }));
    const h = await harness();
    await h.run();
    h.clock.advance(MINUTE);
    const eightK: SubmissionRow = {
      ...tenQ,
      accession: EXPORT_LANGUAGE_8K.accession,
      filingDate: '2025-04-15',
      form: '8-K',
      items: ['8.01', '9.01'],
      primaryDocument: EXPORT_LANGUAGE_8K.primaryDocument,
      reportDate: '2025-04-09',
    };
    await h.seed(eightK);
    await h.seed({
      ...tenQ,
      accession: '0001045810-25-900039',
      filingDate: '2025-03-07',
      form: '8-K',
      items: ['5.02'],
      primaryDocument: 'nvda-20250303.htm',
      reportDate: '2025-03-03',
    });
    h.clock.advance(MINUTE);
    fake.clearRequests();
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 1, itemsSeen: 1 });
    // The company is new to the analysis: its latest 10-K (from the submissions JSON) is the
    // standing language. The 5.02 8-K is not read.
    expect(fake.requests.map((r) => r.path)).toEqual([
      EXPORT_LANGUAGE_8K.path,
      '/sec-data/submissions/CIK0001045810.json',
      EXPORT_LANGUAGE_10K.path,
    ]);
    const [change, ...others] = await h.changes();
    expect(others).toEqual([]);
    expect(change).toMatchObject({
      kind: 'export-language.8k',
      naturalKey: EXPORT_LANGUAGE_8K.accession,
      importance: 'high',
      title: 'NVIDIA 8-K discloses 1 export-control paragraph (H20 licence requirement)',
    });
    const data = change?.data as unknown as ExportLanguageData;
    expect(data).toMatchObject({ previousAccession: EXPORT_LANGUAGE_10K.accession, removed: [], changed: [] });
    // Only the licence requirement; the cautionary sentence about "the new export licence
    // requirement" repeats what the 10-K already says.
    expect(data.added).toHaveLength(1);
    expect(data.added[0]).toMatch(/^On April 9, 2025, the U\.S\. government informed NVIDIA Corporation that a licence is required/);
    expect(change?.summary).toContain("against the company's standing language (10-K 0001045810-25-900023 and earlier 8-Ks)");
    // The standing language is the 8-K item; the seed never becomes the periodic reference.
    expect(await h.deps.state.getItem('sec-export-language', 'passages#1045810#8-K')).toMatchObject({
      family: '8-K',
      accession: EXPORT_LANGUAGE_8K.accession,
    });
    expect(await h.deps.state.getItem('sec-export-language', 'passages#1045810#periodic')).toBeUndefined();

    // An amendment repeating the 8-K: its paragraphs are standing language now (no submissions request).
    const amendment = { ...eightK, accession: '0001045810-25-900084', form: '8-K/A' };
    fake.on('GET', '/Archives/edgar/data/1045810/000104581025900084/nvda-20250409.htm', () => ({
      body: readFileSync(EXPORT_LANGUAGE_8K.file),
    }));
    await h.seed(amendment);
    h.clock.advance(MINUTE);
    fake.clearRequests();
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 0, itemsSeen: 1 });
    expect(fake.requests.map((r) => r.path)).toEqual(['/Archives/edgar/data/1045810/000104581025900084/nvda-20250409.htm']);

    // The first 10-Q ever seen still finds and compares with its own previous filing (the 10-K).
    await h.seed({
      ...tenQ,
      accession: EXPORT_LANGUAGE_PREVIOUS.accession,
      filingDate: '2025-05-28',
      reportDate: '2025-04-27',
      primaryDocument: EXPORT_LANGUAGE_PREVIOUS.primaryDocument,
    });
    h.clock.advance(MINUTE);
    fake.clearRequests();
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 1, itemsSeen: 1 });
    expect(fake.requests.map((r) => r.path)).toEqual([
      EXPORT_LANGUAGE_PREVIOUS.path,
      '/sec-data/submissions/CIK0001045810.json',
      EXPORT_LANGUAGE_10K.path,
    ]);
    const tenQChange = (await h.changes()).find((c) => c.naturalKey === EXPORT_LANGUAGE_PREVIOUS.accession);
    expect(tenQChange).toMatchObject({ kind: 'export-language.changed', data: { previousAccession: EXPORT_LANGUAGE_10K.accession } });
    expect((tenQChange?.data as unknown as ExportLanguageData | undefined)?.added.join(' ')).toMatch(
      /licence is required to export our H20 products/,
    );
    expect(await h.deps.state.getItem('sec-export-language', 'passages#1045810#periodic')).toMatchObject({
      accession: EXPORT_LANGUAGE_PREVIOUS.accession,
      form: '10-Q',
    });
  });

  it('an 8-K whose forward-looking-statements paragraph repeats the 10-Q risk language is no news, with or without a stored reference; 8-Ks with other items are skipped', async () => {
    const notes: SubmissionRow = {
      ...tenQ,
      accession: EXPORT_LANGUAGE_NOTES_8K.accession,
      filingDate: '2025-09-16',
      reportDate: '2025-09-15',
      form: '8-K',
      items: ['8.01', '9.01'],
      primaryDocument: EXPORT_LANGUAGE_NOTES_8K.primaryDocument,
    };

    // After the Q2 10-Q: compared with its reference, no further request.
    const h = await harness();
    await h.run();
    h.clock.advance(MINUTE);
    await h.seed(tenQ);
    h.clock.advance(MINUTE);
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 1 });
    await h.seed(notes);
    await h.seed({
      ...tenQ,
      accession: '0001045810-25-000197',
      form: '8-K',
      items: ['5.02'],
      primaryDocument: 'nvda-20250731.htm',
      reportDate: '2025-07-31',
    });
    h.clock.advance(MINUTE);
    fake.clearRequests();
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 0, itemsSeen: 1 });
    expect(fake.requests.map((r) => r.path)).toEqual([EXPORT_LANGUAGE_NOTES_8K.path]);
    expect((await h.changes()).map((c) => c.kind)).toEqual(['export-language.changed']);
    const standing = await h.deps.state.getItem('sec-export-language', 'passages#1045810#8-K');
    expect(standing).toMatchObject({ accession: EXPORT_LANGUAGE_NOTES_8K.accession, family: '8-K' });
    expect((standing?.passages as string[] | undefined)?.[0]).toMatch(
      /^This Current Report on Form 8-K contains forward-looking statements/,
    );

    // The same 8-K as the first filing of the company ever seen: the latest 10-Q (from the
    // submissions JSON) is the standing language, and the boilerplate is still no news.
    const fresh = await harness();
    await fresh.run();
    fresh.clock.advance(MINUTE);
    await fresh.seed(notes);
    fresh.clock.advance(MINUTE);
    fake.clearRequests();
    expect(await fresh.run()).toMatchObject({ status: 'ok', changesCreated: 0, itemsSeen: 1 });
    expect(fake.requests.map((r) => r.path)).toEqual([
      EXPORT_LANGUAGE_NOTES_8K.path,
      '/sec-data/submissions/CIK0001045810.json',
      EXPORT_LANGUAGE_CURRENT.path,
    ]);
    expect(await fresh.changes()).toEqual([]);
  });

  it('a garbage document fails the cycle with parse and leaves the cursor where it was; the next run retries', async () => {
    const h = await harness();
    await h.run();
    const garbagePath = '/Archives/edgar/data/1045810/000104581025000300/nvda-garbage.htm';
    let body: Buffer = Buffer.from([0x00, 0x9f, 0x13, 0x37, ...Buffer.from('%PDF-1.7 this is not a filing document')]);
    fake.on('GET', garbagePath, () => ({ body, headers: { 'content-type': 'text/html' } }));
    h.clock.advance(MINUTE);
    // Filed before the real Q2 10-Q (so the previous filing found for it is the Q1 10-Q).
    await h.seed({ ...tenQ, accession: '0001045810-25-000300', filingDate: '2025-08-20', primaryDocument: 'nvda-garbage.htm' });
    h.clock.advance(MINUTE);
    const before = await h.cursor();
    expect(before).toBeDefined();

    const failed = await h.run();
    expect(failed).toMatchObject({ status: 'failed', errorKind: 'parse', consecutiveFailures: 1 });
    expect(await h.cursor()).toEqual(before);
    expect(await h.changes()).toEqual([]);
    expect(await h.deps.state.getItem('sec-export-language', 'passages#1045810#periodic')).toBeUndefined();
    expect((await h.deps.state.get('sec-export-language'))?.lastError).toMatchObject({ kind: 'parse' });

    // EDGAR serves the document properly later: the same filing is analysed then.
    body = readFileSync(EXPORT_LANGUAGE_CURRENT.file);
    h.clock.advance(MINUTE);
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 1, itemsSeen: 1 });
    expect((await h.cursor())?.processed).toContain('0001045810-25-000300');
  });
});

describe('the demo upstream never serves invented text under a real filing (issue 21, item 8)', () => {
  it('announces and lists the own-prose stand-ins under made-up accession numbers only', async () => {
    const { startDemoUpstream } = await import('../support/demo-upstream.ts');
    const demo = await startDemoUpstream({ now: new Date('2026-11-28T15:00:00Z') });
    try {
      demo.setPhase('news');
      const feed = await (await fetch(`${demo.fake.url}/cgi-bin/browse-edgar?action=getcurrent&output=atom&start=0&count=40`)).text();
      const submissions = await (await fetch(`${demo.fake.url}/sec-data/submissions/CIK0001045810.json`)).text();
      for (const doc of [
        EXPORT_LANGUAGE_PREVIOUS,
        EXPORT_LANGUAGE_CURRENT,
        EXPORT_LANGUAGE_8K,
        EXPORT_LANGUAGE_10K,
        EXPORT_LANGUAGE_NOTES_8K,
      ]) {
        // The project's synthetic range: -9xxxxx sequence numbers.
        expect(doc.accession).toMatch(/^0001045810-25-9\d{5}$/);
        expect(doc.path).toContain(doc.accession.replace(/-/g, ''));
      }
      expect(feed).toContain(EXPORT_LANGUAGE_CURRENT.accession);
      expect(submissions).toContain(EXPORT_LANGUAGE_CURRENT.accession);
      expect(submissions).toContain(EXPORT_LANGUAGE_PREVIOUS.accession);
      for (const real of Object.keys(EXPORT_LANGUAGE_STAND_INS)) {
        expect(feed).not.toContain(real);
        expect(feed).not.toContain(real.replace(/-/g, ''));
        expect(submissions).not.toContain(real);
      }
      // The stand-in is what the announced document URL serves.
      const served = await (await fetch(`${demo.fake.url}${EXPORT_LANGUAGE_CURRENT.path}`)).text();
      expect(served).toBe(readFileSync(EXPORT_LANGUAGE_CURRENT.file, 'utf8'));
    } finally {
      await demo.fake.stop();
    }
  });
});
