// World-chain verification: a client pinning the genesis walks worlds 1 → 3, each shown in a
// checkpoint cosigned by a quorum of the previous world's validators; every refusal code
// (gap, rollback, broken link, no quorum, not included, stale, empty, bad genesis) is reached.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toBase64 } from '../../src/codec/index.ts';
import { cosignatureSigner, ed25519NoteSigner, signNote } from '../../src/crypto/index.ts';
import {
  ballot,
  decodeEntry,
  encodeEntry,
  motion,
  verifyWorldChain,
  type World,
  type WorldStep,
} from '../../src/governance/index.ts';
import { formatCheckpoint, leafHash, nodeHash } from '../../src/ledger/index.ts';
import {
  admit,
  DAY_MS,
  FEDERATION,
  keysFor,
  makeGenesis,
  sign,
  statementId,
  T0,
  TestLedger,
} from './fixtures.ts';

function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** RFC 6962 §2.1.1 PATH(m, D[n]) over leaf hashes. */
function path(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k
    ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

function checkpointNote(leaves: Uint8Array[], signers: string[], timeS: number): string {
  const text = formatCheckpoint({
    origin: FEDERATION,
    size: leaves.length,
    rootHash: mth(leaves),
    extensions: [],
  });
  return signNote(text, [
    ed25519NoteSigner(FEDERATION, keysFor('m00').node.secretKey),
    ...signers.map((n) => cosignatureSigner(n, keysFor(n).node.secretKey, timeS)),
  ]);
}

// Worlds: 1 (genesis, 4 founders), 2 (n00 admitted in probation), 3 (n00 voting).
const ledger = new TestLedger(makeGenesis(4));
const mo = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0));
ledger.run([
  mo,
  ...['m00', 'm01', 'm02'].map((a) => sign(ballot(FEDERATION, a, statementId(mo), 'yes', T0))),
]);
ledger.run([], T0 + 31 * DAY_MS);
const all = [encodeEntry({ kind: 'genesis', genesis: ledger.genesis }), ...ledger.entries];
const leaves = all.map(leafHash);
const nowMs = T0 + 31 * DAY_MS + 60_000;
const nowS = Math.floor(nowMs / 1000) - 30;

function worldSteps(signers: string[] = ['m00', 'm01', 'm02']): WorldStep[] {
  const steps: WorldStep[] = [];
  all.forEach((bytes, i) => {
    const e = decodeEntry(bytes);
    if (e.kind !== 'world' && e.kind !== 'genesis') return;
    const world = e.kind === 'world' ? e.world : e.genesis.world;
    const causes = e.kind === 'world' ? e.causes : [];
    const size = all.length; // every step proven in the latest tree, cosigned by worlds' validators
    const who = world.version === 3 ? [...signers, 'm03'].slice(0, 4) : signers;
    steps.push({
      world,
      causes,
      proof: {
        checkpointNote: checkpointNote(leaves.slice(0, size), who, nowS),
        inclusionProof: path(i, leaves.slice(0, size)).map(toBase64),
        entryIndex: i,
        treeSize: size,
      },
    });
  });
  return steps;
}

test('a client verifies the chain from the pinned genesis to the current world', () => {
  const steps = worldSteps();
  assert.deepEqual(
    steps.map((s) => s.world.version),
    [1, 2, 3],
  );
  const r = verifyWorldChain(ledger.genesis, steps, { nowMs });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.ok && r.world.version, 3);
  assert.equal(r.ok && r.worldHash, ledger.state.worldHash);
  assert.equal(
    verifyWorldChain(ledger.genesis, steps.slice(1), { nowMs }).ok,
    true,
    'the genesis step is optional',
  );
});

