import { SESClient } from '@aws-sdk/client-ses';
import type { Change, SourceName } from '#core/change.ts';
import { ManualClock } from '#core/clock.ts';
import type { AppConfig } from '#core/config.ts';
import { type CycleDeps, type CycleOutcome, runSourceCycle } from '#core/source.ts';
import type { LocalService } from '#app/local/services.ts';
import { SesMailer } from '#adapters/mailer.ts';
import type { Mailer } from '#core/ports.ts';
import { runNotifier } from '#notify/notifier.ts';
import { createCycleDeps, createUpstreamClient } from '#app/compose.ts';
import { SOURCES } from '#sources/index.ts';
import { ensureTables } from '#store/create-tables.ts';
import { DynamoSubscribers } from '#store/subscribers.ts';
import type { FakeUpstream } from './fake-upstream.ts';
import { type DemoPhase, startDemoUpstream } from './demo-upstream.ts';
import { type LocalDynamo, startLocalDynamo, startLocalSes, testConfig } from './local-aws.ts';

/** Where a world's manual clock starts unless told: Tuesday 2026-03-03 10:00 ET, inside SEC filing hours. */
export const WORLD_START = new Date('2026-03-03T15:00:00Z');

/** The shared services a {@link World} runs on. */
export interface WorldServices {
  fake: FakeUpstream;
  local: LocalDynamo;
  ses: LocalService;
}

/**
 * A complete export-watch on shared local services: fresh tables, every implemented
 * source, the notifier sending through local SES, a manual clock, and an HTTP client with
 * short timeouts and no politeness waits. Reliability tests drive it cycle by cycle.
 */
export async function createWorld(services: WorldServices, options: { start?: Date; mailer?: (ses: Mailer) => Mailer } = {}) {
  const env = { ...services.fake.env(), SEC_USER_AGENT: 'export-watch reliability tests tests@example.com' };
  const config: AppConfig = testConfig(env);
  await ensureTables(services.local.client, config.tables);
  const clock = new ManualClock(options.start ?? WORLD_START);
  const http = createUpstreamClient(config, {
    secRequestsPerSecond: 1000,
    otherRequestsPerSecond: 1000,
    backoffBaseMs: 1,
    maxBackoffMs: 5,
    maxRetries: 1,
    timeoutMs: 400,
    maxBodyBytes: 2 * 1024 * 1024,
  });
  const deps: CycleDeps = createCycleDeps(config, { db: services.local.db, clock, http });
  const subscribers = new DynamoSubscribers(services.local.db, config.tables.subscribers);
  const sesMailer = new SesMailer(
    new SESClient({
      endpoint: services.ses.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: { requestTimeout: 5000, throwOnRequestTimeout: true },
    }),
  );
  const mailer = options.mailer ? options.mailer(sesMailer) : sesMailer;
  const notify = () =>
    runNotifier({ changes: deps.changes, subscribers, mailer, clock, senderEmail: config.senderEmail, seeds: config.subscribers });
  const runSources = async () => {
    const outcomes = new Map<SourceName, CycleOutcome>();
    for (const name of Object.keys(SOURCES) as SourceName[]) {
      const source = SOURCES[name];
      if (source) outcomes.set(name, await runSourceCycle(source, deps));
    }
    return outcomes;
  };
  /** Every source, then the notifier: one cycle of the local runtime. */
  const cycle = async () => {
    const outcomes = await runSources();
    const notifier = await notify();
    return { outcomes, notifier };
  };
  const changesOf = async (source: SourceName): Promise<Change[]> => {
    const out: Change[] = [];
    for await (const c of deps.changes.query({ source })) out.push(c);
    return out;
  };
  const allChanges = async () => (await Promise.all((Object.keys(SOURCES) as SourceName[]).map(changesOf))).flat();
  return { config, clock, deps, subscribers, cycle, runSources, notify, changesOf, allChanges };
}

export type World = Awaited<ReturnType<typeof createWorld>>;

/** Recipients of the emails local SES holds. */
export async function sesRecipients(ses: LocalService): Promise<string[]> {
  const store = (await (await fetch(`${ses.url}/store`)).json()) as { emails: Array<{ destination: { to: string[] } }> };
  return store.emails.flatMap((e) => e.destination.to);
}

/** The route each source depends on first, where fault tests inject (sources sharing a route fail together). */
export const PRIMARY_ROUTE: Partial<Record<SourceName, RegExp>> = {
  'sec-filings': /^\/cgi-bin\/browse-edgar$/,
  'federal-register': /^\/api\/v1\/documents\.json$/,
  'entity-list': /^\/downloadable_consolidated_screening_list\//,
  'sec-revenue': /^\/Archives\/edgar\/data\//,
  'sec-export-language': /^\/Archives\/edgar\/data\//,
  'sec-full-text': /^\/LATEST\/search-index$/,
};

/** Routes a source reads besides its primary one: a fault there hits it too (sec-full-text reads each new mention's document). */
export const ALSO_READS: Partial<Record<SourceName, RegExp[]>> = {
  'sec-full-text': [/^\/Archives\/edgar\/data\//],
};

/** Analyses fed by another source's changes: while it fails they have nothing new to do. */
export const FED_BY: Partial<Record<SourceName, SourceName>> = {
  'sec-revenue': 'sec-filings',
  'sec-export-language': 'sec-filings',
};

/** The implemented sources that have a primary route to fault. */
export const FAULTABLE_SOURCES: SourceName[] = (Object.keys(SOURCES) as SourceName[]).filter((s) => PRIMARY_ROUTE[s]);

/** The sources a fault on `source`'s primary route hits (itself included). */
export function sourcesSharingRoute(source: SourceName): SourceName[] {
  const route = String(PRIMARY_ROUTE[source]);
  return FAULTABLE_SOURCES.filter((s) => String(PRIMARY_ROUTE[s]) === route || (ALSO_READS[s] ?? []).some((r) => String(r) === route));
}

/** The services of a fault test and its fault-free reference run ({@link startFaultHarness}). */
export interface FaultHarness {
  upstream: { fake: FakeUpstream; setPhase(phase: DemoPhase): void };
  local: LocalDynamo;
  ses: LocalService;
  /** Every source's natural keys after a quiet and a news cycle with no fault. */
  reference: Map<SourceName, string[]>;
  stop(): Promise<void>;
}

/**
 * Start the demo upstream, dynalite and local SES, and record the reference: the same two
 * phases (quiet, then news) run with no fault, so a faulted world can be compared with it.
 */
export async function startFaultHarness(start: Date = WORLD_START): Promise<FaultHarness> {
  const upstream = await startDemoUpstream({ now: start });
  const local = await startLocalDynamo(testConfig().tables);
  const ses = await startLocalSes();
  const w = await createWorld({ fake: upstream.fake, local, ses }, { start });
  upstream.setPhase('quiet');
  await w.cycle();
  upstream.setPhase('news');
  await w.cycle();
  const reference = new Map<SourceName, string[]>();
  for (const s of Object.keys(SOURCES) as SourceName[]) reference.set(s, (await w.changesOf(s)).map((c) => c.naturalKey).sort());
  return {
    upstream,
    local,
    ses,
    reference,
    stop: async () => {
      await upstream.fake.stop();
      await ses.close();
      await local.stop();
    },
  };
}
