import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SourceName } from '#core/change.ts';
import { type ObservabilityMode, parseConfigFile } from '#core/config.ts';
import { DEFAULT_SCHEDULES, toEventBridgeCron } from '#core/schedule.ts';
import { SUBSCRIPTION_FUNCTION } from '#bench/cost-assumptions.ts';
import { defaultCostAssumptions } from '#bench/cost-model.ts';
import { LEAN_METRICS, METRIC, METRICS_NAMESPACE, METRICS_SERVICE, type MetricName } from '#ops/metrics.ts';
import { OPS_CHECK_SCHEDULE } from '#ops/schedule.ts';
import { ExportWatchStack, type ExportWatchStackProps, PROJECT_ROOT } from '#lib/export-watch-stack.ts';

const cdkContext = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
const FIXTURE_HANDLER = fileURLToPath(new URL('./fixtures/handler.ts', import.meta.url));
/** Every function bundles the stand-in handler. */
const FIXTURE_ENTRIES = {
  source: () => FIXTURE_HANDLER,
  notifier: FIXTURE_HANDLER,
  subscription: FIXTURE_HANDLER,
  feedback: FIXTURE_HANDLER,
  opsCheck: FIXTURE_HANDLER,
};
const SOURCES_UNDER_TEST: SourceName[] = ['sec-filings', 'federal-register', 'entity-list'];
const OPS_EMAILS = ['ops@acme.example', 'oncall@acme.example'];

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is untyped; the assertions check its shape.
type Json = Record<string, any>;
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

