import { realSleep, type Sleep } from './clock.ts';
import { SourceError } from './errors.ts';
import { sha256 } from './hash.ts';
import { RateLimiter } from './rate-limiter.ts';

/** Validators from a previous response, for conditional GET. */
export interface Validators {
  etag?: string | undefined;
  lastModified?: string | undefined;
}

export interface RequestOptions {
  /** Validators of the copy we hold; a 304 answer returns `notModified: true`. */
  validators?: Validators | undefined;
  /** Statuses returned to the caller instead of thrown (e.g. 404, or SEC's 503 end-of-feed). */
  acceptStatus?: number[];
  /** Per-request override of the body cap. */
  maxBytes?: number;
  accept?: string;
}

export interface UpstreamResponse {
  url: string;
  status: number;
  notModified: boolean;
  headers: Headers;
  body: Buffer;
  /** SHA-256 of the body: the change check where upstreams offer no validators. */
  bodyHash: string;
  validators: Validators;
}

/** Counters the client keeps for metrics and benchmarks. */
export interface HttpStats {
  requests: number;
  bytes: number;
  retries: number;
  blocks: number;
  notModified: number;
}

export interface UpstreamClientOptions {
  /** User-Agent for SEC hosts; undefined = SEC requests are refused (never invent one). */
  secUserAgent: string | undefined;
  /** Hosts (lower-case) that share the SEC rate limit, e.g. www.sec.gov and data.sec.gov or a fake server's. */
  secHosts: string[];
  secRequestsPerSecond: number;
  otherRequestsPerSecond: number;
  timeoutMs: number;
  maxRetries: number;
  maxBodyBytes: number;
  /** Base backoff in ms (doubled per attempt, full jitter). */
  backoffBaseMs?: number;
  /** Longest wait honoured from Retry-After or backoff. */
  maxBackoffMs?: number;
  sleep?: Sleep;
  random?: () => number;
  fetch?: typeof fetch;
  /**
   * Groups of hosts (lower-case `host[:port]`) that belong to one upstream: a redirect may
   * move between the hosts of one group (over https). Default: {@link PUBLIC_UPSTREAM_HOSTS};
   * `createUpstreamClient` adds the hosts of the configured base URLs
   * ({@link trustedHostGroups}).
   */
  trustedHosts?: readonly (readonly string[])[];
}

/**
 * The real public hosts of each upstream. A redirect from one of them is followed only to
 * another host of the same upstream, so a hijacked or misconfigured redirect can neither
 * inject content from elsewhere into a change nor carry the SEC User-Agent (with the
 * operator's email) to another host.
 */
export const PUBLIC_UPSTREAM_HOSTS: readonly (readonly string[])[] = [
  ['www.sec.gov', 'sec.gov', 'data.sec.gov', 'efts.sec.gov'],
  ['www.federalregister.gov', 'federalregister.gov'],
  ['data.trade.gov', 'api.trade.gov'],
];

/** Most redirects followed for one request (a loop ends as an error after this many). */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

/**
 * The trusted host groups of a deployment: each upstream's public hosts plus the host of
 * its configured base URL (a mirror, or the loopback fake in tests).
 */
export function trustedHostGroups(urls: { secWww: string; secData: string; federalRegister: string; csl: string }): string[][] {
  const hostOf = (u: string) => new URL(u).host.toLowerCase();
  const [sec = [], fr = [], csl = []] = PUBLIC_UPSTREAM_HOSTS;
  return [
    [...new Set([...sec, hostOf(urls.secWww), hostOf(urls.secData)])],
    [...new Set([...fr, hostOf(urls.federalRegister)])],
    [...new Set([...csl, hostOf(urls.csl)])],
  ];
}

export const PRODUCT_USER_AGENT = 'export-watch/0.1 (+https://github.com/export-watch)';

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/**
 * The one HTTP client for every upstream: User-Agent, per-host-group rate limit, timeouts,
 * retries with exponential backoff and full jitter (honouring Retry-After), SEC block
 * detection, a body-size cap, gzip, conditional GET, and redirects followed by hand (only
 * within one upstream's trusted hosts, at most {@link MAX_REDIRECTS}).
 */
export class UpstreamClient {
  readonly stats: HttpStats = { requests: 0, bytes: 0, retries: 0, blocks: 0, notModified: 0 };
  private readonly limiters = new Map<string, RateLimiter>();
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly fetchImpl: typeof fetch;
  /** Set on the views made by {@link withSignal}: the cycle's deadline. */
  private cycleSignal: AbortSignal | undefined;

