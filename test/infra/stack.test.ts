import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceName } from '#core/change.ts';
import { loadConfig, parseConfigFile } from '#core/config.ts';
import { ANALYSIS_TRIGGER, cadencesOf, toEventBridgeCron } from '#core/schedule.ts';
import { OPS_CHECK_SCHEDULE } from '#ops/schedule.ts';
import { SOURCES } from '#sources/index.ts';
import { CHANGES_TABLE, STATE_TABLE, SUBSCRIBERS_TABLE } from '#store/tables.ts';
import { ExportWatchStack, type ExportWatchStackProps, PROJECT_ROOT } from '#lib/export-watch-stack.ts';
import { ExportWatchTables } from '#lib/tables.ts';

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
const USER_AGENT = 'Acme Research admin@acme.example';
const SENDER = 'alerts@mail.acme.example';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is untyped; the assertions check its shape.
type Json = Record<string, any>;

/** An app with the context of cdk.json plus `extra`, and the stack built on fixture handlers. */
function build(extra: Record<string, unknown> = {}, props: ExportWatchStackProps = {}): { app: App; stack: ExportWatchStack } {
  const app = new App({ context: { ...cdkContext, ...extra } });
  const stack = new ExportWatchStack(app, 'ExportWatchTest', {
    sources: SOURCES_UNDER_TEST,
    entries: FIXTURE_ENTRIES,
    ...props,
  });
  return { app, stack };
}

/** Every statement of every inline IAM policy in the template. */
function statementsOf(template: Template, policyLogicalIds?: string[]): Json[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.entries(policies)
    .filter(([id]) => !policyLogicalIds || policyLogicalIds.includes(id))
    .flatMap(([, p]) => (p as Json).Properties.PolicyDocument.Statement as Json[]);
}

