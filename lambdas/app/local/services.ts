import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { createRequire } from 'node:module';
import { closeServer, LOOPBACK_HOST, listenLoopback } from './loopback.ts';

const require = createRequire(import.meta.url);

/** A started local service. */
export interface LocalService {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The local runtime could not start for a reason the user fixes by choosing differently (a
 * port, a data dir): the CLI prints the message as one line, without a stack.
 */
export class LocalStartError extends Error {
  override name = 'LocalStartError';
}

/**
 * A local service could not listen on the port asked for (taken by another program, or
 * not allowed). The message names the port and the option that picks another one.
 */
export class PortUnavailableError extends LocalStartError {
  override name = 'PortUnavailableError';
  constructor(
    readonly service: string,
    readonly port: number,
    readonly option: string,
    readonly code: string | undefined,
  ) {
    const why =
      code === 'EADDRINUSE'
        ? 'is already in use (another export-watch run, or another program)'
        : code === 'EACCES'
          ? 'is not allowed for this user'
          : `cannot be used (${code ?? 'unknown error'})`;
    super(`port ${port} for the ${service} ${why}; choose another with ${option} N (0 = any free port)`);
  }
}

/** Wrap a listen failure (EADDRINUSE, EACCES) in a {@link PortUnavailableError}; other errors pass unchanged. */
export function portError(err: unknown, service: string, port: number, option: string): unknown {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'EADDRINUSE' || code === 'EACCES' ? new PortUnavailableError(service, port, option, code) : err;
}

/** Why `port` cannot be listened on at `host` (its error code), or undefined when it can. */
function probePort(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'unknown'));
    probe.listen(port, host, () => probe.close(() => resolve(undefined)));
  });
}

/**
 * Embedded DynamoDB (dynalite). With `path` the data persists in LevelDB under it;
 * without, it lives in memory (tests). Port 0 picks a free port.
 */
export async function startDynalite(options: { path?: string; port?: number; host?: string } = {}): Promise<LocalService> {
  const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;
  // Private like the rest of the data dir: the store holds subscriber data (lambdas/app/local/data-dir.ts).
  if (options.path) mkdirSync(options.path, { recursive: true, mode: 0o700 });
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const host = options.host ?? LOOPBACK_HOST;
  const port = await listenLoopback(server, options.port ?? 0, host);
  return { url: `http://${host}:${port}`, port, close: () => closeServer(server) };
}

/**
 * Local SES (aws-ses-v2-local): accepts SES v1/v2 sends, shows them in a web UI at its
 * root URL and returns them at `GET /store`.
 */
export async function startSesLocal(options: { port?: number; host?: string } = {}): Promise<LocalService> {
  const start = require('aws-ses-v2-local').default as (config: { host: string; port: number }) => Promise<Server>;
  const host = options.host ?? LOOPBACK_HOST;
  // aws-ses-v2-local listens itself; ask it for port 0 only if the caller does not care.
  const server = await start({ host, port: options.port ?? 0 });
  const address = server.address() as AddressInfo | null;
  if (!address) {
    // It resolves even when listening failed (express passes the error to the listen
    // callback), with a server that has no address; the error itself is lost. Ask the
    // port again to say why, instead of crashing later on `address.port`.
    await closeServer(server);
    const wanted = options.port ?? 0;
    throw new PortUnavailableError('local SES web UI', wanted, '--ses-port', await probePort(wanted, host));
  }
  const port = address.port;
  return { url: `http://${host}:${port}`, port, close: () => closeServer(server) };
}

/**
 * Point unmodified AWS SDK clients of this process at the local services. Credentials are
 * dummies: the local servers do not check them, and no real account is ever reached.
 */
export function useLocalEndpoints(dynamoUrl: string, sesUrl: string | undefined, env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_ENDPOINT_URL_DYNAMODB = dynamoUrl;
  if (sesUrl) env.AWS_ENDPOINT_URL_SES = sesUrl;
  env.AWS_REGION ??= 'us-east-1';
  env.AWS_ACCESS_KEY_ID ??= 'local';
  env.AWS_SECRET_ACCESS_KEY ??= 'local';
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
