// Our ciphersuite instance (src/frost/suite.ts) is noble's ed25519_FROST without its repeated
// point checks: for the same randomness every output — DKG packages, group key, shares,
// nonces, signature shares and the signature — is byte for byte what ed25519_FROST gives.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ed25519_FROST } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, toHex, utf8Bytes } from '../../src/codec/index.ts';
import { FROST } from '../../src/frost/index.ts';

/** SHA-256 in counter mode: the same stream for both suites. */
function stream(label: string): (n?: number) => Uint8Array<ArrayBuffer> {
  let counter = 0;
  return (n = 32) => {
    let out = new Uint8Array(0);
    while (out.length < n) out = new Uint8Array(concatBytes(out, sha256(utf8Bytes(`${label}/${counter++}`))));
    return new Uint8Array(out.slice(0, n));
  };
}

type Suite = typeof FROST;

function transcript(suite: Suite): string[] {
  const rng = stream('suite equivalence');
  const n = 4;
  const signers = { min: 3, max: n };
  const ids = ['a', 'b', 'c', 'd'].map((x) => suite.Identifier.derive(x));
  const r1 = ids.map((id) => suite.DKG.round1(id, signers, undefined, rng));
  const others = (i: number) => r1.filter((_, j) => j !== i).map((r) => r.public);
  const r2 = r1.map((r, i) => suite.DKG.round2(r.secret, others(i)));
  const r3 = r1.map((r, i) =>
    suite.DKG.round3(
      r.secret,
      others(i),
      ids.flatMap((_, j) => (j === i ? [] : [r2[j]![ids[i]!]!])),
    ),
  );
  const message = utf8Bytes('witan suite equivalence');
  const chosen = r3.slice(0, 3);
  const nonces = chosen.map((k) => suite.commit(k.secret, rng));
  const commitments = nonces.map((x) => x.commitments);
  const shares = chosen.map((k, i) =>
    suite.signShare(k.secret, k.public, nonces[i]!.nonces, commitments, message),
  );
  const signature = suite.aggregate(
    r3[0]!.public,
    commitments,
    message,
    Object.fromEntries(chosen.map((k, i) => [k.secret.identifier, shares[i]!])),
  );
  return [
    ...r1.map((r) => toHex(concatBytes(...r.public.commitment, r.public.proofOfKnowledge))),
    ...r3.map((r) => toHex(r.secret.signingShare)),
    toHex(concatBytes(...r3[0]!.public.commitments)),
    ...commitments.map((c) => toHex(concatBytes(c.hiding, c.binding))),
    ...shares.map(toHex),
    toHex(signature),
  ];
}

test('our suite gives exactly what noble ed25519_FROST gives, for the same randomness', () => {
  assert.deepEqual(transcript(FROST), transcript(ed25519_FROST));
});

test('our suite still refuses a point outside the prime-order group', () => {
  // A point of order 8 as the second VSS coefficient (which no proof of knowledge covers):
  // RFC 9591 §3.1 DeserializeElement refuses it.
  const smallOrder = new Uint8Array(32);
  smallOrder[0] = 0xc7;
  smallOrder.set(Buffer.from('176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'hex'), 1);
  const id = FROST.Identifier.derive('a');
  const other = FROST.DKG.round1(FROST.Identifier.derive('b'), { min: 2, max: 2 });
  const { secret } = FROST.DKG.round1(id, { min: 2, max: 2 });
  const bad = { ...other.public, commitment: [other.public.commitment[0]!, smallOrder] };
  assert.throws(() => FROST.DKG.round2(secret, [bad]), /prime-order subgroup/);
  assert.doesNotThrow(() =>
    FROST.DKG.round2(FROST.DKG.round1(id, { min: 2, max: 2 }).secret, [other.public]),
  );
});
