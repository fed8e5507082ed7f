import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { systemClock } from '#core/clock.ts';
import { getConfig } from '#core/config.ts';
import type { SubscribersPort } from '#core/ports.ts';
import { applyFeedback } from '#notify/feedback.ts';
import { awsClients, composeSubscribers } from '../compose.ts';
import { logger } from './runtime.ts';

let subscribers: SubscribersPort | undefined;
const log = (message: string, fields?: Record<string, unknown>) => logger.info(message, fields ?? {});

/**
 * The SES feedback function: subscribed to the configuration set's bounce/complaint topic,
 * it suppresses the addresses concerned ({@link applyFeedback}). A storage error throws,
 * so Lambda retries the event twice and then puts it in the feedback dead-letter queue
 * (alarmed); it is a function of its own so that traffic on the public unsubscribe URL
 * can never throttle it (lib/email.ts).
 */
export const handler = middy(async (event: SNSEvent): Promise<{ suppressed: number; ignored: number }> => {
  subscribers ??= composeSubscribers(getConfig(), awsClients());
  return applyFeedback(
    event.Records.map((r) => r.Sns.Message),
    { subscribers, clock: systemClock, log },
  );
}).use(injectLambdaContext(logger, { clearState: true }));
