import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SourceError } from '#core/errors.ts';
import type { UpstreamClient } from '#core/http.ts';
import { DOCUMENT_FIELDS } from '#sources/federal-register/api.ts';
import {
  buildDocumentsUrl,
  buildPublicInspectionUrl,
  fetchBisDocuments,
  fetchDocumentPages,
  fetchPublicInspection,
  resolveNextPageUrl,
} from '#sources/federal-register/fetch.ts';
import { createUpstreamClient } from '#app/compose.ts';
import { FakeUpstream } from '../support/fake-upstream.ts';
import { describeWithSharedFixtures } from '../support/fixtures.ts';
import { testConfig } from '../support/local-aws.ts';
import {
  FR_PATHS,
  federalRegisterDemoData,
  registerFederalRegisterDemo,
  registerFederalRegisterSharedFixtures,
  serveFederalRegisterDocuments,
  shiftDates,
} from '../support/upstreams/federal-register.ts';

const EPOCH = 1790946000; // 2026-10-02 09:00 ET

describe('request URLs', () => {
  it('asks documents.json for BIS, the window, explicit fields, newest first, 100 per page and a cache-buster', () => {
    const url = new URL(buildDocumentsUrl('https://www.federalregister.gov', '2026-09-18', EPOCH));
    expect(url.pathname).toBe('/api/v1/documents.json');
    const q = url.searchParams;
    expect(q.getAll('conditions[agencies][]')).toEqual(['industry-and-security-bureau']);
    expect(q.get('conditions[publication_date][gte]')).toBe('2026-09-18');
    expect(q.getAll('fields[]')).toEqual([...DOCUMENT_FIELDS]);
    expect(q.get('order')).toBe('newest');
    expect(q.get('per_page')).toBe('100');
    expect(q.get('_')).toBe(String(EPOCH));
    // no upper date bound: next-issue documents are listed before their publication date
    expect([...q.keys()].some((k) => k.includes('[lte]') || k.includes('[is]'))).toBe(false);
    expect(buildPublicInspectionUrl('https://www.federalregister.gov', EPOCH)).toBe(
      `https://www.federalregister.gov/api/v1/public-inspection-documents/current.json?_=${EPOCH}`,
    );
  });

  it('follows next_page_url verbatim but on the configured origin', () => {
    const next =
      'https://www.federalregister.gov/api/v1/documents?fields%5B%5D=title&format=json&order=newest&page=2&per_page=20&search_after_cursor=WzE3OTA4OTkyMDAwMDAsIjIwMjYtMjAyNjciXQ';
    expect(resolveNextPageUrl('https://www.federalregister.gov', next)).toBe(next);
    expect(resolveNextPageUrl('http://127.0.0.1:4000', next)).toBe(
      next.replace('https://www.federalregister.gov', 'http://127.0.0.1:4000'),
    );
    expect(resolveNextPageUrl('https://mirror.example/fr', next)).toBe(
      next.replace('https://www.federalregister.gov', 'https://mirror.example/fr'),
    );
    expect(resolveNextPageUrl('https://www.federalregister.gov', '/api/v1/documents?page=2')).toBe(
      'https://www.federalregister.gov/api/v1/documents?page=2',
    );
  });
});

