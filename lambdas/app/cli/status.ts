import { type Command, Option } from 'commander';
import type { SourceName } from '#core/change.ts';
import { loadConfig } from '#core/config.ts';
import { formatHealthLine, healthReport } from '#ops/report.ts';
import { SOURCES } from '#sources/index.ts';
import { DynamoAlertStore } from '#store/alert-store.ts';
import { DynamoSourceState } from '#store/source-state.ts';
import { openTables } from '../local/store.ts';
import type { CliContext } from './context.ts';

/** `export-watch status`: each source's health verdict, from the local store or a deployed state table. */
export function register(program: Command, { out, defaultDataDir }: CliContext): void {
  program
    .command('status')
    .description(
      "Print each source's health verdict (ok, failing, stale, blocked, degraded, never-run) with last success, failures, last error and any open ops incident. Local store by default; --table reads a deployed state table.",
    )
    .option('--data-dir <dir>', 'local data dir', defaultDataDir)
    .option('--config <file>', 'config file (sources, ops thresholds, table names)', 'export-watch.config.json')
    .option('--table <name>', 'read a deployed state table (stack output StateTableName) instead of the local store')
    .option('--region <region>', 'AWS region of --table (default: the SDK credential chain)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { dataDir: string; config: string; table?: string; region?: string; format: 'text' | 'json' }) => {
      const config = loadConfig({ ...process.env, EXPORT_WATCH_CONFIG: opts.config });
      const tables = await openTables(
        { dataDir: opts.dataDir, deployed: opts.table ? { region: opts.region } : undefined },
        () => config.tables,
      );
      let rows: ReturnType<typeof healthReport>;
      try {
        const db = tables.clients.db;
        const stateTable = opts.table ?? config.tables.state;
        const sourceState = new DynamoSourceState(db, stateTable);
        const [states, leases] = await Promise.all([sourceState.list(), sourceState.leases()]);
        const watched = (Object.keys(SOURCES) as SourceName[]).filter((name) => config.sources[name]?.enabled !== false);
        const alerts = await new DynamoAlertStore(db, stateTable).list([...new Set([...watched, ...states.map((s) => s.source)])]);
        if (opts.format === 'text' && states.length === 0) out('No source has run yet.');
        rows = healthReport(watched, states, alerts, new Date(), config.ops, undefined, leases);
      } finally {
        await tables.close();
      }
      if (opts.format === 'json') {
        process.stdout.write(
          `${JSON.stringify(
            rows.map((r) => ({ ...r.health, lease: r.health.lease ?? null, incident: r.alert?.incident ?? null })),
            null,
            2,
          )}\n`,
        );
        return;
      }
      for (const row of rows) out(formatHealthLine(row, config.ops));
    });
}
