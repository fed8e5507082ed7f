import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Change } from '../lambdas/core/change.ts';
import { loadConfig } from '../lambdas/core/config.ts';
import { ConfigError } from '../lambdas/core/errors.ts';
import type { ChangeQuery } from '../lambdas/core/ports.ts';
import type { CycleOutcome } from '../lambdas/core/source.ts';
import { formatChanges, OUTPUT_FORMATS, type OutputFormat } from '../lambdas/local/format.ts';
import { type CycleSummary, LocalRuntime, runningEndpoint } from '../lambdas/local/runtime.ts';
import { startDynalite } from '../lambdas/local/services.ts';
import type { NotifierOutcome } from '../lambdas/notify/notifier.ts';
import { DynamoChangeLog } from '../lambdas/store/change-log.ts';
import { ensureTables } from '../lambdas/store/create-tables.ts';

const DEFAULT_DATA_DIR = '.export-watch';

function isoDate(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`not an ISO date/time: ${value}`);
  return new Date(t).toISOString();
}

function describeOutcome(o: CycleOutcome): string {
  switch (o.status) {
    case 'ok':
      return o.baseline
        ? `${o.source}: baseline recorded (${o.itemsSeen} items seen, ${o.suppressed} existing items not alerted)`
        : `${o.source}: ok, ${o.changesCreated} new change(s), ${o.duplicates} already known, ${o.itemsSeen} items seen`;
    case 'failed':
      return `${o.source}: FAILED [${o.errorKind}] ${o.error} (consecutive failures: ${o.consecutiveFailures}; state not advanced)`;
    case 'skipped':
      return `${o.source}: skipped (${o.reason})`;
  }
}

function describeNotifier(n: NotifierOutcome): string {
  return `notifier: ${n.pending} pending change(s), ${n.emailsSent} email(s) sent, ${n.deliveries} deliveries recorded${n.failures.length ? `, ${n.failures.length} FAILED: ${n.failures.map((f) => `${f.email}: ${f.error}`).join('; ')}` : ''}`;
}

function printSummary(summary: CycleSummary, out: (line: string) => void): boolean {
  for (const o of summary.sources) out(describeOutcome(o));
  out(describeNotifier(summary.notifier));
  return summary.sources.every((o) => o.status !== 'failed') && summary.notifier.failures.length === 0;
}

/** Read changes from a local data dir (attaching to a running runtime if there is one) or a deployed table. */
async function readChanges(opts: { dataDir: string; table?: string; region?: string; config?: string }, query: ChangeQuery): Promise<Change[]> {
  const collect = async (log: DynamoChangeLog) => {
    const out: Change[] = [];
    for await (const c of log.query(query)) out.push(c);
    return out;
  };
  if (opts.table) {
    const db = DynamoDBDocumentClient.from(new DynamoDBClient(opts.region ? { region: opts.region } : {}));
    return collect(new DynamoChangeLog(db, opts.table));
  }
  const env = { ...process.env, ...(opts.config ? { EXPORT_WATCH_CONFIG: opts.config } : {}) };
  const config = loadConfig(env);
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const attached = await runningEndpoint(opts.dataDir);
  const service = attached ? undefined : await startDynalite({ path: join(resolve(opts.dataDir), 'dynamodb') });
  const client = new DynamoDBClient({ endpoint: attached ?? service?.url, region: 'us-east-1', credentials });
  try {
    await ensureTables(client, config.tables);
    return await collect(new DynamoChangeLog(DynamoDBDocumentClient.from(client), config.tables.changes));
  } finally {
    client.destroy();
    await service?.close();
  }
}

