// Valid inputs for the fuzz targets, made with the project's own code from fixed keys: a
// federation of four with one committed batch, its ledger entries, a cosigned checkpoint, signed
// consensus votes and a proposal, a batch value, a catch-up answer, a tlog-witness body,
// rendezvous and circuit relay frames. Mutations of these reach deep into each decoder.

import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record';
import { multiaddr } from '@multiformats/multiaddr';
import { canonicalBytes, type Json, toBase64, toHex, utf8Bytes } from '../../../src/codec/index.ts';
import {
  type ConsensusMessage,
  encodeConsensusMessage,
  nodeKeySigner,
} from '../../../src/consensus/index.ts';
import {
  cosignatureSigner,
  ed25519NoteSigner,
  type KeyPair,
  keyPairFromSeed,
  sha256,
  signNote,
} from '../../../src/crypto/index.ts';
import {
  assembleGenesis,
  assembleGenesisWorld,
  ballot,
  DEFAULT_POLICY,
  executeBatch,
  type GovernanceState,
  genesisState,
  type MemberDescriptor,
  motion,
  type SignedStatement,
  selfUpdate,
  signGenesis,
  signStatement,
} from '../../../src/governance/index.ts';
import { formatCheckpoint, leafHash, rootOf } from '../../../src/ledger/index.ts';
import { encodeValue } from '../../../src/node/batch-value.ts';
import { encodeMessage, MessageType } from '../../../src/node/p2p/index.ts';
import { formatAddCheckpointBody, type SignedVote, signVote } from '../../../src/wire/index.ts';

export const FEDERATION = 'fuzz.witan.test';
export const T0 = 1_800_000_000_000;
const NAMES = ['alder', 'birch', 'cedar', 'dogwood'];

export type FuzzMember = { name: string; governance: KeyPair; node: KeyPair };

function keysOf(name: string): FuzzMember {
  const seed = (role: string) => sha256(utf8Bytes(`witan-fuzz/${name}/${role}`));
  return { name, governance: keyPairFromSeed(seed('governance')), node: keyPairFromSeed(seed('node')) };
}

export const MEMBERS: FuzzMember[] = NAMES.map(keysOf);

export interface Fixtures {
  /** The state after one committed batch; `committed` are that batch's statements. */
  state: GovernanceState;
  committed: SignedStatement[];
  entries: Uint8Array[];
  /** The checkpoint of the ledger after the batch, signed by alder's root and cosigned by all. */
  checkpoint: { size: number; rootHash: Uint8Array; note: string };
  /** Consensus messages for height 1 (votes and a proposal of the batch value). */
  messages: Uint8Array[];
  value: Uint8Array;
  precommits: SignedVote[];
  catchUpAnswer: Uint8Array;
  witnessBody: string;
  rendezvousFrames: Uint8Array[];
}

