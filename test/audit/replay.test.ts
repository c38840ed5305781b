// Tamper tests that need the governance rules: a ballot by a
// non-member, a world that breaks a rule, a root serving a world the ledger did not commit —
// each diagnosed and backed by an evidence file that verify-evidence re-checks offline by
// replaying src/governance. Plus a healthy governance ledger and an incremental second audit.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { auditLedger } from '../../src/audit/audit.ts';
import { readEvidenceFile, verifyEvidence } from '../../src/audit/evidence.ts';
import { evidenceGovernance, governanceRules } from '../../src/audit/replay.ts';
import { VerifyPool } from '../../src/audit/verify-pool.ts';
import { canonicalBytes, type Json } from '../../src/codec/index.ts';
import {
  ballot,
  dutyReport,
  encodeEntry,
  executeRecovery,
  type GovernanceState,
  motion,
  observation,
  type SignedGenesis,
  type Statement,
  selfUpdate,
  signStatement,
  worldHash,
} from '../../src/governance/index.ts';
import { HttpClient } from '../../src/net/index.ts';
import {
  admit,
  FEDERATION,
  keysFor,
  makeGenesis,
  sign,
  statementId,
  T0,
  TestLedger,
} from '../governance/fixtures.ts';
import {
  ledgerHead,
  recoveryOf,
  SILENCE_MS,
  signed,
  TIME_LOCK_MS,
  WITNESSED_POLICY,
} from '../governance/recovery-fixtures.ts';
import { tempDir } from '../helpers/temp.ts';
import { type Member, publish, startRoot, type TestRoot } from './fixtures/ledger-root.ts';

const NOW_S = Math.floor(T0 / 1000) + 86_400;
const tmp = tempDir('audit-replay');
const open: TestRoot[] = [];
const pool = new VerifyPool(2);
after(async () => {
  for (const r of open) await r.close();
  await pool.close();
});

const node = (name: string): Member => ({ name, key: keysFor(name).node });
const FOUNDERS = ['m00', 'm01', 'm02', 'm03'].map(node);

/** A federation of 4 that admits n00 by vote: genesis, a motion, three ballots, a new world. */
function healthyLedger(): { genesis: SignedGenesis; entries: Uint8Array[]; state: GovernanceState } {
  const ledger = new TestLedger(makeGenesis(4));
  const m = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0));
  ledger.run([m]);
  const id = statementId(m);
  ledger.run(
    ['m00', 'm01', 'm02'].map((a) => sign(ballot(FEDERATION, a, id, 'yes', T0 + 1000))),
    T0 + 2000,
  );
  const entries = [encodeEntry({ kind: 'genesis', genesis: ledger.genesis }), ...ledger.entries];
  return { genesis: ledger.genesis, entries, state: ledger.state };
}

async function serve(entries: Uint8Array[], world: unknown): Promise<TestRoot> {
  const r = await startRoot(entries, world);
  open.push(r);
  await publish(r, FOUNDERS[0]!, FOUNDERS.slice(0, 3), NOW_S);
  return r;
}

const http = new HttpClient({ timeoutMs: 5000, attemptsMax: 2, backoffMs: 10 });

function audit(
  roots: TestRoot[],
  genesis: SignedGenesis,
  extra: Partial<Parameters<typeof auditLedger>[0]> = {},
) {
  return auditLedger({
    roots: roots.map((r) => r.url),
    origin: FEDERATION,
    genesisLeafHash: '00',
    http,
    nowMs: NOW_S * 1000 + 1000,
    rules: () => governanceRules({ genesis, pool }),
    evidenceGovernance,
    evidenceDir: mkdtempSync(join(tmp, 'ev-')),
    ...extra,
  });
}

function assertEvidence(v: { evidenceFile?: string } | undefined, kind: string): void {
  assert.ok(v?.evidenceFile, 'an evidence file was written');
  const verdict = verifyEvidence(readEvidenceFile(v.evidenceFile), evidenceGovernance);
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
  assert.equal(verdict.ok && verdict.kind, kind);
}

test('a healthy governance ledger replays: worlds, motions and ballots per member', async () => {
  const { genesis, entries, state } = healthyLedger();
  const r = await serve(entries, { world: state.world });
  const result = await audit([r], genesis);
  assert.deepEqual(result.violations, []);
  assert.deepEqual(result.incomplete, []);
  const summary = result.rules!.summary() as {
    worlds: { version: number }[];
    perMember: Record<string, { yes: number; motions: number }>;
    signaturesChecked: number;
  };
  assert.deepEqual(
    summary.worlds.map((w) => w.version),
    [1, 2],
  );
  assert.equal(summary.perMember.m00?.motions, 1);
  const motions = (summary as unknown as { motions: { result?: string; ballots: Record<string, string> }[] })
    .motions;
  assert.equal(motions[0]?.result, 'passed');
  assert.deepEqual(motions[0]?.ballots, { m00: 'yes', m01: 'yes', m02: 'yes' });
  assert.equal(summary.perMember.m01?.yes, 1);
  assert.equal(summary.signaturesChecked, 4);
  assert.equal(result.roots[0]!.world?.status, 'current');
});

