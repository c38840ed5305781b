// The world chain a root serves to clients (governance verifyWorldChain): the genesis and
// every later world, each with an inclusion proof under a quorum-cosigned checkpoint — the one
// published right after its batch when this root kept it, else the latest — plus a `head`:
// the latest checkpoint with a proof of the last world, so clients can check freshness.

import { toBase64 } from '../codec/index.ts';
import { parseNote } from '../crypto/index.ts';
import { type ChainHead, decodeEntry, type WorldStep } from '../governance/index.ts';
import { parseCheckpoint } from '../ledger/index.ts';
import type { LedgerStore } from '../ledger/store.ts';
import type { LedgerIndex } from './ledger-index.ts';

async function inclusion(
  store: LedgerStore,
  note: string,
  entryIndex: number,
  treeSize: number,
): Promise<ChainHead> {
  const inclusionProof = (await store.inclusionProof(entryIndex, treeSize)).map(toBase64);
  return { checkpointNote: note, inclusionProof, entryIndex, treeSize };
}

export async function worldChain(
  store: LedgerStore,
  index: LedgerIndex,
): Promise<{ steps: WorldStep[]; head: ChainHead | null }> {
  const latest = await store.checkpointNote();
  if (latest === undefined) return { steps: [], head: null };
  const latestSize = parseCheckpoint(parseNote(latest).text).size;
  const steps: WorldStep[] = [];
  for (const w of index.worlds) {
    if (w.index >= latestSize) break;
    const exact = await store.checkpointNote(w.index + 1);
    const [note, treeSize] = exact !== undefined ? [exact, w.index + 1] : [latest, latestSize];
    const entry = decodeEntry(await store.entry(w.index));
    const causes = entry.kind === 'world' ? entry.causes : [];
    steps.push({ world: w.world, causes, proof: await inclusion(store, note, w.index, treeSize) });
  }
  const last = steps.at(-1);
  const head = last === undefined ? null : await inclusion(store, latest, last.proof.entryIndex, latestSize);
  return { steps, head };
}
