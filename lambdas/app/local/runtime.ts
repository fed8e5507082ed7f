import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { join, resolve } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Cron } from 'croner';
import type { SourceName } from '#core/change.ts';
import { type Clock, systemClock } from '#core/clock.ts';
import { type AppConfig, loadConfig } from '#core/config.ts';
import type { UpstreamClient } from '#core/http.ts';
import type { ItemWrite, SourceState, SourceStatePort } from '#core/ports.ts';
import { analysesTriggeredBy, cadencesOf, DEFAULT_SCHEDULES, SCHEDULE_TIME_ZONE, toCronPattern } from '#core/schedule.ts';
import { type CycleDeps, type CycleOutcome, runSourceCycle } from '#core/source.ts';
import { startLinkServer } from './link-server.ts';
import type { LinkSettings } from '#notify/links.ts';
import type { Mailer } from '#core/ports.ts';
import { type NotifierOutcome, runNotifier } from '#notify/notifier.ts';
import { localKeyFile } from '#adapters/key-file.ts';
import { handleLinkRequest } from '#notify/subscription.ts';
import { type OpsCheckOutcome, runOpsCheck } from '#ops/check.ts';
import { OPS_CHECK_SCHEDULE } from '#ops/schedule.ts';
import {
  composeNotifierDeps,
  composeOpsCheckDeps,
  composeSubscribers,
  createCycleDeps,
  localClients,
  mailOpsPublisher,
  outboxMailer,
} from '../compose.ts';
import { SOURCES } from '#sources/index.ts';
import { ensureTables } from '#store/create-tables.ts';
import { DynamoSourceState } from '#store/source-state.ts';
import { lockDataDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, PRIVATE_UMASK, securePrivateDir } from './data-dir.ts';
import { LocalStartError, type LocalService, portError, startDynalite, startSesLocal, useLocalEndpoints } from './services.ts';

export interface LocalRuntimeOptions {
  dataDir: string;
  /** Config file path; default `export-watch.config.json` in the working directory. */
  configFile?: string | undefined;
  /** Extra environment (e.g. upstream URLs of a fake server) layered over process.env. */
  env?: Record<string, string> | undefined;
  /** Port of the local SES web UI; 0 = any free port. */
  sesPort?: number | undefined;
  /** Port of the local confirm/unsubscribe link server (loopback); default 0 = any free port. */
  linksPort?: number | undefined;
  clock?: Clock;
  http?: UpstreamClient;
  log?: (line: string) => void;
}

/** One local cycle: every enabled source, then the notifier, then the ops check. */
export interface CycleSummary {
  sources: CycleOutcome[];
  notifier: NotifierOutcome;
  ops: OpsCheckOutcome;
}

/**
 * The local runtime: embedded DynamoDB (dynalite, persisted under the data dir), local
 * SES (aws-ses-v2-local and its web UI), the project's tables, and the same use cases the
 * Lambdas run. Every email sent is also written to `<data-dir>/outbox/<messageId>.eml`.
 */
export class LocalRuntime {
  private crons: Cron[] = [];
  /** The job of each cron, by index (a source with a burst window has two). */
  private cronNames: string[] = [];
  private running: Promise<unknown> = Promise.resolve();
  /** The local confirm/unsubscribe server: the function URL's stand-in, same handler logic. */
  links: LocalService | undefined;
  /** Link base URL and signing key (`<data-dir>/unsubscribe.key`, mode 0600). */
  private linkSettings: LinkSettings | undefined;
  /** Clean-up of {@link start}: the pid file and the umask, undone when the services stop. */
  private releaseDataDir: () => void = () => undefined;

  private constructor(
    readonly config: AppConfig,
    readonly dataDir: string,
    readonly dynamo: LocalService,
    readonly ses: LocalService,
    private readonly deps: CycleDeps & { db: DynamoDBDocumentClient },
    private readonly leases: LeaseTrackingState,
    private readonly mailer: Mailer,
    private readonly log: (line: string) => void,
  ) {}

