import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Cron } from 'croner';
import type { SourceName } from '#core/change.ts';
import type { ObservabilityMode } from '#core/config.ts';
import { DEFAULT_SCHEDULES, SCHEDULE_TIME_ZONE, type Schedule, toCronPattern } from '#core/schedule.ts';
import { OPS_CHECK_SCHEDULE } from '#ops/schedule.ts';
import { SOURCES } from '#sources/index.ts';
import {
  ALWAYS_FREE,
  DAYS_PER_MONTH,
  DEPLOYED_EXTRAS,
  FALLBACK_SOURCE_RUN,
  type FunctionAssumption,
  NOTIFIER_RUN,
  OPS_CHECK_RUN,
  PRICES,
  QUIET_SWEEP_RUN,
  SOURCE_LOG_KB_PER_RUN,
  SOURCE_RUNS,
  FUNCTION_MEMORY_MB,
  TRIGGERED_ANALYSIS_RUNS_PER_MONTH,
  WORKLOAD,
} from './cost-assumptions.ts';
import { EVENT_DRIVEN_DESIGN, type PipelineDesign } from './designs.ts';

/**
 * A monthly cost model of a deployment, computed from the schedules: how often each
 * function runs is counted from its cron (EventBridge Scheduler fires exactly those
 * runs), everything else is an explicit assumption of bench/cost-assumptions.ts.
 * `npx tsx bench/cost-model.ts` prints the table of docs/operations.md; the benchmarks
 * can pass measured durations and request counts instead of the assumed ones.
 */

/**
 * Scheduled runs in an average month: the cron is enumerated over four whole weeks in
 * America/New_York (so weekday-only and business-hour schedules count right) and scaled.
 */
export function runsPerMonth(schedule: Schedule): number {
  const cron = new Cron(toCronPattern(schedule), { timezone: SCHEDULE_TIME_ZONE });
  // Four weeks without a daylight-saving change (a DST week adds or drops an hour of runs).
  const start = new Date('2025-01-06T05:00:00Z'); // Monday 00:00 EST
  const end = new Date(start.getTime() + 28 * 86_400_000);
  let at = new Date(start.getTime() - 1); // nextRun is strictly after: include a run at the start
  let runs = 0;
  for (;;) {
    const next = cron.nextRun(at);
    if (!next || next.getTime() >= end.getTime()) break;
    runs++;
    at = next;
  }
  cron.stop();
  return (runs * DAYS_PER_MONTH) / 28;
}

/** Everything the model assumes. */
export interface CostAssumptions {
  functions: FunctionAssumption[];
  /** Subscriber e-mails per month (SES). */
  subscriberEmailsPerMonth: number;
  /** Ops messages per month: ops-check alerts plus alarm notifications (SNS e-mail). */
  opsMessagesPerMonth: number;
  /** Custom metrics (name × dimension values) emitted every hour of the month. */
  customMetrics: number;
  alarms: number;
  dashboards: number;
  /** Table storage, all three tables with their GSIs. */
  dynamoStorageGb: number;
  /** Log retention of the function log groups. */
  logRetentionMonths: number;
  /** Customer-managed KMS keys (the OpsAlerts topic key; in full also the SES feedback topic key). */
  kmsKeys: number;
  /** KMS requests: each SNS publish to an encrypted topic needs a data key. */
  kmsRequestsPerMonth: number;
  /** Secrets Manager secrets (the subscriber-link signing key) and reads of them (cached per container). */
  secrets: number;
  secretCallsPerMonth: number;
  /** Dead-letter queues (empty when healthy; each has an alarm, counted in {@link alarms}). @default 2 */
  deadLetterQueues?: number;
}

/** One row of the model. */
export interface CostRow {
  service: string;
  /** What is counted, with the quantities. */
  detail: string;
  /** List price, no free tier. */
  monthlyUsd: number;
  /** After the always-free allowances (if nothing else in the account uses them). */
  monthlyUsdAfterFreeTier: number;
}

/** The model's result. */
export interface CostModel {
  rows: CostRow[];
  totalUsd: number;
  totalUsdAfterFreeTier: number;
  invocationsPerMonth: Record<string, number>;
}

