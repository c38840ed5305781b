// The HTTP client against real servers on 127.0.0.1: bodies cut at their bound while the server
// is still sending (with, without and with a lying Content-Length), timeouts, slow drips,
// Retry-After (timed by an injected sleep and clock, never by the wall clock), bounded retries,
// a POST sent once, redirects refused, problem bodies surfaced, and long JSON arrays parsed
// item by item with turns for the event loop.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import packageJson from '../../package.json' with { type: 'json' };
import {
  backoffMs,
  DEFAULT_RETRY_AFTER_MAX_MS,
  HttpClient,
  type HttpClientOptions,
  NetError,
  normalizeBaseUrl,
  parseJsonItems,
  retryAfterMs,
} from '../../src/net/index.ts';

/** What a streaming server would send in all; the client's bound is far below. */
const STREAM_BYTES_TOTAL = 64 * 1024 * 1024;
const STREAM_CHUNK_BYTES = 64 * 1024;
const BODY_BYTES_MAX = 256 * 1024;

type Served = { url: string; hits: (path?: string) => number; close(): Promise<void> };

async function serve(handler: http.RequestListener): Promise<Served> {
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: (path) => (path === undefined ? paths.length : paths.filter((p) => p === path).length),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes up to STREAM_BYTES_TOTAL with backpressure; `closed` resolves with what was written when the peer hangs up. */
function pump(write: (chunk: Buffer) => boolean, on: NodeJS.EventEmitter) {
  const state = { written: 0, finished: false };
  const chunk = Buffer.alloc(STREAM_CHUNK_BYTES, 0x61);
  let open = true;
  const closed = new Promise<number>((resolve) =>
    on.once('close', () => {
      open = false;
      resolve(state.written);
    }),
  );
  const more = (): void => {
    while (open && state.written < STREAM_BYTES_TOTAL) {
      state.written += chunk.length;
      if (!write(chunk)) {
        on.once('drain', more);
        return;
      }
    }
    if (state.written >= STREAM_BYTES_TOTAL) state.finished = true;
  };
  more();
  return { state, closed };
}

function recorder(extra: HttpClientOptions = {}) {
  const pauses: number[] = [];
  const client = new HttpClient({
    sleep: async (ms) => {
      pauses.push(ms);
    },
    ...extra,
  });
  return { client, pauses };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('a body over the limit without Content-Length is cut while the server is still sending', async () => {
  let sent: ReturnType<typeof pump> | undefined;
  const server = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' }); // chunked: no length at all
    sent = pump((c) => res.write(c), res);
  });
  try {
    const client = new HttpClient({ attemptsMax: 1 });
    await assert.rejects(client.getBytes(`${server.url}/big`, { bytesMax: BODY_BYTES_MAX }), {
      code: 'TOO_LARGE',
      message: /sent more than the 262144 bytes/,
    });
    const written = await sent!.closed;
    assert.equal(sent!.state.finished, false, 'the server had not finished when the connection closed');
    assert.ok(written < STREAM_BYTES_TOTAL / 2, `server wrote ${written} bytes before the socket closed`);
  } finally {
    await server.close();
  }
});

test('a declared Content-Length over the limit is refused before the body is read', async () => {
  let sent: ReturnType<typeof pump> | undefined;
  const server = await serve((_req, res) => {
    res.writeHead(200, { 'content-length': String(STREAM_BYTES_TOTAL) });
    sent = pump((c) => res.write(c), res);
  });
  try {
    const client = new HttpClient({ attemptsMax: 1 });
    await assert.rejects(client.getBytes(`${server.url}/big`, { bytesMax: BODY_BYTES_MAX }), {
      code: 'TOO_LARGE',
      message: new RegExp(`declares ${STREAM_BYTES_TOTAL} bytes`),
    });
    const written = await sent!.closed;
    assert.equal(sent!.state.finished, false);
    assert.ok(written < STREAM_BYTES_TOTAL / 2, `server wrote ${written} bytes before the socket closed`);
  } finally {
    await server.close();
  }
});

