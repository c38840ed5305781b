// The ready answers (src/api/ready-answers.ts) against fastify: the same requests, sent through
// real sockets to a root's public routes served with them and without them, get the same
// bytes — status line, every header in order (but Date's value), body — under the same policy
// (rate limit with and without a trusted proxy, load shedding, metrics), and never an answer
// older than the route's.

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { type TestContext, test } from 'node:test';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { publicRoutes } from '../../src/api/public-routes.ts';
import { buildApiServer } from '../../src/api/server.ts';
import { ballot, type SignedRecovery } from '../../src/governance/index.ts';
import { FEDERATION, sign, T0 } from '../governance/fixtures.ts';
import { waitUntil } from '../helpers/wait.ts';
import { lagEventLoop } from './lag.ts';
import { checkpoint, type Fixture, fixture, recoveryDeskOf } from './root-fixture.ts';

type Served = { port: number; registry: Registry; fastifySaw: () => number };

/** The fixture's root served on 127.0.0.1 as a root's public listener, with or without ready answers. */
async function serve(
  t: TestContext,
  f: Fixture,
  o: {
    readyAnswers: boolean;
    requestsPerMinute?: number;
    eventLoopDelayMaxMs?: number;
    trustProxy?: string[];
  },
): Promise<Served> {
  const registry = new Registry();
  const app = await buildApiServer({
    bodyBytesMax: 1024,
    requestsPerMinute: o.requestsPerMinute ?? 100_000,
    requestTimeoutMs: 5000,
    eventLoopDelayMaxMs: o.eventLoopDelayMaxMs ?? 5000,
    metrics: registry,
    docs: false,
    readOnlyCors: true,
    readyAnswers: o.readyAnswers,
    ...(o.trustProxy === undefined ? {} : { trustProxy: o.trustProxy }),
  });
  let seen = 0;
  app.addHook('onRequest', (_req, _reply, done) => {
    seen++;
    done();
  });
  const { ledger, store } = f.view;
  const desk = recoveryDeskOf(ledger, store);
  await app.register(publicRoutes, {
    health: () => ({ ok: true, detail: {} }),
    ready: () => f.view.status().health,
    tlog: { store, checkpointRefreshMs: 0 },
    view: f.view,
    recovery: { recovery: () => desk.status(), submitRecovery: (s: SignedRecovery) => desk.submit(s) },
    federation: {
      federation: () => ({ key: null, ceremony: null, pendingWorlds: [], faults: [] }),
      signedWorld: () => undefined,
      signedWorldNotes: () => [],
      zeroTierFile: () => ({ inForce: undefined, newestWorld: 0 }),
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  const address = app.server.address();
  assert.ok(address !== null && typeof address !== 'string');
  return { port: address.port, registry, fastifySaw: () => seen };
}

type Exchange = { head: string; body: Buffer };

/** One request on its own connection, read as raw bytes: the header block and the body. */
function exchange(
  port: number,
  method: string,
  path: string,
  headers: [string, string][],
): Promise<Exchange> {
  const request = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    socket.setTimeout(5000, () => socket.destroy(new Error(`no whole answer to ${method} ${path}`)));
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = received.subarray(0, end).toString('latin1');
      const length = /\r\ncontent-length: (\d+)/i.exec(head);
      const bodyBytes = method === 'HEAD' || length === null ? 0 : Number(length[1]);
      if (received.length < end + 4 + bodyBytes) return;
      socket.destroy();
      resolve({ head, body: received.subarray(end + 4, end + 4 + bodyBytes) });
    });
    socket.write(request);
  });
}

/** The header block with Date's value (the one header allowed to differ) blanked. */
function undated(e: Exchange): Exchange {
  return { head: e.head.replace(/\r\nDate: [^\r]*/, '\r\nDate: -'), body: e.body };
}

/** witan_http_requests_total's series: requests by route and status. */
async function requestCounts(registry: Registry): Promise<string[]> {
  const text = await registry.metrics();
  return text
    .split('\n')
    .filter((l) => l.startsWith('witan_http_requests_total{'))
    .sort();
}

async function worldEtag(port: number): Promise<string> {
  const { head } = await exchange(port, 'GET', '/world', []);
  return /\r\netag: ([^\r]*)/.exec(head)![1]!;
}

