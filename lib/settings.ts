import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Construct } from 'constructs';
import * as z from 'zod';
import { type ConfigFile, EnvSchema, OBSERVABILITY_MODES, type ObservabilityMode, parseConfigFile } from '#core/config.ts';
import { ConfigError } from '#core/errors.ts';

/**
 * The CDK context keys the stack reads (documented in docs/deploy.md). Context is the
 * one deploy-time input: `cdk.json` holds the defaults, `cdk deploy -c key=value` or
 * `cdk.context.json` override them per environment.
 */
export const CONTEXT_KEYS = {
  /** SES-verified sender address; overrides `senderEmail` of the config file. */
  senderEmail: 'export-watch:senderEmail',
  /** Addresses subscribed to the `OpsAlerts` topic (JSON array or comma-separated list). */
  opsEmails: 'export-watch:opsEmails',
  /** `"Company Name admin@example.com"`, sent to SEC EDGAR as the User-Agent. */
  secUserAgent: 'export-watch:secUserAgent',
  /** Path of the config file, relative to the project root. */
  configFile: 'export-watch:configFile',
  /**
   * `lean` (default): the alarms ops need and the metrics they watch, no dashboard, one
   * KMS key for both SNS topics. `full`: also per-source metrics, throttle and staleness
   * alarms and the dashboard. See docs/operations.md.
   */
  observability: 'export-watch:observability',
} as const;

/** File name of the config inside each function's asset (next to `index.mjs`). */
export const BUNDLED_CONFIG_NAME = 'export-watch.config.json';

/** Where a deployed function reads it: Lambda unpacks a zip asset into `/var/task`. */
export const BUNDLED_CONFIG_PATH = `/var/task/${BUNDLED_CONFIG_NAME}`;

/** The config file used when the context does not name one. */
export const DEFAULT_CONFIG_FILE = 'export-watch.config.json';

/** The observability mode when the context does not name one. */
export const DEFAULT_OBSERVABILITY: ObservabilityMode = 'lean';

/** Deploy-time settings, validated. */
export interface DeploySettings {
  /** The validated config file (after the sender override). */
  readonly config: ConfigFile;
  /**
   * The config file as the Lambdas read it at cold start: the file as written plus the
   * sender override, minified, bundled into every function's asset as
   * {@link BUNDLED_CONFIG_NAME} (lib/watch-function.ts). Defaults are left to the
   * runtime's own parse. No size limit: a watch-list of thousands of entries fits.
   */
  readonly configJson: string;
  /** Absolute path of the config file that was read. */
  readonly configPath: string;
  /** The SEC User-Agent, or undefined when not configured. */
  readonly secUserAgent: string | undefined;
  /** Ops alert recipients. */
  readonly opsEmails: readonly string[];
  /** Which alarms, metrics and dashboard the stack deploys. */
  readonly observability: ObservabilityMode;
}

const email = z.email();

/** Read a context value as a trimmed string; absent and blank both mean "not set". */
function contextString(scope: Construct, key: string): string | undefined {
  const raw: unknown = scope.node.tryGetContext(key);
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw new ConfigError(`Context ${key} must be a string, got ${JSON.stringify(raw)}`);
  const value = raw.trim();
  return value === '' ? undefined : value;
}

/**
 * Ops e-mails arrive as a JSON array from cdk.json but as a string from `-c key=value`
 * on the command line, so both `["a@x.com","b@x.com"]` and `a@x.com,b@x.com` are accepted.
 */
function contextEmailList(scope: Construct, key: string): string[] {
  let raw: unknown = scope.node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === '') return [];
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text.startsWith('[')) {
      try {
        raw = JSON.parse(text);
      } catch (err) {
        throw new ConfigError(`Context ${key} is not a valid JSON array: ${(err as Error).message}`);
      }
    } else {
      raw = text.split(',');
    }
  }
  if (!Array.isArray(raw)) throw new ConfigError(`Context ${key} must be an array of e-mail addresses`);
  const list = raw.map((v) => (typeof v === 'string' ? v.trim() : v)).filter((v) => v !== '');
  for (const value of list) {
    if (!email.safeParse(value).success) throw new ConfigError(`Context ${key}: ${JSON.stringify(value)} is not an e-mail address`);
  }
  return [...new Set(list as string[])];
}

/**
 * Read and validate every deploy-time input. Throws a {@link ConfigError} naming the bad
 * key or config field, so a mistake fails `cdk synth` instead of every Lambda invocation.
 *
 * @param scope any construct of the app (context is inherited).
 * @param projectRoot directory relative config-file paths are resolved against.
 */
export function readDeploySettings(scope: Construct, projectRoot: string): DeploySettings {
  const configFile = contextString(scope, CONTEXT_KEYS.configFile) ?? DEFAULT_CONFIG_FILE;
  const configPath = isAbsolute(configFile) ? configFile : resolve(projectRoot, configFile);

  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${configPath} (context ${CONTEXT_KEYS.configFile}): ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`Config file ${configPath} must hold a JSON object`);
  }

  const senderEmail = contextString(scope, CONTEXT_KEYS.senderEmail);
  const effective: Record<string, unknown> = senderEmail ? { ...raw, senderEmail } : { ...raw };
  // Validated after the override, so a bad sender from the context fails here too.
  const config = parseConfigFile(effective, `config file ${configPath}${senderEmail ? ` with ${CONTEXT_KEYS.senderEmail}` : ''}`);

  const secUserAgent = contextString(scope, CONTEXT_KEYS.secUserAgent);
  if (secUserAgent !== undefined) {
    // The same rule the Lambdas apply at cold start: a bad value would fail every invocation.
    const parsed = EnvSchema.shape.SEC_USER_AGENT.safeParse(secUserAgent);
    if (!parsed.success) {
      throw new ConfigError(`Context ${CONTEXT_KEYS.secUserAgent}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
  }

  const observability = contextString(scope, CONTEXT_KEYS.observability) ?? DEFAULT_OBSERVABILITY;
  if (!(OBSERVABILITY_MODES as readonly string[]).includes(observability)) {
    throw new ConfigError(
      `Context ${CONTEXT_KEYS.observability} must be one of ${OBSERVABILITY_MODES.join(', ')}, got ${JSON.stringify(observability)}`,
    );
  }

  return {
    config,
    configJson: JSON.stringify(effective),
    configPath,
    secUserAgent,
    opsEmails: contextEmailList(scope, CONTEXT_KEYS.opsEmails),
    observability: observability as ObservabilityMode,
  };
}