/** A raw HTTP/1.1 server that declares 64 bytes and keeps sending, the excess right behind them. */
async function lyingServer() {
  let sent: ReturnType<typeof pump> | undefined;
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      const head = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: 64\r\n\r\n${'b'.repeat(64)}`);
      socket.write(Buffer.concat([head, Buffer.alloc(16 * 1024, 0x63)]));
      sent = pump((c) => socket.write(c), socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/lie`,
    sent: () => sent!,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('a lying Content-Length: bytes past it are refused as broken framing and the connection is cut', async () => {
  const server = await lyingServer();
  try {
    const client = new HttpClient({ attemptsMax: 1 });
    await assert.rejects(client.getBytes(server.url, { bytesMax: 1024 }), {
      code: 'MALFORMED_RESPONSE',
      message: /broke HTTP framing/,
    });
    const written = await server.sent().closed;
    assert.equal(server.sent().state.finished, false);
    assert.ok(written < STREAM_BYTES_TOTAL / 2, `server wrote ${written} bytes before the socket closed`);
  } finally {
    await server.close();
  }
});

test('a server that never answers is a TIMEOUT', async () => {
  const server = await serve(() => undefined);
  try {
    const { client, pauses } = recorder({ timeoutMs: 150, attemptsMax: 2 });
    await assert.rejects(client.getBytes(`${server.url}/silent`, { bytesMax: 100 }), {
      code: 'TIMEOUT',
      message: /did not answer in full within 150 ms/,
    });
    assert.equal(server.hits('/silent'), 2, 'a GET that timed out is tried again');
    assert.equal(pauses.length, 1);
  } finally {
    await server.close();
  }
});

/** Fills a listening socket's accept queue: a process that listens with a backlog of 1 and never accepts. */
const NOT_ACCEPTING = `require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, function () {
  process.stdout.write(this.address().port + '\\n');
  const end = Date.now() + 20000;
  while (Date.now() < end);
});`;

test('a server whose accept queue is full is a TIMEOUT at the connect timeout', async () => {
  const child = spawn(process.execPath, ['-e', NOT_ACCEPTING], { stdio: ['ignore', 'pipe', 'inherit'] });
  const fillers: net.Socket[] = [];
  try {
    const port = await new Promise<number>((resolve) =>
      child.stdout.once('data', (d) => resolve(Number(String(d)))),
    );
    // The kernel completes handshakes into the queue (backlog + 1) and then drops further SYNs.
    let connected = 0;
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 8; i++) {
        const socket = net.connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.once('connect', () => {
          if (++connected === 2) resolve();
        });
        fillers.push(socket);
      }
    });
    const client = new HttpClient({ connectTimeoutMs: 200, timeoutMs: 60_000, attemptsMax: 1 });
    await assert.rejects(client.getBytes(`http://127.0.0.1:${port}/`, { bytesMax: 100 }), {
      code: 'TIMEOUT',
      message: /no connection within 200 ms/,
    });
  } finally {
    for (const socket of fillers) socket.destroy();
    child.kill('SIGKILL');
  }
});

test('a slow drip is cut at the request timeout although bytes keep coming', async () => {
  const drip = { written: 0, closed: false };
  const server = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const timer = setInterval(() => {
      if (drip.written >= 500) return clearInterval(timer);
      drip.written++;
      res.write('x');
    }, 10);
    res.on('close', () => {
      drip.closed = true;
      clearInterval(timer);
    });
  });
  try {
    const client = new HttpClient({ timeoutMs: 200, attemptsMax: 1 });
    await assert.rejects(client.getText(`${server.url}/drip`, { bytesMax: 10_000 }), { code: 'TIMEOUT' });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (drip.closed) resolve(clearInterval(check));
      }, 5);
    });
    assert.ok(drip.written < 500, `the client cut the drip after ${drip.written} of 500 bytes`);
  } finally {
    await server.close();
  }
});

test('503 with Retry-After in seconds is honoured before the next try', async () => {
  let calls = 0;
  const server = await serve((_req, res) => {
    if (++calls <= 2) {
      res.writeHead(503, { 'retry-after': '7', 'content-type': 'application/json' });
      return res.end(JSON.stringify({ code: 'OVERLOADED', message: 'shedding load' }));
    }
    res.end('ok');
  });
  try {
    const { client, pauses } = recorder();
    assert.equal(await client.getText(`${server.url}/busy`, { bytesMax: 100 }), 'ok');
    assert.deepEqual(pauses, [7000, 7000]);
    assert.equal(server.hits(), 3);
  } finally {
    await server.close();
  }
});

