import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A started local service. */
export interface LocalService {
  url: string;
  port: number;
  close(): Promise<void>;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Embedded DynamoDB (dynalite). With `path` the data persists in LevelDB under it;
 * without, it lives in memory (tests). Port 0 picks a free port.
 */
export async function startDynalite(options: { path?: string; port?: number; host?: string } = {}): Promise<LocalService> {
  const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;
  if (options.path) mkdirSync(options.path, { recursive: true });
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  return { url: `http://${host}:${port}`, port, close: () => closeServer(server) };
}

/**
 * Local SES (aws-ses-v2-local): accepts SES v1/v2 sends, shows them in a web UI at its
 * root URL and returns them at `GET /store`.
 */
export async function startSesLocal(options: { port?: number; host?: string } = {}): Promise<LocalService> {
  const start = require('aws-ses-v2-local').default as (config: { host: string; port: number }) => Promise<Server>;
  const host = options.host ?? '127.0.0.1';
  // aws-ses-v2-local listens itself; ask it for port 0 only if the caller does not care.
  const server = await start({ host, port: options.port ?? 0 });
  const port = (server.address() as AddressInfo).port;
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