  static async start(options: LocalRuntimeOptions): Promise<LocalRuntime> {
    const dataDir = resolve(options.dataDir);
    const log = options.log ?? ((line: string) => console.log(line));
    const env = { ...process.env, ...options.env };
    if (options.configFile) env.EXPORT_WATCH_CONFIG = options.configFile;
    const config = loadConfig(env);
    // The data dir holds subscriber data and every email sent (unsubscribe tokens):
    // 0700, with the runtime's own files in it 0600, tightened if an older version left
    // them readable by others.
    const tightened = securePrivateDir(dataDir);
    if (tightened.length > 0) {
      log(
        `${dataDir}: ${tightened.length} entr${tightened.length === 1 ? 'y was' : 'ies were'} readable by other users (${tightened.slice(0, 3).join(', ')}${tightened.length > 3 ? ', …' : ''}); now 0700/0600`,
      );
    }
    // LevelDB allows one process per store; a second one would fail on its first request
    // ("Database is closed", thrown inside dynalite where nothing can catch it). The pid
    // file is claimed atomically before the store is opened, so of two runs started
    // together one says which PID holds the dir and the other runs.
    const unlock = lockDataDir(dataDir);
    // Files the store (native LevelDB) and the outbox mailer create from now on: 0600.
    const previousUmask = isMainThread ? process.umask(PRIVATE_UMASK) : undefined;
    const releaseDataDir = () => {
      if (previousUmask !== undefined) process.umask(previousUmask);
      unlock();
    };
    // Whatever started before a failure is stopped again: a server left listening would
    // keep the process alive after the error (the demo used to hang this way).
    const started: Array<() => Promise<void>> = [async () => releaseDataDir()];
    const undo = async () => {
      for (const close of started.reverse()) await close().catch(() => undefined);
    };
    let runtime: LocalRuntime;
    try {
      // A runtime of a version without the pid file may still serve this dir.
      const running = await runningEndpoint(dataDir);
      if (running)
        throw new LocalStartError(
          `--data-dir ${options.dataDir} is in use by another export-watch process (its store answers at ${running}); stop it, or choose another --data-dir`,
        );
      mkdirSync(join(dataDir, 'outbox'), { recursive: true, mode: PRIVATE_DIR_MODE });
      const dynamo = await startDynalite({ path: join(dataDir, 'dynamodb') });
      started.push(() => dynamo.close());
      const ses = await startSesLocal({ port: options.sesPort ?? 0 });
      started.push(() => ses.close());
      useLocalEndpoints(dynamo.url, ses.url);
      writeFileSync(endpointFile(dataDir), dynamo.url, { mode: PRIVATE_FILE_MODE });
      started.push(async () => rmSync(endpointFile(dataDir), { force: true }));
      const clients = localClients({ dynamo: dynamo.url, ses: ses.url });
      await ensureTables(clients.dynamo, config.tables);
      const db = clients.db;
      const deps = createCycleDeps(config, {
        db,
        clock: options.clock ?? systemClock,
        ...(options.http ? { http: options.http } : {}),
      });
      const leases = new LeaseTrackingState(deps.state, `export-watch local runtime (pid ${process.pid} on ${hostname()})`);
      await releaseLeftoverLeases(new DynamoSourceState(db, config.tables.state), log);
      const mailer = outboxMailer(clients, join(dataDir, 'outbox'));
      runtime = new LocalRuntime(config, dataDir, dynamo, ses, { ...deps, state: leases }, leases, mailer, log);
      runtime.releaseDataDir = releaseDataDir;
    } catch (err) {
      await undo();
      throw err;
    }
    try {
      await runtime.startLinks(options.linksPort ?? 0);
    } catch (err) {
      await runtime.stop();
      throw portError(err, 'local confirm/unsubscribe link server', options.linksPort ?? 0, '--links-port');
    }
    return runtime;
  }

  /** Serve confirm/unsubscribe links on loopback with the key persisted in the data dir. */
  private async startLinks(port: number): Promise<void> {
    const key = localKeyFile(join(this.dataDir, 'unsubscribe.key'));
    await key(); // created now (mode 0600), not at the first email
    const subscribers = composeSubscribers(this.config, this.deps);
    this.links = await startLinkServer((req) => handleLinkRequest(req, { subscribers, key, clock: this.deps.clock }), { port });
    const publicBaseUrl = this.config.email.publicBaseUrl;
    this.linkSettings = {
      baseUrl: publicBaseUrl ?? this.links.url,
      key,
      mailto: this.config.email.unsubscribeMailto,
      // Said in the email: a reader clicking after `run --once` or the demo finds nothing there.
      note: publicBaseUrl
        ? undefined
        : `Sent by a local export-watch process: its links go to ${this.links.url}, which answers only while that process runs (after run --once or the demo they lead nowhere).`,
    };
    this.log(`Confirm/unsubscribe links (local): ${this.links.url}/`);
  }

