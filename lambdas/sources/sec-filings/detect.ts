import type { ChangeDraft, Importance } from '#core/change.ts';
import { capDraft } from '#core/limits.ts';
import { indexUrl, primaryDocumentUrl } from '../sec/archive.ts';
import { formBase } from '../sec/forms.ts';
import type { FilingNewData } from './contract.ts';
import type { SubmissionRow } from '../sec/submissions.ts';
import type { FeedFiling } from './feed.ts';

/**
 * Pure comparison for `sec-filings`: which filings are new, what we know afterwards, and
 * the change drafts. New filings are found by accession-number set difference, never by
 * timestamps (the submissions JSON lags and its acceptance times are not reliably UTC).
 */

/** Per-company knowledge (state item `known#<cik>`), kept small: accession numbers only. */
export interface KnownCompany {
  /** Unpadded CIK. */
  cik: string;
  name: string;
  /** Watched base forms when this was last synced (a newly watched form is not "new" history). */
  forms: string[];
  /** Accession numbers of watched forms we know (reported or baselined), newest first. */
  accessions: string[];
  /** First accessions (any form) of the submissions JSON at the last sync: overlap proof. */
  head: string[];
  /** Newest `filingDate` (any form) at the last sync: fallback overlap proof. */
  syncedThrough: string | undefined;
  /**
   * Oldest `filingDate` ever examined: every filing between `floor` and `syncedThrough`
   * has been seen. Older rows (an older page, or EDGAR moving its page boundaries) are
   * history we never observed, recorded silently rather than reported as new.
   */
  floor: string | undefined;
  /** ISO time of the last sync. */
  syncedAt: string;
}

/**
 * Cap of remembered accessions per company. The recent page holds ~1,000 filings of all
 * forms, so 4,000 watched-form accessions is far more than one page can show while the
 * item stays near 100 KB, well under DynamoDB's 400 KB.
 */
export const MAX_KNOWN_ACCESSIONS = 4000;
/** How many head accessions prove overlap between two syncs. */
export const HEAD_SIZE = 10;

/** State item key of a company's knowledge. */
export function knownKey(cik: string): string {
  return `known#${cik}`;
}

/**
 * True when a form is one of the configured forms or its amendment. Matching is exact:
 * EDGAR's `type=` is a prefix filter (`type=8-K` would also match `8-K12B`), so the
 * source filters client-side instead.
 */
export function isWatchedForm(form: string, forms: readonly string[]): boolean {
  const f = form.trim().toUpperCase();
  const base = formBase(f);
  return forms.some((w) => {
    const want = w.trim().toUpperCase();
    return f === want || base === formBase(want);
  });
}

/** A feed filing that concerns a watched company in a watched form. */
export interface FeedCandidate {
  accession: string;
  cik: string;
  form: string;
  /** Raw `<updated>` of the feed entry. */
  seenUpdated: string;
}

/**
 * Feed filings of watched companies in watched forms, one per (accession, company).
 * Any role counts: the company's own submissions JSON confirms the filing later.
 */
export function watchedFeedCandidates(
  filings: readonly FeedFiling[],
  watchedCiks: ReadonlySet<string>,
  forms: readonly string[],
): FeedCandidate[] {
  const out: FeedCandidate[] = [];
  const seen = new Set<string>();
  for (const f of filings) {
    if (!isWatchedForm(f.form, forms)) continue;
    for (const c of f.companies) {
      const key = `${f.accession}|${c.cik}`;
      if (!watchedCiks.has(c.cik) || seen.has(key)) continue;
      seen.add(key);
      out.push({ accession: f.accession, cik: c.cik, form: f.form, seenUpdated: f.updated });
    }
  }
  return out;
}

/**
 * True when a feed page shows one of the accessions the previous cycle saw at the top of
 * the feed: everything newer than it has been read, so the feed proves continuity.
 */
export function reachesPreviousHead(filings: readonly FeedFiling[], previousHead: ReadonlySet<string>): boolean {
  return filings.some((f) => previousHead.has(f.accession));
}

/** Input of {@link diffCompany}. */
export interface DiffInput {
  cik: string;
  name: string;
  /** Previous knowledge; undefined = baseline this company (record, report nothing). */
  known: KnownCompany | undefined;
  /** Submissions rows, newest first (recent page plus any older pages fetched). */
  rows: readonly SubmissionRow[];
  forms: readonly string[];
  now: Date;
  /** Accessions to treat as known as well (feed sightings during a baseline). */
  alsoKnown?: readonly string[];
}

