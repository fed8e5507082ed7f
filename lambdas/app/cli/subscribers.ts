import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CliContext } from './context.ts';
import { CliError, UsageError } from './errors.ts';
import { checkCountry, checkKind, checkSource, checkSubject, splitList } from './input.ts';
import { IMPORTANCE_LEVELS } from '#core/change.ts';
import { type AppConfig, loadConfig, type SubscriberFilters, SubscriberFiltersSchema } from '#core/config.ts';
import type { Subscriber } from '#core/subscriber.ts';
import { openTables } from '../local/store.ts';
import type { SubscriberUpdate } from '#core/ports.ts';
import { DynamoSubscribers } from '#store/subscribers.ts';
import { isValidEmail } from '#core/escape.ts';
import { describeFilters } from '#notify/render.ts';

/**
 * `export-watch subscribers add|list|update|remove`: manage subscribers in the local
 * store (default) or a deployed table (`--table NAME --region R`). Subscribers added here
 * start `pending`; the notifier sends them the double opt-in email on its next run (the
 * local runtime's cycle, or within 5 minutes in AWS), so this command needs no mail
 * access and works the same for both.
 */

interface StoreOptions {
  dataDir: string;
  config: string;
  table?: string;
  region?: string;
}

interface FilterOptions {
  name?: string;
  mode?: 'immediate' | 'daily';
  digestHour?: number;
  sources?: string[];
  kinds?: string[];
  subjects?: string[];
  countries?: string[];
  minImportance?: (typeof IMPORTANCE_LEVELS)[number];
}

const list = splitList;

function hour(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 23) throw new InvalidArgumentError('expected an hour 0–23 (America/New_York)');
  return n;
}

function address(value: string): string {
  if (!isValidEmail(value)) throw new InvalidArgumentError(`not a valid email address: ${value}`);
  return value.toLowerCase();
}

function storeOptions(cmd: Command, defaultDataDir: string): Command {
  return cmd
    .option('--data-dir <dir>', 'local data dir', defaultDataDir)
    .option('--config <file>', 'config file (table names, default digest hour)', 'export-watch.config.json')
    .option('--table <name>', 'a deployed subscribers table (stack output SubscribersTableName) instead of the local store')
    .option('--region <region>', 'AWS region of --table (default: the SDK credential chain)');
}

function filterOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'display name used in the greeting')
    .addOption(new Option('--mode <mode>', 'immediate alerts or one daily digest').choices(['immediate', 'daily']))
    .option('--digest-hour <hour>', 'hour of the daily digest, America/New_York (0–23)', hour)
    .option('--sources <list>', 'only these sources, comma-separated (e.g. sec-filings,entity-list)', (v) =>
      list(v).map((s) => checkSource(s, '--sources')),
    )
    .option('--kinds <list>', 'only these kinds or kind prefixes (e.g. filing,entity.added)', (v) =>
      list(v).map((k) => checkKind(k, '--kinds')),
    )
    .option('--subjects <list>', 'only these companies/subjects: watch-list tickers, CIKs, BIS, Entity List (comma-separated)', list)
    .addOption(new Option('--companies <list>', 'alias of --subjects').argParser(list).hideHelp())
    .option('--countries <list>', 'only changes concerning these ISO country codes (e.g. SG,CN)', (v) =>
      list(v).map((c) => checkCountry(c, '--countries')),
    )
    .addOption(new Option('--min-importance <level>', 'lowest importance mailed').choices([...IMPORTANCE_LEVELS]));
}

/**
 * Subjects of the options as the change log spells them: watch-list tickers in any case,
 * CIKs, BIS and list names pass; anything else is refused with the nearest (a UsageError).
 */
function checkSubjects(opts: FilterOptions & { companies?: string[] }, watchlist: readonly string[]): void {
  if (opts.subjects) opts.subjects = opts.subjects.map((s) => checkSubject(s, watchlist, '--subjects'));
  if (opts.companies) opts.companies = opts.companies.map((s) => checkSubject(s, watchlist, '--companies'));
}

