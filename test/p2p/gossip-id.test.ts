// Gossip message ids: the id gossipsub checks before verifying a signature (from the wire form)
// is the id it records after (from the validated message), so a forwarded copy is recognised as
// a duplicate without a signature verification, and a re-send under a new sequence number is not.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { SignedMessage } from '@libp2p/gossipsub';
import type { RPC } from '@libp2p/gossipsub/message';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { fastMessageId, messageId } from '../../src/node/p2p/index.ts';

async function pair(data: Uint8Array, seq: bigint, topic = '/witan/x/consensus/1') {
  const key = await generateKeyPair('Ed25519');
  const from = peerIdFromPrivateKey(key);
  const seqno = Buffer.alloc(8);
  seqno.writeBigUInt64BE(seq);
  const signature = randomBytes(64);
  const wire: RPC.Message = { from: from.toMultihash().bytes, data, seqno, topic, signature, key: undefined };
  const validated: SignedMessage = {
    type: 'signed',
    from,
    data,
    sequenceNumber: seq,
    topic,
    signature,
    key: key.publicKey,
  };
  return { wire, validated };
}

const asString = (id: Uint8Array) => Buffer.from(id).toString('base64');

test('the id read from the wire form equals the id of the validated message', async () => {
  const { wire, validated } = await pair(new TextEncoder().encode('a vote'), 7n);
  assert.equal(fastMessageId(wire), asString(messageId(validated)));
});

test('one publisher re-sending the same bytes under a new sequence number gets a new id', async () => {
  const data = new TextEncoder().encode('the same vote');
  const a = await pair(data, 1n);
  const b = { ...a.wire, seqno: Buffer.from('0000000000000002', 'hex') };
  assert.notEqual(fastMessageId(a.wire), fastMessageId(b));
});

test('another topic or other bytes give another id', async () => {
  const { wire } = await pair(new TextEncoder().encode('x'), 1n);
  assert.notEqual(fastMessageId(wire), fastMessageId({ ...wire, topic: '/witan/x/statements/1' }));
  assert.notEqual(fastMessageId(wire), fastMessageId({ ...wire, data: new TextEncoder().encode('y') }));
});
