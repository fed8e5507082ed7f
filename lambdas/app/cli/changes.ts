import { type Command, Option } from 'commander';
import { type CliContext, isoDate, positiveInt } from './context.ts';
import { checkCountry, checkKind, checkSource, checkSubject, checkWindow } from './input.ts';
import { loadConfig } from '#core/config.ts';
import type { ChangeQuery } from '#core/ports.ts';
import { changeWriter, OUTPUT_FORMATS, type OutputFormat } from '../local/format.ts';
import type { Change } from '#core/change.ts';
import { PageTokenError } from '#store/change-log.ts';
import { loadSectorContext, MENTION_SOURCE } from '#analytics/report.ts';
import { checkSector } from '#analytics/sector.ts';
import { type StoreOptions, withStore } from '../local/store.ts';

/**
 * `export-watch changes`: the change log as a research tool. Filters by source, subject,
 * kind, country and text, time windows, pages with opaque tokens, and streams json,
 * ndjson and csv so an export of the whole table never sits in memory. The data goes to
 * stdout; progress and the next page's token go to stderr.
 */

/** Options of `export-watch changes`. */
export interface ChangesOptions extends StoreOptions {
  since?: string | undefined;
  until?: string | undefined;
  source?: string | undefined;
  subject?: string | undefined;
  kind?: string | undefined;
  country?: string | undefined;
  text?: string | undefined;
  /** Only changes of the companies of this SIC code (by CIK, through the stored sector roster). */
  sector?: string | undefined;
  /** Page size; with it, the command prints one page and the next page's token. */
  limit?: number | undefined;
  pageToken?: string | undefined;
  format: OutputFormat;
}

/** Where the command writes. */
export interface ChangesIo {
  /** The data stream (stdout). */
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  /** One line of progress or a note (stderr). */
  note(line: string): void;
  now?: Date;
}

/** Progress is printed every this many changes. */
export const PROGRESS_EVERY = 1000;
/** Default window when neither a time, a source nor a subject narrows the query. */
export const DEFAULT_WINDOW_DAYS = 30;
const FLUSH_BYTES = 64 * 1024;

/** Buffered writes to a stream that wait for `drain` and stop quietly when the reader goes away (`| head`). */
class Sink {
  private buffer = '';
  closed = false;

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.closed = true;
      else throw err;
    });
  }

  push(chunk: string): void {
    this.buffer += chunk;
  }

  async flush(force = false): Promise<void> {
    if (this.closed || (!force && this.buffer.length < FLUSH_BYTES)) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
      });
    }
  }
}

/** The query the options describe, with the default window when nothing narrows it. */
export function changesQuery(opts: ChangesOptions, now: Date = new Date()): ChangeQuery {
  const q: ChangeQuery = {
    since: opts.since,
    until: opts.until,
    source: opts.source,
    subject: opts.subject,
    kind: opts.kind,
    country: opts.country?.toUpperCase(),
    text: opts.text,
  };
  // A continued page takes its window from the token; a new query without any key or
  // window reads the last 30 days rather than every source's whole history.
  if (!opts.pageToken && !opts.since && !opts.source && !opts.subject) {
    q.since = new Date(now.getTime() - DEFAULT_WINDOW_DAYS * 86_400_000).toISOString();
  }
  return q;
}

/**
 * Check the options a user typed: the window's order, and the subject against the watch-list
 * (case-insensitive, canonicalised: `nvda` reads NVDA). Without a readable config (a
 * deployed table read from elsewhere) the subject is only trimmed. Throws a UsageError.
 */
export function checkChangesOptions(opts: ChangesOptions, watchlist: readonly string[] | undefined): ChangesOptions {
  checkWindow(opts.since, opts.until);
  if (opts.subject === undefined) return opts;
  return { ...opts, subject: watchlist ? checkSubject(opts.subject, watchlist) : opts.subject.trim() };
}

/** The watch-list of the options' config file; undefined when a deployed table is read without one. */
function watchlistOf(opts: ChangesOptions): string[] | undefined {
  try {
    return loadConfig({ ...process.env, ...(opts.env ?? {}), ...(opts.config ? { EXPORT_WATCH_CONFIG: opts.config } : {}) }).watchlist;
  } catch (err) {
    if (opts.table) return undefined;
    throw err;
  }
}

/** The sources whose changes are about one company: what `--sector` reads. */
export const COMPANY_SOURCES: readonly string[] = ['sec-filings', 'sec-revenue', 'sec-export-language', MENTION_SOURCE];

/** Newest first across several newest-first streams (ties by id), read lazily. */
async function* mergeNewest(streams: Array<AsyncIterable<Change>>): AsyncGenerator<Change> {
  const its = streams.map((s) => s[Symbol.asyncIterator]());
  const heads = await Promise.all(its.map((it) => it.next()));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i] as IteratorResult<Change>;
      if (h.done) continue;
      const b = best < 0 ? undefined : (heads[best] as IteratorYieldResult<Change>).value;
      if (!b || h.value.detectedAt > b.detectedAt || (h.value.detectedAt === b.detectedAt && h.value.id < b.id)) best = i;
    }
    if (best < 0) return;
    yield (heads[best] as IteratorYieldResult<Change>).value;
    heads[best] = await (its[best] as AsyncIterator<Change>).next();
  }
}