const over = (quantity: number, free: number) => Math.max(0, quantity - free);

/** Compute the monthly cost. */
export function estimateMonthlyCost(a: CostAssumptions, prices: typeof PRICES = PRICES): CostModel {
  const invocationsPerMonth: Record<string, number> = {};
  let invocations = 0;
  let scheduled = 0;
  let gbSeconds = 0;
  let logGb = 0;
  let reads = 0;
  let writes = 0;
  for (const fn of a.functions) {
    const cadences: readonly Schedule[] =
      fn.schedule === undefined ? [] : Array.isArray(fn.schedule) ? fn.schedule : [fn.schedule as Schedule];
    const runs = cadences.reduce((sum, c) => sum + runsPerMonth(c), 0);
    const extra = fn.extraInvocationsPerMonth ?? 0;
    const extraRun = fn.extraRun ?? fn;
    const total = runs + extra;
    invocationsPerMonth[fn.name] = Math.round(total);
    scheduled += runs;
    invocations += total;
    gbSeconds += ((runs * fn.avgDurationMs + extra * extraRun.avgDurationMs) / 1000) * (fn.memoryMb / 1024);
    logGb += (total * fn.logKbPerRun) / (1024 * 1024);
    reads += runs * fn.readUnitsPerRun + extra * extraRun.readUnitsPerRun;
    writes += runs * fn.writeUnitsPerRun + extra * extraRun.writeUnitsPerRun;
  }
  const storedLogGb = logGb * a.logRetentionMonths;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const snsPublishes = a.opsMessagesPerMonth;

  const rows: CostRow[] = [
    {
      service: 'Lambda',
      detail: `${fmt(invocations)} invocations, ${fmt(gbSeconds)} GB-s (arm64)`,
      monthlyUsd: (invocations / 1e6) * prices.lambdaPerMillionRequests + gbSeconds * prices.lambdaPerGbSecond,
      monthlyUsdAfterFreeTier:
        (over(invocations, ALWAYS_FREE.lambdaRequests) / 1e6) * prices.lambdaPerMillionRequests +
        over(gbSeconds, ALWAYS_FREE.lambdaGbSeconds) * prices.lambdaPerGbSecond,
    },
    {
      service: 'DynamoDB (on demand)',
      detail: `${fmt(reads)} RRU, ${fmt(writes)} WRU, ${a.dynamoStorageGb} GB stored + PITR`,
      monthlyUsd:
        (reads / 1e6) * prices.dynamoPerMillionReads +
        (writes / 1e6) * prices.dynamoPerMillionWrites +
        a.dynamoStorageGb * (prices.dynamoStoragePerGbMonth + prices.dynamoPitrPerGbMonth),
      monthlyUsdAfterFreeTier:
        (reads / 1e6) * prices.dynamoPerMillionReads +
        (writes / 1e6) * prices.dynamoPerMillionWrites +
        over(a.dynamoStorageGb, ALWAYS_FREE.dynamoStorageGb) * prices.dynamoStoragePerGbMonth +
        a.dynamoStorageGb * prices.dynamoPitrPerGbMonth,
    },
    {
      service: 'EventBridge Scheduler',
      detail: `${fmt(scheduled)} scheduled invocations`,
      monthlyUsd: (scheduled / 1e6) * prices.schedulerPerMillionInvocations,
      monthlyUsdAfterFreeTier: (over(scheduled, ALWAYS_FREE.schedulerInvocations) / 1e6) * prices.schedulerPerMillionInvocations,
    },
    {
      service: 'SES',
      detail: `${fmt(a.subscriberEmailsPerMonth)} subscriber e-mails`,
      monthlyUsd: (a.subscriberEmailsPerMonth / 1000) * prices.sesPerThousandEmails,
      monthlyUsdAfterFreeTier: (a.subscriberEmailsPerMonth / 1000) * prices.sesPerThousandEmails,
    },
    {
      service: 'SNS',
      detail: `${fmt(a.opsMessagesPerMonth)} ops e-mails (alerts, reminders, alarms)`,
      monthlyUsd: (a.opsMessagesPerMonth / 1e5) * prices.snsPerHundredThousandEmails + (snsPublishes / 1e6) * prices.snsPerMillionPublishes,
      monthlyUsdAfterFreeTier:
        (over(a.opsMessagesPerMonth, ALWAYS_FREE.snsEmails) / 1e5) * prices.snsPerHundredThousandEmails +
        (over(snsPublishes, ALWAYS_FREE.snsPublishes) / 1e6) * prices.snsPerMillionPublishes,
    },
    {
      service: 'CloudWatch metrics',
      detail: `${a.customMetrics} custom ${a.customMetrics === 1 ? 'metric' : 'metrics'} (EMF)`,
      monthlyUsd: a.customMetrics * prices.cloudWatchPerMetricMonth,
      monthlyUsdAfterFreeTier: over(a.customMetrics, ALWAYS_FREE.cloudWatchMetrics) * prices.cloudWatchPerMetricMonth,
    },
    {
      service: 'CloudWatch alarms',
      detail: `${a.alarms} standard-resolution alarms`,
      monthlyUsd: a.alarms * prices.cloudWatchPerAlarmMonth,
      monthlyUsdAfterFreeTier: over(a.alarms, ALWAYS_FREE.cloudWatchAlarms) * prices.cloudWatchPerAlarmMonth,
    },
    {
      service: 'CloudWatch dashboard',
      detail: a.dashboards === 1 ? '1 dashboard' : `${a.dashboards} dashboards`,
      monthlyUsd: a.dashboards * prices.cloudWatchPerDashboardMonth,
      monthlyUsdAfterFreeTier: over(a.dashboards, ALWAYS_FREE.cloudWatchDashboards) * prices.cloudWatchPerDashboardMonth,
    },
    {
      service: 'CloudWatch Logs',
      detail: `${(logGb * 1024).toFixed(0)} MB ingested, ≤ ${(storedLogGb * 1024).toFixed(0)} MB stored (${a.logRetentionMonths}-month retention)`,
      monthlyUsd: logGb * prices.logsIngestionPerGb + storedLogGb * prices.logsStoragePerGbMonth,
      monthlyUsdAfterFreeTier:
        over(logGb, ALWAYS_FREE.logsIngestionGb) * prices.logsIngestionPerGb +
        over(storedLogGb, ALWAYS_FREE.logsStorageGb) * prices.logsStoragePerGbMonth,
    },
    {
      service: 'Secrets Manager',
      detail: `${a.secrets} secret (subscriber-link signing key), ${fmt(a.secretCallsPerMonth)} reads`,
      monthlyUsd: a.secrets * prices.secretsPerSecretMonth + (a.secretCallsPerMonth / 1e4) * prices.secretsPerTenThousandCalls,
      monthlyUsdAfterFreeTier: a.secrets * prices.secretsPerSecretMonth + (a.secretCallsPerMonth / 1e4) * prices.secretsPerTenThousandCalls,
    },
    {
      service: 'KMS',
      detail: `${a.kmsKeys} customer-managed ${a.kmsKeys === 1 ? 'key' : 'keys'} (encrypted SNS topics), ${fmt(a.kmsRequestsPerMonth)} requests`,
      monthlyUsd: a.kmsKeys * prices.kmsPerKeyMonth + (a.kmsRequestsPerMonth / 1e4) * prices.kmsPerTenThousandRequests,
      monthlyUsdAfterFreeTier:
        a.kmsKeys * prices.kmsPerKeyMonth + (over(a.kmsRequestsPerMonth, ALWAYS_FREE.kmsRequests) / 1e4) * prices.kmsPerTenThousandRequests,
    },
    {
      service: 'SQS',
      detail: `${a.deadLetterQueues ?? 2} dead-letter queues, empty when healthy (no consumer polls them)`,
      monthlyUsd: 0,
      monthlyUsdAfterFreeTier: 0,
    },
  ];
  const sum = (key: 'monthlyUsd' | 'monthlyUsdAfterFreeTier') => rows.reduce((s, r) => s + r[key], 0);
  return { rows, totalUsd: sum('monthlyUsd'), totalUsdAfterFreeTier: sum('monthlyUsdAfterFreeTier'), invocationsPerMonth };
}

