import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  diffCompany,
  filingChange,
  importanceOf,
  isWatchedForm,
  type KnownCompany,
  knownFromItem,
  reachesPreviousHead,
  watchedFeedCandidates,
} from '#sources/sec-filings/detect.ts';
import { decodeFeed, parseFeed } from '#sources/sec-filings/feed.ts';
import { parseColumnar, parseSubmissions, parseSubmissionsPage, type SubmissionRow, coversKnowledge } from '#sources/sec/submissions.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';
import { atomFeed, columnar } from '../support/upstreams/sec.ts';

const FORMS = ['10-K', '10-Q', '8-K', '20-F', '6-K'];
const now = new Date('2025-08-27T21:00:00Z');
const WWW = 'https://www.sec.gov';

function rows(specs: Array<[string, string, string]>): SubmissionRow[] {
  return parseColumnar(columnar(specs.map(([accession, filingDate, form]) => ({ accession, filingDate, form }))), 'test');
}

describe('sec-filings forms', () => {
  it('matches configured forms and their amendments exactly (type= is only a prefix filter upstream)', () => {
    expect(isWatchedForm('10-K', FORMS)).toBe(true);
    expect(isWatchedForm('10-K/A', FORMS)).toBe(true);
    expect(isWatchedForm('8-K/A', FORMS)).toBe(true);
    expect(isWatchedForm('6-K', FORMS)).toBe(true);
    expect(isWatchedForm('8-K12B', FORMS)).toBe(false);
    expect(isWatchedForm('10-K405', FORMS)).toBe(false);
    expect(isWatchedForm('NT 10-K', FORMS)).toBe(false);
    expect(isWatchedForm('424B2', ['4'])).toBe(false);
    expect(isWatchedForm('4', FORMS)).toBe(false);
  });

  it('rates importance by form and 8-K items', () => {
    expect(importanceOf('10-Q', [])).toBe('high');
    expect(importanceOf('20-F', [])).toBe('high');
    expect(importanceOf('10-K/A', [])).toBe('normal');
    expect(importanceOf('8-K', ['2.02', '9.01'])).toBe('high');
    expect(importanceOf('8-K', ['8.01'])).toBe('high');
    expect(importanceOf('8-K/A', ['7.01'])).toBe('high');
    expect(importanceOf('8-K', ['5.02'])).toBe('normal');
    expect(importanceOf('6-K', [])).toBe('normal');
  });
});

describe('sec-filings feed candidates', () => {
  const page = parseFeed(
    decodeFeed(
      atomFeed(
        [
          { accession: '0001045810-25-000209', form: '10-Q', company: 'NVIDIA CORP', cik: 1045810, updated: '2025-08-27T16:52:07-04:00' },
          {
            accession: '0009999104-25-000007',
            form: 'SC 13G/A',
            company: 'NVIDIA CORP',
            cik: 1045810,
            role: 'Subject',
            updated: '2025-08-27T16:18:00-04:00',
          },
          { accession: '0000002488-25-000001', form: '8-K12B', company: 'AMD', cik: 2488, updated: '2025-08-27T16:17:00-04:00' },
          { accession: '0000050863-25-000001', form: '8-K/A', company: 'INTEL CORP', cik: 50863, updated: '2025-08-27T16:16:00-04:00' },
          { accession: '0000050863-25-000001', form: '8-K/A', company: 'INTEL CORP', cik: 50863, updated: '2025-08-27T16:16:00-04:00' },
          { accession: '0000000001-25-000001', form: '10-Q', company: 'UNWATCHED', cik: 1, updated: '2025-08-27T16:15:00-04:00' },
        ],
        '2025-08-27T17:00:00-04:00',
      ),
    ),
  );

  it('keeps watched companies in watched forms only, once per accession and company', () => {
    const c = watchedFeedCandidates(page.filings, new Set(['1045810', '2488', '50863']), FORMS);
    expect(c.map((x) => [x.accession, x.cik, x.form])).toEqual([
      ['0001045810-25-000209', '1045810', '10-Q'],
      ['0000050863-25-000001', '50863', '8-K/A'],
    ]);
  });

  it('proves continuity only when a previous head accession is on the page', () => {
    expect(reachesPreviousHead(page.filings, new Set(['0000000001-25-000001']))).toBe(true);
    expect(reachesPreviousHead(page.filings, new Set(['0000000009-25-000009']))).toBe(false);
  });
});

