import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Change, finalizeChange } from '#core/change.ts';
import { accessionFromRef, diffFilingsCommand, inlineDiff } from '#app/cli/diff-filings.ts';
import { findPreviousFiling, isAnalysed, nextCursor, QUERY_OVERLAP_MS, readFiling } from '#sources/sec-export-language/source.ts';
import { filingChange } from '#sources/sec-filings/detect.ts';
import { parseSubmissions, type SubmissionRow } from '#sources/sec/submissions.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';
import { readSecDemoSubmissions } from '../support/upstreams/sec.ts';
import { EXPORT_LANGUAGE_FIXTURES } from '../support/upstreams/sec-export-language.ts';

const SEC_WWW = 'https://www.sec.gov';
const NVIDIA = { cik: '1045810', ticker: 'NVDA', name: 'NVIDIA CORP' };

function row(over: Partial<SubmissionRow> & Pick<SubmissionRow, 'accession' | 'form'>): SubmissionRow {
  return {
    filingDate: '2025-08-27',
    reportDate: undefined,
    acceptanceDateTime: undefined,
    items: [],
    primaryDocument: 'doc.htm',
    primaryDocDescription: undefined,
    ...over,
  };
}

function filingNew(r: SubmissionRow, detectedAt: string): Change {
  return finalizeChange(filingChange(NVIDIA, r, SEC_WWW), new Date(detectedAt));
}

describe('feeding from filing.new changes', () => {
  it('reads the fields of a filing.new change as sec-filings writes them', () => {
    const change = filingNew(
      row({ accession: '0001045810-25-000209', form: '10-Q', primaryDocument: 'nvda-20250727.htm' }),
      '2025-08-27T21:00:00Z',
    );
    expect(readFiling(change, SEC_WWW)).toEqual({
      cik: '1045810',
      accession: '0001045810-25-000209',
      form: '10-Q',
      filedAt: '2025-08-27',
      items: [],
      documentUrl: 'https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm',
      companyName: 'NVIDIA CORP',
    });
  });

  it('analyses periodic reports and the 8-K items where export news lands', () => {
    expect(isAnalysed({ form: '10-Q', items: [] })).toBe(true);
    expect(isAnalysed({ form: '10-K/A', items: [] })).toBe(true);
    expect(isAnalysed({ form: '20-F', items: [] })).toBe(true);
    expect(isAnalysed({ form: '8-K', items: ['2.02', '9.01'] })).toBe(true);
    expect(isAnalysed({ form: '8-K', items: ['8.01'] })).toBe(true);
    expect(isAnalysed({ form: '8-K', items: ['5.02', '9.01'] })).toBe(false);
    expect(isAnalysed({ form: '8-K', items: [] })).toBe(false);
    expect(isAnalysed({ form: '4', items: [] })).toBe(false);
    expect(isAnalysed({ form: '6-K', items: [] })).toBe(false);
  });

  it('finds the previous 10-Q in the demo submissions JSON', () => {
    const doc = parseSubmissions(readSecDemoSubmissions('CIK0001045810.json', 'news'));
    const previous = findPreviousFiling(doc.recent, { accession: '0001045810-25-000209', form: '10-Q', filedAt: '2025-08-27' }, 'periodic');
    expect(previous).toMatchObject({ accession: '0001045810-25-000116', form: '10-Q', primaryDocument: 'nvda-20250427.htm' });
    // The JSON can lag the feed: without the filing itself, rows filed no later are used.
    const lagging = parseSubmissions(readSecDemoSubmissions('CIK0001045810.json', 'quiet'));
    expect(
      findPreviousFiling(lagging.recent, { accession: '0001045810-25-000209', form: '10-Q', filedAt: '2025-08-27' }, 'periodic')?.accession,
    ).toBe('0001045810-25-000116');
    // No earlier 10-K in the demo rows.
    expect(findPreviousFiling(doc.recent, { accession: 'x', form: '10-K', filedAt: '2026-02-25' }, 'periodic')).toBeUndefined();
  });

  it('skips amendments and rows without a primary document', () => {
    const rows = [
      row({ accession: 'new', form: '10-Q' }),
      row({ accession: 'a', form: '10-Q/A' }),
      row({ accession: 'b', form: '10-Q', primaryDocument: undefined }),
      row({ accession: 'c', form: '10-K' }),
    ];
    expect(findPreviousFiling(rows, { accession: 'new', form: '10-Q', filedAt: undefined }, 'periodic')?.accession).toBe('c');
  });

  it('moves the cursor to the newest change and remembers what the overlapping query returns again', () => {
    const t = (min: number) => new Date(Date.parse('2025-08-27T21:00:00Z') + min * 60_000).toISOString();
    const a = filingNew(row({ accession: 'A', form: '10-Q' }), t(0));
    const b = filingNew(row({ accession: 'B', form: '8-K', items: ['5.02'] }), t(10));
    const c = filingNew(row({ accession: 'C', form: '10-K' }), t(30));
    const since = t(-60);
    expect(nextCursor(undefined, since, [a, c], false, [a, b, c])).toEqual({ since: t(30), processed: ['C'] });
    // With a backlog the cursor stops at the last analysed change.
    expect(nextCursor(undefined, since, [a], true, [a, b, c])).toEqual({ since: t(0), processed: ['A'] });
    // Analysed accessions within the overlap window are kept.
    const near = filingNew(row({ accession: 'D', form: '10-Q' }), new Date(Date.parse(t(30)) - QUERY_OVERLAP_MS / 2).toISOString());
    expect(nextCursor({ since, processed: ['D'] }, since, [c], false, [near, c]).processed).toEqual(['D', 'C']);
    // Nothing seen: the cursor stays.
    expect(nextCursor({ since, processed: [] }, since, [], false, [])).toEqual({ since, processed: [] });
  });
});

