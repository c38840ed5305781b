// Read-only CORS (src/api/cors.ts) through fastify.inject(): any page may read a GET or HEAD
// answer, errors included; no page may read a write's answer; a server without the option
// (the operator's listener) allows no cross-origin read at all. Over real HTTP: the answers
// sent before any route runs (rate limit, load shedding, a URL fastify cannot route) carry
// the same headers as the route's own, for a read as for a write.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { ApiError } from '../../src/api/errors.ts';
import { buildApiServer } from '../../src/api/server.ts';
import { REQUEST_TIMEOUT_MS } from '../helpers/http.ts';
import { waitUntil } from '../helpers/wait.ts';
import { lagEventLoop } from './lag.ts';

const base = {
  bodyBytesMax: 2048,
  requestsPerMinute: 1000,
  requestTimeoutMs: 5000,
  eventLoopDelayMaxMs: 1000,
};
const ORIGIN = { origin: 'https://dashboard.example.org' };

async function server(t: TestContext, readOnlyCors: boolean) {
  const app = await buildApiServer({ ...base, docs: false, readOnlyCors });
  app.get('/thing', async () => ({ ok: true }));
  app.get('/broken', async () => {
    throw new ApiError(409, 'MOTION_DECIDED', 'decided already');
  });
  app.post('/thing', async () => ({ written: true }));
  app.post('/refused', async () => {
    throw new ApiError(422, 'RULE', 'refused');
  });
  t.after(() => app.close());
  return app;
}

test('GET and HEAD answers, errors and unknown paths included, may be read from any origin', async (t) => {
  const app = await server(t, true);
  for (const [method, url, status] of [
    ['GET', '/thing', 200],
    ['HEAD', '/thing', 200],
    ['GET', '/broken', 409],
    ['GET', '/nowhere', 404],
  ] as const) {
    const res = await app.inject({ method, url, headers: ORIGIN });
    assert.equal(res.statusCode, status, `${method} ${url}`);
    assert.equal(res.headers['access-control-allow-origin'], '*', `${method} ${url}`);
    assert.equal(res.headers['access-control-allow-credentials'], undefined);
  }
});

test('no write answer, and no preflight, carries the CORS header', async (t) => {
  const app = await server(t, true);
  for (const [method, url, status] of [
    ['POST', '/thing', 200],
    ['POST', '/refused', 422],
    ['POST', '/nowhere', 404],
    ['OPTIONS', '/thing', 404],
    ['DELETE', '/thing', 404],
  ] as const) {
    const res = await app.inject({
      method,
      url,
      headers: { ...ORIGIN, 'access-control-request-method': 'POST' },
      ...(method === 'POST' ? { payload: {} } : {}),
    });
    assert.equal(res.statusCode, status, `${method} ${url}`);
    assert.equal(res.headers['access-control-allow-origin'], undefined, `${method} ${url}`);
    assert.equal(res.headers['access-control-allow-methods'], undefined, `${method} ${url}`);
  }
});

test('without the option no answer may be read cross-origin', async (t) => {
  const app = await server(t, false);
  const res = await app.inject({ url: '/thing', headers: ORIGIN });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['access-control-allow-origin'], undefined);
});

/** A server on 127.0.0.1 that answers at most `requestsPerMinute` requests per address. */
async function listening(t: TestContext, o: { requestsPerMinute: number; eventLoopDelayMaxMs?: number }) {
  const app = await buildApiServer({ ...base, ...o, docs: false, readOnlyCors: true });
  app.get('/thing/:id', async () => ({ ok: true }));
  app.post('/thing', async () => ({ written: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return async (path: string, init: { method?: string; body?: string; contentType?: string } = {}) => {
    const res = await fetch(`${url}${path}`, {
      method: init.method ?? 'GET',
      headers: { ...ORIGIN, ...(init.contentType === undefined ? {} : { 'content-type': init.contentType }) },
      ...(init.body === undefined ? {} : { body: init.body }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body =
      res.status === 200 || init.method === 'HEAD' ? undefined : ((await res.json()) as { code: string });
    return { status: res.status, cors: res.headers.get('access-control-allow-origin'), code: body?.code };
  };
}

test('over HTTP, a read refused before its route runs carries the CORS header: 429, 400 and 414 for the URL', async (t) => {
  // Two reads a minute: the refused URLs never reach the rate limit, so the third read is over.
  const ask = await listening(t, { requestsPerMinute: 2 });
  assert.deepEqual(await ask('/thing/1'), { status: 200, cors: '*', code: undefined });
  // Refused by fastify before any hook: a malformed escape, a parameter past maxParamLength.
  assert.deepEqual(await ask('/thing/%zz'), { status: 400, cors: '*', code: 'HTTP_BAD_URL' });
  assert.deepEqual(await ask(`/thing/${'a'.repeat(300)}`), {
    status: 414,
    cors: '*',
    code: 'HTTP_MAX_PARAM_LENGTH',
  });
  assert.equal((await ask('/thing/2')).status, 200);
  assert.deepEqual(await ask('/thing/3'), { status: 429, cors: '*', code: 'RATE_LIMITED' });
  assert.deepEqual(await ask('/thing/3', { method: 'HEAD' }), { status: 429, cors: '*', code: undefined });
});

test('over HTTP, a read shed while the event loop lags carries the CORS header with its 503', async (t) => {
  const ask = await listening(t, { requestsPerMinute: 1000, eventLoopDelayMaxMs: 50 });
  await lagEventLoop(1500);
  const shed = await waitUntil('a read shed while the loop lags', () => ask('/thing/1'), {
    until: (r) => r.status !== 200,
    timeoutMs: 2000,
    intervalMs: 10,
  });
  assert.deepEqual(shed, { status: 503, cors: '*', code: 'OVERLOADED' });
});

test('over HTTP, a write refused before its route runs carries what every write answer carries: no CORS header', async (t) => {
  const ask = await listening(t, { requestsPerMinute: 3 });
  const json = 'application/json';
  assert.deepEqual(await ask('/thing', { method: 'POST', body: '{}', contentType: json }), {
    status: 200,
    cors: null,
    code: undefined,
  });
  const big = JSON.stringify({ a: 'x'.repeat(base.bodyBytesMax) });
  assert.deepEqual(await ask('/thing', { method: 'POST', body: big, contentType: json }), {
    status: 413,
    cors: null,
    code: 'HTTP_CTP_BODY_TOO_LARGE',
  });
  assert.deepEqual(await ask('/thing', { method: 'POST', body: '{bad', contentType: json }), {
    status: 400,
    cors: null,
    code: 'HTTP_CTP_INVALID_JSON_BODY',
  });
  assert.deepEqual(await ask('/thing', { method: 'POST', body: '{}', contentType: json }), {
    status: 429,
    cors: null,
    code: 'RATE_LIMITED',
  });
});