/**
 * The default deployment's assumptions for the given scheduled functions, in the given
 * observability mode (context `export-watch:observability`; lib/ops.ts and
 * lib/export-watch-stack.ts decide what each mode deploys, test/infra/ops.test.ts checks
 * the alarm and dashboard counts against the synthesised stack in both modes).
 */
export function defaultCostAssumptions(schedules: {
  /** Each source's cadence, or cadences (base and burst window: `cadencesOf`). */
  sources: Record<string, Schedule | readonly Schedule[]>;
  /**
   * Runs per month of each analysis started by a `filing.new` trigger (issue 16), which
   * then fetch documents; their scheduled runs are catch-up sweeps that usually find
   * nothing. Without it (the old design) every scheduled run is assumed to do the work.
   */
  triggeredRunsPerMonth?: Record<string, number>;
  notifier: Schedule;
  opsCheck: Schedule;
  /** Functions besides the sources, the notifier and the ops check (each alarmed like a function). */
  otherFunctions?: FunctionAssumption[];
  /** KMS-encrypted SNS topics. @default 1 (OpsAlerts); 2 with the SES feedback topic */
  encryptedTopics?: number;
  /** @default 0 */
  secrets?: number;
  /** Dead-letter queues, each alarmed. @default 2 (scheduler, notifier stream); 3 with the SES feedback DLQ */
  deadLetterQueues?: number;
  /** @default 'lean' (the stack's default) */
  observability?: ObservabilityMode;
  /**
   * Lean with the backlog as a CloudWatch alarm on a custom metric, as before issue 16
   * (now the ops check alerts on it itself). For comparisons only. @default false
   */
  leanBacklogAlarm?: boolean;
}): CostAssumptions {
  const full = (schedules.observability ?? 'lean') === 'full';
  const names = Object.keys(schedules.sources);
  const functions: FunctionAssumption[] = names.map((name) => {
    const work = SOURCE_RUNS[name] ?? FALLBACK_SOURCE_RUN;
    const triggered = schedules.triggeredRunsPerMonth?.[name];
    const base = { name, schedule: schedules.sources[name], memoryMb: FUNCTION_MEMORY_MB, logKbPerRun: SOURCE_LOG_KB_PER_RUN };
    return triggered === undefined
      ? { ...base, ...work }
      : { ...base, ...QUIET_SWEEP_RUN, extraInvocationsPerMonth: triggered, extraRun: work };
  });
  functions.push(
    { name: 'notifier', schedule: schedules.notifier, ...NOTIFIER_RUN },
    {
      name: 'ops-check',
      schedule: schedules.opsCheck,
      avgDurationMs: OPS_CHECK_RUN.avgDurationMs,
      memoryMb: OPS_CHECK_RUN.memoryMb,
      logKbPerRun: OPS_CHECK_RUN.logKbPerRun,
      readUnitsPerRun: OPS_CHECK_RUN.readUnitsPerSource * names.length + OPS_CHECK_RUN.readUnitsBesidesSources,
      writeUnitsPerRun: OPS_CHECK_RUN.writeUnitsPerRun,
    },
    ...(schedules.otherFunctions ?? []),
  );
  const sources = names.length;
  const encryptedTopics = schedules.encryptedTopics ?? 1;
  const deadLetterQueues = schedules.deadLetterQueues ?? 2;
  return {
    functions,
    subscriberEmailsPerMonth: WORKLOAD.subscriberEmailsPerMonth,
    opsMessagesPerMonth: WORKLOAD.opsMessagesPerMonth,
    // Full: always emitted per source ChangesDetected, UpstreamRequests, UpstreamBytes,
    // SourceStale; OutboxOldestAgeSeconds; EmailsSent. Retries, blocks, failures by kind,
    // ops notifications and bounces are emitted only when they happen (billed per hour
    // with data): one metric-month for all of them together is assumed.
    // Lean: none; everything goes to the logs (the backlog is the ops check's own alert).
    customMetrics: full ? 4 * sources + 2 + 1 : schedules.leanBacklogAlarm ? 1 : 0,
    // Full: Errors + Throttles per function, one per DLQ, SourceStale per source, notifier
    // backlog, ops-check heartbeat. Lean: Errors per function, one per DLQ,
    // ops-check heartbeat (staleness is the ops check's own SNS alert).
    // test/infra/ops.test.ts checks both against the stack.
    alarms: full
      ? 2 * functions.length + deadLetterQueues + sources + 2
      : functions.length + deadLetterQueues + 1 + (schedules.leanBacklogAlarm ? 1 : 0),
    deadLetterQueues,
    dashboards: full ? 1 : 0,
    dynamoStorageGb: WORKLOAD.dynamoStorageGb,
    logRetentionMonths: WORKLOAD.logRetentionMonths,
    // Lean encrypts every topic with the OpsAlerts key; full gives each topic its own.
    kmsKeys: full ? encryptedTopics : 1,
    kmsRequestsPerMonth: WORKLOAD.kmsRequestsPerMonth,
    secrets: schedules.secrets ?? 0,
    secretCallsPerMonth: (schedules.secrets ?? 0) * WORKLOAD.secretCallsPerSecretPerMonth,
  };
}