test('every request variant gets the same bytes with ready answers as from fastify alone', async (t) => {
  const f = await fixture(t, { routes: 'root' });
  const fast = await serve(t, f, { readyAnswers: true });
  const slow = await serve(t, f, { readyAnswers: false });
  const size = f.view.store.size();
  const etag = await worldEtag(slow.port);
  assert.equal(await worldEtag(fast.port), etag);
  const paths = [
    '/world',
    '/checkpoint',
    `/tile/0/000.p/${size}`,
    '/tile/0/000.p/5',
    `/tile/entries/000.p/${size}`,
    '/tile/0/000',
    `/tile/0/000.p/${size + 1}`,
    '/tile/0/x',
    '/world?x=1',
    '/checkpoint?',
    `/tile/0/000.p/${size}?a=b`,
    '/World',
    '/world/',
    '/world/chain',
  ];
  const extra: [string, string][] = [
    ['If-None-Match', etag],
    ['If-None-Match', `W/${etag}`],
    ['If-None-Match', '"other", *'],
    ['If-None-Match', '"other"'],
    ['If-Modified-Since', 'Sat, 05 Dec 2026 00:00:00 GMT'],
    ['Accept-Encoding', 'gzip, br'],
    ['Range', 'bytes=0-9'],
    ['Origin', 'https://example.org'],
    ['Connection', 'close'],
    ['X-Forwarded-For', '203.0.113.9'],
    ['Accept', '*/*'],
    ['Content-Length', '0'],
  ];
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'HEAD', 'POST', 'OPTIONS'),
      fc.constantFrom(...paths),
      fc.subarray(extra, { maxLength: 3 }),
      async (method, path, headers) => {
        const [a, b] = [
          await exchange(fast.port, method, path, headers),
          await exchange(slow.port, method, path, headers),
        ];
        assert.deepEqual(undated(a), undated(b), `${method} ${path} ${JSON.stringify(headers)}`);
      },
    ),
    { numRuns: 150 },
  );
  // The same requests were counted under the same routes and statuses.
  assert.deepEqual(await requestCounts(fast.registry), await requestCounts(slow.registry));
});

test('the hot reads are answered before fastify once ready; the rest reach it', async (t) => {
  const f = await fixture(t, { routes: 'root' });
  const fast = await serve(t, f, { readyAnswers: true });
  const tile = `/tile/0/000.p/${f.view.store.size()}`;
  await exchange(fast.port, 'GET', tile, []); // read from the store by the route, then ready
  const before = fast.fastifySaw();
  for (const path of ['/world', '/checkpoint', tile]) {
    assert.match((await exchange(fast.port, 'GET', path, [])).head, /^HTTP\/1.1 200 /);
    assert.match((await exchange(fast.port, 'HEAD', path, [])).head, /^HTTP\/1.1 200 /);
  }
  const etag = await worldEtag(fast.port);
  assert.match(
    (await exchange(fast.port, 'GET', '/world', [['If-None-Match', etag]])).head,
    /^HTTP\/1.1 304 /,
  );
  assert.equal(fast.fastifySaw(), before);
  await exchange(fast.port, 'GET', '/world?x', []);
  await exchange(fast.port, 'GET', '/checkpoint', [['Range', 'bytes=0-1']]);
  await exchange(fast.port, 'GET', '/members', []);
  assert.equal(fast.fastifySaw(), before + 3);
});

test('a new checkpoint or world is served at once, never the answer made before it', async (t) => {
  const f = await fixture(t, { routes: 'root' });
  const fast = await serve(t, f, { readyAnswers: true });
  const { store, ledger } = f.view;
  const first = await exchange(fast.port, 'GET', '/checkpoint', []);
  assert.equal(first.body.toString(), store.latestCheckpointNote());
  await store.saveCheckpoint(store.size(), await checkpoint(store, store.size(), T0 / 1000 + 60));
  const second = await exchange(fast.port, 'GET', '/checkpoint', []);
  assert.notDeepEqual(second.body, first.body);
  assert.equal(second.body.toString(), store.latestCheckpointNote());

  const etag = await worldEtag(fast.port);
  // Two more yes votes pass the open removal: a new world.
  const yes = ['m01', 'm02'].map((m) =>
    sign(ballot(FEDERATION, m, f.open, 'yes', T0 + 1000, `${m}: agreed`)),
  );
  assert.deepEqual(ledger.run(yes, T0 + 1000).rejected, []);
  const world = await exchange(fast.port, 'GET', '/world', [['If-None-Match', etag]]);
  assert.match(world.head, /^HTTP\/1.1 200 /);
  const body = JSON.parse(world.body.toString()) as { hash: string; version: number };
  assert.equal(body.hash, ledger.state.worldHash);
  assert.equal(body.version, ledger.state.world.version);
  assert.equal(await worldEtag(fast.port), `"${ledger.state.worldHash}"`);
});

