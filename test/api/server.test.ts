import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ApiError } from '../../src/api/errors.ts';
import { healthRoutes, metricsRoutes } from '../../src/api/health-routes.ts';
import { buildApiServer } from '../../src/api/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { lagEventLoop } from './lag.ts';

const base = { bodyBytesMax: 2048, requestsPerMinute: 5, requestTimeoutMs: 5000, eventLoopDelayMaxMs: 1000 };

test('errors have one shape: typed codes map to statuses, internals are hidden', async () => {
  const app = await buildApiServer({ ...base, docs: false });
  app.get('/typed', async () => {
    throw new ApiError(409, 'MOTION_DECIDED', 'motion abc was already decided');
  });
  app.get('/codec', async () => {
    throw Object.assign(new Error('not canonical'), { code: 'NON_CANONICAL' });
  });
  app.get('/boom', async () => {
    throw new Error('secret internal detail');
  });
  const typed = await app.inject('/typed');
  assert.equal(typed.statusCode, 409);
  assert.deepEqual(typed.json(), { code: 'MOTION_DECIDED', message: 'motion abc was already decided' });
  assert.equal((await app.inject('/codec')).statusCode, 400);
  const boom = await app.inject('/boom');
  assert.equal(boom.statusCode, 500);
  assert.doesNotMatch(boom.body, /secret internal detail/);
  const missing = await app.inject('/nope');
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().code, 'NOT_FOUND');
  await app.close();
});

test('every 500 is logged once at error level with the request id, method, url and error', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((l) => l.length > 0),
      );
      done();
    },
  });
  const app = await buildApiServer({ ...base, requestsPerMinute: 100, docs: false, logger: pino(sink) });
  app.get('/boom', async () => {
    throw new Error('disk on fire');
  });
  app.get('/typed', async () => {
    throw new ApiError(409, 'MOTION_DECIDED', 'motion abc was already decided');
  });
  const boom = await app.inject('/boom?try=1');
  assert.equal(boom.statusCode, 500);
  assert.deepEqual(boom.json(), {
    code: 'INTERNAL',
    message: 'internal error; the operator can find details in the root log',
  });
  // Answers below 500 and request lines are not logged.
  assert.equal((await app.inject('/typed')).statusCode, 409);
  assert.equal((await app.inject('/nope')).statusCode, 404);
  await app.close();
  const records = lines.map((l) => JSON.parse(l));
  assert.equal(records.length, 1, lines.join('\n'));
  const [line] = records;
  assert.equal(line.level, 50);
  assert.equal(line.msg, 'request failed');
  assert.match(line.reqId, /^req-/);
  assert.equal(line.method, 'GET');
  assert.equal(line.url, '/boom?try=1');
  assert.equal(line.err.message, 'disk on fire');
  assert.match(line.err.stack, /disk on fire/);
});

test('oversized bodies are refused with 413 before any route runs', async () => {
  const app = await buildApiServer({ ...base, docs: false });
  let ran = false;
  app.post('/in', async () => {
    ran = true;
    return {};
  });
  const res = await app.inject({ method: 'POST', url: '/in', payload: { x: 'y'.repeat(4096) } });
  assert.equal(res.statusCode, 413);
  assert.equal(ran, false);
  await app.close();
});

test('per-address rate limit answers 429 with a clear message', async () => {
  const app = await buildApiServer({ ...base, docs: false });
  app.get('/x', async () => ({ ok: true }));
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await app.inject('/x')).statusCode);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
  const limited = await app.inject('/x');
  assert.equal(limited.json().code, 'RATE_LIMITED');
  await app.close();
});

test('health, metrics and OpenAPI docs are served', async () => {
  const registry = new Registry();
  const app = await buildApiServer({ ...base, requestsPerMinute: 100, metrics: registry });
  await app.register(healthRoutes, { health: () => ({ ok: true, detail: { height: 3 } }) });
  await app.register(metricsRoutes, { registry });
  await app.ready();
  const health = await app.inject('/health');
  assert.deepEqual(health.json(), { ok: true, height: 3 });
  const metrics = await app.inject('/metrics');
  assert.match(metrics.body, /witan_http_requests_total\{route="\/health",status="200"\} 1/);
  const docs = await app.inject('/docs/json');
  assert.equal(docs.statusCode, 200);
  assert.ok(docs.json().paths['/health']);
  await app.close();
});

test('a lagging event loop sheds load with 503 OVERLOADED, and serving resumes when it recovers', async () => {
  const app = await buildApiServer({
    ...base,
    requestsPerMinute: 1000,
    eventLoopDelayMaxMs: 50,
    docs: false,
  });
  app.get('/ping', async () => ({ ok: true }));
  assert.equal((await app.inject('/ping')).statusCode, 200);
  await lagEventLoop(1500);
  // The next reading of the loop's delay sees the lag.
  const shed = await waitUntil('a request shed while the loop lags', () => app.inject('/ping'), {
    until: (r) => r.statusCode !== 200,
    timeoutMs: 2000,
    intervalMs: 10,
  });
  assert.equal(shed.statusCode, 503);
  assert.equal(shed.json().code, 'OVERLOADED');
  assert.equal(shed.headers['retry-after'], '5');
  // An idle second brings the reading back under the bound.
  const status = await waitUntil('serving to resume', async () => (await app.inject('/ping')).statusCode, {
    until: (code) => code !== 503,
    timeoutMs: 5000,
    intervalMs: 250,
  });
  assert.equal(status, 200);
  await app.close();
});
