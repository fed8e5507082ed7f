import { Duration, TimeZone } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  type ISchedule,
  type IScheduleTarget,
  Schedule,
  ScheduleExpression,
  type ScheduleTargetConfig,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { SourceName } from '#core/change.ts';
import { SCHEDULE_TIME_ZONE, toEventBridgeCron } from '#core/schedule.ts';
import { OPS_CHECK_SCHEDULE } from '#ops/schedule.ts';
import type { Schedules } from './schedules.ts';
import type { ExportWatchTables } from './tables.ts';
import { WatchFunction } from './watch-function.ts';

/** Where the ops check's Lambda handler lives, relative to the project root. */
export const DEFAULT_OPS_CHECK_ENTRY = 'lambdas/app/lambda/ops-check.ts';

/** Properties of {@link OpsCheck}. */
export interface OpsCheckProps {
  /** Handler file, absolute or relative to `projectRoot`. */
  readonly entry: string;
  /** Directory holding `package-lock.json`. */
  readonly projectRoot: string;
  /** It reads source state and the outbox index, and writes alert state. */
  readonly tables: ExportWatchTables;
  /** Environment shared by every export-watch function. */
  readonly environment: Record<string, string>;
  /** The OpsAlerts topic it publishes to, and the key that encrypts it. */
  readonly topic: ITopic;
  readonly topicKey: IKey;
  /** Sources to watch: deployed, with an enabled schedule. */
  readonly sources: readonly SourceName[];
  /** The stack's schedules: the ops check joins their group, role and dead-letter queue. */
  readonly schedules: Schedules;
}

/**
 * Scheduler target that invokes a function through the shared Scheduler role, with the
 * shared retry policy and dead-letter queue (the same settings as lib/schedules.ts).
 */
class InvokeFunction implements IScheduleTarget {
  constructor(
    private readonly fn: IFunction,
    private readonly schedules: Schedules,
  ) {}

  bind(_schedule: ISchedule): ScheduleTargetConfig {
    return {
      arn: this.fn.functionArn,
      role: this.schedules.role,
      deadLetterConfig: { arn: this.schedules.deadLetterQueue.queueArn },
      retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: Duration.hours(1).toSeconds() },
    };
  }
}

/**
 * The ops check: a function on its own schedule (every 15 min, around the clock) that
 * evaluates every watched source's health from the state table, keeps alert state there
 * (`SOURCE#<name>` × `ALERT`), publishes alerts, reminders and recoveries to the OpsAlerts
 * topic, and emits the staleness and backlog metrics. A separate schedule is the point: a
 * source whose own function never runs can only be noticed from outside it.
 */
export class OpsCheck extends Construct {
  /** The ops-check function. */
  readonly handler: WatchFunction;
  /** Its schedule. */
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: OpsCheckProps) {
    super(scope, id);
    this.handler = new WatchFunction(this, 'Handler', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'export-watch ops check: source health, staleness and ops alerts',
      // A dozen item reads and at most a few publishes.
      timeout: Duration.minutes(1),
      // The only writer of alert state: two overlapping checks could both send an alert.
      reservedConcurrentExecutions: 1,
      environment: {
        ...props.environment,
        OPS_TOPIC_ARN: props.topic.topicArn,
        OPS_SOURCES: props.sources.join(','),
      },
    });
    const { role } = this.handler;
    const { state, changes } = props.tables;
    // Source state and alert state: item reads and puts on the state table, nothing else.
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [state.tableArn] }));
    // The oldest pending change, from the sparse outbox index only.
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${changes.tableArn}/index/outbox`] }));
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [props.topic.topicArn] }));
    // Publishing to a KMS-encrypted topic needs a data key from the topic's key.
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.topicKey.keyArn] }));

    const { schedules } = props;
    schedules.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.handler.function.functionArn] }),
    );
    this.schedule = new Schedule(this, 'Schedule', {
      description: `export-watch ops-check: ${OPS_CHECK_SCHEDULE.description}`,
      scheduleGroup: schedules.group,
      schedule: ScheduleExpression.expression(toEventBridgeCron(OPS_CHECK_SCHEDULE), TimeZone.of(SCHEDULE_TIME_ZONE)),
      timeWindow: TimeWindow.off(),
      target: new InvokeFunction(this.handler.function, schedules),
    });
    // The schedule names its group by a literal name, which gives CloudFormation no ordering.
    this.schedule.node.addDependency(schedules.group);
  }
}