test('refusals: empty chain, bad genesis, gap, rollback, broken link, known version', () => {
  const steps = worldSteps();
  const code = (
    s: WorldStep[],
    o: Partial<Parameters<typeof verifyWorldChain>[2]> = {},
    g = ledger.genesis,
  ) => {
    const r = verifyWorldChain(g, s, { nowMs, ...o });
    return r.ok ? 'ok' : r.code;
  };
  assert.equal(code([]), 'CHAIN_EMPTY');
  assert.equal(
    code(steps, {}, { ...ledger.genesis, signatures: ledger.genesis.signatures.slice(1) }),
    'BAD_GENESIS',
  );
  assert.equal(code([steps[0]!, steps[2]!]), 'CHAIN_GAP');
  assert.equal(code([steps[0]!, steps[1]!, steps[1]!]), 'ROLLBACK');
  const forged: World = { ...steps[1]!.world, previous: 'ab'.repeat(32) };
  assert.equal(code([{ ...steps[1]!, world: forged }]), 'BROKEN_LINK');
  assert.equal(code(steps, { knownVersion: 4 }), 'ROLLBACK');
  assert.equal(
    code([{ ...steps[1]!, world: { ...steps[1]!.world, federation: 'other.test' } }]),
    'WRONG_FEDERATION',
  );
});

test('refusals: too few cosigners, a proof for another entry, a stale quorum', () => {
  const few = worldSteps(['m00', 'm01']);
  const r = verifyWorldChain(ledger.genesis, few, { nowMs });
  assert.equal(!r.ok && r.code, 'NO_QUORUM');
  const steps = worldSteps();
  const wrong = { ...steps[1]!, proof: { ...steps[1]!.proof, entryIndex: steps[1]!.proof.entryIndex - 1 } };
  const n = verifyWorldChain(ledger.genesis, [wrong], { nowMs });
  assert.equal(!n.ok && n.code, 'NOT_INCLUDED');
  const s = verifyWorldChain(ledger.genesis, steps, { nowMs: nowMs + 2 * 3_600_000 });
  assert.equal(!s.ok && s.code, 'STALE');
  // A fresher head cosigned by the final world's validators (n00 included) makes it fresh again.
  const later = nowMs + 2 * 3_600_000;
  const head = {
    ...steps[2]!.proof,
    checkpointNote: checkpointNote(leaves, ['m00', 'm01', 'n00', 'm03'], Math.floor(later / 1000)),
  };
  assert.equal(verifyWorldChain(ledger.genesis, steps, { nowMs: later, head }).ok, true);
});

test('a head at the end of the batch that made the last world may carry the quorum of the world before; a later head may not', () => {
  const steps = worldSteps();
  const last = steps.at(-1)!;
  assert.equal(last.world.version, 3);
  assert.equal(last.proof.entryIndex, all.length - 1, 'world 3 is the last entry of its batch');
  // World 2's validators (m00–m03, quorum 3) cosigned the tree that ends with world 3's entry;
  // world 3's five validators would need four.
  const priorQuorum = ['m00', 'm01', 'm02'];
  const atEnd = {
    checkpointNote: checkpointNote(leaves, priorQuorum, nowS),
    inclusionProof: path(last.proof.entryIndex, leaves).map(toBase64),
    entryIndex: last.proof.entryIndex,
    treeSize: leaves.length,
  };
  const accepted = verifyWorldChain(ledger.genesis, steps, { nowMs, head: atEnd });
  assert.equal(accepted.ok, true, JSON.stringify(accepted));
  // One entry later, world 3 is in force: only its validators commit that size.
  const grown = [...leaves, leafHash(new TextEncoder().encode('a later entry'))];
  const later = {
    checkpointNote: checkpointNote(grown, priorQuorum, nowS),
    inclusionProof: path(last.proof.entryIndex, grown).map(toBase64),
    entryIndex: last.proof.entryIndex,
    treeSize: grown.length,
  };
  const refused = verifyWorldChain(ledger.genesis, steps, { nowMs, head: later });
  assert.equal(refused.ok, false);
  assert.equal(refused.ok === false && refused.code, 'NO_QUORUM');
  assert.equal(refused.ok === false && refused.step, -1);
});
