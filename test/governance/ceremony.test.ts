// The federation key's rules (charter §22, §23) with real FROST: a DKG at genesis through the
// ledger, the key in the world equal to what the transcript gives, the federation's signatures
// on worlds, rotation when the voting members change, and every way a ceremony goes wrong —
// a silent member, a bad proof, a bad share, a false complaint — named in a ceremony entry,
// with the ceremony restarting without it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromBase64, fromHex, toBase64, utf8Bytes } from '../../src/codec/index.ts';
import { PUBLIC_KEY_BYTES, verifySignature } from '../../src/crypto/index.ts';
import { groupKeyFromTranscript } from '../../src/frost/index.ts';
import {
  ballot,
  decodeEntry,
  dkgComplaint,
  federationVkey,
  type LedgerEntry,
  motion,
  type Policy,
  replay,
  selfUpdate,
  votingNames,
  worldHash,
  zeroTierWorldOf,
} from '../../src/governance/index.ts';
import { serializeWorld, signWorld } from '../../src/zerotier/index.ts';
import { vectorIdentities } from '../zerotier/helpers.ts';
import { zeroTierAcceptsUpdate } from '../zerotier/zerotier-rule.ts';
import { base, DKG_POLICY, Dkg, keyB64, PHASE_MS, signByNode, signPending } from './ceremony-fixtures.ts';
import { admit, DAY_MS, FEDERATION, makeGenesis, sign, T0, TestLedger } from './fixtures.ts';

const entriesOf = (ledger: TestLedger, kind: LedgerEntry['kind']) =>
  ledger.entries.map(decodeEntry).filter((e) => e.kind === kind);

test('a DKG at genesis through the ledger: the key enters world v2, equal to what the transcript gives', () => {
  const ledger = new TestLedger(makeGenesis(7, DKG_POLICY));
  const c = ledger.state.ceremony!;
  assert.deepEqual(c.participants, votingNames(ledger.state.world));
  assert.equal(c.threshold, 5);
  assert.equal(c.phaseStartMs, 0, 'the clock starts at the first batch');
  const dkg = new Dkg(ledger);
  const { group } = dkg.complete();
  const world = ledger.state.world;
  assert.equal(world.version, 2);
  assert.equal(ledger.state.ceremony, undefined);
  const key = world.federationKey!;
  assert.equal(key.publicKey, keyB64(group));
  assert.equal(key.threshold, 5);
  assert.deepEqual(
    key.participants.map((p) => p.member),
    c.participants,
  );
  // The auditor's check: the key from the commitments in the ledger, and nothing else.
  const commitments = ledger.entries
    .map(decodeEntry)
    .flatMap((e) =>
      e.kind === 'statement' && e.statement.statement.kind === 'dkg-commitment'
        ? [e.statement.statement]
        : [],
    );
  const fromTranscript = groupKeyFromTranscript(
    { sessionId: c.session, participants: c.participants, threshold: c.threshold },
    commitments.map((s) => ({ ...s, sessionId: s.session, participant: s.author })),
  );
  assert.equal(toBase64(fromHex(fromTranscript.publicKey)), key.publicKey);
  for (const p of key.participants)
    assert.equal(p.verifyingShare, toBase64(fromHex(fromTranscript.verifyingShares[p.member]!)));
  // The world waits for its signature by its own (first) key; the world note names the key's vkey.
  const pending = ledger.state.pendingSignatures!;
  assert.equal(pending.length, 1);
  assert.equal(pending[0]!.version, 2);
  assert.deepEqual(pending[0]!.keys, [key.publicKey]);
  assert.ok(pending[0]!.note.endsWith(`${federationVkey(world, key.publicKey)}\n`));
  // The ledger replays to the same state.
  assert.deepEqual(replay(ledger.genesis, ledger.entries).state, ledger.state);
});

