import { Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import { Grant, type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
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
import { type Schedule as Cadence, SCHEDULE_TIME_ZONE, toEventBridgeCron } from '#core/schedule.ts';
import { pascalCase } from './names.ts';

/** A function to run on a schedule of the stack. */
export interface ScheduledFunction {
  /** Names its schedules and their construct ids: a source name, `notifier` or `ops-check`. */
  readonly name: string;
  /** The function to invoke. */
  readonly function: IFunction;
  /**
   * When it runs: one schedule per cadence, the first keeping the id `<Name>`, a second
   * (a burst window) `<Name>Burst`. Sources and the notifier take theirs from
   * `cadencesOf` (DEFAULT_SCHEDULES and BURST_SCHEDULES of lambdas/core/schedule.ts).
   */
  readonly cadences: readonly Cadence[];
  /**
   * Whether the schedules run (a source disabled in the config keeps its function, for
   * manual runs, but is not polled).
   * @default true
   */
  readonly enabled?: boolean;
}

/** Properties of {@link Schedules}. */
export interface SchedulesProps {
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
 * EventBridge Scheduler schedules, one per function and cadence (a burst window is a
 * second one), in America/New_York so that the cadences follow EDGAR's business hours
 * across daylight-saving changes. Every schedule of the stack is made by {@link add}:
 * they share one schedule group, one role that may invoke only the scheduled functions,
 * one target (retry policy) and the stack's dead-letter queue for invocations Scheduler
 * could not deliver.
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
  private readonly byName = new Map<string, Schedule>();
  /** The role's one `lambda:InvokeFunction` statement, naming every scheduled function. */
  private invokeStatement: PolicyStatement | undefined;

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
    Grant.addToPrincipal({ grantee: this.role, actions: ['sqs:SendMessage'], resourceArns: [this.deadLetterQueue.queueArn] });
    this.schedules = this.byName;
  }

  /**
   * Schedule `target.function` on each of its cadences and let the role invoke it.
   * @returns the schedule of its first cadence.
   */
  add(target: ScheduledFunction): Schedule {
    const [first, ...more] = target.cadences;
    if (!first) throw new Error(`no cadence for ${target.name}`);
    if (more.length > 1) throw new Error(`${target.name}: at most one burst window`);
    this.grantInvoke(target.function);
    const timeZone = TimeZone.of(SCHEDULE_TIME_ZONE);
    const schedules = target.cadences.map((cadence, i) => {
      // The base cadence keeps the schedule's original id; a burst window (faster polling
      // inside posting windows, BURST_SCHEDULES) is a second schedule of the same function.
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
      this.byName.set(key, schedule);
      return schedule;
    });
    return schedules[0]!;
  }

  /**
   * Add `fn` to the role's one invoke statement. (`fn.grantInvoke` would also grant its
   * `:*` qualifiers, a wildcard no schedule needs.)
   */
  private grantInvoke(fn: IFunction): void {
    if (this.invokeStatement) {
      this.invokeStatement.addResources(fn.functionArn);
      return;
    }
    this.invokeStatement = new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] });
    this.role.addToPrincipalPolicy(this.invokeStatement);
  }
}
