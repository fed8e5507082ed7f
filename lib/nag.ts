import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { ExportWatchStack } from './export-watch-stack.ts';

/**
 * Every cdk-nag acknowledgement of the stack, in one place, each on the narrowest
 * construct and the exact finding id (`Rule[Finding]`), with the reason it is acceptable.
 *
 * Findings avoided by design rather than acknowledged:
 * - IAM4 (AWS managed policies): each function has its own role with log permissions on
 *   its own log group instead of AWSLambdaBasicExecutionRole.
 * - IAM5 on `index/*`: table grants name each index (`.../index/outbox`).
 * - IAM5 on `function:*`: the Scheduler role names each function ARN.
 * - L1: functions run the newest Node.js runtime aws-cdk-lib offers.
 * No CDK-internal functions (LogRetention, BucketDeployment) exist: log groups are
 * explicit resources.
 */
export function acknowledgeNagFindings(stack: ExportWatchStack): void {
  const deadLetterQueueReason =
    'This queue is itself a dead-letter queue (the last stop for failed deliveries); giving it a DLQ of its own would only move the problem. An alarm fires on its first message.';
  acknowledge(stack.schedules.deadLetterQueue, 'AwsSolutions-SQS3', deadLetterQueueReason);

  if (stack.notifier) {
    acknowledge(stack.notifier.streamDeadLetterQueue, 'AwsSolutions-SQS3', deadLetterQueueReason);
    acknowledge(
      stack.notifier.handler.role,
      'AwsSolutions-IAM5[Resource::*]',
      'dynamodb:ListStreams, required by the Lambda event source mapping on the change-log stream, does not support resource-level permissions (AWS requires Resource "*"). The read actions (DescribeStream, GetRecords, GetShardIterator) are scoped to the change-log stream ARN.',
    );
  }
}

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
