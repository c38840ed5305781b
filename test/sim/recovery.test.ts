// Recovery (charter §20) against the consensus simulator: for every federation of 1 to 7
// validators and every number k of them that vanish, the simulator runs consensus twice — with
// the k vanished silent (do the others still commit?) and with the others silent (could the
// vanished still commit among themselves?) — and the governance rules allow a recovery exactly
// when neither side commits. So a recovery is impossible while the vanished could still commit,
// and possible whenever the federation is stuck for good.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRecovery } from '../../src/governance/index.ts';
import { basePlan, runSimulation } from '../../src/sim/index.ts';
import { makeGenesis, memberName, T0, TestLedger } from '../governance/fixtures.ts';
import {
  ledgerHead,
  recoveryOf,
  SILENCE_MS,
  signed,
  WITNESSED_POLICY,
} from '../governance/recovery-fixtures.ts';

const N_MAX = 7;
/** Virtual time after which a run that has not committed everything is over. */
const LIVENESS_MS = 3_000;

/** Does consensus commit with the nodes in `silent` saying nothing? */
function commits(n: number, silent: number[], seed: number): boolean {
  const plan = basePlan(seed, n);
  plan.byzantine = silent.map((node) => ({ node, behaviour: 'silent' as const }));
  plan.statements = [{ atMs: 0, count: 2 }];
  plan.livenessMs = LIVENESS_MS;
  const r = runSimulation(plan);
  const other = r.violations.filter((v) => v.kind !== 'liveness');
  assert.deepEqual(other, [], `n=${n} silent=${silent}: only liveness may fail`);
  assert.equal(r.heights > 0, r.violations.length === 0, `n=${n} silent=${silent}: commits all or nothing`);
  return r.heights > 0;
}

test('for 1 to 7 validators and every number vanished, a recovery is allowed exactly when neither side commits in the simulator', () => {
  const rows: string[] = [];
  for (let n = 1; n <= N_MAX; n++) {
    const ledger = new TestLedger(makeGenesis(n, WITNESSED_POLICY));
    ledger.run([], T0);
    const head = ledgerHead(ledger.genesis, ledger.entries);
    for (let k = 1; k < n; k++) {
      const vanished = Array.from({ length: k }, (_, i) => i);
      const remaining = Array.from({ length: n - k }, (_, i) => k + i);
      const othersCommit = commits(n, vanished, 100 * n + k);
      const vanishedCommit = commits(n, remaining, 1000 * n + k);
      const remove = vanished.map(memberName);
      const verdict = checkRecovery(
        ledger.state,
        signed(ledger.state, recoveryOf(ledger, remove, T0 + SILENCE_MS)),
        head,
      );
      rows.push(
        `n=${n} k=${k}: others ${othersCommit ? 'commit' : 'stuck'}, vanished ${vanishedCommit ? 'could commit' : 'cannot'}, recovery ${verdict === null ? 'allowed' : verdict.code}`,
      );
      assert.equal(verdict === null, !othersCommit && !vanishedCommit, rows.at(-1));
      if (vanishedCommit) assert.equal(verdict?.code, 'RECOVERY_VANISHED_QUORUM', rows.at(-1));
      else if (othersCommit) assert.equal(verdict?.code, 'RECOVERY_NOT_NEEDED', rows.at(-1));
    }
  }
  console.log(`# ${rows.join('\n# ')}`);
});
