import * as z from 'zod';
import type { ChangeDraft } from '#core/change.ts';
import type { AppConfig } from '#core/config.ts';
import { SourceError } from '#core/errors.ts';
import type { ItemWrite, SourceWarning } from '#core/ports.ts';
import type { SourceDefinition } from '#core/source.ts';
import { addDays, easternDate } from '#core/time.ts';
import { extractText } from '../sec/document-text.ts';
import { isFpiForm } from '../sec/forms.ts';
import { parseSicEntry } from '../sec/sic.ts';
import {
  DEFAULT_QUERIES,
  documentToRead,
  type FullTextQuery,
  findPassage,
  groupMentions,
  type Mention,
  type MentionPassage,
  mentionDraft,
  phraseSpan,
  queryIdOf,
  searchStrings,
} from './detect.ts';
import { documentUrl, searchWindow } from './fetch.ts';
import type { EftsHit } from './parse.ts';

/**
 * `sec-full-text`: EDGAR full-text search across ALL filers (no `ciks` filter) for the
 * configured phrases over the config's forms. New filings that match become
 * `filing.mention` changes with the matching passage of the document.
 *
 * Each cycle searches a window of filing dates from `lookbackDays` before the Eastern date
 * of the last success to today: EFTS indexes filings late (hours, sometimes days after
 * acceptance), so a cursor on "the newest date seen" would skip late-indexed filings for
 * good. Seen mentions are state items (`m#<adsh>|<query id>`), so the overlap costs search
 * pages only: a document is fetched once, for a mention never seen before. The first run is
 * a baseline: it records what the window holds and fetches no document.
 */

/** Default look-back before the last success, in days (`fullText.lookbackDays`). */
export const LOOKBACK_DAYS = 3;

/** Documents read per cycle at most; the rest wait for the next cycle (cursor `pendingFrom`). */
export const MAX_DOCUMENTS_PER_CYCLE = 40;

/** Prefix of the seen-mention state items. */
export const MENTION_ITEM_PREFIX = 'm#';

/** Largest document read for a passage (a 10-K is 2–10 MB; bigger is an exhibit dump). */
export const MAX_DOCUMENT_BYTES = 24 * 1024 * 1024;

/** Position of the source between runs. */
export const SecFullTextCursorSchema = z.object({
  v: z.literal(1),
  /** Start of the run that produced this cursor; the next window counts back from it. */
  lastSuccessAt: z.string(),
  /** First filing date of mentions deferred by {@link MAX_DOCUMENTS_PER_CYCLE}, if any. */
  pendingFrom: z.string().optional(),
  /** Search pages requested by that run (for ops and the benchmark). */
  pages: z.number(),
});
/** The cursor stored in the source state between runs. */
export type SecFullTextCursor = z.infer<typeof SecFullTextCursorSchema>;

/** The configured queries (defaults applied), and the forms. */
export function queriesOf(config: Pick<AppConfig, 'fullText'>): FullTextQuery[] {
  const configured = config.fullText?.queries;
  if (!configured?.length) return [...DEFAULT_QUERIES];
  return configured.map((q) => ({ id: q.id ?? queryIdOf(q.phrase, q.countries ?? []), phrase: q.phrase, countries: q.countries ?? [] }));
}

/** The EFTS base URL: `urls.secEfts`, else efts.sec.gov for the public SEC, else the SEC www base (a mirror or the tests' fake serves every SEC path on one host). */
export function eftsBase(config: Pick<AppConfig, 'urls'>): string {
  const { urls } = config;
  if (urls.secEfts) return urls.secEfts;
  return urls.secWww === 'https://www.sec.gov' ? 'https://efts.sec.gov' : urls.secWww;
}

/** The first filing date to search: `lookbackDays` before the last success (or now, on the baseline), earlier if mentions were deferred. */
export function windowStartFor(cursor: SecFullTextCursor | undefined, now: Date, lookbackDays = LOOKBACK_DAYS): string {
  const from = addDays(easternDate(cursor ? new Date(cursor.lastSuccessAt) : now), -lookbackDays);
  return cursor?.pendingFrom && cursor.pendingFrom < from ? cursor.pendingFrom : from;
}

/**
 * True when the mention's company is on the watch-list: by CIK or ticker, or through a
 * sector entry whose SIC code EDGAR indexes for the filer (`SIC:3674`; with `:FPI`, only
 * when the filing is one of the forms only foreign private issuers file, 20-F/40-F/6-K).
 */
export function isWatched(config: Pick<AppConfig, 'watchlist'>, m: Pick<Mention, 'cik' | 'ticker' | 'sics' | 'form'>): boolean {
  const cik = String(Number(m.cik));
  return config.watchlist.some((w) => {
    const sector = parseSicEntry(w);
    if (sector) return m.sics.includes(sector.sic) && (!sector.fpiOnly || (m.form !== undefined && isFpiForm(m.form)));
    return w === m.ticker || (/^\d+$/.test(w) && String(Number(w)) === cik);
  });
}