function build(
  extra: Record<string, unknown> = {},
  props: ExportWatchStackProps = {},
): { app: App; stack: ExportWatchStack; template: Template } {
  const app = new App({
    context: { ...cdkContext, 'export-watch:opsEmails': OPS_EMAILS, 'export-watch:senderEmail': 'alerts@mail.acme.example', ...extra },
  });
  const stack = new ExportWatchStack(app, 'ExportWatchOpsTest', {
    sources: SOURCES_UNDER_TEST,
    entries: FIXTURE_ENTRIES,
    ...props,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

it('cdk.json deploys lean observability by default', () => {
  expect(cdkContext['export-watch:observability']).toBe('lean');
  expect(build().stack.settings.observability).toBe('lean');
});

/** Register a test only in the mode it applies to (nothing is registered, so nothing is reported as skipped). */
const itWhen = (condition: boolean) => (condition ? it : (_name: string, _fn: () => void) => undefined);
const describeWhen = (condition: boolean) => (condition ? describe : (_name: string, _fn: () => void) => undefined);

describe.each(['lean', 'full'] as const)(
  'ops (%s observability): ops check, alarms, dashboard, destinations',
  (mode: ObservabilityMode) => {
    const full = mode === 'full';
    /** The stack in this mode; `extra` context and `props` on top. */
    const buildMode = (extra: Record<string, unknown> = {}, props: ExportWatchStackProps = {}) =>
      build({ 'export-watch:observability': mode, ...extra }, props);
    let stack: ExportWatchStack;
    let template: Template;
    let resources: Record<string, Json>;
    const id = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
    const alarms = () => Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[];
    const policyStatementsOfRole = (role: { node: { defaultChild?: unknown } }): Json[] => {
      const roleId = id(role);
      return (Object.values(template.findResources('AWS::IAM::Policy')) as Json[])
        .filter((p) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[]);
    };

    beforeAll(() => {
      ({ stack, template } = buildMode());
      resources = template.toJSON().Resources;
    });

    describe('the ops-check function and its schedule (staleness needs no source run)', () => {
      it('runs every 15 min around the clock in America/New_York, in the stack group, with retries and the scheduler DLQ', () => {
        const fnId = id(stack.opsCheck!.handler.function);
        const schedules = (Object.values(template.findResources('AWS::Scheduler::Schedule')) as Json[]).filter(
          (s) => s.Properties.Target.Arn['Fn::GetAtt'][0] === fnId,
        );
        expect(schedules).toHaveLength(1);
        const p = schedules[0]!.Properties;
        expect(p.ScheduleExpression).toBe(toEventBridgeCron(OPS_CHECK_SCHEDULE));
        expect(p.ScheduleExpression).toBe('cron(*/15 * * * ? *)');
        expect(p.ScheduleExpressionTimezone).toBe('America/New_York');
        expect(p.State).toBe('ENABLED');
        expect(p.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
        expect(p.GroupName).toEqual(stack.resolve(stack.schedules.group.scheduleGroupName));
        expect(p.Target.RoleArn).toEqual({ 'Fn::GetAtt': [id(stack.schedules.role), 'Arn'] });
        expect(p.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
        expect(p.Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [id(stack.schedules.deadLetterQueue), 'Arn'] } });
      });

      it('is sized for its work: 1 min timeout, one instance at a time (single writer of alert state), no async retry', () => {
        const fnId = id(stack.opsCheck!.handler.function);
        const p = resources[fnId]!.Properties as Json;
        expect(p.Timeout).toBe(60);
        expect(p.ReservedConcurrentExecutions).toBe(1);
        const invokeConfig = (Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')) as Json[]).find(
          (c) => c.Properties.FunctionName.Ref === fnId,
        );
        expect(invokeConfig?.Properties.MaximumRetryAttempts).toBe(0);
      });

      it('watches the deployed, enabled sources and publishes to the OpsAlerts topic', () => {
        const env = resources[id(stack.opsCheck!.handler.function)]!.Properties.Environment.Variables as Json;
        expect(env.OPS_TOPIC_ARN).toEqual({ Ref: id(stack.ops.topic) });
        expect(env.OPS_SOURCES).toBe(SOURCES_UNDER_TEST.join(','));
        expect(env.STATE_TABLE).toEqual({ Ref: id(stack.tables.state) });
      });

      it('leaves a source disabled in the config out of the watch list (and, full, the staleness alarms)', () => {
        const dir = mkdtempSync(join(tmpdir(), 'ew-ops-infra-'));
        try {
          const path = join(dir, 'config.json');
          writeFileSync(path, JSON.stringify({ watchlist: ['NVDA'], sources: { 'entity-list': { enabled: false } } }));
          const { stack: s, template: t } = buildMode({ 'export-watch:configFile': path });
          const env =
            t.toJSON().Resources[s.getLogicalId(s.opsCheck!.handler.function.node.defaultChild as never)].Properties.Environment.Variables;
          expect(env.OPS_SOURCES).toBe('sec-filings,federal-register');
          const stale = (Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Json[]).filter(
            (a) => a.Properties.MetricName === METRIC.sourceStale,
          );
          expect(stale.map((a) => a.Properties.Dimensions.find((d: Json) => d.Name === 'source').Value).sort()).toEqual(
            full ? ['federal-register', 'sec-filings'] : [],
          );
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });

      it('reads state items and the outbox index, writes only state items, and nothing else of DynamoDB', () => {
        const statements = policyStatementsOfRole(stack.opsCheck!.handler.role);
        const dynamo = statements.filter((s) => asArray(s.Action).some((a: string) => a.startsWith('dynamodb:')));
        const byResource = dynamo.map((s) => [JSON.stringify(s.Resource), asArray(s.Action).sort()]);
        expect(byResource).toContainEqual([
          JSON.stringify({ 'Fn::GetAtt': [id(stack.tables.state), 'Arn'] }),
          ['dynamodb:GetItem', 'dynamodb:PutItem'],
        ]);
        const outbox = dynamo.find((s) => JSON.stringify(s.Resource).includes('/index/outbox'));
        expect(asArray(outbox?.Action)).toEqual(['dynamodb:Query']);
        expect(dynamo).toHaveLength(2);
      });
    });

    describe('ops and subscriber notifications go to different destinations', () => {
      it('ops: the ops check may publish to the OpsAlerts topic only (and use its key), and may not send e-mail through SES', () => {
        const statements = policyStatementsOfRole(stack.opsCheck!.handler.role);
        const actions = statements.flatMap((s) => asArray(s.Action) as string[]);
        expect(actions.filter((a) => a.startsWith('ses:'))).toEqual([]);
        const publish = statements.filter((s) => asArray(s.Action).includes('sns:Publish'));
        expect(publish).toHaveLength(1);
        expect(asArray(publish[0]!.Resource)).toEqual([{ Ref: id(stack.ops.topic) }]);
        const kms = statements.find((s) => asArray(s.Action).includes('kms:GenerateDataKey'));
        expect(asArray(kms?.Resource)).toEqual([{ 'Fn::GetAtt': [id(stack.ops.key), 'Arn'] }]);
      });

      it('subscribers: the notifier sends through SES and cannot publish to SNS; no source can do either', () => {
        const notifier = policyStatementsOfRole(stack.notifier!.handler.role).flatMap((s) => asArray(s.Action) as string[]);
        expect(notifier.some((a) => a.startsWith('ses:Send'))).toBe(true);
        expect(notifier.filter((a) => a.startsWith('sns:'))).toEqual([]);
        const notifierEnv = resources[id(stack.notifier!.handler.function)]!.Properties.Environment.Variables as Json;
        expect(notifierEnv.OPS_TOPIC_ARN).toBeUndefined();
        for (const fn of stack.sourceFunctions.functions.values()) {
          const actions = policyStatementsOfRole(fn.role).flatMap((s) => asArray(s.Action) as string[]);
          expect(actions.filter((a) => a.startsWith('sns:') || a.startsWith('ses:'))).toEqual([]);
        }
      });

      it('ops still hears of trouble: the ops check runs every 15 min, enabled, and may publish; CloudWatch may publish to the topic and use its key', () => {
        const fnId = id(stack.opsCheck!.handler.function);
        const schedule = (Object.values(template.findResources('AWS::Scheduler::Schedule')) as Json[]).find(
          (x) => x.Properties.Target.Arn['Fn::GetAtt'][0] === fnId,
        );
        expect(schedule?.Properties).toMatchObject({ ScheduleExpression: 'cron(*/15 * * * ? *)', State: 'ENABLED' });
        const topicPolicy = (Object.values(template.findResources('AWS::SNS::TopicPolicy')) as Json[]).find((p) =>
          (p.Properties.Topics as Json[]).some((t) => t.Ref === id(stack.ops.topic)),
        );
        expect(topicPolicy!.Properties.PolicyDocument.Statement).toContainEqual(
          expect.objectContaining({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        );
        const key = resources[id(stack.ops.key)]!.Properties as Json;
        expect(resources[id(stack.ops.topic)]!.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [id(stack.ops.key), 'Arn'] });
        expect(key.KeyPolicy.Statement).toContainEqual(
          expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
        );
      });

      it(
        full
          ? 'full: the SES feedback topic has a customer-managed key of its own (two keys)'
          : 'lean: one customer-managed key encrypts both topics; its policy lets CloudWatch and SES use it',
        () => {
          const keys = template.findResources('AWS::KMS::Key');
          const feedback = stack.notifier!.email;
          expect(Object.keys(keys)).toHaveLength(full ? 2 : 1);
          expect(resources[id(feedback.feedbackTopic)]!.Properties.KmsMasterKeyId).toEqual({
            'Fn::GetAtt': [id(feedback.feedbackKey), 'Arn'],
          });
          expect(feedback.feedbackKey === stack.ops.key).toBe(!full);
          const services = (resources[id(feedback.feedbackKey)]!.Properties.KeyPolicy.Statement as Json[])
            .map((st) => st.Principal?.Service)
            .filter(Boolean);
          expect(services.sort()).toEqual(full ? ['ses.amazonaws.com'] : ['cloudwatch.amazonaws.com', 'ses.amazonaws.com']);
          // The key does not decide who publishes where: each topic policy names its one publisher service.
          const publishers = (Object.values(template.findResources('AWS::SNS::TopicPolicy')) as Json[]).map((p) => [
            (p.Properties.Topics as Json[])[0]!.Ref,
            (p.Properties.PolicyDocument.Statement as Json[]).filter((st) => st.Effect === 'Allow').map((st) => st.Principal.Service),
          ]);
          expect(publishers.sort()).toEqual(
            [
              [id(stack.ops.topic), ['cloudwatch.amazonaws.com']],
              [id(feedback.feedbackTopic), ['ses.amazonaws.com']],
            ].sort(),
          );
        },
      );

      it(`tells every function which metrics to emit (EXPORT_WATCH_METRICS=${mode})`, () => {
        const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Json[];
        expect(functions.length).toBeGreaterThan(0);
        for (const fn of functions) expect(fn.Properties.Environment.Variables.EXPORT_WATCH_METRICS).toBe(mode);
      });

      it('the OpsAlerts topic reaches exactly the ops e-mails of the context, never a subscriber of the config', () => {
        const all = Object.values(template.findResources('AWS::SNS::Subscription')) as Json[];
        const subs = all.filter((s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify({ Ref: id(stack.ops.topic) }));
        expect(subs.map((s) => [s.Properties.Protocol, s.Properties.Endpoint]).sort()).toEqual(OPS_EMAILS.map((e) => ['email', e]).sort());
        const subscribers = parseConfigFile(JSON.parse(stack.settings.configJson)).subscribers.map((s) => s.email);
        expect(subscribers.length).toBeGreaterThan(0);
        // No topic of the stack e-mails a subscriber.
        for (const email of subscribers) expect(all.map((s) => s.Properties.Endpoint)).not.toContain(email);
        expect(
          all
            .filter((s) => s.Properties.Protocol === 'email')
            .map((s) => s.Properties.Endpoint)
            .sort(),
        ).toEqual([...OPS_EMAILS].sort());
      });
    });

    describe('alarms', () => {
      itWhen(full)(
        'full: alarms per watched source while it is stale (SourceStale from the ops check, with the service dimension EMF writes)',
        () => {
          const stale = alarms().filter((a) => a.Properties.MetricName === METRIC.sourceStale);
          expect(stale).toHaveLength(SOURCES_UNDER_TEST.length);
          for (const a of stale) {
            expect(a.Properties).toMatchObject({
              Namespace: METRICS_NAMESPACE,
              Statistic: 'Maximum',
              Period: 900,
              Threshold: 1,
              ComparisonOperator: 'GreaterThanOrEqualToThreshold',
              EvaluationPeriods: 1,
              TreatMissingData: 'notBreaching',
            });
          }
          const dims = stale.map((a) => Object.fromEntries((a.Properties.Dimensions as Json[]).map((d) => [d.Name, d.Value])));
          expect(dims.sort((x, y) => x.source.localeCompare(y.source))).toEqual(
            [...SOURCES_UNDER_TEST].sort().map((source) => ({ service: METRICS_SERVICE, source })),
          );
        },
      );

      it(`${full ? 'alarms' : 'does not alarm (the ops check alerts itself, no custom metric needed)'} on the notifier backlog (oldest undelivered change older than ops.outboxMaxAgeMinutes)`, () => {
        const backlog = alarms().filter((a) => a.Properties.MetricName === METRIC.outboxOldestAge);
        if (!full) {
          expect(backlog).toEqual([]);
          return;
        }
        expect(backlog).toHaveLength(1);
        expect(backlog[0]!.Properties).toMatchObject({
          Namespace: METRICS_NAMESPACE,
          Dimensions: [{ Name: 'service', Value: METRICS_SERVICE }],
          Statistic: 'Maximum',
          Threshold: 30 * 60,
          ComparisonOperator: 'GreaterThanThreshold',
        });
      });

      it('alarms when the ops check itself stops running (missing data breaches)', () => {
        const heartbeat = alarms().filter((a) => a.Properties.MetricName === 'Invocations');
        expect(heartbeat).toHaveLength(1);
        expect(heartbeat[0]!.Properties).toMatchObject({
          Namespace: 'AWS/Lambda',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(stack.opsCheck!.handler.function) } }],
          Statistic: 'Sum',
          Period: 3600,
          Threshold: 1,
          ComparisonOperator: 'LessThanThreshold',
          TreatMissingData: 'breaching',
        });
      });

      itWhen(!full)('lean: no staleness alarms (the ops check alerts on stale sources itself) and only metrics lean emits', () => {
        expect(alarms().filter((a) => a.Properties.MetricName === METRIC.sourceStale)).toEqual([]);
        // Every custom metric an alarm watches is one the Lambdas still emit as EMF in lean.
        const custom = alarms().filter((a) => a.Properties.Namespace === METRICS_NAMESPACE);
        // None at all since issue 16 (the backlog is the ops check's own alert): lean bills no custom metric.
        expect(custom).toEqual([]);
        expect(LEAN_METRICS.size).toBe(0);
        for (const a of custom) expect(LEAN_METRICS.has(a.Properties.MetricName as MetricName), a.Properties.MetricName).toBe(true);
        // No metric-math alarm hides a metric from the check above (and each would be billed per metric anyway).
        expect(alarms().every((a) => a.Properties.Metrics === undefined)).toBe(true);
      });

      it(`alarms exactly on: errors${full ? ' and throttles' : ''} of every function, the DLQ, ${full ? 'the backlog, ' : ''}the heartbeat${full ? ', staleness per source' : ''}`, () => {
        const functionIds = Object.keys(template.findResources('AWS::Lambda::Function'));
        const byMetric = (metric: string) =>
          alarms().filter((a) => a.Properties.Namespace === 'AWS/Lambda' && a.Properties.MetricName === metric);
        expect(
          byMetric('Errors')
            .map((a) => a.Properties.Dimensions[0].Value.Ref)
            .sort(),
        ).toEqual([...functionIds].sort());
        expect(
          byMetric('Throttles')
            .map((a) => a.Properties.Dimensions[0].Value.Ref)
            .sort(),
        ).toEqual(full ? [...functionIds].sort() : []);
        const named = (predicate: (a: Json) => boolean) => alarms().filter(predicate).length;
        expect(named((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible')).toBe(1);
        expect(named((a) => a.Properties.MetricName === METRIC.outboxOldestAge)).toBe(full ? 1 : 0);
        expect(named((a) => a.Properties.MetricName === 'Invocations')).toBe(1);
        expect(alarms()).toHaveLength(
          functionIds.length * (full ? 2 : 1) + 1 + (full ? 1 : 0) + 1 + (full ? SOURCES_UNDER_TEST.length : 0),
        );
      });

      it(`alarms on errors${full ? ' and throttles' : ''} of the ops check like every function, and on every DLQ`, () => {
        const fnId = id(stack.opsCheck!.handler.function);
        for (const metric of ['Errors', 'Throttles']) {
          const has = alarms().some((a) => a.Properties.MetricName === metric && a.Properties.Dimensions[0].Value.Ref === fnId);
          expect(has, metric).toBe(metric === 'Errors' || full);
        }
        const dlqs = alarms().filter((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible');
        expect(dlqs.map((a) => a.Properties.Dimensions[0].Value['Fn::GetAtt'][0]).sort()).toEqual([id(stack.deadLetterQueue)]);
      });

      it('sends every alarm and its recovery to the OpsAlerts topic, with a runbook link', () => {
        for (const a of alarms()) {
          expect(a.Properties.AlarmActions).toEqual([{ Ref: id(stack.ops.topic) }]);
          expect(a.Properties.OKActions).toEqual([{ Ref: id(stack.ops.topic) }]);
          expect(a.Properties.AlarmDescription).toMatch(/Runbook: docs\/operations\.md#[a-z-]+|See its log group/);
        }
      });

      it('the cost model counts the alarms, dashboards and KMS keys the stack has', () => {
        // Functions besides sources, notifier and ops check (e.g. the subscription function) enter the model as "other".
        const known = new Set(
          [...stack.sourceFunctions.functions.values()]
            .map((f) => id(f.function))
            .concat(id(stack.notifier!.handler.function), id(stack.opsCheck!.handler.function)),
        );
        const others = Object.keys(template.findResources('AWS::Lambda::Function')).filter((fn) => !known.has(fn));
        const assumptions = defaultCostAssumptions({
          sources: Object.fromEntries(SOURCES_UNDER_TEST.map((s) => [s, DEFAULT_SCHEDULES[s]])),
          notifier: DEFAULT_SCHEDULES.notifier,
          opsCheck: OPS_CHECK_SCHEDULE,
          otherFunctions: others.map((name) => ({ ...SUBSCRIPTION_FUNCTION, name })),
          deadLetterQueues: Object.keys(template.findResources('AWS::SQS::Queue')).length,
          encryptedTopics: Object.keys(template.findResources('AWS::SNS::Topic')).length,
          observability: mode,
        });
        expect(assumptions.alarms).toBe(alarms().length);
        expect(assumptions.dashboards).toBe(Object.keys(template.findResources('AWS::CloudWatch::Dashboard')).length);
        expect(assumptions.kmsKeys).toBe(Object.keys(template.findResources('AWS::KMS::Key')).length);
      });

      it(`the cost model counts the custom metrics ${mode} emits: ${full ? 'per-source metrics and staleness' : 'only those the alarms watch'}`, () => {
        const assumptions = defaultCostAssumptions({
          sources: Object.fromEntries(SOURCES_UNDER_TEST.map((s) => [s, DEFAULT_SCHEDULES[s]])),
          notifier: DEFAULT_SCHEDULES.notifier,
          opsCheck: OPS_CHECK_SCHEDULE,
          observability: mode,
        });
        // Lean: one metric per name in LEAN_METRICS (none has a dimension besides service).
        expect(assumptions.customMetrics).toBe(full ? 4 * SOURCES_UNDER_TEST.length + 3 : LEAN_METRICS.size);
      });

      it('every runbook anchor an alarm names exists in docs/operations.md', () => {
        const doc = readFileSync(join(PROJECT_ROOT, 'docs/operations.md'), 'utf8');
        const anchors = new Set(
          [...doc.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
            m[1]!
              .toLowerCase()
              .replace(/[^a-z0-9 -]/g, '')
              .trim()
              .replace(/ /g, '-'),
          ),
        );
        const named = alarms().flatMap((a) =>
          [...String(a.Properties.AlarmDescription).matchAll(/operations\.md#([a-z-]+)/g)].map((m) => m[1]!),
        );
        expect(named.length).toBeGreaterThan(0);
        for (const anchor of named) expect(anchors, anchor).toContain(anchor);
      });
    });

    describeWhen(!full)('no dashboard (lean)', () => {
      it('has no dashboard and no DashboardName output', () => {
        template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
        expect(stack.dashboard).toBeUndefined();
        expect(Object.keys(template.toJSON().Outputs ?? {})).not.toContain('DashboardName');
        expect(Object.keys(template.toJSON().Outputs ?? {})).toContain('OpsAlertsTopicArn');
      });
    });

    describeWhen(full)('dashboard (full)', () => {
      const body = () => {
        const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Json[];
        expect(dashboards).toHaveLength(1);
        return JSON.stringify(dashboards[0]!.Properties.DashboardBody);
      };

      it('shows the source, notifier and ops metrics with the namespace and dimensions the Lambdas emit', () => {
        const text = body();
        for (const name of [
          METRIC.sourceStale,
          METRIC.changesDetected,
          METRIC.upstreamRequests,
          METRIC.upstreamBytes,
          METRIC.upstreamRetries,
          METRIC.upstreamBlocks,
          METRIC.emailsSent,
          METRIC.emailFailures,
          METRIC.bounces,
          METRIC.outboxOldestAge,
          METRIC.opsNotifications,
        ]) {
          expect(text).toContain(`\\"${METRICS_NAMESPACE}\\",\\"${name}\\"`);
        }
        expect(text).toContain(
          `SEARCH('{${METRICS_NAMESPACE},errorKind,service,source} MetricName=\\\\\\"${METRIC.sourceFailures}\\\\\\"'`,
        );
        for (const source of SOURCES_UNDER_TEST) expect(text).toContain(`\\"source\\",\\"${source}\\"`);
      });

      it('has the DashboardName output', () => {
        expect(Object.keys(template.toJSON().Outputs ?? {})).toContain('DashboardName');
      });

      it('shows every alarm, Lambda errors/throttles/duration of every function and both DLQs', () => {
        const text = body();
        expect(text).toContain('\\"type\\":\\"alarm\\"');
        for (const alarm of stack.ops.alarms) expect(text).toContain(id(alarm));
        for (const fnId of Object.keys(template.findResources('AWS::Lambda::Function'))) expect(text).toContain(fnId);
        for (const metric of ['Errors', 'Throttles', 'Duration', 'ApproximateNumberOfMessagesVisible'])
          expect(text).toContain(`\\"${metric}\\"`);
        // SES's own bounce and complaint counters.
        expect(text).toContain('\\"AWS/SES\\",\\"Bounce\\"');
        expect(text).toContain('\\"AWS/SES\\",\\"Complaint\\"');
      });
    });

    describe('log retention and dead-letter queues', () => {
      it('keeps the logs of every function, the ops check included, for 3 months in its own group', () => {
        const groups = template.findResources('AWS::Logs::LogGroup');
        const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Json[];
        expect(Object.keys(groups)).toHaveLength(functions.length);
        for (const g of Object.values(groups) as Json[]) expect(g.Properties.RetentionInDays).toBe(90);
        expect(new Set(functions.map((f) => f.Properties.LoggingConfig.LogGroup.Ref))).toEqual(new Set(Object.keys(groups)));
      });

      it('gives every scheduled invocation and the change-log stream a dead-letter queue', () => {
        for (const s of Object.values(template.findResources('AWS::Scheduler::Schedule')) as Json[]) {
          expect(s.Properties.Target.DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [id(stack.schedules.deadLetterQueue), 'Arn'] });
        }
        for (const m of Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Json[]) {
          expect(m.Properties.DestinationConfig.OnFailure.Destination).toBeDefined();
        }
      });
    });

    describe('variants', () => {
      it('deploys no ops check (and no staleness alarm) when no source is deployed', () => {
        const { stack: s, template: t } = buildMode({}, { sources: [] });
        expect(s.opsCheck).toBeUndefined();
        const names = (Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Json[]).map((a) => a.Properties.MetricName);
        expect(names).not.toContain(METRIC.sourceStale);
        t.resourceCountIs('AWS::CloudWatch::Dashboard', full ? 1 : 0);
      });

      it('has no backlog alarm without a notifier (nothing would drain the outbox by design)', () => {
        const { template: t } = buildMode({}, { notifier: false });
        const names = (Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Json[]).map((a) => a.Properties.MetricName);
        expect(names).not.toContain(METRIC.outboxOldestAge);
        if (full) expect(names).toContain(METRIC.sourceStale);
        expect(names).toContain('Invocations');
        t.resourceCountIs('AWS::KMS::Key', 1);
      });

      it('adds no cdk-nag finding: the ops check, the ops topic, the alarms and the dashboard are clean', () => {
        const { app } = buildMode();
        const mine = new AwsSolutionsChecks()
          .validateScope(app)
          .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))
          .filter((finding) => /\/(OpsCheck|Ops|Dashboard|Schedules)\//.test(finding));
        expect(mine).toEqual([]);
      });
    });
  },
);
