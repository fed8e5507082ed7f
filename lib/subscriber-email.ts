import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { type FunctionUrl, FunctionUrlAuthType, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ExportWatchTables } from './tables.ts';
import { WatchFunction } from './watch-function.ts';

/**
 * Lambda retries of a failed feedback event (a storage error) before it goes to the
 * feedback dead-letter queue. Unlike a scheduled run, a lost complaint never comes back.
 */
export const FEEDBACK_RETRY_ATTEMPTS = 2;

/**
 * Most concurrent subscription requests. The function URL is public (RFC 8058 one-click
 * unsubscribe cannot authenticate), so a flood of requests must not take the account's
 * concurrency from the sources; real traffic is a few clicks a day.
 */
export const SUBSCRIPTION_CONCURRENCY = 5;

/** Properties of {@link SubscriberEmail}. */
export interface SubscriberEmailProps {
  /** Handler of the subscription function, absolute or relative to `projectRoot`. */
  readonly entry: string;
  /** Handler of the SES feedback function, absolute or relative to `projectRoot`. */
  readonly feedbackEntry: string;
  /** Directory holding `package-lock.json`. */
  readonly projectRoot: string;
  /** The subscribers table (the function reads and updates profiles). */
  readonly tables: ExportWatchTables;
  /** Environment shared by every export-watch function. */
  readonly environment: Record<string, string>;
  /**
   * A customer-managed key to encrypt the feedback topic with (a lean deployment passes
   * the OpsAlerts key, so one key serves both topics); this construct adds the grant
   * SES needs to the key's policy.
   * @default - a key of its own
   */
  readonly feedbackTopicKey?: IKey;
  /** Where feedback events that could not be delivered or kept failing go (the stack's shared dead-letter queue). */
  readonly deadLetterQueue: IQueue;
}

/**
 * What subscriber emails need besides the notifier:
 *
 * - **Link secret**: a Secrets Manager secret with a generated value; it signs the
 *   confirm/unsubscribe tokens (HMAC-SHA256). The notifier and the subscription function
 *   read it at runtime (cached), so it never appears in an environment variable.
 * - **Subscription function** behind a function URL with auth NONE: RFC 8058 one-click
 *   unsubscribe is a plain POST from the mail provider, so the signed token is the
 *   authentication. GET shows a page with a button; POST acts.
 * - **Configuration set** whose bounce and complaint events go to an encrypted SNS topic.
 * - **Feedback function** subscribed to that topic: marks bounced and complaining
 *   addresses `suppressed`. It is a function of its own, with no reserved concurrency, so
 *   a flood on the public URL (which can take all 5 of that function's slots) never
 *   throttles a complaint. An event SNS cannot deliver (subscription redrive policy) and an
 *   event still failing after {@link FEEDBACK_RETRY_ATTEMPTS} Lambda retries (on-failure
 *   destination) land in {@link feedbackDeadLetterQueue}, which the stack alarms on: a
 *   lost complaint would keep mail going to a complaining address.
 */
export class SubscriberEmail extends Construct {
  /** Signs link tokens. */
  readonly secret: Secret;
  /** Confirm/unsubscribe endpoint (the public function URL only). */
  readonly handler: WatchFunction;
  /** SES bounce/complaint handler, subscribed to {@link feedbackTopic}. */
  readonly feedbackHandler: WatchFunction;
  /** Feedback events that could not be delivered or kept failing; alarmed by the stack (its shared dead-letter queue). */
  readonly feedbackDeadLetterQueue: IQueue;
  /** The public endpoint of {@link handler}. */
  readonly url: FunctionUrl;
  /** Every notifier message is sent in this configuration set. */
  readonly configurationSet: ConfigurationSet;
  /** Bounce and complaint events. */
  readonly feedbackTopic: Topic;
  /** Encrypts {@link feedbackTopic}. */
  readonly feedbackKey: IKey;

