import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Grant, type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Function as LambdaFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import type { SourceName } from '#core/change.ts';
import type { ObservabilityMode } from '#core/config.ts';
import { cloudWatchDimensions, METRIC, METRICS_NAMESPACE } from '#ops/metrics.ts';
import { pascalCase } from './names.ts';

/**
 * A custom export-watch metric as the Lambdas emit it (namespace `ExportWatch`, the
 * `service` dimension Powertools adds, plus `dimensions`).
 */
export function exportWatchMetric(
  name: (typeof METRIC)[keyof typeof METRIC],
  dimensions: Record<string, string>,
  options: { statistic: string; period: Duration; label?: string },
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: cloudWatchDimensions(dimensions),
    statistic: options.statistic,
    period: options.period,
    label: options.label,
  });
}

/** How often the ops check runs, and so the period of the metrics it emits. */
export const OPS_CHECK_PERIOD = Duration.minutes(15);

/** Properties of {@link Ops}. */
export interface OpsProps {
  /** Addresses subscribed to the alerts topic (each must confirm by e-mail). */
  readonly emails: readonly string[];
  /**
   * `lean`: Errors alarms only (no Throttles alarms); `full`: Errors and Throttles alarms
   * per function. The stack adds the staleness alarms in `full` only.
   * @default 'lean'
   */
  readonly observability?: ObservabilityMode;
}

/**
 * Operational alerting: the `OpsAlerts` topic and the alarms that publish to it. The ops
 * check publishes its source-health alerts to the same topic, so ops has one inbox; the
 * subscribers' mail never goes through it (the notifier sends through SES).
 * Constructs call {@link monitorFunction} and {@link monitorDeadLetterQueue} for what
 * they create; the stack adds the staleness (full only), backlog and heartbeat alarms.
 */
export class Ops extends Construct {
  /** Alarm notifications; e-mail subscribers from the context. */
  readonly topic: Topic;
  /** Encrypts the topic. */
  readonly key: Key;
  /** Every alarm, in creation order. */
  readonly alarms: Alarm[] = [];
  /** The observability mode: which alarms {@link monitorFunction} creates. */
  readonly observability: ObservabilityMode;
  /** Functions with Errors (and, full, Throttles) alarms. */
  private readonly monitored = new Set<IFunction>();
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: OpsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.observability = props.observability ?? 'lean';

    // A customer-managed key rather than alias/aws/sns: CloudWatch cannot publish to a
    // topic encrypted with the AWS-managed SNS key, because that key's policy cannot grant
    // cloudwatch.amazonaws.com. A lean deployment encrypts the SES feedback topic with this
    // key too (lib/subscriber-email.ts adds the SES grant): one key instead of two.
    this.key = new Key(this, 'TopicKey', {
      description:
        this.observability === 'lean'
          ? 'export-watch: encrypts the OpsAlerts and SES feedback topics'
          : 'export-watch: encrypts the OpsAlerts topic',
      enableKeyRotation: true,
      // It only protects alarm notifications in flight; nothing to decrypt after deletion.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy, "*" means this key
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );

    this.topic = new Topic(this, 'OpsAlerts', {
      displayName: 'export-watch ops alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    // enforceSSL creates a topic policy, which replaces the default one; CloudWatch needs
    // an explicit grant, limited to this account's alarms.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    for (const email of props.emails) this.topic.addSubscription(new EmailSubscription(email));
    this.action = new SnsAction(this.topic);
  }

  /**
   * Let `grantee` (the ops check) publish to the OpsAlerts topic: `sns:Publish` on the topic
   * and, the topic being KMS-encrypted, a data key from its key. (`topic.grantPublish`
   * would grant `kms:GenerateDataKey*`, more than a publish needs.)
   */
  grantPublish(grantee: IGrantable): void {
    Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [this.topic.topicArn] });
    Grant.addToPrincipal({ grantee, actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resourceArns: [this.key.keyArn] });
  }

