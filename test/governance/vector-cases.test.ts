// The governance vectors read as an outside implementation reads them, from the files alone:
// every batch of batches.json re-executed from the recorded state gives the recorded verdicts,
// outcomes, causes and entry bytes; the signing vectors (candidate, key possession, consensus
// votes) hold byte for byte; every bad batch is refused with BAD_BATCH and changes nothing; and
// every /world/chain case gets its stated verdict. Also: the scenario reaches the rules the
// vectors exist for.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VECTORS_DIR } from '../../scripts/gen-governance-vectors.ts';
import {
  canonicalBytes,
  fromBase64,
  fromHex,
  type Json,
  signingBytes,
  toHex,
} from '../../src/codec/index.ts';
import { sha256, verifySignature } from '../../src/crypto/index.ts';
import {
  type Batch,
  CANDIDATE_DOMAIN,
  type ChainHead,
  candidateBytes,
  checkRecovery,
  decodeEntry,
  executeBatch,
  executeRecovery,
  GovernanceError,
  type GovernanceState,
  genesisState,
  KEY_POSSESSION_DOMAIN,
  type KeyRole,
  keyPossessionBytes,
  type MemberDescriptor,
  RECOVERY_DOMAIN,
  replay,
  type SignedGenesis,
  type SignedRecovery,
  type SignedStatement,
  verifyCandidate,
  verifyWorldChain,
  type WorldStep,
  worldHash,
} from '../../src/governance/index.ts';
import { type SignedVote, verifyVote, voteSigningBytes, votesConflict } from '../../src/wire/index.ts';

const read = <T>(name: string): T => JSON.parse(readFileSync(join(VECTORS_DIR, name), 'utf8')) as T;

type RecordedBatch = {
  height: number;
  timeMs: number;
  proposer: string;
  statements: { signed: SignedStatement; verdict: { accepted: boolean; code?: string; rule?: string } }[];
  outcomes: { motion: string; result: string; reason?: string }[];
  verdicts: { member: string; action: string }[];
  causes: string[] | null;
  entries: string[];
  worldHash: string;
};

const { genesis } = read<{ genesis: SignedGenesis }>('genesis.json');
const { batches } = read<{ batches: RecordedBatch[] }>('batches.json');

/** The state after each height, by executing the recorded batches from the genesis. */
function statesByHeight(): GovernanceState[] {
  const states = [genesisState(genesis)];
  for (const b of batches) {
    const r = executeBatch(states.at(-1)!, { ...b, statements: b.statements.map((s) => s.signed) });
    states.push(r.state);
  }
  return states;
}

test('every recorded batch re-executes to its verdicts, outcomes, causes and entry bytes', () => {
  let state = genesisState(genesis);
  for (const b of batches) {
    const r = executeBatch(state, {
      height: b.height,
      timeMs: b.timeMs,
      proposer: b.proposer,
      statements: b.statements.map((s) => s.signed),
    });
    const rejected = new Map(r.rejected.map((x) => [x.index, x]));
    b.statements.forEach((s, i) => {
      const rej = rejected.get(i);
      assert.deepEqual(
        rej === undefined ? { accepted: true } : { accepted: false, code: rej.code, rule: rej.rule },
        s.verdict,
        `height ${b.height} statement ${i}`,
      );
    });
    assert.deepEqual(
      r.entries.map((e) => toHex(e)),
      b.entries,
      `height ${b.height}`,
    );
    const decoded = r.entries.map((e) => decodeEntry(e));
    assert.deepEqual(
      decoded.flatMap((e) =>
        e.kind === 'outcome'
          ? [{ motion: e.motion, result: e.result, ...(e.reason !== undefined ? { reason: e.reason } : {}) }]
          : [],
      ),
      b.outcomes.map(({ motion, result, reason }) => ({
        motion,
        result,
        ...(reason !== undefined ? { reason } : {}),
      })),
    );
    const world = decoded.find((e) => e.kind === 'world');
    assert.deepEqual(world?.kind === 'world' ? world.causes : null, b.causes);
    assert.equal(r.state.worldHash, b.worldHash);
    state = r.state;
  }
});

