import type { Schedule } from '#core/schedule.ts';

/**
 * Every assumption of the cost model, in one place: prices, free tiers, per-run figures of
 * each function, the workload and the resources the stack adds besides its functions.
 * `bench/cost-model.ts` turns them into a monthly cost; `bench/cost.ts` replaces the
 * per-run figures of the sources with counted demo runs and `bench/sector.ts` with a
 * replayed earnings week, both through the same model.
 */

/** Average days in a month (365.25 / 12). */
export const DAYS_PER_MONTH = 30.4375;

/** Prices used, USD, us-east-1, on-demand list prices (checked 2025; arm64 Lambda). */
export const PRICES = {
  region: 'us-east-1',
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  dynamoPerMillionWrites: 0.625,
  dynamoPerMillionReads: 0.125,
  dynamoStoragePerGbMonth: 0.25,
  dynamoPitrPerGbMonth: 0.2,
  schedulerPerMillionInvocations: 1.0,
  sesPerThousandEmails: 0.1,
  snsPerHundredThousandEmails: 2.0,
  snsPerMillionPublishes: 0.5,
  cloudWatchPerMetricMonth: 0.3,
  cloudWatchPerAlarmMonth: 0.1,
  cloudWatchPerDashboardMonth: 3.0,
  logsIngestionPerGb: 0.5,
  logsStoragePerGbMonth: 0.03,
  kmsPerKeyMonth: 1.0,
  kmsPerTenThousandRequests: 0.03,
  secretsPerSecretMonth: 0.4,
  secretsPerTenThousandCalls: 0.05,
  sqsPerMillionRequests: 0.4,
} as const;

/**
 * The always-free allowances that apply to this stack (per account and month; they are
 * shared with anything else in the account, hence shown separately).
 */
export const ALWAYS_FREE = {
  lambdaRequests: 1_000_000,
  lambdaGbSeconds: 400_000,
  dynamoStorageGb: 25,
  schedulerInvocations: 14_000_000,
  snsEmails: 1_000,
  snsPublishes: 1_000_000,
  cloudWatchMetrics: 10,
  cloudWatchAlarms: 10,
  cloudWatchDashboards: 3,
  logsIngestionGb: 5,
  logsStorageGb: 5,
  kmsRequests: 20_000,
  sqsRequests: 1_000_000,
} as const;

/** What one invocation of a function costs in time and DynamoDB requests. */
export interface RunFigures {
  avgDurationMs: number;
  /** DynamoDB read and write request units per invocation. */
  readUnitsPerRun: number;
  writeUnitsPerRun: number;
}

/** One scheduled (or event-driven) function. */
export interface FunctionAssumption extends RunFigures {
  name: string;
  /** Its schedule, or schedules (a base cadence and a burst window); runs are counted from them. */
  schedule?: Schedule | readonly Schedule[];
  /** Invocations besides the schedule (e.g. the notifier's change-log stream triggers). */
  extraInvocationsPerMonth?: number;
  /**
   * Per-run figures of those extra invocations when they differ from the scheduled ones:
   * an analysis triggered by `filing.new` fetches a document, its hourly sweep usually
   * finds nothing.
   */
  extraRun?: RunFigures;
  memoryMb: number;
  /** Log volume per invocation (START/END/REPORT, JSON logs, EMF metric records). */
  logKbPerRun: number;
}

/** Memory of every function (lib/watch-function.ts's default). */
export const FUNCTION_MEMORY_MB = 512;

/** Log volume of one source run. */
export const SOURCE_LOG_KB_PER_RUN = 4;

/**
 * Assumed per-run figures of each source; the benchmarks replace them with measurements
 * (bench/cost.ts counts demo runs).
 */
export const SOURCE_RUNS: Readonly<Record<string, RunFigures>> = {
  // Quiet cycles read one Atom feed (~250 ms) and make 7 DynamoDB calls (bench section 6
  // counts 1 request, 4 reads, 3 writes); a gap repair reads a few submissions files.
  'sec-filings': { avgDurationMs: 600, readUnitsPerRun: 4, writeUnitsPerRun: 4 },
  // Two small API queries per run.
  'federal-register': { avgDurationMs: 900, readUnitsPerRun: 3, writeUnitsPerRun: 4 },
  // Mostly 304 Not Modified (one request); now and then the full list (tens of MB) is
  // parsed and diffed (bench section 4: seconds) and its changes written.
  'entity-list': { avgDurationMs: 2000, readUnitsPerRun: 10, writeUnitsPerRun: 20 },
  // Read new filings from the change log; now and then stream an XBRL instance or filing
  // document (MBs) from EDGAR at the shared SEC rate.
  'sec-revenue': { avgDurationMs: 8000, readUnitsPerRun: 10, writeUnitsPerRun: 5 },
  'sec-export-language': { avgDurationMs: 8000, readUnitsPerRun: 10, writeUnitsPerRun: 5 },
  // One EFTS page per default phrase (4 requests at the SEC share, ~250 ms each) and one
  // query of the seen-mention items; a new mention adds one document fetch.
  'sec-full-text': { avgDurationMs: 1500, readUnitsPerRun: 4, writeUnitsPerRun: 4 },
};

