// The one HTTP client for everything that talks to roots: the CLI, the auditor and its witness,
// a root catching up from its peers. HTTP/1.1 over node:http(s) (RFC 9112), so that the client,
// not a library, decides when to stop reading:
//
// - every body is bounded by what the caller can use: a declared Content-Length above the bound
//   is refused before the body is read, and reading stops (the connection is cut) at the first
//   byte past it, with or without a Content-Length, truthful or not;
// - every try has a connect timeout (DNS and handshake) and a request timeout that runs to the
//   last body byte, so a server that drips its answer cannot hold the caller;
// - idempotent requests (GET, or a caller's explicit word) are tried again after network errors,
//   timeouts and busy answers (RETRY_STATUSES), with exponential backoff and jitter, honouring
//   the server's Retry-After up to a cap; a POST is sent once;
// - redirects are not followed: a root that moved is a configuration to fix, not something to
//   chase to wherever a hostile server points;
// - a caller that must not be pointed at internal services (a root asking the endpoints other
//   members announce) passes `addressAllowed`: the host's address is judged where the socket
//   gets it — the literal, or every address the lookup for this very connection returns — so a
//   name that resolves to a public address when checked and a private one when used cannot
//   slip through;
// - every failure is a NetError with a stable code; an error status carries the server's
//   `{ code, message }` problem body when it sent one.

import dns, { type LookupAddress } from 'node:dns';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { setTimeout as sleepFor } from 'node:timers/promises';
import {
  ATTEMPTS_MAX,
  DEFAULT_ATTEMPTS_MAX,
  DEFAULT_BACKOFF_MAX_MS,
  DEFAULT_BACKOFF_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRY_AFTER_MAX_MS,
  ERROR_BODY_CHARS_MAX,
  PROBLEM_BYTES_MAX,
  RETRY_STATUSES,
  USER_AGENT,
} from './constants.ts';
import { NetError, type Problem } from './errors.ts';
import { type JsonItemsOptions, parseJsonItems } from './json-items.ts';
import { backoffMs, retryAfterMs } from './retry.ts';

export type HttpMethod = 'GET' | 'POST';

export type HttpClientOptions = {
  /** Per try, from the first byte sent to the last body byte received. */
  timeoutMs?: number;
  /** Per try, DNS lookup and TCP handshake. */
  connectTimeoutMs?: number;
  /** Tries of an idempotent request, 1..ATTEMPTS_MAX. */
  attemptsMax?: number;
  backoffMs?: number;
  backoffMaxMs?: number;
  /** Longest Retry-After honoured; a longer one is cut to this. */
  retryAfterMaxMs?: number;
  userAgent?: string;
  /** Called with the size of every 2xx body read (progress and statistics). */
  onBytes?: (bytes: number) => void;
  /** Injected by tests: the pause between tries, the wall clock (HTTP-date Retry-After), jitter. */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  nowMs?: () => number;
  random?: () => number;
};

export type RequestOptions = {
  method?: HttpMethod;
  /** The largest body the caller can use: reading stops there and the request fails TOO_LARGE. */
  bytesMax: number;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Whether sending the request twice is harmless; default true for GET, false for POST. */
  idempotent?: boolean;
  signal?: AbortSignal;
  /**
   * Judges the address the request would connect to (an IP literal, without brackets):
   * undefined to connect, or the reason it may not (ADDRESS_REFUSED, never tried again).
   */
  addressAllowed?: (address: string) => string | undefined;
};

/** A 2xx answer. */
export type HttpReply = { status: number; headers: IncomingHttpHeaders; body: Uint8Array };

type Answer = HttpReply;
type Outcome = { reply: Answer } | { error: NetError; retry: boolean; waitMs?: number };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** `text` as an http(s) URL; throws BAD_URL for anything else. */
function httpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new NetError('BAD_URL', `${JSON.stringify(text)} is not a URL; use http(s)://host:port`, {
      url: text,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NetError('BAD_URL', `${text}: use an http:// or https:// URL`, { url: text });
  }
  return url;
}

/** `text` as a base URL without a trailing slash, to which paths are appended; throws BAD_URL. */
export function normalizeBaseUrl(text: string): string {
  return httpUrl(text).href.replace(/\/+$/, '');
}

