// A root run by a Byzantine harness double-signs and is caught. Three honest
// roots run as processes (each may author evidence: governanceKeyFile in their config, as in the
// devnet); the fourth member's node key is held by a harness (fixtures/byzantine-root.ts) that
// publishes two conflicting prevotes for the current height on the consensus topic. The honest
// roots see the equivocation, commit an evidence statement, suspend the member in the next
// world, and keep committing without it. Everything is asserted through the HTTP API.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fromBase64, toBase64 } from '../../src/codec/index.ts';
import { decodeEntry } from '../../src/governance/index.ts';
import { parseCheckpoint } from '../../src/ledger/index.ts';
import { peerIdOfNodeKey } from '../../src/node/p2p/index.ts';
import { getJson } from '../helpers/http.ts';
import { waitUntil } from '../helpers/wait.ts';
import { type ByzantineRoot, startByzantineRoot } from './fixtures/byzantine-root.ts';
import {
  checkpointOf,
  committedOn,
  createFederation,
  FEDERATION,
  fillerMotion,
  STEP,
  sizeOf,
  type TestFederation,
  type TestMember,
  worldOf,
} from './fixtures/federation.ts';

/** The harness re-publishes a conflicting pair this often until a root reports evidence. */
const DOUBLE_SIGN_EVERY_MS = 500;

let fed: TestFederation;
let byzantine: ByzantineRoot | undefined;

before(async () => {
  fed = await createFederation({ members: 4 });
});

after(async () => {
  await byzantine?.stop().catch(() => undefined);
  await fed?.close();
});

test('a double-signing root is caught: evidence committed, member suspended in the next world, the others keep committing', {
  timeout: 120_000,
}, async () => {
  const honest = fed.members.slice(0, 3) as [TestMember, TestMember, TestMember];
  const culprit = fed.members[3]!;
  await Promise.all(honest.map((m) => fed.start(m)));
  byzantine = await startByzantineRoot({
    federation: FEDERATION,
    nodeKey: culprit.nodeKey,
    p2pPort: culprit.p2pPort,
    allowedPeers: honest.map((m) => peerIdOfNodeKey(m.nodeKey.publicKey)),
  });
  const harness = byzantine;
  const harnessPeer = harness.host.peerId.toString();
  const [a] = honest;

  // Double-sign at the honest roots' current height until one of them reports the equivocation.
  const evidence = await waitUntil(
    'an honest root to report the equivocation at GET /evidence',
    async () => {
      const status = await getJson<{ consensus: { height: number }; peers: string[] }>(`${a.httpUrl}/status`);
      if (status.peers.includes(harnessPeer)) await harness.doubleSign(status.consensus.height, 0, 'prevote');
      const found = await getJson<{ evidence: { type: string; first: { validator: string } }[] }>(
        `${a.httpUrl}/evidence`,
      );
      return found.evidence;
    },
    { ...STEP, intervalMs: DOUBLE_SIGN_EVERY_MS, until: (found) => found.length > 0 },
  );
  assert.equal(evidence[0]!.type, 'votes');
  assert.equal(
    evidence[0]!.first.validator,
    toBase64(culprit.nodeKey.publicKey),
    "the votes are the culprit's",
  );

  // The member is suspended in the next world, the same on every honest root.
  const worlds = await waitUntil(
    `${culprit.name} suspended on every honest root`,
    () => Promise.all(honest.map(worldOf)),
    {
      ...STEP,
      until: (ws) =>
        ws.every((w) => w.world.members.find((m) => m.name === culprit.name)?.status === 'suspended') &&
        ws.every((w) => w.hash === ws[0]!.hash),
    },
  );
  assert.equal(worlds[0]!.version, 2, 'the suspension is the next world after genesis');

  // The evidence statement is in the ledger, naming the culprit's conflicting votes.
  const size = await sizeOf(a);
  // Entries are served up to the published (quorum-cosigned) checkpoint, which follows the commit.
  await waitUntil(
    'the checkpoint of that size published',
    async () => parseCheckpoint((await checkpointOf(a)).body).size,
    {
      ...STEP,
      until: (published) => published >= size,
    },
  );
  const { entries } = await getJson<{ entries: string[] }>(`${a.httpUrl}/ledger/entries?start=0&end=${size}`);
  const statements = entries
    .map((e) => decodeEntry(fromBase64(e)))
    .flatMap((e) => (e.kind === 'statement' ? [e.statement.statement] : []));
  const committed = statements.find((s) => s.kind === 'evidence');
  assert.ok(committed, 'an evidence statement is committed');
  assert.ok(
    honest.some((m) => m.name === committed.author),
    'authored by an honest root',
  );

  // The others keep committing without the suspended member.
  const after1 = await fillerMotion(a, 'after-suspension');
  await committedOn(honest, after1.id);
});