  /** Sources enabled in the config and implemented. */
  enabledSources(): SourceName[] {
    return (Object.keys(SOURCES) as SourceName[]).filter((name) => this.config.sources[name]?.enabled !== false);
  }

  /** Run one source's cycle. */
  async runSource(name: SourceName): Promise<CycleOutcome> {
    const source = SOURCES[name];
    if (!source) throw new Error(`source ${name} is not implemented`);
    return runSourceCycle(source, this.deps);
  }

  /**
   * Run one source's cycle and what it triggers: after a `sec-filings` cycle that found
   * new filings, the revenue and export-language analyses run at once, in-process (the
   * stand-in for the change-log stream triggers of the stack). Their own schedules stay
   * the catch-up sweep. Outcomes in run order, the source's first.
   */
  async runTriggered(name: SourceName): Promise<CycleOutcome[]> {
    const first = await this.runSource(name);
    const outcomes = [first];
    for (const analysis of analysesTriggeredBy(first, this.enabledSources())) outcomes.push(await this.runSource(analysis));
    return outcomes;
  }

  /** Drain the outbox to local SES. */
  async runNotifier(): Promise<NotifierOutcome> {
    return runNotifier({
      ...composeNotifierDeps(this.config, this.deps, {
        mailer: this.mailer,
        links: this.linkSettings,
        clock: this.deps.clock,
        demo: this.config.demo,
      }),
      changes: this.deps.changes,
    });
  }

  /**
   * Check source health and alert ops: the scheduled ops-check Lambda's use case, with the
   * ops addresses of the config (`ops.emails`) mailed through local SES instead of the
   * OpsAlerts topic. Subscribers are never among the recipients.
   */
  async runOpsCheck(): Promise<OpsCheckOutcome> {
    return runOpsCheck({
      ...composeOpsCheckDeps(this.config, this.deps, {
        sources: this.enabledSources(),
        state: this.deps.state,
        publisher: mailOpsPublisher(this.config, this.mailer, this.log),
        clock: this.deps.clock,
        origin: `local runtime, ${this.dataDir}`,
      }),
      changes: this.deps.changes,
    });
  }

  /** Every enabled source once (sources are independent: one failing never stops the others), then the notifier, then the ops check. */
  async runOnce(): Promise<CycleSummary> {
    const sources: CycleOutcome[] = [];
    for (const name of this.enabledSources()) {
      sources.push(await this.runSource(name));
    }
    const notifier = await this.runNotifier();
    const ops = await this.runOpsCheck();
    return { sources, notifier, ops };
  }

  /** Run on the deployed schedules (America/New_York), serialising runs like reserved concurrency 1 does. */
  schedule(onOutcome: (outcome: CycleOutcome | NotifierOutcome, name: string) => void): void {
    const enqueue = (name: string, task: () => Promise<CycleOutcome | NotifierOutcome>) => {
      this.running = this.running.then(task).then(
        (outcome) => onOutcome(outcome, name),
        (err) => this.log(`${name}: ${(err as Error).message}`),
      );
    };
    // The ops check reports through its publisher (mail + log line), not onOutcome.
    const checkOps = () => {
      this.running = this.running
        .then(() => this.runOpsCheck())
        .then(
          (ops) => {
            for (const f of ops.failures) this.log(`ops-check: ${f.source}: ${f.error}`);
          },
          (err) => this.log(`ops-check: ${(err as Error).message}`),
        );
    };
    for (const name of this.enabledSources()) {
      // A source runs on its base cadence and, if it has one, its burst window; a
      // sec-filings cycle with new filings runs the analyses right after it (runTriggered).
      for (const cadence of cadencesOf(name)) {
        this.crons.push(
          new Cron(toCronPattern(cadence), { timezone: SCHEDULE_TIME_ZONE, protect: true }, () => {
            this.running = this.running
              .then(() => this.runTriggered(name))
              .then(
                (outcomes) => {
                  for (const o of outcomes) onOutcome(o, o.source);
                },
                (err) => this.log(`${name}: ${(err as Error).message}`),
              );
            enqueue('notifier', () => this.runNotifier());
            checkOps();
          }),
        );
        this.cronNames.push(name);
      }
    }
    this.crons.push(
      new Cron(toCronPattern(DEFAULT_SCHEDULES.notifier), { timezone: SCHEDULE_TIME_ZONE, protect: true }, () =>
        enqueue('notifier', () => this.runNotifier()),
      ),
    );
    this.cronNames.push('notifier');
    // On its own schedule too, as in AWS: staleness must fire even when no source runs.
    this.crons.push(new Cron(toCronPattern(OPS_CHECK_SCHEDULE), { timezone: SCHEDULE_TIME_ZONE, protect: true }, checkOps));
    this.cronNames.push('ops-check');
  }