test('a ballot by a non-member in the ledger is a rule violation with replayable evidence', async () => {
  const { genesis, entries } = healthyLedger();
  const stranger = { ...ballot(FEDERATION, 'zz', 'ab'.repeat(32), 'yes', T0 + 5000) };
  const signed = signStatement(stranger, keysFor('zz').gov.secretKey);
  const forged = [
    ...entries,
    encodeEntry({ kind: 'batch', height: 3, timeMs: T0 + 6000, proposer: 'm00' }),
    encodeEntry({ kind: 'statement', statement: signed }),
  ];
  const r = await serve(forged, {});
  const result = await audit([r], genesis);
  const v = result.violations.find((x) => x.kind === 'rule-violation');
  assert.ok(v, JSON.stringify(result.violations));
  assert.match(v.message, new RegExp(`entry ${entries.length + 1} `));
  assert.match(v.message, /UNKNOWN_AUTHOR/);
  assertEvidence(v, 'rule-violation');
});

/**
 * The healthy ledger and one more batch holding `statement` under the signature `signature`
 * (another's): the rule violation the audit finds, its evidence checked, and the entry index.
 */
async function auditForgedSignature(
  statement: Statement,
  signature: string,
): Promise<{ message: string; at: number }> {
  const { genesis, entries } = healthyLedger();
  const forged = [
    ...entries,
    encodeEntry({ kind: 'batch', height: 3, timeMs: T0 + 6000, proposer: 'm00' }),
    encodeEntry({ kind: 'statement', statement: { statement, signature } }),
  ];
  const r = await serve(forged, {});
  const result = await audit([r], genesis);
  const v = result.violations.find((x) => x.kind === 'rule-violation');
  assert.ok(v, JSON.stringify(result.violations));
  assertEvidence(v, 'rule-violation');
  return { message: v.message, at: entries.length + 1 };
}

test('a ballot by a member under a signature that does not verify is a rule violation', async () => {
  const own = ballot(FEDERATION, 'm01', 'ab'.repeat(32), 'yes', T0 + 5000);
  const other = sign(ballot(FEDERATION, 'm02', 'ab'.repeat(32), 'yes', T0 + 5000));
  const { message, at } = await auditForgedSignature(own, other.signature);
  assert.match(message, new RegExp(`entry ${at} `));
  assert.match(message, /BAD_SIGNATURE/);
});

test("a root's duty report under a signature that does not verify is refused as the rules refuse it", async () => {
  const own = dutyReport(FEDERATION, 'm01', 1, [observation('m00', {})], T0 + 5000);
  // Signed by another root's node key: the rules check the node key of the author (m01).
  const other = signStatement(own, keysFor('m02').node.secretKey);
  const { message, at } = await auditForgedSignature(own, other.signature);
  assert.equal(
    message,
    `entry ${at} breaks a rule: BAD_SIGNATURE: ledger entry ${at}: the rules reject this statement (BAD_SIGNATURE, charter §2): The signature is not by the node key of "m01" over this duty-report.`,
  );
});

test('a world that breaks a rule (not produced by the votes) is a rule violation', async () => {
  const { genesis, entries, state } = healthyLedger();
  // The last entry is the world admitting n00; replace it with one that also makes n00 voting.
  const bad = structuredClone(state.world);
  for (const m of bad.members) if (m.name === 'n00') m.status = 'voting';
  const last = JSON.parse(new TextDecoder().decode(entries.at(-1)!)) as { causes: string[] };
  const forged = [
    ...entries.slice(0, -1),
    canonicalBytes({ kind: 'world', world: bad, causes: last.causes } as unknown as Json),
  ];
  const r = await serve(forged, { world: bad });
  const result = await audit([r], genesis);
  const v = result.violations.find((x) => x.kind === 'rule-violation');
  assert.ok(v, JSON.stringify(result.violations));
  assert.match(v.message, new RegExp(`entry ${entries.length - 1}`));
  assertEvidence(v, 'rule-violation');
});

