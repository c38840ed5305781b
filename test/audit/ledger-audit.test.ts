// Tamper tests of the ledger audit at the level of trees and checkpoints:
// each lie is detected with the right diagnosis, and its evidence file passes verify-evidence.
// Governance here is a fixed member set (the rules are a parameter of auditLedger); replay of
// real governance entries is tested in replay.test.ts.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { auditLedger, type KeysInForce, type LedgerRules } from '../../src/audit/audit.ts';
import { readEvidenceFile, verifyEvidence } from '../../src/audit/evidence.ts';
import { readState, writeState } from '../../src/audit/state.ts';
import { cosignatureSigner, ed25519NoteSigner, signNote } from '../../src/crypto/index.ts';
import { formatCheckpoint } from '../../src/ledger/index.ts';
import { HttpClient } from '../../src/net/index.ts';
import { tempDir } from '../helpers/temp.ts';
import {
  entries,
  type Member,
  members,
  ORIGIN,
  publish,
  signCheckpoint,
  startRoot,
  type TestRoot,
} from './fixtures/ledger-root.ts';

const M = members(4);
const NOW_S = 1_800_000_000;
const tmp = tempDir('audit-evidence');
const open: TestRoot[] = [];
after(async () => {
  for (const r of open) await r.close();
});

function keys(list: readonly Member[] = M): KeysInForce {
  const set = list.map((m) => ({ name: m.name, nodeKey: m.key.publicKey }));
  return { logKeys: set, sets: [{ validators: set, cosigners: set }], freshnessMs: 3_600_000 };
}

/** Rules with a fixed member set: the tree and checkpoint checks under test do not depend on them. */
function fixedRules(): LedgerRules {
  let count = 0;
  return {
    onEntries: (_start, e) => {
      count += e.length;
    },
    drain: async () => undefined,
    keysAt: () => keys(),
    failure: () => undefined,
    worldStatus: (v) =>
      (v as { version?: number }).version === 1
        ? { status: 'current', version: 1 }
        : { status: 'uncommitted', version: 2, worldHash: 'ab'.repeat(32) },
    snapshot: () => ({ count }),
    summary: () => ({ count }),
  };
}

async function root(n: number, tag = 'e'): Promise<TestRoot> {
  const r = await startRoot(entries(n, tag));
  open.push(r);
  await publish(r, M[0]!, M.slice(0, 3), NOW_S);
  return r;
}

const http = new HttpClient({ timeoutMs: 5000, attemptsMax: 2, backoffMs: 10 });

function run(roots: TestRoot[], extra: Partial<Parameters<typeof auditLedger>[0]> = {}) {
  const dir = mkdtempSync(join(tmp, 'ev-'));
  return auditLedger({
    roots: roots.map((r) => r.url),
    origin: ORIGIN,
    genesisLeafHash: '00',
    http,
    nowMs: NOW_S * 1000 + 60_000,
    rules: fixedRules,
    evidenceDir: dir,
    ...extra,
  });
}

function assertEvidence(v: { evidenceFile?: string }, kind: string): void {
  assert.ok(v.evidenceFile, 'an evidence file was written');
  const verdict = verifyEvidence(readEvidenceFile(v.evidenceFile));
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
  assert.equal(verdict.ok && verdict.kind, kind);
}

test('a healthy ledger on two roots verifies with no violation', async () => {
  const a = await root(600);
  const b = await root(600);
  const r = await run([a, b]);
  assert.deepEqual(r.violations, []);
  assert.deepEqual(r.incomplete, []);
  assert.equal(r.tree?.size, 600);
  assert.equal(r.roots[0]!.checkpoint?.committed, true);
});

test('an entry altered in a bundle is diagnosed as entry-altered with a verifiable proof', async () => {
  const a = await root(300);
  a.lie.bundle = (index, body) => {
    if (index !== 0) return body;
    const copy = Buffer.from(body);
    copy.writeUInt8(copy.readUInt8(7) ^ 1, 7); // a byte inside entry 0
    return copy;
  };
  const r = await run([a]);
  const v = r.violations.find((x) => x.kind === 'entry-altered');
  assert.ok(v, JSON.stringify(r.violations));
  assertEvidence(v, 'entry-altered');
});

test('two entries swapped in a bundle are diagnosed as entries-swapped', async () => {
  const a = await root(300);
  const list = entries(300);
  a.lie.bundle = (index, body) => {
    if (index !== 1) return body;
    const e = list.slice(256, 300);
    const t = e[3]!;
    e[3] = e[7]!;
    e[7] = t;
    return Buffer.concat(e.map((x) => Buffer.concat([Buffer.from([x.length >> 8, x.length & 0xff]), x])));
  };
  const r = await run([a]);
  const v = r.violations.find((x) => x.kind === 'entries-swapped');
  assert.ok(v, JSON.stringify(r.violations));
  assert.match(v.message, /259 and 263/);
  assertEvidence(v, 'entries-swapped');
});

