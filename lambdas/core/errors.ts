/**
 * Error kinds a source can fail with. They drive the source health record and ops alerts,
 * so every failure is classified into exactly one of them.
 */
export const SOURCE_ERROR_KINDS = [
  'blocked', // upstream refused us (SEC 403 rate block / undeclared tool): cool down, never retry in a loop
  'rate-limited', // 429 or equivalent after retries
  'network', // connection errors, timeouts, 5xx after retries
  'http', // other unexpected HTTP status
  'parse', // body did not have the shape we expect
  'sanity', // parsed fine but implausible (empty list, size jump beyond bounds)
  'config', // our own configuration is wrong (unknown ticker, missing User-Agent)
  'timeout', // the cycle ran into its deadline (below the Lambda timeout) and was ended as a failure
  'internal', // a bug or a storage failure
] as const;

export type SourceErrorKind = (typeof SOURCE_ERROR_KINDS)[number];

/** An error with a kind, raised by adapters and parsers so the runner can record the right health state. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    readonly kind: SourceErrorKind,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options?.retryAfterMs;
  }
  readonly retryAfterMs: number | undefined;
}

/** A configuration error: names the bad field so the operator can fix it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Input the user can fix (a malformed option value, a sector the store has no roster of),
 * raised by use cases that cannot know about the CLI; the CLI prints the message as one
 * line with exit code 2, as for its own usage errors.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** Classify any thrown value into a source error kind. */
export function errorKindOf(err: unknown): SourceErrorKind {
  if (err instanceof SourceError) return err.kind;
  if (err instanceof ConfigError) return 'config';
  if (err instanceof SyntaxError) return 'parse';
  return 'internal';
}

/** A short, single-line message for logs, state records and summaries. */
export function errorMessageOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').slice(0, 500);
}
