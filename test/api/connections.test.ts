// The HTTP edge against clients that hold connections: a client dripping its headers or its
// body is cut at the configured request timeout (not node's 30 s check interval later), a
// silent connection too, and one that stops reading an answer; connections beyond the cap are
// refused, and behind a trusted proxy rate limits count the client X-Forwarded-For names —
// never a header from anyone else.
// Real sockets on 127.0.0.1.

import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { buildApiServer, HTTP_TIMEOUT_CHECK_INTERVAL_MS } from '../../src/api/server.ts';
import { waitUntil } from '../helpers/wait.ts';

const REQUEST_TIMEOUT_MS = 1_000;
/** A cut is due by the timeout plus one check of the server, plus slack for a busy machine. */
const CUT_WITHIN_MS = REQUEST_TIMEOUT_MS + HTTP_TIMEOUT_CHECK_INTERVAL_MS + 1_500;
/** The dripping client gives up (and the test fails) after this long. */
const DRIP_MAX_MS = 15_000;
const DRIP_EVERY_MS = 100;
/** More than the kernel buffers of a loopback connection hold, so a client that stops reading stalls it. */
const BIG_ANSWER = Buffer.alloc(32 * 1024 * 1024, 7);

async function serve(o: { connectionsMax?: number; trustProxy?: string[]; requestsPerMinute?: number } = {}) {
  const app = await buildApiServer({
    bodyBytesMax: 64 * 1024,
    requestsPerMinute: o.requestsPerMinute ?? 1000,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    eventLoopDelayMaxMs: 10_000,
    docs: false,
    ...(o.connectionsMax === undefined ? {} : { connectionsMax: o.connectionsMax }),
    ...(o.trustProxy === undefined ? {} : { trustProxy: o.trustProxy }),
  });
  app.get('/ping', async () => ({ ok: true }));
  app.post('/echo', async (req) => req.body);
  app.get('/big', (_req, reply) => {
    reply.type('application/octet-stream').send(BIG_ANSWER);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  return { app, port };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `head` and then one byte of `drip` every DRIP_EVERY_MS until the server closes the socket. */
async function dripUntilCut(
  port: number,
  head: string,
  drip: string,
): Promise<{ ms: number; answer: string }> {
  const socket = await open(port);
  const started = Date.now();
  let answer = '';
  socket.on('data', (d) => {
    answer += d;
  });
  socket.on('error', () => undefined);
  socket.write(head);
  let i = 0;
  const timer = setInterval(() => {
    if (!socket.destroyed && socket.writable) socket.write(drip[i++ % drip.length]!);
  }, DRIP_EVERY_MS);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const gaveUp = new Promise<void>((resolve) => setTimeout(resolve, DRIP_MAX_MS).unref());
  await Promise.race([closed, gaveUp]);
  clearInterval(timer);
  const ms = Date.now() - started;
  socket.destroy();
  return { ms, answer };
}

test('a client dripping its headers is cut at the request timeout', async () => {
  const { app, port } = await serve();
  try {
    const { ms, answer } = await dripUntilCut(port, 'GET /ping HTTP/1.1\r\nHost: x\r\n', 'X-Slow: aaaa\r\n');
    assert.ok(ms >= REQUEST_TIMEOUT_MS - 100, `cut after ${ms} ms, before the timeout`);
    assert.ok(ms <= CUT_WITHIN_MS, `cut after ${ms} ms, more than ${CUT_WITHIN_MS}`);
    assert.match(answer, /^HTTP\/1\.1 408/);
  } finally {
    await app.close();
  }
});

test('a client dripping its body is cut at the request timeout', async () => {
  const { app, port } = await serve();
  try {
    const head =
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"a":"';
    const { ms } = await dripUntilCut(port, head, 'bbbbbbbb');
    assert.ok(ms >= REQUEST_TIMEOUT_MS - 100, `cut after ${ms} ms, before the timeout`);
    assert.ok(ms <= CUT_WITHIN_MS, `cut after ${ms} ms, more than ${CUT_WITHIN_MS}`);
  } finally {
    await app.close();
  }
});

test('a connection that never sends a request, or idles after one, is closed after the timeout', async () => {
  const { app, port } = await serve();
  try {
    for (const first of ['', 'GET /ping HTTP/1.1\r\nHost: x\r\n\r\n']) {
      const socket = await open(port);
      const started = Date.now();
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      if (first) socket.write(first);
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        setTimeout(resolve, DRIP_MAX_MS).unref();
      });
      const ms = Date.now() - started;
      assert.ok(ms <= CUT_WITHIN_MS, `idle connection held ${ms} ms`);
      socket.destroy();
    }
  } finally {
    await app.close();
  }
});

test('a client that stops reading an answer is cut after the timeout', async () => {
  const { app, port } = await serve();
  try {
    const socket = await open(port);
    socket.on('error', () => undefined);
    const started = Date.now();
    socket.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.pause();
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
      );
    await waitUntil('the stalled connection to be closed', connections, {
      until: (n) => n === 0,
      timeoutMs: CUT_WITHIN_MS,
      intervalMs: 50,
    });
    const ms = Date.now() - started;
    assert.ok(ms >= REQUEST_TIMEOUT_MS - 100, `cut after ${ms} ms, before the timeout`);
    socket.destroy();
  } finally {
    await app.close();
  }
});

test('connections beyond http.connectionsMax are refused; one closing frees a place', async () => {
  const CAP = 4;
  const { app, port } = await serve({ connectionsMax: CAP });
  const held: Socket[] = [];
  try {
    for (let i = 0; i < CAP; i++) held.push(await open(port));
    // Let the server accept all of them before the next one knocks.
    await new Promise((r) => setTimeout(r, 100));
    const extra = await open(port);
    let got = '';
    extra.on('data', (d) => {
      got += d;
    });
    extra.on('error', () => undefined);
    extra.write('GET /ping HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((resolve) => extra.once('close', () => resolve()));
    assert.equal(got, '', 'a connection over the cap got an answer');
    held.shift()!.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`http://127.0.0.1:${port}/ping`);
    assert.equal(res.status, 200);
  } finally {
    for (const s of held) s.destroy();
    await app.close();
  }
});

test('behind a trusted proxy rate limits count the forwarded client; an untrusted header is ignored', async () => {
  const limit = 3;
  const ask = (port: number, forwardedFor: string) =>
    fetch(`http://127.0.0.1:${port}/ping`, { headers: { 'x-forwarded-for': forwardedFor } }).then(
      (r) => r.status,
    );
  const proxied = await serve({ requestsPerMinute: limit, trustProxy: ['127.0.0.1'] });
  try {
    for (let i = 0; i < limit; i++) assert.equal(await ask(proxied.port, '198.51.100.1'), 200);
    assert.equal(await ask(proxied.port, '198.51.100.1'), 429, 'the same client is limited');
    assert.equal(await ask(proxied.port, '198.51.100.2'), 200, 'another client behind the proxy is not');
  } finally {
    await proxied.app.close();
  }
  const direct = await serve({ requestsPerMinute: limit });
  try {
    for (let i = 0; i < limit; i++) assert.equal(await ask(direct.port, `198.51.100.${i + 10}`), 200);
    assert.equal(await ask(direct.port, '198.51.100.99'), 429, 'a forged header does not escape the limit');
  } finally {
    await direct.app.close();
  }
});
