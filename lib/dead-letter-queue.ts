import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A dead-letter queue: SQS-managed encryption (the producers are AWS services — Scheduler,
 * Lambda's event source mapping and async destinations, SNS redrive — which need no key
 * grants for SSE-SQS), TLS-only access, and the longest retention SQS allows so an alarm
 * raised on a Friday evening still has its messages on Monday.
 *
 * The stack has one, shared by every producer (issue 16): each message names where it
 * came from (Scheduler: the schedule ARN in its attributes; the stream mapping and Lambda
 * destinations: the function ARN in `requestContext`/`FunctionArn`; SNS: the topic ARN),
 * so one queue and one alarm ($0.10 a month each) tell ops as much as three did.
 */
export function deadLetterQueue(scope: Construct, id: string): Queue {
  return new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
}
