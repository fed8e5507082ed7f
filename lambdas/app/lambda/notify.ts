import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { getConfig } from '#core/config.ts';
import { type NotifierDeps, type NotifierOutcome, runNotifier } from '#notify/notifier.ts';
import { notifierMetrics } from '#ops/metrics.ts';
import { awsClients, awsLinkSettings, composeNotifierDeps, sesMailer } from '../compose.ts';
import { logger, publishMetrics } from './runtime.ts';

let deps: NotifierDeps | undefined;
/** Config and clients are built once per Lambda container, at first use. */
function notifierDeps(): NotifierDeps {
  if (!deps) {
    const config = getConfig();
    const clients = awsClients();
    // The stack always sets both; without them mail still goes out, but with no
    // unsubscribe header and no confirmations, so say so loudly.
    const links = awsLinkSettings(config, clients);
    if (!links) logger.warn('EMAIL_LINKS_URL or EMAIL_SECRET_ARN is not set: no unsubscribe links, no confirmations');
    deps = composeNotifierDeps(config, clients, {
      mailer: sesMailer(config, clients),
      links,
      log: (message, fields) => logger.info(message, fields ?? {}),
    });
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
