import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ed25519_FROST } from '@noble/curves/ed25519.js';
import { fromHex, toHex, utf8Bytes } from '../../src/codec/index.ts';
import {
  DkgParticipant,
  groupKeyFromTranscript,
  identifierOf,
  type SealedShare,
} from '../../src/frost/index.ts';
import { newSealingKeyPair, seal } from '../../src/frost/seal.ts';
import {
  frostCode,
  names,
  nodeVerifies,
  runDkg,
  SESSION,
  sealedTo,
  startCeremony,
  thresholdSign,
} from './helpers.ts';

test('a 3-of-4 DKG: every member gets the same group key, the one an auditor derives from the transcript', () => {
  const { group, shares, ceremony } = runDkg(4, 3);
  assert.equal(group.threshold, 3);
  assert.deepEqual(Object.keys(group.verifyingShares), names(4));
  assert.deepEqual(groupKeyFromTranscript(ceremony.config, ceremony.broadcasts), group);
  // Any three shares reconstruct the same secret; two do not suffice to sign (noble refuses).
  const secret = (s: typeof shares) =>
    toHex(
      ed25519_FROST.combineSecret(
        s.map((k) => ({ identifier: identifierOf(k.participant), signingShare: fromHex(k.signingShare) })),
        { min: 3, max: 4 },
      ),
    );
  assert.equal(secret(shares.slice(0, 3)), secret(shares.slice(1, 4)));
  const message = utf8Bytes('world 2\n');
  assert.equal(nodeVerifies(group.publicKey, message, thresholdSign(group, shares.slice(1), message)), true);
});

