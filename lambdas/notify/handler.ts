import { SESClient } from '@aws-sdk/client-ses';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { systemClock } from '../core/clock.ts';
import { getConfig } from '../core/config.ts';
import { logger } from '../runtime/lambda.ts';
import { DynamoChangeLog } from '../store/change-log.ts';
import { createDocumentClient } from '../store/dynamo.ts';
import { DynamoSubscribers } from '../store/subscribers.ts';
import { SesMailer } from './mailer.ts';
import { type NotifierDeps, type NotifierOutcome, runNotifier } from './notifier.ts';

let deps: NotifierDeps | undefined;
function notifierDeps(): NotifierDeps {
  if (!deps) {
    const config = getConfig();
    const db = createDocumentClient();
    deps = {
      changes: new DynamoChangeLog(db, config.tables.changes),
      subscribers: new DynamoSubscribers(db, config.tables.subscribers),
      mailer: new SesMailer(new SESClient({})),
      clock: systemClock,
      senderEmail: config.senderEmail,
      seeds: config.subscribers,
      log: (message, fields) => logger.info(message, fields ?? {}),
    };
  }
  return deps;
}

/**
 * Notifier Lambda: invoked by its schedule and by the change log's stream. Either way it
 * drains the outbox; the event itself carries nothing it needs.
 */
export const handler = middy(async (): Promise<NotifierOutcome> => runNotifier(notifierDeps())).use(
  injectLambdaContext(logger, { clearState: true }),
);