function positiveMs(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

/** The `{ code, message }` problem body of an error answer, if that is what it is. */
function problemOf(body: Uint8Array): Problem | undefined {
  try {
    const json = JSON.parse(utf8.decode(body)) as { code?: unknown; message?: unknown };
    if (typeof json !== 'object' || json === null || typeof json.message !== 'string') return undefined;
    return { code: typeof json.code === 'string' ? json.code : undefined, message: json.message };
  } catch {
    return undefined;
  }
}

function statusError(url: string, answer: Answer): NetError {
  const { status } = answer;
  const problem = problemOf(answer.body);
  const body = lenientUtf8.decode(answer.body).slice(0, ERROR_BODY_CHARS_MAX);
  const said = problem === undefined ? '' : `: ${problem.message}${problem.code ? ` [${problem.code}]` : ''}`;
  const todo =
    status >= 400 && status < 500 && status !== 408 && status !== 429
      ? 'the request was refused as sent; change what the answer names'
      : 'the server failed or is busy; try again later or another root';
  return new NetError('HTTP_STATUS', `${url} answered ${status}${said}; ${todo}`, {
    url,
    status,
    ...(problem === undefined ? {} : { problem }),
    body,
  });
}

/** The error a refusing lookup hands the socket; connectionError turns it into ADDRESS_REFUSED. */
class RefusedAddress extends Error {
  readonly code = 'ADDRESS_REFUSED';
  readonly address: string;
  readonly why: string;
  constructor(address: string, why: string) {
    super(`${address} is ${why}`);
    this.address = address;
    this.why = why;
  }
}

function refused(url: string, host: string, address: string, why: string): NetError {
  const what = host === address ? `${address} is ${why}` : `${host} resolves to ${address}, ${why}`;
  return new NetError('ADDRESS_REFUSED', `${url}: ${what}; not connecting there`, { url, reason: why });
}

/** A lookup that resolves as usual and fails when any address it returns is refused. */
function judgingLookup(judge: (address: string) => string | undefined): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error !== null) return callback(error, '', 4);
      for (const a of addresses) {
        const why = judge(a.address);
        if (why !== undefined) return callback(new RefusedAddress(a.address, why), '', 4);
      }
      // The socket asks for every address (happy eyeballs) or for one.
      if (options.all === true)
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

function connectionError(url: string, error: Error): NetError {
  if (error instanceof RefusedAddress) return refused(url, new URL(url).hostname, error.address, error.why);
  const reason = (error as NodeJS.ErrnoException).code ?? error.message;
  if (reason.startsWith('HPE_')) {
    return new NetError(
      'MALFORMED_RESPONSE',
      `${url} broke HTTP framing (${reason}: ${error.message}); the server is broken or hostile, try another`,
      { url, reason, cause: error },
    );
  }
  return new NetError(
    'UNREACHABLE',
    `cannot reach ${url} (${reason}); check the URL and that the server is running`,
    { url, reason, cause: error },
  );
}

export class HttpClient {
  readonly #timeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #attemptsMax: number;
  readonly #backoffMs: number;
  readonly #backoffMaxMs: number;
  readonly #retryAfterMaxMs: number;
  readonly #userAgent: string;
  readonly #onBytes: ((bytes: number) => void) | undefined;
  readonly #sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  readonly #nowMs: () => number;
  readonly #random: () => number;

