// Ready answers: the hottest reads of a root's public API — GET /world, /checkpoint, and the
// tiles and entry bundles in the ledger's ready cache — answered from the node:http request
// handler itself, before fastify sees the request; every other request goes to fastify
// unchanged.
//
// Why: measured under wrk, fastify's own per-request work (request and reply objects, the
// hooks pipeline, about 10 KB allocated per request) costs a GET about 2 µs of user and 1.5 µs
// of system time more than a plain node:http answer, and a root's larger heap makes every
// young-generation collection of that garbage dearer still. A ready answer costs a map lookup,
// the same policy checks, and one writeHead + end with headers prepared once per content
// version.
//
// Same answer, same policy. A route registers a source that returns the very answer object
// its handler sends (status, headers, body), so the bytes cannot drift apart; this module adds
// what the hooks would add (read-only CORS first, content-length last — the order fastify
// writes them) and node adds Date and Connection to both alike. Before answering it asks the
// same load shedding and the same rate limit windows as the fastify hooks, and counts the
// answer in the same HTTP metrics under the route's pattern. Whatever it does not answer
// exactly as fastify would goes to fastify: another method, a query string, a request header
// outside READ_HEADER_NAMES (a Range, an Upgrade, a body), a source with no ready answer (not
// cached yet, nothing published), a client the rate limit cannot name without fastify (behind
// a trusted proxy, not yet remembered), a refusal (429 or 503: fastify counts and answers it),
// a HEAD whose answer has no body, or a server that is closing (fastify answers 503).

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { HttpTallies } from './http-metrics.ts';
import type { LoadShedding } from './load-shedding.ts';
import { type ClientLimit, forwardedFor } from './rate-limit.ts';

/**
 * Request headers that change no ready answer: any other one sends the request to fastify.
 * If-None-Match is read by the sources that answer it (GET /world) and ignored, as by their
 * routes, by the others; the API never compresses, so Accept-Encoding changes nothing.
 */
export const READ_HEADER_NAMES: ReadonlySet<string> = new Set([
  'host',
  'user-agent',
  'accept',
  'accept-encoding',
  'accept-language',
  'connection',
  'cache-control',
  'pragma',
  'origin',
  'referer',
  'if-none-match',
  'x-forwarded-for',
  'x-forwarded-proto',
]);
/** Sources one server holds: one per hot read path or path prefix, a handful. */
export const READY_SOURCES_MAX = 16;

/**
 * An answer made once per content version and sent as is, by its route and from here alike:
 * no body for a 304.
 */
export type ReadyAnswer = {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | undefined;
};

/**
 * The answer the route would send now to a GET of `path` (without query) with these request
 * headers, or undefined when the route must answer itself. What it throws sends the request
 * to the route, which answers the same error its own way.
 */
export type ReadySource = (path: string, headers: IncomingHttpHeaders) => ReadyAnswer | undefined;

type Registered = { route: string; source: ReadySource };
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
/** What the fastify hooks enforce, asked before any ready answer is sent. */
export type ReadyPolicy = {
  shedding: LoadShedding;
  limit: ClientLimit;
  /** The HTTP metrics, when the server keeps them. */
  tallies: HttpTallies | undefined;
  /** The headers read-only CORS puts on every GET and HEAD answer (none when it is off). */
  corsHeaders: Readonly<Record<string, string>>;
};

const DECORATOR = 'readyAnswers';

export class ReadyAnswers {
  readonly #exact = new Map<string, Registered>();
  readonly #prefixes: (Registered & { prefix: string })[] = [];
  /** The wire headers of each answer, made at its first send; they live as long as it does. */
  readonly #wire = new WeakMap<ReadyAnswer, string[]>();
  #policy: ReadyPolicy | undefined;
  #closing = false;

  /** Starts answering: until then, and once closing, every request goes to fastify. */
  enforce(policy: ReadyPolicy): void {
    this.#policy = policy;
  }

  close(): void {
    this.#closing = true;
  }

