import { fileURLToPath } from 'node:url';
import { Annotations, CfnOutput, Stack, type StackProps, Token } from 'aws-cdk-lib';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { SourceName } from '#core/change.ts';
import { ConfigError } from '#core/errors.ts';
import { cadencesOf } from '#core/schedule.ts';
import { SOURCES } from '#sources/index.ts';
import { AnalysisTriggers } from './analysis-triggers.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { type HandlerEntries, handlerEntries } from './entries.ts';
import { acknowledgeNagFindings } from './nag.ts';
import { pascalCase } from './names.ts';
import { Notifier } from './notifier.ts';
import { Ops } from './ops.ts';
import { OpsCheck } from './ops-check.ts';
import { OpsDashboard } from './ops-dashboard.ts';
import { Schedules } from './schedules.ts';
import { CONTEXT_KEYS, type DeploySettings, readDeploySettings } from './settings.ts';
import { SourceFunctions } from './source-functions.ts';
import { ExportWatchTables } from './tables.ts';
import { bundleConfig } from './watch-function.ts';

/** The repository root: handler paths and the config file are resolved against it. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Lambda's limit on all environment variables of a function together. */
const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;
/** Upper estimate for a generated physical name (a token at synth time). */
const TOKEN_ESTIMATE_BYTES = 128;

/** Properties of {@link ExportWatchStack}. */
export interface ExportWatchStackProps extends StackProps {
  /**
   * Sources to deploy a function for.
   * @default - every implemented source: `Object.keys(SOURCES)` of lambdas/sources/index.ts
   */
  readonly sources?: readonly SourceName[];
  /**
   * Handler files, absolute or relative to `projectRoot`; those not given keep their default.
   * @default - `DEFAULT_HANDLER_ENTRIES` of lib/entries.ts (`lambdas/app/lambda/...`)
   */
  readonly entries?: Partial<HandlerEntries>;
  /**
   * Whether to deploy the notifier (its function, schedule and stream trigger, the
   * subscription and SES feedback functions). Without it nobody is e-mailed: a stack of
   * sources and ops alerts only.
   * @default true
   */
  readonly notifier?: boolean;
  /**
   * Directory with `package-lock.json`, the handlers and the config file.
   * @default - the repository this file belongs to
   */
  readonly projectRoot?: string;
}

/**
 * export-watch: scheduled source Lambdas write changes to a DynamoDB change log; the
 * notifier e-mails them through SES; alarms go to the OpsAlerts topic. How much
 * monitoring is deployed follows the observability mode (`lean` by default, `full`; see
 * docs/operations.md#observability-modes). Environment
 * agnostic: account and region come from the CLI at deploy time. Deploy-time settings
 * come from the context (see {@link CONTEXT_KEYS} and docs/deploy.md).
 */
export class ExportWatchStack extends Stack {
  /** The validated deploy-time settings. */
  readonly settings: DeploySettings;
  /** Change log, source state, subscribers. */
  readonly tables: ExportWatchTables;
  /** One function per source. */
  readonly sourceFunctions: SourceFunctions;
  /** The notifier, unless the `notifier` prop turned it off. */
  readonly notifier: Notifier | undefined;
  /** The schedules. */
  readonly schedules: Schedules;
  /** Every dead letter of the stack: undeliverable schedules, failed stream batches, SES feedback. */
  readonly deadLetterQueue: Queue;
  /** The change-log stream triggers that start the analyses on `filing.new`. */
  readonly analysisTriggers: AnalysisTriggers;
  /** Alerts topic and alarms. */
  readonly ops: Ops;
  /** The scheduled ops check, unless no source is watched. */
  readonly opsCheck: OpsCheck | undefined;
  /** The CloudWatch dashboard (full observability only). */
  readonly dashboard: OpsDashboard | undefined;

