import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { clockStartingAt, systemClock } from '#core/clock.ts';
import { DemoDirError, prepareDemoDir } from '../local/demo-dir.ts';
import { LocalRuntime, runningEndpoint } from '../local/runtime.ts';
import { stopOnSignals } from '../local/signals.ts';
import { type CliContext, isoDate } from './context.ts';
import { printSummary } from './summary.ts';

/** `export-watch demo`: the whole flow offline, against the recorded upstreams. */
export function register(program: Command, { out, defaultDataDir }: CliContext): void {
  program
    .command('demo')
    .description(
      'See the whole flow offline: a fake upstream (real shapes, partly made-up data), a baseline cycle, then a cycle with news.',
    )
    .option(
      '--data-dir <dir>',
      'data dir for the demo: new or empty, or an earlier demo dir (then its demo files are replaced)',
      join(defaultDataDir, 'demo'),
    )
    .option('--now <iso>', 'run the demo as of this instant (its clock starts there; dated demo data follows it); default: now', isoDate)
    .action(async (opts: { dataDir: string; now?: string }) => {
      // Loaded only for the demo: the recorded upstreams are test support, not part of the runtime.
      const { startDemoUpstream } = await import('#test/support/demo-upstream.ts');
      let dataDir: string;
      try {
        // A demo running on this dir right now would lose its store under it.
        if (await runningEndpoint(opts.dataDir))
          throw new DemoDirError(
            `--data-dir ${opts.dataDir} is in use by a running export-watch process; stop it or choose another directory`,
          );
        dataDir = prepareDemoDir(opts.dataDir);
      } catch (err) {
        if (!(err instanceof DemoDirError)) throw err;
        process.stderr.write(`export-watch: ${err.message}\n`);
        program.setOptionValue('exitCode', 1);
        return;
      }
      const clock = opts.now ? clockStartingAt(opts.now) : systemClock;
      const upstream = await startDemoUpstream({ now: clock.now() });
      out(`Fake upstream (real shapes, partly made-up data; see the README): ${upstream.fake.url}`);
      let runtime: LocalRuntime;
      try {
        runtime = await LocalRuntime.start({
          dataDir,
          sesPort: 0,
          clock,
          log: out,
          env: {
            ...upstream.fake.env(),
            SEC_USER_AGENT: process.env.SEC_USER_AGENT ?? 'export-watch demo demo@example.com',
            EXPORT_WATCH_DEMO: '1',
          },
        });
      } catch (err) {
        await upstream.fake.stop(); // a listening fake upstream would keep the process alive after the error
        throw err;
      }
      const removeHandlers = stopOnSignals(
        { interrupt: () => runtime.interrupt().finally(() => upstream.fake.stop()) },
        { out, exit: (code) => process.exit(code) },
      );
      try {
        out('\n1) Baseline cycle: records what exists, emails nobody.');
        const first = printSummary(await runtime.runOnce(), out);
        out('\n2) The upstream data now contains news; second cycle:');
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
        removeHandlers();
        await runtime.stop();
        await upstream.fake.stop();
      }
    });
}
