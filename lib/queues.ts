import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A dead-letter queue: SQS-managed encryption (the producers are AWS services — Scheduler
 * and Lambda's event source mapping — which need no key grants for SSE-SQS), TLS-only
 * access, and the longest retention SQS allows so an alarm raised on a Friday evening
 * still has its messages on Monday.
 */
export function deadLetterQueue(scope: Construct, id: string): Queue {
  return new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
}
