// Reading a root's public API from the browser: GET only, a time limit, a size limit read off
// the stream (a misbehaving root cannot make the page hold an unbounded answer), no cookies,
// no redirects. Failures become a FetchError whose message a person can read.

/** A root that has not answered by then is shown as unreachable. */
export const ANSWER_TIMEOUT_MS = 4000;
/** Largest answer read, unless the caller allows more (the world chain, ledger pages). */
export const ANSWER_BYTES_MAX = 1024 * 1024;

export class FetchError extends Error {
  /**
   * @param {string} message
   * @param {number} [status] the HTTP status, when the root answered
   */
  constructor(message, status) {
    super(message);
    this.name = 'FetchError';
    this.status = status;
  }
}

/**
 * The body of a GET as text.
 * @param {string | URL} url
 * @param {{ timeoutMs?: number, bytesMax?: number }} [limits]
 * @returns {Promise<string>}
 */
export async function getText(url, limits = {}) {
  const timeoutMs = limits.timeoutMs ?? ANSWER_TIMEOUT_MS;
  const bytesMax = limits.bytesMax ?? ANSWER_BYTES_MAX;
  let response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      credentials: 'omit',
      redirect: 'error',
      cache: 'no-store',
    });
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === 'TimeoutError';
    throw new FetchError(
      timedOut ? `no answer within ${timeoutMs / 1000} s` : 'no answer (connection failed)',
    );
  }
  const text = await readBounded(response, bytesMax);
  if (!response.ok) {
    let code = '';
    try {
      code = String(JSON.parse(text).code ?? '');
    } catch {
      // not a JSON problem answer: the status says enough
    }
    throw new FetchError(`answered ${response.status}${code === '' ? '' : ` ${code}`}`, response.status);
  }
  return text;
}

/**
 * A GET's body parsed as JSON.
 * @template T
 * @param {string | URL} url
 * @param {{ timeoutMs?: number, bytesMax?: number }} [limits]
 * @returns {Promise<T>}
 */
export async function getJson(url, limits) {
  const text = await getText(url, limits);
  try {
    return JSON.parse(text);
  } catch {
    throw new FetchError('answered something that is not JSON');
  }
}

/**
 * @param {Response} response
 * @param {number} bytesMax
 */
async function readBounded(response, bytesMax) {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > bytesMax) {
      await reader.cancel();
      throw new FetchError(`answered more than ${bytesMax} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * A path on a root whose base URL comes from the world ("https://root.example.org/witan").
 * @param {string} base
 * @param {string} path relative, e.g. "status"
 */
export function rootUrl(base, path) {
  return new URL(path, base.endsWith('/') ? base : `${base}/`);
}
