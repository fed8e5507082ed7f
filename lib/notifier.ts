import { Duration, Stack } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NOTIFIER_TRIGGER } from '#core/schedule.ts';
import { SubscriberEmail } from './subscriber-email.ts';
import type { ExportWatchTables } from './tables.ts';
import { WatchFunction } from './watch-function.ts';

/** Properties of {@link Notifier}. */
export interface NotifierProps {
  /** Handler file, absolute or relative to `projectRoot`. */
  readonly entry: string;
  /** Directory holding `package-lock.json`. */
  readonly projectRoot: string;
  /** Tables the notifier reads and writes; the change log's stream triggers it. */
  readonly tables: ExportWatchTables;
  /** Environment shared by every export-watch function. */
  readonly environment: Record<string, string>;
  /** The From address; the notifier may send as this address or its domain only. */
  readonly senderEmail: string;
  /** Handler of the subscription function (confirm/unsubscribe links), absolute or relative to `projectRoot`. */
  readonly subscriptionEntry: string;
  /** Handler of the SES feedback function (bounces and complaints), absolute or relative to `projectRoot`. */
  readonly feedbackEntry: string;
  /**
   * Key for the SES feedback topic (`feedbackTopicKey` of lib/subscriber-email.ts).
   * @default - a key of its own
   */
  readonly feedbackTopicKey?: IKey;
  /** The stack's shared dead-letter queue: stream batches and SES feedback that failed every retry. */
  readonly deadLetterQueue: IQueue;
}

/**
 * The notifier: drains the change-log outbox to subscribers through SES and sends the
 * daily digests and double opt-in emails. It runs on its schedule (the safety net, and
 * daily digests) and whenever changes are inserted. Its {@link SubscriberEmail} holds the
 * link secret, the confirm/unsubscribe function URL and the SES bounce/complaint function
 * with its dead-letter queue.
 */
export class Notifier extends Construct {
  /** The notifier function. */
  readonly handler: WatchFunction;
  /** Stream batches that failed every retry land here (the stack's shared dead-letter queue). */
  readonly streamDeadLetterQueue: IQueue;
  /** Link secret, subscription function and URL, SES configuration set, feedback topic, function and DLQ. */
  readonly email: SubscriberEmail;

  constructor(scope: Construct, id: string, props: NotifierProps) {
    super(scope, id);
    this.email = new SubscriberEmail(this, 'Email', {
      entry: props.subscriptionEntry,
      feedbackEntry: props.feedbackEntry,
      projectRoot: props.projectRoot,
      tables: props.tables,
      environment: props.environment,
      feedbackTopicKey: props.feedbackTopicKey,
      deadLetterQueue: props.deadLetterQueue,
    });
    this.handler = new WatchFunction(this, 'Handler', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'export-watch notifier: e-mails undelivered changes and daily digests to subscribers',
      timeout: Duration.minutes(2),
      environment: { ...props.environment, ...this.email.notifierEnvironment },
      // One notifier at a time: a scheduled run and a stream-triggered run must not both
      // read the same pending changes and send them twice before either records delivery.
      reservedConcurrentExecutions: 1,
    });
    const { role } = this.handler;
    props.tables.grantNotifierAccess(role);
    this.email.grantNotifier(role);
    this.grantSend(role, props.senderEmail);

    this.streamDeadLetterQueue = props.deadLetterQueue;
    // The stream is only a wake-up call: the handler drains the outbox whatever the batch
    // holds, so only inserts (new changes) trigger it, batched for up to 30 s so a burst of
    // changes becomes one run and one e-mail per subscriber.
    this.handler.function.addEventSource(
      new DynamoEventSource(props.tables.changes, {
        startingPosition: StartingPosition.LATEST,
        batchSize: NOTIFIER_TRIGGER.batchSize,
        maxBatchingWindow: Duration.seconds(NOTIFIER_TRIGGER.batchingWindowSeconds),
        retryAttempts: 3,
        onFailure: new SqsDlq(this.streamDeadLetterQueue),
        filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT') })],
      }),
    );
  }

  /**
   * Let `grantee` send mail as `senderEmail`. SES authorises SendRawEmail against the
   * identity of the From address (the address identity when it is verified on its own, the
   * domain identity otherwise) and against the configuration set the message is sent in.
   * All three are named; no other identity in the account can be used.
   */
  private grantSend(grantee: IGrantable, senderEmail: string): void {
    const domain = senderEmail.slice(senderEmail.lastIndexOf('@') + 1);
    const stack = Stack.of(this);
    Grant.addToPrincipal({
      grantee,
      actions: ['ses:SendRawEmail', 'ses:SendEmail'],
      resourceArns: [
        ...[senderEmail, domain].map((identity) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity })),
        this.email.configurationSetArn,
      ],
    });
  }
}
