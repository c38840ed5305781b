// Checking ledger entries ahead of the replay (entry-check.ts), inline and on the worker pool:
// both give the same decoded entries, statement ids and signature verdicts; each statement is
// checked under the key its kind names (a root's statements under its node key); a signature
// that does not verify under the guessed key is a negative, a world met in the bundle moves
// the guess, and checking stops at the first entry that does not decode.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { checkEntries, entryOf, guessKeysFrom, type KeyGuesses } from '../../src/audit/entry-check.ts';
import { VerifyPool } from '../../src/audit/verify-pool.ts';
import { utf8Bytes } from '../../src/codec/index.ts';
import {
  ballot,
  decodeEntry,
  dutyReport,
  encodeEntry,
  motion,
  observation,
  type SignedStatement,
  type StatementKind,
  signStatement,
  statementId,
} from '../../src/governance/index.ts';
import { DKG_POLICY, Dkg, keyB64, signByNode, signPending } from '../governance/ceremony-fixtures.ts';
import {
  admit,
  FEDERATION,
  keysFor,
  makeGenesis,
  replaceGovernanceKey,
  sign,
  T0,
  TestLedger,
} from '../governance/fixtures.ts';

const pool = new VerifyPool(2);
after(() => pool.close());

/** Genesis of 4, a motion admitting n00, three ballots, the new world; then m01 replaces its key. */
function ledger(): { entries: Uint8Array[]; keys: () => KeyGuesses } {
  const l = new TestLedger(makeGenesis(4));
  const keys = () => guessKeysFrom(l.genesis.world, new Map());
  const m = sign(motion(l.state, 'm00', [admit('n00', 'US')], T0));
  l.run([m]);
  l.run(
    ['m00', 'm01', 'm02'].map((a) => sign(ballot(FEDERATION, a, statementId(m), 'yes', T0 + 1000))),
    T0 + 2000,
  );
  const entries = [encodeEntry({ kind: 'genesis', genesis: l.genesis }), ...l.entries];
  return { entries, keys };
}

const withSignatureOf = (s: SignedStatement, other: SignedStatement): SignedStatement => ({
  statement: s.statement,
  signature: other.signature,
});

test('entries checked on the pool match the inline check: entries, ids and verdicts', async () => {
  const { entries, keys } = ledger();
  const inline = checkEntries(entries, 0, keys(), true);
  const pooled = await pool.checkEntries(entries, 0, keys());
  assert.equal(pooled.failedAt, undefined);
  assert.equal(pooled.entries.length, entries.length);
  assert.equal(pooled.signaturesChecked, inline.signaturesChecked);
  assert.equal(inline.signaturesChecked, 4, 'the motion and three ballots');
  for (const [i, bytes] of entries.entries()) {
    const a = inline.entries[i]!;
    const b = pooled.entries[i]!;
    assert.equal(b.id, a.id);
    assert.equal(b.key, a.key);
    assert.equal(b.ok, a.ok);
    if (i === 0) {
      assert.equal(entryOf(bytes, b), undefined, 'the genesis is compared by its bytes');
      continue;
    }
    const entry = entryOf(bytes, b)!;
    assert.deepEqual(encodeEntry(entry), bytes, `entry ${i} as decoded on the pool`);
    assert.equal(entry.kind, decodeEntry(bytes).kind);
    if (entry.kind === 'statement') {
      assert.equal(a.ok, true);
      assert.equal(b.id, statementId(entry.statement));
    }
  }
});