  /**
   * Alarm on any error of `fn` and, in `full`, on any throttle (a reserved source
   * overrunning its slot throttles). `lean` has no Throttles alarms: a throttled
   * scheduled run is retried by Scheduler and ends in its dead-letter queue (alarmed),
   * a source throttled for good goes stale (ops-check alert), a throttled stream batch
   * ends in the notifier's DLQ (alarmed).
   */
  monitorFunction(id: string, fn: IFunction): void {
    this.monitored.add(fn);
    this.alarm(`${id}Errors`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), {
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description: `${id}: the function threw (a crash, not a recorded source failure). See its log group. Runbook: docs/operations.md#function-errors`,
    });
    if (this.observability === 'lean') return;
    this.alarm(`${id}Throttles`, fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), {
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description: `${id}: invocations were throttled (a run still going when the next was due, or the account concurrency limit). Runbook: docs/operations.md#function-throttles`,
    });
  }

  /**
   * Give every Lambda function under `scope` that has no function alarms yet the same
   * alarms, named after its construct path. Called last by the stack, so a function
   * added by any construct is covered without remembering to wire it here.
   * @returns the functions found under `scope`, with a label (their path) each.
   */
  monitorRemainingFunctions(scope: IConstruct): Array<{ label: string; fn: IFunction }> {
    const root = scope.node.path;
    return scope.node
      .findAll()
      .filter((c): c is LambdaFunction => c instanceof LambdaFunction)
      .map((fn) => {
        const label = fn.node.path.slice(root.length + 1).replace(/\/Function$/, '');
        if (!this.monitored.has(fn)) this.monitorFunction(pascalCase(label), fn);
        return { label, fn };
      });
  }

  /** Alarm as soon as `queue` holds a message. */
  monitorDeadLetterQueue(id: string, queue: IQueue): void {
    this.alarm(`${id}Messages`, queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }), {
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `${id}: dead-letter queue holds messages; inspect them, fix the cause, then purge. Runbook: docs/operations.md#dead-letter-queue-messages`,
    });
  }

  /**
   * Alarm while a source is stale (the ops check's `SourceStale` is 1). The ops check
   * itself mails the details, reminders and the recovery; this alarm puts the state on
   * the dashboard and in the alarm console, and still fires if those mails fail. Full
   * observability only: `lean` emits no `SourceStale` and relies on the ops check's
   * alerts (a failed publish makes the ops check throw, so its Errors alarm fires).
   */
  monitorStaleness(sources: readonly SourceName[]): void {
    for (const source of sources) {
      this.alarm(
        `SourceStale${pascalCase(source)}`,
        exportWatchMetric(METRIC.sourceStale, { source }, { statistic: 'Maximum', period: OPS_CHECK_PERIOD }),
        {
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          description: `source ${source} is stale: several scheduled runs have passed without a success. Runbook: docs/operations.md#source-stale`,
        },
      );
    }
  }

  /**
   * Alarm when the oldest change waiting for the notifier is older than `maxAgeMinutes`
   * (the notifier runs every 5 min and on every insert, so a backlog means it is failing).
   */
  monitorOutboxAge(maxAgeMinutes: number): void {
    this.alarm('NotifierBacklog', exportWatchMetric(METRIC.outboxOldestAge, {}, { statistic: 'Maximum', period: OPS_CHECK_PERIOD }), {
      threshold: maxAgeMinutes * 60,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `notifier backlog: a change has waited more than ${maxAgeMinutes} min for delivery. Runbook: docs/operations.md#notifier-backlog`,
    });
  }

  /**
   * Alarm when `fn` (the ops check) has not run for an hour. Missing data is breaching
   * here: the point is to notice silence, e.g. a disabled or deleted schedule, which no
   * other alarm would see.
   */
  monitorHeartbeat(id: string, fn: IFunction): void {
    this.alarm(`${id}NotRunning`, fn.metricInvocations({ period: Duration.hours(1), statistic: 'Sum' }), {
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
      description: `${id}: did not run for an hour, so source health is not being checked. Runbook: docs/operations.md#ops-check-not-running`,
    });
  }

  private alarm(
    id: string,
    metric: IMetric,
    options: { threshold: number; comparisonOperator: ComparisonOperator; description: string; treatMissingData?: TreatMissingData },
  ): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: options.threshold,
      comparisonOperator: options.comparisonOperator,
      evaluationPeriods: 1,
      // No invocations (or no data point) means nothing went wrong, unless told otherwise.
      treatMissingData: options.treatMissingData ?? TreatMissingData.NOT_BREACHING,
      alarmDescription: `export-watch ${options.description}`,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
