// The HTTP edge of a root (fastify). build() is separate from listen() so tests drive the
// same server through inject(). Every route group is an encapsulated plugin registered by
// the caller; this file owns what all routes share: body limits, per-IP rate limits, load
// shedding, the error shape, read-only CORS, OpenAPI at /docs and request metrics.

import { createServer, type Server } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyHttpOptions,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import packageJson from '../../package.json' with { type: 'json' };
import { installReadOnlyCors, readOnlyCorsHeaders } from './cors.ts';
import { DeferredLogger } from './deferred-logger.ts';
import { statusFor } from './errors.ts';
import { installHttpMetrics } from './http-metrics.ts';
import { installLoadShedding } from './load-shedding.ts';
import { installRateLimit } from './rate-limit.ts';
import { ReadyAnswers } from './ready-answers.ts';

/** Characters of a request URL quoted in a log line or an answer (the caller chooses the URL). */
export const URL_QUOTED_CHARS_MAX = 200;
/**
 * How often node's HTTP server looks for requests past their headers or request timeout. Its
 * default (30 s) let a client that drips bytes hold a connection 32–64 s against a 10 s
 * setting; each look walks the open connections, which is cheap at a few thousand.
 */
export const HTTP_TIMEOUT_CHECK_INTERVAL_MS = 500;

export type ApiServerOptions = {
  /** Where failed requests (5xx) are logged; request lines stay off either way. */
  logger?: Logger | false;
  bodyBytesMax: number;
  requestsPerMinute: number;
  /**
   * A request must arrive whole (headers and body) within this; an idle connection, kept alive
   * between requests or silent from the start, is closed after it too.
   */
  requestTimeoutMs: number;
  eventLoopDelayMaxMs: number;
  /** Connections served at once (server.maxConnections); further ones are closed at once. */
  connectionsMax?: number;
  /**
   * Proxies (addresses or CIDRs) whose X-Forwarded-For names the client, so rate limits count
   * real clients behind a TLS proxy; omitted or empty: the TCP peer is the client.
   */
  trustProxy?: readonly string[];
  /** Registry for HTTP metrics; omit to skip them (tests of single routes). */
  metrics?: Registry;
  /** Title shown in the OpenAPI document (its version is the package's). */
  title?: string;
  /** Serve OpenAPI at /docs (off for the operator-only listener). */
  docs?: boolean;
  /** Let any web page read GET/HEAD answers (cors.ts): on for the public API, off for the operator's. */
  readOnlyCors?: boolean;
  /**
   * Answer the hot reads the routes make ready (/world, /checkpoint, cached tiles) before
   * fastify (ready-answers.ts); default on. Off: fastify answers every request.
   */
  readyAnswers?: boolean;
};

/** The groups of operations in the OpenAPI document; every route names one. */
export const API_TAGS = [
  { name: 'world', description: 'The world in force, its members, and the chain of worlds since genesis' },
  {
    name: 'motions',
    description: 'Proposed world changes: their words, diffs, ballots, tallies and outcomes',
  },
  { name: 'statements', description: 'Signed statements: submit one, see where it is' },
  {
    name: 'ledger',
    description: 'The ledger: C2SP tlog-tiles, checkpoints, entries and proofs (ledger/LEDGER.md)',
  },
  { name: 'consensus', description: 'Committed decisions for catch-up, and equivocation seen' },
  { name: 'status', description: "This root's health and view of the federation" },
  {
    name: 'federation',
    description: 'The federation key: its DKG ceremony, the worlds it signed, and the ZeroTier planets',
  },
];

