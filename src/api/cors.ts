// CORS for the read-only half of a root's public API: any web page may read what the root
// publishes (the dashboard of one root reads every other root's /status, /checkpoint and
// ledger straight from the browser), and no page may read the answer to a write.
//
// `Access-Control-Allow-Origin: *` goes on GET and HEAD answers only — successes and errors
// alike, so a page can tell "not found" from "unreachable". Nothing here answers a preflight
// (OPTIONS): a browser sends one only for a write or for a read with headers of its own, and
// both stay same-origin. Credentials are never allowed (`*` forbids them), and nothing a root
// serves depends on cookies or an Authorization header anyway.

import type { FastifyInstance } from 'fastify';

/** The methods that never change anything on a root; only their answers may be read cross-origin. */
export const CORS_READ_METHODS: readonly string[] = ['GET', 'HEAD'];

/** Adds the hook to `app` itself (not an encapsulated plugin), so every route is covered. */
export function installReadOnlyCors(app: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every request, and an async hook costs a
  // promise and a turn of the microtask queue each time. The header is set before the handler
  // runs, so every answer to a read carries it, errors included.
  app.addHook('onRequest', (request, reply, done) => {
    if (CORS_READ_METHODS.includes(request.method)) reply.header('access-control-allow-origin', '*');
    done();
  });
}