test('the scenario reaches every rule the vectors are for', () => {
  const codes = new Set(batches.flatMap((b) => b.statements.flatMap((s) => s.verdict.code ?? [])));
  for (const code of [
    'BALLOT_NOT_SEASONED',
    'KEY_SIGNATURE_INVALID',
    'ADMISSION_RATE',
    'AUTHOR_SUSPENDED',
    'BAD_SIGNATURE',
    'STATEMENT_FROM_FUTURE',
    'MOTION_WRONG_PARENT',
    'BAD_DEADLINE',
    'REPORT_WRONG_EPOCH',
    'REPORT_DUPLICATE',
  ])
    assert.ok(codes.has(code), code);
  const actions = batches.flatMap((b) => b.verdicts.map((v) => v.action));
  assert.deepEqual(actions, ['notice', 'standing', 'motion'], 'a duty notice, its grace, then its motion');
  const outcomes = batches.flatMap((b) => b.outcomes.map((o) => `${o.result}:${o.reason ?? ''}`));
  for (const o of [
    'passed:',
    'expired:',
    'rejected:ADMISSION_RATE',
    'rejected:UNKNOWN_MEMBER',
    'rejected:ORGANISATION_TAKEN',
  ])
    assert.ok(outcomes.includes(o), o);
  const changes = new Set(
    batches.flatMap((b) =>
      b.statements.flatMap((s) =>
        s.verdict.accepted && s.signed.statement.kind === 'motion'
          ? s.signed.statement.changes.map((c) => c.type)
          : [],
      ),
    ),
  );
  assert.deepEqual([...changes].sort(), [
    'admit',
    'change-policy',
    'remove',
    'replace-governance-key',
    'update-member',
  ]);
  // Several expiries in one batch, several re-basing rejections in one batch: in motion id order.
  const sortedRuns = batches.filter((b) => b.outcomes.filter((o) => o.result === 'expired').length > 1);
  assert.equal(sortedRuns.length, 1);
  const expired = sortedRuns[0]!.outcomes.map((o) => o.motion);
  assert.deepEqual(expired, [...expired].sort());
});

test('signing vectors: the candidate object, key-possession statements and consensus votes', () => {
  type Signing = {
    federation: string;
    candidate: {
      domain: string;
      signed: { federation: string; candidate: MemberDescriptor };
      signingBytesHex: string;
      candidateSignatures: { governance: string; node: string };
    };
    keyPossession: {
      domain: string;
      cases: {
        signed: { federation: string; member: string; role: KeyRole; key: string };
        signingBytesHex: string;
        signature: string;
      }[];
    };
    votes: {
      cases: { name: string; vote: SignedVote; signingBytesHex: string; verifies: boolean }[];
      conflicts: { first: string; second: string; equivocation: boolean }[];
    };
  };
  const v = read<Signing>('signing.json');
  const c = v.candidate;
  assert.equal(c.domain, CANDIDATE_DOMAIN);
  assert.equal(toHex(signingBytes(c.domain, c.signed as unknown as Json)), c.signingBytesHex);
  assert.equal(toHex(candidateBytes(c.signed.federation, c.signed.candidate)), c.signingBytesHex);
  assert.ok(verifyCandidate(c.signed.federation, c.signed.candidate, c.candidateSignatures));
  assert.equal(v.keyPossession.domain, KEY_POSSESSION_DOMAIN);
  assert.deepEqual(
    v.keyPossession.cases.map((k) => k.signed.role),
    ['governance', 'node'],
  );
  for (const k of v.keyPossession.cases) {
    const { federation, member, role, key } = k.signed;
    assert.equal(toHex(keyPossessionBytes(federation, member, role, key)), k.signingBytesHex);
    assert.ok(verifySignature(fromBase64(key, 32), fromHex(k.signingBytesHex), fromBase64(k.signature, 64)));
  }
  const byName = new Map(v.votes.cases.map((x) => [x.name, x.vote]));
  for (const x of v.votes.cases) {
    assert.equal(toHex(voteSigningBytes(x.vote)), x.signingBytesHex, x.name);
    assert.equal(verifyVote(x.vote), x.verifies, x.name);
  }
  for (const p of v.votes.conflicts)
    assert.equal(
      votesConflict(byName.get(p.first)!, byName.get(p.second)!),
      p.equivocation,
      `${p.first}/${p.second}`,
    );
});

test('every bad batch is refused with BAD_BATCH and changes nothing', () => {
  type Bad = {
    note: string;
    afterHeight: number;
    header: Omit<Batch, 'statements'>;
    statements: { count: number; statement?: SignedStatement };
    expect: { error: string };
  };
  const { cases } = read<{ cases: Bad[] }>('bad-batches.json');
  assert.ok(cases.length >= 6);
  const states = statesByHeight();
  for (const c of cases) {
    const state = states[c.afterHeight]!;
    const before = canonicalBytes(state as unknown as Json);
    const statements = Array.from({ length: c.statements.count }, () => c.statements.statement!);
    assert.throws(
      () => executeBatch(state, { ...c.header, statements }),
      (e: unknown) => e instanceof GovernanceError && e.code === c.expect.error,
      c.note,
    );
    assert.deepEqual(canonicalBytes(state as unknown as Json), before, c.note);
  }
});

