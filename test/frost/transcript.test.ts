// What the rules and an auditor check in a DKG's public record: round-2 packages, the round-1
// transcript (a bad proof names its sender), and complaints, judged by anyone from the
// complainer's revealed sealing secret — the sender of a bad share is named, and so is a
// member that complains of a good one.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8Bytes } from '../../src/codec/index.ts';
import {
  checkSealedShares,
  checkTranscript,
  type DkgConfig,
  DkgParticipant,
  groupKeyFromTranscript,
  judgeComplaint,
  type SealedShare,
} from '../../src/frost/index.ts';
import { frostCode, names, SESSION, sealedTo, startCeremony } from './helpers.ts';

test('round-2 packages: one well-formed box to every other participant, or the sender is named', () => {
  const c = startCeremony(4, 3);
  const [alice, bob] = names(4) as [string, string];
  const fromAlice = c.sealed.filter((s) => s.from === alice);
  assert.doesNotThrow(() => checkSealedShares(c.config, alice, fromAlice));
  assert.deepEqual(
    frostCode(() => checkSealedShares(c.config, alice, fromAlice.slice(1))),
    {
      code: 'MISSING_PACKAGE',
      participant: alice,
    },
  );
  assert.equal(
    frostCode(() => checkSealedShares(c.config, alice, [...fromAlice, fromAlice[0]!])).code,
    'DUPLICATE_PACKAGE',
  );
  const toSelf = fromAlice.map((s, i) => (i === 0 ? { ...s, to: alice } : s));
  assert.equal(frostCode(() => checkSealedShares(c.config, alice, toSelf)).code, 'MALFORMED_PACKAGE');
  const shortBox = fromAlice.map((s, i) => (i === 0 ? { ...s, ciphertext: 'ab' } : s));
  assert.equal(frostCode(() => checkSealedShares(c.config, alice, shortBox)).code, 'MALFORMED_PACKAGE');
  assert.equal(frostCode(() => checkSealedShares(c.config, 'stranger', fromAlice)).code, 'NOT_A_PARTICIPANT');
  assert.equal(frostCode(() => checkSealedShares(c.config, bob, fromAlice)).code, 'MALFORMED_PACKAGE');
});

test('the transcript check names a sender whose proof of knowledge fails; the group key follows from the rest', () => {
  const c = startCeremony(4, 3);
  const [, bob] = names(4) as [string, string];
  assert.doesNotThrow(() => checkTranscript(c.config, c.broadcasts));
  const forged = c.broadcasts.map((b) =>
    b.participant === bob ? { ...b, proofOfKnowledge: c.broadcasts[0]!.proofOfKnowledge } : b,
  );
  assert.deepEqual(
    frostCode(() => checkTranscript(c.config, forged)),
    { code: 'BAD_PROOF', participant: bob },
  );
  const full = groupKeyFromTranscript(c.config, c.broadcasts);
  assert.deepEqual(groupKeyFromTranscript(c.config, c.broadcasts, { proofsChecked: true }), full);
  const results = c.participants.map((p) => p.round3(sealedTo(c, p.self)));
  for (const r of results) assert.deepEqual(r.group, full);
});

function ceremonyWithBadBox(): {
  config: DkgConfig;
  participants: DkgParticipant[];
  broadcasts: ReturnType<typeof startCeremony>['broadcasts'];
  sealed: SealedShare[];
  rogue: string;
  victim: string;
} {
  const c = startCeremony(4, 3);
  const [alice, , , dave] = names(4) as [string, string, string, string];
  // Dave seals Alice a box that opens, with a share that is not on his polynomial: he reuses
  // the box he sealed to Bob, whose names do not match, so it does not even open for Alice.
  const toBob = c.sealed.find((s) => s.from === dave && s.to === names(4)[1])!;
  const sealed = c.sealed.map((s) =>
    s.from === dave && s.to === alice ? { ...s, nonce: toBob.nonce, ciphertext: toBob.ciphertext } : s,
  );
  return { ...c, sealed, rogue: dave, victim: alice };
}

test('a complaint names the sender of a bad share; anyone judges it from the revealed sealing secret', () => {
  const c = ceremonyWithBadBox();
  const victim = c.participants.find((p) => p.self === c.victim)!;
  const mine = c.sealed.filter((s) => s.to === c.victim);
  assert.deepEqual(
    frostCode(() => victim.round3(mine)),
    { code: 'BAD_SHARE', participant: c.rogue },
  );
  const complaint = victim.complaint()!;
  assert.equal(complaint.accused, c.rogue);
  assert.equal(victim.complaint(), undefined, 'a complaint is made once');
  assert.equal(
    judgeComplaint(c.config, c.broadcasts, c.victim, complaint.box, complaint.sealingSecret),
    c.rogue,
  );
  // A participant that complains of a good share is the one at fault.
  const honest = c.participants.find((p) => p.self === names(4)[1])!;
  const good = c.sealed.find((s) => s.from === names(4)[2] && s.to === honest.self)!;
  // Bob reveals his secret through a complaint about Dave's box (which is good for him).
  const bobBoxes = c.sealed.filter((s) => s.to === honest.self);
  const tampered = bobBoxes.map((s) =>
    s.from === c.rogue ? { ...s, ciphertext: s.ciphertext.replace(/^./, (d) => (d === '0' ? '1' : '0')) } : s,
  );
  assert.equal(frostCode(() => honest.round3(tampered)).participant, c.rogue);
  const bobs = honest.complaint()!;
  assert.equal(judgeComplaint(c.config, c.broadcasts, honest.self, good, bobs.sealingSecret), honest.self);
  // The real box from Dave to Bob was fine: complaining of it with Bob's secret is a false complaint.
  const realFromDave = c.sealed.find((s) => s.from === c.rogue && s.to === honest.self)!;
  assert.equal(
    judgeComplaint(c.config, c.broadcasts, honest.self, realFromDave, bobs.sealingSecret),
    honest.self,
  );
  // A secret that is not behind the complainer's sealing key judges nobody.
  assert.equal(
    frostCode(() => judgeComplaint(c.config, c.broadcasts, c.victim, complaint.box, bobs.sealingSecret)).code,
    'MALFORMED_PACKAGE',
  );
});

test('a DKG from a seeded random source is reproducible, and its key is the transcript’s', () => {
  const config: DkgConfig = { sessionId: SESSION, participants: names(3), threshold: 2 };
  const seeded = (label: string) => {
    let counter = 0;
    return (n: number) => {
      let out = new Uint8Array(0);
      while (out.length < n)
        out = new Uint8Array(concatBytes(out, sha256(utf8Bytes(`${label}/${counter++}`))));
      return out.slice(0, n);
    };
  };
  const run = () => {
    const ps = config.participants.map((name) => new DkgParticipant(config, name, { random: seeded(name) }));
    const broadcasts = ps.map((p) => p.broadcast);
    const sealed = ps.flatMap((p) => p.round2(broadcasts));
    return { broadcasts, sealed, key: ps.map((p) => p.round3(sealed.filter((s) => s.to === p.self))) };
  };
  const a = run();
  const b = run();
  assert.deepEqual(a.broadcasts, b.broadcasts);
  assert.deepEqual(a.sealed, b.sealed);
  assert.deepEqual(a.key, b.key);
  assert.deepEqual(a.key[0]!.group, groupKeyFromTranscript(config, a.broadcasts));
});