test('the federation signs a world with five of seven shares; the signature is plain Ed25519 and clears the wait', () => {
  const ledger = new TestLedger(makeGenesis(7, DKG_POLICY));
  const dkg = new Dkg(ledger);
  const { group, shares } = dkg.complete();
  const pending = ledger.state.pendingSignatures![0]!;
  // Two members offline: the last five sign.
  const keys = new Map([[keyB64(group), { group, shares: shares.slice(2) }]]);
  const signed = signPending('m03', pending, keys, ledger.timeMs);
  const note = signed.statement.kind === 'federation-signature' ? signed.statement.worldNote[0]! : '';
  assert.ok(
    verifySignature(fromBase64(keyB64(group), PUBLIC_KEY_BYTES), utf8Bytes(pending.note), fromBase64(note)),
  );
  const r = ledger.run([signed]);
  assert.deepEqual(r.rejected, []);
  assert.equal(ledger.state.pendingSignatures, undefined);
});

test('a silent member is named at the deadline and the ceremony restarts without it', () => {
  const ledger = new TestLedger(makeGenesis(7, DKG_POLICY));
  const first = new Dkg(ledger);
  const silent = 'm06';
  const others = first.ceremony.participants.filter((p) => p !== silent);
  ledger.run(others.map((n) => first.commitment(n)));
  assert.equal(ledger.state.ceremony!.phaseStartMs, T0);
  // Before the deadline nothing happens; after it, m06 is named and a new session begins.
  ledger.run([], T0 + PHASE_MS);
  assert.equal(ledger.state.ceremony!.session, first.session);
  const late = T0 + PHASE_MS + 1;
  const r = ledger.run([], late);
  const entry = decodeEntry(r.entries[1]!);
  assert.deepEqual(entry, {
    kind: 'ceremony',
    session: first.session,
    excluded: [{ member: silent, reason: 'DKG_ABSENT' }],
    next: ledger.state.ceremony!.session,
  });
  assert.deepEqual(ledger.state.ceremony!.participants, others);
  assert.deepEqual(ledger.state.ceremony!.excluded, [silent]);
  // A package of the old session is refused; the new session completes among six.
  const stale = ledger.run([first.commitment('m00', late)], late);
  assert.equal(stale.rejected[0]?.code, 'DKG_WRONG_SESSION');
  const second = new Dkg(ledger);
  second.complete(late);
  const key = ledger.state.world.federationKey!;
  assert.deepEqual(
    key.participants.map((p) => p.member),
    others,
  );
  assert.equal(key.threshold, 5, 'the threshold stays the quorum of all seven voting members');
});

test('a bad share is named through a complaint anyone can judge; a false complaint names the complainer', () => {
  const ledger = new TestLedger(makeGenesis(4, DKG_POLICY));
  const dkg = new Dkg(ledger);
  const names = dkg.ceremony.participants;
  ledger.run(names.map((n) => dkg.commitment(n)));
  // m03 seals m00 the box it made for m01: it does not open for m00.
  dkg.shares('m00');
  const forM01 = dkg.sealed.find((s) => s.from === 'm03' && s.to === 'm01')!;
  dkg.sealed = dkg.sealed.map((s) =>
    s.from === 'm03' && s.to === 'm00' ? { ...s, nonce: forM01.nonce, ciphertext: forM01.ciphertext } : s,
  );
  ledger.run(names.map((n) => dkg.shares(n)));
  assert.equal(ledger.state.ceremony!.phase, 'confirmations');
  assert.throws(() => dkg.confirmation('m00'), /does not open/);
  const complaint = dkg.participants.get('m00')!.complaint()!;
  assert.equal(complaint.accused, 'm03');
  const r = ledger.run([
    signByNode(dkgComplaint(base('m00', ledger.timeMs), dkg.session, 'm03', complaint.sealingSecret)),
  ]);
  assert.deepEqual(r.rejected, []);
  const restarted = entriesOf(ledger, 'ceremony').at(-1)!;
  assert.deepEqual(restarted.kind === 'ceremony' && restarted.excluded, [
    { member: 'm03', reason: 'DKG_BAD_SHARE' },
  ]);
  // Four voting members need three: without m03 the other three make the key.
  const next = new Dkg(ledger);
  assert.deepEqual(next.ceremony.participants, ['m00', 'm01', 'm02']);
  ledger.run(next.ceremony.participants.map((n) => next.commitment(n)));
  ledger.run(next.ceremony.participants.map((n) => next.shares(n)));
  // m01 opens a box from m02 that was altered on its way (not in the ledger), and complains:
  // the box in the ledger is good, so the complaint is false and m01 is the one named.
  const m01 = next.participants.get('m01')!;
  const altered = next
    .sealedTo('m01')
    .map((s) =>
      s.from === 'm02' ? { ...s, ciphertext: s.ciphertext.replace(/^./, (d) => (d === '0' ? '1' : '0')) } : s,
    );
  assert.throws(() => m01.round3(altered), /does not open/);
  const falseClaim = m01.complaint()!;
  const r2 = ledger.run([
    signByNode(dkgComplaint(base('m01', ledger.timeMs), next.session, 'm02', falseClaim.sealingSecret)),
  ]);
  assert.deepEqual(r2.rejected, []);
  const last = entriesOf(ledger, 'ceremony').at(-1)!;
  assert.deepEqual(last.kind === 'ceremony' && last.excluded, [
    { member: 'm01', reason: 'DKG_FALSE_COMPLAINT' },
  ]);
});

