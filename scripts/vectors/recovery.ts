// recovery.json of the governance vectors (charter §20): a ledger of its own — four founders
// whose policy names three outside witnesses (two make a quorum), one batch, then silence —
// the recovery the two remaining founders and two witnesses sign to remove the two vanished,
// with its signing bytes, id and the entries it appends; and recoveries the rules refuse, each
// with its code, against the same ledger. Witness keys derive from `witan-vectors/<name>/witness`.

import { toBase64, toHex } from '../../src/codec/index.ts';
import { keyPairFromSeed } from '../../src/crypto/index.ts';
import {
  assembleGenesis,
  assembleGenesisWorld,
  checkRecovery,
  DEFAULT_POLICY,
  encodeEntry,
  executeBatch,
  executeRecovery,
  genesisState,
  motion,
  type Policy,
  type Recovery,
  recoveryId,
  recoverySigningBytes,
  type SignedRecovery,
  signGenesis,
  signRecovery,
  worldHash,
} from '../../src/governance/index.ts';
import { CompactRange, leafHash } from '../../src/ledger/index.ts';
import { DAY_MS, descriptor, FEDERATION, gov, seed, signAs, T0 } from './identities.ts';

const WITNESSES = ['w1.example.org', 'w2.example.org', 'w3.example.org'];
const witness = (name: string) => keyPairFromSeed(seed(name, 'witness'));

export function recoveryVectors(): unknown {
  const policy: Policy = {
    ...structuredClone(DEFAULT_POLICY),
    recovery: {
      silenceMs: 30 * DAY_MS,
      timeLockMs: 7 * DAY_MS,
      witnesses: WITNESSES.map((name) => ({ name, key: toBase64(witness(name).publicKey) })),
      witnessQuorum: 2,
    },
  };
  const names = ['alder', 'birch', 'cedar', 'rowan'];
  const world = assembleGenesisWorld(
    FEDERATION,
    names.map((n, i) => descriptor(n, ['DE', 'JP', 'BR', 'CA'][i]!)),
    policy,
  );
  const genesis = assembleGenesis(
    world,
    names.map((n) => signGenesis(world, n, gov(n).secretKey)),
  );
  const start = genesisState(genesis);
  const opened = signAs(
    motion(start, 'cedar', [{ type: 'update-member', member: 'cedar', organisation: 'CEDAR Trust' }], T0),
  );
  const batch = executeBatch(start, { height: 1, timeMs: T0, proposer: 'alder', statements: [opened] });
  if (batch.rejected.length > 0) throw new Error('recovery vectors: the first batch must be accepted');
  const state = batch.state;
  const entries = [encodeEntry({ kind: 'genesis', genesis }), ...batch.entries];
  const tree = new CompactRange();
  for (const e of entries) tree.append(leafHash(e));
  const ledger = { size: tree.size, rootHash: toHex(tree.root()) };

  const sign = (recovery: Recovery, members: string[], witnesses: string[]): SignedRecovery => ({
    recovery,
    members: members.map((member) => ({ member, signature: signRecovery(recovery, gov(member).secretKey) })),
    witnesses: witnesses.map((w) => ({
      witness: w,
      signature: signRecovery(recovery, witness(w).secretKey),
    })),
  });
  const recovery: Recovery = {
    federation: FEDERATION,
    height: 2,
    timeMs: T0 + policy.recovery!.silenceMs,
    base: { ...ledger, worldHash: state.worldHash },
    remove: ['alder', 'birch'],
  };
  const good = sign(recovery, ['cedar', 'rowan'], WITNESSES.slice(0, 2));
  const result = executeRecovery(state, good, ledger);
  const refused: [string, SignedRecovery][] = [
    [
      'the silence is one millisecond short',
      sign({ ...recovery, timeMs: recovery.timeMs - 1 }, ['cedar', 'rowan'], WITNESSES.slice(0, 2)),
    ],
    [
      'it names another root of the same size',
      sign(
        { ...recovery, base: { ...recovery.base, rootHash: 'ee'.repeat(32) } },
        ['cedar', 'rowan'],
        WITNESSES.slice(0, 2),
      ),
    ],
    [
      'three of four removed could still commit among themselves',
      sign({ ...recovery, remove: ['alder', 'birch', 'cedar'] }, ['rowan'], WITNESSES.slice(0, 2)),
    ],
    [
      'three of four remain: a quorum, so a motion removes',
      sign({ ...recovery, remove: ['alder'] }, ['birch', 'cedar', 'rowan'], WITNESSES.slice(0, 2)),
    ],
    ['one remaining member did not sign', sign(recovery, ['cedar'], WITNESSES.slice(0, 2))],
    ['one witness of the two needed', sign(recovery, ['cedar', 'rowan'], WITNESSES.slice(0, 1))],
  ];
  const cases = refused.map(([note, r]) => {
    const rejection = checkRecovery(state, r, ledger);
    if (rejection === null) throw new Error(`recovery vectors: "${note}" is accepted`);
    return { note, recovery: r, code: rejection.code, rule: rejection.rule };
  });
  return {
    description:
      'A recovery (charter §20): a ledger of four founders whose policy names three witnesses (quorum 2), one batch and then silence; the recovery cedar, rowan and two witnesses sign to remove alder and birch, with its signing bytes ("witan/v1/governance/recovery" || 0x0A || canonical(recovery)), its id (SHA-256 of the canonical signed recovery) and the entries it appends (hex); and recoveries refused against the same ledger, each with its code. Witness seeds: SHA-256("witan-vectors/<name>/witness").',
    federation: FEDERATION,
    genesis,
    witnesses: WITNESSES.map((name) => ({ name, key: toBase64(witness(name).publicKey) })),
    ledger: { entries: entries.map((e) => toHex(e)), ...ledger, height: state.height, timeMs: state.timeMs },
    recovery: {
      signed: good,
      id: recoveryId(good),
      signingBytesHex: toHex(recoverySigningBytes(recovery)),
      batch: { height: result.state.height, timeMs: result.state.timeMs },
      entries: result.entries.map((e) => toHex(e)),
      worldVersion: result.state.world.version,
      worldHash: worldHash(result.state.world),
    },
    refused: cases,
  };
}
