import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Change, finalizeChange } from '../../lambdas/core/change.ts';
import { ManualClock } from '../../lambdas/core/clock.ts';
import { runSourceCycle } from '../../lambdas/core/source.ts';
import { createCycleDeps, createUpstreamClient } from '../../lambdas/runtime/deps.ts';
import type { ExportLanguageData } from '../../lambdas/sources/sec-export-language/detect.ts';
import { type SecExportLanguageCursor, secExportLanguageSource } from '../../lambdas/sources/sec-export-language/source.ts';
import { filingChange } from '../../lambdas/sources/sec-filings/detect.ts';
import type { SubmissionRow } from '../../lambdas/sources/sec-filings/submissions.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { startLocalDynamo, testConfig } from '../support/local-aws.ts';
import { registerSecDemo, SEC_DEMO_NEWS } from '../support/upstreams/sec.ts';
import { EXPORT_LANGUAGE_8K, EXPORT_LANGUAGE_CURRENT, EXPORT_LANGUAGE_PREVIOUS, registerExportLanguageDemo } from '../support/upstreams/sec-export-language.ts';

let fake: FakeUpstream;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  fake = await new FakeUpstream().start();
  registerSecDemo(fake, 'news'); // NVIDIA's submissions JSON, listing the previous 10-Q
  registerExportLanguageDemo(fake, 'news');
  fake.file(EXPORT_LANGUAGE_8K.path, EXPORT_LANGUAGE_8K.file, { 'content-type': 'text/html' });
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
  accession: SEC_DEMO_NEWS.accession,
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
    expect(fake.requests.map((r) => r.path)).toEqual([EXPORT_LANGUAGE_CURRENT.path, '/sec-data/submissions/CIK0001045810.json', EXPORT_LANGUAGE_PREVIOUS.path]);

    const [change, ...rest] = await h.changes();
    expect(rest).toEqual([]);
    expect(change).toMatchObject({
      source: 'sec-export-language',
      kind: 'export-language.changed',
      naturalKey: SEC_DEMO_NEWS.accession,
      subject: 'NVDA',
      importance: 'high',
      url: `${h.config.urls.secWww}${EXPORT_LANGUAGE_CURRENT.path}`,
      occurredAt: SEC_DEMO_NEWS.acceptanceDateTime,
      title: 'NVIDIA 10-Q adds 2 and changes 2 export-control paragraphs (H20 licence requirement)',
    });
    expect(change?.countries).toEqual(expect.arrayContaining(['CN', 'HK', 'MO', 'SG']));
    const data = change?.data as unknown as ExportLanguageData;
    expect(data).toMatchObject({ form: '10-Q', accession: SEC_DEMO_NEWS.accession, previousAccession: EXPORT_LANGUAGE_PREVIOUS.accession, removed: [] });
    expect(data.added).toHaveLength(2);
    expect(data.added.join(' ')).toMatch(/Entity List/);
    expect(data.changed).toHaveLength(2);
    expect(data.changed.flatMap((c) => c.diff).some((o) => o.op === 'insert' && /August 2025/.test(o.text))).toBe(true);

    // The company's reference now holds the 10-Q's passages.
    const ref = await h.deps.state.getItem('sec-export-language', 'passages#1045810#periodic');
    expect(ref).toMatchObject({ accession: SEC_DEMO_NEWS.accession, form: '10-Q', family: 'periodic', truncated: 0 });

    // Re-run: nothing new, no request.
    h.clock.advance(5 * MINUTE);
    fake.clearRequests();
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 0, duplicates: 0, itemsSeen: 0 });
    expect(fake.requests).toEqual([]);
    expect(await h.changes()).toHaveLength(1);

    // An amendment with the same wording: compared with the stored reference (no submissions
    // request), and no change at all is no change.
    await h.seed({ ...tenQ, accession: '0001045810-25-000211', form: '10-Q/A' });
    fake.on('GET', '/Archives/edgar/data/1045810/000104581025000211/nvda-20250727.htm', () => ({ body: readFileSync(EXPORT_LANGUAGE_CURRENT.file) }));
    h.clock.advance(5 * MINUTE);
    fake.clearRequests();
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 0, itemsSeen: 1 });
    expect(fake.requests.map((r) => r.path)).toEqual(['/Archives/edgar/data/1045810/000104581025000211/nvda-20250727.htm']);
  });

  it('reports an 8-K with export passages as export-language.8k and skips 8-Ks with other items', async () => {
    const h = await harness();
    await h.run();
    h.clock.advance(MINUTE);
    await h.seed({ ...tenQ, accession: EXPORT_LANGUAGE_8K.accession, form: '8-K', items: ['8.01', '9.01'], primaryDocument: EXPORT_LANGUAGE_8K.primaryDocument, reportDate: '2025-04-09' });
    await h.seed({ ...tenQ, accession: '0001045810-25-000197', form: '8-K', items: ['5.02'], primaryDocument: 'nvda-20250731.htm', reportDate: '2025-07-31' });
    h.clock.advance(MINUTE);
    fake.clearRequests();
    expect(await h.run()).toMatchObject({ status: 'ok', changesCreated: 1, itemsSeen: 1 });
    expect(fake.requests.map((r) => r.path)).toEqual([EXPORT_LANGUAGE_8K.path]);
    const [change] = await h.changes();
    expect(change).toMatchObject({ kind: 'export-language.8k', naturalKey: EXPORT_LANGUAGE_8K.accession, importance: 'high', title: 'NVIDIA 8-K discloses 2 export-control paragraphs (H20 licence requirement)' });
    expect((change?.data as unknown as ExportLanguageData | undefined)?.previousAccession).toBeNull();
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
