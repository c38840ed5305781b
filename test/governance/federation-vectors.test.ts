// The federation-key vectors (ledger/vectors/federation/) are reproduced byte for byte by their
// generator, and each is checked from the files alone, with code we did not write where it
// counts: the ledger replays under the rules, every key is what its DKG transcript gives, the
// world notes take a verifier from the first key to the last holding one key at a time (plain
// node:crypto Ed25519), the planets form a chain ZeroTier's update rule accepts (the rule as the
// tests write it), the checkpoint's federation line and ML-DSA-44 lines verify, and every
// complaint names who the revealed secret shows at fault.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { federationVectors, VECTORS_DIR } from '../../scripts/gen-federation-vectors.ts';
import { fromBase64, fromHex, toBase64, utf8Bytes } from '../../src/codec/index.ts';
import { openNote, parseMlDsaVkey, parseNote, parseVkey } from '../../src/crypto/index.ts';
import {
  type DkgConfig,
  groupKeyFromTranscript,
  judgeComplaint,
  type Round1Broadcast,
  type SealedShare,
} from '../../src/frost/index.ts';
import {
  decodeEntry,
  executeBatch,
  type FederationKey,
  replay,
  type SignedGenesis,
  type SignedStatement,
} from '../../src/governance/index.ts';
import { checkpointSubtree } from '../../src/ledger/index.ts';
import { parseWorld } from '../../src/zerotier/index.ts';
import { nodeVerifies, vkeyParts } from '../crypto/plain-ed25519.ts';
import { zeroTierAcceptsUpdate } from '../zerotier/zerotier-rule.ts';

const read = (name: string) => readFileSync(join(VECTORS_DIR, name));
const vector = <T>(name: string): T => JSON.parse(read(name).toString('utf8')) as T;

test('the generator reproduces every federation vector byte for byte', () => {
  for (const [name, content] of Object.entries(federationVectors())) {
    const want = typeof content === 'string' ? utf8Bytes(content) : content;
    assert.ok(
      Buffer.from(want).equals(read(name)),
      `${name} is stale: run scripts/gen-federation-vectors.ts`,
    );
  }
});

test('the vector ledger replays under the rules, and each key is what its DKG transcript gives', () => {
  const v = vector<{
    genesis: SignedGenesis;
    entries: string[];
    worlds: { version: number; federationKey: FederationKey | null }[];
  }>('ledger.json');
  const entries = v.entries.map((h) => fromHex(h));
  const { state } = replay(v.genesis, entries.slice(1));
  assert.equal(state.world.version, v.worlds.at(-1)!.version);
  const decoded = entries.map(decodeEntry);
  const keys = v.worlds.flatMap((w) => (w.federationKey === null ? [] : [w.federationKey]));
  const distinct = [...new Map(keys.map((k) => [k.publicKey, k])).values()];
  assert.equal(distinct.length, 2);
  for (const key of distinct) {
    const broadcasts: Round1Broadcast[] = decoded.flatMap((e) =>
      e.kind === 'statement' &&
      e.statement.statement.kind === 'dkg-commitment' &&
      e.statement.statement.session === key.session
        ? [
            {
              ...e.statement.statement,
              sessionId: e.statement.statement.session,
              participant: e.statement.statement.author,
            },
          ]
        : [],
    );
    const config: DkgConfig = {
      sessionId: key.session,
      participants: key.participants.map((p) => p.member),
      threshold: key.threshold,
    };
    const group = groupKeyFromTranscript(config, broadcasts);
    assert.equal(toBase64(fromHex(group.publicKey)), key.publicKey);
    for (const p of key.participants)
      assert.equal(toBase64(fromHex(group.verifyingShares[p.member]!)), p.verifyingShare);
  }
  // The ceremony that waited for cedar names it and restarts.
  const ceremonies = decoded.filter((e) => e.kind === 'ceremony');
  assert.deepEqual(
    ceremonies.map((e) => e.kind === 'ceremony' && e.excluded),
    [[{ member: 'cedar', reason: 'DKG_ABSENT' }]],
  );
  // World v3 (an HTTP endpoint moved) yields no planet: its signatures have no planet field.
  const signed = decoded.flatMap((e) =>
    e.kind === 'statement' && e.statement.statement.kind === 'federation-signature'
      ? [[e.statement.statement.version, e.statement.statement.planet !== undefined]]
      : [],
  );
  assert.deepEqual(signed, [
    [2, true],
    [3, false],
    [4, true],
    [5, true],
    [7, false],
  ]);
  // World v6 waited with v7; v7's signatures superseded it: nothing waits at the end.
  assert.equal(state.world.version, 7);
  assert.equal(state.pendingSignatures, undefined);
});