/** Filters from options, validated like the config file's; `base` is kept for keys not given. */
function filtersFrom(opts: FilterOptions & { companies?: string[] }, base: SubscriberFilters): SubscriberFilters {
  const next: Record<string, unknown> = { ...base };
  if (opts.sources) next.sources = opts.sources;
  if (opts.kinds) next.kinds = opts.kinds;
  if (opts.subjects || opts.companies) next.subjects = [...(opts.subjects ?? []), ...(opts.companies ?? [])];
  if (opts.countries) next.countries = opts.countries;
  if (opts.minImportance) next.minImportance = opts.minImportance;
  for (const [k, v] of Object.entries(next)) if (Array.isArray(v) && v.length === 0) delete next[k];
  const parsed = SubscriberFiltersSchema.safeParse(next);
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

/**
 * Open the subscribers store (deployed table, running local runtime, or the data dir) for
 * `fn`; `check` sees the configuration first, so a refused option opens no store.
 */
async function withStore<T>(
  opts: StoreOptions,
  fn: (store: DynamoSubscribers, digestHourDefault: number) => Promise<T>,
  check?: (config: AppConfig) => void,
): Promise<T> {
  const config = loadConfig({ ...process.env, EXPORT_WATCH_CONFIG: opts.config });
  check?.(config);
  const tables = await openTables(
    { dataDir: opts.dataDir, deployed: opts.table ? { region: opts.region } : undefined },
    () => config.tables,
  );
  try {
    return await fn(new DynamoSubscribers(tables.clients.db, opts.table ?? config.tables.subscribers), config.email.digestHourDefault);
  } finally {
    await tables.close();
  }
}

/** One line per subscriber for `list`. */
export function formatSubscriberTable(subscribers: readonly Subscriber[]): string {
  if (subscribers.length === 0) return 'No subscribers.\n';
  const header = ['email', 'status', 'mode', 'filters', 'created'];
  const rows = subscribers.map((s) => [
    s.email,
    s.status + (s.status === 'suppressed' && s.suppressionReason ? ` (${s.suppressionReason})` : ''),
    s.mode === 'daily' ? `daily ${String(s.digestHour).padStart(2, '0')}:00 ET` : 'immediate',
    describeFilters(s.filters),
    s.createdAt.slice(0, 10),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n${subscribers.length} subscriber(s)\n`;
}

/** Register `subscribers` and its sub-commands on the program. */
export function register(program: Command, { out, defaultDataDir }: CliContext): void {
  // A user mistake (a duplicate, an unknown address): exit code 1 and one line, by the CLI's error boundary.
  const fail = (message: string): never => {
    throw new CliError(message);
  };
  const subscribers = program
    .command('subscribers')
    .description('Manage email subscribers (local store by default; --table for a deployed table).');

  filterOptions(storeOptions(subscribers.command('add').argument('<email>', 'address', address), defaultDataDir))
    .description('Add a subscriber; they confirm by a double opt-in email the notifier sends on its next run.')
    .action(async (email: string, opts: StoreOptions & FilterOptions) => {
      await withStore(
        opts,
        async (store, digestHourDefault) => {
          const now = new Date().toISOString();
          const subscriber: Subscriber = {
            email,
            ...(opts.name ? { name: opts.name } : {}),
            mode: opts.mode ?? 'immediate',
            digestHour: opts.digestHour ?? digestHourDefault,
            filters: filtersFrom(opts, {}),
            status: 'pending',
            origin: 'cli',
            createdAt: now,
            updatedAt: now,
          };
          if (!(await store.addIfAbsent(subscriber))) {
            const existing = await store.get(email);
            fail(`${email} already exists (status ${existing?.status ?? 'unknown'}); use "subscribers update ${email}"`);
          }
          out(
            `Added ${email} (pending): ${subscriber.mode === 'daily' ? `daily digest at ${String(subscriber.digestHour).padStart(2, '0')}:00 ET` : 'immediate alerts'}, ${describeFilters(subscriber.filters)}.`,
          );
          out('A confirmation email goes out on the next notifier run (export-watch run locally; within 5 minutes in AWS).');
        },
        (config) => {
          checkSubjects(opts, config.watchlist);
          filtersFrom(opts, {});
        },
      );
    });

  storeOptions(subscribers.command('list'), defaultDataDir)
    .description('List subscribers with their status, mode and filters.')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (opts: StoreOptions & { format: 'table' | 'json' }) => {
      const all = await withStore(opts, (store) => store.list());
      if (opts.format === 'json') process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      else process.stdout.write(formatSubscriberTable(all));
    });

  filterOptions(storeOptions(subscribers.command('update').argument('<email>', 'address', address), defaultDataDir))
    .description("Change a subscriber's name, mode, digest hour or filters (given filters replace those keys).")
    .option('--clear-filters', 'start from no filters (everything) before applying the given ones')
    .option('--reconfirm', 'set the subscriber back to pending and send a new confirmation email (also lifts unsubscribed/suppressed)')
    .action(async (email: string, opts: StoreOptions & FilterOptions & { clearFilters?: boolean; reconfirm?: boolean }) => {
      await withStore(
        opts,
        async (store) => {
          const current = await store.get(email);
          if (!current) fail(`no subscriber ${email}`);
          const now = new Date().toISOString();
          const changes: SubscriberUpdate = {
            updatedAt: now,
            filters: filtersFrom(opts, opts.clearFilters ? {} : (current?.filters ?? {})),
          };
          if (opts.name !== undefined) changes.name = opts.name === '' ? null : opts.name;
          if (opts.mode) changes.mode = opts.mode;
          if (opts.digestHour !== undefined) changes.digestHour = opts.digestHour;
          if (opts.reconfirm)
            Object.assign(changes, {
              status: 'pending',
              confirmationSentAt: null,
              confirmedAt: null,
              suppressedAt: null,
              suppressionReason: null,
              unsubscribedAt: null,
            });
          const updated = await store.update(email, changes);
          if (!updated) return fail(`no subscriber ${email}`);
          out(
            `Updated ${email}: ${updated.status}, ${updated.mode === 'daily' ? `daily digest at ${String(updated.digestHour).padStart(2, '0')}:00 ET` : 'immediate alerts'}, ${describeFilters(updated.filters)}.`,
          );
        },
        (config) => checkSubjects(opts, config.watchlist),
      );
    });

  storeOptions(subscribers.command('remove').argument('<email>', 'address', address), defaultDataDir)
    .description('Delete a subscriber and their delivery records.')
    .action(async (email: string, opts: StoreOptions) => {
      const removed = await withStore(opts, (store) => store.remove(email));
      if (!removed) fail(`no subscriber ${email}`);
      out(`Removed ${email}.`);
    });
}