/** Retry-After counts down with the clock: the same on both sides up to the second it was read in. */
function retryBlanked(e: Exchange): Exchange {
  const u = undated(e);
  const retry = /\r\nretry-after: (\d+)/.exec(u.head);
  if (retry !== null) assert.ok(Number(retry[1]) >= 1 && Number(retry[1]) <= 60, u.head);
  const blank = (s: string) => s.replace(/retry.after.{1,3}\d+/gi, 'retry-after N');
  return { head: blank(u.head), body: Buffer.from(blank(u.body.toString('latin1')), 'latin1') };
}

test('the rate limit counts ready answers in the same windows and refuses as fastify does', async (t) => {
  const f = await fixture(t, { routes: 'root' });
  const fast = await serve(t, f, { readyAnswers: true, requestsPerMinute: 3 });
  const slow = await serve(t, f, { readyAnswers: false, requestsPerMinute: 3 });
  const sequence = ['/world', '/checkpoint', '/world', '/world', '/checkpoint', '/members'];
  const statuses: string[] = [];
  for (const path of sequence) {
    const [a, b] = [await exchange(fast.port, 'GET', path, []), await exchange(slow.port, 'GET', path, [])];
    assert.deepEqual(retryBlanked(a), retryBlanked(b), path);
    statuses.push(a.head.slice(9, 12));
  }
  assert.deepEqual(statuses, ['200', '200', '200', '429', '429', '429']);
  assert.deepEqual(await requestCounts(fast.registry), await requestCounts(slow.registry));
});

test('behind a trusted proxy each forwarded client has its own window, with ready answers too', async (t) => {
  const f = await fixture(t, { routes: 'root' });
  const trustProxy = ['127.0.0.1'];
  const fast = await serve(t, f, { readyAnswers: true, requestsPerMinute: 2, trustProxy });
  const slow = await serve(t, f, { readyAnswers: false, requestsPerMinute: 2, trustProxy });
  const sequence: [string, string][] = [
    ['/world', '198.51.100.1'],
    ['/world', '198.51.100.1'],
    ['/world', '198.51.100.2, 198.51.100.9'],
    ['/checkpoint', '198.51.100.1'],
    ['/checkpoint', '198.51.100.2, 198.51.100.9'],
    ['/world', '198.51.100.2, 198.51.100.9'],
    ['/world', '2001:db8:1:2::7'],
    ['/world', '2001:db8:1:2::8'],
    ['/world', '2001:db8:1:2::9'],
  ];
  const statuses: string[] = [];
  for (const [path, forwarded] of sequence) {
    const headers: [string, string][] = [['X-Forwarded-For', forwarded]];
    const [a, b] = [
      await exchange(fast.port, 'GET', path, headers),
      await exchange(slow.port, 'GET', path, headers),
    ];
    assert.deepEqual(retryBlanked(a), retryBlanked(b), `${path} ${forwarded}`);
    statuses.push(a.head.slice(9, 12));
  }
  assert.deepEqual(statuses, ['200', '200', '200', '429', '200', '429', '200', '200', '429']);
});

test('while the event loop lags the hot reads are shed with 503 OVERLOADED, as every other request', async (t) => {
  const f = await fixture(t, { routes: 'root' });
  const fast = await serve(t, f, { readyAnswers: true, eventLoopDelayMaxMs: 50 });
  assert.match((await exchange(fast.port, 'GET', '/world', [])).head, /^HTTP\/1.1 200 /);
  await lagEventLoop(1500);
  const shed = await waitUntil(
    '/world shed while the loop lags',
    () => exchange(fast.port, 'GET', '/world', []),
    {
      until: (e) => !e.head.startsWith('HTTP/1.1 200 '),
      timeoutMs: 2000,
      intervalMs: 10,
    },
  );
  assert.match(shed.head, /^HTTP\/1.1 503 /);
  assert.match(shed.head, /\r\nretry-after: 5\r\n/);
  assert.equal((JSON.parse(shed.body.toString()) as { code: string }).code, 'OVERLOADED');
});