test('a root serving a world the ledger did not commit is caught', async () => {
  const { genesis, entries, state } = healthyLedger();
  const honest = await serve(entries, { world: state.world });
  const liar = await serve(entries, {});
  const fake = structuredClone(state.world);
  fake.members = fake.members.filter((m) => m.name !== 'm03');
  liar.lie.world = () => fake;
  const result = await audit([honest, liar], genesis);
  const v = result.violations.find((x) => x.kind === 'uncommitted-world');
  assert.ok(v, JSON.stringify(result.violations));
  assert.equal(v.root, liar.url);
  assert.match(v.message, new RegExp(worldHash(fake).slice(0, 16)));
  assertEvidence(v, 'uncommitted-world');
});

test('a world a root moves on to after serving its checkpoint is not held against it', async () => {
  // A root that commits a world while the audit runs: its /world answers the newer world once
  // its checkpoint was read. The audit judges the world read just before the checkpoint.
  const { genesis, entries, state } = healthyLedger();
  const r = await serve(entries, { world: state.world });
  let checkpointRead = false;
  r.lie.note = () => {
    checkpointRead = true;
    return r.published!;
  };
  const newer = structuredClone(state.world);
  newer.version += 1;
  newer.members = newer.members.filter((m) => m.name !== 'm03');
  r.lie.world = () => (checkpointRead ? { world: newer } : undefined);
  const result = await audit([r], genesis);
  assert.deepEqual(result.violations, []);
  assert.equal(result.roots[0]!.world?.status, 'current');
});

test('a second audit from the remembered governance state replays only new entries', async () => {
  const { genesis, entries, state } = healthyLedger();
  const r = await serve(entries, { world: state.world });
  const first = await audit([r], genesis);
  assert.deepEqual(first.violations, []);
  const ledger = new TestLedger(genesis);
  ledger.state = state;
  ledger.timeMs = T0 + 2000;
  const m = sign(motion(state, 'm01', [admit('n01', 'JP')], T0 + 3000));
  ledger.run([m], T0 + 3000);
  await r.store.append(ledger.entries);
  await publish(r, FOUNDERS[0]!, FOUNDERS.slice(0, 3), NOW_S + 10);
  const second = await audit([r], genesis, {
    state: first.nextState!,
    rules: () => governanceRules({ genesis, pool, from: first.nextState!.governance }),
  });
  assert.deepEqual(second.violations, []);
  assert.equal(second.tree?.entriesFetched, ledger.entries.length);
  const summary = second.rules!.summary() as { perMember: Record<string, { motions: number }> };
  assert.equal(summary.perMember.m01?.motions, 1);
});

test('an entry altered in the first bundle is diagnosed with evidence signed by the genesis members', async () => {
  const { genesis, entries, state } = healthyLedger();
  const r = await serve(entries, { world: state.world });
  r.lie.bundle = (index, body) => {
    if (index !== 0) return body;
    const copy = Buffer.from(body);
    const at = 2 + entries[0]!.length + 2 + 10; // a byte inside entry 1
    copy.writeUInt8(copy.readUInt8(at) ^ 1, at);
    return copy;
  };
  const result = await audit([r], genesis);
  const v = result.violations.find((x) => x.kind === 'entry-altered');
  assert.ok(v, JSON.stringify(result.violations));
  assert.match(v.message, /index 1\b/);
  assertEvidence(v, 'entry-altered');
});

test('the quorum at a size: after or before the batch ending there, only the world in force inside a batch', async () => {
  const { genesis, entries, state } = healthyLedger();
  // Batch 3: a self-update makes world 3; its last entry is that world.
  const ledger = new TestLedger(genesis);
  ledger.state = state;
  ledger.timeMs = T0 + 2000;
  const endpoints = { p2p: ['/dns4/m01.example.net/tcp/4001'], http: ['https://m01.example.net/'] };
  ledger.run([sign(selfUpdate(FEDERATION, 'm01', T0 + 3000, { endpoints }))], T0 + 3000);
  const all = [...entries, ...ledger.entries];
  const worldsAt = async (size: number) => {
    const rules = governanceRules({ genesis });
    await rules.onEntries(0, all.slice(0, size));
    await rules.drain();
    return rules.keysAt(size).sets.map((s) => s.world?.version);
  };
  assert.deepEqual(await worldsAt(all.length), [3, 2], 'end of batch 3: the world after it or before it');
  assert.deepEqual(await worldsAt(entries.length), [2, 1], 'end of batch 2');
  // Header and statement of batch 3 without its world: inside the batch, only world 2 counts.
  assert.deepEqual(await worldsAt(all.length - 1), [2]);
});

