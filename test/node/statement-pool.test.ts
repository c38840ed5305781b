// The statement pool: bounded per author (count and bytes) so that one member's flood never
// refuses another member's statement, bounded in total, and taken in a fair order — round robin
// over authors, the one served longest ago first, oldest first within an author.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_POOL_LIMITS,
  POOL_BYTES_MAX,
  POOL_STATEMENTS_MAX,
  type PoolEntry,
  StatementPool,
} from '../../src/node/statement-pool.ts';

const LIMITS = { statementsPerAuthorMax: 3, bytesPerAuthorMax: 1000, statementsMax: 5, bytesMax: 1800 };

let n = 0;
function entry(author: string, bytes = 100): Omit<PoolEntry<string>, 'seq'> {
  n++;
  const id = `${author}-${n}`;
  return { id, statement: id, author, signerKey: `key of ${author}`, bytes, receivedMs: n };
}

test('one author fills its own share, in count or in bytes, and other authors are still taken', () => {
  const pool = new StatementPool<string>(LIMITS);
  for (let i = 0; i < 3; i++) assert.equal(pool.add(entry('flood')), 'added');
  assert.equal(pool.add(entry('flood')), 'author-full', 'count share');
  assert.equal(pool.add(entry('honest')), 'added');
  const big = new StatementPool<string>(LIMITS);
  assert.equal(big.add(entry('flood', 600)), 'added');
  assert.equal(big.add(entry('flood', 600)), 'author-full', 'byte share');
  assert.equal(big.add(entry('honest', 600)), 'added');
  assert.equal(big.size, 2);
  assert.equal(big.bytes, 1200);
});

test('the pool is bounded in total, and a known statement is not added twice', () => {
  const pool = new StatementPool<string>(LIMITS);
  const first = entry('a');
  assert.equal(pool.add(first), 'added');
  assert.equal(pool.add(first), 'known');
  for (const a of ['b', 'c', 'd', 'e']) assert.equal(pool.add(entry(a)), 'added');
  assert.equal(pool.add(entry('f')), 'full', 'five statements');
  const bytes = new StatementPool<string>(LIMITS);
  assert.equal(bytes.add(entry('a', 900)), 'added');
  assert.equal(bytes.add(entry('b', 900)), 'added');
  assert.equal(bytes.add(entry('c', 100)), 'full', '1,800 bytes');
  // The default totals leave every member of the largest world its whole share.
  assert.equal(POOL_STATEMENTS_MAX, DEFAULT_POOL_LIMITS.statementsPerAuthorMax * 64);
  assert.equal(POOL_BYTES_MAX, DEFAULT_POOL_LIMITS.bytesPerAuthorMax * 64);
});

test('removing and retaining give an author its share back', () => {
  const pool = new StatementPool<string>(LIMITS);
  const added = [entry('a', 400), entry('a', 400)];
  for (const e of added) pool.add(e);
  assert.equal(pool.add(entry('a', 400)), 'author-full');
  pool.remove([added[0]!.id, 'unknown']);
  assert.equal(pool.bytes, 400);
  assert.equal(pool.add(entry('a', 400)), 'added');
  const dropped = pool.retain((e) => e.id !== added[1]!.id);
  assert.deepEqual(dropped, [added[1]!.id]);
  assert.equal(pool.size, 1);
  assert.equal(pool.bytes, 400);
  assert.ok(!pool.has(added[1]!.id));
});

test('fair order: one statement of each author per pass, the author served longest ago first, oldest first', () => {
  const pool = new StatementPool<string>({ ...LIMITS, statementsMax: 100, bytesMax: 100_000 });
  const flood = [entry('flood'), entry('flood'), entry('flood')];
  const honest = [entry('honest'), entry('honest')];
  const late = entry('late');
  for (const e of [...flood, ...honest, late]) pool.add(e);
  const ids = (rank: (a: string) => number) => pool.fairOrder(rank).map((e) => e.id);
  assert.deepEqual(
    ids(() => 0),
    [flood[0], honest[0], late, flood[1], honest[1], flood[2]].map((e) => e!.id),
  );
  // The flooder was served at the last height, the others earlier: it goes last in every pass.
  const served: Record<string, number> = { flood: 9, honest: 3 };
  assert.deepEqual(
    ids((a) => served[a] ?? 0),
    [late, honest[0], flood[0], honest[1], flood[1], flood[2]].map((e) => e!.id),
  );
});