test('seven members, two offline: five sign, and plain node:crypto Ed25519 accepts the signature', () => {
  const { group, shares } = runDkg(7, 5);
  const message = utf8Bytes('example.org/log\n42\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
  const signature = thresholdSign(
    group,
    [shares[0]!, shares[2]!, shares[3]!, shares[5]!, shares[6]!],
    message,
  );
  assert.equal(nodeVerifies(group.publicKey, message, signature), true);
  assert.equal(nodeVerifies(group.publicKey, utf8Bytes('another message'), signature), false);
});

test('bad round-1 broadcasts are refused, name their sender, and change nothing', () => {
  const config = { sessionId: SESSION, participants: names(4), threshold: 3 };
  const ps = config.participants.map((p) => new DkgParticipant(config, p));
  const good = ps.map((p) => p.broadcast);
  const me = ps[0]!;
  const replace = (i: number, patch: object) => good.map((b, k) => (k === i ? { ...b, ...patch } : b));

  assert.deepEqual(
    frostCode(() => me.round2(replace(1, { participant: 'stranger.example' }))),
    {
      code: 'NOT_A_PARTICIPANT',
      participant: undefined,
    },
  );
  assert.equal(frostCode(() => me.round2(replace(1, { sessionId: 'bb'.repeat(32) }))).code, 'WRONG_SESSION');
  assert.deepEqual(
    frostCode(() => me.round2(replace(2, { commitment: good[2]!.commitment.slice(1) }))),
    {
      code: 'WRONG_THRESHOLD',
      participant: names(4)[2],
    },
  );
  assert.equal(frostCode(() => me.round2([...good, good[3]!])).code, 'DUPLICATE_PACKAGE');
  assert.deepEqual(
    frostCode(() => me.round2(good.slice(0, 3))),
    { code: 'MISSING_PACKAGE', participant: names(4)[3] },
  );
  assert.equal(
    frostCode(() => me.round2(replace(1, { sealingKey: '00'.repeat(32) }))).code,
    'MALFORMED_PACKAGE',
  );
  assert.equal(frostCode(() => me.round2(replace(1, { proofOfKnowledge: 'zz' }))).code, 'MALFORMED_PACKAGE');
  // A proof of knowledge copied from another member: a rogue-key attempt.
  assert.deepEqual(
    frostCode(() => me.round2(replace(3, { proofOfKnowledge: good[2]!.proofOfKnowledge }))),
    {
      code: 'BAD_PROOF',
      participant: names(4)[3],
    },
  );
  assert.equal(
    frostCode(() => me.round2(replace(0, { sealingKey: good[1]!.sealingKey }))).code,
    'MALFORMED_PACKAGE',
  );
  assert.equal(frostCode(() => me.round3([])).code, 'OUT_OF_ORDER');
  // None of that changed the participant: the ceremony completes with the right broadcasts.
  const sealed = ps.flatMap((p) => p.round2(good));
  assert.equal(frostCode(() => me.round2(good)).code, 'OUT_OF_ORDER');
  const groups = ps.map((p) => p.round3(sealed.filter((s) => s.to === p.self)).group);
  assert.deepEqual(groups[0], groups[3]);
  assert.deepEqual(groupKeyFromTranscript(config, good), groups[0]);
});

test('wrong thresholds and participant lists are refused before anything is generated', () => {
  const p = names(4);
  const make = (participants: string[], threshold: number) => () =>
    new DkgParticipant({ sessionId: SESSION, participants, threshold }, participants[0]!);
  assert.equal(frostCode(make(p, 1)).code, 'WRONG_THRESHOLD');
  assert.equal(frostCode(make(p, 5)).code, 'WRONG_THRESHOLD');
  assert.equal(frostCode(make(p, 2.5)).code, 'WRONG_THRESHOLD');
  assert.equal(frostCode(make([...p, p[0]!], 3)).code, 'DUPLICATE_PACKAGE');
  assert.equal(frostCode(make(['has space', ...p], 3)).code, 'MALFORMED_PACKAGE');
  assert.equal(
    frostCode(() => new DkgParticipant({ sessionId: 'aa', participants: p, threshold: 3 }, p[0]!)).code,
    'MALFORMED_PACKAGE',
  );
  assert.equal(
    frostCode(
      () => new DkgParticipant({ sessionId: SESSION, participants: p, threshold: 3 }, 'stranger.example'),
    ).code,
    'NOT_A_PARTICIPANT',
  );
});

test('bad sealed shares are refused and name their sender; a tampered box changes nothing', () => {
  const c = startCeremony(4, 3);
  const [alice, bob, carol] = names(4) as [string, string, string, string];
  const me = c.participants[0]!;
  const mine = sealedTo(c, alice);
  const from = (name: string) => mine.findIndex((s) => s.from === name);
  const patched = (i: number, patch: Partial<SealedShare>) =>
    mine.map((s, k) => (k === i ? { ...s, ...patch } : s));
  const flipped = mine[from(bob)]!.ciphertext.replace(/^./, (d) => (d === '0' ? '1' : '0'));
  assert.deepEqual(
    frostCode(() => me.round3(patched(from(bob), { ciphertext: flipped }))),
    { code: 'BAD_SHARE', participant: bob },
  );
  // A box for Bob → Alice relabelled as Carol → Alice does not open (the names are bound in).
  assert.deepEqual(
    frostCode(() =>
      me.round3(
        patched(from(carol), { ciphertext: mine[from(bob)]!.ciphertext, nonce: mine[from(bob)]!.nonce }),
      ),
    ),
    {
      code: 'BAD_SHARE',
      participant: carol,
    },
  );
  assert.equal(
    frostCode(() => me.round3(patched(from(bob), { from: 'stranger.example' }))).code,
    'NOT_A_PARTICIPANT',
  );
  assert.equal(frostCode(() => me.round3(patched(from(bob), { to: carol }))).code, 'MALFORMED_PACKAGE');
  assert.equal(
    frostCode(() => me.round3(patched(from(bob), { sessionId: 'cc'.repeat(32) }))).code,
    'WRONG_SESSION',
  );
  assert.equal(frostCode(() => me.round3([...mine, mine[0]!])).code, 'DUPLICATE_PACKAGE');
  assert.equal(frostCode(() => me.round3(mine.slice(1))).code, 'MISSING_PACKAGE');
  assert.equal(frostCode(() => me.round3(patched(0, { nonce: 'abc' }))).code, 'MALFORMED_PACKAGE');
  // Still intact: the right boxes complete round 3.
  assert.equal(me.round3(mine).share.participant, alice);
});

test('a member that seals a share not matching its commitment is named, and no key results', () => {
  const participants = names(4);
  const rogue = participants[3]!;
  const config = { sessionId: SESSION, participants, threshold: 3 };
  const honest = participants.slice(0, 3).map((p) => new DkgParticipant(config, p));
  // The rogue member follows round 1 honestly (its proof is valid) …
  const r1 = ed25519_FROST.DKG.round1(identifierOf(rogue), { min: 3, max: 4 });
  const sealing = newSealingKeyPair();
  const rogueBroadcast = {
    sessionId: SESSION,
    participant: rogue,
    commitment: r1.public.commitment.map(toHex),
    proofOfKnowledge: toHex(r1.public.proofOfKnowledge),
    sealingKey: toHex(sealing.publicKey),
  };
  const broadcasts = [...honest.map((p) => p.broadcast), rogueBroadcast];
  const sealed = honest.flatMap((p) => p.round2(broadcasts));
  // … then seals a random scalar to Alice instead of its polynomial's value at her identifier.
  const alice = honest[0]!;
  const wrong = seal(
    fromHex(SESSION),
    rogue,
    alice.self,
    sealing.secretKey,
    fromHex(alice.broadcast.sealingKey),
    ed25519_FROST.utils.randomScalar(),
  );
  const toAlice = [
    ...sealed.filter((s) => s.to === alice.self),
    {
      sessionId: SESSION,
      from: rogue,
      to: alice.self,
      nonce: toHex(wrong.nonce),
      ciphertext: toHex(wrong.ciphertext),
    },
  ];
  assert.deepEqual(
    frostCode(() => alice.round3(toAlice)),
    { code: 'BAD_SHARE', participant: rogue },
  );
});