test('Retry-After as an HTTP-date is read against the clock, and a long one is capped', async () => {
  const nowMs = Date.UTC(2030, 0, 1, 12, 0, 0);
  const answers = [new Date(nowMs + 8_000).toUTCString(), '3600'];
  const server = await serve((_req, res) => {
    const retryAfter = answers.shift();
    if (retryAfter === undefined) return res.end('ok');
    res.writeHead(429, { 'retry-after': retryAfter });
    res.end();
  });
  try {
    const { client, pauses } = recorder({ nowMs: () => nowMs });
    assert.equal(await client.getText(`${server.url}/limited`, { bytesMax: 100 }), 'ok');
    assert.deepEqual(pauses, [8_000, DEFAULT_RETRY_AFTER_MAX_MS]);
  } finally {
    await server.close();
  }
});

test('retries are bounded, with exponential backoff and jitter', async () => {
  const server = await serve((_req, res) => {
    res.writeHead(503);
    res.end();
  });
  try {
    const high = recorder({ attemptsMax: 4, backoffMs: 100, random: () => 1 });
    await assert.rejects(high.client.getBytes(`${server.url}/down`, { bytesMax: 100 }), (error: unknown) => {
      assert.ok(error instanceof NetError);
      assert.equal(error.code, 'HTTP_STATUS');
      assert.equal(error.status, 503);
      assert.match(error.message, /try again later or another root/);
      return true;
    });
    assert.equal(server.hits(), 4);
    assert.deepEqual(high.pauses, [100, 200, 400]);
    const low = recorder({ attemptsMax: 3, backoffMs: 100, random: () => 0 });
    await assert.rejects(low.client.getBytes(`${server.url}/down`, { bytesMax: 100 }), {
      code: 'HTTP_STATUS',
    });
    assert.deepEqual(low.pauses, [50, 100], 'jitter never goes below half the step');
  } finally {
    await server.close();
  }
});

test('an unreachable server is UNREACHABLE after the bounded tries', async () => {
  const port = await closedPort();
  const { client, pauses } = recorder({ attemptsMax: 3 });
  await assert.rejects(client.getBytes(`http://127.0.0.1:${port}/x`, { bytesMax: 100 }), (error: unknown) => {
    assert.ok(error instanceof NetError);
    assert.equal(error.code, 'UNREACHABLE');
    assert.equal(error.reason, 'ECONNREFUSED');
    assert.match(error.message, /cannot reach .* check the URL/);
    return true;
  });
  assert.equal(pauses.length, 2);
});

test('a POST is sent once, even to a busy server, unless the caller says it is idempotent', async () => {
  const server = await serve((_req, res) => {
    res.writeHead(503, { 'retry-after': '1' });
    res.end();
  });
  try {
    const { client, pauses } = recorder({ attemptsMax: 4 });
    await assert.rejects(client.postJson(`${server.url}/statements`, { a: 1 }, { bytesMax: 100 }), {
      code: 'HTTP_STATUS',
    });
    assert.equal(server.hits(), 1);
    assert.deepEqual(pauses, []);
    await assert.rejects(
      client.postJson(`${server.url}/again`, { a: 1 }, { bytesMax: 100, idempotent: true }),
      { code: 'HTTP_STATUS' },
    );
    assert.equal(server.hits('/again'), 4);
  } finally {
    await server.close();
  }
});

test('a redirect is refused and says so; its target is never asked', async () => {
  const server = await serve((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/elsewhere' });
      return res.end();
    }
    res.end('should not be reached');
  });
  try {
    const { client } = recorder();
    await assert.rejects(client.getText(`${server.url}/moved`, { bytesMax: 100 }), (error: unknown) => {
      assert.ok(error instanceof NetError);
      assert.equal(error.code, 'REDIRECT');
      assert.equal(error.status, 302);
      assert.equal(error.reason, '/elsewhere');
      assert.match(error.message, /redirects are not followed/);
      return true;
    });
    assert.equal(server.hits('/moved'), 1, 'a redirect is final, not retried');
    assert.equal(server.hits('/elsewhere'), 0);
  } finally {
    await server.close();
  }
});

