import { SESClient } from '@aws-sdk/client-ses';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { systemClock } from '#core/clock.ts';
import { getConfig } from '#core/config.ts';
import { DynamoNotifierHealthStore } from '#store/alert-store.ts';
import { notifierMetrics } from '#ops/metrics.ts';
import { logger, publishMetrics } from './runtime.ts';
import { DynamoChangeLog } from '#store/change-log.ts';
import { createDocumentClient } from '#store/dynamo.ts';
import { DynamoSubscribers } from '#store/subscribers.ts';
import { configuredLinkHosts, type LinkSettings } from '#notify/links.ts';
import { SesMailer } from '#adapters/mailer.ts';
import { type NotifierDeps, type NotifierOutcome, runNotifier } from '#notify/notifier.ts';
import { secretsManagerKey } from '#adapters/secrets-manager.ts';

let deps: NotifierDeps | undefined;
function notifierDeps(): NotifierDeps {
  if (!deps) {
    const config = getConfig();
    const db = createDocumentClient();
    const baseUrl = config.email.publicBaseUrl ?? config.emailDelivery.linksUrl;
    const secretArn = config.emailDelivery.secretArn;
    // The stack always sets both; without them mail still goes out, but with no
    // unsubscribe header and no confirmations, so say so loudly.
    const links: LinkSettings | undefined =
      baseUrl && secretArn ? { baseUrl, key: secretsManagerKey(secretArn), mailto: config.email.unsubscribeMailto } : undefined;
    if (!links) logger.warn('EMAIL_LINKS_URL or EMAIL_SECRET_ARN is not set: no unsubscribe links, no confirmations');
    deps = {
      changes: new DynamoChangeLog(db, config.tables.changes),
      subscribers: new DynamoSubscribers(db, config.tables.subscribers),
      // Rejections and parkings for the ops check (state table, `NOTIFIER` × `DELIVERY`).
      notifierHealth: new DynamoNotifierHealthStore(db, config.tables.state),
      mailer: new SesMailer(new SESClient({}), { configurationSet: config.emailDelivery.configurationSet }),
      clock: systemClock,
      senderEmail: config.senderEmail,
      seeds: config.subscribers,
      email: config.email,
      countriesOfInterest: config.countriesOfInterest,
      linkHosts: configuredLinkHosts(config.urls),
      links,
      log: (message, fields) => logger.info(message, fields ?? {}),
    };
  }
  return deps;
}

/**
 * Notifier Lambda: invoked by its schedule (every 5 minutes: the safety net and the
 * daily digests) and by the change log's stream. Either way it does a full run; the event
 * itself carries nothing it needs.
 */
export const handler = middy(async (): Promise<NotifierOutcome> => {
  const outcome = await runNotifier(notifierDeps());
  // EmailsSent (and EmailFailures when some failed) as EMF in `full`, a log line in `lean`.
  publishMetrics(notifierMetrics(outcome), getConfig().metrics);
  return outcome;
}).use(injectLambdaContext(logger, { clearState: true }));