/** A source with no figures of its own in {@link SOURCE_RUNS}. */
export const FALLBACK_SOURCE_RUN: RunFigures = { avgDurationMs: 5000, readUnitsPerRun: 20, writeUnitsPerRun: 10 };

/** A triggered analysis's scheduled sweep that finds no new filing: lease, state, one change-log query, lease release. */
export const QUIET_SWEEP_RUN: RunFigures = { avgDurationMs: 600, readUnitsPerRun: 3, writeUnitsPerRun: 3 };

/**
 * Analysis runs started by `filing.new` per month and analysis: the default watch-list
 * (7 companies, 10-K/10-Q/8-K/20-F/6-K) files about 15 times a month; a burst in one
 * minute is one run. Doubled for earnings seasons and amendments.
 */
export const TRIGGERED_ANALYSIS_RUNS_PER_MONTH = 30;

/**
 * The notifier besides its schedule (every 5 min): about one stream-triggered run per
 * batch of changes, ~30 a day assumed.
 */
export const NOTIFIER_RUN: Omit<FunctionAssumption, 'name' | 'schedule'> = {
  extraInvocationsPerMonth: 30 * DAYS_PER_MONTH,
  avgDurationMs: 600,
  memoryMb: FUNCTION_MEMORY_MB,
  logKbPerRun: 2,
  readUnitsPerRun: 2,
  writeUnitsPerRun: 1,
};

/**
 * The ops check: one consistent read of state and alert state per watched source and one
 * outbox query; writes only on changes of health.
 */
export const OPS_CHECK_RUN = {
  avgDurationMs: 400,
  memoryMb: FUNCTION_MEMORY_MB,
  logKbPerRun: 3,
  readUnitsPerSource: 2,
  readUnitsBesidesSources: 1,
  writeUnitsPerRun: 0.05,
} as const;

/**
 * The subscription function of the notifier's e-mail construct (confirm/unsubscribe links):
 * event-driven, a few invocations a day.
 */
export const SUBSCRIPTION_FUNCTION: FunctionAssumption = {
  name: 'subscriptions',
  extraInvocationsPerMonth: 100,
  avgDurationMs: 300,
  memoryMb: 256,
  logKbPerRun: 2,
  readUnitsPerRun: 1,
  writeUnitsPerRun: 1,
};

/**
 * The SES feedback function (bounces and complaints, lib/subscriber-email.ts): a few events a month,
 * one conditional update each. Its own Errors alarm and its dead-letter queue's alarm are
 * the cost of never losing a complaint (2 × $0.10 a month).
 */
export const FEEDBACK_FUNCTION: FunctionAssumption = {
  name: 'ses-feedback',
  extraInvocationsPerMonth: 20,
  avgDurationMs: 200,
  memoryMb: FUNCTION_MEMORY_MB,
  logKbPerRun: 1,
  readUnitsPerRun: 0,
  writeUnitsPerRun: 1,
};

/**
 * What the deployed stack has besides the sources, the notifier and the ops check: the
 * notifier's e-mail construct (subscription and SES feedback functions, the feedback
 * topic next to OpsAlerts, the link secret). Its dead-letter queues come from the design
 * (bench/designs.ts: one shared queue, lib/dead-letter-queue.ts).
 */
export const DEPLOYED_EXTRAS = {
  otherFunctions: [SUBSCRIPTION_FUNCTION, FEEDBACK_FUNCTION],
  encryptedTopics: 2,
  secrets: 1,
} as const;

/** The workload and the stored data of one deployment with the default watch-list. */
export const WORKLOAD = {
  /** One subscriber, ~5 immediate e-mails a working day. */
  subscriberEmailsPerMonth: 150,
  /** A couple of incidents with reminders, plus alarm state changes. */
  opsMessagesPerMonth: 30,
  /** All three tables with their GSIs. */
  dynamoStorageGb: 0.5,
  /** Log retention of the function log groups (lib/watch-function.ts: three months). */
  logRetentionMonths: 3,
  kmsRequestsPerMonth: 100,
  /** The notifier and the subscription function read each secret once per cold start. */
  secretCallsPerSecretPerMonth: 3000,
} as const;

/**
 * Latency assumed for one upstream request when pricing measured runs: the fakes answer
 * on loopback in about a millisecond, a real upstream in about this.
 */
export const ASSUMED_UPSTREAM_LATENCY_MS = 250;

/** Share of a polling source's runs that find news (the rest are quiet cycles). */
export const NEWS_SHARE = 0.05;
