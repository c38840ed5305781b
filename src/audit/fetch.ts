// A bounded HTTP client for reading roots (C2SP tlog-tiles §"Serving": GET /checkpoint,
// /tile/<L>/<N>[.p/<W>], /tile/entries/<N>[.p/<W>]) with Node's built-in fetch (undici).
// Every response has a size cap chosen for what it carries, every request a timeout; network
// errors, timeouts and 5xx are retried with bounded exponential backoff, 4xx are final.

import { formatTilePath, TILE_BYTES_FULL } from '../ledger/index.ts';
import {
  BACKOFF_MAX_MS,
  BUNDLE_BYTES_MAX,
  CHECKPOINT_BYTES_MAX,
  DEFAULT_ATTEMPTS_MAX,
  DEFAULT_BACKOFF_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  JSON_BYTES_MAX,
  REPLY_BYTES_MAX,
} from './constants.ts';
import { AuditError } from './errors.ts';

export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

export type HttpClientOptions = {
  timeoutMs?: number;
  attemptsMax?: number;
  backoffMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: FetchFunction;
  /** Called with the bytes of every response body read (progress and statistics). */
  onBytes?: (bytes: number) => void;
};

export type HttpReply = { status: number; body: Uint8Array; contentType: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads a body without ever holding more than `bytesMax` bytes of it. */
async function readBounded(response: Response, bytesMax: number, url: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > bytesMax) {
    await response.body?.cancel();
    throw new AuditError('TOO_LARGE', `${url} declares ${declared} bytes, more than the ${bytesMax} allowed`);
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > bytesMax) {
      await reader.cancel();
      throw new AuditError('TOO_LARGE', `${url} sent more than the ${bytesMax} bytes allowed`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function retryable(error: unknown): boolean {
  return error instanceof AuditError ? error.code === 'TIMEOUT' || error.code === 'UNREACHABLE' : true;
}

export class HttpClient {
  readonly #timeoutMs: number;
  readonly #attemptsMax: number;
  readonly #backoffMs: number;
  readonly #fetch: FetchFunction;
  readonly #onBytes: ((bytes: number) => void) | undefined;

  constructor(options: HttpClientOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#attemptsMax = options.attemptsMax ?? DEFAULT_ATTEMPTS_MAX;
    this.#backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#onBytes = options.onBytes;
    if (!(this.#attemptsMax >= 1 && this.#attemptsMax <= 16)) {
      throw new AuditError('BAD_ARGUMENT', 'attemptsMax must be 1..16');
    }
  }

  /** One request with retries. Resolves with any status below 500; 5xx after the last try is an error. */
  async request(url: string, init: RequestInit, bytesMax: number): Promise<HttpReply> {
    let lastError: unknown;
    for (let attempt = 0; attempt < this.#attemptsMax; attempt++) {
      if (attempt > 0) await sleep(Math.min(BACKOFF_MAX_MS, this.#backoffMs * 2 ** (attempt - 1)));
      try {
        const reply = await this.#once(url, init, bytesMax);
        if (reply.status >= 500) {
          lastError = new AuditError('HTTP_STATUS', `${url} answered ${reply.status}`);
          continue;
        }
        return reply;
      } catch (error) {
        lastError = error;
        if (!retryable(error)) throw error;
      }
    }
    throw lastError instanceof AuditError
      ? lastError
      : new AuditError('UNREACHABLE', `${url}: ${String(lastError)}`, { cause: lastError });
  }

  async #once(url: string, init: RequestInit, bytesMax: number): Promise<HttpReply> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      const response = await this.#fetch(url, { ...init, signal, redirect: 'error' });
      const body = await readBounded(response, bytesMax, url);
      this.#onBytes?.(body.length);
      return { status: response.status, body, contentType: response.headers.get('content-type') ?? '' };
    } catch (error) {
      if (error instanceof AuditError) throw error;
      if (signal.aborted) {
        throw new AuditError('TIMEOUT', `${url} did not answer within ${this.#timeoutMs} ms`, {
          cause: error,
        });
      }
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
      throw new AuditError('UNREACHABLE', `${url} is unreachable (${cause}); check the URL and the network`, {
        cause: error,
      });
    }
  }

  /** GET that must answer 200; anything else is HTTP_STATUS. */
  async getBytes(url: string, bytesMax: number): Promise<Uint8Array> {
    const reply = await this.request(url, { method: 'GET' }, bytesMax);
    if (reply.status !== 200) throw new AuditError('HTTP_STATUS', `${url} answered ${reply.status}, not 200`);
    return reply.body;
  }

  async getText(url: string, bytesMax: number): Promise<string> {
    const bytes = await this.getBytes(url, bytesMax);
    try {
      return utf8.decode(bytes);
    } catch {
      throw new AuditError('BAD_RESPONSE', `${url} is not valid UTF-8`);
    }
  }

  async getJson(url: string, bytesMax = JSON_BYTES_MAX): Promise<unknown> {
    const text = await this.getText(url, bytesMax);
    try {
      return JSON.parse(text);
    } catch {
      throw new AuditError('BAD_RESPONSE', `${url} is not JSON`);
    }
  }

  /** POST a text body; returns the reply whatever its status below 500. */
  postText(url: string, body: string, bytesMax = REPLY_BYTES_MAX): Promise<HttpReply> {
    return this.request(
      url,
      { method: 'POST', body, headers: { 'content-type': 'text/plain; charset=utf-8' } },
      bytesMax,
    );
  }
}

/** Base URL without a trailing slash; refuses anything but http(s) URLs. */
export function normalizeRootUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AuditError(
      'BAD_ARGUMENT',
      `${JSON.stringify(url)} is not a URL; give roots as http(s)://host:port`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AuditError('BAD_ARGUMENT', `${url}: only http and https roots can be audited`);
  }
  return parsed.href.replace(/\/+$/, '');
}

/** Reads one root's C2SP objects, each with its own cap. */
export class RootClient {
  readonly url: string;
  readonly http: HttpClient;

  constructor(url: string, http: HttpClient) {
    this.url = normalizeRootUrl(url);
    this.http = http;
  }

  checkpoint(): Promise<string> {
    return this.http.getText(`${this.url}/checkpoint`, CHECKPOINT_BYTES_MAX);
  }

  async tile(level: number, index: number, width: number): Promise<Uint8Array> {
    const url = `${this.url}/${formatTilePath({ level, index, width })}`;
    const bytes = await this.http.getBytes(url, TILE_BYTES_FULL);
    if (bytes.length !== width * 32) {
      throw new AuditError('BAD_RESPONSE', `${url} has ${bytes.length} bytes, expected ${width * 32}`);
    }
    return bytes;
  }

  bundle(index: number, width: number): Promise<Uint8Array> {
    return this.http.getBytes(
      `${this.url}/${formatTilePath({ level: 'entries', index, width })}`,
      BUNDLE_BYTES_MAX,
    );
  }

  world(): Promise<unknown> {
    return this.http.getJson(`${this.url}/world`);
  }

  addCheckpoint(body: string): Promise<HttpReply> {
    return this.http.postText(`${this.url}/ledger/add-checkpoint`, body);
  }
}
