import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { IMPORTANCE_LEVELS, SOURCE_NAMES } from './change.ts';
import { ConfigError } from './errors.ts';

/**
 * The one configuration module. Everything the product reads from its environment is
 * validated here, once; a bad value fails with an error that names the field.
 */

const countryCode = z.string().regex(/^[A-Z]{2}$/, 'expected an ISO-3166 alpha-2 country code such as SG');

/** Subscriber filters; an absent filter matches everything. */
export const SubscriberFiltersSchema = z
  .object({
    sources: z.array(z.enum(SOURCE_NAMES)).optional(),
    kinds: z.array(z.string().min(1)).optional(),
    subjects: z.array(z.string().min(1)).optional(),
    countries: z.array(countryCode).optional(),
    minImportance: z.enum(IMPORTANCE_LEVELS).optional(),
  })
  .strict();
export type SubscriberFilters = z.infer<typeof SubscriberFiltersSchema>;

export const SubscriberSeedSchema = z
  .object({
    email: z.email(),
    name: z.string().max(200).optional(),
    mode: z.enum(['immediate', 'daily']).default('immediate'),
    /** Hour (America/New_York) of the daily digest; absent = `email.digestHourDefault`. */
    digestHour: z.number().int().min(0).max(23).optional(),
    filters: SubscriberFiltersSchema.default({}),
  })
  .strict();
export type SubscriberSeed = z.infer<typeof SubscriberSeedSchema>;

const sourceSettings = z
  .object({ enabled: z.boolean().default(true) })
  .strict()
  .default({ enabled: true });

/**
 * Ops alert settings. A function so the schema is built after `z` is ready and each use
 * gets its own default object (prefault: the inner defaults fill an absent section).
 */
function opsSettingsSchema() {
  return z
    .object({
      /**
       * Where the local runtime sends ops alerts (through local SES). Never subscribers. In
       * AWS, alerts go to the OpsAlerts topic, whose subscribers come from the context key
       * `export-watch:opsEmails`.
       */
      emails: z.array(z.email()).default([]),
      /** Consecutive failed runs that open an incident. */
      failureThreshold: z.number().int().min(1).max(100).default(3),
      /** Consecutive runs refused by the upstream (SEC 403 block) that open an incident. */
      blockedThreshold: z.number().int().min(1).max(100).default(1),
      /** A source is stale once this many of its scheduled runs have passed without a success. */
      stalenessMultiplier: z.number().int().min(1).max(100).default(3),
      /** Extra time after the last missed scheduled run before it counts (a run may take up to its 5 min timeout). */
      staleGraceMinutes: z
        .number()
        .int()
        .min(0)
        .max(24 * 60)
        .default(10),
      /** First reminder after an alert; each later one waits twice as long... */
      reminderInitialMinutes: z
        .number()
        .int()
        .min(1)
        .max(7 * 24 * 60)
        .default(60),
      /** ...up to this. */
      reminderMaxMinutes: z
        .number()
        .int()
        .min(1)
        .max(7 * 24 * 60)
        .default(24 * 60),
      /** Oldest undelivered change older than this raises the notifier-backlog alarm. */
      outboxMaxAgeMinutes: z
        .number()
        .int()
        .min(1)
        .max(7 * 24 * 60)
        .default(30),
    })
    .strict()
    .prefault({});
}

/** Subscriber email settings (docs/emails.md). A function for the same reason as the ops schema. */
function emailSettingsSchema() {
  return z
    .object({
      /**
       * Base URL of the confirm/unsubscribe links (e.g. a custom domain in front of the
       * function URL). Default: the stack's function URL in AWS, the local link server locally.
       */
      publicBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
      /** Digest hour (America/New_York) of subscribers that do not set one. */
      digestHourDefault: z.number().int().min(0).max(23).default(7),
      /** Optional mailbox offered as a second `List-Unsubscribe` target (processed by hand). */
      unsubscribeMailto: z.email().optional(),
      /** Changes shown in full per email; the rest are counted as "N more changes". */
      maxChangesPerEmail: z.number().int().min(1).max(500).default(25),
      /** Display name of the From header. */
      fromName: z.string().min(1).max(64).default('export-watch'),
    })
    .strict()
    .prefault({});
}

/**
 * Codes of the Consolidated Screening List's lists: the abbreviation in each row's `source`
 * ("Entity List (EL) - Bureau of Industry and Security" → `EL`). The config names lists by
 * code because operators know them that way and the long names are reworded now and then;
 * the entity-list source maps each code to its published name (`sources/entity-list/lists.ts`).
 */
