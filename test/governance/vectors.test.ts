// The frozen governance vectors in ledger/vectors/governance/ are what outside auditors test
// their own rules against: the generator must reproduce them byte for byte, the hashes must
// follow from the bytes, and replaying the recorded ledger must give the recorded worlds.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { generatedFiles, REPO_ROOT, VECTORS_DIR } from '../../scripts/gen-governance-vectors.ts';
import { canonicalBytes, fromHex, type Json, toHex } from '../../src/codec/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import {
  decodeEntry,
  replay,
  type SignedGenesis,
  statementId,
  verifyGenesis,
} from '../../src/governance/index.ts';
import {
  EntrySchema,
  MemberSchema,
  SignedGenesisSchema,
  SignedStatementSchema,
  WorldSchema,
} from '../../src/governance/schemas.ts';
import { leafHash } from '../../src/ledger/index.ts';

const read = <T>(name: string): T => JSON.parse(readFileSync(join(VECTORS_DIR, name), 'utf8')) as T;

test('the generator reproduces the committed vectors, schemas and example genesis byte for byte', () => {
  for (const [name, text] of Object.entries(generatedFiles())) {
    assert.equal(
      readFileSync(join(REPO_ROOT, name), 'utf8'),
      text,
      `${name} is stale: run scripts/gen-governance-vectors.ts`,
    );
  }
});

test('hashes, ids and leaf hashes follow from the bytes', () => {
  const { worlds } = read<{ worlds: { hash: string; canonicalHex: string; world: Json }[] }>('worlds.json');
  for (const w of worlds) {
    assert.equal(toHex(canonicalBytes(w.world)), w.canonicalHex);
    assert.equal(toHex(sha256(fromHex(w.canonicalHex))), w.hash);
  }
  const { batches } = read<{ batches: { statements: { signed: Json; statementId: string }[] }[] }>(
    'batches.json',
  );
  for (const b of batches)
    for (const s of b.statements) assert.equal(statementId(s.signed as never), s.statementId);
  const ledger = read<{ entries: string[]; leafHashes: string[] }>('ledger.json');
  ledger.entries.forEach((e, i) => {
    assert.equal(toHex(leafHash(fromHex(e))), ledger.leafHashes[i]);
  });
});

test('replaying the recorded ledger reproduces every recorded world and verdict', () => {
  const { genesis } = read<{ genesis: SignedGenesis }>('genesis.json');
  assert.deepEqual(verifyGenesis(genesis), { ok: true });
  const ledger = read<{ entries: string[] }>('ledger.json');
  const entries = ledger.entries.map((e) => fromHex(e));
  assert.equal(decodeEntry(entries[0]!).kind, 'genesis');
  const { worlds } = replay(genesis, entries.slice(1));
  const recorded = read<{ worlds: { hash: string }[] }>('worlds.json').worlds;
  assert.deepEqual(
    worlds.map((w) => toHex(sha256(canonicalBytes(w as unknown as Json)))),
    recorded.map((w) => w.hash),
  );
  // Accepted statements are exactly the statement entries of the ledger, in order.
  const { batches } = read<{ batches: { statements: { signed: Json; verdict: { accepted: boolean } }[] }[] }>(
    'batches.json',
  );
  const accepted = batches.flatMap((b) =>
    b.statements.filter((s) => s.verdict.accepted).map((s) => toHex(canonicalBytes(s.signed))),
  );
  const inLedger = entries
    .map((e) => decodeEntry(e))
    .flatMap((e) => (e.kind === 'statement' ? [toHex(canonicalBytes(e.statement as unknown as Json))] : []));
  assert.deepEqual(inLedger, accepted);
});

test('the JSON Schemas accept the example genesis and every vector statement, and refuse extra fields', () => {
  const genesis = JSON.parse(
    readFileSync(join(REPO_ROOT, 'governance', 'genesis.example.json'), 'utf8'),
  ) as SignedGenesis;
  assert.deepEqual(verifyGenesis(genesis), { ok: true });
  assert.ok(Value.Check(SignedGenesisSchema, genesis));
  assert.ok(Value.Check(WorldSchema, genesis.world));
  assert.ok(!Value.Check(WorldSchema, { ...genesis.world, extra: true }));
  assert.ok(!Value.Check(MemberSchema, { ...genesis.world.members[0], jurisdiction: 'EU' }));
  const { batches } = read<{ batches: { statements: { signed: unknown }[] }[] }>('batches.json');
  for (const b of batches)
    for (const s of b.statements)
      assert.ok(Value.Check(SignedStatementSchema, s.signed), JSON.stringify(s.signed).slice(0, 200));
  // Every ledger entry of the vectors fits the entry schema; an outcome with a stray field does not.
  const ledger = read<{ entries: string[] }>('ledger.json');
  for (const e of ledger.entries) {
    const value = JSON.parse(new TextDecoder().decode(fromHex(e)));
    assert.ok(Value.Check(EntrySchema, value), e.slice(0, 80));
  }
  assert.ok(
    !Value.Check(EntrySchema, { kind: 'outcome', motion: 'ab'.repeat(32), result: 'passed', why: 'x' }),
  );
  // Every file in governance/schemas is valid JSON with its $id.
  for (const name of ['member', 'policy', 'world', 'statement', 'genesis', 'entry']) {
    const doc = JSON.parse(
      readFileSync(join(REPO_ROOT, 'governance', 'schemas', `${name}.schema.json`), 'utf8'),
    ) as { $id: string };
    assert.equal(doc.$id, `${name}.schema.json`);
  }
});