describe('fetching through the fake upstream', () => {
  const fake = new FakeUpstream();
  let http: UpstreamClient;
  const logs: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const log = (message: string, fields?: Record<string, unknown>) => void logs.push({ message, fields });

  beforeAll(async () => {
    await fake.start();
    // fake.env() points SEC_WWW_URL at the same host, so the fake counts as an SEC host: lift both limits.
    http = createUpstreamClient(testConfig(fake.env()), { otherRequestsPerSecond: 1000, secRequestsPerSecond: 1000, backoffBaseMs: 1 });
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.clearRequests();
    logs.length = 0;
  });

  describeWithSharedFixtures('real recordings', () => {
    it('pages from the recorded page 1 to page 2 by next_page_url, cursor verbatim', async () => {
      registerFederalRegisterSharedFixtures(fake);
      const first = `${fake.url}${FR_PATHS.documents}?per_page=20&order=newest`;
      const out = await fetchDocumentPages(http, fake.url, first, { log });
      expect(out.pages).toBe(2);
      expect(out.count).toBe(10_000);
      expect(out.documents).toHaveLength(25);
      expect(out.documents[0]?.document_number).toBe('2026-20322');
      expect(out.documents[20]?.publication_date).toBe('2026-10-05');
      const second = fake.requests[1]!;
      expect(second.path).toBe('/api/v1/documents');
      expect(second.query).toContain('search_after_cursor=WzE3OTA4OTkyMDAwMDAsIjIwMjYtMjAyNjciXQ');
      expect(second.query).toBe(new URL(out.requestedUrls[1]!).search);
      expect(logs.map((l) => l.message)).toContain('federal register paging returned fewer documents than counted');
    });

    it('refuses the all-agency page as a BIS answer (count at the 10,000 cap) after one request', async () => {
      registerFederalRegisterSharedFixtures(fake);
      const err = await fetchBisDocuments(http, fake.url, '2026-09-18', EPOCH).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SourceError);
      expect((err as SourceError).kind).toBe('sanity');
      expect(fake.requests).toHaveLength(1);
    });

    it('reads the recorded public-inspection list (gzipped by the fake) with the cache-buster', async () => {
      registerFederalRegisterSharedFixtures(fake);
      const current = await fetchPublicInspection(http, fake.url, EPOCH, log);
      expect(current.results).toHaveLength(10);
      expect(fake.requests[0]?.query).toBe(`?_=${EPOCH}`);
      expect(logs).toEqual([]); // age 17 s: not stale
    });
  });

  it('pages the demo data with small pages, echoing the cache-buster into next_page_url', async () => {
    registerFederalRegisterDemo(fake, 'published', { today: '2026-10-05', pageSize: 2 });
    const out = await fetchBisDocuments(http, fake.url, '2026-09-01', EPOCH);
    expect(out.pages).toBe(3);
    expect(out.documents.map((d) => d.document_number)).toEqual(['2026-20415', '2026-20301', '2026-19874', '2026-19610', '2026-19205']);
    for (const r of fake.requests) expect(new URLSearchParams(r.query).get('_')).toBe(String(EPOCH));
    expect(fake.requests.slice(1).every((r) => r.path === FR_PATHS.documentsNext)).toBe(true);
    // the fake honours fields[]: everything the source needs came back
    expect(Object.keys(out.documents[0]!)).toEqual(
      expect.arrayContaining(['abstract', 'cfr_references', 'regulation_id_numbers', 'public_inspection_pdf_url']),
    );
  });

  it('applies the date window like the API and omits results with zero hits', async () => {
    registerFederalRegisterDemo(fake, 'quiet', { today: '2026-10-02' });
    expect((await fetchBisDocuments(http, fake.url, '2026-09-20', EPOCH)).documents.map((d) => d.document_number)).toEqual([
      '2026-19874',
      '2026-19610',
    ]);
    const none = await fetchBisDocuments(http, fake.url, '2026-10-10', EPOCH);
    expect(none).toMatchObject({ count: 0, documents: [], pages: 1 });
  });

  it('stops a paging loop', async () => {
    fake.json(FR_PATHS.documents, { count: 1, results: [], next_page_url: `${fake.url}/api/v1/documents?page=2` });
    fake.json(FR_PATHS.documentsNext, { count: 1, results: [], next_page_url: `${fake.url}/api/v1/documents?page=2` });
    const err = await fetchDocumentPages(http, fake.url, `${fake.url}${FR_PATHS.documents}`).catch((e: unknown) => e);
    expect((err as SourceError).kind).toBe('sanity');
    expect((err as SourceError).message).toMatch(/loops/);
  });

  it('logs a stale cached copy', async () => {
    fake.json(FR_PATHS.publicInspection, { count: 0, results: [] }, { age: '7200' });
    await fetchPublicInspection(http, fake.url, EPOCH, log);
    expect(logs[0]).toMatchObject({ message: 'federal register served a stale cached copy', fields: { ageSeconds: 7200 } });
  });
});

describe('demo data', () => {
  it('shifts dates, URL dates, prose dates and PI epochs but not document numbers', () => {
    const shifted = shiftDates(
      {
        n: '2026-20415',
        d: '2026-10-05',
        t: '2026-10-02T08:45:00.000-04:00',
        u: 'https://x/documents/2026/10/05/2026-20415/a',
        p: 'https://x/FR-2026-10-05/pdf/2026-20415.pdf',
        e: 'https://pi/2026-20415.pdf?1790945100',
        s: 'This rule is effective October 5, 2026.',
      },
      30,
    );
    expect(shifted).toEqual({
      n: '2026-20415',
      d: '2026-11-04',
      // still 08:45 Eastern, now in winter time
      t: '2026-11-01T08:45:00.000-05:00',
      u: 'https://x/documents/2026/11/04/2026-20415/a',
      p: 'https://x/FR-2026-11-04/pdf/2026-20415.pdf',
      e: `https://pi/2026-20415.pdf?${Date.parse('2026-11-01T08:45:00-05:00') / 1000}`,
      s: 'This rule is effective November 4, 2026.',
    });
    expect(shiftDates({ t: '2026-10-02T08:45:00.000-04:00' }, 1)).toEqual({ t: '2026-10-03T08:45:00.000-04:00' });
  });

  it('has BIS documents in every phase and BIS public inspection only in news', () => {
    const at = { today: '2026-10-02' };
    expect(federalRegisterDemoData('quiet', at).documents).toHaveLength(3);
    expect(federalRegisterDemoData('news', at).documents).toHaveLength(4);
    expect(federalRegisterDemoData('published', at).documents).toHaveLength(5);
    const piNews = federalRegisterDemoData('news', at).publicInspection as {
      results: Array<{ document_number: string; agency_names: string[] }>;
    };
    expect(piNews.results.filter((r) => r.agency_names.includes('Industry and Security Bureau')).map((r) => r.document_number)).toEqual([
      '2026-20415',
    ]);
  });

  it('serves arbitrary document lists for ad-hoc tests', async () => {
    const fake = await new FakeUpstream().start();
    try {
      serveFederalRegisterDocuments(fake, [{ document_number: '2026-1', publication_date: '2026-10-01', agencies: [{ slug: 'other' }] }]);
      const res = await fetch(`${fake.url}${FR_PATHS.documents}?conditions%5Bagencies%5D%5B%5D=industry-and-security-bureau`);
      expect(await res.json()).toEqual({ description: 'Documents matching the query', count: 0 });
    } finally {
      await fake.stop();
    }
  });
});
