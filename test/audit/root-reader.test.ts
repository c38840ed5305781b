// The auditor's reads of one root, against a real server on 127.0.0.1: each object bounded by
// what it can be (a hash tile is at most 256 hashes), a tile of the wrong length refused.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { RootReader } from '../../src/audit/index.ts';
import { HttpClient } from '../../src/net/index.ts';

test('a root reader bounds each object and checks tile lengths', async () => {
  const server = http.createServer((req, res) => {
    if (req.url === '/checkpoint') return res.end('origin\n1\nAAAA\n');
    if (req.url === '/tile/0/000') return res.end(Buffer.alloc(32 * 256 + 1)); // one byte over a full tile
    if (req.url === '/tile/0/001.p/1') return res.end(Buffer.alloc(31)); // a partial tile of one hash is 32 bytes
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const reader = new RootReader(`http://127.0.0.1:${port}/`, new HttpClient({ attemptsMax: 1 }));
    assert.equal(reader.url, `http://127.0.0.1:${port}`);
    assert.equal(await reader.checkpoint(), 'origin\n1\nAAAA\n');
    await assert.rejects(reader.tile(0, 0, 256), { code: 'TOO_LARGE' });
    await assert.rejects(reader.tile(0, 1, 1), { code: 'BAD_RESPONSE', message: /31 bytes, expected 32/ });
    await assert.rejects(reader.bundle(0, 256), { code: 'HTTP_STATUS', status: 404 });
    assert.throws(() => new RootReader('file:///etc/passwd', new HttpClient()), { code: 'BAD_URL' });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
