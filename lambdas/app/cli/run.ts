import { join } from 'node:path';
import type { Command } from 'commander';
import type { CycleOutcome } from '#core/source.ts';
import type { NotifierOutcome } from '#notify/notifier.ts';
import { LocalRuntime } from '../local/runtime.ts';
import { LocalStartError } from '../local/services.ts';
import { stopOnSignals } from '../local/signals.ts';
import type { CliContext } from './context.ts';
import { describeNotifier, describeOutcome, printSummary } from './summary.ts';

/** `export-watch run [--once]`: the local runtime, once or on the stack's schedules. */
export function register(program: Command, { out, defaultDataDir }: CliContext): void {
  program
    .command('run')
    .description('Run the local runtime: embedded DynamoDB and SES, every enabled source on the stack schedules, then the notifier.')
    .option('--once', 'run every enabled source once, then the notifier, and exit (exit code 1 if a source failed)')
    .option('--config <file>', 'config file', 'export-watch.config.json')
    .option('--data-dir <dir>', 'where the local store and outbox live', defaultDataDir)
    .option('--ses-port <port>', 'port of the local SES web UI (0 = any free port)', (v) => Number.parseInt(v, 10), 8005)
    .option(
      '--links-port <port>',
      'port of the local confirm/unsubscribe link server (0 = any free port)',
      (v) => Number.parseInt(v, 10),
      8006,
    )
    .action(async (opts: { once?: boolean; config: string; dataDir: string; sesPort: number; linksPort: number }) => {
      let runtime: LocalRuntime;
      try {
        runtime = await LocalRuntime.start({
          dataDir: opts.dataDir,
          configFile: opts.config,
          sesPort: opts.sesPort,
          linksPort: opts.linksPort,
          log: out,
        });
      } catch (err) {
        if (!(err instanceof LocalStartError)) throw err;
        process.stderr.write(`export-watch: ${err.message}\n`);
        program.setOptionValue('exitCode', 1);
        return;
      }
      // Before the first cycle: Ctrl-C during it must release the leases it holds.
      const removeHandlers = stopOnSignals(runtime, { out, exit: (code) => process.exit(code) });
      out(`Local DynamoDB (dynalite): ${runtime.dynamo.url}  store: ${join(runtime.dataDir, 'dynamodb')}`);
      out(`Local SES web UI: ${runtime.ses.url}/  (.eml copies in ${join(runtime.dataDir, 'outbox')})`);
      if (!runtime.config.secUserAgent)
        out('Note: SEC_USER_AGENT is not set; SEC sources will fail until it is ("Company Name admin@example.com").');
      if (opts.once) {
        try {
          const ok = printSummary(await runtime.runOnce(), out);
          program.setOptionValue('exitCode', ok ? 0 : 1);
        } finally {
          removeHandlers();
          await runtime.stop();
        }
        return;
      }
      try {
        runtime.schedule((outcome, name) =>
          out(
            `[${new Date().toISOString()}] ${name === 'notifier' ? describeNotifier(outcome as NotifierOutcome) : describeOutcome(outcome as CycleOutcome)}`,
          ),
        );
        out('Running every enabled source once now, then on schedule (America/New_York). Ctrl-C stops.');
        printSummary(await runtime.runOnce(), out);
        for (const { name, next } of runtime.nextRuns()) out(`  next ${name}: ${next?.toISOString() ?? 'never'}`);
      } catch (err) {
        removeHandlers();
        await runtime.stop();
        throw err;
      }
      // Runs on schedule until a signal: the handlers stop the runtime and exit.
      await new Promise<never>(() => undefined);
    });
}
