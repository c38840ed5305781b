// Limits and defaults of the HTTP client that talks to roots. Each bounds what a slow, broken or
// hostile server could make a caller wait for or hold; the reason is next to it.

import { WITAN_VERSION } from '../base/index.ts';

/** DNS lookup and TCP handshake: a root that does not accept a connection by then is down for us. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** One request, from the first byte sent to the last body byte received (a slow drip counts). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

/** Tries of an idempotent request after network errors, timeouts and busy answers. */
export const DEFAULT_ATTEMPTS_MAX = 4;
/** Ceiling for any configured number of tries: retries multiply load on a struggling server. */
export const ATTEMPTS_MAX = 16;
/** First pause between tries; it doubles each try (with jitter) up to DEFAULT_BACKOFF_MAX_MS. */
export const DEFAULT_BACKOFF_MS = 250;
export const DEFAULT_BACKOFF_MAX_MS = 5_000;
/**
 * A server's Retry-After (RFC 9110 §10.2.3) is honoured up to this long. Roots shedding load ask
 * for 5 s; a longer request (or an HTTP-date far ahead) would hold the caller hostage.
 */
export const DEFAULT_RETRY_AFTER_MAX_MS = 10_000;

/** Statuses worth another try of an idempotent request: the server may answer later. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** An error answer is read this far for its `{ code, message }` problem body; the rest is dropped. */
export const PROBLEM_BYTES_MAX = 64 * 1024;
/** Characters of an error answer's body kept on the error (reports, logs). */
export const ERROR_BODY_CHARS_MAX = 512;

/** While parsing a long JSON array item by item, the event loop gets a turn after this many bytes. */
export const JSON_ITEMS_YIELD_BYTES = 256 * 1024;

/** Sent with every request, so that a root's operator can tell which software asks. */
export const USER_AGENT = `witan/${WITAN_VERSION} (node ${process.versions.node})`;
