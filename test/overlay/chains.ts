// World chains of a test federation, as roots serve them (LEDGER.md §5.2): a TestLedger's
// worlds, each with an RFC 9162 inclusion proof under one checkpoint cosigned by the members'
// node keys at a chosen time, served over real HTTP on 127.0.0.1 with the `since` parameter.
// Two ledgers from one genesis that committed different motions give two validly signed worlds
// of one version: a fork, as a quorum that signed twice would make it.

import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toBase64 } from '../../src/codec/index.ts';
import { cosignatureSigner, ed25519NoteSigner, signNote } from '../../src/crypto/index.ts';
import {
  ballot,
  decodeEntry,
  encodeEntry,
  ledgerOrigin,
  motion,
  type SignedGenesis,
  type WorldStep,
} from '../../src/governance/index.ts';
import { formatCheckpoint, inclusionProof, leafHash, rootOf } from '../../src/ledger/index.ts';
import type { ChainAnswer } from '../../src/overlay/index.ts';
import {
  admit,
  DAY_MS,
  FEDERATION,
  keysFor,
  makeGenesis,
  sign,
  statementId,
  T0,
  TestLedger,
} from '../governance/fixtures.ts';

export { DAY_MS, T0 };

/** Every member that ever had a node key in these ledgers signs the checkpoint (unknown names are ignored). */
const SIGNERS = ['m00', 'm01', 'm02', 'm03', 'n00', 'n01'];

/**
 * The world chain of `ledger`: every world proven under one checkpoint cosigned at `timeS` by
 * every member; the head proves the last world under a checkpoint of the same tree cosigned by
 * `head.signers` at `head.timeS` (the same note when not given).
 */
export async function chainOf(
  genesis: SignedGenesis,
  ledger: TestLedger,
  timeS: number,
  head?: { signers: string[]; timeS: number },
): Promise<ChainAnswer> {
  const entries = [encodeEntry({ kind: 'genesis', genesis }), ...ledger.entries];
  const leaves = entries.map(leafHash);
  const size = leaves.length;
  const text = formatCheckpoint({ origin: FEDERATION, size, rootHash: rootOf(leaves), extensions: [] });
  const noteBy = (signers: string[], at: number) =>
    signNote(text, [
      ed25519NoteSigner(FEDERATION, keysFor('m00').node.secretKey),
      ...signers.map((n) => cosignatureSigner(n, keysFor(n).node.secretKey, at)),
    ]);
  const note = noteBy(SIGNERS, timeS);
  const reader = {
    readHashes: (ids: readonly { height: number; index: number }[]) =>
      ids.map(({ height, index }) => rootOf(leaves.slice(index * 2 ** height, (index + 1) * 2 ** height))),
  };
  const steps: WorldStep[] = [];
  for (const [i, bytes] of entries.entries()) {
    const e = decodeEntry(bytes);
    if (e.kind !== 'world' && e.kind !== 'genesis') continue;
    const proof = (await inclusionProof(i, size, reader)).map(toBase64);
    steps.push({
      world: e.kind === 'world' ? e.world : e.genesis.world,
      causes: e.kind === 'world' ? e.causes : [],
      proof: { checkpointNote: note, inclusionProof: proof, entryIndex: i, treeSize: size },
    });
  }
  const last = steps.at(-1);
  if (last === undefined) return { steps, head: null };
  return {
    steps,
    head:
      head === undefined ? last.proof : { ...last.proof, checkpointNote: noteBy(head.signers, head.timeS) },
  };
}

/**
 * A test federation of four founders and what it can commit: world 2 admits `candidate` (n00 on
 * one branch, n01 on the other), world 3 makes it a voting member after probation.
 */
export function federation(): {
  genesis: SignedGenesis;
  branch(candidate: 'n00' | 'n01', upTo: 2 | 3): TestLedger;
} {
  const genesis = makeGenesis(4);
  return {
    genesis,
    branch(candidate, upTo) {
      const ledger = new TestLedger(genesis);
      const mo = sign(motion(ledger.state, 'm00', [admit(candidate, 'US')], T0));
      ledger.run([
        mo,
        ...['m00', 'm01', 'm02'].map((a) => sign(ballot(FEDERATION, a, statementId(mo), 'yes', T0))),
      ]);
      if (upTo === 3) ledger.run([], T0 + 31 * DAY_MS);
      if (ledger.state.world.version !== upTo)
        throw new Error(`the test ledger reached v${ledger.state.world.version}`);
      if (ledgerOrigin(ledger.state.world) !== FEDERATION) throw new Error('origin');
      return ledger;
    },
  };
}

export type ChainServer = {
  url: string;
  /** What GET /world/chain answers from now on. */
  serve(answer: ChainAnswer | unknown): void;
  /** The query strings asked, in order. */
  asked: string[];
  close(): Promise<void>;
};

/** GET /world/chain[?since=v] on 127.0.0.1, with `since` as LEDGER.md §5.2 defines it (or ignored). */
export async function chainServer(o: { ignoreSince?: boolean } = {}): Promise<ChainServer> {
  let current: unknown = { steps: [], head: null };
  const asked: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/world/chain') {
      res.writeHead(404).end();
      return;
    }
    asked.push(url.search);
    let body = current;
    const since = url.searchParams.get('since');
    const chain = current as ChainAnswer;
    if (since !== null && o.ignoreSince !== true && Array.isArray(chain.steps)) {
      const steps = chain.steps.filter((s) => s.world.version >= Number(since));
      const hasV = steps.some((s) => s.world.version === Number(since));
      body = hasV ? { steps, head: chain.head } : { steps: [], head: null };
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve: (a) => {
      current = a;
    },
    asked,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
