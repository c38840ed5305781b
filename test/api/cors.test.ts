// Read-only CORS (src/api/cors.ts) through fastify.inject(): any page may read a GET or HEAD
// answer, errors included; no page may read a write's answer; a server without the option
// (the operator's listener) allows no cross-origin read at all.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { ApiError } from '../../src/api/errors.ts';
import { buildApiServer } from '../../src/api/server.ts';

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
