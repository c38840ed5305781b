// Rendezvous server over the wire: status codes for bad TTLs, namespaces, records and cookies;
// UNREGISTER; expiry with an injected clock; garbage and oversized frames end only their stream.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record';
import * as lp from 'it-length-prefixed';
import {
  MessageType,
  RENDEZVOUS_PROTOCOL,
  RENDEZVOUS_REQUEST_BYTES_MAX,
  ResponseStatus,
  type RootHost,
} from '../../src/node/p2p/index.ts';
import { OverlayError } from '../../src/overlay/errors.ts';
import { RendezvousClient } from '../../src/overlay/rendezvous-client.ts';
import { type StockNode, startRoot, startStockNode } from './helpers.ts';

let clockMs = 1_700_000_000_000;
let root: RootHost;
let a: StockNode;
let b: StockNode;
let ca: RendezvousClient;
let cb: RendezvousClient;

before(async () => {
  root = await startRoot({ rendezvous: { now: () => clockMs } });
  const addr = root.multiaddrs()[0];
  assert.ok(addr);
  a = await startStockNode();
  b = await startStockNode();
  ca = new RendezvousClient(a.node, addr, { privateKey: a.privateKey });
  cb = new RendezvousClient(b.node, addr, { privateKey: b.privateKey });
});

after(async () => {
  await ca.close();
  await cb.close();
  await a.node.stop();
  await b.node.stop();
  await root.stop();
});

async function refusedWith(p: Promise<unknown>, status: number): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof OverlayError, String(err));
    assert.equal(err.code, 'RENDEZVOUS_REFUSED');
    assert.equal(err.status, status, err.message);
    return true;
  });
}

test('REGISTER answers OK with the TTL granted, 2 h when none is asked', async () => {
  assert.equal(await ca.register('witan/a', 600), 600);
  assert.equal(await ca.register('witan/a2'), 7200);
});

test('TTL below 120 s or above 72 h is answered E_INVALID_TTL', async () => {
  await refusedWith(ca.register('witan/ttl', 119), ResponseStatus.E_INVALID_TTL);
  await refusedWith(ca.register('witan/ttl', 72 * 3600 + 1), ResponseStatus.E_INVALID_TTL);
});

test('empty or over-long namespaces are answered E_INVALID_NAMESPACE', async () => {
  await refusedWith(ca.register(''), ResponseStatus.E_INVALID_NAMESPACE);
  await refusedWith(ca.register('x'.repeat(256)), ResponseStatus.E_INVALID_NAMESPACE);
  await refusedWith(ca.discover('y'.repeat(256)), ResponseStatus.E_INVALID_NAMESPACE);
  assert.equal(await ca.register('z'.repeat(255), 600), 600);
});

test("garbage record is E_INVALID_SIGNED_PEER_RECORD; another peer's valid record is E_NOT_AUTHORIZED", async () => {
  const garbage = await ca.request({
    type: MessageType.REGISTER,
    register: { ns: 'witan/rec', signedPeerRecord: new Uint8Array([1, 2, 3, 4]) },
  });
  assert.ok(garbage !== null);
  assert.equal(garbage.registerResponse?.status, ResponseStatus.E_INVALID_SIGNED_PEER_RECORD);
  const missing = await ca.request({ type: MessageType.REGISTER, register: { ns: 'witan/rec' } });
  assert.equal(missing?.registerResponse?.status, ResponseStatus.E_INVALID_SIGNED_PEER_RECORD);
  const other = await generateKeyPair('Ed25519');
  const envelope = await RecordEnvelope.seal(
    new PeerRecord({ peerId: peerIdFromPrivateKey(other), multiaddrs: [] }),
    other,
  );
  const forged = await ca.request({
    type: MessageType.REGISTER,
    register: { ns: 'witan/rec', signedPeerRecord: envelope.marshal() },
  });
  assert.equal(forged?.registerResponse?.status, ResponseStatus.E_NOT_AUTHORIZED);
});