  constructor(private readonly options: UpstreamClientOptions) {
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /**
   * A view of this client whose requests end when `signal` aborts (a cycle's deadline):
   * a request in flight is aborted and later ones fail at once, as `timeout` errors that
   * are never retried. The view shares this client's counters and rate limiters, so a
   * container's long-lived client keeps one budget per host.
   */
  withSignal(signal: AbortSignal): UpstreamClient {
    const view = Object.create(this) as UpstreamClient;
    view.cycleSignal = signal;
    return view;
  }

  private checkSignal(url: string): void {
    if (this.cycleSignal?.aborted) throw new SourceError('timeout', `GET ${redactUrl(url)} not sent: the cycle's deadline has passed`);
  }

  /**
   * Whether a redirect from `from` (reached from `origin`, the URL asked for) to `to` may be
   * followed: to the same scheme, host and port as `from` (relative Locations, the loopback
   * fake), or over https to a host of the same upstream as `origin` (its trusted group).
   */
  private redirectRefusal(origin: URL, from: URL, to: URL): string | undefined {
    if (to.protocol === from.protocol && to.host === from.host) return undefined;
    const host = to.host.toLowerCase();
    const originHost = origin.host.toLowerCase();
    const trusted =
      host === originHost ||
      (this.options.trustedHosts ?? PUBLIC_UPSTREAM_HOSTS).some((group) => group.includes(originHost) && group.includes(host));
    if (!trusted) return `redirect from ${redactUrl(from.href)} to untrusted host ${host} refused`;
    if (to.protocol !== 'https:') return `redirect from ${redactUrl(from.href)} to ${to.protocol}//${host} refused: not https`;
    return undefined;
  }

  private isSec(host: string): boolean {
    return this.options.secHosts.includes(host) || host === 'sec.gov' || host.endsWith('.sec.gov');
  }

  private limiterFor(host: string): RateLimiter {
    const key = this.isSec(host) ? '#sec' : host;
    let limiter = this.limiters.get(key);
    if (!limiter) {
      const rate = key === '#sec' ? this.options.secRequestsPerSecond : this.options.otherRequestsPerSecond;
      limiter = new RateLimiter(rate, this.sleep);
      this.limiters.set(key, limiter);
    }
    return limiter;
  }

  /** GET a URL and buffer its body (up to the cap). */
  async get(url: string, opts: RequestOptions = {}): Promise<UpstreamResponse> {
    const target = new URL(url);
    this.checkSignal(url);
    const maxBytes = opts.maxBytes ?? this.options.maxBodyBytes;
    const backoffBase = this.options.backoffBaseMs ?? 500;
    const maxBackoff = this.options.maxBackoffMs ?? 30_000;

    let lastError: SourceError | undefined;
    for (let attempt = 0; attempt <= this.options.maxRetries; attempt++) {
      if (attempt > 0) {
        this.stats.retries++;
        const backoff = Math.min(maxBackoff, backoffBase * 2 ** (attempt - 1));
        const wait = Math.max(lastError?.retryAfterMs ?? 0, Math.round(this.random() * backoff));
        await this.sleep(Math.min(wait, maxBackoff));
        this.checkSignal(url);
      }
      let fetched: { response: Response; at: URL; sec: boolean };
      try {
        fetched = await this.fetchFollowing(target, opts);
      } catch (err) {
        if (err instanceof SourceError) throw err; // a refused redirect, a missing User-Agent, the deadline
        lastError = new SourceError('network', `GET ${redactUrl(url)} failed: ${describeFetchError(err)}`, { cause: err });
        continue;
      }
      const { response, sec } = fetched;

      if (response.status === 304) {
        this.stats.notModified++;
        await response.body?.cancel();
        return {
          url,
          status: 304,
          notModified: true,
          headers: response.headers,
          body: Buffer.alloc(0),
          bodyHash: '',
          validators: opts.validators ?? {},
        };
      }

      let body: Buffer;
      try {
        body = await readCapped(response, maxBytes);
      } catch (err) {
        if (err instanceof SourceError) throw err; // over the cap: retrying would not help
        this.checkSignal(url);
        lastError = new SourceError('network', `GET ${redactUrl(url)}: body interrupted: ${describeFetchError(err)}`, { cause: err });
        continue;
      }
      this.stats.bytes += body.length;

      if (opts.acceptStatus?.includes(response.status) || (response.status >= 200 && response.status < 300)) {
        return {
          url,
          status: response.status,
          notModified: false,
          headers: response.headers,
          body,
          bodyHash: sha256(body),
          validators: {
            etag: response.headers.get('etag') ?? undefined,
            lastModified: response.headers.get('last-modified') ?? undefined,
          },
        };
      }

      if (response.status === 403 && sec) {
        const text = body.toString('utf8', 0, Math.min(body.length, 4096));
        if (/Request Rate Threshold Exceeded|Undeclared Automated Tool|automated tool/i.test(text)) {
          this.stats.blocks++;
          // A block lifts only after traffic stops for ~10 minutes: never retry it here.
          throw new SourceError(
            'blocked',
            `SEC refused ${redactUrl(url)} (403: ${/Undeclared/i.test(text) ? 'undeclared automated tool' : 'request rate threshold exceeded'}); cooling down`,
          );
        }
        throw new SourceError('http', `GET ${redactUrl(url)} answered 403 (missing document on SEC Archives)`);
      }

      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      if (RETRYABLE_STATUS.has(response.status)) {
        lastError = new SourceError(
          response.status === 429 ? 'rate-limited' : 'network',
          `GET ${redactUrl(url)} answered ${response.status} after ${attempt + 1} attempt(s)`,
          retryAfterMs === undefined ? undefined : { retryAfterMs },
        );
        if (retryAfterMs !== undefined && retryAfterMs > maxBackoff) break; // the upstream asks for longer than a run should wait
        continue;
      }
      throw new SourceError('http', `GET ${redactUrl(url)} answered unexpected status ${response.status}`);
    }
    throw lastError ?? new SourceError('network', `GET ${redactUrl(url)} failed`);
  }

  /**
   * One attempt: send the request and follow redirects by hand. Each hop takes the rate
   * limit and the User-Agent of its own host (the SEC one only for SEC hosts), so a
   * redirect never spends SEC's budget on another host nor shows it the operator's email.
   */
  private async fetchFollowing(target: URL, opts: RequestOptions): Promise<{ response: Response; at: URL; sec: boolean }> {
    let at = target;
    for (let hop = 0; ; hop++) {
      const host = at.host.toLowerCase();
      const sec = this.isSec(host);
      if (sec && !this.options.secUserAgent) {
        throw new SourceError('config', 'SEC_USER_AGENT is not set; refusing to call SEC EDGAR without a declared User-Agent');
      }
      const headers: Record<string, string> = {
        'user-agent': sec ? (this.options.secUserAgent as string) : PRODUCT_USER_AGENT,
        'accept-encoding': 'gzip, deflate',
        accept: opts.accept ?? '*/*',
      };
      if (opts.validators?.etag) headers['if-none-match'] = opts.validators.etag;
      if (opts.validators?.lastModified) headers['if-modified-since'] = opts.validators.lastModified;
      await this.limiterFor(host).acquire();
      this.checkSignal(at.href);
      this.stats.requests++;
      const timeout = AbortSignal.timeout(this.options.timeoutMs);
      let response: Response;
      try {
        response = await this.fetchImpl(at, {
          headers,
          redirect: 'manual',
          signal: this.cycleSignal ? AbortSignal.any([timeout, this.cycleSignal]) : timeout,
        });
      } catch (err) {
        this.checkSignal(at.href);
        throw err;
      }
      if (!REDIRECT_STATUS.has(response.status) || opts.acceptStatus?.includes(response.status)) return { response, at, sec };
      await response.body?.cancel().catch(() => undefined);
      const location = response.headers.get('location');
      if (!location) throw new SourceError('http', `GET ${redactUrl(at.href)} answered ${response.status} without a Location`);
      let next: URL;
      try {
        next = new URL(location, at);
      } catch {
        throw new SourceError('http', `GET ${redactUrl(at.href)} answered ${response.status} with an invalid Location`);
      }
      const refusal = this.redirectRefusal(target, at, next);
      if (refusal) throw new SourceError('http', refusal);
      if (hop + 1 > MAX_REDIRECTS) {
        throw new SourceError(
          'http',
          `GET ${redactUrl(target.href)}: more than ${MAX_REDIRECTS} redirects (last to ${redactUrl(next.href)})`,
        );
      }
      at = next;
    }
  }

  /** GET and parse JSON; a body that is not JSON is a parse error naming the URL. */
  async getJson<T = unknown>(url: string, opts: RequestOptions = {}): Promise<{ response: UpstreamResponse; json: T | undefined }> {
    const response = await this.get(url, { accept: 'application/json', ...opts });
    if (response.notModified) return { response, json: undefined };
    try {
      return { response, json: JSON.parse(response.body.toString('utf8')) as T };
    } catch (err) {
      throw new SourceError('parse', `GET ${redactUrl(url)}: body is not valid JSON (${(err as Error).message})`, { cause: err });
    }
  }
}

/** Read a response body, failing as soon as it passes `maxBytes`. */
async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes && !response.headers.get('content-encoding')) {
    await response.body?.cancel();
    throw new SourceError('sanity', `response of ${declared} bytes exceeds the ${maxBytes}-byte cap`);
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new SourceError('sanity', `response body exceeds the ${maxBytes}-byte cap`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks, total);
}

/** Retry-After as milliseconds from now (delta-seconds or HTTP date). */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function describeFetchError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? err.message;
  }
  return String(err);
}

/** URLs carry no secrets today, but strip query strings longer than needed from messages. */
function redactUrl(url: string): string {
  return url.length > 300 ? `${url.slice(0, 300)}…` : url;
}