describe('sec-filings set difference', () => {
  const before = rows([
    ['0000000001-25-000003', '2025-08-01', '4'],
    ['0000000001-25-000002', '2025-07-30', '10-Q'],
    ['0000000001-25-000001', '2025-07-29', '8-K'],
  ]);
  const base = diffCompany({
    cik: '1',
    name: 'ONE',
    known: undefined,
    rows: before,
    forms: FORMS,
    now,
    alsoKnown: ['0000000001-25-000009'],
  });

  it('baselines silently: watched accessions and feed sightings recorded, nothing new', () => {
    expect(base.newRows).toEqual([]);
    expect(base.next).toMatchObject({
      accessions: ['0000000001-25-000002', '0000000001-25-000001', '0000000001-25-000009'],
      head: ['0000000001-25-000003', '0000000001-25-000002', '0000000001-25-000001'],
      syncedThrough: '2025-08-01',
      floor: '2025-07-29',
      forms: ['10-K', '10-Q', '20-F', '6-K', '8-K'],
    });
  });

  it('reports exactly the unknown watched accessions, independent of timestamps', () => {
    const after = rows([
      ['0000000001-25-000006', '2025-08-20', '8-K/A'],
      ['0000000001-25-000005', '2025-08-02', '4'],
      // Same filing date as a known one and listed below it: still new (set difference).
      ['0000000001-25-000004', '2025-07-30', '10-K'],
      ...before.map((r) => [r.accession, r.filingDate, r.form] as [string, string, string]),
    ]);
    const d = diffCompany({ cik: '1', name: 'ONE', known: base.next, rows: after, forms: FORMS, now });
    expect(d.newRows.map((r) => r.accession)).toEqual(['0000000001-25-000006', '0000000001-25-000004']);
    expect(d.next.accessions.slice(0, 2)).toEqual(['0000000001-25-000006', '0000000001-25-000004']);
    // A second pass over the same rows finds nothing.
    expect(diffCompany({ cik: '1', name: 'ONE', known: d.next, rows: after, forms: FORMS, now }).newRows).toEqual([]);
  });

  it('treats rows at or below the floor (never in view) as history', () => {
    const older = rows([
      ...before.map((r) => [r.accession, r.filingDate, r.form] as [string, string, string]),
      ['0000000001-24-000001', '2024-03-01', '10-K'],
    ]);
    const d = diffCompany({ cik: '1', name: 'ONE', known: base.next, rows: older, forms: FORMS, now });
    expect(d.newRows).toEqual([]);
    expect(d.next.accessions).toContain('0000000001-24-000001');
    expect(d.next.floor).toBe('2024-03-01');
  });

  it('records a newly configured form silently instead of reporting its history', () => {
    const withS1 = rows([
      ['0000000001-25-000007', '2025-08-21', 'S-1'],
      ...before.map((r) => [r.accession, r.filingDate, r.form] as [string, string, string]),
    ]);
    const d = diffCompany({ cik: '1', name: 'ONE', known: base.next, rows: withS1, forms: [...FORMS, 'S-1'], now });
    expect(d.newRows).toEqual([]);
    expect(d.next.forms).toContain('S-1');
    const later = rows([
      ['0000000001-25-000008', '2025-08-22', 'S-1/A'],
      ...withS1.map((r) => [r.accession, r.filingDate, r.form] as [string, string, string]),
    ]);
    expect(
      diffCompany({ cik: '1', name: 'ONE', known: d.next, rows: later, forms: [...FORMS, 'S-1'], now }).newRows.map((r) => r.form),
    ).toEqual(['S-1/A']);
  });

  it('round-trips knowledge through a state item', () => {
    expect(knownFromItem(JSON.parse(JSON.stringify(base.next)))).toEqual(base.next);
    expect(knownFromItem({ nope: true })).toBeUndefined();
  });
});