export async function fixtures(): Promise<Fixtures> {
  const descriptors: MemberDescriptor[] = MEMBERS.map((m, i) => ({
    name: m.name,
    organisation: `Org ${m.name}`,
    jurisdiction: ['DE', 'FR', 'NL', 'SE'][i]!,
    nodeKey: toBase64(m.node.publicKey),
    governanceKey: toBase64(m.governance.publicKey),
    endpoints: { p2p: [`/dns4/${m.name}.example.org/tcp/4001`], http: [`https://${m.name}.example.org/`] },
  }));
  const world = assembleGenesisWorld(FEDERATION, descriptors, DEFAULT_POLICY);
  const genesis = assembleGenesis(
    world,
    MEMBERS.map((m) => signGenesis(world, m.name, m.governance.secretKey)),
  );
  const before = genesisState(genesis);
  const sign = (s: Parameters<typeof signStatement>[0]) =>
    signStatement(s, MEMBERS.find((m) => m.name === s.author)!.governance.secretKey);
  const open = sign(
    motion(before, 'alder', [{ type: 'remove', member: 'dogwood' }], T0, { summary: 'fuzz' }),
  );
  const openId = toHex(sha256(canonicalBytes(open as unknown as Json)));
  const committed = [
    open,
    sign(ballot(FEDERATION, 'birch', openId, 'yes', T0, 'a reason')),
    sign(
      selfUpdate(FEDERATION, 'cedar', T0, {
        endpoints: { p2p: ['/dns4/cedar.example.org/tcp/4002'], http: ['https://cedar.example.org/'] },
      }),
    ),
  ];
  const batch = executeBatch(before, { height: 1, timeMs: T0, proposer: 'alder', statements: committed });
  if (batch.rejected.length > 0) throw new Error(`fixture batch rejected: ${JSON.stringify(batch.rejected)}`);
  const genesisEntry = canonicalBytes({ kind: 'genesis', genesis } as unknown as Json);
  const entries = [genesisEntry, ...batch.entries];
  const size = entries.length;
  const rootHash = rootOf(entries.map(leafHash));
  const text = formatCheckpoint({ origin: FEDERATION, size, rootHash, extensions: [] });
  const note = signNote(text, [
    ed25519NoteSigner(FEDERATION, MEMBERS[0]!.node.secretKey),
    ...MEMBERS.map((m) => cosignatureSigner(m.name, m.node.secretKey, T0 / 1000)),
  ]);

  const value = encodeValue({
    height: 1,
    timeMs: T0,
    proposer: 'alder',
    statements: committed,
    size,
    rootHash: toHex(rootHash),
    worldHash: batch.state.worldHash,
  });
  const valueId = toHex(sha256(value));
  const vote = (m: FuzzMember, type: 'prevote' | 'precommit', id: string | null, round = 0) =>
    signVote(
      { federation: FEDERATION, height: 1, round, type, valueId: id, validator: toBase64(m.node.publicKey) },
      m.node.secretKey,
    );
  const proposer = MEMBERS[1]!;
  const proposal = nodeKeySigner(proposer.node.secretKey).proposal(
    {
      federation: FEDERATION,
      height: 1,
      round: 0,
      validRound: -1,
      proposer: toBase64(proposer.node.publicKey),
    },
    value,
  );
  const precommits = MEMBERS.slice(0, 3).map((m) => vote(m, 'precommit', valueId));
  const consensus: ConsensusMessage[] = [
    { kind: 'proposal', proposal, pol: [] },
    {
      kind: 'proposal',
      proposal: { ...proposal, round: 1, validRound: 0 },
      pol: MEMBERS.slice(0, 3).map((m) => vote(m, 'prevote', valueId)),
    },
    { kind: 'vote', vote: vote(MEMBERS[0]!, 'prevote', valueId) },
    { kind: 'vote', vote: vote(MEMBERS[2]!, 'prevote', null, 3) },
    { kind: 'vote', vote: precommits[0]! },
  ];
  const catchUpAnswer = utf8Bytes(
    JSON.stringify({
      decisions: [{ height: 1, round: 0, valueId, value: toBase64(value), certificate: precommits }],
    }),
  );
  const witnessBody = formatAddCheckpointBody({ oldSize: 0, proof: [], note });

  const peerKey = await generateKeyPairFromSeed('Ed25519', sha256(utf8Bytes('witan-fuzz/peer')));
  const record = new PeerRecord({
    peerId: peerIdFromPrivateKey(peerKey),
    multiaddrs: [multiaddr('/ip4/127.0.0.1/tcp/4001'), multiaddr('/dns4/peer.example.org/tcp/443/wss')],
  });
  const signedPeerRecord = (await RecordEnvelope.seal(record, peerKey)).marshal();
  const rendezvousFrames = [
    encodeMessage({ type: MessageType.REGISTER, register: { ns: 'fuzz/app', signedPeerRecord, ttl: 7200 } }),
    encodeMessage({ type: MessageType.UNREGISTER, unregister: { ns: 'fuzz/app' } }),
    encodeMessage({
      type: MessageType.DISCOVER,
      discover: { ns: 'fuzz/app', limit: 10, cookie: new Uint8Array(17) },
    }),
    encodeMessage({ type: MessageType.DISCOVER, discover: {} }),
  ];
  return {
    state: batch.state,
    committed,
    entries,
    checkpoint: { size, rootHash, note },
    messages: consensus.map(encodeConsensusMessage),
    value,
    precommits,
    catchUpAnswer,
    witnessBody,
    rendezvousFrames,
  };
}
