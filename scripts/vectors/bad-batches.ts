// bad-batches.json of the governance vectors: batch headers that cannot follow the state they
// are given to, each refused as a whole with BAD_BATCH (charter §17) and changing nothing.
// Each case names the height of the scenario state it applies to (0 = right after genesis).

import type { Json } from '../../src/codec/index.ts';
import {
  type Batch,
  executeBatch,
  GovernanceError,
  type GovernanceState,
  type SignedStatement,
} from '../../src/governance/index.ts';

type Case = {
  note: string;
  afterHeight: number;
  header: Omit<Batch, 'statements'>;
  /** The batch's statements: `count` copies of `statement` (none when count is 0). */
  statements: { count: number; statement?: SignedStatement };
};

/** `states[h]` is the scenario state after height h; `sample` is any signed statement. */
export function badBatchVectors(states: readonly GovernanceState[], sample: SignedStatement): Json {
  const at = (h: number) => states[h]!;
  const last = (h: number) => ({ height: h + 1, timeMs: at(h).timeMs, proposer: 'alder' });
  const cases: Case[] = [
    {
      note: 'height is not one more than the last',
      afterHeight: 4,
      header: { ...last(4), height: 6 },
      statements: { count: 0 },
    },
    {
      note: 'height repeats the last',
      afterHeight: 4,
      header: { ...last(4), height: 4 },
      statements: { count: 0 },
    },
    {
      note: 'time earlier than the last batch’s',
      afterHeight: 4,
      header: { ...last(4), timeMs: at(4).timeMs - 1 },
      statements: { count: 0 },
    },
    {
      note: 'time above 2^48 ms',
      afterHeight: 4,
      header: { ...last(4), timeMs: 2 ** 48 + 1 },
      statements: { count: 0 },
    },
    {
      note: 'proposed by a suspended member (rowan)',
      afterHeight: 4,
      header: { ...last(4), proposer: 'rowan' },
      statements: { count: 0 },
    },
    {
      note: 'proposed by a member in probation (fir)',
      afterHeight: 6,
      header: { ...last(6), proposer: 'fir' },
      statements: { count: 0 },
    },
    {
      note: 'proposed by a name that is no member',
      afterHeight: 0,
      header: { ...last(0), proposer: 'oak' },
      statements: { count: 0 },
    },
    {
      note: 'more statements than policy.batchStatementsMax (256)',
      afterHeight: 0,
      header: last(0),
      statements: { count: at(0).world.policy.batchStatementsMax + 1, statement: sample },
    },
  ];
  for (const c of cases) {
    const statements = Array.from({ length: c.statements.count }, () => c.statements.statement!);
    try {
      executeBatch(at(c.afterHeight), { ...c.header, statements });
      throw new Error(`bad batch accepted: ${c.note}`);
    } catch (e) {
      if (!(e instanceof GovernanceError) || e.code !== 'BAD_BATCH') throw e;
    }
  }
  return {
    description:
      'Batches refused as a whole with BAD_BATCH: the header cannot follow the state after batch `afterHeight` of batches.json (0: the genesis state). Nothing is appended and the state does not change.',
    cases: cases.map((c) => ({ ...c, expect: { error: 'BAD_BATCH' } })),
  } as unknown as Json;
}
