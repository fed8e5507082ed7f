import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Properties of {@link Ops}. */
export interface OpsProps {
  /** Addresses subscribed to the alerts topic (each must confirm by e-mail). */
  readonly emails: readonly string[];
}

/**
 * Operational alerting: the `OpsAlerts` topic and the alarms that publish to it.
 * Constructs call {@link monitorFunction} and {@link monitorDeadLetterQueue} for what
 * they create.
 */
export class Ops extends Construct {
  /** Alarm notifications; e-mail subscribers from the context. */
  readonly topic: Topic;
  /** Encrypts the topic. */
  readonly key: Key;
  /** Every alarm, in creation order. */
  readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: OpsProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // A customer-managed key rather than alias/aws/sns: CloudWatch cannot publish to a
    // topic encrypted with the AWS-managed SNS key, because that key's policy cannot grant
    // cloudwatch.amazonaws.com.
    this.key = new Key(this, 'TopicKey', {
      description: 'export-watch: encrypts the OpsAlerts topic',
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
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }),
    );
    for (const email of props.emails) this.topic.addSubscription(new EmailSubscription(email));
    this.action = new SnsAction(this.topic);
  }

  /** Alarm on any error and any throttle of `fn` (a reserved source overrunning its slot throttles). */
  monitorFunction(id: string, fn: IFunction): void {
    this.alarm(`${id}Errors`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), {
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description: `${id}: the function threw (a crash, not a recorded source failure). See its log group.`,
    });
    this.alarm(`${id}Throttles`, fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), {
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description: `${id}: invocations were throttled (a run still going when the next was due, or the account concurrency limit).`,
    });
  }

  /** Alarm as soon as `queue` holds a message. */
  monitorDeadLetterQueue(id: string, queue: IQueue): void {
    this.alarm(`${id}Messages`, queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }), {
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `${id}: dead-letter queue holds messages; inspect them, fix the cause, then purge.`,
    });
  }

  private alarm(id: string, metric: IMetric, options: { threshold: number; comparisonOperator: ComparisonOperator; description: string }): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: options.threshold,
      comparisonOperator: options.comparisonOperator,
      evaluationPeriods: 1,
      // No invocations means nothing went wrong.
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `export-watch ${options.description}`,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