test('a root serving a forked history to one client is a split view', async () => {
  const a = await root(500);
  const forked = await root(500, 'fork'); // same size, other entries, same member keys
  const b = await root(400);
  // Root b shows a checkpoint from the fork's history (size 400) signed by its log key.
  const forkedAt400 = await forked.store.rootAt(400);
  b.lie.note = () => signCheckpoint(400, forkedAt400, M[1]!, M.slice(0, 3), NOW_S);
  const r = await run([a, b]);
  const v = r.violations.find((x) => x.kind === 'split-view');
  assert.ok(v, JSON.stringify([r.violations, r.incomplete, r.roots, r.tree]));
  assert.equal(v.root, b.url);
  assertEvidence(v, 'split-view');
  // Same size, different roots: c has the same 500 entries as a but signs the fork's root.
  const c = await root(500);
  c.lie.note = () => forked.published!;
  const r2 = await run([a, c]);
  const v2 = r2.violations.find((x) => x.kind === 'split-view');
  assert.ok(v2, JSON.stringify(r2.violations));
  assert.equal(v2.root, c.url);
  assertEvidence(v2, 'split-view');
});

test('a ledger rolled back is seen by the next audit with --state', async () => {
  const a = await root(300);
  const statePath = join(tmp, 'rollback.state.json');
  const first = await run([a]);
  assert.deepEqual(first.violations, []);
  writeState(statePath, first.nextState!);
  // The root now serves an older checkpoint of the same ledger.
  const older = signCheckpoint(200, await a.store.rootAt(200), M[0]!, M.slice(0, 3), NOW_S + 10);
  a.lie.note = () => older;
  const second = await run([a], { state: readState(statePath)!, nowMs: NOW_S * 1000 + 120_000 });
  const v = second.violations.find((x) => x.kind === 'rollback');
  assert.ok(v, JSON.stringify(second.violations));
  assertEvidence(v, 'rollback');
});

test('a checkpoint with too few or non-member cosignatures is not committed', async () => {
  const a = await root(100);
  const strangers = members(3, 5).map((m, i) => ({ ...m, name: `x${i}` }));
  a.lie.note = () => signCheckpoint(100, a.store.rootHash(), M[0]!, [M[1]!, ...strangers], NOW_S);
  const r = await run([a]);
  const v = r.violations.find((x) => x.kind === 'insufficient-cosignatures');
  assert.ok(v, JSON.stringify(r.violations));
  assert.match(v.message, /1 of 4 validators/);
  assertEvidence(v, 'insufficient-cosignatures');
});

test('a stale checkpoint is reported against the policy bound', async () => {
  const a = await root(100);
  const r = await run([a], { nowMs: NOW_S * 1000 + 2 * 3_600_000 });
  const v = r.violations.find((x) => x.kind === 'stale-checkpoint');
  assert.ok(v, JSON.stringify(r.violations));
  assertEvidence(v, 'stale-checkpoint');
});

test('a second audit with --state fetches only the new entries', async () => {
  const a = await root(700);
  const first = await run([a]);
  assert.equal(first.tree?.entriesFetched, 700);
  await a.store.append(entries(50, 'more'));
  await publish(a, M[0]!, M.slice(0, 3), NOW_S + 30);
  const second = await run([a], { state: first.nextState! });
  assert.deepEqual(second.violations, []);
  assert.equal(second.tree?.fromSize, 700);
  assert.equal(second.tree?.entriesFetched, 50);
  assert.equal(second.nextState?.size, 750);
});

test('evidence that was tampered with is refused', async () => {
  const a = await root(100);
  const r = await run([a], { nowMs: NOW_S * 1000 + 2 * 3_600_000 });
  const file = r.violations[0]!.evidenceFile!;
  const evidence = readEvidenceFile(file) as { freshness: { nowMs: number } };
  evidence.freshness.nowMs = NOW_S * 1000;
  assert.equal(verifyEvidence(evidence).ok, false);
});

test('a cosignature by a member that does not verify is a bad signature', async () => {
  const a = await root(100);
  const good = signCheckpoint(100, a.store.rootHash(), M[0]!, M.slice(0, 3), NOW_S);
  // Flip one bit inside m2's cosignature (the last base64 character before its newline stays canonical).
  a.lie.note = () =>
    good.replace(/(— m2 )(\S+)\n/, (_all, head: string, sig: string) => {
      const bytes = Buffer.from(sig, 'base64');
      bytes[20] = bytes[20]! ^ 1;
      return `${head}${bytes.toString('base64')}\n`;
    });
  const r = await run([a]);
  const v = r.violations.find((x) => x.kind === 'bad-signature');
  assert.ok(v, JSON.stringify(r.violations));
  assertEvidence(v, 'bad-signature');
});

