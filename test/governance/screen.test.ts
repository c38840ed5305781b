// The screen a root runs first on a submitted statement: for every well-formed statement it gives
// the verdict of the full rules on CHARTER §1–§2 (same code, same section), its id and length are
// those of the canonical bytes, and a statement not signed by a member is refused without the
// strict reading of its fields.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalBytes, type Json, toBase64 } from '../../src/codec/index.ts';
import {
  ballot,
  checkStatement,
  genesisState,
  motion,
  type SignedStatement,
  screenStatement,
  selfUpdate,
  statementId,
} from '../../src/governance/index.ts';
import { FEDERATION, makeGenesis, sign, T0 } from './fixtures.ts';

const state = genesisState(makeGenesis(4));
const world = state.world;

/** Well-formed statements: by members or strangers, for this federation or another, signed by the author or not. */
const statements = fc
  .record({
    kind: fc.constantFrom('ballot', 'self-update', 'motion'),
    author: fc.constantFrom('m00', 'm01', 'm03', 'stranger'),
    federation: fc.constantFrom(FEDERATION, 'other.witan.test'),
    signer: fc.constantFrom('author', 'm02'),
    createdMs: fc.integer({ min: T0 - 1000, max: T0 + 1000 }),
  })
  .map(({ kind, author, federation, signer, createdMs }): SignedStatement => {
    const s =
      kind === 'ballot'
        ? ballot(federation, author, 'ab'.repeat(32), 'yes', createdMs)
        : kind === 'self-update'
          ? selfUpdate(federation, author, createdMs, {
              endpoints: { p2p: [`/dns4/${author}.example/tcp/1`], http: ['https://x.example/'] },
            })
          : { ...motion(state, author, [{ type: 'remove', member: 'm02' }], createdMs), federation };
    // Signed by someone else: m02's key over other bytes.
    return signer === 'author'
      ? sign(s)
      : { statement: s, signature: sign({ ...s, author: 'm02' }).signature };
  });

test('the screen gives the rules verdict on §1–§2 for well-formed statements, with their id and canonical length', () => {
  fc.assert(
    fc.property(statements, (signed) => {
      const raw = JSON.parse(JSON.stringify(signed)) as unknown;
      const screened = screenStatement(world, raw);
      const full = checkStatement(state, signed, { timeMs: T0 });
      const early = ['WRONG_FEDERATION', 'UNKNOWN_AUTHOR', 'BAD_SIGNATURE'];
      if ('code' in screened) {
        assert.ok(early.includes(screened.code), screened.code);
        assert.deepEqual(screened, full, 'the same code, message and charter section');
      } else {
        assert.ok(full === null || !early.includes(full.code), `the rules say ${full?.code}`);
        const bytes = canonicalBytes(signed as unknown as Json);
        assert.deepEqual(screened, { id: statementId(signed), bytes: bytes.length });
      }
    }),
    { numRuns: 300 },
  );
});

test('a statement not signed by a member is refused before its fields are read strictly', () => {
  const good = sign(ballot(FEDERATION, 'm01', 'ab'.repeat(32), 'yes', T0));
  // A field the strict reading refuses (a choice that is no choice), signed by nobody who counts.
  const forged = { ...good, statement: { ...good.statement, choice: 'maybe', author: 'stranger' } };
  const verdict = screenStatement(world, forged);
  assert.ok('code' in verdict && verdict.code === 'UNKNOWN_AUTHOR', JSON.stringify(verdict));
  const unsigned = { ...good, statement: { ...good.statement, choice: 'maybe' } };
  const second = screenStatement(world, unsigned);
  assert.ok('code' in second && second.code === 'BAD_SIGNATURE' && second.rule === 'charter §2');
  // Signed by its author, the same statement is for the strict reading to refuse (MALFORMED).
  const statement = { ...good.statement, choice: 'maybe' } as unknown as typeof good.statement;
  assert.ok(!('code' in screenStatement(world, sign(statement))));
});

test('what the screen cannot even read is malformed: envelope, kind, unknown fields, size, types', () => {
  const good = sign(ballot(FEDERATION, 'm01', 'ab'.repeat(32), 'yes', T0));
  const signature = toBase64(new Uint8Array(64));
  const cases: unknown[] = [
    null,
    [],
    'x',
    { statement: good.statement },
    { ...good, extra: 1 },
    { ...good, signature: 'not base64' },
    { ...good, statement: { ...good.statement, kind: 'poem' } },
    { ...good, statement: { ...good.statement, surprise: true } },
    { ...good, statement: { ...good.statement, author: 7 } },
    { ...good, statement: { ...good.statement, createdMs: 1.5 } },
    { signature, statement: { ...good.statement, reason: 'x'.repeat(70_000) } },
  ];
  for (const c of cases) {
    const verdict = screenStatement(world, c);
    assert.ok('code' in verdict && verdict.code === 'MALFORMED_STATEMENT', JSON.stringify(verdict));
    assert.equal(verdict.rule, 'charter §1');
  }
});
