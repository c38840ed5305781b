// The per-client rate limit of an HTTP listener: at most `requestsPerMinute` requests from one
// client in a minute that starts with its first request; beyond, 429 RATE_LIMITED with
// Retry-After (the seconds until that minute ends). An IPv6 client is its /64, an IPv4 client
// its address (also when it reaches a dual-stack listener as ::ffff:a.b.c.d).
//
// Our own small hook instead of @fastify/rate-limit: that one runs as an async hook (three
// promises per request), parses the address and builds the route's options on every request,
// and sets three x-ratelimit-* headers on every answer, which the docs never promised and no
// Witan client reads — all on the read path every overlay peer takes. Here a request costs a
// map lookup and a clock read; an answer within the limit carries no header of ours.

import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { parseIpv6 } from '../governance/index.ts';

export const RATE_LIMIT_WINDOW_MS = 60_000;
/**
 * Clients whose minute is remembered at once. Beyond, the client whose minute began first is
 * forgotten (and starts afresh at its next request): an attacker with more addresses than this
 * can only make the limit forget clients, never hold more memory.
 */
export const RATE_LIMIT_CLIENTS_MAX = 10_000;
/** IPv6 clients are counted by the first 64 bits (4 groups): a host or home is given a /64. */
export const IPV6_CLIENT_PREFIX_GROUPS = 4;
/**
 * Client keys remembered by what they are found from: an IPv6 peer (parsed once, not on each
 * request), or a peer and its X-Forwarded-For behind a trusted proxy (resolved once: fastify's
 * request.ip walks the header against the trusted ranges, about a microsecond a request, and
 * a proxy sends the same few pairs again and again). Emptied when it fills.
 */
export const CLIENT_KEYS_MEMO_MAX = 4_096;
/** A longer X-Forwarded-For is resolved on each request, so the memo's memory stays small. */
export const FORWARDED_FOR_MEMO_CHARS_MAX = 256;

const IPV4_MAPPED_PREFIX_GROUPS = 5;
const IPV4_MAPPED_MARK = 0xffff;

type Window = { startMs: number; requests: number };

/**
 * Requests counted per client within its current window, by the caller's clock. The map is
 * kept in the order the windows began, so the first entries are the first to expire or go.
 */
export class RequestWindows {
  readonly #requestsMax: number;
  readonly #windowMs: number;
  readonly #clientsMax: number;
  readonly #windows = new Map<string, Window>();

  constructor(o: { requestsMax: number; windowMs: number; clientsMax: number }) {
    if (!(Number.isInteger(o.requestsMax) && o.requestsMax >= 0))
      throw new RangeError(`requestsMax must be a whole number ≥ 0, not ${o.requestsMax}`);
    if (!(o.windowMs > 0)) throw new RangeError(`windowMs must be > 0, not ${o.windowMs}`);
    if (!(Number.isInteger(o.clientsMax) && o.clientsMax >= 1))
      throw new RangeError(`clientsMax must be a whole number ≥ 1, not ${o.clientsMax}`);
    this.#requestsMax = o.requestsMax;
    this.#windowMs = o.windowMs;
    this.#clientsMax = o.clientsMax;
  }

  /** Clients remembered now (at most clientsMax). */
  get size(): number {
    return this.#windows.size;
  }

