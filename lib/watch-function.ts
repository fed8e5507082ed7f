import { join, resolve } from 'node:path';
import type { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type IDestination, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

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
export const ESM_REQUIRE_BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

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
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
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
      },
    });
  }
}