/** Output of {@link diffCompany}. */
export interface DiffResult {
  /** Watched filings not known before, newest first. */
  newRows: SubmissionRow[];
  next: KnownCompany;
}

/** Compare a company's submissions rows with what we know, by accession-set difference. */
export function diffCompany(input: DiffInput): DiffResult {
  const { known, rows, forms } = input;
  const watchedBases = [...new Set(forms.map(formBase))].sort();
  const knownSet = new Set(known?.accessions ?? []);
  const knownForms = new Set(known?.forms ?? []);
  const newRows: SubmissionRow[] = [];
  const added: string[] = [];
  const floor = known?.floor;
  for (const row of rows) {
    if (!isWatchedForm(row.form, forms) || knownSet.has(row.accession)) continue;
    knownSet.add(row.accession);
    added.push(row.accession);
    // History is recorded silently: a baseline, a form only just added to the config, or a
    // row at or below the floor (never in view before). Everything else is new by set difference.
    if (known && knownForms.has(formBase(row.form)) && (!floor || row.filingDate > floor)) newRows.push(row);
  }
  for (const a of input.alsoKnown ?? []) {
    if (!knownSet.has(a)) {
      knownSet.add(a);
      added.push(a);
    }
  }
  const accessions = [...added, ...(known?.accessions ?? [])].slice(0, MAX_KNOWN_ACCESSIONS);
  return {
    newRows,
    next: {
      cik: input.cik,
      name: input.name,
      forms: watchedBases,
      accessions,
      head: rows.length > 0 ? rows.slice(0, HEAD_SIZE).map((r) => r.accession) : (known?.head ?? []),
      syncedThrough: maxDate(rows[0]?.filingDate, known?.syncedThrough),
      floor: minDate(rows[rows.length - 1]?.filingDate, known ? known.floor : undefined),
      syncedAt: input.now.toISOString(),
    },
  };
}

function minDate(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}

