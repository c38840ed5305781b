import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { loadConfig, parseConfig } from '../../src/node/config.ts';
import { DEFAULT_HTTP_PORT } from '../../src/node/constants.ts';
import { NodeError } from '../../src/node/errors.ts';
import { createLogger } from '../../src/node/logger.ts';
import { tempDir } from '../helpers/temp.ts';

function expectCode(fn: () => unknown, code: string, pattern?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof NodeError);
    assert.equal(err.code, code);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

test('an empty config gets every default, with paths resolved against the file', () => {
  const config = parseConfig({}, '/srv/witan/witan.json');
  assert.equal(config.dataDir, '/srv/witan');
  assert.equal(config.nodeKeyFile, '/srv/witan/node.key');
  assert.equal(config.http.port, DEFAULT_HTTP_PORT);
  assert.equal(config.operator.host, '127.0.0.1');
  assert.ok(config.p2p.listen.length > 0);
  assert.deepEqual(config.consensus.timeouts, {}, "the consensus core's defaults apply");
});

test('consensus timeouts are taken from the file, each within its bounds', () => {
  const config = parseConfig({ consensus: { timeouts: { proposeMs: 800, deltaMs: 100 } } }, 'x.json');
  assert.deepEqual(config.consensus.timeouts, { proposeMs: 800, deltaMs: 100 });
  expectCode(
    () => parseConfig({ consensus: { timeouts: { proposeMs: 0 } } }, 'x.json'),
    'CONFIG_INVALID',
    /\/consensus\/timeouts\/proposeMs/,
  );
  expectCode(
    () => parseConfig({ consensus: { timeouts: { roundMs: 100 } } }, 'x.json'),
    'CONFIG_INVALID',
    /\/consensus\/timeouts/,
  );
});

test('unknown fields and wrong types are reported with their path', () => {
  expectCode(() => parseConfig({ htp: {} }, 'x.json'), 'CONFIG_INVALID', /htp/);
  expectCode(() => parseConfig({ http: { port: 70000 } }, 'x.json'), 'CONFIG_INVALID', /\/http\/port/);
  expectCode(() => parseConfig({ log: { level: 'loud' } }, 'x.json'), 'CONFIG_INVALID', /\/log\/level/);
});

test('environment overrides apply and are validated too', () => {
  const config = parseConfig({}, '/a/witan.json', {
    WITAN_HTTP_PORT: '9000',
    WITAN_P2P_LISTEN: '/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2',
    WITAN_LOG_LEVEL: 'debug',
  });
  assert.equal(config.http.port, 9000);
  assert.deepEqual(config.p2p.listen, ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2']);
  assert.equal(config.log.level, 'debug');
  expectCode(
    () => parseConfig({}, 'x.json', { WITAN_HTTP_PORT: '80a' }),
    'CONFIG_INVALID',
    /WITAN_HTTP_PORT/,
  );
  expectCode(() => parseConfig({}, 'x.json', { WITAN_LOG_LEVEL: 'loud' }), 'CONFIG_INVALID');
});

test('a missing or malformed file says what to do', () => {
  const dir = tempDir('config');
  expectCode(() => loadConfig(join(dir, 'nope.json'), {}), 'CONFIG_UNREADABLE', /witan init/);
  writeFileSync(join(dir, 'bad.json'), '{ not json');
  expectCode(() => loadConfig(join(dir, 'bad.json'), {}), 'CONFIG_INVALID', /not valid JSON/);
  writeFileSync(join(dir, 'ok.json'), JSON.stringify({ http: { port: 1234 } }));
  assert.equal(loadConfig(join(dir, 'ok.json'), {}).http.port, 1234);
});

test('secrets are redacted from log lines', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = createLogger({ level: 'info', pretty: false }, sink);
  log.info({ key: { secretKey: 'AAAA', publicKey: 'BBBB' }, passphrase: 'hunter2' }, 'loaded key');
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines[0]!, /AAAA|hunter2/);
  assert.match(lines[0]!, /BBBB/);
});
