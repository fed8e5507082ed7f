import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Duration, Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type IDestination, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLED_CONFIG_NAME, BUNDLED_CONFIG_PATH } from './settings.ts';

/**
 * The Lambda runtime: the newest Node.js line aws-cdk-lib knows (cdk-nag's AwsSolutions-L1
 * requires the latest of the family). The esbuild target follows it.
 */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
export const ESBUILD_TARGET = 'node24';

/**
 * The bundle is ESM (the project is `"type": "module"`); some bundled dependencies are
 * CommonJS and call `require`, which ESM lacks, so the banner recreates it.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * The validated config file of each stack, staged on disk for the bundler to copy.
 *
 * How the config reaches the Lambdas (issue 17, item 2): it is bundled into every
 * function's asset, next to `index.mjs`, and read once at cold start from
 * `/var/task/export-watch.config.json` (`EXPORT_WATCH_CONFIG`, the variable `run` uses
 * locally for the same file). Why not the alternatives:
 * - an environment variable (what it was): 4 KB for all variables of a function, too small
 *   for a sector watch-list of thousands of companies;
 * - an SSM parameter: 4 KB (standard) or 8 KB (advanced, paid), still too small, plus a
 *   GetParameter call and an IAM grant per function;
 * - an S3 object: BucketDeployment brings a custom-resource Lambda, a bucket and cdk-nag
 *   findings, and a cold start reads S3.
 * Bundled, the config has no size limit and no extra resource, and, the asset hash
 * covering the output, a changed config redeploys every function, as the variable did.
 */
const STAGED_CONFIGS = new WeakMap<Stack, string>();

/**
 * Bundle `configJson` as {@link BUNDLED_CONFIG_NAME} into every {@link WatchFunction}
 * created in `stack` from now on. Call it before creating the functions.
 *
 * @returns the staged file (under the OS temp directory, named after its content hash).
 */
export function bundleConfig(stack: Stack, configJson: string): string {
  const hash = createHash('sha256').update(configJson).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `export-watch-config-${hash}`);
  mkdirSync(dir, { recursive: true });
  const staged = join(dir, BUNDLED_CONFIG_NAME);
  writeFileSync(staged, configJson);
  STAGED_CONFIGS.set(stack, staged);
  return staged;
}

/** The staged config file of a stack, if {@link bundleConfig} was called for it. */
export function stagedConfig(stack: Stack): string | undefined {
  return STAGED_CONFIGS.get(stack);
}

/** A shell command copying `from` to `to` (the bundler runs hooks through bash, or cmd on Windows). */
function copyCommand(from: string, to: string): string {
  if (process.platform === 'win32') return `copy /Y "${from}" "${to}"`;
  const q = (p: string) => `'${p.replace(/'/g, "'\\''")}'`;
  return `cp ${q(from)} ${q(to)}`;
}

/** Properties of a {@link WatchFunction}. */
export interface WatchFunctionProps {
  /** Handler file (exporting `handler`), absolute or relative to `projectRoot`. */
  readonly entry: string;
  /** Directory holding `package-lock.json`; esbuild resolves dependencies from it. */
  readonly projectRoot: string;
  /** What the function does (console, alarms). */
  readonly description: string;
  /** Hard limit for one invocation. */
  readonly timeout: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
  /** Variables besides `NODE_OPTIONS`. */
  readonly environment: Record<string, string>;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
  /**
   * Lambda retries of a failed asynchronous invocation.
   * @default 0 - a scheduled run is never retried (the next run catches up)
   */
  readonly retryAttempts?: number;
  /**
   * Where an asynchronous invocation goes once its retries failed (or it grew too old).
   * @default - nowhere
   */
  readonly onFailure?: IDestination;
}

/**
 * A Lambda function the export-watch way: arm64, bundled locally by esbuild (never
 * Docker), its own log group with a retention, and its own role that starts with nothing
 * but the right to write to that log group — no AWS managed policy.
 */
export class WatchFunction extends Construct {
  /** The function. */
  readonly function: NodejsFunction;
  /** Its execution role; grants go here. */
  readonly role: Role;
  /** Its log group. */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: WatchFunctionProps) {
    super(scope, id);
    // A generated name (no logGroupName) lets a retained group from an earlier deployment
    // never collide with a new one.
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.THREE_MONTHS });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role: ${props.description}`,
    });
    // In place of AWSLambdaBasicExecutionRole: the log group exists, so no CreateLogGroup,
    // and only this function's group.
    this.logGroup.grantWrite(this.role);
    const config = stagedConfig(Stack.of(this));

    this.function = new NodejsFunction(this, 'Function', {
      entry: resolve(props.projectRoot, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      // Scheduler invokes asynchronously. A crashed run is not retried by Lambda: runs are
      // idempotent and the next scheduled one catches up, whereas an immediate retry would
      // hit an upstream that may be refusing us. The Errors alarm reports the crash. (The
      // stream event source has its own retry settings; the SES feedback function, whose
      // events never come back, retries and keeps what still fails.)
      retryAttempts: props.retryAttempts ?? 0,
      onFailure: props.onFailure,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
        ...(config ? { EXPORT_WATCH_CONFIG: BUNDLED_CONFIG_PATH } : {}),
      },
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: ESBUILD_TARGET,
        // Prefer the ESM builds of dependencies so esbuild can tree-shake them.
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        // Stack traces only need file names and lines; the sources would double the asset.
        sourcesContent: false,
        // SDK v3 ships with the Node.js runtime; bundling it only slows cold starts.
        externalModules: ['@aws-sdk/*'],
        logLevel: LogLevel.WARNING,
        // The config file travels in the asset (see STAGED_CONFIGS above).
        ...(config
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_inputDir: string, outputDir: string) => [copyCommand(config, join(outputDir, BUNDLED_CONFIG_NAME))],
              },
            }
          : {}),
      },
    });
  }
}