export const CSL_LIST_CODES = ['EL', 'MEU', 'UVL', 'DPL', 'ISN', 'DTC', 'SDN', 'SSI', 'FSE', 'CAP', 'PLC', 'CMIC', 'NS-MBS'] as const;
/** One of {@link CSL_LIST_CODES}. */
export type CslListCode = (typeof CSL_LIST_CODES)[number];

/**
 * A relative bound of the entity-list sanity check (0.1 = ±10%). At most 1: a snapshot that
 * more than doubles a list at once is never plausible, whatever the operator expects.
 */
const changeRatio = z
  .number({ error: 'expected a ratio such as 0.1 (= ±10%)' })
  .gt(0, 'expected a ratio above 0 (0.1 = ±10%)')
  .max(1, 'expected a ratio of at most 1 (= ±100%; 0.1 = ±10%)');

/**
 * Entity-list source settings. Every key is optional and falls back to the source's
 * defaults (EL, MEU and UVL; ±10% total, ±50% per list), so the defaults live in one place.
 */
function entityListSettingsSchema() {
  return z
    .object({
      /** Lists to watch, by code; changing it baselines the added lists quietly. */
      lists: z
        .array(z.enum(CSL_LIST_CODES, { error: `expected a CSL list code: one of ${CSL_LIST_CODES.join(', ')}` }))
        .min(1, 'expected at least one list code, e.g. ["EL"]')
        .refine((codes) => new Set(codes).size === codes.length, 'expected each list code once')
        .optional(),
      /** Largest move of the total entry count between two snapshots before the cycle is refused. */
      maxCountChange: changeRatio.optional(),
      /** Largest move of one list of 20+ entries before the cycle is refused. */
      maxListChange: changeRatio.optional(),
      /** Largest share of the previous entries one snapshot may amend (more than 50 amendments only) before the cycle is refused; default 0.25. */
      maxAmendedShare: changeRatio.optional(),
    })
    .strict()
    .optional();
}

/** The config file (`export-watch.config.json`). */
export const ConfigFileSchema = z
  .object({
    /**
     * Companies to watch: a ticker (resolved through EDGAR), a CIK (digits), or a sector:
     * `SIC:3674` (every company EDGAR lists under the 4-digit SIC code) or `SIC:3674:FPI`
     * (only its foreign private issuers, i.e. 20-F/40-F/6-K filers). See README, Configuration.
     */
    watchlist: z
      .array(
        z
          .string()
          .regex(
            /^([A-Z][A-Z0-9.-]{0,9}|\d{1,10}|SIC:\d{4}(:FPI)?)$/,
            'expected a ticker (NVDA), a CIK (1045810), a sector SIC:3674 (4-digit SIC code) or SIC:3674:FPI (its foreign private issuers)',
          ),
      )
      .min(1),
    countriesOfInterest: z.array(countryCode).default([]),
    /** SEC forms to report; amendments (`/A`) are included automatically. */
    forms: z.array(z.string().min(1)).default(['10-K', '10-Q', '8-K', '20-F', '6-K']),
    sources: z
      .object(
        Object.fromEntries(SOURCE_NAMES.map((n) => [n, sourceSettings])) as Record<(typeof SOURCE_NAMES)[number], typeof sourceSettings>,
      )
      .strict()
      .default(Object.fromEntries(SOURCE_NAMES.map((n) => [n, { enabled: true }])) as never),
    /** Sender address (an SES-verified identity in AWS). */
    senderEmail: z.email().default('alerts@example.com'),
    subscribers: z.array(SubscriberSeedSchema).default([]),
    http: z
      .object({
        /** Requests per second to all SEC hosts together; SEC allows at most 10. */
        secRequestsPerSecond: z.number().positive().max(10).default(5),
        /** Requests per second to each other host. */
        otherRequestsPerSecond: z.number().positive().max(20).default(1),
        timeoutMs: z.number().int().positive().default(20_000),
        maxRetries: z.number().int().min(0).max(10).default(3),
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(64 * 1024 * 1024),
      })
      .strict()
      .default({ secRequestsPerSecond: 5, otherRequestsPerSecond: 1, timeoutMs: 20_000, maxRetries: 3, maxBodyBytes: 64 * 1024 * 1024 }),
    /** Federal Register source; absent keys fall back to the source's defaults (README, Configuration). */
    federalRegister: z
      .object({
        /**
         * Days of publication dates re-read before the last success (default 14): documents
         * listed late with an earlier date (corrections, late agency tags) are caught.
         */
        lookbackDays: z.number().int().min(1).max(30).optional(),
      })
      .strict()
      .optional(),
    /**
     * EDGAR full-text search source (`sec-full-text`, README, Configuration): the phrases
     * searched across all filers over `forms`; absent keys fall back to the source's defaults
     * ("Entity List", "export license", "Export Administration Regulations", "foreign direct
     * product rule"). `countries` narrows a query to filings that also name one of them.
     */
    fullText: z
      .object({
        queries: z
          .array(
            z
              .object({
                /** Stable id (part of each change's key); default: a slug of phrase and countries. */
                id: z
                  .string()
                  .regex(/^[a-z0-9][a-z0-9+-]{0,79}$/, 'expected a lower-case slug')
                  .optional(),
                phrase: z
                  .string()
                  .trim()
                  .min(2)
                  .max(200)
                  .refine((s) => !s.includes('"'), 'a phrase is searched quoted: no double quotes inside'),
                /** Country names (as filings write them: "China", "Singapore"); any one must appear. */
                countries: z.array(z.string().trim().min(2).max(60)).max(20).optional(),
              })
              .strict(),
          )
          .max(20)
          .optional(),
        /** Filing dates re-searched before the last success (default 3): EFTS indexes late. */
        lookbackDays: z.number().int().min(1).max(14).optional(),
      })
      .strict()
      .optional(),
    /** Ops alerting (source health); see docs/operations.md. */
    ops: opsSettingsSchema(),
    /** Subscriber emails: links, digests, truncation; see docs/emails.md. */
    email: emailSettingsSchema(),
    /** Entity-list source: watched lists and sanity bounds (README, Configuration). */
    entityList: entityListSettingsSchema(),
  })
  .strict();