test('a checkpoint signed by no member is reported, and no unprovable evidence file is written', async () => {
  const a = await root(100);
  const strangers = members(4, 9).map((m, i) => ({ ...m, name: `s${i}` }));
  a.lie.note = () => signCheckpoint(100, a.store.rootHash(), strangers[0]!, strangers.slice(1), NOW_S);
  const r = await run([a]);
  const v = r.violations.find((x) => x.kind === 'insufficient-cosignatures');
  assert.ok(v, JSON.stringify(r.violations));
  assert.equal(v.evidenceFile, undefined);
  assert.match(v.unprovable ?? '', /signed by none of the listed member keys/);
});

test('a root that later serves another tree of the remembered size is a split view over time', async () => {
  const a = await root(300);
  const first = await run([a]);
  assert.deepEqual(first.violations, []);
  const fork = await root(300, 'other');
  a.lie.note = () => signCheckpoint(300, fork.store.rootHash(), M[0]!, M.slice(0, 3), NOW_S + 5);
  const second = await run([a], { state: first.nextState!, nowMs: NOW_S * 1000 + 90_000 });
  const v = second.violations.find((x) => x.kind === 'split-view');
  assert.ok(v, JSON.stringify(second.violations));
  assertEvidence(v, 'split-view');
});

test('a cosignature dated beyond the allowed skew ahead of the clock is a violation with evidence', async () => {
  const a = await root(100);
  const nowMs = NOW_S * 1000 + 60_000;
  const skewMs = 300_000;
  // Within the skew: nothing to report; the result states the clock and skew used.
  a.lie.note = () => signCheckpoint(100, a.store.rootHash(), M[0]!, M.slice(0, 3), NOW_S + 60 + 290);
  const ok = await run([a], { nowMs });
  assert.deepEqual(ok.violations, []);
  assert.deepEqual(ok.clock, { nowMs, skewMs });
  // One cosigner a day ahead: its clock is wrong, or it dates cosignatures ahead to look fresh.
  a.lie.note = () =>
    signNote(formatCheckpoint({ origin: ORIGIN, size: 100, rootHash: a.store.rootHash(), extensions: [] }), [
      ed25519NoteSigner(ORIGIN, M[0]!.key.secretKey),
      cosignatureSigner(M[0]!.name, M[0]!.key.secretKey, NOW_S),
      cosignatureSigner(M[1]!.name, M[1]!.key.secretKey, NOW_S),
      cosignatureSigner(M[2]!.name, M[2]!.key.secretKey, NOW_S + 86_400),
    ]);
  const r = await run([a], { nowMs });
  const v = r.violations.find((x) => x.kind === 'future-cosignature');
  assert.ok(v, JSON.stringify(r.violations));
  assert.match(v.message, /m3 \(/);
  assertEvidence(v, 'future-cosignature');
  const evidence = readEvidenceFile(v.evidenceFile!) as { clock: { nowMs: number; skewMs: number } };
  assert.deepEqual(evidence.clock, { nowMs, skewMs });
  // Offline, a later clock no longer shows the timestamp ahead, and a smaller skew is not the rule.
  assert.equal(verifyEvidence({ ...evidence, clock: { nowMs: nowMs + 86_400_000, skewMs } }).ok, false);
  assert.equal(verifyEvidence({ ...evidence, clock: { nowMs: nowMs + 86_300_000, skewMs: 1 } }).ok, false);
});

test('a failed signature by a key of either world in force invalidates a note that the other world commits', async () => {
  const a = await root(100);
  const leaving = members(5)[4]!; // m5: a member before the batch ending here, gone after it
  const before = [...M, leaving];
  const set = (list: readonly Member[], version: number) => ({
    validators: list.map((m) => ({ name: m.name, nodeKey: m.key.publicKey })),
    cosigners: list.map((m) => ({ name: m.name, nodeKey: m.key.publicKey })),
    world: { version, worldHash: String(version).repeat(64) },
  });
  const twoWorlds = (): LedgerRules => ({
    ...fixedRules(),
    keysAt: () => ({ ...keys(before), sets: [set(M, 3), set(before, 2)] }),
  });
  const good = signCheckpoint(100, a.store.rootHash(), M[0]!, [...M.slice(0, 3), leaving], NOW_S);
  a.lie.note = () => good;
  const fine = await run([a], { rules: twoWorlds });
  assert.deepEqual(fine.violations, []);
  assert.deepEqual(fine.roots[0]!.checkpoint?.quorumWorld, { version: 3, worldHash: '3'.repeat(64) });
  // m5's cosignature altered: world 3 alone would commit the note, but a key in force failed.
  a.lie.note = () =>
    good.replace(/(— m5 )(\S+)\n/, (_all, head: string, sig: string) => {
      const bytes = Buffer.from(sig, 'base64');
      bytes[20] = bytes[20]! ^ 1;
      return `${head}${bytes.toString('base64')}\n`;
    });
  const r = await run([a], { rules: twoWorlds });
  const v = r.violations.find((x) => x.kind === 'bad-signature');
  assert.ok(v, JSON.stringify(r.violations));
  assert.deepEqual(r.roots[0]!.checkpoint?.quorumWorld, { version: 2, worldHash: '2'.repeat(64) });
  assertEvidence(v, 'bad-signature');
});