/** Build the `export-watch` program. */
export function buildProgram(out: (line: string) => void = (l) => console.log(l)): Command {
  const program = new Command('export-watch')
    .description('Watch export-control risk in the chip business: SEC filings, regional revenue, BIS rules and the Entity List.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('run')
    .description('Run the local runtime: embedded DynamoDB and SES, every enabled source on the stack schedules, then the notifier.')
    .option('--once', 'run every enabled source once, then the notifier, and exit (exit code 1 if a source failed)')
    .option('--config <file>', 'config file', 'export-watch.config.json')
    .option('--data-dir <dir>', 'where the local store and outbox live', DEFAULT_DATA_DIR)
    .option('--ses-port <port>', 'port of the local SES web UI (0 = any free port)', (v) => Number.parseInt(v, 10), 8005)
    .action(async (opts: { once?: boolean; config: string; dataDir: string; sesPort: number }) => {
      const runtime = await LocalRuntime.start({ dataDir: opts.dataDir, configFile: opts.config, sesPort: opts.sesPort, log: out });
      out(`Local DynamoDB (dynalite): ${runtime.dynamo.url}  store: ${join(runtime.dataDir, 'dynamodb')}`);
      out(`Local SES web UI: ${runtime.ses.url}/  (.eml copies in ${join(runtime.dataDir, 'outbox')})`);
      if (!runtime.config.secUserAgent) out('Note: SEC_USER_AGENT is not set; SEC sources will fail until it is ("Company Name admin@example.com").');
      if (opts.once) {
        try {
          const ok = printSummary(await runtime.runOnce(), out);
          program.setOptionValue('exitCode', ok ? 0 : 1);
        } finally {
          await runtime.stop();
        }
        return;
      }
      runtime.schedule((outcome, name) => out(`[${new Date().toISOString()}] ${name === 'notifier' ? describeNotifier(outcome as NotifierOutcome) : describeOutcome(outcome as CycleOutcome)}`));
      out('Running every enabled source once now, then on schedule (America/New_York). Ctrl-C stops.');
      printSummary(await runtime.runOnce(), out);
      for (const { name, next } of runtime.nextRuns()) out(`  next ${name}: ${next?.toISOString() ?? 'never'}`);
      await new Promise<void>((resolveStop) => {
        const stop = () => {
          out('Stopping…');
          runtime.stop().then(resolveStop, resolveStop);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  program
    .command('changes')
    .description('Read the change log (local store by default; --table reads a deployed table).')
    .option('--since <iso>', 'detected at or after', isoDate)
    .option('--until <iso>', 'detected at or before', isoDate)
    .option('--source <source>', 'only this source (e.g. sec-filings)')
    .option('--subject <subject>', 'only this subject (e.g. NVDA, BIS, Entity List)')
    .option('--kind <kind>', 'only this kind or kind prefix (e.g. filing.new, fr)')
    .option('--limit <n>', 'at most n changes', (v) => Number.parseInt(v, 10))
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option('--data-dir <dir>', 'local data dir', DEFAULT_DATA_DIR)
    .option('--config <file>', 'config file (for table names)', 'export-watch.config.json')
    .option('--table <name>', 'read a deployed change-log table instead of the local store')
    .option('--region <region>', 'AWS region of --table (default: the SDK credential chain)')
    .action(async (opts: { since?: string; until?: string; source?: string; subject?: string; kind?: string; limit?: number; format: OutputFormat; dataDir: string; config: string; table?: string; region?: string }) => {
      const changes = await readChanges(opts, {
        since: opts.since,
        until: opts.until,
        source: opts.source,
        subject: opts.subject,
        kind: opts.kind,
        limit: opts.limit,
        ...(opts.since || opts.source || opts.subject ? {} : { since: new Date(Date.now() - 30 * 86_400_000).toISOString() }),
      });
      process.stdout.write(formatChanges(changes, opts.format));
    });

  program
    .command('demo')
    .description('See the whole flow offline: recorded upstream data, a baseline cycle, then a cycle with news.')
    .option('--data-dir <dir>', 'data dir for the demo (emptied first)', join(DEFAULT_DATA_DIR, 'demo'))
    .action(async (opts: { dataDir: string }) => {
      const { startDemoUpstream } = await import('../test/support/demo-upstream.ts');
      const dataDir = resolve(opts.dataDir);
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true });
      const upstream = await startDemoUpstream();
      out(`Fake upstream with recorded data: ${upstream.fake.url}`);
      const runtime = await LocalRuntime.start({
        dataDir,
        sesPort: 0,
        log: out,
        env: { ...upstream.fake.env(), SEC_USER_AGENT: process.env.SEC_USER_AGENT ?? 'export-watch demo demo@example.com' },
      });
      try {
        out('\n1) Baseline cycle: records what exists, emails nobody.');
        const first = printSummary(await runtime.runOnce(), out);
        out('\n2) The recorded data now contains news; second cycle:');
        upstream.setPhase('news');
        const second = printSummary(await runtime.runOnce(), out);
        const outbox = join(dataDir, 'outbox');
        let emails: string[] = [];
        try {
          emails = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
        } catch {
          emails = [];
        }
        out('\nDone. Read the results:');
        out(`  change log: npx export-watch changes --data-dir ${opts.dataDir} --format json`);
        out(`  emails:     ${outbox} (${emails.length} .eml file(s))`);
        program.setOptionValue('exitCode', first && second ? 0 : 1);
      } finally {
        await runtime.stop();
        await upstream.fake.stop();
      }
    });

  program
    .command('revenue')
    .description('Extract geographic revenue breakdowns from one filing (iXBRL .htm or XBRL instance; a file or an http(s) URL).')
    .argument('<file-or-url>', 'primary document (.htm) or instance (_htm.xml)')
    .option('--json', 'print exactly one JSON object')
    .action(async (fileOrUrl: string, opts: { json?: boolean }) => {
      const { revenueCommand } = await import('../lambdas/sources/sec-revenue/cli.ts');
      await revenueCommand(fileOrUrl, { json: opts.json }, (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`));
    });

  program
    .command('diff-filings')
    .description('Diff the export-control passages of two filings (files or http(s) URLs): added, removed and changed paragraphs with word-level diffs.')
    .argument('<old>', 'earlier filing (primary .htm)')
    .argument('<new>', 'later filing (primary .htm)')
    .option('--json', 'print the change data object as JSON')
    .action(async (oldRef: string, newRef: string, opts: { json?: boolean }) => {
      const { diffFilingsCommand } = await import('../lambdas/sources/sec-export-language/cli.ts');
      await diffFilingsCommand(oldRef, newRef, { json: opts.json }, (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`));
    });

  program
    .command('status')
    .description('Print each source\'s health: last success, failures, last error.')
    .option('--data-dir <dir>', 'local data dir', DEFAULT_DATA_DIR)
    .option('--config <file>', 'config file', 'export-watch.config.json')
    .action(async (opts: { dataDir: string; config: string }) => {
      const config = loadConfig({ ...process.env, EXPORT_WATCH_CONFIG: opts.config });
      const attached = await runningEndpoint(opts.dataDir);
      const service = attached ? undefined : await startDynalite({ path: join(resolve(opts.dataDir), 'dynamodb') });
      const client = new DynamoDBClient({ endpoint: attached ?? service?.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      try {
        await ensureTables(client, config.tables);
        const { DynamoSourceState } = await import('../lambdas/store/source-state.ts');
        const states = await new DynamoSourceState(DynamoDBDocumentClient.from(client), config.tables.state).list();
        if (states.length === 0) out('No source has run yet.');
        for (const s of states) {
          out(`${s.source}: last success ${s.lastSuccessAt ?? 'never'}, last attempt ${s.lastAttemptAt ?? 'never'}, consecutive failures ${s.consecutiveFailures}${s.lastError ? `, last error [${s.lastError.kind}] ${s.lastError.message}` : ''}`);
        }
      } finally {
        client.destroy();
        await service?.close();
      }
    });

  return program;
}

/** Entry point; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return (program.getOptionValue('exitCode') as number | undefined) ?? 0;
  } catch (err) {
    const code = (err as { exitCode?: number; code?: string }).exitCode;
    if (typeof code === 'number') return code; // commander already printed help or the error
    if (err instanceof ConfigError) {
      console.error(`export-watch: ${err.message}`);
      return 2;
    }
    console.error(`export-watch: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}