export type ConfigFile = z.infer<typeof ConfigFileSchema>;
export type OpsSettings = ConfigFile['ops'];
export type EmailSettings = ConfigFile['email'];
export type EntityListSettings = NonNullable<ConfigFile['entityList']>;

const url = z.url({ protocol: /^https?$/ });

/**
 * Observability of a deployment (CDK context `export-watch:observability`, docs/operations.md):
 * `lean` emits only the custom metrics its alarms need and logs the other counts;
 * `full` emits every metric (per-source dimensions) for the dashboard.
 */
export const OBSERVABILITY_MODES = ['lean', 'full'] as const;
export type ObservabilityMode = (typeof OBSERVABILITY_MODES)[number];

/** Environment variables. */
export const EnvSchema = z.object({
  /** "Company Name admin@example.com": required by SEC fair-access rules; never invented. */
  SEC_USER_AGENT: z
    .string()
    .regex(/^\S.*\s\S+@\S+\.\S+$/, 'expected "Company Name admin@example.com"')
    .optional(),
  SEC_WWW_URL: url.default('https://www.sec.gov'),
  SEC_DATA_URL: url.default('https://data.sec.gov'),
  /** EDGAR full-text search; unset: efts.sec.gov for the public SEC, else SEC_WWW_URL's host (a mirror or fake serves every SEC path). */
  SEC_EFTS_URL: url.optional(),
  FEDERAL_REGISTER_URL: url.default('https://www.federalregister.gov'),
  CSL_URL: url.default('https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.json'),
  CHANGES_TABLE: z.string().min(3).default('export-watch-changes'),
  STATE_TABLE: z.string().min(3).default('export-watch-state'),
  SUBSCRIBERS_TABLE: z.string().min(3).default('export-watch-subscribers'),
  /** Inline config JSON (tests and one-off runs); wins over the file when set. */
  EXPORT_WATCH_CONFIG_JSON: z.string().optional(),
  /**
   * Path of the config file: locally the project's file, in AWS the validated copy the stack
   * bundles into each function (`/var/task/export-watch.config.json`, read once at cold start).
   */
  EXPORT_WATCH_CONFIG: z.string().optional(),
  /** Base URL of the confirm/unsubscribe endpoint (the stack sets its function URL). */
  EMAIL_LINKS_URL: url.optional(),
  /** Secrets Manager secret holding the link-signing key (the stack sets it). */
  EMAIL_SECRET_ARN: z.string().min(1).optional(),
  /** SES configuration set whose bounce/complaint events suppress addresses. */
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /**
   * Which metrics the Lambdas write as EMF (the stack sets it from the observability
   * mode). Unset means `full`: every metric, so no alarm ever watches a missing one.
   */
  EXPORT_WATCH_METRICS: z.enum(OBSERVABILITY_MODES).default('full'),
  /** `1` when the data is the offline demo's (set by `export-watch demo`): emails say so. */
  EXPORT_WATCH_DEMO: z.enum(['0', '1']).optional(),
});
export type Env = z.infer<typeof EnvSchema>;