/**
 * The assumptions of a deployment of `design` (bench/designs.ts) with every implemented
 * source, as the stack deploys it ({@link DEPLOYED_EXTRAS}): what `npx tsx
 * bench/cost-model.ts` prints and what bench/cost.ts refines with measured runs.
 */
export function designCostAssumptions(design: PipelineDesign, observability: ObservabilityMode): CostAssumptions {
  const deployed = Object.keys(SOURCES) as SourceName[];
  const triggered = design.analysisTrigger?.analyses ?? [];
  return defaultCostAssumptions({
    sources: Object.fromEntries(deployed.map((n) => [n, design.cadences[n]])),
    ...(triggered.length > 0
      ? { triggeredRunsPerMonth: Object.fromEntries(triggered.map((n) => [n, TRIGGERED_ANALYSIS_RUNS_PER_MONTH])) }
      : {}),
    notifier: design.cadences.notifier[0] ?? DEFAULT_SCHEDULES.notifier,
    opsCheck: OPS_CHECK_SCHEDULE,
    otherFunctions: [...DEPLOYED_EXTRAS.otherFunctions],
    deadLetterQueues: design.deadLetterQueues,
    leanBacklogAlarm: design.leanBacklogAlarm,
    encryptedTopics: DEPLOYED_EXTRAS.encryptedTopics,
    secrets: DEPLOYED_EXTRAS.secrets,
    observability,
  });
}

