import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, LOOPBACK_HOST, listenLoopback } from '#app/local/loopback.ts';
import { gzipSync } from 'node:zlib';

/** A recorded or computed answer of the fake upstream. */
export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export type RouteHandler = (req: { url: URL; headers: IncomingMessage['headers'] }) => FakeResponse | Promise<FakeResponse>;

/**
 * A fault injected on a route: replaces or mangles the answer, resets the connection,
 * delays it, or truncates the body mid-transfer.
 */
export type Fault =
  | { kind: 'respond'; make(answer: FakeResponse | undefined): FakeResponse }
  | { kind: 'reset' }
  | { kind: 'delay'; ms: number }
  | { kind: 'truncate' };

interface FaultRule {
  path: string | RegExp;
  fault: Fault;
}

interface Route {
  method: string;
  /** Exact pathname, or a RegExp tested against the pathname. */
  path: string | RegExp;
  handler: RouteHandler;
}

/** One request the fake served, for assertions on request counts and headers. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingMessage['headers'];
}

/**
 * A local HTTP server that answers under the real URL layouts of EDGAR, the Federal
 * Register API and trade.gov from recorded data. One server serves every upstream: tests
 * point `SEC_WWW_URL`, `SEC_DATA_URL`, `FEDERAL_REGISTER_URL` and `CSL_URL` at it.
 * Routes can be replaced between cycles (a quiet cycle, then one with news), and every
 * request is recorded. Bodies are gzipped when the client accepts gzip, like the real hosts.
 */
export class FakeUpstream {
  readonly requests: RecordedRequest[] = [];
  private routes: Route[] = [];
  private faults: FaultRule[] = [];
  private server: Server | undefined;
  url = '';

  /** Add (or, for the same method and path, replace) a route. */
  on(method: string, path: string | RegExp, handler: RouteHandler): this {
    this.routes = this.routes.filter((r) => !(r.method === method && String(r.path) === String(path)));
    this.routes.push({ method, path, handler });
    return this;
  }

  /** Serve a file (read at request time) for a path. */
  file(path: string | RegExp, file: string, headers: Record<string, string> = {}): this {
    return this.on('GET', path, () => ({ body: readFileSync(file), headers }));
  }

  /** Serve JSON for a path. */
  json(path: string | RegExp, value: unknown, headers: Record<string, string> = {}): this {
    return this.on('GET', path, () => ({ body: JSON.stringify(value), headers: { 'content-type': 'application/json', ...headers } }));
  }

  /** Inject a fault on every request whose path matches (until {@link clearFaults}). */
  fault(path: string | RegExp, fault: Fault): this {
    this.faults.push({ path, fault });
    return this;
  }

  clearFaults(): void {
    this.faults = [];
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Requests whose path matches. */
  requestsTo(path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.url = `http://${LOOPBACK_HOST}:${await listenLoopback(this.server, port)}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await closeServer(server);
    this.server = undefined;
  }

  /** Environment variables that point every upstream at this server. */
  env(): Record<string, string> {
    return {
      SEC_WWW_URL: this.url,
      SEC_DATA_URL: `${this.url}/sec-data`,
      FEDERAL_REGISTER_URL: this.url,
      CSL_URL: `${this.url}/downloadable_consolidated_screening_list/v1/consolidated.json`,
    };
  }

  private async applyFault(fault: Fault, route: Route | undefined, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const answer = route ? await route.handler({ url, headers: req.headers }) : undefined;
    switch (fault.kind) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'delay':
        await new Promise((r) => setTimeout(r, fault.ms));
        if (!res.destroyed) res.writeHead(answer?.status ?? 200, answer?.headers).end(answer?.body ?? '');
        return;
      case 'truncate': {
        // Promise the whole body, send half of it, then drop the connection.
        const body = answer ? (typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body) : Buffer.alloc(0);
        res.writeHead(answer?.status ?? 200, { ...answer?.headers, 'content-length': String(body.length) });
        res.write(body.subarray(0, Math.floor(body.length / 2)));
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      case 'respond': {
        const mangled = fault.make(answer);
        const body = typeof mangled.body === 'string' ? Buffer.from(mangled.body) : mangled.body;
        res.writeHead(mangled.status ?? 200, { ...mangled.headers, 'content-length': String(body.length) }).end(body);
        return;
      }
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search, headers: req.headers });
    const matches = (p: string | RegExp) => (typeof p === 'string' ? p === url.pathname : p.test(url.pathname));
    const route = this.routes.find((r) => r.method === req.method && matches(r.path));
    const fault = this.faults.find((f) => matches(f.path))?.fault;
    if (fault) {
      await this.applyFault(fault, route, url, req, res);
      return;
    }
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`fake upstream: no route for ${req.method} ${url.pathname}`);
      return;
    }
    try {
      const answer = await route.handler({ url, headers: req.headers });
      let body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
      const headers: Record<string, string> = { ...answer.headers };
      if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && body.length > 0 && !headers['content-encoding']) {
        body = gzipSync(body);
        headers['content-encoding'] = 'gzip';
      }
      headers['content-length'] ??= String(body.length);
      res.writeHead(answer.status ?? 200, headers).end(body);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`fake upstream handler failed: ${(err as Error).message}`);
    }
  }
}