test("a superseded world's signatures are refused: SIGNATURE_NOT_PENDING, and nothing changes", () => {
  const v = vector<{ genesis: SignedGenesis; entries: string[]; batches: { timeMs: number }[] }>(
    'ledger.json',
  );
  const { refused } = vector<{ refused: { code: string; statement: SignedStatement } }>('world-notes.json');
  const { state } = replay(
    v.genesis,
    v.entries.slice(1).map((h) => fromHex(h)),
  );
  assert.equal(refused.statement.statement.kind, 'federation-signature');
  const r = executeBatch(state, {
    height: state.height + 1,
    timeMs: v.batches.at(-1)!.timeMs + 60_000,
    proposer: 'alder',
    statements: [refused.statement],
  });
  assert.deepEqual(
    r.rejected.map((x) => x.code),
    [refused.code],
  );
  assert.equal(r.state.world.version, state.world.version);
  assert.deepEqual(r.state.pendingSignatures, state.pendingSignatures);
});

test('from the first key alone, the world notes lead to the last key (node:crypto only); the planets chain', () => {
  const { pinned, notes } = vector<{ pinned: string; notes: { version: number; note: string }[] }>(
    'world-notes.json',
  );
  let held = pinned;
  const seen: string[] = [];
  for (const { note } of notes) {
    const parsed = parseNote(note);
    const k = vkeyParts(held);
    const line = parsed.signatures.find((s) => s.name === k.name && s.keyId === k.keyId);
    assert.ok(line !== undefined, 'signed by the key held');
    assert.ok(nodeVerifies(k.key, utf8Bytes(parsed.text), line.signature));
    held = parsed.text.split('\n').at(-2)!;
    seen.push(held);
  }
  assert.equal(new Set(seen).size, 2, 'one rotation: the first key, then the second');
  // Worlds v3, v6 and v7 changed only an HTTP endpoint: they yield no planet; v2, the removal
  // and the key transition do.
  const made = readdirSync(VECTORS_DIR)
    .filter((f) => f.endsWith('.planet'))
    .map((f) => Number(/^planet-v(\d+)\.planet$/.exec(f)![1]))
    .sort((a, b) => a - b);
  assert.deepEqual(made, [2, 4, 5]);
  assert.deepEqual(
    notes.map((n) => n.version),
    [2, 3, 4, 5, 7],
    'world v6 was superseded by v7 and has no note',
  );
  const planets = made.map((v) => new Uint8Array(read(`planet-v${v}.planet`)));
  for (const [i, p] of planets.entries()) {
    assert.equal(parseWorld(p).type, 'planet');
    assert.equal(parseWorld(p).timestamp, BigInt(made[i]!), 'timestamp = the version that made it');
  }
  for (let i = 1; i < planets.length; i++) assert.ok(zeroTierAcceptsUpdate(planets[i - 1]!, planets[i]!));
  // The last planet names the second key: its Ed25519 half is the key the last note names.
  const last = parseWorld(planets.at(-1)!);
  assert.equal(toBase64(last.updatesMustBeSignedBy.subarray(32)), toBase64(vkeyParts(held).key));
});

test('the checkpoint carries the federation line and ML-DSA-44 lines; a client pinned to one vkey verifies it', () => {
  const { text, note } = vector<{ text: string; note: string }>('checkpoint.json');
  const keys = vector<{
    keys: { vkey: string; publicKey: string }[];
    mlDsa: { name: string; vkey: string }[];
  }>('keys.json');
  const federation = keys.keys.at(-1)!;
  const opened = openNote(note, [parseVkey(federation.vkey)]);
  assert.equal(opened.text, text);
  assert.equal(opened.verified.length, 1);
  assert.ok(nodeVerifies(fromBase64(federation.publicKey), utf8Bytes(text), opened.verified[0]!.signature));
  const pq = openNote(
    note,
    keys.mlDsa.slice(0, 3).map((k) => parseMlDsaVkey(k.vkey, checkpointSubtree)),
  );
  assert.deepEqual(
    pq.verified.map((s) => s.name),
    ['alder', 'birch', 'cedar'],
  );
});

test('complaints name the sender of a bad share, or the author of a false complaint', () => {
  const c = vector<{
    config: DkgConfig;
    broadcasts: Round1Broadcast[];
    complainer: string;
    sealingSecret: string;
    cases: { box: SealedShare; atFault: string }[];
  }>('complaints.json');
  assert.deepEqual(
    c.cases.map((x) => x.atFault),
    ['birch', 'alder'],
  );
  for (const x of c.cases)
    assert.equal(judgeComplaint(c.config, c.broadcasts, c.complainer, x.box, c.sealingSecret), x.atFault);
});