  constructor(options: HttpClientOptions = {}) {
    this.#timeoutMs = positiveMs('timeoutMs', options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    this.#connectTimeoutMs = positiveMs(
      'connectTimeoutMs',
      options.connectTimeoutMs ?? Math.min(DEFAULT_CONNECT_TIMEOUT_MS, this.#timeoutMs),
    );
    this.#attemptsMax = options.attemptsMax ?? DEFAULT_ATTEMPTS_MAX;
    if (!Number.isSafeInteger(this.#attemptsMax) || this.#attemptsMax < 1 || this.#attemptsMax > ATTEMPTS_MAX)
      throw new RangeError(`attemptsMax must be 1..${ATTEMPTS_MAX}`);
    this.#backoffMs = positiveMs('backoffMs', options.backoffMs ?? DEFAULT_BACKOFF_MS);
    this.#backoffMaxMs = positiveMs('backoffMaxMs', options.backoffMaxMs ?? DEFAULT_BACKOFF_MAX_MS);
    this.#retryAfterMaxMs = positiveMs(
      'retryAfterMaxMs',
      options.retryAfterMaxMs ?? DEFAULT_RETRY_AFTER_MAX_MS,
    );
    this.#userAgent = options.userAgent ?? USER_AGENT;
    this.#onBytes = options.onBytes;
    this.#sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, signal ? { signal } : {}));
    this.#nowMs = options.nowMs ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /** A 2xx answer, after the tries this request allows; anything else is a NetError. */
  async request(url: string, options: RequestOptions): Promise<HttpReply> {
    const target = httpUrl(url);
    if (!Number.isSafeInteger(options.bytesMax) || options.bytesMax < 0)
      throw new RangeError('bytesMax must be a non-negative integer');
    const method = options.method ?? 'GET';
    const attemptsMax = (options.idempotent ?? method === 'GET') ? this.#attemptsMax : 1;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(target, method, options);
      if ('reply' in outcome) {
        this.#onBytes?.(outcome.reply.body.length);
        return outcome.reply;
      }
      if (!outcome.retry || attempt >= attemptsMax) throw outcome.error;
      const waitMs =
        outcome.waitMs === undefined
          ? backoffMs(attempt, this.#backoffMs, this.#backoffMaxMs, this.#random)
          : Math.min(outcome.waitMs, this.#retryAfterMaxMs);
      try {
        await this.#sleep(waitMs, options.signal);
      } catch (error) {
        if (options.signal?.aborted) throw this.#aborted(target.href);
        throw error;
      }
    }
  }

  async getBytes(url: string, options: Omit<RequestOptions, 'method' | 'body'>): Promise<Uint8Array> {
    return (await this.request(url, options)).body;
  }

  async getText(url: string, options: Omit<RequestOptions, 'method' | 'body'>): Promise<string> {
    return decodeText(url, await this.getBytes(url, options));
  }

  /** GET and JSON.parse in one step: for bodies small enough to parse at once (see getJsonItems). */
  async getJson<T = unknown>(url: string, options: Omit<RequestOptions, 'method' | 'body'>): Promise<T> {
    const reply = await this.request(url, {
      ...options,
      headers: { accept: 'application/json', ...options.headers },
    });
    return parseJson(url, reply.body) as T;
  }

  /** GET a long JSON array (bare, or as the one member `field` of an object), item by item. */
  async getJsonItems<T>(
    url: string,
    options: Omit<RequestOptions, 'method' | 'body'> & Omit<JsonItemsOptions<T>, 'url'>,
  ): Promise<T[]> {
    const reply = await this.request(url, {
      ...options,
      headers: { accept: 'application/json', ...options.headers },
    });
    return parseJsonItems(reply.body, { ...options, url });
  }

  /** POST `body` as JSON; the answer is parsed as JSON. Sent once unless marked idempotent. */
  async postJson<T = unknown>(
    url: string,
    body: unknown,
    options: Omit<RequestOptions, 'method' | 'body'>,
  ): Promise<T> {
    const reply = await this.request(url, {
      ...options,
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
    });
    return parseJson(url, reply.body) as T;
  }

  #aborted(url: string): NetError {
    return new NetError('ABORTED', `the request to ${url} was cancelled`, { url });
  }

  /** One try; an error status or a failure becomes an outcome that says whether to try again. */
  async #attempt(url: URL, method: HttpMethod, options: RequestOptions): Promise<Outcome> {
    if (options.signal?.aborted) throw this.#aborted(url.href);
    let answer: Answer;
    try {
      answer = await this.#send(url, method, options);
    } catch (error) {
      if (!(error instanceof NetError)) throw error;
      return { error, retry: error.code === 'UNREACHABLE' || error.code === 'TIMEOUT' };
    }
    if (answer.status >= 200 && answer.status < 300) return { reply: answer };
    const waitMs = retryAfterMs(answer.headers['retry-after'], this.#nowMs());
    return {
      error: statusError(url.href, answer),
      retry: RETRY_STATUSES.has(answer.status),
      ...(waitMs === undefined ? {} : { waitMs }),
    };
  }

  /** Sends the request and reads the answer within the bounds; resolves with any non-3xx answer. */
  #send(url: URL, method: HttpMethod, options: RequestOptions): Promise<Answer> {
    const href = url.href;
    // An IP literal is never looked up: judge it here.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    const literalWhy = isIP(literal) !== 0 ? options.addressAllowed?.(literal) : undefined;
    if (literalWhy !== undefined) return Promise.reject(refused(href, literal, literal, literalWhy));
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      const settle = (error: NetError | undefined, answer?: Answer, keepConnection = true): void => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        clearTimeout(requestTimer);
        options.signal?.removeEventListener('abort', onAbort);
        // Cut the connection when the answer is not read to its end: the server stops sending
        // and the socket is never reused with half an answer in it.
        if (error !== undefined || !keepConnection) request.destroy();
        if (error !== undefined) reject(error);
        else resolve(answer!);
      };
      const connectTimer = setTimeout(
        () =>
          settle(
            new NetError(
              'TIMEOUT',
              `${href}: no connection within ${this.#connectTimeoutMs} ms; check the URL and the network, or try another root`,
              { url: href },
            ),
          ),
        this.#connectTimeoutMs,
      );
      const requestTimer = setTimeout(
        () =>
          settle(
            new NetError(
              'TIMEOUT',
              `${href} did not answer in full within ${this.#timeoutMs} ms; try again later or another root`,
              { url: href },
            ),
          ),
        this.#timeoutMs,
      );
      const onAbort = (): void => settle(this.#aborted(href));
      options.signal?.addEventListener('abort', onAbort, { once: true });

      const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
      const headers: Record<string, string> = {
        'user-agent': this.#userAgent,
        'accept-encoding': 'identity',
        accept: '*/*',
        ...options.headers,
        ...(body === undefined ? {} : { 'content-length': String(body.length) }),
      };
      const transport = url.protocol === 'https:' ? https : http;
      const lookup =
        options.addressAllowed === undefined ? {} : { lookup: judgingLookup(options.addressAllowed) };
      const request = transport.request(url, { method, headers, ...lookup }, (response) =>
        this.#read(href, response, options.bytesMax, settle),
      );
      request.on('socket', (socket) => {
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once('connect', () => clearTimeout(connectTimer));
      });
      request.on('error', (error) => settle(connectionError(href, error)));
      request.end(body);
    });
  }

  #read(
    url: string,
    response: IncomingMessage,
    bytesMax: number,
    settle: (error: NetError | undefined, answer?: Answer, keepConnection?: boolean) => void,
  ): void {
    const status = response.statusCode ?? 0;
    const headers = response.headers;
    if (status >= 300 && status < 400) {
      const location = headers.location ?? '(no Location)';
      settle(
        new NetError(
          'REDIRECT',
          `${url} answered ${status}, a redirect to ${location}; redirects are not followed: use the URL it names if you trust it`,
          { url, status, reason: location },
        ),
      );
      return;
    }
    const ok = status >= 200 && status < 300;
    // An error answer is read only for its problem body; a longer one is cut, not refused.
    const limit = ok ? bytesMax : PROBLEM_BYTES_MAX;
    const declared = Number(headers['content-length']);
    if (ok && declared > limit) {
      settle(
        new NetError('TOO_LARGE', `${url} declares ${declared} bytes, more than the ${limit} it can be`, {
          url,
        }),
      );
      return;
    }
    const chunks: Buffer[] = [];
    let length = 0;
    const answer = (): Answer => ({ status, headers, body: Buffer.concat(chunks, length) });
    response.on('data', (chunk: Buffer) => {
      if (length + chunk.length > limit) {
        if (ok) {
          settle(new NetError('TOO_LARGE', `${url} sent more than the ${limit} bytes it can be`, { url }));
        } else {
          settle(undefined, answer(), false);
        }
        return;
      }
      chunks.push(chunk);
      length += chunk.length;
    });
    response.on('end', () => settle(undefined, answer()));
    response.on('error', (error) => settle(connectionError(url, error)));
    response.on('close', () => {
      if (!response.complete)
        settle(
          new NetError(
            'UNREACHABLE',
            `${url} closed the connection before the end of its answer; try again`,
            {
              url,
              reason: 'ECONNRESET',
            },
          ),
        );
    });
  }
}

function decodeText(url: string, bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new NetError('MALFORMED_RESPONSE', `${url} answered text that is not UTF-8`, { url });
  }
}

function parseJson(url: string, bytes: Uint8Array): unknown {
  const text = decodeText(url, bytes);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new NetError('MALFORMED_JSON', `${url} answered malformed JSON (${(error as Error).message})`, {
      url,
      cause: error,
    });
  }
}
