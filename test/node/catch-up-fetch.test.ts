// Catch-up's reads of a peer's /consensus/decisions against a real server on 127.0.0.1: the
// largest answer an honest root can give is taken, a larger one is cut while the peer is still
// sending, a decision of the wrong shape is dropped alone, and a body built to be costly to
// parse is refused before it is parsed.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { toBase64 } from '../../src/codec/index.ts';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { DEFAULT_POLICY, MEMBERS_MAX } from '../../src/governance/index.ts';
import type { NetError } from '../../src/net/index.ts';
import {
  CATCH_UP_BATCH,
  CATCH_UP_RESPONSE_BYTES_MAX,
  DECISION_JSON_BYTES_MAX,
  fetchDecisions,
} from '../../src/node/catch-up.ts';
import { GOSSIP_MESSAGE_BYTES_MAX } from '../../src/node/p2p/constants.ts';
import { signVote } from '../../src/wire/index.ts';

const key = generateKeyPair();
const VALUE_ID = 'ab'.repeat(32);
const precommit = signVote(
  {
    federation: 'catch-up.test',
    height: 1,
    round: 0,
    type: 'precommit',
    valueId: VALUE_ID,
    validator: toBase64(key.publicKey),
  },
  key.secretKey,
);

/** A decision as a root serves it; `valueBytes` of value, a certificate of MEMBERS_MAX precommits. */
function decision(height: number, valueBytes: number): Record<string, unknown> {
  return {
    height,
    round: 0,
    valueId: VALUE_ID,
    value: toBase64(new Uint8Array(valueBytes).fill(height)),
    certificate: Array(MEMBERS_MAX).fill(precommit),
  };
}

async function peer(handler: http.RequestListener) {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

test('the largest answer an honest peer gives is read; a malformed decision is dropped alone', async () => {
  // A decided value crossed gossip as base64 inside one proposal: at most 3/4 of a message.
  const valueBytes = (GOSSIP_MESSAGE_BYTES_MAX * 3) / 4 - 4096;
  const decisions: unknown[] = Array.from({ length: CATCH_UP_BATCH }, (_, i) => decision(i + 1, valueBytes));
  decisions[1] = { height: 2, round: 'zero' };
  const body = JSON.stringify({ decisions });
  assert.ok(body.length <= CATCH_UP_RESPONSE_BYTES_MAX);
  assert.ok(JSON.stringify(decisions[0]).length <= DECISION_JSON_BYTES_MAX);
  const server = await peer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  try {
    const got = await fetchDecisions(server.url, 1, CATCH_UP_BATCH);
    assert.equal(got.length, CATCH_UP_BATCH - 1);
    assert.deepEqual(
      got.map((d) => d.height),
      Array.from({ length: CATCH_UP_BATCH }, (_, i) => i + 1).filter((h) => h !== 2),
    );
    assert.equal(got[0]!.value.length, valueBytes);
    assert.equal(got[0]!.certificate.length, MEMBERS_MAX);
  } finally {
    await server.close();
  }
});

test('an answer larger than a batch of decisions can be is cut while the peer is still sending', async () => {
  let written = 0;
  let closed = false;
  const server = await peer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }); // no length: streamed
    res.write('{"decisions":[');
    const item = Buffer.from(`${JSON.stringify(decision(1, 64 * 1024))},`);
    const more = (): void => {
      while (!closed && written < 4 * CATCH_UP_RESPONSE_BYTES_MAX) {
        written += item.length;
        if (!res.write(item)) return void res.once('drain', more);
      }
    };
    res.on('close', () => {
      closed = true;
    });
    more();
  });
  try {
    await assert.rejects(fetchDecisions(server.url, 1, CATCH_UP_BATCH), { code: 'TOO_LARGE' });
    while (!closed) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(written < 2 * CATCH_UP_RESPONSE_BYTES_MAX, `the peer wrote ${written} bytes before the cut`);
  } finally {
    await server.close();
  }
});

test('a decision built to be costly to parse is refused before it is parsed', async () => {
  const server = await peer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"decisions":[[${Array(100_000).fill('[]').join(',')}]]}`);
  });
  try {
    await assert.rejects(fetchDecisions(server.url, 1, CATCH_UP_BATCH), {
      code: 'TOO_LARGE',
      message: /bytes outside strings/,
    });
  } finally {
    await server.close();
  }
});

test('catch-up connects only to addresses the policy allows: a member cannot point every root at an internal service', async () => {
  let asked = 0;
  const server = await peer((_req, res) => {
    asked++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ decisions: [decision(1, 16)] }));
  });
  const port = new URL(server.url).port;
  try {
    const strict = DEFAULT_POLICY;
    // An IP literal is judged before any connection; a name is judged by what it resolves to,
    // on the connection that uses it (a name checked at one address and used at another would
    // otherwise slip through).
    for (const base of [server.url, `http://localhost:${port}`]) {
      await assert.rejects(fetchDecisions(base, 1, CATCH_UP_BATCH, strict), (e: NetError) => {
        assert.equal(e.code, 'ADDRESS_REFUSED');
        assert.match(
          e.message,
          /127\.0\.0\.1 is a loopback address|localhost resolves to (127\.0\.0\.1|::1), a loopback/,
        );
        return true;
      });
    }
    assert.equal(asked, 0, 'nothing reached the internal service');
    // A federation that allows private endpoints (a devnet, one private network) asks them.
    const open = { ...strict, privateEndpointsAllowed: true };
    assert.equal((await fetchDecisions(server.url, 1, CATCH_UP_BATCH, open)).length, 1);
    assert.equal(asked, 1);
  } finally {
    await server.close();
  }
});