test('a bad proof of knowledge names its sender when the last commitment arrives', () => {
  const ledger = new TestLedger(makeGenesis(4, DKG_POLICY));
  const dkg = new Dkg(ledger);
  const names = dkg.ceremony.participants;
  const forged = dkg.commitment('m02');
  const stolen = dkg.participants.get('m00')!.broadcast.proofOfKnowledge;
  const statement = { ...forged.statement, proofOfKnowledge: stolen } as typeof forged.statement;
  const bad = signByNode(statement);
  const r = ledger.run([...names.filter((n) => n !== 'm02').map((n) => dkg.commitment(n)), bad]);
  assert.deepEqual(r.rejected, []);
  const entry = entriesOf(ledger, 'ceremony').at(-1)!;
  assert.deepEqual(entry.kind === 'ceremony' && entry.excluded, [{ member: 'm02', reason: 'DKG_BAD_PROOF' }]);
});

test('admitting a member who then votes rotates the key: the new world is signed by the old key and the new', () => {
  const policy: Policy = { ...DKG_POLICY, probationPeriodMs: DAY_MS, epochMs: DAY_MS };
  const ledger = new TestLedger(makeGenesis(4, policy));
  const first = new Dkg(ledger).complete();
  const k1 = keyB64(first.group);
  const keys = new Map([[k1, first]]);
  ledger.run([signPending('m00', ledger.state.pendingSignatures![0]!, keys, T0)]);
  ledger.run([sign(motion(ledger.state, 'm00', [admit('n00', 'IT')], T0))]);
  const motionId = ledger.state.openMotions[0]!.id;
  ledger.run(['m00', 'm01', 'm02', 'm03'].map((a) => sign(ballot(FEDERATION, a, motionId, 'yes', T0))));
  assert.equal(ledger.state.ceremony, undefined, 'a member in probation does not change the voting members');
  // Probation ends: five voting members, a new ceremony among them.
  ledger.run([], T0 + DAY_MS);
  const c = ledger.state.ceremony!;
  assert.deepEqual(c.participants, ['m00', 'm01', 'm02', 'm03', 'n00']);
  assert.equal(c.threshold, 4);
  assert.equal(ledger.state.world.federationKey!.publicKey, k1, 'the old key stays in force meanwhile');
  const second = new Dkg(ledger).complete(T0 + DAY_MS);
  const k2 = keyB64(second.group);
  assert.notEqual(k2, k1);
  const transition = ledger.state.pendingSignatures!.at(-1)!;
  assert.equal(transition.transition, true);
  assert.deepEqual(transition.keys, [k1, k2]);
  keys.set(k2, second);
  // Both keys must sign; one signature alone is refused.
  const both = signPending('n00', transition, keys, T0 + DAY_MS);
  const oneOnly = structuredClone(both);
  if (oneOnly.statement.kind === 'federation-signature')
    oneOnly.statement.worldNote = [oneOnly.statement.worldNote[0]!];
  const refused = ledger.run([signByNode(oneOnly.statement)], T0 + DAY_MS);
  assert.equal(refused.rejected[0]?.code, 'SIGNATURE_INVALID');
  assert.deepEqual(ledger.run([both], T0 + DAY_MS).rejected, []);
});