describeWithSharedFixtures('previous filing in the real NVIDIA submissions', () => {
  it('a 10-Q is compared with the filing before it, a 10-K with the previous 10-K', () => {
    const doc = parseSubmissions(JSON.parse(readFileSync(shared('sec/nvidia/submissions-CIK0001045810.json'), 'utf8')));
    expect(
      findPreviousFiling(doc.recent, { accession: '0001045810-25-000209', form: '10-Q', filedAt: '2025-08-27' }, 'periodic')?.accession,
    ).toBe('0001045810-25-000116');
    expect(
      findPreviousFiling(doc.recent, { accession: '0001045810-25-000116', form: '10-Q', filedAt: '2025-05-28' }, 'periodic'),
    ).toMatchObject({ accession: '0001045810-25-000023', form: '10-K' });
    expect(
      findPreviousFiling(doc.recent, { accession: '0001045810-24-000029', form: '10-K', filedAt: '2024-02-21' }, 'periodic'),
    ).toMatchObject({
      accession: '0001045810-23-000017',
      primaryDocument: 'nvda-20230129.htm',
    });
  });
});

describe('diff-filings command', () => {
  const q1 = join(EXPORT_LANGUAGE_FIXTURES, 'nvda-20250427.htm');
  const q2 = join(EXPORT_LANGUAGE_FIXTURES, 'nvda-20250727.htm');

  it('--json prints exactly the change data object', async () => {
    const out: string[] = [];
    await diffFilingsCommand(q1, q2, { json: true }, (s) => out.push(s));
    expect(out).toHaveLength(1);
    const data = JSON.parse(out[0] as string);
    expect(Object.keys(data)).toEqual(['form', 'accession', 'previousAccession', 'added', 'removed', 'changed']);
    expect(data).toMatchObject({ form: '10-Q', accession: null, previousAccession: null });
    expect(data.added).toHaveLength(2);
    expect(data.changed).toHaveLength(2);
    expect(data.changed[0]).toEqual({ before: expect.any(String), after: expect.any(String), diff: expect.any(Array) });
    expect(data.changed[0].diff[0]).toEqual({ op: expect.stringMatching(/^(equal|insert|delete)$/), text: expect.any(String) });
  });

  it('prints readable text with +/-/~ markers, and says when nothing changed', async () => {
    const out: string[] = [];
    await diffFilingsCommand(q1, q2, {}, (s) => out.push(s));
    const text = out.join('\n');
    expect(text).toMatch(/2 added, 2 changed, \d+ removed\./);
    expect(text).toMatch(/^\+ In August 2025, the USG granted licences/m);
    expect(text).toMatch(/^~ .*\[-require-\]\{\+have required\+\}/m);
    // The command compares documents as they are: backwards, Q2's new paragraphs are removed.
    const back: string[] = [];
    await diffFilingsCommand(q2, q1, {}, (s) => back.push(s));
    expect(back.join('\n')).toMatch(/^- In August 2025, the USG granted licences/m);
    const same: string[] = [];
    await diffFilingsCommand(q2, q2, {}, (s) => same.push(s));
    expect(same.join('\n')).toMatch(/No change in export-control language\./);
  });

  it('names accessions from Archives URLs and file names', () => {
    expect(accessionFromRef('https://www.sec.gov/Archives/edgar/data/1045810/000104581025000209/nvda-20250727.htm')).toBe(
      '0001045810-25-000209',
    );
    expect(accessionFromRef('/tmp/0001045810-25-000082.htm')).toBe('0001045810-25-000082');
    expect(accessionFromRef('nvda-20250727.htm')).toBeNull();
    expect(
      inlineDiff([
        { op: 'equal', text: 'a ' },
        { op: 'delete', text: 'b' },
        { op: 'insert', text: 'c' },
      ]),
    ).toBe('a [-b-]{+c+}');
  });
});