/** Markdown table of a model. */
export function formatCostTable(model: CostModel): string {
  const usd = (n: number) => `$${n.toFixed(2)}`;
  const lines = [
    '| Service | What is counted | List price / month | After always-free tiers |',
    '|---|---|---:|---:|',
    ...model.rows.map((r) => `| ${r.service} | ${r.detail} | ${usd(r.monthlyUsd)} | ${usd(r.monthlyUsdAfterFreeTier)} |`),
    `| **Total** | | **${usd(model.totalUsd)}** | **${usd(model.totalUsdAfterFreeTier)}** |`,
  ];
  return `${lines.join('\n')}\n`;
}

/** One line with a model's totals, e.g. to compare the observability modes. */
export function formatCostTotals(label: string, model: CostModel): string {
  return `${label}: $${model.totalUsd.toFixed(2)} a month at list price, $${model.totalUsdAfterFreeTier.toFixed(2)} after the always-free tiers`;
}

/**
 * `npx tsx bench/cost-model.ts [lean|full]`: the model of the default deployment
 * (lean unless told), as markdown, and the other mode's totals.
 */
async function main(): Promise<void> {
  const modelOf = (observability: ObservabilityMode) => estimateMonthlyCost(designCostAssumptions(EVENT_DRIVEN_DESIGN, observability));
  const mode: ObservabilityMode = process.argv[2] === 'full' ? 'full' : 'lean';
  const other: ObservabilityMode = mode === 'full' ? 'lean' : 'full';
  const model = modelOf(mode);
  process.stdout.write(
    `Invocations per month: ${JSON.stringify(model.invocationsPerMonth)}\n\n${formatCostTable(model)}\n${formatCostTotals(`Observability ${other}`, modelOf(other))}\n`,
  );
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();
if (invokedDirectly) await main();