  constructor(scope: Construct, id: string, props: SubscriberEmailProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.secret = new Secret(this, 'LinkSecret', {
      description: 'export-watch: HMAC key signing confirm/unsubscribe links in subscriber emails',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // Replacing the key invalidates every unsubscribe link in emails already sent.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.handler = new WatchFunction(this, 'Handler', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'export-watch subscriptions: confirm/unsubscribe links (public function URL)',
      timeout: Duration.seconds(15),
      reservedConcurrentExecutions: SUBSCRIPTION_CONCURRENCY,
      environment: { ...props.environment, EMAIL_SECRET_ARN: this.secret.secretArn },
    });
    this.secret.grantRead(this.handler.role);
    props.tables.grantSubscriptionAccess(this.handler.role);
    this.url = this.handler.function.addFunctionUrl({ authType: FunctionUrlAuthType.NONE, invokeMode: InvokeMode.BUFFERED });

    // SES feedback has a function of its own: sharing the URL function's 5 reserved slots,
    // a flood of link requests throttled SNS's invocations, and a complaint that failed
    // had nowhere to go. No reserved concurrency: a few events a day use the account's
    // unreserved pool, so no slot is taken from the budget (docs/deploy.md). SNS invokes
    // asynchronously; a storage error is retried twice, then kept in the DLQ.
    this.feedbackDeadLetterQueue = props.deadLetterQueue;
    this.feedbackHandler = new WatchFunction(this, 'FeedbackHandler', {
      entry: props.feedbackEntry,
      projectRoot: props.projectRoot,
      description: 'export-watch SES feedback: bounces and complaints suppress the address',
      timeout: Duration.seconds(30),
      environment: props.environment,
      retryAttempts: FEEDBACK_RETRY_ATTEMPTS,
      onFailure: new SqsDestination(this.feedbackDeadLetterQueue),
    });
    props.tables.grantFeedbackAccess(this.feedbackHandler.role);

    // A customer-managed key: SES can only publish to an encrypted topic whose key policy
    // lets ses.amazonaws.com use it, which the AWS-managed SNS key cannot (its policy
    // cannot be changed). Sharing a key with the OpsAlerts topic lets neither service
    // publish to the other's topic: each topic's own policy names its one publisher.
    this.feedbackKey =
      props.feedbackTopicKey ??
      new Key(this, 'FeedbackKey', {
        description: 'export-watch: encrypts the SES bounce/complaint topic',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.DESTROY,
        pendingWindow: Duration.days(7),
      });
    this.feedbackKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'SesEventPublishing',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy, "*" means this key
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      // No no-op: a key whose policy this stack cannot change (an imported one) would leave
      // SES unable to publish, so fail the synth instead.
      false,
    );
    this.feedbackTopic = new Topic(this, 'FeedbackTopic', {
      displayName: 'export-watch SES bounces and complaints',
      masterKey: this.feedbackKey,
      enforceSSL: true,
    });

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', { reputationMetrics: true, sendingEnabled: true });
    // Adds the topic policy that lets SES (this account, this configuration set) publish.
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(this.feedbackTopic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    // The redrive policy catches what SNS itself cannot hand to Lambda (throttled for its
    // whole retry policy, a permission removed); CDK adds the queue policy for this topic.
    this.feedbackTopic.addSubscription(
      new LambdaSubscription(this.feedbackHandler.function, { deadLetterQueue: this.feedbackDeadLetterQueue }),
    );
  }

  /** Variables the notifier needs to sign links and send in the configuration set. */
  get notifierEnvironment(): Record<string, string> {
    return {
      EMAIL_LINKS_URL: this.url.url,
      EMAIL_SECRET_ARN: this.secret.secretArn,
      SES_CONFIGURATION_SET: this.configurationSet.configurationSetName,
    };
  }

  /** The ARN of the configuration set (SES authorises sends against it too). */
  get configurationSetArn(): string {
    return Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
  }

  /** Let the notifier read the link secret. */
  grantNotifier(grantee: IGrantable): void {
    this.secret.grantRead(grantee);
  }
}