export const secFullTextSource: SourceDefinition<SecFullTextCursor> = {
  name: 'sec-full-text',
  async poll(ctx) {
    const now = ctx.clock.now();
    const parsed = ctx.cursor === undefined ? undefined : SecFullTextCursorSchema.safeParse(ctx.cursor);
    if (parsed && !parsed.success) ctx.log('full-text cursor unreadable; using the baseline window');
    const cursor = parsed?.success ? parsed.data : undefined;
    const baseline = ctx.cursor === undefined;
    const lookback = ctx.config.fullText?.lookbackDays ?? LOOKBACK_DAYS;
    const startdt = windowStartFor(cursor, now, lookback);
    const enddt = easternDate(now);
    const base = eftsBase(ctx.config);
    const queries = queriesOf(ctx.config);
    const warnings: SourceWarning[] = [];

    // 1. Search: every page of every query, before anything else (a failed page throws).
    let pages = 0;
    const mentionsByQuery: Array<{ query: FullTextQuery; mentions: Mention[] }> = [];
    for (const query of queries) {
      const hits: EftsHit[] = [];
      for (const q of searchStrings(query)) {
        const r = await searchWindow(ctx.http, base, { q, forms: ctx.config.forms, startdt, enddt });
        pages += r.pages;
        hits.push(...r.hits);
        if (r.splits) ctx.log('full-text window split at the hit cap', { q, splits: r.splits });
        if (r.mismatched) ctx.log('full-text hits dropped: _id and adsh disagree', { q, mismatched: r.mismatched });
        if (r.cappedDays.length)
          warnings.push({
            kind: 'sanity',
            message: `"${q}": more than 10,000 hits on ${r.cappedDays.join(', ')}; only the first 10,000 were read`,
          });
      }
      mentionsByQuery.push({ query, mentions: groupMentions(query.id, hits) });
    }

    // 2. Which mentions are new.
    const known = new Map<string, string>();
    for (const { key, value } of await ctx.readItems(MENTION_ITEM_PREFIX))
      known.set(key.slice(MENTION_ITEM_PREFIX.length), typeof value.day === 'string' ? value.day : '');
    const fresh: Array<{ query: FullTextQuery; mention: Mention }> = [];
    for (const { query, mentions } of mentionsByQuery) for (const m of mentions) if (!known.has(m.key)) fresh.push({ query, mention: m });
    fresh.sort((a, b) => (a.mention.fileDate ?? '').localeCompare(b.mention.fileDate ?? '') || a.mention.key.localeCompare(b.mention.key));

    // 3. Read each new mention's document once (one read serves every query it matched).
    const changes: ChangeDraft[] = [];
    const itemWrites: ItemWrite[] = [];
    const texts = new Map<string, ReturnType<typeof extractText>['paragraphs'] | undefined>();
    let pendingFrom: string | undefined;
    const today = easternDate(now);
    for (const { query, mention } of fresh) {
      const filename = documentToRead(mention);
      if (!baseline && filename) {
        const url = documentUrl(ctx.config.urls.secWww, mention.cik, mention.adsh, filename);
        if (!texts.has(url)) {
          if (texts.size >= MAX_DOCUMENTS_PER_CYCLE) {
            pendingFrom ??= mention.fileDate ?? today;
            continue;
          }
          texts.set(url, await readParagraphs(ctx, url, warnings));
        }
        const paragraphs = texts.get(url);
        const p = paragraphs ? findPassage(paragraphs, query) : undefined;
        const passage: MentionPassage | undefined = p
          ? { text: p.text, document: filename, span: phraseSpan(p.text, query.phrase) }
          : undefined;
        changes.push(mentionDraft(mention, query, passage, isWatched(ctx.config, mention)));
      }
      itemWrites.push({ key: `${MENTION_ITEM_PREFIX}${mention.key}`, value: { day: mention.fileDate ?? today } });
    }

    // 4. Forget mentions dated before the window: EFTS will not return them again.
    const seenNow = new Set(mentionsByQuery.flatMap(({ mentions }) => mentions.map((m) => m.key)));
    const forgetBefore = addDays(startdt, -1);
    for (const [key, day] of known)
      if (!seenNow.has(key) && day < forgetBefore) itemWrites.push({ key: `${MENTION_ITEM_PREFIX}${key}`, value: null });

    const itemsSeen = mentionsByQuery.reduce((n, q) => n + q.mentions.length, 0);
    return {
      changes,
      itemsSeen,
      itemWrites,
      ...(warnings.length ? { warnings } : {}),
      cursor: { v: 1, lastSuccessAt: now.toISOString(), pages, ...(pendingFrom ? { pendingFrom } : {}) },
    };
  },
};

/**
 * A document's paragraphs, with the language analysis's extraction. A document the SEC does
 * not serve (403/404) or that cannot be read is a warning and a mention without a passage:
 * it would fail every later cycle too. Network errors, blocks and 5xx fail the cycle.
 */
async function readParagraphs(
  ctx: Parameters<SourceDefinition<SecFullTextCursor>['poll']>[0],
  url: string,
  warnings: SourceWarning[],
): Promise<ReturnType<typeof extractText>['paragraphs'] | undefined> {
  try {
    const response = await ctx.http.get(url, { maxBytes: MAX_DOCUMENT_BYTES });
    return extractText(response.body).paragraphs;
  } catch (err) {
    if (err instanceof SourceError && (err.kind === 'http' || err.kind === 'parse' || err.kind === 'sanity')) {
      warnings.push({ kind: err.kind, message: `${url}: ${err.message}` });
      return undefined;
    }
    throw err;
  }
}