function maxDate(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

/** Read knowledge back from a state item; undefined when it has another shape. */
export function knownFromItem(item: Record<string, unknown> | undefined): KnownCompany | undefined {
  if (!item || typeof item.cik !== 'string' || !Array.isArray(item.accessions)) return undefined;
  return {
    cik: item.cik,
    name: typeof item.name === 'string' ? item.name : `CIK ${item.cik}`,
    forms: Array.isArray(item.forms) ? item.forms.map(String) : [],
    accessions: item.accessions.map(String),
    head: Array.isArray(item.head) ? item.head.map(String) : [],
    syncedThrough: typeof item.syncedThrough === 'string' ? item.syncedThrough : undefined,
    floor: typeof item.floor === 'string' ? item.floor : undefined,
    syncedAt: typeof item.syncedAt === 'string' ? item.syncedAt : '',
  };
}

/** Titles of current Form 8-K items, for readable summaries. */
export const EIGHT_K_ITEMS: Readonly<Record<string, string>> = {
  '1.01': 'Entry into a Material Definitive Agreement',
  '1.02': 'Termination of a Material Definitive Agreement',
  '1.03': 'Bankruptcy or Receivership',
  '1.04': 'Mine Safety - Reporting of Shutdowns and Patterns of Violations',
  '1.05': 'Material Cybersecurity Incidents',
  '2.01': 'Completion of Acquisition or Disposition of Assets',
  '2.02': 'Results of Operations and Financial Condition',
  '2.03': 'Creation of a Direct Financial Obligation',
  '2.04': 'Triggering Events That Accelerate or Increase a Direct Financial Obligation',
  '2.05': 'Costs Associated with Exit or Disposal Activities',
  '2.06': 'Material Impairments',
  '3.01': 'Notice of Delisting or Failure to Satisfy a Continued Listing Rule',
  '3.02': 'Unregistered Sales of Equity Securities',
  '3.03': 'Material Modification to Rights of Security Holders',
  '4.01': "Changes in Registrant's Certifying Accountant",
  '4.02': 'Non-Reliance on Previously Issued Financial Statements',
  '5.01': 'Changes in Control of Registrant',
  '5.02': 'Departure or Appointment of Directors or Officers',
  '5.03': 'Amendments to Articles of Incorporation or Bylaws',
  '5.04': "Temporary Suspension of Trading Under Registrant's Employee Benefit Plans",
  '5.05': 'Amendments to the Code of Ethics',
  '5.06': 'Change in Shell Company Status',
  '5.07': 'Submission of Matters to a Vote of Security Holders',
  '5.08': 'Shareholder Director Nominations',
  '6.01': 'ABS Informational and Computational Material',
  '7.01': 'Regulation FD Disclosure',
  '8.01': 'Other Events',
  '9.01': 'Financial Statements and Exhibits',
};

/** Forms whose filing is always worth a high-importance alert. */
const HIGH_FORMS = new Set(['10-K', '10-Q', '20-F']);
/** 8-K items that carry agreements, results, FD disclosures or other events (where export news lands). */
const HIGH_8K_ITEMS = new Set(['1.01', '2.02', '7.01', '8.01']);
/** Forms whose `reportDate` is a fiscal period end (for 8-K/6-K it is an event date). */
const PERIODIC_FORMS = new Set(['10-K', '10-Q', '20-F', '40-F', '10-KT', '10-QT']);

/**
 * Importance: high for 10-K, 10-Q, 20-F and for 8-Ks with items 1.01/2.02/7.01/8.01;
 * normal otherwise. Amendments of periodic reports are normal (usually Part III or
 * exhibit fixes); an 8-K/A is judged by its items like an 8-K.
 */
export function importanceOf(form: string, items: readonly string[]): Importance {
  const f = form.trim().toUpperCase();
  if (HIGH_FORMS.has(f)) return 'high';
  if (formBase(f) === '8-K' && items.some((i) => HIGH_8K_ITEMS.has(i))) return 'high';
  return 'normal';
}

/** The company a change is about. */
export interface FilingCompany {
  cik: string;
  ticker: string | undefined;
  name: string;
}

/** The change draft for a new filing (`filing.new`, natural key = accession number). */
export function filingChange(company: FilingCompany, row: SubmissionRow, secWww: string): ChangeDraft {
  const base = formBase(row.form);
  const periodic = PERIODIC_FORMS.has(base);
  const items = base === '8-K' ? row.items : [];
  const idx = indexUrl(secWww, company.cik, row.accession);
  const docUrl = row.primaryDocument ? primaryDocumentUrl(secWww, company.cik, row.accession, row.primaryDocument) : undefined;

  let title = `${company.name} filed ${row.form}`;
  if (periodic && row.reportDate) title += ` (period ${row.reportDate})`;
  else if (items.length > 0) title += ` (items ${items.join(', ')})`;

  let summary = `${company.name}${company.ticker ? ` (${company.ticker})` : ''} filed Form ${row.form}`;
  if (periodic && row.reportDate) summary += ` for the period ended ${row.reportDate}`;
  summary += ` on ${row.filingDate}`;
  if (!periodic && row.reportDate) summary += ` (event date ${row.reportDate})`;
  summary += '.';
  if (items.length > 0) summary += ` Items: ${items.map((i) => (EIGHT_K_ITEMS[i] ? `${i} ${EIGHT_K_ITEMS[i]}` : i)).join('; ')}.`;
  summary += ` Accession ${row.accession}.`;

  // Capped (core/limits.ts): an oversized upstream field must not make the change too big to store.
  return capDraft({
    source: 'sec-filings',
    kind: 'filing.new',
    naturalKey: row.accession,
    subject: company.ticker ?? company.cik,
    title,
    summary,
    url: docUrl ?? idx,
    importance: importanceOf(row.form, items),
    // Raw EDGAR string: its "Z" is sometimes Eastern time, so it is reported, not converted.
    occurredAt: row.acceptanceDateTime,
    data: {
      cik: company.cik,
      accession: row.accession,
      form: row.form,
      filedAt: row.filingDate,
      acceptedAt: row.acceptanceDateTime ?? null,
      periodOfReport: row.reportDate ?? null,
      items,
      primaryDocument: row.primaryDocument ?? null,
      primaryDocumentUrl: docUrl ?? null,
      indexUrl: idx,
      companyName: company.name,
    } satisfies FilingNewData,
    // A filing is new exactly once: pin the version so the id depends on the accession
    // alone and a re-run with refreshed metadata can never create a second change.
    version: 'v1',
  });
}