describeWithSharedFixtures('sec-filings detection on real EDGAR data', () => {
  const json = (rel: string) => JSON.parse(readFileSync(shared(rel), 'utf8'));
  const nvidia = parseSubmissions(json('sec/nvidia/submissions-CIK0001045810.json'));
  const tesla = parseSubmissions(json('sec/tesla/submissions-CIK0001318605.json'));
  const teslaOlder = parseSubmissionsPage(json('sec/tesla/submissions-CIK0001318605-submissions-001.json'));

  it('builds the 10-Q change with URLs from the company CIK and the raw acceptance time', () => {
    const row = nvidia.recent.find((r) => r.accession === '0001045810-25-000209') as SubmissionRow;
    const change = filingChange({ cik: '1045810', ticker: 'NVDA', name: nvidia.name }, row, WWW);
    expect(change).toMatchObject({
      source: 'sec-filings',
      kind: 'filing.new',
      naturalKey: '0001045810-25-000209',
      subject: 'NVDA',
      title: 'NVIDIA CORP filed 10-Q (period 2025-07-27)',
      url: 'https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm',
      importance: 'high',
      occurredAt: '2025-08-27T20:52:07.000Z',
      data: {
        cik: '1045810',
        accession: '0001045810-25-000209',
        form: '10-Q',
        filedAt: '2025-08-27',
        acceptedAt: '2025-08-27T20:52:07.000Z',
        periodOfReport: '2025-07-27',
        items: [],
        primaryDocument: 'nvda-20250727.htm',
        primaryDocumentUrl: 'https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm',
        indexUrl: 'https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/0001045810-25-000209-index.htm',
        companyName: 'NVIDIA CORP',
      },
    });
    expect(change.summary).toBe(
      'NVIDIA CORP (NVDA) filed Form 10-Q for the period ended 2025-07-27 on 2025-08-27. Accession 0001045810-25-000209.',
    );
  });

  it('records 8-K item codes and names them in the summary', () => {
    const row = nvidia.recent.find((r) => r.accession === '0001045810-25-000207') as SubmissionRow;
    const change = filingChange({ cik: '1045810', ticker: 'NVDA', name: nvidia.name }, row, WWW);
    expect(change.title).toBe('NVIDIA CORP filed 8-K (items 2.02, 9.01)');
    expect(change.data.items).toEqual(['2.02', '9.01']);
    expect(change.importance).toBe('high');
    expect(change.summary).toContain('2.02 Results of Operations and Financial Condition');
    const r502 = nvidia.recent.find((r) => r.accession === '0001045810-26-000003') as SubmissionRow;
    expect(filingChange({ cik: '1045810', ticker: undefined, name: nvidia.name }, r502, WWW)).toMatchObject({
      subject: '1045810',
      importance: 'normal',
    });
  });

  it('builds Archives paths from the company CIK, not the filing-agent prefix', () => {
    const row = tesla.recent.find((r) => r.accession === '0001628280-26-003952') as SubmissionRow;
    expect(filingChange({ cik: '1318605', ticker: 'TSLA', name: tesla.name }, row, WWW).url).toBe(
      'https://www.sec.gov/Archives/edgar/data/1318605/000162828026003952/tsla-20251231.htm',
    );
  });

  it('finds the NVIDIA filings that arrived after a sync, by set difference over the real page', () => {
    const cut = nvidia.recent.findIndex((r) => r.accession === '0001045810-25-000230');
    const then = diffCompany({ cik: '1045810', name: nvidia.name, known: undefined, rows: nvidia.recent.slice(cut), forms: FORMS, now });
    const d = diffCompany({ cik: '1045810', name: nvidia.name, known: then.next, rows: nvidia.recent, forms: FORMS, now });
    expect(d.newRows.map((r) => [r.accession, r.form])).toEqual([
      ['0001045810-26-000021', '10-K'],
      ['0001045810-26-000019', '8-K'],
      ['0001045810-26-000003', '8-K'],
    ]);
    // Knowledge of the whole page stays far below DynamoDB's 400 KB item limit.
    expect(JSON.stringify(d.next).length).toBeLessThan(5000);
  });

  it('asks for Tesla’s older page only when the recent page does not reach back to the last sync', () => {
    const syncedInRecent: KnownCompany = {
      ...diffCompany({ cik: '1318605', name: 'T', known: undefined, rows: tesla.recent.slice(500), forms: FORMS, now }).next,
    };
    expect(coversKnowledge(tesla.recent, syncedInRecent)).toBe(true);

    // Knowledge from 2018 (before everything the recent page shows): the older page is needed …
    const synced2018 = diffCompany({ cik: '1318605', name: 'T', known: undefined, rows: teslaOlder.slice(5), forms: FORMS, now }).next;
    expect(coversKnowledge(tesla.recent, synced2018)).toBe(false);
    // … and with it the rows reach back (a head accession is on the older page).
    expect(coversKnowledge([...tesla.recent, ...teslaOlder], synced2018)).toBe(true);
    // The gap rows in between are new by set difference; older history is not.
    const d = diffCompany({ cik: '1318605', name: 'T', known: synced2018, rows: [...tesla.recent, ...teslaOlder], forms: FORMS, now });
    const expected = [...tesla.recent, ...teslaOlder.slice(0, 5)].filter((r) => isWatchedForm(r.form, FORMS)).map((r) => r.accession);
    expect(d.newRows.map((r) => r.accession)).toEqual(expected);
    expect(expected).toContain('0001564590-18-001786');
  });
});