test('a tampered cookie, or one for another namespace, is answered E_INVALID_COOKIE', async () => {
  await ca.register('witan/cookie', 600);
  const page = await cb.discover('witan/cookie', 10);
  assert.equal(page.registrations.length, 1);
  assert.ok(page.cookie);
  await refusedWith(cb.discover('witan/other', 10, page.cookie), ResponseStatus.E_INVALID_COOKIE);
  const tampered = page.cookie.slice();
  tampered[2] = (tampered[2] as number) ^ 0xff;
  await refusedWith(cb.discover('witan/cookie', 10, tampered), ResponseStatus.E_INVALID_COOKIE);
  await refusedWith(
    cb.discover('witan/cookie', 10, new Uint8Array([9, 9, 9])),
    ResponseStatus.E_INVALID_COOKIE,
  );
});

test('DISCOVER returns the signed record with the registering peer and its TTL left', async () => {
  await ca.register('witan/discover', 1000);
  clockMs += 100_000;
  const page = await cb.discover('witan/discover');
  assert.equal(page.registrations.length, 1);
  const reg = page.registrations[0];
  assert.equal(reg?.peerId, a.node.peerId.toString());
  assert.equal(reg?.ttlS, 900);
  assert.equal(reg?.ns, 'witan/discover');
});

test('UNREGISTER removes the registration', async () => {
  await ca.register('witan/unreg', 600);
  assert.equal((await cb.discover('witan/unreg')).registrations.length, 1);
  await ca.unregister('witan/unreg');
  // UNREGISTER has no response; a request after it on the same stream is answered after it.
  assert.equal((await ca.discover('witan/unreg')).registrations.length, 0);
});

test('expired registrations are neither returned nor counted, and are purged', async () => {
  await ca.register('witan/expire', 200);
  await cb.register('witan/expire', 7200);
  assert.equal((await cb.discover('witan/expire')).registrations.length, 2);
  clockMs += 201_000;
  const page = await cb.discover('witan/expire');
  assert.deepEqual(
    page.registrations.map((r) => r.peerId),
    [b.node.peerId.toString()],
  );
  const before = root.stats().rendezvousRegistrations;
  const server = (root.libp2p.services as { rendezvous: { store: { purgeExpired(n: number): number } } })
    .rendezvous;
  const purged = server.store.purgeExpired(clockMs);
  assert.ok(purged >= 1);
  assert.equal(root.stats().rendezvousRegistrations, before - purged);
});

async function rawStream(node: StockNode) {
  const addr = root.multiaddrs()[0];
  assert.ok(addr);
  return node.node.dialProtocol(addr, RENDEZVOUS_PROTOCOL);
}

async function closedByServer(stream: Awaited<ReturnType<typeof rawStream>>): Promise<void> {
  const deadline = Date.now() + 5000;
  let reset = false;
  try {
    for await (const _ of stream) {
      if (Date.now() > deadline) break;
    }
  } catch (err) {
    reset = (err as Error).name === 'StreamResetError';
  }
  assert.ok(reset || stream.status !== 'open', 'the server ends the stream');
}

test('a garbage frame ends that stream only; the server keeps answering', async () => {
  const s = await rawStream(a);
  s.send(
    lp.encode.single(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])),
  );
  await closedByServer(s);
  const t = await rawStream(a);
  t.send(lp.encode.single(new Uint8Array([0x08, 0x07]))); // type = 7: not a request
  await closedByServer(t);
  assert.equal(await cb.register('witan/after-garbage', 600), 600);
});

test('an oversized frame ends that stream before it is buffered; the server keeps answering', async () => {
  const s = await rawStream(a);
  s.send(lp.encode.single(new Uint8Array(RENDEZVOUS_REQUEST_BYTES_MAX + 1)));
  await closedByServer(s);
  const t = await rawStream(a);
  t.send(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f])); // announces a 4 GiB frame
  await closedByServer(t);
  assert.equal(await cb.register('witan/after-oversize', 600), 600);
});