test('every /world/chain case gets its stated verdict', () => {
  type Case = {
    name: string;
    steps: number[];
    head: boolean;
    nowMs: number;
    knownVersion?: number;
    replaceProof?: { at: number; proof: ChainHead };
    since?: number;
    trusted?: number;
    expect: {
      ok: boolean;
      version?: number;
      worldHash?: string;
      quorumTimeMs?: number;
      code?: string;
      step?: number;
    };
  };
  const { response, cases } = read<{
    response: { genesis: SignedGenesis; steps: WorldStep[]; head: ChainHead };
    cases: Case[];
  }>('chain.json');
  assert.deepEqual(response.genesis, genesis);
  assert.equal(
    worldHash(response.steps.at(-1)!.world),
    batches.at(-1)!.worldHash,
    'the chain ends at the last world',
  );
  for (const c of cases) {
    const steps = c.steps.map((i, at) =>
      c.replaceProof?.at === at ? { ...response.steps[i]!, proof: c.replaceProof.proof } : response.steps[i]!,
    );
    const r = verifyWorldChain(genesis, steps, {
      nowMs: c.nowMs,
      ...(c.head ? { head: response.head } : {}),
      ...(c.knownVersion !== undefined ? { knownVersion: c.knownVersion } : {}),
      ...(c.trusted !== undefined ? { trusted: response.steps[c.trusted - 1]!.world } : {}),
    });
    if (c.since !== undefined) {
      const answer = response.steps.filter((s) => s.world.version >= c.since!);
      assert.deepEqual(steps, answer, `${c.name}: the steps are the since=${c.since} answer`);
    }
    assert.deepEqual(
      r.ok
        ? { ok: true, version: r.world.version, worldHash: r.worldHash, quorumTimeMs: r.quorumTimeMs }
        : { ok: false, code: r.code, step: r.step },
      c.expect,
      c.name,
    );
  }
  assert.deepEqual(
    cases.map((c) => (c.expect.ok ? 'ok' : c.expect.code)),
    [
      'ok',
      'ok',
      'ok',
      'STALE',
      'CHAIN_GAP',
      'ROLLBACK',
      'NO_QUORUM',
      'NOT_INCLUDED',
      'ok',
      'ok',
      'BROKEN_LINK',
    ],
  );
});

test('recovery.json: the recovery verifies from the files, appends the recorded entries, and every refusal has its code', () => {
  type Vectors = {
    genesis: SignedGenesis;
    witnesses: { name: string; key: string }[];
    ledger: { entries: string[]; size: number; rootHash: string };
    recovery: {
      signed: SignedRecovery;
      id: string;
      signingBytesHex: string;
      batch: { height: number; timeMs: number };
      entries: string[];
      worldHash: string;
    };
    refused: { note: string; recovery: SignedRecovery; code: string; rule: string }[];
  };
  const v = read<Vectors>('recovery.json');
  const { state } = replay(
    v.genesis,
    v.ledger.entries.slice(1).map((e) => fromHex(e)),
  );
  const r = v.recovery;
  const bytes = fromHex(r.signingBytesHex);
  assert.equal(toHex(signingBytes(RECOVERY_DOMAIN, r.signed.recovery as unknown as Json)), r.signingBytesHex);
  const keyOf = (name: string) => state.world.members.find((m) => m.name === name)!.governanceKey;
  for (const s of r.signed.members)
    assert.ok(verifySignature(fromBase64(keyOf(s.member)), bytes, fromBase64(s.signature)), s.member);
  for (const s of r.signed.witnesses) {
    const key = v.witnesses.find((w) => w.name === s.witness)!.key;
    assert.ok(verifySignature(fromBase64(key), bytes, fromBase64(s.signature)), s.witness);
  }
  assert.equal(toHex(sha256(canonicalBytes(r.signed as unknown as Json))), r.id);
  const ledger = { size: v.ledger.size, rootHash: v.ledger.rootHash };
  const result = executeRecovery(state, r.signed, ledger);
  assert.deepEqual(
    result.entries.map((e) => toHex(e)),
    r.entries,
  );
  assert.deepEqual([result.state.height, result.state.timeMs], [r.batch.height, r.batch.timeMs]);
  assert.equal(result.state.worldHash, r.worldHash);
  for (const c of v.refused) {
    const rejection = checkRecovery(state, c.recovery, ledger);
    assert.deepEqual([rejection?.code, rejection?.rule], [c.code, c.rule], c.note);
  }
});
