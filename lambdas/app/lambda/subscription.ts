import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { systemClock } from '#core/clock.ts';
import { getConfig } from '#core/config.ts';
import { handleLinkRequest, type LinkRequest, type SubscriptionDeps } from '#notify/subscription.ts';
import { awsClients, composeLinkEndpointDeps } from '../compose.ts';
import { logger } from './runtime.ts';

let cached: Pick<SubscriptionDeps, 'subscribers' | 'key'> | undefined;
/** Config and clients are built once per Lambda container, at first use. */
function deps(): Pick<SubscriptionDeps, 'subscribers' | 'key'> {
  cached ??= composeLinkEndpointDeps(getConfig(), awsClients());
  return cached;
}

const log = (message: string, fields?: Record<string, unknown>) => logger.info(message, fields ?? {});

/** Translate a function-URL event (payload format 2.0) into the endpoint's request. */
export function fromFunctionUrlEvent(event: LambdaFunctionURLEvent): LinkRequest {
  const body = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : undefined;
  return { method: event.requestContext.http.method, path: event.rawPath, query: new URLSearchParams(event.rawQueryString ?? ''), body };
}

/**
 * The subscription function: the confirm/unsubscribe endpoint behind a public function
 * URL (the signed token is the authentication). It serves the URL only: SES bounces and
 * complaints have their own function (feedback.ts), so a flood of link requests
 * filling this function's 5 reserved slots cannot throttle a complaint.
 */
export const handler = middy(async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
  const request = fromFunctionUrlEvent(event);
  const response = await handleLinkRequest(request, { ...deps(), clock: systemClock, log });
  return { statusCode: response.status, headers: response.headers, body: request.method.toUpperCase() === 'HEAD' ? '' : response.body };
}).use(injectLambdaContext(logger, { clearState: true }));
