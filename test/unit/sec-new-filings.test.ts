import { describe, expect, it } from 'vitest';
import { type Change, finalizeChange } from '#core/change.ts';
import type { AppConfig } from '#core/config.ts';
import type { ChangeQuery } from '#core/ports.ts';
import { filingChange } from '#sources/sec-filings/detect.ts';
import { byDetectedAt, type NewFilingsQuery, readNewFilings } from '#sources/sec/new-filings.ts';
import type { SubmissionRow } from '#sources/sec/submissions.ts';

const SEC_WWW = 'https://www.sec.gov';
const NVIDIA = { cik: '1045810', ticker: 'NVDA', name: 'NVIDIA CORP' };
const NOW = new Date('2025-09-01T12:00:00Z');

function filingNew(accession: string, form: string, detectedAt: string, items: string[] = []): Change {
  const row: SubmissionRow = {
    accession,
    form,
    filingDate: detectedAt.slice(0, 10),
    reportDate: undefined,
    acceptanceDateTime: undefined,
    items,
    primaryDocument: 'doc.htm',
    primaryDocDescription: undefined,
  };
  return finalizeChange(filingChange(NVIDIA, row, SEC_WWW), new Date(detectedAt));
}

/** A change log answering newest first, as the store does, recording each query. */
function context(log: Change[]) {
  const queries: ChangeQuery[] = [];
  return {
    queries,
    ctx: {
      clock: { now: () => NOW },
      config: { urls: { secWww: SEC_WWW } } as AppConfig,
      async *queryChanges(query: ChangeQuery) {
        queries.push(query);
        yield* [...log].sort(byDetectedAt).reverse();
      },
    },
  };
}

const base: NewFilingsQuery = {
  since: undefined,
  processed: [],
  lookbackMs: 7 * 86_400_000,
  overlapMs: 0,
  maxPerCycle: 10,
  analyses: () => true,
};

describe('readNewFilings: the filing.new read loop of the SEC analyses', () => {
  it('looks back lookbackMs on the first run and asks only for filing.new of sec-filings', async () => {
    const { ctx, queries } = context([]);
    const read = await readNewFilings(ctx, base);
    expect(read.since).toBe('2025-08-25T12:00:00.000Z');
    expect(queries).toEqual([{ source: 'sec-filings', kind: 'filing.new', since: '2025-08-25T12:00:00.000Z' }]);
    expect(read).toMatchObject({ found: [], batch: [], backlog: false });
  });

  it('queries exactly at since without overlap, and overlapMs earlier with one', async () => {
    const since = '2025-08-30T10:00:00.000Z';
    const exact = context([]);
    expect((await readNewFilings(exact.ctx, { ...base, since })).since).toBe(since);
    expect(exact.queries[0]?.since).toBe(since);
    const overlapping = context([]);
    const read = await readNewFilings(overlapping.ctx, { ...base, since, overlapMs: 15 * 60 * 1000 });
    expect(read.since).toBe(since);
    expect(overlapping.queries[0]?.since).toBe('2025-08-30T09:45:00.000Z');
  });

  it('returns the changes oldest first and picks unprocessed filings the analysis reads, each accession once', async () => {
    const a = filingNew('0001045810-25-000001', '10-Q', '2025-08-30T10:00:00Z');
    const b = filingNew('0001045810-25-000002', '8-K', '2025-08-30T11:00:00Z', ['5.02']);
    const c = filingNew('0001045810-25-000003', '10-K', '2025-08-30T12:00:00Z');
    const again = { ...filingNew('0001045810-25-000003', '10-K', '2025-08-30T13:00:00Z'), naturalKey: 'other' };
    const d = filingNew('0001045810-25-000004', '10-Q', '2025-08-30T14:00:00Z');
    const { ctx } = context([d, again, c, b, a]);
    const read = await readNewFilings(ctx, {
      ...base,
      processed: ['0001045810-25-000001'],
      analyses: (filing) => filing.form !== '8-K',
    });
    expect(read.found.map((x) => x.detectedAt)).toEqual([a, b, c, again, d].map((x) => x.detectedAt));
    expect(read.batch.map((p) => p.filing.accession)).toEqual(['0001045810-25-000003', '0001045810-25-000004']);
    expect(read.batch[0]?.change).toBe(c);
    expect(read.batch[0]?.filing).toMatchObject({ cik: '1045810', form: '10-K', companyName: 'NVIDIA CORP' });
    expect(read.backlog).toBe(false);
  });

  it('cuts the batch at maxPerCycle and says a backlog is waiting', async () => {
    const log = [1, 2, 3].map((n) => filingNew(`0001045810-25-00000${n}`, '10-Q', `2025-08-30T1${n}:00:00Z`));
    const { ctx } = context(log);
    const cut = await readNewFilings(ctx, { ...base, maxPerCycle: 2 });
    expect(cut.batch.map((p) => p.filing.accession)).toEqual(['0001045810-25-000001', '0001045810-25-000002']);
    expect(cut.backlog).toBe(true);
    expect(cut.found).toHaveLength(3);
    const all = await readNewFilings(context(log).ctx, { ...base, maxPerCycle: 3 });
    expect(all.backlog).toBe(false);
  });

  it('skips a change that is not a readable filing.new', async () => {
    const good = filingNew('0001045810-25-000001', '10-Q', '2025-08-30T10:00:00Z');
    const noAccession = { ...filingNew('0001045810-25-000002', '10-Q', '2025-08-30T11:00:00Z'), data: { form: '10-Q', cik: '1' } };
    const otherKind = { ...filingNew('0001045810-25-000003', '10-Q', '2025-08-30T12:00:00Z'), kind: 'filing.mention' };
    const read = await readNewFilings(context([good, noAccession, otherKind as Change]).ctx, base);
    expect(read.batch.map((p) => p.filing.accession)).toEqual(['0001045810-25-000001']);
    expect(read.found).toHaveLength(3);
  });
});