  /** Next run time per scheduled job. */
  nextRuns(): Array<{ name: string; next: Date | null }> {
    return this.crons.map((c, i) => ({ name: this.cronNames[i] ?? '?', next: c.nextRun() }));
  }

  /** Stop after the running job finishes: schedules, then the services. */
  async stop(): Promise<void> {
    for (const c of this.crons) c.stop();
    await this.running.catch(() => undefined);
    await this.closeServices();
  }

  /**
   * Stop now, in the middle of a cycle (Ctrl-C, SIGTERM): release the leases this process
   * holds, then stop the services. Without the release an interrupted cycle kept its
   * source's lease for 15 minutes and the next run skipped that source. The interrupted
   * cycle advances nothing (its cursor is written last), so the next run repeats it.
   *
   * @returns the sources whose lease was released.
   */
  async interrupt(): Promise<SourceName[]> {
    for (const c of this.crons) c.stop();
    const released = await this.leases.releaseHeld();
    await this.closeServices();
    return released;
  }

  private async closeServices(): Promise<void> {
    await this.leases.releaseHeld();
    rmSync(endpointFile(this.dataDir), { force: true });
    await this.links?.close();
    await this.ses.close();
    await this.dynamo.close();
    this.releaseDataDir();
  }
}

/**
 * The source-state port, remembering the leases this process holds so that
 * {@link LocalRuntime.interrupt} can release them. The owner it stores names this process
 * (`status` shows it), with the cycle's own id after it.
 */
class LeaseTrackingState implements SourceStatePort {
  private readonly held = new Map<SourceName, string>();

  constructor(
    private readonly inner: SourceStatePort,
    private readonly holder: string,
  ) {}

  get(source: SourceName) {
    return this.inner.get(source);
  }
  put(state: SourceState) {
    return this.inner.put(state);
  }
  list() {
    return this.inner.list();
  }
  getItem(source: SourceName, key: string) {
    return this.inner.getItem(source, key);
  }
  getItems(source: SourceName, keyPrefix: string) {
    return this.inner.getItems(source, keyPrefix);
  }
  putItems(source: SourceName, writes: ItemWrite[]) {
    return this.inner.putItems(source, writes);
  }

  async acquireLease(source: SourceName, owner: string, until: Date, now: Date): Promise<boolean> {
    const stored = `${this.holder} ${owner}`;
    const acquired = await this.inner.acquireLease(source, stored, until, now);
    if (acquired) this.held.set(source, stored);
    return acquired;
  }

  async releaseLease(source: SourceName, owner: string): Promise<void> {
    const stored = `${this.holder} ${owner}`;
    await this.inner.releaseLease(source, stored);
    if (this.held.get(source) === stored) this.held.delete(source);
  }

  /** Release every lease still held; the sources released. */
  async releaseHeld(): Promise<SourceName[]> {
    const held = [...this.held];
    this.held.clear();
    await Promise.all(held.map(([source, owner]) => this.inner.releaseLease(source, owner).catch(() => undefined)));
    return held.map(([source]) => source);
  }
}

/**
 * Release leases left in the local store by a run that was killed (SIGKILL, a crash, an
 * older version without the Ctrl-C handler). Safe because the store is this process's
 * alone once it opened it (LevelDB allows one process per store): no live run can hold one.
 */
async function releaseLeftoverLeases(state: DynamoSourceState, log: (line: string) => void): Promise<void> {
  for (const lease of await state.leases()) {
    await state.releaseLease(lease.source, lease.owner);
    log(`${lease.source}: released the lease of an interrupted run (held by ${lease.owner} until ${lease.until})`);
  }
}

function endpointFile(dataDir: string): string {
  return join(dataDir, 'dynamodb.endpoint');
}

/**
 * The endpoint of a runtime already serving this data dir, if one answers (LevelDB allows
 * one process per store, so readers attach to the running one instead of opening it).
 */
export async function runningEndpoint(dataDir: string): Promise<string | undefined> {
  const file = endpointFile(resolve(dataDir));
  if (!existsSync(file)) return undefined;
  const url = readFileSync(file, 'utf8').trim();
  try {
    await fetch(url, { method: 'POST', signal: AbortSignal.timeout(1000) });
    return url;
  } catch {
    return undefined;
  }
}
