// The per-client rate limit (src/api/rate-limit.ts): the window arithmetic against a given clock,
// its memory bound, what an address counts as, and the answers through fastify.inject().

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import fc from 'fast-check';
import {
  clientKey,
  FORWARDED_FOR_MEMO_CHARS_MAX,
  RATE_LIMIT_WINDOW_MS,
  RequestWindows,
} from '../../src/api/rate-limit.ts';
import { buildApiServer } from '../../src/api/server.ts';
import { TEST_SERVER_OPTIONS } from './server-options.ts';

const WINDOW_MS = 60_000;

/** A server allowing two requests a minute per client, serving GET /x; closed after the test. */
async function limitedServer(t: TestContext, options: { trustProxy?: string[] } = {}) {
  const app = await buildApiServer({ ...TEST_SERVER_OPTIONS, requestsPerMinute: 2, ...options });
  t.after(() => app.close());
  app.get('/x', async () => ({ ok: true }));
  return app;
}

test('a client gets requestsMax requests in its window, then the ms until the window ends', () => {
  const windows = new RequestWindows({ requestsMax: 3, windowMs: WINDOW_MS, clientsMax: 10 });
  assert.deepEqual(
    [0, 1_000, 2_000, 15_000, 59_999].map((t) => windows.take('a', 1_000_000 + t)),
    [0, 0, 0, 45_000, 1],
  );
  // Another client has a window of its own.
  assert.equal(windows.take('b', 1_000_000 + 15_000), 0);
  // The window ends a minute after it began: a new one starts with that request.
  assert.equal(windows.take('a', 1_000_000 + WINDOW_MS), 0);
  assert.equal(windows.take('a', 1_000_000 + WINDOW_MS + 1), 0);
  assert.equal(windows.take('a', 1_000_000 + WINDOW_MS + 2), 0);
  assert.equal(windows.take('a', 1_000_000 + WINDOW_MS + 3), WINDOW_MS - 3);
});

test('at most clientsMax clients are remembered: ended windows go first, then the oldest', () => {
  const windows = new RequestWindows({ requestsMax: 1, windowMs: WINDOW_MS, clientsMax: 3 });
  windows.take('a', 0);
  windows.take('b', 10);
  windows.take('c', 20);
  assert.equal(windows.size, 3);
  // Full: the client whose window began first is forgotten, and may ask again.
  windows.take('d', 30);
  assert.equal(windows.size, 3);
  assert.equal(windows.take('a', 40), 0);
  // b was the oldest then; c and d are still limited.
  assert.ok(windows.take('c', 50) > 0);
  assert.ok(windows.take('d', 50) > 0);
  // Once every window has ended, a new client clears them all.
  windows.take('e', 20 + WINDOW_MS + 40);
  assert.equal(windows.size, 1);
});

/** Steps of a run: which client asks, and how long after the previous request. */
const runs = (clients: number) =>
  fc.array(fc.tuple(fc.integer({ min: 0, max: clients - 1 }), fc.integer({ min: 0, max: 6_000 })), {
    maxLength: 200,
  });

test('with room for every client, each answer is what a window per client says', () => {
  const [requestsMax, windowMs] = [3, 10_000];
  fc.assert(
    fc.property(runs(4), (steps) => {
      const windows = new RequestWindows({ requestsMax, windowMs, clientsMax: 4 });
      const model = new Map<number, { startMs: number; requests: number }>();
      let nowMs = 0;
      for (const [client, advanceMs] of steps) {
        nowMs += advanceMs;
        let w = model.get(client);
        if (w === undefined || nowMs - w.startMs >= windowMs) {
          w = { startMs: nowMs, requests: 0 };
          model.set(client, w);
        }
        w.requests++;
        const expected = w.requests <= requestsMax ? 0 : Math.max(1, w.startMs + windowMs - nowMs);
        assert.equal(windows.take(`c${client}`, nowMs), expected);
      }
    }),
  );
});

test('with more clients than room, memory stays within clientsMax and every wait within a window', () => {
  const windowMs = 10_000;
  fc.assert(
    fc.property(runs(9), (steps) => {
      const windows = new RequestWindows({ requestsMax: 2, windowMs, clientsMax: 4 });
      let nowMs = 0;
      for (const [client, advanceMs] of steps) {
        nowMs += advanceMs;
        const waitMs = windows.take(`c${client}`, nowMs);
        assert.ok(waitMs >= 0 && waitMs <= windowMs, `wait ${waitMs}`);
        assert.ok(windows.size <= 4);
      }
    }),
  );
});