export async function buildApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const trustedProxies = options.trustProxy ?? [];
  const trustsProxy = trustedProxies.length > 0;
  const answers = options.readyAnswers === false ? undefined : new ReadyAnswers();
  // Headers and body within requestTimeoutMs, checked often enough to cut a slow client on
  // time; a connection idle that long (before its first request, between two, or not reading
  // an answer) is closed: the connection's inactivity timeout (keep-alive: see below).
  const http = {
    headersTimeout: options.requestTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    connectionsCheckingInterval: HTTP_TIMEOUT_CHECK_INTERVAL_MS,
  };
  const fastifyOptions: FastifyHttpOptions<Server> = {
    bodyLimit: options.bodyBytesMax,
    requestTimeout: options.requestTimeoutMs,
    connectionTimeout: options.requestTimeoutMs,
    http,
    ...(trustsProxy ? { trustProxy: [...trustedProxies] } : {}),
    // Tile paths are case-sensitive and exact; never rewrite them.
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 200 },
    ...(options.logger
      ? {
          // Each request's child logger is made when the request first logs (deferred-logger.ts).
          loggerInstance: DeferredLogger.over(options.logger),
        }
      : { logger: false }),
    // Per-request lines are off: the root logs events an operator acts on, metrics count requests.
    logController: new LogController({ disableRequestLogging: true }),
  };
  // A URL fastify cannot route (bad escape, a parameter too long) is refused before any hook
  // runs: the answer gets the same shape, and the same CORS headers, as every other one.
  fastifyOptions.frameworkErrors = (error, request, reply) => {
    if (options.readOnlyCors === true) reply.headers(readOnlyCorsHeaders(request.method));
    sendProblem(error, request, reply);
  };
  // The ready answers come first: the server is made here, set as fastify sets the one it
  // makes itself (the inactivity timeout; the rest is in `http`).
  if (answers !== undefined) {
    fastifyOptions.serverFactory = (handler) => {
      const server = createServer(http, answers.handler(handler));
      server.setTimeout(options.requestTimeoutMs);
      return server;
    };
  }
  const app = Fastify(fastifyOptions).withTypeProvider<TypeBoxTypeProvider>();
  if (options.connectionsMax !== undefined) app.server.maxConnections = options.connectionsMax;
  // No keep-alive timeout of its own: the inactivity timeout (connectionTimeout) closes an idle
  // kept-alive connection too. Node's keepAliveTimeout would re-arm the socket's timer twice on
  // every request, a few per cent of a GET's CPU, for a Keep-Alive header that only advises
  // clients. Set on the server: fastify reads a keepAliveTimeout of 0 as "use the default".
  app.server.keepAliveTimeout = 0;

  app.setErrorHandler(sendProblem);
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      code: 'NOT_FOUND',
      message: `no route ${request.method} ${request.url.slice(0, URL_QUOTED_CHARS_MAX)}`,
    });
  });

  // CORS first: load shedding and the rate limit answer from their own onRequest hooks.
  if (options.readOnlyCors === true) installReadOnlyCors(app);
  const shedding = installLoadShedding(app, { eventLoopDelayMaxMs: options.eventLoopDelayMaxMs });
  const limit = installRateLimit(app, { requestsPerMinute: options.requestsPerMinute, trustsProxy });

  if (options.docs !== false) {
    await app.register(swagger, {
      openapi: {
        info: {
          title: options.title ?? 'Witan root API',
          version: packageJson.version,
          description:
            'A Witan root: the world and its chain, motions and ballots, statement submission, the ledger as C2SP tlog-tiles. Every error is { code, message }; any route may answer 429 (rate limited) and 503 (shedding load), both with Retry-After.',
        },
        tags: API_TAGS,
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  }

  const tallies = options.metrics ? installHttpMetrics(app, options.metrics) : undefined;
  if (answers !== undefined) {
    answers.decorate(app);
    answers.enforce({
      shedding,
      limit,
      tallies,
      corsHeaders: options.readOnlyCors === true ? readOnlyCorsHeaders('GET') : {},
    });
    // Fastify answers 503 from here on; the ready answers leave every request to it.
    app.addHook('preClose', (done) => {
      answers.close();
      done();
    });
  }
  return app;
}

/** The { code, message } answer to an error, logged with its request when it is the root's fault. */
function sendProblem(thrown: Error, request: FastifyRequest, reply: FastifyReply): void {
  const err = thrown as Error & { code?: unknown; statusCode?: unknown };
  const status = statusFor(err);
  const code = typeof err.code === 'string' ? err.code.replace(/^FST_ERR_/, 'HTTP_') : 'INTERNAL';
  // The answer tells the client the details are in the root's log: put them there, with the
  // request id (bound to request.log), so an operator can match the two.
  if (status >= 500) {
    request.log.error(
      { err, method: request.method, url: request.url.slice(0, URL_QUOTED_CHARS_MAX) },
      'request failed',
    );
  }
  reply.status(status).send({
    code: status === 500 ? 'INTERNAL' : code,
    message: status === 500 ? 'internal error; the operator can find details in the root log' : err.message,
  });
}