test('an audit resumed from a state saved at the end of a world change still counts the world before it', async () => {
  // The devnet race: an audit saves its state at the size that ends the batch admitting a
  // fifth member; the next audit finds the same checkpoint still cosigned only by the four
  // validators who committed it. Both worlds commit that size (ledger/LEDGER.md §3.4).
  const { genesis, entries } = healthyLedger();
  const whole = governanceRules({ genesis });
  await whole.onEntries(0, entries);
  await whole.drain();
  const versions = (r: ReturnType<typeof governanceRules>) =>
    r.keysAt(entries.length).sets.map((s) => s.world?.version);
  assert.deepEqual(versions(whole), [2, 1]);
  assert.equal(whole.failure(), undefined); // as the audit does: the last batch runs, then the state is saved
  assert.deepEqual(versions(whole), [2, 1]);
  const saved = JSON.parse(JSON.stringify(whole.snapshot())) as unknown;
  const resumed = governanceRules({ genesis, from: saved });
  assert.deepEqual(versions(resumed), [2, 1], 'the world before the batch survives the saved state');
});

/** Four founders with witnesses; m00 and m01 vanish, m02 and m03 recover and commit again. */
function recoveredLedger() {
  const ledger = new TestLedger(makeGenesis(4, WITNESSED_POLICY));
  ledger.run([sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0))], T0);
  const at = T0 + SILENCE_MS;
  const r = signed(ledger.state, recoveryOf(ledger, ['m00', 'm01'], at));
  const recovered = executeRecovery(ledger.state, r, ledgerHead(ledger.genesis, ledger.entries));
  const base = ledger.entries.length + 1;
  ledger.state = recovered.state;
  ledger.entries.push(...recovered.entries);
  const recoveryEnd = ledger.entries.length + 1;
  const endpoints = { p2p: ['/dns4/m02.example.net/tcp/4001'], http: ['https://m02.example.net/'] };
  const t = at + TIME_LOCK_MS;
  ledger.run([sign(selfUpdate(FEDERATION, 'm02', t, { endpoints }))], t);
  const entries = [encodeEntry({ kind: 'genesis', genesis: ledger.genesis }), ...ledger.entries];
  return { genesis: ledger.genesis, entries, state: ledger.state, r, base, recoveryEnd };
}

test('a recovered ledger replays in the audit; only every recovered validator commits the checkpoint that ends the recovery', async () => {
  const { genesis, entries, state, recoveryEnd } = recoveredLedger();
  const rules = governanceRules({ genesis });
  await rules.onEntries(0, entries.slice(0, recoveryEnd));
  await rules.drain();
  const sets = rules.keysAt(recoveryEnd).sets;
  assert.deepEqual(
    sets.map((s) => [s.world?.version, s.validators.map((v) => v.name), s.quorum]),
    [[2, ['m02', 'm03'], 2]],
    'the world before has no quorum left: only the recovered world, all of it',
  );
  assert.equal(rules.failure(), undefined);
  // Served whole and cosigned by the recovered validators, it audits clean.
  const r = await startRoot(entries, { world: state.world });
  open.push(r);
  await publish(r, node('m02'), ['m02', 'm03'].map(node), NOW_S + SILENCE_MS / 1000 + TIME_LOCK_MS / 1000);
  const result = await audit([r], genesis, {
    nowMs: (NOW_S + SILENCE_MS / 1000 + TIME_LOCK_MS / 1000) * 1000 + 1000,
  });
  assert.deepEqual(result.violations, []);
  const summary = result.rules!.summary() as { worlds: { version: number; members: number }[] };
  assert.deepEqual(
    summary.worlds.map((w) => [w.version, w.members]),
    [
      [1, 4],
      [2, 2],
      [3, 2],
    ],
  );
});

test('a recovery that names another tree is a rule violation the audit proves', async () => {
  const { genesis, entries, r, base, recoveryEnd } = recoveredLedger();
  const lying = signed(
    (() => {
      const l = new TestLedger(genesis);
      return l.state;
    })(),
    { ...r.recovery, base: { ...r.recovery.base, rootHash: 'ee'.repeat(32) } },
  );
  const forged = [
    ...entries.slice(0, base),
    encodeEntry({ kind: 'recovery', recovery: lying }),
    ...entries.slice(base + 1, recoveryEnd),
  ];
  const root = await startRoot(forged, {});
  open.push(root);
  await publish(root, node('m02'), ['m02', 'm03'].map(node), NOW_S);
  const result = await audit([root], genesis);
  const v = result.violations.find((x) => x.kind === 'rule-violation');
  assert.ok(v, JSON.stringify(result.violations));
  assert.match(v.message, /RECOVERY_WRONG_BASE/);
  assertEvidence(v, 'rule-violation');
});
