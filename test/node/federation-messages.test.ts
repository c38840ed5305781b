// The federation key's gossip messages (src/node/federation/messages.ts) on their own: each of
// the four types comes back from the wire as it was sent, and a message signed by its member but
// of the wrong shape (a field too many or missing, a malformed member, key, nonce or job, an
// unknown type, an inherited property name as type) is refused with BAD_MESSAGE.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { utf8Bytes } from '../../src/codec/index.ts';
import { keyPairFromSeed, sha256 } from '../../src/crypto/index.ts';
import {
  decodeFrostMessage,
  encodeFrostMessage,
  FederationError,
  type FrostMessage,
} from '../../src/node/federation/index.ts';

const FEDERATION = 'messages.witan.test';
const MEMBER = 'alder';
const NODE = keyPairFromSeed(sha256(utf8Bytes('alder node key')));
const KEY = `${'A'.repeat(42)}E=`;
const POINT = 'ab'.repeat(32);
const SIGNATURE = `${'B'.repeat(86)}==`;

const MESSAGES: FrostMessage[] = [
  {
    type: 'commitments',
    member: MEMBER,
    key: KEY,
    book: 'cd'.repeat(16),
    seq: 3,
    commitments: [{ hiding: POINT, binding: 'ef'.repeat(32) }],
  },
  {
    type: 'request',
    member: MEMBER,
    key: KEY,
    job: { kind: 'checkpoint', size: 12, rootHash: KEY },
    message: 'aGVsbG8=',
    commitments: [{ participant: 'birch', hiding: POINT, binding: POINT }],
  },
  { type: 'share', member: MEMBER, key: KEY, request: POINT, share: POINT },
  {
    type: 'signature',
    member: MEMBER,
    key: KEY,
    job: { kind: 'world', version: 4, part: 'planet' },
    signature: SIGNATURE,
  },
];

function decode(bytes: Uint8Array): FrostMessage {
  return decodeFrostMessage(bytes, FEDERATION, (m) => (m === MEMBER ? NODE.publicKey : undefined));
}

/** Signed by the member's node key as any message is, whatever its shape. */
function signed(m: Record<string, unknown>): Uint8Array {
  return encodeFrostMessage(FEDERATION, m as unknown as FrostMessage, NODE.secretKey);
}

function without(m: FrostMessage, field: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...m };
  delete copy[field];
  return copy;
}

function refusal(m: Record<string, unknown>): string {
  try {
    decode(signed(m));
  } catch (error) {
    if (error instanceof FederationError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'accepted';
}

test('each message type comes back from the wire as it was sent', () => {
  for (const m of MESSAGES)
    assert.deepEqual(decode(encodeFrostMessage(FEDERATION, m, NODE.secretKey)), m, m.type);
});

test('a signed message of the wrong shape is refused with BAD_MESSAGE, naming what is wrong', () => {
  const [commitments, request, share, signature] = MESSAGES as [
    FrostMessage,
    FrostMessage,
    FrostMessage,
    FrostMessage,
  ];
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...share, type: 'nonce' }, /^BAD_MESSAGE: unknown message type$/],
    [{ ...share, type: 'constructor' }, /^BAD_MESSAGE: unknown message type$/],
    [{ ...share, extra: 1 }, /^BAD_MESSAGE: share has fields extra,key,member,request,share,type/],
    [without(signature, 'job'), /^BAD_MESSAGE: signature has fields key,member,signature,type/],
    [{ ...share, member: 'Not A Name' }, /^BAD_MESSAGE: member is malformed$/],
    [{ ...signature, key: 'short' }, /^BAD_MESSAGE: key is malformed$/],
    [
      { ...signature, job: { kind: 'world', version: 4, part: 'sun' } },
      /^BAD_MESSAGE: part is note, planet or moon$/,
    ],
    [{ ...commitments, seq: -1 }, /^BAD_MESSAGE: seq is not an integer/],
    [
      { ...commitments, commitments: [{ hiding: POINT, binding: 'zz' }] },
      /^BAD_MESSAGE: binding is malformed$/,
    ],
    [
      { ...commitments, commitments: [{ participant: 'birch', hiding: POINT, binding: POINT }] },
      /^BAD_MESSAGE: commitment has fields/,
    ],
    [
      { ...request, commitments: [{ participant: 'Birch', hiding: POINT, binding: POINT }] },
      /^BAD_MESSAGE: member is malformed$/,
    ],
    [{ ...request, commitments: [{ hiding: POINT, binding: POINT }] }, /^BAD_MESSAGE: commitment has fields/],
    [{ ...request, message: 'A'.repeat(8000) }, /^BAD_MESSAGE: the message is too long$/],
  ];
  for (const [m, expected] of cases) assert.match(refusal(m), expected, JSON.stringify(m).slice(0, 120));
});