const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** The staged asset directory of a function (`asset.<hash>` in the app's output, its S3 key without `.zip`). */
function assetDir(app: App, fn: Json): string {
  const key = fn.Properties.Code.S3Key as string;
  expect(key).toMatch(/^[0-9a-f]{64}\.zip$/);
  return join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'export-watch-infra-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function configFile(name: string, body: unknown): string {
  const path = join(tmp, name);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
}

describe('ExportWatchStack', () => {
  let app: App;
  let stack: ExportWatchStack;
  let template: Template;
  const logicalId = (fn: { node: { defaultChild?: unknown } }) => stack.getLogicalId(fn.node.defaultChild as CfnFunction);

  beforeAll(() => {
    ({ app, stack } = build({
      'export-watch:secUserAgent': USER_AGENT,
      'export-watch:senderEmail': SENDER,
      'export-watch:opsEmails': ['ops@acme.example', 'oncall@acme.example'],
    }));
    template = Template.fromStack(stack);
  });

  describe('tables', () => {
    const layouts = { Changes: CHANGES_TABLE, State: STATE_TABLE, Subscribers: SUBSCRIBERS_TABLE };

    it('creates the three tables from the shared layouts: string keys, on demand, encrypted, PITR, retained', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', 3);
      for (const [name, layout] of Object.entries(layouts)) {
        const table = stack.tables[name.toLowerCase() as 'changes'];
        const resource = template.toJSON().Resources[stack.getLogicalId(table.node.defaultChild as never)] as Json;
        expect(resource.DeletionPolicy).toBe('Retain');
        expect(resource.UpdateReplacePolicy).toBe('Retain');
        const p = resource.Properties;
        expect(p.BillingMode).toBe('PAY_PER_REQUEST');
        expect(p.SSESpecification).toEqual({ SSEEnabled: true });
        expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
        expect(p.KeySchema).toEqual([
          { AttributeName: layout.partitionKey, KeyType: 'HASH' },
          ...(layout.sortKey ? [{ AttributeName: layout.sortKey, KeyType: 'RANGE' }] : []),
        ]);
        expect(new Set((p.AttributeDefinitions as Json[]).map((a) => a.AttributeType))).toEqual(new Set(['S']));
        expect(
          ((p.GlobalSecondaryIndexes ?? []) as Json[]).map((i) => [
            i.IndexName,
            i.KeySchema[0].AttributeName,
            i.KeySchema[1].AttributeName,
          ]),
        ).toEqual(layout.indexes.map((i) => [i.name, i.partitionKey, i.sortKey]));
      }
    });

    it('streams new images from the change log only', () => {
      const streams = template.findResources('AWS::DynamoDB::Table', { Properties: { StreamSpecification: Match.anyValue() } });
      expect(Object.keys(streams)).toEqual([stack.getLogicalId(stack.tables.changes.node.defaultChild as never)]);
      expect(Object.values(streams)[0]!.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
    });
  });

  describe('functions', () => {
    it('deploys one function per source plus the notifier, on arm64 and the newest Node.js runtime', () => {
      expect([...stack.sourceFunctions.functions.keys()]).toEqual(SOURCES_UNDER_TEST);
      template.resourceCountIs('AWS::Lambda::Function', SOURCES_UNDER_TEST.length + 4); // + notifier, ops check, subscription endpoint, SES feedback
      template.allResourcesProperties('AWS::Lambda::Function', {
        Architectures: ['arm64'],
        Runtime: 'nodejs24.x',
        MemorySize: 512,
        Handler: 'index.handler',
      });
    });

    it('sizes sources at 5 min and the notifier at 2 min, each with a reserved concurrency of 1', () => {
      for (const fn of stack.sourceFunctions.functions.values()) {
        const p = template.toJSON().Resources[logicalId(fn.function)].Properties as Json;
        expect(p.Timeout).toBe(300);
        expect(p.ReservedConcurrentExecutions).toBe(1);
      }
      const notifier = template.toJSON().Resources[logicalId(stack.notifier!.handler.function)].Properties as Json;
      expect(notifier.Timeout).toBe(120);
      expect(notifier.ReservedConcurrentExecutions).toBe(1);
    });

    it('does not let Lambda retry a crashed scheduled run (the next run catches up)', () => {
      template.resourceCountIs('AWS::Lambda::EventInvokeConfig', SOURCES_UNDER_TEST.length + 4);
      const feedback = logicalId(stack.notifier!.email.feedbackHandler.function);
      for (const config of Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')) as Json[]) {
        // The feedback function is not scheduled: SES feedback from SNS is retried twice (a lost complaint never comes back).
        expect(config.Properties.MaximumRetryAttempts).toBe(config.Properties.FunctionName.Ref === feedback ? 2 : 0);
      }
    });

    it('gives every function its own log group with a 3-month retention', () => {
      template.resourceCountIs('AWS::Logs::LogGroup', SOURCES_UNDER_TEST.length + 4);
      template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
      const groups = Object.keys(template.findResources('AWS::Logs::LogGroup'));
      const used = Object.values(template.findResources('AWS::Lambda::Function')).map(
        (f) => (f as Json).Properties.LoggingConfig.LogGroup.Ref,
      );
      expect(new Set(used)).toEqual(new Set(groups));
    });

    it('passes table names and the SEC User-Agent, and no config in the environment (issue 17, item 2)', () => {
      const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Json[];
      expect(functions.length).toBeGreaterThan(0);
      for (const fn of functions) {
        const env = fn.Properties.Environment.Variables as Json;
        expect(env.CHANGES_TABLE).toEqual({ Ref: stack.getLogicalId(stack.tables.changes.node.defaultChild as never) });
        expect(env.STATE_TABLE).toEqual({ Ref: stack.getLogicalId(stack.tables.state.node.defaultChild as never) });
        expect(env.SUBSCRIBERS_TABLE).toEqual({ Ref: stack.getLogicalId(stack.tables.subscribers.node.defaultChild as never) });
        expect(env.SEC_USER_AGENT).toBe(USER_AGENT);
        expect(env).not.toHaveProperty('EXPORT_WATCH_CONFIG_JSON');
        expect(env.EXPORT_WATCH_CONFIG).toBe('/var/task/export-watch.config.json');
      }
    });

    it("bundles the validated config with the sender override into every function's asset, where EXPORT_WATCH_CONFIG points", () => {
      const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Json[];
      const shipped = parseConfigFile(JSON.parse(readFileSync(join(PROJECT_ROOT, 'export-watch.config.json'), 'utf8')));
      for (const fn of functions) {
        const bundled = readFileSync(join(assetDir(app, fn), 'export-watch.config.json'), 'utf8');
        const config = parseConfigFile(JSON.parse(bundled));
        expect(config.senderEmail).toBe(SENDER);
        expect(config.watchlist).toEqual(shipped.watchlist);
        // The same file the runtime reads at cold start (loadConfig with EXPORT_WATCH_CONFIG).
        const dir = assetDir(app, fn);
        expect(loadConfig({ EXPORT_WATCH_CONFIG: join(dir, 'export-watch.config.json') }).senderEmail).toBe(SENDER);
      }
    });
  });

  describe('schedules', () => {
    it('schedules every source and the notifier in America/New_York on the shared cadences (a burst window is a second schedule)', () => {
      const expected = new Map<string, string>([
        ...[...stack.sourceFunctions.functions].map(([name, fn]) => [logicalId(fn.function), name] as [string, string]),
        [logicalId(stack.notifier!.handler.function), 'notifier'],
        [logicalId(stack.opsCheck!.handler.function), 'ops-check'],
      ]);
      const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as Json[];
      const cadences = (name: string) => (name === 'ops-check' ? [OPS_CHECK_SCHEDULE] : cadencesOf(name as SourceName));
      expect(schedules).toHaveLength([...expected.values()].reduce((n, name) => n + cadences(name).length, 0));
      const seen = new Map<string, string[]>();
      for (const s of schedules) {
        const p = s.Properties;
        const name = expected.get(p.Target.Arn['Fn::GetAtt'][0]);
        expect(name).toBeDefined();
        seen.set(name!, [...(seen.get(name!) ?? []), p.ScheduleExpression]);
        expect(p.ScheduleExpressionTimezone).toBe('America/New_York');
        expect(p.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
        expect(p.State).toBe('ENABLED');
        expect(p.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
        expect(p.Target.DeadLetterConfig).toEqual({
          Arn: { 'Fn::GetAtt': [stack.getLogicalId(stack.deadLetterQueue.node.defaultChild as never), 'Arn'] },
        });
      }
      expect(new Set(seen.keys())).toEqual(new Set(expected.values()));
      for (const [name, expressions] of seen) expect(expressions.sort(), name).toEqual(cadences(name).map(toEventBridgeCron).sort());
      // Filing hours poll every minute; public inspection has its burst window.
      expect(seen.get('sec-filings')).toEqual(['cron(* 6-22 ? * MON-FRI *)']);
      expect(seen.get('federal-register')).toHaveLength(2);
    });

    it('lets the scheduler role invoke exactly the scheduled functions and write to its DLQ', () => {
      const roleId = stack.getLogicalId(stack.schedules.role.node.defaultChild as never);
      const policyIds = Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([, p]) => (p as Json).Properties.Roles.some((r: Json) => r.Ref === roleId))
        .map(([id]) => id);
      const statements = statementsOf(template, policyIds);
      const invoke = statements.find((s) => s.Action === 'lambda:InvokeFunction')!;
      // Every function but the subscription endpoint (invoked by its URL) and the feedback function (by SNS) runs on a schedule.
      const unscheduled = [stack.notifier!.email.handler.function, stack.notifier!.email.feedbackHandler.function].map(logicalId);
      const functionIds = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => !unscheduled.includes(id));
      expect(
        asArray(invoke.Resource)
          .map((r: Json) => r['Fn::GetAtt'][0])
          .sort(),
      ).toEqual(functionIds.sort());
      expect(statements.map((s) => s.Action).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: Match.absent(),
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({
              Principal: { Service: 'scheduler.amazonaws.com' },
              Condition: { StringEquals: Match.objectLike({ 'aws:SourceAccount': Match.anyValue() }) },
            }),
          ],
        },
      });
    });
  });

  describe('analysis triggers (issue 16)', () => {
    // Every source deployed, so that the analyses are.
    let all: ExportWatchStack;
    let allTemplate: Template;
    beforeAll(() => {
      ({ stack: all } = build(
        { 'export-watch:secUserAgent': USER_AGENT, 'export-watch:senderEmail': SENDER },
        { sources: Object.keys(SOURCES) as SourceName[] },
      ));
      allTemplate = Template.fromStack(all);
    });
    const idOf = (c: { node: { defaultChild?: unknown } }) => all.getLogicalId(c.node.defaultChild as never);
    const mappingsOf = (fn: { node: { defaultChild?: unknown } }) =>
      (Object.values(allTemplate.findResources('AWS::Lambda::EventSourceMapping')) as Json[]).filter(
        (m) => m.Properties.FunctionName.Ref === idOf(fn),
      );
    const statementsOfRole = (role: { node: { defaultChild?: unknown } }) =>
      statementsOf(
        allTemplate,
        Object.entries(allTemplate.findResources('AWS::IAM::Policy'))
          .filter(([, p]) => (p as Json).Properties.Roles.some((r: Json) => r.Ref === idOf(role)))
          .map(([id]) => id),
      );

    it('each analysis is started by filing.new inserts only, on the change-log stream, batched 5 s', () => {
      allTemplate.resourceCountIs('AWS::Lambda::EventSourceMapping', 1 + ANALYSIS_TRIGGER.analyses.length);
      for (const name of ANALYSIS_TRIGGER.analyses) {
        const mappings = mappingsOf(all.sourceFunctions.functions.get(name)!.function);
        expect(mappings, name).toHaveLength(1);
        expect(mappings[0]!.Properties).toMatchObject({
          EventSourceArn: { 'Fn::GetAtt': [idOf(all.tables.changes), 'StreamArn'] },
          StartingPosition: 'LATEST',
          MaximumBatchingWindowInSeconds: ANALYSIS_TRIGGER.batchingWindowSeconds,
          MaximumRetryAttempts: 1,
          FilterCriteria: {
            Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['filing.new'] } } } }) }],
          },
        });
      }
      // The sources that produce changes are never triggered by the stream.
      for (const [name, fn] of all.sourceFunctions.functions) {
        if (!(ANALYSIS_TRIGGER.analyses as readonly string[]).includes(name)) expect(mappingsOf(fn.function), name).toEqual([]);
      }
    });

    it('the analyses may read the change-log stream, and only it (ListStreams, which takes no resource, aside); the other sources may not', () => {
      const streamArn = { 'Fn::GetAtt': [idOf(all.tables.changes), 'StreamArn'] };
      for (const [name, fn] of all.sourceFunctions.functions) {
        const streamActions = statementsOfRole(fn.role).filter((st) =>
          asArray(st.Action).some((a: string) => /^dynamodb:(ListStreams|DescribeStream|GetRecords|GetShardIterator)$/.test(a)),
        );
        if (!(ANALYSIS_TRIGGER.analyses as readonly string[]).includes(name)) {
          expect(streamActions, name).toEqual([]);
          continue;
        }
        const scoped = streamActions.filter((st) => !asArray(st.Action).includes('dynamodb:ListStreams'));
        expect(scoped.flatMap((st) => asArray(st.Resource))).toEqual([streamArn]);
        expect(scoped.flatMap((st) => asArray(st.Action)).sort()).toEqual([
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
        ]);
        expect(
          streamActions.filter((st) => asArray(st.Action).includes('dynamodb:ListStreams')).flatMap((st) => asArray(st.Action)),
        ).toEqual(['dynamodb:ListStreams']);
      }
    });

    it('cdk-nag AwsSolutions stays clean with the triggers (each acknowledgement has a reason)', () => {
      const report = new AwsSolutionsChecks().validateScope(all.node.root as App);
      expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    });

    it('a source disabled in the config gets no trigger', () => {
      const cfg = configFile('no-language.json', {
        watchlist: ['NVDA'],
        senderEmail: 'alerts@acme.example',
        sources: { 'sec-export-language': { enabled: false } },
      });
      const { stack: s } = build({ 'export-watch:configFile': cfg }, { sources: Object.keys(SOURCES) as SourceName[] });
      expect(s.analysisTriggers.triggered).toEqual(['sec-revenue']);
    });
  });

  describe('notifier', () => {
    it('is triggered by inserts on the change-log stream, with a DLQ for failed batches', () => {
      // This stack deploys no analysis, so the notifier's is the only mapping (the analyses' triggers: below).
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalId(stack.notifier!.handler.function) },
        EventSourceArn: { 'Fn::GetAtt': [stack.getLogicalId(stack.tables.changes.node.defaultChild as never), 'StreamArn'] },
        StartingPosition: 'LATEST',
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 30,
        MaximumRetryAttempts: 3,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [stack.getLogicalId(stack.deadLetterQueue.node.defaultChild as never), 'Arn'] } },
        },
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
      });
    });

    it('may send mail only as the sender address or its domain, in its configuration set', () => {
      const ses = statementsOf(template).filter((s) => asArray(s.Action).some((a: string) => a.startsWith('ses:')));
      expect(ses).toHaveLength(1);
      expect(asArray(ses[0]!.Action).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      const resources = asArray(ses[0]!.Resource).map((r: Json) => JSON.stringify(r));
      expect(resources).toHaveLength(3);
      expect(
        resources.some(
          (r) =>
            r.includes(':configuration-set/') &&
            r.includes(stack.getLogicalId(stack.notifier!.email.configurationSet.node.defaultChild as never)),
        ),
      ).toBe(true);
      expect(resources.some((r) => r.includes(':identity/alerts@mail.acme.example'))).toBe(true);
      expect(resources.some((r) => r.includes(':identity/mail.acme.example"'))).toBe(true);
      expect(resources.every((r) => !r.includes('*'))).toBe(true);
    });
  });

  describe('subscriber email', () => {
    const ref = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
    const policiesOf = (role: { node: { defaultChild?: unknown } }) =>
      Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([, p]) => (p as Json).Properties.Roles.some((r: Json) => r.Ref === ref(role)))
        .map(([id]) => id);

    it('serves confirm/unsubscribe links from a public function URL (the signed token is the authentication), with bounded concurrency', () => {
      const email = stack.notifier!.email;
      template.resourceCountIs('AWS::Lambda::Url', 1);
      template.hasResourceProperties('AWS::Lambda::Url', {
        AuthType: 'NONE',
        InvokeMode: 'BUFFERED',
        TargetFunctionArn: { 'Fn::GetAtt': [logicalId(email.handler.function), 'Arn'] },
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunctionUrl',
        FunctionUrlAuthType: 'NONE',
        Principal: '*',
      });
      const fn = template.toJSON().Resources[logicalId(email.handler.function)].Properties as Json;
      expect(fn.ReservedConcurrentExecutions).toBe(5);
      expect(fn.Environment.Variables.EMAIL_SECRET_ARN).toEqual({ Ref: ref(email.secret) });
    });

    it('signs links with a generated Secrets Manager secret that only the notifier and the subscription function read', () => {
      const email = stack.notifier!.email;
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
      });
      const readers = Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([, p]) =>
          ((p as Json).Properties.PolicyDocument.Statement as Json[]).some((s) =>
            asArray(s.Action).includes('secretsmanager:GetSecretValue'),
          ),
        )
        .flatMap(([, p]) => ((p as Json).Properties.Roles as Json[]).map((r) => r.Ref));
      expect(readers.sort()).toEqual([ref(stack.notifier!.handler.role), ref(email.handler.role)].sort());
      const notifierEnv = (template.toJSON().Resources[logicalId(stack.notifier!.handler.function)].Properties as Json).Environment
        .Variables;
      expect(notifierEnv.EMAIL_SECRET_ARN).toEqual({ Ref: ref(email.secret) });
      expect(notifierEnv.EMAIL_LINKS_URL).toEqual({ 'Fn::GetAtt': [ref(email.url), 'FunctionUrl'] });
      expect(notifierEnv.SES_CONFIGURATION_SET).toEqual({ Ref: ref(email.configurationSet) });
    });

    it('lets the subscription function read and update subscriber profiles and nothing else', () => {
      const email = stack.notifier!.email;
      const statements = statementsOf(template, policiesOf(email.handler.role));
      const actions = statements.flatMap((s) => asArray(s.Action) as string[]).sort();
      expect(actions).toEqual([
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
      ]);
      const dynamo = statements.find((s) => asArray(s.Action).includes('dynamodb:UpdateItem'))!;
      expect(dynamo.Resource).toEqual({ 'Fn::GetAtt': [ref(stack.tables.subscribers), 'Arn'] });
    });

    it('sends in a configuration set whose bounces and complaints reach the feedback function through an encrypted topic', () => {
      const email = stack.notifier!.email;
      template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        ConfigurationSetName: { Ref: ref(email.configurationSet) },
        EventDestination: {
          Enabled: true,
          MatchingEventTypes: ['bounce', 'complaint'],
          SnsDestination: { TopicARN: { Ref: ref(email.feedbackTopic) } },
        },
      });
      const topic = template.toJSON().Resources[ref(email.feedbackTopic)].Properties as Json;
      expect(topic.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [ref(email.feedbackKey), 'Arn'] });
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({ Principal: { Service: 'ses.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: ref(email.feedbackTopic) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'ses.amazonaws.com' } }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'lambda',
        TopicArn: { Ref: ref(email.feedbackTopic) },
        Endpoint: { 'Fn::GetAtt': [logicalId(email.feedbackHandler.function), 'Arn'] },
      });
    });
  });

  describe('SES feedback (issue 19, item 8)', () => {
    const ref = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
    /** The Lambda subscription of the feedback topic. */
    const feedbackSubscription = () => {
      const subs = (Object.values(template.findResources('AWS::SNS::Subscription')) as Json[]).filter(
        (s) => s.Properties.Protocol === 'lambda' && s.Properties.TopicArn?.Ref === ref(stack.notifier!.email.feedbackTopic),
      );
      expect(subs).toHaveLength(1);
      return subs[0]!.Properties as Json;
    };
    const feedbackFunctionId = () => feedbackSubscription().Endpoint['Fn::GetAtt'][0] as string;

    it('bounces and complaints reach a function of their own, not the public subscription endpoint, unreserved', () => {
      const id = feedbackFunctionId();
      expect(id).not.toBe(logicalId(stack.notifier!.email.handler.function));
      const fn = template.toJSON().Resources[id].Properties as Json;
      // A flood on the public URL can only take the URL's 5 slots; feedback reserves nothing, so it never waits behind them.
      expect(fn.ReservedConcurrentExecutions).toBeUndefined();
      // The URL function serves links only: no longer subscribed to any topic, no async retries to configure.
      const subscribed = (Object.values(template.findResources('AWS::SNS::Subscription')) as Json[]).filter(
        (s) => s.Properties.Endpoint?.['Fn::GetAtt']?.[0] === logicalId(stack.notifier!.email.handler.function),
      );
      expect(subscribed).toEqual([]);
    });

    it('a feedback event SNS cannot deliver, or the function fails after 2 retries, lands in an encrypted DLQ that alarms to ops', () => {
      const id = feedbackFunctionId();
      const redrive = feedbackSubscription().RedrivePolicy as Json;
      const queueId = redrive.deadLetterTargetArn['Fn::GetAtt'][0] as string;
      const queue = template.toJSON().Resources[queueId] as Json;
      expect(queue.Type).toBe('AWS::SQS::Queue');
      expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      // SNS may send to it (this topic only), and only over TLS.
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Principal: { Service: 'sns.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': { Ref: ref(stack.notifier!.email.feedbackTopic) } } },
            }),
          ]),
        },
      });
      const invoke = (Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')) as Json[]).find(
        (c) => c.Properties.FunctionName.Ref === id,
      );
      expect(invoke?.Properties).toMatchObject({
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
      });
      const alarms = (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[]).filter(
        (a) =>
          a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' && a.Properties.Dimensions[0].Value['Fn::GetAtt'][0] === queueId,
      );
      expect(alarms).toHaveLength(1);
      expect(alarms[0]!.Properties).toMatchObject({
        Threshold: 0,
        AlarmActions: [{ Ref: stack.getLogicalId(stack.ops.topic.node.defaultChild as never) }],
      });
    });

    it('the feedback role may only update subscriber profiles and send to its DLQ', () => {
      const id = feedbackFunctionId();
      const roleId = (template.toJSON().Resources[id].Properties as Json).Role['Fn::GetAtt'][0] as string;
      const policyIds = Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([, p]) => (p as Json).Properties.Roles.some((r: Json) => r.Ref === roleId))
        .map(([pid]) => pid);
      const statements = statementsOf(template, policyIds);
      const actions = statements.flatMap((s) => asArray(s.Action) as string[]).sort();
      expect(actions.filter((a) => !a.startsWith('logs:'))).toEqual([
        'dynamodb:UpdateItem',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ]);
      const dynamo = statements.find((s) => asArray(s.Action).includes('dynamodb:UpdateItem'))!;
      expect(dynamo.Resource).toEqual({ 'Fn::GetAtt': [ref(stack.tables.subscribers), 'Arn'] });
    });
  });

  describe('IAM', () => {
    const policiesOfRole = (role: { node: { defaultChild?: unknown } }) => {
      const roleId = stack.getLogicalId(role.node.defaultChild as never);
      return Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([, p]) => (p as Json).Properties.Roles.some((r: Json) => r.Ref === roleId))
        .map(([id]) => id);
    };

    it('gives sources state read/write and change-log PutItem + index queries, and nothing of SES', () => {
      for (const fn of stack.sourceFunctions.functions.values()) {
        const statements = statementsOf(template, policiesOfRole(fn.role));
        const actions = statements.flatMap((s) => asArray(s.Action) as string[]);
        expect(actions.filter((a) => a.startsWith('ses:'))).toEqual([]);
        const changesArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.tables.changes.node.defaultChild as never), 'Arn'] };
        const onChanges = statements.filter((s) => asArray(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(changesArn)));
        const changeActions = onChanges.flatMap((s) => asArray(s.Action) as string[]);
        expect(changeActions).toContain('dynamodb:PutItem');
        // Reads go through the by-source/by-subject indexes (checked below), never the table or the outbox index.
        expect(changeActions).not.toContain('dynamodb:Query');
        expect(changeActions).not.toContain('dynamodb:UpdateItem');
        expect(changeActions).not.toContain('dynamodb:DeleteItem');
        expect(actions).not.toContain('dynamodb:Scan');
      }
    });

    /** Actions of a role per resource: the table ARN or `<table>/index/<name>`. */
    const grantsOf = (role: { node: { defaultChild?: unknown } }) => {
      const tableIds = new Map(
        (['changes', 'state', 'subscribers'] as const).map(
          (t) => [stack.getLogicalId(stack.tables[t].node.defaultChild as never), t] as const,
        ),
      );
      const out: Record<string, string[]> = {};
      for (const s of statementsOf(template, policiesOfRole(role))) {
        for (const r of asArray(s.Resource) as Json[]) {
          const name = (() => {
            if (r?.['Fn::GetAtt']?.[1] === 'Arn') return tableIds.get(r['Fn::GetAtt'][0]);
            const join = r?.['Fn::Join']?.[1] as Json[] | undefined;
            const table = join?.[0]?.['Fn::GetAtt'];
            return table && table[1] === 'Arn' && tableIds.has(table[0]) ? `${tableIds.get(table[0])}${join![1]}` : undefined;
          })();
          if (name) out[name] = [...(out[name] ?? []), ...(asArray(s.Action) as string[])].sort();
        }
      }
      return out;
    };

    it('least privilege (issue 19, item 13): each role has exactly the DynamoDB actions its code calls', () => {
      for (const fn of stack.sourceFunctions.functions.values()) {
        // DynamoChangeLog.put (conditional PutItem) and .query (bySource/bySubject); DynamoSourceState: get/put/leases/items.
        expect(grantsOf(fn.role)).toEqual({
          changes: ['dynamodb:PutItem'],
          'changes/index/bySource': ['dynamodb:Query'],
          'changes/index/bySubject': ['dynamodb:Query'],
          state: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        });
      }
      // pendingNotification (outbox), digest queries (bySource/bySubject), markNotified; subscribers: list (Scan),
      // get, addIfAbsent/recordDelivery (PutItem), update, deliveredAmong (BatchGetItem). Never a delete.
      const { state: notifierState, ...notifier } = grantsOf(stack.notifier!.handler.role);
      // Its own delivery-health item in the state table only (a LeadingKeys condition), if any.
      if (notifierState) {
        const onState = statementsOf(template, policiesOfRole(stack.notifier!.handler.role)).filter((st) =>
          JSON.stringify(st.Resource).includes(stack.getLogicalId(stack.tables.state.node.defaultChild as never)),
        );
        for (const st of onState) expect(st.Condition?.['ForAllValues:StringEquals']?.['dynamodb:LeadingKeys']).toBeDefined();
      }
      expect(notifier).toEqual({
        changes: ['dynamodb:UpdateItem'],
        'changes/index/bySource': ['dynamodb:Query'],
        'changes/index/bySubject': ['dynamodb:Query'],
        'changes/index/outbox': ['dynamodb:Query'],
        subscribers: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
      });
      expect(grantsOf(stack.opsCheck!.handler.role)).toEqual({
        state: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        'changes/index/outbox': ['dynamodb:Query'],
      });
      expect(grantsOf(stack.notifier!.email.handler.role)).toEqual({ subscribers: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] });
    });

    it('the notifier cannot delete subscribers or deliveries, and sources cannot read the outbox index', () => {
      const notifier = statementsOf(template, policiesOfRole(stack.notifier!.handler.role)).flatMap((s) => asArray(s.Action) as string[]);
      expect(notifier).not.toContain('dynamodb:DeleteItem');
      expect(notifier).not.toContain('dynamodb:BatchWriteItem');
      for (const fn of stack.sourceFunctions.functions.values()) {
        const resources = statementsOf(template, policiesOfRole(fn.role)).flatMap((s) => asArray(s.Resource).map((r) => JSON.stringify(r)));
        expect(resources.filter((r) => r.includes('/index/outbox'))).toEqual([]);
      }
    });

    it('uses no AWS managed policies and no "*" resource except dynamodb:ListStreams', () => {
      for (const role of Object.values(template.findResources('AWS::IAM::Role')) as Json[]) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
      const wildcard = statementsOf(template).filter((s) => asArray(s.Resource).some((r) => typeof r === 'string' && r.includes('*')));
      expect(wildcard.map((s) => s.Action)).toEqual(['dynamodb:ListStreams']);
    });
  });

  describe('dead-letter queues and ops', () => {
    it('one encrypted DLQ for scheduler, notifier stream and SES feedback, keeping messages 14 days and refusing non-TLS access', () => {
      template.resourceCountIs('AWS::SQS::Queue', 1);
      template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      template.resourceCountIs('AWS::SQS::QueuePolicy', 1);
      expect(stack.schedules.deadLetterQueue).toBe(stack.deadLetterQueue);
      expect(stack.notifier!.streamDeadLetterQueue).toBe(stack.deadLetterQueue);
      expect(stack.notifier!.email.feedbackDeadLetterQueue).toBe(stack.deadLetterQueue);
      template.allResourcesProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    });

    it('has an encrypted, TLS-only OpsAlerts topic with the context e-mails subscribed', () => {
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
      const subs = (Object.values(template.findResources('AWS::SNS::Subscription')) as Json[]).filter(
        (s) => s.Properties.Protocol === 'email',
      );
      expect(subs.map((s) => [s.Properties.Protocol, s.Properties.Endpoint]).sort()).toEqual([
        ['email', 'oncall@acme.example'],
        ['email', 'ops@acme.example'],
      ]);
    });

    it('alarms on errors of every function (throttles only with full observability) and on any DLQ message, to OpsAlerts', () => {
      expect(stack.settings.observability).toBe('lean'); // cdk.json's default
      const topicRef = { Ref: stack.getLogicalId(stack.ops.topic.node.defaultChild as never) };
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[];
      const functionIds = Object.keys(template.findResources('AWS::Lambda::Function'));
      for (const metric of ['Errors', 'Throttles']) {
        const forMetric = alarms.filter((a) => a.Properties.MetricName === metric && a.Properties.Namespace === 'AWS/Lambda');
        expect(forMetric.map((a) => a.Properties.Dimensions[0].Value.Ref).sort()).toEqual(
          metric === 'Errors' ? [...functionIds].sort() : [],
        );
      }
      const queueIds = Object.keys(template.findResources('AWS::SQS::Queue'));
      const dlqAlarms = alarms.filter((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible');
      expect(dlqAlarms.map((a) => a.Properties.Dimensions[0].Value['Fn::GetAtt'][0]).sort()).toEqual([...queueIds].sort());
      for (const a of dlqAlarms) {
        expect(a.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      }
      // + ops-check heartbeat (lean: the backlog is the ops check's own alert); full adds Throttles, SourceStale and the backlog alarm (test/infra/ops.test.ts)
      expect(alarms).toHaveLength(functionIds.length + queueIds.length + 1);
      for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([topicRef]);
    });
  });

  describe('cdk-nag', () => {
    it('reports no unacknowledged AwsSolutions finding (errors or warnings)', () => {
      const report = new AwsSolutionsChecks().validateScope(app);
      expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    });

    it('reports no unacknowledged finding with full observability either (dashboard, second key, more alarms)', () => {
      const { app: fullApp } = build({ 'export-watch:observability': 'full', 'export-watch:secUserAgent': USER_AGENT });
      const report = new AwsSolutionsChecks().validateScope(fullApp);
      expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    });

    it('passes synth with the plugin registered, as bin/export-watch.ts does', () => {
      const { app: fresh } = build({ 'export-watch:secUserAgent': USER_AGENT });
      Validations.of(fresh).addPlugins(new AwsSolutionsChecks(fresh));
      expect(() => fresh.synth()).not.toThrow();
    });

    it('fails synth on an unacknowledged finding', () => {
      const bad = new App();
      new Queue(new Stack(bad, 'Bad'), 'NoDlq', { enforceSSL: true });
      Validations.of(bad).addPlugins(new AwsSolutionsChecks(bad));
      expect(() => bad.synth()).toThrow(/AwsSolutions-SQS3/);
    });
  });
});

describe('ExportWatchStack edge cases', () => {
  it('defaults to the implemented SOURCES', () => {
    const { stack } = build({}, { sources: undefined });
    expect([...stack.sourceFunctions.functions.keys()]).toEqual(Object.keys(SOURCES));
  });

  it('synthesises with no sources and no notifier, warning about both', () => {
    const { app, stack } = build({}, { sources: [], notifier: false });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    expect(stack.notifier).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('notifier is not deployed'));
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });

  it('deploys only the sources given, warning about a registered source left out', () => {
    const { stack } = build({}, { sources: ['entity-list'] });
    expect([...stack.sourceFunctions.functions.keys()]).toEqual(['entity-list']);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('Source sec-filings is registered'));
  });

  it('the tables construct takes a removal policy for all three tables, RETAIN when not given', () => {
    const policies = (props?: { removalPolicy: RemovalPolicy }) => {
      const scope = new Stack(new App(), 'Tables');
      new ExportWatchTables(scope, 'Tables', props);
      return Object.values(Template.fromStack(scope).findResources('AWS::DynamoDB::Table')).map((t) => [
        (t as Json).DeletionPolicy,
        (t as Json).UpdateReplacePolicy,
      ]);
    };
    expect(policies()).toEqual(Array.from({ length: 3 }, () => ['Retain', 'Retain']));
    expect(policies({ removalPolicy: RemovalPolicy.DESTROY })).toEqual(Array.from({ length: 3 }, () => ['Delete', 'Delete']));
  });

  it('warns, and sets no SEC_USER_AGENT, when the User-Agent context is empty', () => {
    const { stack } = build({ 'export-watch:secUserAgent': '' });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('export-watch:secUserAgent is empty'));
    const fns = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as Json[];
    for (const fn of fns) expect(fn.Properties.Environment.Variables.SEC_USER_AGENT).toBeUndefined();
  });

  it('disables the schedule of a source the config disables', () => {
    const path = configFile('disabled.json', { watchlist: ['NVDA'], sources: { 'entity-list': { enabled: false } } });
    const { stack } = build({ 'export-watch:configFile': path });
    const template = Template.fromStack(stack);
    const entityList = stack.getLogicalId(stack.sourceFunctions.functions.get('entity-list')!.function.node.defaultChild as CfnFunction);
    const states = Object.values(template.findResources('AWS::Scheduler::Schedule')).map((s) => [
      (s as Json).Properties.Target.Arn['Fn::GetAtt'][0],
      (s as Json).Properties.State,
    ]);
    expect(states.filter(([, state]) => state === 'DISABLED')).toEqual([[entityList, 'DISABLED']]);
  });

  it('fails synth on an invalid config file, naming the field', () => {
    const path = configFile('invalid.json', { watchlist: [], senderEmail: 'alerts@example.com' });
    expect(() => build({ 'export-watch:configFile': path })).toThrow(/watchlist/);
    expect(() => build({ 'export-watch:configFile': join(tmp, 'absent.json') })).toThrow(/Cannot read config file/);
  });

  it('fails synth on a bad sender override, User-Agent or ops e-mail', () => {
    expect(() => build({ 'export-watch:senderEmail': 'not-an-address' })).toThrow(/senderEmail/);
    expect(() => build({ 'export-watch:secUserAgent': 'curl/8' })).toThrow(/Company Name admin@example.com/);
    expect(() => build({ 'export-watch:opsEmails': ['ops@acme.example', 'nope'] })).toThrow(/opsEmails/);
  });

  it('reads export-watch:observability (lean when absent), and fails synth on an unknown mode', () => {
    expect(build({ 'export-watch:observability': 'full' }).stack.settings.observability).toBe('full');
    expect(build({ 'export-watch:observability': ' lean ' }).stack.settings.observability).toBe('lean');
    expect(build({ 'export-watch:observability': undefined }).stack.settings.observability).toBe('lean');
    expect(() => build({ 'export-watch:observability': 'minimal' })).toThrow(/export-watch:observability must be one of lean, full/);
    expect(() => build({ 'export-watch:observability': true })).toThrow(/export-watch:observability must be a string/);
  });

  it('accepts ops e-mails as a comma-separated string from -c on the command line', () => {
    const { stack } = build({ 'export-watch:opsEmails': 'a@acme.example, b@acme.example' });
    expect(stack.settings.opsEmails).toEqual(['a@acme.example', 'b@acme.example']);
  });

  it('synthesizes a watch-list of 3,000 tickers and sectors, which the 4 KB environment could not carry (issue 17, item 2)', () => {
    const letters = (i: number) => Array.from({ length: 3 }, (_, k) => String.fromCharCode(65 + (Math.floor(i / 26 ** k) % 26))).join('');
    const watchlist = [
      ...Array.from({ length: 2_996 }, (_, i) => `X${letters(i)}${i % 10}`),
      'SIC:3674',
      'SIC:3672',
      'SIC:3577',
      'SIC:3559:FPI',
    ];
    const path = configFile('huge.json', { watchlist });
    // What the old design would have put into one variable: far beyond Lambda's 4 KB.
    expect(Buffer.byteLength(JSON.stringify({ watchlist }))).toBeGreaterThan(4 * 4096);
    const { app, stack } = build({ 'export-watch:configFile': path });
    const fns = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as Json[];
    expect(fns.length).toBeGreaterThan(0);
    for (const fn of fns) {
      expect(fn.Properties.Environment.Variables).not.toHaveProperty('EXPORT_WATCH_CONFIG_JSON');
      expect(parseConfigFile(JSON.parse(readFileSync(join(assetDir(app, fn), 'export-watch.config.json'), 'utf8'))).watchlist).toEqual(
        watchlist,
      );
    }
  });
});
