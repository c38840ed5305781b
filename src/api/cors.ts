// CORS for the read-only half of a root's public API: any web page may read what the root
// publishes (the dashboard of one root reads every other root's /status, /checkpoint and
// ledger straight from the browser), and no page may read the answer to a write.
//
// `Access-Control-Allow-Origin: *` goes on GET and HEAD answers only — successes and errors
// alike, those sent before any route runs included (rate limit, load shedding, a URL fastify
// cannot route), so a page can tell "not found" or "slow down" from "unreachable". A write's
// answer never carries it, whatever refused the write (a body too large or not JSON too).
// Nothing here answers a preflight (OPTIONS): a browser sends one only for a write or for a
// read with headers of its own, and both stay same-origin. Credentials are never allowed (`*` forbids them), and nothing a root
// serves depends on cookies or an Authorization header anyway.

import type { FastifyInstance } from 'fastify';

/** The methods that never change anything on a root; only their answers may be read cross-origin. */
export const CORS_READ_METHODS: readonly string[] = ['GET', 'HEAD'];

const READ_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'access-control-allow-origin': '*' });
const WRITE_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The CORS headers of every answer to `method`, whoever sends it — a route, the error handler,
 * load shedding, the rate limit, or fastify refusing a URL before any hook: `*` for a read,
 * nothing for a write. The one place that decides them.
 */
export function readOnlyCorsHeaders(method: string): Readonly<Record<string, string>> {
  return CORS_READ_METHODS.includes(method) ? READ_HEADERS : WRITE_HEADERS;
}

/**
 * Adds the hook to `app` itself (not an encapsulated plugin), so every route is covered. It
 * must be the first onRequest hook: load shedding (503) and the rate limit (429) answer from
 * theirs, and an answer sent there carries only the headers set before it.
 */
export function installReadOnlyCors(app: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every request, and an async hook costs a
  // promise and a turn of the microtask queue each time. The header is set before the handler
  // runs, so every answer to a read carries it, errors included.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(readOnlyCorsHeaders(request.method));
    done();
  });
}