test('planets: a world yields one only when its planet changes; the chain is one ZeroTier accepts, signed as the rules ask', async () => {
  const ids = vectorIdentities();
  const policy: Policy = { ...DKG_POLICY, zerotier: { worldId: '2003789409', planetRootsMax: 2 } };
  // Founders' ZeroTier roots go into the genesis world through their descriptors.
  const ledger = new TestLedger(
    makeGenesis(4, policy, undefined, (i) => ({
      identity: ids[i]!,
      endpoints: [`192.0.2.${i + 1}/9993`],
    })),
  );
  const first = new Dkg(ledger).complete();
  const keys = new Map([[keyB64(first.group), first]]);
  const planets: Uint8Array[] = [];
  const signAndKeep = async () => {
    const pending = ledger.state.pendingSignatures!.at(-1)!;
    const signed = signPending('m00', pending, keys, ledger.timeMs);
    assert.deepEqual(ledger.run([signed]).rejected, []);
    const unsigned = zeroTierWorldOf(ledger.state.world, 'planet')!;
    assert.equal(unsigned.roots.length, 2, 'planetRootsMax roots, the longest voting first');
    const sig = signed.statement.kind === 'federation-signature' ? signed.statement.planet! : '';
    const planet = await signWorld(unsigned, {
      publicKey: fromBase64(pending.planet!.key, PUBLIC_KEY_BYTES),
      sign: () => fromBase64(sig),
    });
    planets.push(serializeWorld(planet));
  };
  await signAndKeep();
  const update = (author: string, change: Parameters<typeof selfUpdate>[3]) =>
    assert.deepEqual(ledger.run([sign(selfUpdate(FEDERATION, author, ledger.timeMs, change))]).rejected, []);
  for (const [i, member] of ['m01', 'm00'].entries()) {
    // HTTP endpoints are nothing a ZeroTier node reads: the world's planet is the one before it.
    update(member, {
      endpoints: {
        p2p: [`/dns4/${member}.example.org/tcp/4001`],
        http: [`https://${member}.v${i}.example.org/`],
      },
    });
    const quiet = ledger.state.pendingSignatures!.at(-1)!;
    assert.equal(quiet.version, ledger.state.world.version);
    assert.equal(quiet.planet, undefined, 'a world that leaves its planet as it was yields none');
    const withPlanet = signPending('m00', quiet, keys, ledger.timeMs);
    if (withPlanet.statement.kind === 'federation-signature')
      withPlanet.statement.planet = toBase64(new Uint8Array(64));
    const refused = ledger.run([signByNode(withPlanet.statement)]);
    assert.equal(refused.rejected[0]?.code, 'SIGNATURE_WRONG_PARTS');
    assert.deepEqual(ledger.run([signPending('m00', quiet, keys, ledger.timeMs)]).rejected, []);
    // A planet root's ZeroTier endpoints: a new planet.
    update(member, { zerotier: { identity: ids[i === 0 ? 1 : 0]!, endpoints: [`192.0.2.${50 + i}/9993`] } });
    assert.notEqual(ledger.state.pendingSignatures!.at(-1)!.planet, undefined);
    await signAndKeep();
  }
  assert.equal(planets.length, 3);
  for (let i = 1; i < planets.length; i++) assert.ok(zeroTierAcceptsUpdate(planets[i - 1]!, planets[i]!));
  assert.equal(worldHash(ledger.state.world), ledger.state.worldHash);
});