test("an error status carries the server's problem body, or the start of whatever it sent", async () => {
  const server = await serve((req, res) => {
    if (req.url === '/rejected') {
      res.writeHead(422, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ code: 'WRONG_PARENT', message: 'the motion names another world' }));
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('nothing here');
  });
  try {
    const { client } = recorder();
    await assert.rejects(
      client.postJson(`${server.url}/rejected`, {}, { bytesMax: 100 }),
      (error: unknown) => {
        assert.ok(error instanceof NetError);
        assert.equal(error.code, 'HTTP_STATUS');
        assert.equal(error.status, 422);
        assert.deepEqual(error.problem, { code: 'WRONG_PARENT', message: 'the motion names another world' });
        assert.match(
          error.message,
          /422: the motion names another world \[WRONG_PARENT\]; the request was refused/,
        );
        return true;
      },
    );
    await assert.rejects(client.getText(`${server.url}/missing`, { bytesMax: 100 }), (error: unknown) => {
      assert.ok(error instanceof NetError);
      assert.equal(error.status, 404);
      assert.equal(error.problem, undefined);
      assert.equal(error.body, 'nothing here');
      return true;
    });
    assert.equal(server.hits('/missing'), 1, 'a 404 is final');
  } finally {
    await server.close();
  }
});

test('malformed JSON and text that is not UTF-8 are typed errors', async () => {
  const server = await serve((req, res) => {
    if (req.url === '/latin1') return res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    res.end('{"half":');
  });
  try {
    const { client } = recorder();
    await assert.rejects(client.getJson(`${server.url}/json`, { bytesMax: 100 }), { code: 'MALFORMED_JSON' });
    await assert.rejects(client.getText(`${server.url}/latin1`, { bytesMax: 100 }), {
      code: 'MALFORMED_RESPONSE',
    });
  } finally {
    await server.close();
  }
});

test("the caller's AbortSignal cancels a request in flight and a pause between tries", async () => {
  const server = await serve((req, res) => {
    if (req.url === '/busy') {
      res.writeHead(503, { 'retry-after': '5' });
      res.end();
    }
  });
  try {
    const client = new HttpClient({ attemptsMax: 2 });
    const inFlight = new AbortController();
    const pending = client.getBytes(`${server.url}/silent`, { bytesMax: 100, signal: inFlight.signal });
    while (server.hits('/silent') === 0) await new Promise((r) => setImmediate(r));
    inFlight.abort();
    await assert.rejects(pending, { code: 'ABORTED' });
    const pausing = new AbortController();
    const waiting = client.getBytes(`${server.url}/busy`, { bytesMax: 100, signal: pausing.signal });
    while (server.hits('/busy') === 0) await new Promise((r) => setImmediate(r));
    pausing.abort();
    await assert.rejects(waiting, { code: 'ABORTED' });
    assert.equal(server.hits('/busy'), 1);
  } finally {
    await server.close();
  }
});

test('every request names the software and its version', async () => {
  let agent: string | undefined;
  const server = await serve((req, res) => {
    agent = req.headers['user-agent'];
    res.end('{}');
  });
  try {
    await new HttpClient().getJson(`${server.url}/`, { bytesMax: 100 });
    assert.match(agent ?? '', new RegExp(`^witan/${packageJson.version.replace(/\./g, '\\.')} `));
  } finally {
    await server.close();
  }
});

test('base URLs: http(s) only, without a trailing slash', () => {
  assert.equal(normalizeBaseUrl('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
  assert.equal(normalizeBaseUrl('https://root.example.org/witan//'), 'https://root.example.org/witan');
  assert.throws(() => normalizeBaseUrl('file:///etc/passwd'), { code: 'BAD_URL' });
  assert.throws(() => normalizeBaseUrl('not a url'), { code: 'BAD_URL' });
});

test('backoff stays within [half, all] of its doubling step; Retry-After reads seconds and dates', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
      const step = Math.min(5000, 250 * 2 ** Math.min(attempt - 1, 30));
      const ms = backoffMs(attempt, 250, 5000, () => r);
      return ms >= Math.floor(step / 2) && ms <= step;
    }),
  );
  assert.equal(retryAfterMs('120', 0), 120_000);
  assert.equal(retryAfterMs(['3', '9'], 0), 3000);
  assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.UTC(2015, 9, 21, 7, 27, 30)), 30_000);
  assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.UTC(2016, 0, 1)), 0, 'a past date: now');
  assert.equal(retryAfterMs('soon', 0), undefined);
  assert.equal(retryAfterMs(undefined, 0), undefined);
});

