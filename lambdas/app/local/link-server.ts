import { createServer, type IncomingMessage } from 'node:http';
import { closeServer, LOOPBACK_HOST, listenLoopback } from './loopback.ts';
import type { LocalService } from './services.ts';
import type { LinkRequest, LinkResponse } from '#notify/subscription.ts';

/** Largest request body read (a one-click POST is ~30 bytes). */
const MAX_BODY_BYTES = 8192;

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined));
    req.on('error', reject);
  });
}

/**
 * The local stand-in for the function URL: a node:http server on loopback that hands
 * every request to the same endpoint logic the Lambda runs. Port 0 picks a free port.
 */
export async function startLinkServer(
  handle: (req: LinkRequest) => Promise<LinkResponse>,
  options: { port?: number; host?: string } = {},
): Promise<LocalService> {
  const server = createServer((req, res) => {
    readBody(req)
      .then(async (body) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const out = await handle({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body });
        res.writeHead(out.status, out.headers);
        res.end(req.method === 'HEAD' ? undefined : out.body);
      })
      .catch(() => {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('internal error');
      });
  });
  const host = options.host ?? LOOPBACK_HOST;
  const port = await listenLoopback(server, options.port ?? 0, host);
  return { url: `http://${host}:${port}`, port, close: () => closeServer(server) };
}