/** Run the command; returns the exit code (2 for a bad page token). */
export async function changesCommand(given: ChangesOptions, io: ChangesIo): Promise<number> {
  const opts = given.subject === undefined ? checkChangesOptions(given, undefined) : checkChangesOptions(given, watchlistOf(given));
  const query = changesQuery(opts, io.now);
  const sic = opts.sector === undefined ? undefined : checkSector(opts.sector);
  const sink = new Sink(io.stdout);
  const writer = changeWriter(opts.format, (chunk) => sink.push(chunk));
  // Progress only where it cannot interleave with a human reading the table on a terminal.
  const progress = !io.stdout.isTTY || opts.format === 'json' || opts.format === 'csv';
  const wrote = () => {
    if (progress && writer.count % PROGRESS_EVERY === 0) io.note(`… ${writer.count.toLocaleString('en-US')} changes`);
  };
  try {
    return await withStore(opts, async (store) => {
      if (!store.changes) throw new Error('no change-log table: pass --table');
      const changes = store.changes;
      // A sector is a set of CIKs, not an index key: its changes are read from the company
      // sources and kept when they concern one of its companies.
      const sector = sic === undefined ? undefined : (await loadSectorContext(store, sic)).membership;
      const keep = (c: Change) => !sector || sector.includes(c);
      if (sector && opts.limit !== undefined) {
        // Underlying pages never larger than what is still wanted, so the token of the last
        // one resumes exactly after the last change written.
        let token = opts.pageToken;
        let more = true;
        while (writer.count < opts.limit && more) {
          const page = await changes.queryPage(query, { limit: opts.limit - writer.count, pageToken: token });
          for (const change of page.changes) if (keep(change)) writer.write(change);
          token = page.nextPageToken;
          more = token !== undefined;
        }
        writer.end();
        await sink.flush(true);
        if (token) io.note(`next page: --sector ${sic} --page-token ${token}`);
        return 0;
      }
      if (opts.limit !== undefined) {
        const page = await store.changes.queryPage(query, { limit: opts.limit, pageToken: opts.pageToken });
        for (const change of page.changes) {
          writer.write(change);
          wrote();
        }
        writer.end();
        await sink.flush(true);
        if (page.nextPageToken) io.note(`next page: --page-token ${page.nextPageToken}`);
        return 0;
      }
      if (opts.pageToken) {
        // The rest of the query after the token: pages of 1,000 until the end.
        let token: string | undefined = opts.pageToken;
        while (token && !sink.closed) {
          const page = await changes.queryPage(query, { limit: PROGRESS_EVERY, pageToken: token });
          for (const change of page.changes) {
            if (!keep(change)) continue;
            writer.write(change);
            wrote();
          }
          await sink.flush();
          token = page.nextPageToken;
        }
      } else {
        // A sector without --source/--subject reads every company source, newest first.
        const stream =
          sector && !opts.source && !opts.subject
            ? mergeNewest(COMPANY_SOURCES.map((source) => changes.query({ ...query, source })))
            : changes.query(query);
        for await (const change of stream) {
          if (!keep(change)) continue;
          writer.write(change);
          wrote();
          await sink.flush();
          if (sink.closed) break;
        }
      }
      writer.end();
      await sink.flush(true);
      if (progress && writer.count >= PROGRESS_EVERY) io.note(`${writer.count.toLocaleString('en-US')} changes written`);
      return 0;
    });
  } catch (err) {
    if (err instanceof PageTokenError) {
      io.note(`export-watch: --page-token: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

/** `export-watch changes`: read the change log, filtered, as a table, JSON lines or CSV. */
export function register(program: Command, { defaultDataDir }: CliContext): void {
  program
    .command('changes')
    .description('Read the change log (local store by default; --table reads a deployed table).')
    .option('--since <iso>', 'detected at or after', isoDate)
    .option('--until <iso>', 'detected at or before', isoDate)
    .option('--source <source>', 'only this source (e.g. sec-filings)', (v) => checkSource(v))
    .option('--subject <subject>', 'only this subject: a watch-list ticker (any case), a CIK, BIS, Entity List')
    .option('--kind <kind>', 'only this kind or kind prefix (e.g. filing.new, fr)', (v) => checkKind(v))
    .option('--country <code>', 'only changes concerning this country (ISO code in `countries`, e.g. SG)', (v) => checkCountry(v))
    .option('--text <text>', 'only changes whose title or summary contains this text (case-insensitive)')
    .option(
      '--sector <sic>',
      'only changes of the companies of this SIC code (4 digits, e.g. 3674), from the sector roster of a SIC:<code> watch-list entry',
    )
    .option('--limit <n>', 'one page of at most n changes; the next page token is printed to stderr', positiveInt)
    .option('--page-token <token>', 'continue after a previous page (the query comes with the token)')
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option('--data-dir <dir>', 'local data dir', defaultDataDir)
    .option('--config <file>', 'config file (for table names)', 'export-watch.config.json')
    .option('--table <name>', 'read a deployed change-log table instead of the local store')
    .option('--state-table <name>', 'deployed state table with the sector roster (with --table and --sector; stack output StateTableName)')
    .option('--region <region>', 'AWS region of --table (default: the SDK credential chain)')
    .addHelpText(
      'after',
      '\nWithout --since, --source or --subject the last 30 days are read. Data goes to stdout; progress (every 1,000 changes) and the next page token go to stderr.',
    )
    .action(async (opts: ChangesOptions) => {
      const code = await changesCommand(opts, { stdout: process.stdout, note: (line) => process.stderr.write(`${line}\n`) });
      program.setOptionValue('exitCode', code);
    });
}