const itemsOf = (json: string, itemsMax = 10, itemBytesMax = 1000, itemStructureBytesMax = 100) =>
  parseJsonItems(new TextEncoder().encode(json), {
    field: 'decisions',
    itemsMax,
    itemBytesMax,
    itemStructureBytesMax,
    map: (x) => x,
    url: 'http://root/decisions',
  });

test('a JSON array is parsed item by item, strings with brackets and escapes included', async () => {
  const items = [
    { a: 'x]}",\\' },
    [1, [2, { b: null }]],
    'plain "quoted" \\ text',
    7,
    true,
    null,
    { ü: 'ünï' },
  ];
  assert.deepEqual(await itemsOf(JSON.stringify({ decisions: items })), items);
  assert.deepEqual(await itemsOf(' { "decisions" : [ ] } '), []);
  assert.deepEqual(
    await parseJsonItems(new TextEncoder().encode('[1, 2, 3]'), {
      itemsMax: 3,
      itemBytesMax: 10,
      itemStructureBytesMax: 4,
      map: (x) => (x === 2 ? undefined : x),
      url: 'u',
    }),
    [1, 3],
    'map drops what it refuses',
  );
  await assert.rejects(itemsOf(JSON.stringify({ decisions: ['x'.repeat(2000)] })), { code: 'TOO_LARGE' });
  await assert.rejects(itemsOf(JSON.stringify({ decisions: [1, 2, 3] }), 2), { code: 'TOO_LARGE' });
  const tiny = JSON.stringify({ decisions: [Array(60).fill([])] }); // 181 bytes, none of them in a string
  await assert.rejects(itemsOf(tiny, 10, 1000, 100), {
    code: 'TOO_LARGE',
    message: /more than the 100 bytes outside strings/,
  });
  assert.equal((await itemsOf(tiny, 10, 1000, 200)).length, 1);
  for (const bad of [
    '{"decisions":[1,2]} trailing',
    '{"other":[1]}',
    '{"decisions":[1 2]}',
    '{"decisions":[1,]}',
    '{"decisions":[{"a":1]}',
    '{"decisions":["open',
    '{"decisions":[1]',
    '[1]',
  ]) {
    await assert.rejects(itemsOf(bad), { code: 'MALFORMED_JSON' }, bad);
  }
});

test('a long JSON array gives the event loop turns while it is parsed', async () => {
  const item = JSON.stringify({ value: 'v'.repeat(64 * 1024), certificate: [[], [], {}] });
  const body = new TextEncoder().encode(`{"decisions":[${Array(64).fill(item).join(',')}]}`);
  let turns = 0;
  let spinning = true;
  const spin = (): void => {
    if (!spinning) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  const items = await parseJsonItems(body, {
    field: 'decisions',
    itemsMax: 64,
    itemBytesMax: 80 * 1024,
    itemStructureBytesMax: 32,
    map: (x) => x,
    url: 'u',
  });
  spinning = false;
  assert.equal(items.length, 64);
  assert.ok(turns >= 8, `the loop ran ${turns} times during a 4 MiB parse`);
});

test('getJsonItems reads a bounded answer from a server', async () => {
  const server = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ decisions: [{ height: 1 }, { height: 2 }] }));
  });
  try {
    const items = await new HttpClient().getJsonItems(`${server.url}/consensus/decisions`, {
      bytesMax: 1000,
      field: 'decisions',
      itemsMax: 2,
      itemBytesMax: 100,
      itemStructureBytesMax: 16,
      map: (x) => (x as { height: number }).height,
    });
    assert.deepEqual(items, [1, 2]);
  } finally {
    await server.close();
  }
});