  /**
   * Counts one request from `client` at `nowMs`. Returns 0 when it is within the limit, else
   * the ms until the client's window ends (> 0).
   */
  take(client: string, nowMs: number): number {
    let window = this.#windows.get(client);
    if (window === undefined || nowMs - window.startMs >= this.#windowMs) {
      if (window === undefined) this.#makeRoom(nowMs);
      else this.#windows.delete(client);
      window = { startMs: nowMs, requests: 0 };
      this.#windows.set(client, window);
    }
    window.requests++;
    if (window.requests <= this.#requestsMax) return 0;
    return Math.max(1, window.startMs + this.#windowMs - nowMs);
  }

  /** Drops the windows that ended, then, while still full, the one that began first. */
  #makeRoom(nowMs: number): void {
    for (const [client, window] of this.#windows) {
      const ended = nowMs - window.startMs >= this.#windowMs;
      if (!ended && this.#windows.size < this.#clientsMax) return;
      this.#windows.delete(client);
    }
  }
}

/**
 * The client an address counts as: an IPv4 address itself; an IPv6 address its /64 written
 * `a:b:c:d::/64`, or the IPv4 address it maps (::ffff:a.b.c.d). A string that is neither is
 * its own client.
 */
export function clientKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  const zone = ip.indexOf('%');
  const address = zone === -1 ? ip : ip.slice(0, zone);
  const groups = parseIpv6(address);
  if (groups === undefined) return ip.toLowerCase();
  if (groups.slice(0, IPV4_MAPPED_PREFIX_GROUPS).every((g) => g === 0) && groups[5] === IPV4_MAPPED_MARK) {
    const [high, low] = [groups[6]!, groups[7]!];
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  const prefix = groups.slice(0, IPV6_CLIENT_PREFIX_GROUPS).map((g) => g.toString(16));
  return `${prefix.join(':')}::/${IPV6_CLIENT_PREFIX_GROUPS * 16}`;
}

/**
 * The limit's answer for one request, shared by the fastify hook and the ready answers served
 * before fastify (ready-answers.ts), so both count against the same windows.
 */
export type ClientLimit = {
  /**
   * Counts one request from the TCP `peer` (with its X-Forwarded-For, `forwarded`, when the
   * server trusts a proxy) and returns 0 within the limit, else the ms to wait. `resolved`
   * gives fastify's request.ip, which walks X-Forwarded-For against the trusted ranges; without
   * it a client not yet remembered cannot be known: undefined, and nothing is counted.
   */
  take(
    peer: string,
    forwarded: string | undefined,
    resolved: { readonly ip: string } | undefined,
  ): number | undefined;
  readonly trustsProxy: boolean;
};

/** The X-Forwarded-For of a request: node joins repeated ones into one value. */
export function forwardedFor(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['x-forwarded-for'];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Adds the limit to `app` itself (not an encapsulated plugin), so every request is counted,
 * those to no route included. Install it after the hooks whose headers a 429 must carry (CORS).
 * `trustsProxy`: the server was built with trustProxy, so request.ip may be a forwarded client.
 */
export function installRateLimit(
  app: FastifyInstance,
  opts: { requestsPerMinute: number; trustsProxy: boolean },
): ClientLimit {
  const windows = new RequestWindows({
    requestsMax: opts.requestsPerMinute,
    windowMs: RATE_LIMIT_WINDOW_MS,
    clientsMax: RATE_LIMIT_CLIENTS_MAX,
  });
  const keys = new Map<string, string>();
  const remembered = (by: string, ip: string | undefined): string | undefined => {
    let key = keys.get(by);
    if (key === undefined && ip !== undefined) {
      if (keys.size >= CLIENT_KEYS_MEMO_MAX) keys.clear();
      key = clientKey(ip);
      keys.set(by, key);
    }
    return key;
  };
  // request.ip is the TCP peer, or behind a trusted proxy the client X-Forwarded-For names: a
  // function of those two alone (and of the trusted ranges, fixed), so they key the memo.
  const keyOf = (
    peer: string,
    forwarded: string | undefined,
    resolved: { readonly ip: string } | undefined,
  ): string | undefined => {
    if (forwarded === undefined) return peer.includes(':') ? remembered(peer, peer) : peer;
    if (forwarded.length > FORWARDED_FOR_MEMO_CHARS_MAX)
      return resolved === undefined ? undefined : clientKey(resolved.ip ?? '');
    return remembered(`${peer} ${forwarded}`, resolved === undefined ? undefined : (resolved.ip ?? ''));
  };
  const limit: ClientLimit = {
    trustsProxy: opts.trustsProxy,
    take(peer, forwarded, resolved) {
      const key = keyOf(peer, forwarded, resolved);
      return key === undefined ? undefined : windows.take(key, Date.now());
    },
  };
  // A callback hook: it runs on every request, and an async one costs a promise each time.
  app.addHook('onRequest', (request, reply, done) => {
    const forwarded = opts.trustsProxy ? forwardedFor(request.headers) : undefined;
    const waitMs = limit.take(request.socket.remoteAddress ?? '', forwarded, request) ?? 0;
    if (waitMs === 0) return done();
    const retryAfterS = Math.ceil(waitMs / 1000);
    reply
      .status(429)
      .header('retry-after', String(retryAfterS))
      .send({
        code: 'RATE_LIMITED',
        message: `more than ${opts.requestsPerMinute} requests per minute from your address; retry after ${retryAfterS} s`,
      });
  });
  return limit;
}
