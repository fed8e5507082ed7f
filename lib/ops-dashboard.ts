import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  MathExpression,
  Metric,
  PeriodOverride,
  Shading,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SourceName } from '#core/change.ts';
import { METRIC, METRICS_NAMESPACE } from '#ops/metrics.ts';
import { exportWatchMetric, OPS_CHECK_PERIOD } from './ops.ts';

/** Properties of {@link OpsDashboard}. */
export interface OpsDashboardProps {
  /** Sources with a function, in display order. */
  readonly sources: readonly SourceName[];
  /** Every function, by label (sources, notifier, ops check). */
  readonly functions: ReadonlyArray<{ label: string; fn: IFunction }>;
  /** Dead-letter queues, by label. */
  readonly queues: ReadonlyArray<{ label: string; queue: IQueue }>;
  /** Every alarm of the stack. */
  readonly alarms: readonly IAlarm[];
  /** Backlog threshold drawn on the outbox-age graph. */
  readonly outboxMaxAgeMinutes: number;
}

const HOUR = Duration.hours(1);
const FIVE_MINUTES = Duration.minutes(5);

/**
 * The one CloudWatch dashboard: alarm states first, then source health (staleness and
 * failures by error kind), what the sources do (changes, upstream requests, bytes,
 * retries, blocks), the notifier (e-mails, bounces, backlog), and the Lambda and queue
 * basics. Each widget answers one question from docs/operations.md. Deployed with `full`
 * observability only: most of its metrics are not emitted in `lean`.
 */
export class OpsDashboard extends Construct {
  /** The dashboard. */
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OpsDashboardProps) {
    super(scope, id);
    const perSource = (name: (typeof METRIC)[keyof typeof METRIC], statistic: string, period: Duration, prefix = ''): Metric[] =>
      props.sources.map((source) => exportWatchMetric(name, { source }, { statistic, period, label: `${prefix}${source}` }));
    const perFunction = (metric: (fn: IFunction) => Metric, prefix = ''): Metric[] =>
      props.functions.map(({ label, fn }) => metric(fn).with({ label: `${prefix}${label}` }));

    this.dashboard = new Dashboard(this, 'Dashboard', {
      // Graphs default to a week: long enough to see a weekend (SEC sources idle) in context.
      defaultInterval: Duration.days(7),
      periodOverride: PeriodOverride.INHERIT,
    });

    this.dashboard.addWidgets(
      new TextWidget({
        markdown: [
          '# export-watch',
          'Source health, upstream traffic and notification delivery. Alerts go to the **OpsAlerts** SNS topic (ops list only).',
          'Runbooks per alarm: `docs/operations.md`. Per-source detail: `export-watch status --table <StateTableName> --region <region>`.',
        ].join('\n\n'),
        width: 24,
        height: 3,
      }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 4 }));

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Source stale (1 = stale; from the ops check)',
        left: perSource(METRIC.sourceStale, 'Maximum', OPS_CHECK_PERIOD),
        leftYAxis: { min: 0, max: 1 },
        width: 12,
      }),
      new GraphWidget({
        title: 'Source failures by error kind (per hour)',
        left: [
          new MathExpression({
            // One series per source × error kind that occurred; kinds are emitted only on failure.
            expression: `SEARCH('{${METRICS_NAMESPACE},errorKind,service,source} MetricName="${METRIC.sourceFailures}"', 'Sum', 3600)`,
            label: '',
            period: HOUR,
          }),
        ],
        width: 12,
      }),
    );

    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Changes detected (per hour)', left: perSource(METRIC.changesDetected, 'Sum', HOUR), width: 8 }),
      new GraphWidget({ title: 'Upstream requests (per hour)', left: perSource(METRIC.upstreamRequests, 'Sum', HOUR), width: 8 }),
      new GraphWidget({ title: 'Upstream bytes (per hour)', left: perSource(METRIC.upstreamBytes, 'Sum', HOUR), width: 8 }),
    );

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Upstream retries and SEC blocks (per hour)',
        left: perSource(METRIC.upstreamRetries, 'Sum', HOUR, 'retries '),
        right: perSource(METRIC.upstreamBlocks, 'Sum', HOUR, 'blocks '),
        width: 8,
      }),
      new GraphWidget({
        title: 'Notifier e-mails (per hour); SES bounces and complaints (account)',
        left: [
          exportWatchMetric(METRIC.emailsSent, {}, { statistic: 'Sum', period: HOUR, label: 'sent' }),
          exportWatchMetric(METRIC.emailFailures, {}, { statistic: 'Sum', period: HOUR, label: 'failed' }),
          exportWatchMetric(METRIC.bounces, {}, { statistic: 'Sum', period: HOUR, label: 'bounced (notifier)' }),
        ],
        // SES's own counters need no code: the whole account's sending, bounces, complaints.
        right: ['Bounce', 'Complaint'].map(
          (name) =>
            new Metric({ namespace: 'AWS/SES', metricName: name, statistic: 'Sum', period: HOUR, label: `SES ${name.toLowerCase()}s` }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: 'Notifier backlog: oldest undelivered change (s)',
        left: [exportWatchMetric(METRIC.outboxOldestAge, {}, { statistic: 'Maximum', period: OPS_CHECK_PERIOD, label: 'oldest pending' })],
        leftAnnotations: [{ value: props.outboxMaxAgeMinutes * 60, label: 'alarm', fill: Shading.ABOVE }],
        width: 8,
      }),
    );

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Lambda errors and throttles',
        left: perFunction((fn) => fn.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES }), 'errors '),
        right: perFunction((fn) => fn.metricThrottles({ statistic: 'Sum', period: FIVE_MINUTES }), 'throttles '),
        width: 12,
      }),
      new GraphWidget({
        title: 'Lambda duration (max, ms) against the timeouts',
        left: perFunction((fn) => fn.metricDuration({ statistic: 'Maximum', period: FIVE_MINUTES })),
        width: 12,
      }),
    );

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Dead-letter queues: messages visible',
        left: props.queues.map(({ label, queue }) =>
          queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE_MINUTES, label }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Ops notifications sent (alerts, reminders, recoveries)',
        left: [exportWatchMetric(METRIC.opsNotifications, {}, { statistic: 'Sum', period: HOUR, label: 'sent' })],
        width: 12,
      }),
    );
  }
}
