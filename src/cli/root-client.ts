// A small HTTP client for a root's public API, used by the CLI and the devnet story.
// Bounded: every request has a timeout and a response size cap; every failure becomes a
// CliError that names the root and says what to try.

import { CliError, EXIT_REJECTED, EXIT_UNAVAILABLE } from './errors.ts';

export const ROOT_REQUEST_TIMEOUT_MS = 10_000;
export const ROOT_RESPONSE_BYTES_MAX = 16 * 1024 * 1024;

/** Attempts for a request a busy root refused (503 load shedding, 429 rate limit). */
export const ROOT_BUSY_RETRIES = 5;
export const ROOT_BUSY_PAUSE_MS = 500;

class BusyError extends Error {
  readonly cliError: CliError;
  constructor(cliError: CliError) {
    super(cliError.message);
    this.cliError = cliError;
  }
}

export class RootClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;

  constructor(baseUrl: string, timeoutMs = ROOT_REQUEST_TIMEOUT_MS) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new CliError(3, `--root ${baseUrl}: not a URL; use e.g. http://127.0.0.1:8480`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new CliError(3, `--root ${baseUrl}: use an http:// or https:// URL`);
    }
    this.baseUrl = url.href.replace(/\/$/, '');
    this.timeoutMs = timeoutMs;
  }

  async text(path: string): Promise<string> {
    const res = await this.#request(path, { method: 'GET' });
    return res;
  }

  async get<T>(path: string): Promise<T> {
    return JSON.parse(
      await this.#request(path, { method: 'GET', headers: { accept: 'application/json' } }),
    ) as T;
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    const text = await this.#request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    return JSON.parse(text) as T;
  }

  /** A root shedding load (503) or rate-limiting (429) is asked again, a few times, after a pause. */
  async #request(path: string, init: RequestInit): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#once(path, init);
      } catch (err) {
        if (!(err instanceof BusyError) || attempt >= ROOT_BUSY_RETRIES)
          throw err instanceof BusyError ? err.cliError : err;
        await new Promise((r) => setTimeout(r, ROOT_BUSY_PAUSE_MS * attempt));
      }
    }
  }

  async #once(path: string, init: RequestInit): Promise<string> {
    const url = `${this.baseUrl}${path}`;
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new CliError(
        EXIT_UNAVAILABLE,
        `cannot reach the root at ${this.baseUrl} (${cause}): is it running? Check the URL or pass another with --root.`,
      );
    }
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > ROOT_RESPONSE_BYTES_MAX) {
      throw new CliError(
        EXIT_UNAVAILABLE,
        `${url} answered ${length} bytes, more than ${ROOT_RESPONSE_BYTES_MAX}`,
      );
    }
    const text = await res.text();
    if (res.ok) return text;
    let problem: { code?: string; message?: string } = {};
    try {
      problem = JSON.parse(text) as typeof problem;
    } catch {
      // not our error shape
    }
    const what = problem.message ?? `HTTP ${res.status}`;
    const code = problem.code ? ` [${problem.code}]` : '';
    if (res.status >= 400 && res.status < 500 && res.status !== 429) {
      throw new CliError(EXIT_REJECTED, `${what}${code}`);
    }
    throw new CliError(
      EXIT_UNAVAILABLE,
      `the root at ${this.baseUrl} failed: ${what}${code}; try again or another root`,
    );
  }
}
