// The per-request logger (src/api/deferred-logger.ts): a request that logs nothing makes no child
// logger; one that logs gets its child then, bound to its request id.

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { buildApiServer } from '../../src/api/server.ts';
import { TEST_SERVER_OPTIONS } from './server-options.ts';

test('a child logger is made only for a request that logs, and its lines carry the request id', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino(sink);
  // pino's children inherit child() from their parent: counting it there counts every child
  // logger made under this one, the listener's and the requests'.
  let children = 0;
  const child = logger.child;
  logger.child = function (this: typeof logger, ...args: Parameters<typeof child>) {
    children++;
    return child.apply(this, args);
  } as typeof logger.child;
  const app = await buildApiServer({ ...TEST_SERVER_OPTIONS, logger, requestsPerMinute: 100 });
  t.after(() => app.close());
  app.get('/fine', async () => ({ ok: true }));
  app.get('/boom', async () => {
    throw new Error('disk on fire');
  });
  await app.ready();
  const before = children;
  for (let i = 0; i < 5; i++) assert.equal((await app.inject('/fine')).statusCode, 200);
  assert.equal((await app.inject('/nowhere')).statusCode, 404);
  assert.equal(children, before, 'no child logger for requests that log nothing');
  const boom = await app.inject('/boom');
  assert.equal(boom.statusCode, 500);
  // The first line logged also makes the listener's own child (fastify's serializers).
  assert.ok(children > before, 'a child logger for the request that failed');
  const afterFirst = children;
  assert.equal((await app.inject('/boom')).statusCode, 500);
  assert.equal(children, afterFirst + 1, 'one child logger for each further request that logs');
  const failed = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request failed');
  assert.deepEqual(
    failed.map((l) => l.reqId),
    ['req-7', 'req-8'],
  );
  assert.equal(failed[0].err.message, 'disk on fire');
  assert.match(failed[0].err.stack, /disk on fire/);
});
