import { Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  type ISchedule,
  type IScheduleTarget,
  Schedule,
  ScheduleExpression,
  ScheduleGroup,
  type ScheduleTargetConfig,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { cadencesOf, type DEFAULT_SCHEDULES, SCHEDULE_TIME_ZONE, toEventBridgeCron } from '#core/schedule.ts';
import { pascalCase } from './names.ts';

/** A function to run on one of the {@link DEFAULT_SCHEDULES}. */
export interface ScheduledFunction {
  /** Key into {@link DEFAULT_SCHEDULES}: a source name or `notifier`. */
  readonly name: keyof typeof DEFAULT_SCHEDULES;
  /** The function to invoke. */
  readonly function: IFunction;
  /**
   * Whether the schedule runs (a source disabled in the config keeps its function, for
   * manual runs, but is not polled).
   * @default true
   */
  readonly enabled?: boolean;
}

/** Properties of {@link Schedules}. */
export interface SchedulesProps {
  /** What to schedule. */
  readonly targets: readonly ScheduledFunction[];
  /** Where invocations Scheduler could not deliver go (the stack's shared dead-letter queue). */
  readonly deadLetterQueue: IQueue;
}

/**
 * Scheduler target that invokes a Lambda with a shared role. (The stock `LambdaInvoke`
 * grants on `function:*` qualifiers and attaches policy per target; here the role's one
 * policy names the functions exactly.)
 */
class InvokeFunction implements IScheduleTarget {
  constructor(
    private readonly fn: IFunction,
    private readonly role: IRole,
    private readonly dlq: IQueue,
  ) {}

  bind(_schedule: ISchedule): ScheduleTargetConfig {
    return {
      arn: this.fn.functionArn,
      role: this.role,
      deadLetterConfig: { arn: this.dlq.queueArn },
      // A missed poll is made up by the next one, so retry briefly and then give up to
      // the dead-letter queue (and its alarm) rather than the default 185 tries over 24 h.
      retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: Duration.hours(1).toSeconds() },
    };
  }
}

/**
 * EventBridge Scheduler schedules, one per function and cadence (a burst window is a second one), in America/New_York so that the
 * cadences follow EDGAR's business hours across daylight-saving changes. They share one
 * schedule group, one role that may invoke only the scheduled functions, and the stack's
 * dead-letter queue for invocations Scheduler could not deliver.
 */
export class Schedules extends Construct {
  /** The group every schedule of this stack belongs to. */
  readonly group: ScheduleGroup;
  /** The role Scheduler assumes. */
  readonly role: Role;
  /** Invocations that failed after the retry policy (the stack's shared dead-letter queue). */
  readonly deadLetterQueue: IQueue;
  /** The schedules, by function name (`<name>-burst` for a burst window). */
  readonly schedules: ReadonlyMap<string, Schedule>;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // Holds only this stack's schedules, so it can go with the stack.
    this.group = new ScheduleGroup(this, 'Group', { removalPolicy: RemovalPolicy.DESTROY });
    this.deadLetterQueue = props.deadLetterQueue;
    this.role = new Role(this, 'Role', {
      description: 'EventBridge Scheduler: invokes the export-watch functions',
      // Confused-deputy guard: only schedules of this account's group may assume it.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': this.group.scheduleGroupArn },
        },
      }),
    });
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
    if (props.targets.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: props.targets.map((t) => t.function.functionArn) }),
      );
    }

    const timeZone = TimeZone.of(SCHEDULE_TIME_ZONE);
    const schedules = new Map<string, Schedule>();
    for (const target of props.targets) {
      // The base cadence keeps the schedule's original id; a burst window (faster polling
      // inside posting windows, BURST_SCHEDULES) is a second schedule of the same function.
      cadencesOf(target.name).forEach((cadence, i) => {
        const key = i === 0 ? target.name : `${target.name}-burst`;
        const schedule = new Schedule(this, pascalCase(key), {
          description: `export-watch ${target.name}: ${cadence.description}`,
          scheduleGroup: this.group,
          schedule: ScheduleExpression.expression(toEventBridgeCron(cadence), timeZone),
          // Polls should run on the minute they are due; there is no load to spread.
          timeWindow: TimeWindow.off(),
          enabled: target.enabled ?? true,
          target: new InvokeFunction(target.function, this.role, this.deadLetterQueue),
        });
        // The schedule names its group by a literal name, which gives CloudFormation no ordering.
        schedule.node.addDependency(this.group);
        schedules.set(key, schedule);
      });
    }
    this.schedules = schedules;
  }
}