test('an address counts as its client: IPv4 itself, IPv6 its /64, a mapped IPv4 the IPv4 address', () => {
  assert.equal(clientKey('198.51.100.7'), '198.51.100.7');
  assert.equal(clientKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  // Every address of a /64 is one client, however it is written.
  for (const same of ['2001:DB8:1:2::9', '2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::1%eth0'])
    assert.equal(clientKey(same), '2001:db8:1:2::/64', same);
  assert.notEqual(clientKey('2001:db8:1:3::1'), clientKey('2001:db8:1:2::1'));
  assert.equal(clientKey('::1'), '0:0:0:0::/64');
  assert.equal(clientKey('::ffff:198.51.100.7'), '198.51.100.7');
  assert.equal(clientKey('::FFFF:c633:6407'), '198.51.100.7');
  // Not an address (a proxy may forward anything): its own client, case folded.
  assert.equal(clientKey('Not:An:Address'), 'not:an:address');
});

test('over the limit: 429 RATE_LIMITED with Retry-After; answers within it carry no rate-limit headers', async (t) => {
  const app = await limitedServer(t);
  const first = await app.inject('/x');
  assert.equal(first.statusCode, 200);
  assert.deepEqual(
    Object.keys(first.headers).filter((h) => h.includes('ratelimit') || h === 'retry-after'),
    [],
  );
  // A path no route serves counts too.
  assert.equal((await app.inject('/nowhere')).statusCode, 404);
  const limited = await app.inject('/x');
  assert.equal(limited.statusCode, 429);
  const retryAfterS = Number(limited.headers['retry-after']);
  assert.ok(retryAfterS >= 1 && retryAfterS <= RATE_LIMIT_WINDOW_MS / 1000, `retry-after ${retryAfterS}`);
  assert.deepEqual(limited.json(), {
    code: 'RATE_LIMITED',
    message: `more than 2 requests per minute from your address; retry after ${retryAfterS} s`,
  });
});

test('behind a trusted proxy each forwarded client has its own limit, however the header is written', async (t) => {
  const app = await limitedServer(t, { trustProxy: ['127.0.0.1'] });
  const ask = async (remoteAddress: string, forwardedFor?: string) =>
    (
      await app.inject({
        url: '/x',
        remoteAddress,
        ...(forwardedFor === undefined ? {} : { headers: { 'x-forwarded-for': forwardedFor } }),
      })
    ).statusCode;
  const proxy = '127.0.0.1';
  // The client the proxy names: the same one however many hops the header lists before it.
  assert.equal(await ask(proxy, '198.51.100.1'), 200);
  assert.equal(await ask(proxy, '203.0.113.77, 198.51.100.1'), 200);
  assert.equal(await ask(proxy, '198.51.100.1'), 429);
  assert.equal(await ask(proxy, '198.51.100.2'), 200, 'another client behind the proxy');
  // IPv6 clients by their /64.
  assert.equal(await ask(proxy, '2001:db8:1:2::1'), 200);
  assert.equal(await ask(proxy, '2001:db8:1:2::2'), 200);
  assert.equal(await ask(proxy, '2001:DB8:1:2:ffff::3'), 429);
  // A header too long to remember is still read on each request.
  const long = `${'203.0.113.8, '.repeat(30)}198.51.100.60`;
  assert.ok(long.length > FORWARDED_FOR_MEMO_CHARS_MAX);
  assert.equal(await ask(proxy, long), 200);
  assert.equal(await ask(proxy, '198.51.100.60'), 200);
  assert.equal(await ask(proxy, long), 429);
  // A peer that is not a trusted proxy is the client, whatever header it sends.
  assert.equal(await ask('203.0.113.9', '198.51.100.70'), 200);
  assert.equal(await ask('203.0.113.9', '198.51.100.71'), 200);
  assert.equal(await ask('203.0.113.9', '198.51.100.72'), 429);
  // And the proxy itself, sending no header, is a client of its own.
  assert.equal(await ask(proxy), 200);
});
