// Replay for auditors: re-executes every batch of the ledger from the
// genesis with executeBatch and requires the recorded entries to be exactly — byte for byte —
// what the rules produce. Any difference throws GovernanceError naming the entry index.

import { bytesEqual, toHex } from '../codec/index.ts';
import { CompactRange, leafHash } from '../ledger/index.ts';
import { type ExecuteOptions, executeBatch, executeRecovery } from './batch.ts';
import { type BatchGroup, BatchGrouper, replayMismatch } from './batch-groups.ts';
import { decodeEntry, decodeEntryAt, encodeEntry } from './entry.ts';
import { atEntry, GovernanceError } from './errors.ts';
import type { SignedGenesis } from './genesis.ts';
import type { World } from './model.ts';
import { type GovernanceState, genesisState } from './state.ts';

/**
 * Re-executes one recorded batch and requires the ledger's entries to be exactly what the
 * rules produce. Shared by replay() and the auditor's streaming replay.
 */
export function replayBatch(
  state: GovernanceState,
  g: BatchGroup,
  options: ExecuteOptions = {},
): { state: GovernanceState; world: World | null } {
  let result: ReturnType<typeof executeBatch>;
  try {
    const h = g.header;
    result =
      h.kind === 'recovery'
        ? executeRecovery(
            state,
            h.recovery,
            { size: g.start, rootHash: options.rootHashAt?.(g.start) },
            options,
          )
        : executeBatch(state, { ...h, statements: g.statements }, options);
  } catch (e) {
    throw atEntry(e, g.start);
  }
  const first = result.rejected[0];
  if (first !== undefined) {
    throw new GovernanceError(
      'REPLAY_MISMATCH',
      `ledger entry ${g.start + 1 + first.index}: the rules reject this statement (${first.code}, ${first.rule}): ${first.message}`,
      {
        entryIndex: g.start + 1 + first.index,
        rejection: { code: first.code, message: first.message, rule: first.rule },
      },
    );
  }
  const n = Math.max(result.entries.length, g.raw.length);
  for (let i = 0; i < n; i++) {
    const want = result.entries[i];
    const got = g.raw[i];
    if (want === undefined)
      throw replayMismatch(g.start + i, 'the ledger records an entry the rules did not produce');
    if (got === undefined)
      throw replayMismatch(
        g.start + i,
        `the rules produce a ${decodeEntry(want).kind} entry here that the ledger lacks`,
      );
    if (!bytesEqual(want, got))
      throw replayMismatch(
        g.start + i,
        `the ledger records a different ${decodeEntry(got).kind} entry than the rules produce`,
      );
  }
  return { state: result.state, world: result.world };
}

/**
 * Replays ledger entries from index 1 (entry 0 is the genesis, passed separately). Returns the
 * final state, the state before the last batch (whose validators cosign the current tree; the
 * genesis state when there is no batch) and every world in order, genesis first. Throws
 * GovernanceError (BAD_GENESIS, BAD_ENTRY, BAD_BATCH, BAD_RECOVERY or REPLAY_MISMATCH) with
 * entryIndex set. Without options.rootHashAt it keeps the tree's frontier as it reads (one
 * hash per entry), to check the root a recovery names.
 */
export function replay(
  genesis: SignedGenesis,
  entries: Iterable<Uint8Array>,
  options: ExecuteOptions = {},
): { state: GovernanceState; stateBeforeLastBatch: GovernanceState; worlds: World[] } {
  let state = genesisState(genesis);
  let stateBeforeLastBatch = state;
  const worlds: World[] = [state.world];
  const grouper = new BatchGrouper();
  const tree = new CompactRange();
  tree.append(leafHash(encodeEntry({ kind: 'genesis', genesis })));
  const roots = new Map<number, string>();
  const withRoots: ExecuteOptions = { rootHashAt: (size) => roots.get(size), ...options };
  const run = (group: BatchGroup | null) => {
    if (group === null) return;
    const r = replayBatch(state, group, withRoots);
    stateBeforeLastBatch = state;
    state = r.state;
    if (r.world !== null) worlds.push(r.world);
    roots.delete(group.start);
  };
  let index = 1;
  for (const bytes of entries) {
    const entry = decodeEntryAt(bytes, index);
    if (entry.kind === 'recovery' && options.rootHashAt === undefined) roots.set(index, toHex(tree.root()));
    if (options.rootHashAt === undefined) tree.append(leafHash(bytes));
    run(grouper.add(index, bytes, entry));
    index++;
  }
  run(grouper.take());
  return { state, stateBeforeLastBatch, worlds };
}
