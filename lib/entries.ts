import type { SourceName } from '#core/change.ts';

/**
 * The Lambda handler file of every function the stack deploys, each absolute or relative
 * to the project root. One place for these paths: the stack, its constructs and the tests
 * that bundle the handlers read them from here.
 */
export interface HandlerEntries {
  /** Handler of a source's function. */
  readonly source: (source: SourceName) => string;
  /** Handler of the notifier (outbox drain, digests, opt-in mails). */
  readonly notifier: string;
  /** Handler of the subscription function (confirm/unsubscribe links behind the function URL). */
  readonly subscription: string;
  /** Handler of the SES feedback function (bounces and complaints). */
  readonly feedback: string;
  /** Handler of the ops check. */
  readonly opsCheck: string;
}

/** Where the handlers live: `lambdas/app/lambda/`, one file per function (sources in `sources/<name>.ts`). */
export const DEFAULT_HANDLER_ENTRIES: HandlerEntries = {
  source: (source) => `lambdas/app/lambda/sources/${source}.ts`,
  notifier: 'lambdas/app/lambda/notify.ts',
  subscription: 'lambdas/app/lambda/subscription.ts',
  feedback: 'lambdas/app/lambda/feedback.ts',
  opsCheck: 'lambdas/app/lambda/ops-check.ts',
};

/** The default entries with any of them replaced (a test bundles a stand-in handler, say). */
export function handlerEntries(overrides: Partial<HandlerEntries> = {}): HandlerEntries {
  // An override given as `undefined` keeps the default.
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return { ...DEFAULT_HANDLER_ENTRIES, ...given };
}