  constructor(scope: Construct, id: string, props: ExportWatchStackProps = {}) {
    super(scope, id, props);
    const projectRoot = props.projectRoot ?? PROJECT_ROOT;
    const entries = handlerEntries(props.entries);
    const settings = readDeploySettings(this, projectRoot);
    this.settings = settings;

    if (!settings.secUserAgent) {
      Annotations.of(this).addWarningV2(
        'export-watch:sec-user-agent-missing',
        `Context ${CONTEXT_KEYS.secUserAgent} is empty: the SEC sources will record a config failure on every run. Set it to "Your Company admin@your-company.com".`,
      );
    }
    if (settings.opsEmails.length === 0) {
      Annotations.of(this).addWarningV2(
        'export-watch:ops-emails-missing',
        `Context ${CONTEXT_KEYS.opsEmails} is empty: alarms publish to OpsAlerts but nobody is subscribed.`,
      );
    }

    const { observability } = settings;
    const full = observability === 'full';

    this.tables = new ExportWatchTables(this, 'Tables');
    // The config file goes into every function's asset, not the environment (4 KB for all
    // variables): a sector watch-list of thousands of companies fits. See bundleConfig.
    bundleConfig(this, settings.configJson);
    const environment: Record<string, string> = {
      ...this.tables.environment,
      // Which metrics the Lambdas emit as EMF: in lean only those the alarms below watch.
      EXPORT_WATCH_METRICS: observability,
      // Left out when unset: the runtime's schema rejects an empty string.
      ...(settings.secUserAgent ? { SEC_USER_AGENT: settings.secUserAgent } : {}),
    };
    checkEnvironmentSize(environment);

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue');

    // Before the notifier: in lean its SES feedback topic shares the OpsAlerts key.
    this.ops = new Ops(this, 'Ops', { emails: settings.opsEmails, observability });

    const sources = props.sources ?? (Object.keys(SOURCES) as SourceName[]);
    for (const name of Object.keys(SOURCES) as SourceName[]) {
      if (sources.includes(name)) continue;
      Annotations.of(this).addWarningV2(
        'export-watch:source-not-deployed',
        `Source ${name} is registered but not in the stack's sources: no function or schedule is deployed for it.`,
      );
    }
    this.sourceFunctions = new SourceFunctions(this, 'Sources', {
      sources,
      entryFor: entries.source,
      projectRoot,
      tables: this.tables,
      environment,
    });

    if (props.notifier ?? true) {
      this.notifier = new Notifier(this, 'Notifier', {
        entry: entries.notifier,
        subscriptionEntry: entries.subscription,
        feedbackEntry: entries.feedback,
        projectRoot,
        tables: this.tables,
        environment,
        senderEmail: settings.config.senderEmail,
        feedbackTopicKey: full ? undefined : this.ops.key,
        deadLetterQueue: this.deadLetterQueue,
      });
    } else {
      Annotations.of(this).addWarningV2(
        'export-watch:notifier-off',
        'The notifier prop is false: the notifier is not deployed and nobody is e-mailed.',
      );
    }

    const enabled = (name: SourceName) => settings.config.sources[name]?.enabled !== false;
    // filing.new starts the analyses at once; their schedules are the catch-up sweep.
    this.analysisTriggers = new AnalysisTriggers(this, 'AnalysisTriggers', {
      changes: this.tables.changes,
      functions: new Map([...this.sourceFunctions.functions].map(([name, fn]) => [name, fn.function] as const)),
      disabled: new Set((Object.keys(settings.config.sources) as SourceName[]).filter((name) => !enabled(name))),
    });

    this.schedules = new Schedules(this, 'Schedules', { deadLetterQueue: this.deadLetterQueue });
    for (const [name, fn] of this.sourceFunctions.functions) {
      this.schedules.add({ name, function: fn.function, cadences: cadencesOf(name), enabled: enabled(name) });
    }
    if (this.notifier) this.schedules.add({ name: 'notifier', function: this.notifier.handler.function, cadences: cadencesOf('notifier') });

    for (const [name, fn] of this.sourceFunctions.functions) this.ops.monitorFunction(`Source${pascalCase(name)}`, fn.function);
    if (this.notifier) {
      this.ops.monitorFunction('Notifier', this.notifier.handler.function);
      // A complaint or bounce that could not be applied: the address would keep getting mail.
      this.ops.monitorFunction('NotifierFeedback', this.notifier.email.feedbackHandler.function);
    }
    // One queue for every dead letter (Scheduler, the notifier's stream, SES feedback): each
    // message names its origin, and one alarm costs a third of three.
    this.ops.monitorDeadLetterQueue('DeadLetterQueue', this.deadLetterQueue);

    // The ops check watches the sources that are deployed and scheduled (a disabled one
    // would only ever be stale); with none, there is nothing to check.
    const watched = [...this.sourceFunctions.functions.keys()].filter(enabled);
    this.opsCheck =
      watched.length === 0
        ? undefined
        : new OpsCheck(this, 'OpsCheck', {
            entry: entries.opsCheck,
            projectRoot,
            tables: this.tables,
            environment,
            alerts: this.ops,
            sources: watched,
            schedules: this.schedules,
          });
    if (this.opsCheck) {
      this.ops.monitorFunction('OpsCheck', this.opsCheck.handler.function);
      this.ops.monitorHeartbeat('OpsCheck', this.opsCheck.handler.function);
      // Lean: the ops check's own alerts (alert, reminders, recovery) report stale sources.
      if (full) this.ops.monitorStaleness(watched);
      // The backlog is the ops check's own alert in every mode (NOTIFIER x BACKLOG); full
      // adds the CloudWatch alarm on its metric, lean saves the metric and the alarm.
      if (this.notifier && full) this.ops.monitorOutboxAge(settings.config.ops.outboxMaxAgeMinutes);
    }

    // Last, so that every function and alarm created above is on it: functions without
    // function alarms yet get them here, whoever created them.
    const allFunctions = this.ops.monitorRemainingFunctions(this);
    const labels = new Map<unknown, string>([
      ...[...this.sourceFunctions.functions].map(([name, fn]) => [fn.function, name] as const),
      ...(this.notifier
        ? [[this.notifier.handler.function, 'notifier'] as const, [this.notifier.email.feedbackHandler.function, 'ses-feedback'] as const]
        : []),
      ...(this.opsCheck ? [[this.opsCheck.handler.function, 'ops-check'] as const] : []),
    ]);
    // A dashboard costs $3 a month and graphs metrics lean does not emit: full only.
    this.dashboard = full
      ? new OpsDashboard(this, 'Dashboard', {
          sources: [...this.sourceFunctions.functions.keys()],
          functions: allFunctions.map(({ label, fn }) => ({ label: labels.get(fn) ?? label, fn })),
          queues: [{ label: 'dead-letter queue (scheduler, notifier stream, SES feedback)', queue: this.deadLetterQueue }],
          alarms: this.ops.alarms,
          outboxMaxAgeMinutes: settings.config.ops.outboxMaxAgeMinutes,
        })
      : undefined;

    new CfnOutput(this, 'ChangesTableName', { value: this.tables.changes.tableName, description: 'CHANGES_TABLE for the CLI' });
    new CfnOutput(this, 'StateTableName', { value: this.tables.state.tableName, description: 'STATE_TABLE for the CLI' });
    new CfnOutput(this, 'SubscribersTableName', { value: this.tables.subscribers.tableName, description: 'SUBSCRIBERS_TABLE for the CLI' });
    new CfnOutput(this, 'OpsAlertsTopicArn', { value: this.ops.topic.topicArn, description: 'Alarm notifications and ops-check alerts' });
    if (this.dashboard)
      new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName, description: 'CloudWatch dashboard' });

    acknowledgeNagFindings(this);
  }
}

/**
 * Fail the synth, not the deployment, when the shared environment would exceed Lambda's
 * 4 KB limit. The config file is no longer part of it (it is bundled), so only the table
 * names, the User-Agent and a few switches count: a guard against a future variable.
 */
function checkEnvironmentSize(environment: Record<string, string>): void {
  const bytes = Object.entries(environment).reduce(
    (sum, [key, value]) => sum + key.length + (Token.isUnresolved(value) ? TOKEN_ESTIMATE_BYTES : Buffer.byteLength(value)),
    0,
  );
  if (bytes > LAMBDA_ENVIRONMENT_LIMIT_BYTES - 256) {
    throw new ConfigError(
      `The Lambda environment would be about ${bytes} bytes (the limit is ${LAMBDA_ENVIRONMENT_LIMIT_BYTES} for all variables together); shorten ${CONTEXT_KEYS.secUserAgent} or the variables added to it.`,
    );
  }
}