test('a signature that does not verify under the guessed key is a negative; a world in the bundle moves the guess', async () => {
  const { entries, keys } = ledger();
  const a = sign(ballot(FEDERATION, 'm00', 'ab'.repeat(32), 'no', T0 + 5000));
  const b = sign(ballot(FEDERATION, 'm01', 'ab'.repeat(32), 'no', T0 + 5000));
  const forged = withSignatureOf(a, b);
  const extra = [
    encodeEntry({ kind: 'statement', statement: forged }),
    encodeEntry({ kind: 'statement', statement: a }),
  ];
  const at = entries.length;
  for (const checked of [checkEntries(extra, at, keys(), true), await pool.checkEntries(extra, at, keys())]) {
    assert.deepEqual(
      checked.entries.map((c) => c.ok),
      [false, true],
    );
    assert.equal(checked.entries[0]!.id, statementId(forged));
  }

  // m01's key replaced by a world entry: the statement after it is checked under the new key.
  const l = new TestLedger(makeGenesis(4));
  const m = sign(motion(l.state, 'm00', [replaceGovernanceKey('m01', 1)], T0));
  l.run([m]);
  l.run(
    ['m00', 'm01', 'm02'].map((x) => sign(ballot(FEDERATION, x, statementId(m), 'yes', T0 + 1000))),
    T0 + 2000,
  );
  const world = l.entries.findLast((e) => decodeEntry(e).kind === 'world')!;
  const later = signStatement(
    ballot(FEDERATION, 'm01', 'cd'.repeat(32), 'yes', T0 + 3000),
    keysFor('m01', 1).gov.secretKey,
  );
  const bundle = [world, encodeEntry({ kind: 'statement', statement: later })];
  const guesses = guessKeysFrom(l.genesis.world, new Map());
  const checked = await pool.checkEntries(bundle, 9, guesses);
  assert.equal(checked.entries[1]!.ok, true);
  assert.notEqual(
    checked.entries[1]!.key,
    guesses.get('m01')!.governanceKey,
    'checked under the replaced key',
  );
  assert.equal(
    guesses.get('m01')!.governanceKey,
    l.genesis.world.members[1]!.governanceKey,
    "the caller's map is kept",
  );
});

test("a root's statements (DKG parts, a federation signature, a duty report) are checked under its node key", async () => {
  const l = new TestLedger(makeGenesis(4, DKG_POLICY));
  const dkg = new Dkg(l);
  const { group, shares } = dkg.complete();
  const pending = l.state.pendingSignatures![0]!;
  l.run([signPending('m01', pending, new Map([[keyB64(group), { group, shares }]]), l.timeMs)]);
  const report = signByNode(dutyReport(FEDERATION, 'm02', 1, [observation('m00', {})], l.timeMs));
  // The same report under the author's governance key: the kind names the node key, so a negative.
  const misSigned = sign(report.statement);
  const entries = [
    encodeEntry({ kind: 'genesis', genesis: l.genesis }),
    ...l.entries,
    encodeEntry({ kind: 'statement', statement: report }),
    encodeEntry({ kind: 'statement', statement: misSigned }),
  ];
  const keys = () => guessKeysFrom(l.genesis.world, new Map());
  for (const checked of [
    checkEntries(entries, 0, keys(), true),
    await pool.checkEntries(entries, 0, keys()),
  ]) {
    const statements = entries.flatMap((bytes, i) => {
      const entry = i === 0 ? undefined : entryOf(bytes, checked.entries[i]);
      return entry?.kind === 'statement' ? [{ signed: entry.statement, check: checked.entries[i]! }] : [];
    });
    const kinds = new Set(statements.map((x) => x.signed.statement.kind));
    for (const kind of [
      'dkg-commitment',
      'dkg-shares',
      'dkg-confirmation',
      'federation-signature',
      'duty-report',
    ])
      assert.ok(kinds.has(kind as StatementKind), kind);
    assert.equal(checked.signaturesChecked, statements.length, 'every statement checked');
    for (const { signed, check } of statements) {
      const author = l.genesis.world.members.find((m) => m.name === signed.statement.author)!;
      assert.equal(check.key, author.nodeKey, `${signed.statement.kind} under the node key`);
    }
    assert.deepEqual(
      statements.map((x) => x.check.ok),
      [...statements.slice(0, -1).map(() => true), false],
      'all verify but the report signed by the governance key',
    );
  }
});

test('checking stops at the first entry that does not decode', async () => {
  const { entries, keys } = ledger();
  const bad = [...entries.slice(0, 3), utf8Bytes('{"kind":"batch"}'), ...entries.slice(3)];
  for (const checked of [checkEntries(bad, 0, keys(), true), await pool.checkEntries(bad, 0, keys())]) {
    assert.equal(checked.failedAt, 3);
    assert.equal(checked.entries.length, 3);
  }
});