  /** Answers GET and HEAD of exactly `path`, which is also its metrics label (the route's pattern). */
  exact(path: string, source: ReadySource): void {
    this.#room();
    this.#exact.set(path, { route: path, source });
  }

  /** Answers GET and HEAD of the paths under `prefix` the source knows; `route`: its pattern. */
  under(prefix: string, route: string, source: ReadySource): void {
    this.#room();
    this.#prefixes.push({ prefix, route, source });
  }

  /** The node:http request handler: a ready answer, or `fastify` (its own handler). */
  handler(fastify: Handler): Handler {
    return (req, res) => {
      if (!this.#answer(req, res)) fastify(req, res);
    };
  }

  /** Sends the ready answer to `req` and says so, or sends nothing and leaves it to fastify. */
  #answer(req: IncomingMessage, res: ServerResponse): boolean {
    const policy = this.#policy;
    if (policy === undefined || this.#closing || (req.method !== 'GET' && req.method !== 'HEAD'))
      return false;
    const path = req.url ?? '';
    const registered = this.#exact.get(path) ?? this.#prefixed(path);
    if (registered === undefined) return false;
    const started = performance.now();
    const headers = req.headers;
    for (const name in headers) if (!READ_HEADER_NAMES.has(name)) return false;
    if (policy.shedding.shedding()) return false;
    let answer: ReadyAnswer | undefined;
    try {
      answer = registered.source(path, headers);
    } catch {
      return false;
    }
    // Fastify's HEAD route says content-length: 0 for a bodiless answer (a 304), its GET none.
    if (answer === undefined || (answer.body === undefined && req.method === 'HEAD')) return false;
    // Counted once here; a refused request is counted again by fastify's hook, which changes
    // nothing: its window is already past the limit, and the wait is from the window's start.
    const forwarded = policy.limit.trustsProxy ? forwardedFor(headers) : undefined;
    if (policy.limit.take(req.socket.remoteAddress ?? '', forwarded, undefined) !== 0) return false;
    res.writeHead(answer.status, this.#wireHeaders(answer, policy));
    res.end(answer.body);
    policy.tallies?.record(registered.route, answer.status, (performance.now() - started) / 1000);
    return true;
  }

  #prefixed(path: string): Registered | undefined {
    for (const p of this.#prefixes) if (path.startsWith(p.prefix)) return p;
    return undefined;
  }

  /** CORS first (its hook runs first), the route's headers, content-length last, as fastify writes them. */
  #wireHeaders(answer: ReadyAnswer, policy: ReadyPolicy): string[] {
    let wire = this.#wire.get(answer);
    if (wire === undefined) {
      wire = [];
      for (const [name, value] of Object.entries({ ...policy.corsHeaders, ...answer.headers }))
        wire.push(name, value);
      if (answer.body !== undefined) wire.push('content-length', String(answer.body.length));
      this.#wire.set(answer, wire);
    }
    return wire;
  }

  #room(): void {
    if (this.#exact.size + this.#prefixes.length >= READY_SOURCES_MAX)
      throw new RangeError(`at most ${READY_SOURCES_MAX} ready sources per server`);
  }

  /** Makes the answers reachable from the route plugins registered in `app`. */
  decorate(app: FastifyInstance): void {
    app.decorate<ReadyAnswers>(DECORATOR, this);
  }
}

/**
 * The ready answers of the server `app` belongs to, with paths made absolute by the plugin's
 * prefix; undefined when the server answers everything through fastify.
 */
export function readyAnswersOf(
  app: FastifyInstance,
):
  | { exact(path: string, source: ReadySource): void; under(prefix: string, source: ReadySource): void }
  | undefined {
  if (!app.hasDecorator(DECORATOR)) return undefined;
  const answers = app.getDecorator<ReadyAnswers>(DECORATOR);
  return {
    exact: (path, source) => answers.exact(`${app.prefix}${path}`, source),
    under: (prefix, source) => answers.under(`${app.prefix}${prefix}`, `${app.prefix}${prefix}*`, source),
  };
}
