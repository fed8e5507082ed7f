import { Duration } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Schedule } from 'aws-cdk-lib/aws-scheduler';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { SourceName } from '#core/change.ts';
import { OPS_CHECK_SCHEDULE } from '#ops/schedule.ts';
import type { Schedules } from './schedules.ts';
import type { ExportWatchTables } from './tables.ts';
import { WatchFunction } from './watch-function.ts';

/** The alerts topic as the ops check needs it: its ARN, and a grant to publish to it. */
export interface AlertsTopic {
  /** The OpsAlerts topic. */
  readonly topic: ITopic;
  /** Let `grantee` publish to the topic (and use the key that encrypts it). */
  grantPublish(grantee: IGrantable): void;
}

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
  /** The OpsAlerts topic it publishes to. */
  readonly alerts: AlertsTopic;
  /** Sources to watch: deployed, with an enabled schedule. */
  readonly sources: readonly SourceName[];
  /** The stack's schedules: the ops check's schedule is one of them (group, role, retries, dead-letter queue). */
  readonly schedules: Schedules;
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
  /** Its schedule (in the stack's {@link Schedules}). */
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
        OPS_TOPIC_ARN: props.alerts.topic.topicArn,
        OPS_SOURCES: props.sources.join(','),
      },
    });
    const { role } = this.handler;
    props.tables.grantOpsCheckAccess(role);
    props.alerts.grantPublish(role);

    this.schedule = props.schedules.add({ name: 'ops-check', function: this.handler.function, cadences: [OPS_CHECK_SCHEDULE] });
  }
}