/** The whole validated configuration. */
export interface AppConfig extends ConfigFile {
  secUserAgent: string | undefined;
  urls: { secWww: string; secData: string; federalRegister: string; csl: string; secEfts?: string };
  tables: { changes: string; state: string; subscribers: string };
  /** Where subscriber-email infrastructure lives in AWS (all absent locally). */
  emailDelivery: { linksUrl: string | undefined; secretArn: string | undefined; configurationSet: string | undefined };
  /** Which metrics to emit as EMF (`EXPORT_WATCH_METRICS`); the rest are logged. */
  metrics: ObservabilityMode;
  /** The offline demo's run (`EXPORT_WATCH_DEMO=1`): every email carries a demo banner. */
  demo: boolean;
}

/** Format zod issues as `field.path: message` lines. */
function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues.map((i) => `  ${prefix}${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('\n');
}

/** Parse a config file body; throws {@link ConfigError} naming each bad field. */
export function parseConfigFile(raw: unknown, origin = 'config'): ConfigFile {
  const parsed = ConfigFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`Invalid ${origin}:\n${describeIssues(parsed.error, '')}`);
  }
  return parsed.data;
}

/** Read and validate a config file from disk. */
export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseConfigFile(json, `config file ${path}`);
}

/** Build the configuration from an environment and an optional file path fallback. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, defaultFile = 'export-watch.config.json'): AppConfig {
  const parsedEnv = EnvSchema.safeParse(env);
  if (!parsedEnv.success) {
    throw new ConfigError(`Invalid environment:\n${describeIssues(parsedEnv.error, '')}`);
  }
  const e = parsedEnv.data;
  let file: ConfigFile;
  if (e.EXPORT_WATCH_CONFIG_JSON) {
    let json: unknown;
    try {
      json = JSON.parse(e.EXPORT_WATCH_CONFIG_JSON);
    } catch (err) {
      throw new ConfigError(`EXPORT_WATCH_CONFIG_JSON is not valid JSON: ${(err as Error).message}`);
    }
    file = parseConfigFile(json, 'EXPORT_WATCH_CONFIG_JSON');
  } else {
    file = readConfigFile(e.EXPORT_WATCH_CONFIG ?? defaultFile);
  }
  return {
    ...file,
    secUserAgent: e.SEC_USER_AGENT,
    urls: {
      secWww: e.SEC_WWW_URL.replace(/\/+$/, ''),
      secData: e.SEC_DATA_URL.replace(/\/+$/, ''),
      ...(e.SEC_EFTS_URL ? { secEfts: e.SEC_EFTS_URL.replace(/\/+$/, '') } : {}),
      federalRegister: e.FEDERAL_REGISTER_URL.replace(/\/+$/, ''),
      csl: e.CSL_URL,
    },
    tables: { changes: e.CHANGES_TABLE, state: e.STATE_TABLE, subscribers: e.SUBSCRIBERS_TABLE },
    emailDelivery: { linksUrl: e.EMAIL_LINKS_URL, secretArn: e.EMAIL_SECRET_ARN, configurationSet: e.SES_CONFIGURATION_SET },
    metrics: e.EXPORT_WATCH_METRICS,
    demo: e.EXPORT_WATCH_DEMO === '1',
  };
}

/** The SEC User-Agent, or a config error saying how to set it. Never invents one. */
export function requireSecUserAgent(config: AppConfig): string {
  if (!config.secUserAgent) {
    throw new ConfigError(
      'SEC_USER_AGENT is not set. SEC EDGAR requires a declared User-Agent such as "Acme Research admin@acme.com"; set SEC_USER_AGENT to your own company name and contact email.',
    );
  }
  return config.secUserAgent;
}

let cached: AppConfig | undefined;
/** The process-wide configuration, read once (Lambda cold start or CLI start). */
export function getConfig(): AppConfig {
  cached ??= loadConfig();
  return cached;
}
