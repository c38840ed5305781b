// Generates the federation-key vectors in ledger/vectors/federation/ (README.md there lists
// them): a ledger made by the rules engine from a signed genesis — a DKG among four founders
// (commitments, sealed shares, confirmations), the key in world v2 and its signatures, a
// self-update of an HTTP endpoint (world v3, which yields no planet), a removal that changes
// the voting members, a second DKG among three and the key transition in world v5 — with the
// ZeroTier planet of each signed world that yields one, the world notes a client follows
// from the first key, a checkpoint carrying the federation's line and ML-DSA-44 lines, a
// ceremony that names a silent member and restarts, and a complaint anyone can judge. Every random byte comes from a labelled SHA-256 stream and
// ML-DSA signs deterministically, so re-running reproduces the files byte for byte
// (test/governance/federation-vectors.test.ts checks that). `--check` only compares.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { concatBytes, fromHex, toBase64, toHex, utf8Bytes } from '../src/codec/index.ts';
import {
  cosignatureSigner,
  ed25519NoteSigner,
  ML_DSA_44_COSIGNATURE_TYPE,
  mlDsaKeyPairFromSeed,
  mlDsaVkey,
  type NoteSigner,
  noteKeyId,
  sha256,
  signNote,
  subtreeCosignatureMessage,
  vkeyString,
} from '../src/crypto/index.ts';
import {
  aggregateSignature,
  CommitmentPool,
  DkgParticipant,
  type GroupKey,
  judgeComplaint,
  type KeyShare,
  NonceBook,
} from '../src/frost/index.ts';
import {
  assembleGenesis,
  assembleGenesisWorld,
  ballot,
  DEFAULT_FEDERATION_KEY_POLICY,
  DEFAULT_POLICY,
  decodeEntry,
  dkgCommitment,
  dkgConfirmation,
  dkgShares,
  encodeEntry,
  executeBatch,
  type FederationKey,
  federationSignature,
  federationVkey,
  type GovernanceState,
  genesisState,
  type MemberDescriptor,
  motion,
  type PendingSignature,
  type Policy,
  type SignedStatement,
  type Statement,
  selfUpdate,
  signedWorldArtifacts,
  signGenesis,
  signStatement,
  statementId,
  type World,
  worldHash,
} from '../src/governance/index.ts';
import { checkpointSubtree, formatCheckpoint, leafHash, rootOf } from '../src/ledger/index.ts';
import { seededRandom } from './gen-zerotier-vectors.ts';
import { writeVectorFiles } from './vectors/files.ts';
import { descriptor, FEDERATION, gov, node, T0 } from './vectors/identities.ts';

export const VECTORS_DIR = join(import.meta.dirname, '..', 'ledger', 'vectors', 'federation');
const ZEROTIER = join(import.meta.dirname, '..', 'ledger', 'vectors', 'zerotier', 'witan-vectors.json');
const FOUNDERS = ['alder', 'birch', 'cedar', 'rowan'];
const JURISDICTIONS = ['DE', 'JP', 'BR', 'CA'];
const MINUTE_MS = 60_000;

export const POLICY: Policy = {
  ...DEFAULT_POLICY,
  federationKey: { ...DEFAULT_FEDERATION_KEY_POLICY },
  zerotier: { worldId: '2003789409', planetRootsMax: 4 },
};

const json = (x: unknown): string => `${JSON.stringify(x, null, 2)}\n`;
const mlDsaSeed = (name: string) => sha256(utf8Bytes(`witan-vectors/${name}/ml-dsa`));

/** A founder's descriptor with its ML-DSA-44 key and a ZeroTier root (the ZeroTier vector identities). */
function founder(name: string, i: number, identities: string[]): MemberDescriptor {
  return {
    ...descriptor(name, JURISDICTIONS[i]!),
    mlDsaKey: toBase64(mlDsaKeyPairFromSeed(mlDsaSeed(name)).publicKey),
    zerotier: { identity: identities[i]!, endpoints: [`192.0.2.${i + 10}/9993`] },
  };
}

/** Signs a root statement with the author's node key. */
const byNode = (s: Statement): SignedStatement => signStatement(s, node(s.author).secretKey);

class Ledger {
  state: GovernanceState;
  readonly entries: Uint8Array[];
  readonly batches: {
    height: number;
    timeMs: number;
    note: string;
    statements: string[];
    entries: number[];
  }[] = [];
  timeMs = T0;

  constructor(genesis: Parameters<typeof genesisState>[0]) {
    this.state = genesisState(genesis);
    this.entries = [encodeEntry({ kind: 'genesis', genesis })];
  }

  run(note: string, statements: SignedStatement[], stepMs = MINUTE_MS): void {
    this.timeMs += stepMs;
    const r = executeBatch(this.state, {
      height: this.state.height + 1,
      timeMs: this.timeMs,
      proposer: 'alder',
      statements,
    });
    if (r.rejected.length > 0) throw new Error(`${note}: ${JSON.stringify(r.rejected)}`);
    const first = this.entries.length;
    this.entries.push(...r.entries);
    this.state = r.state;
    this.batches.push({
      height: this.state.height,
      timeMs: this.timeMs,
      note,
      statements: statements.map(statementId),
      entries: r.entries.map((_, i) => first + i),
    });
  }

  base(author: string) {
    return { federation: FEDERATION, author, createdMs: this.timeMs };
  }
}

/** Every participant's three DKG steps through the ledger, from seeded randomness. */
function dkg(ledger: Ledger, label: string): Map<string, KeyShare> {
  const c = ledger.state.ceremony!;
  const config = { sessionId: c.session, participants: c.participants, threshold: c.threshold };
  const ps = c.participants.map(
    (name) => new DkgParticipant(config, name, { random: seededRandom(`${label}/${name}`) }),
  );
  ledger.run(
    `${label}: round 1, every participant's commitment`,
    ps.map((p) => byNode(dkgCommitment(ledger.base(p.self), p.broadcast))),
  );
  const broadcasts = ps.map((p) => p.broadcast);
  const sealed = ps.flatMap((p) => p.round2(broadcasts));
  ledger.run(
    `${label}: round 2, every participant's sealed shares`,
    ps.map((p) =>
      byNode(
        dkgShares(
          ledger.base(p.self),
          c.session,
          sealed.filter((s) => s.from === p.self),
        ),
      ),
    ),
  );
  const shares = new Map<string, KeyShare>();
  const confirmations = ps.map((p) => {
    const { share, group } = p.round3(sealed.filter((s) => s.to === p.self));
    shares.set(p.self, share);
    return byNode(dkgConfirmation(ledger.base(p.self), c.session, toBase64(fromHex(group.publicKey))));
  });
  ledger.run(`${label}: round 3, every confirmation; the key enters the world`, confirmations);
  return shares;
}

function groupOf(key: FederationKey): GroupKey {
  const publicKey = toHex(Buffer.from(key.publicKey, 'base64'));
  return {
    threshold: key.threshold,
    publicKey,
    commitments: [publicKey],
    verifyingShares: Object.fromEntries(
      key.participants.map((p) => [p.member, toHex(Buffer.from(p.verifyingShare, 'base64'))]),
    ),
  };
}

/** A threshold signature by the first `threshold` participants, nonces from a seeded stream. */
function thresholdSign(
  key: FederationKey,
  shares: Map<string, KeyShare>,
  message: Uint8Array,
  label: string,
): string {
  const group = groupOf(key);
  const signers = key.participants.slice(0, key.threshold).map((p) => p.member);
  const books = signers.map(
    (name) => new NonceBook(shares.get(name)!, group, { random: seededRandom(`${label}/${name}`) }),
  );
  const pool = new CommitmentPool(group);
  for (const b of books) pool.add(b.prepare(1));
  const request = pool.take(signers, message);
  return toBase64(
    aggregateSignature(
      group,
      request,
      books.map((b) => b.signShare(request)),
    ),
  );
}

function signWorld(
  ledger: Ledger,
  pending: PendingSignature,
  keys: Map<string, { key: FederationKey; shares: Map<string, KeyShare> }>,
): void {
  const by = (publicKey: string, message: Uint8Array, part: string) => {
    const k = keys.get(publicKey)!;
    return thresholdSign(k.key, k.shares, message, `world ${pending.version} ${part} ${publicKey}`);
  };
  const sigs = {
    worldNote: pending.keys.map((k) => by(k, utf8Bytes(pending.note), 'note')),
    ...(pending.planet === undefined
      ? {}
      : { planet: by(pending.planet.key, fromHex(pending.planet.digest), 'planet') }),
  };
  ledger.run(`the federation's signatures of world ${pending.version}`, [
    byNode(federationSignature(ledger.base('cedar'), pending.version, sigs)),
  ]);
}

/** A deterministic ML-DSA-44 cosigner (the roots sign hedged; vectors must not vary). */
function mlDsaVectorSigner(name: string, timestamp: number): NoteSigner {
  const pair = mlDsaKeyPairFromSeed(mlDsaSeed(name));
  return {
    name,
    keyId: noteKeyId(name, ML_DSA_44_COSIGNATURE_TYPE, pair.publicKey),
    sign(text: Uint8Array): Uint8Array {
      const message = subtreeCosignatureMessage(name, timestamp, checkpointSubtree(text));
      const stamp = new Uint8Array(8);
      new DataView(stamp.buffer).setBigUint64(0, BigInt(timestamp), false);
      return concatBytes(stamp, ml_dsa44.sign(message, pair.secretKey, { extraEntropy: false }));
    },
  };
}

export function federationVectors(): Record<string, string | Uint8Array> {
  const identities = (
    JSON.parse(readFileSync(ZEROTIER, 'utf8')) as { identities: { public: string }[] }
  ).identities.map((i) => i.public);
  const world = assembleGenesisWorld(
    FEDERATION,
    FOUNDERS.map((n, i) => founder(n, i, identities)),
    POLICY,
  );
  const genesis = assembleGenesis(
    world,
    FOUNDERS.map((n) => signGenesis(world, n, gov(n).secretKey)),
  );
  const ledger = new Ledger(genesis);
  const ceremony1 = structuredClone(ledger.state.ceremony!);

  // The genesis DKG among the four founders: world v2 holds the first ("genesis") key.
  const shares1 = dkg(ledger, 'dkg 1');
  const k1 = ledger.state.world.federationKey!;
  const keys = new Map([[k1.publicKey, { key: k1, shares: shares1 }]]);
  signWorld(ledger, ledger.state.pendingSignatures![0]!, keys);

  // birch moves its HTTP endpoint: world v3, whose planet is v2's (nothing a ZeroTier node
  // reads changed), so it yields no planet and the federation signs its world note alone.
  const moved = signStatement(
    selfUpdate(FEDERATION, 'birch', ledger.timeMs + MINUTE_MS, {
      endpoints: { p2p: ['/dns4/birch.example.org/tcp/4001'], http: ['https://witan.birch.example.org/'] },
    }),
    gov('birch').secretKey,
  );
  ledger.run("birch moves its HTTP endpoint: world v3, whose planet is v2's (it yields none)", [moved]);
  const quiet = ledger.state.pendingSignatures!.at(-1)!;
  if (quiet.planet !== undefined) throw new Error('world v3 leaves the planet as it was: it yields none');
  signWorld(ledger, quiet, keys);

  // rowan is removed: three voting members, a new ceremony; world v4 still carries the first key.
  const removal = signStatement(
    motion(ledger.state, 'alder', [{ type: 'remove', member: 'rowan' }], ledger.timeMs + MINUTE_MS, {
      summary: 'rowan leaves the federation',
    }),
    gov('alder').secretKey,
  );
  ledger.run('alder moves to remove rowan', [removal]);
  const motionId = statementId(removal);
  ledger.run(
    'alder, birch and cedar vote yes: world v4, and a DKG among the three',
    ['alder', 'birch', 'cedar'].map((a) =>
      signStatement(ballot(FEDERATION, a, motionId, 'yes', ledger.timeMs + MINUTE_MS), gov(a).secretKey),
    ),
  );
  signWorld(ledger, ledger.state.pendingSignatures!.at(-1)!, keys);
  // cedar sends nothing in time: it is named at the deadline, and since fewer than three would
  // be left the ceremony restarts with all three.
  const missed = structuredClone(ledger.state.ceremony!);
  const early = ['alder', 'birch'].map(
    (name) =>
      new DkgParticipant(
        { sessionId: missed.session, participants: missed.participants, threshold: missed.threshold },
        name,
        { random: seededRandom(`dkg 2/${name}`) },
      ),
  );
  ledger.run(
    'dkg 2: alder and birch commit; cedar does not',
    early.map((p) => byNode(dkgCommitment(ledger.base(p.self), p.broadcast))),
  );
  ledger.run(
    'past the phase deadline: cedar is named (DKG_ABSENT) and the ceremony restarts with all three',
    [],
    POLICY.federationKey!.phaseMs + MINUTE_MS,
  );
  const ceremony2 = structuredClone(ledger.state.ceremony!);
  const shares2 = dkg(ledger, 'dkg 3');
  const k2 = ledger.state.world.federationKey!;
  keys.set(k2.publicKey, { key: k2, shares: shares2 });
  const transition = ledger.state.pendingSignatures!.at(-1)!;
  signWorld(ledger, transition, keys);

  // birch moves its HTTP endpoint twice more: worlds v6 and v7 wait together. The federation
  // signs v7 alone: its signatures supersede v6, which keeps the key and yields no planet, so v6
  // leaves the waiting list unsigned (§9.4), and a federation-signature for it, however valid its
  // signatures, is refused afterwards (SIGNATURE_NOT_PENDING).
  const moveBirch = (n: number) =>
    signStatement(
      selfUpdate(FEDERATION, 'birch', ledger.timeMs + MINUTE_MS, {
        endpoints: {
          p2p: ['/dns4/birch.example.org/tcp/4001'],
          http: [`https://witan${n}.birch.example.org/`],
        },
      }),
      gov('birch').secretKey,
    );
  ledger.run('birch moves its HTTP endpoint again: world v6, waiting for signatures', [moveBirch(2)]);
  const superseded = ledger.state.pendingSignatures!.at(-1)!;
  ledger.run('and again: world v7, waiting too', [moveBirch(3)]);
  signWorld(ledger, ledger.state.pendingSignatures!.at(-1)!, keys);
  if ((ledger.state.pendingSignatures ?? []).some((p) => p.version === superseded.version))
    throw new Error("world v7's signatures supersede world v6");
  const refused = byNode(
    federationSignature(ledger.base('cedar'), superseded.version, {
      worldNote: superseded.keys.map((k) =>
        thresholdSign(
          keys.get(k)!.key,
          keys.get(k)!.shares,
          utf8Bytes(superseded.note),
          `world ${superseded.version} note ${k}`,
        ),
      ),
    }),
  );

  // Worlds in order, and what the federation signed for each.
  const worlds: World[] = [];
  const signatures = new Map<number, { worldNote: string[]; planet?: string }>();
  for (const bytes of ledger.entries) {
    const e = decodeEntry(bytes);
    if (e.kind === 'genesis') worlds.push(e.genesis.world);
    if (e.kind === 'world') worlds.push(e.world);
    if (e.kind === 'statement' && e.statement.statement.kind === 'federation-signature') {
      const s = e.statement.statement;
      signatures.set(s.version, {
        worldNote: s.worldNote,
        ...(s.planet === undefined ? {} : { planet: s.planet }),
      });
    }
  }
  const artifacts = [...signatures.keys()].map((v) =>
    signedWorldArtifacts(worlds[v - 2], worlds[v - 1]!, worldHash(worlds[v - 1]!), signatures.get(v)!),
  );

  // The checkpoint of the whole ledger: alder's log signature, three cosignatures of each kind,
  // and the federation's line by the key in force.
  const leaves = ledger.entries.map(leafHash);
  const text = formatCheckpoint({
    origin: FEDERATION,
    size: leaves.length,
    rootHash: rootOf(leaves),
    extensions: [],
  });
  const at = Math.floor(T0 / 1000);
  const k2Signature = thresholdSign(k2, shares2, utf8Bytes(text), 'checkpoint');
  const cosigners = ['alder', 'birch', 'cedar'];
  const checkpointNote = signNote(text, [
    ed25519NoteSigner(FEDERATION, node('alder').secretKey),
    {
      name: FEDERATION,
      keyId: noteKeyId(FEDERATION, 0x01, Buffer.from(k2.publicKey, 'base64')),
      sign: () => Buffer.from(k2Signature, 'base64'),
    },
    ...cosigners.map((n) => cosignatureSigner(n, node(n).secretKey, at)),
    ...cosigners.map((n) => mlDsaVectorSigner(n, at)),
  ]);

  // A complaint: the first ceremony's transcript, and a box from birch to alder opened with
  // alder's revealed sealing secret (a seeded participant re-made for the purpose).
  const config1 = {
    sessionId: ceremony1.session,
    participants: ceremony1.participants,
    threshold: ceremony1.threshold,
  };
  const again = ceremony1.participants.map(
    (name) => new DkgParticipant(config1, name, { random: seededRandom(`dkg 1/${name}`) }),
  );
  const broadcasts = again.map((p) => p.broadcast);
  const sealed = again.flatMap((p) => p.round2(broadcasts));
  const honestBox = sealed.find((s) => s.from === 'birch' && s.to === 'alder')!;
  const badBox = {
    ...honestBox,
    ciphertext: sealed.find((s) => s.from === 'birch' && s.to === 'cedar')!.ciphertext,
  };
  const alder = again[0]!;
  try {
    alder.round3(sealed.filter((s) => s.to === 'alder').map((s) => (s.from === 'birch' ? badBox : s)));
  } catch {
    // expected: the share from birch does not open
  }
  const complaint = alder.complaint()!;
  const complaints = {
    description:
      'Complaints of the first ceremony: alder reveals its session sealing secret; anyone opens the disputed box from the transcript and names who is at fault (judgeComplaint).',
    config: config1,
    broadcasts,
    complainer: 'alder',
    sealingSecret: complaint.sealingSecret,
    cases: [
      { box: badBox, atFault: judgeComplaint(config1, broadcasts, 'alder', badBox, complaint.sealingSecret) },
      {
        box: honestBox,
        atFault: judgeComplaint(config1, broadcasts, 'alder', honestBox, complaint.sealingSecret),
      },
    ],
  };

  const files: Record<string, string | Uint8Array> = {
    'ledger.json': json({
      description:
        'Witan federation-key vectors; see README.md. Generated by scripts/gen-federation-vectors.ts.',
      federation: FEDERATION,
      policy: POLICY,
      genesis,
      batches: ledger.batches,
      entries: ledger.entries.map(toHex),
      leafHashes: leaves.map(toHex),
      worlds: worlds.map((w) => ({
        version: w.version,
        worldHash: worldHash(w),
        federationKey: w.federationKey ?? null,
      })),
    }),
    'keys.json': json({
      ceremonies: [ceremony1, missed, ceremony2].map((c) => ({
        session: c.session,
        participants: c.participants,
        threshold: c.threshold,
      })),
      keys: [k1, k2].map((k) => ({ ...k, vkey: federationVkey({ federation: FEDERATION }, k.publicKey) })),
      mlDsa: FOUNDERS.map((n) => ({
        name: n,
        seed: toHex(mlDsaSeed(n)),
        vkey: mlDsaVkey(n, mlDsaKeyPairFromSeed(mlDsaSeed(n)).publicKey),
      })),
      logVkey: vkeyString(FEDERATION, 0x01, node('alder').publicKey),
      cosignerVkeys: cosigners.map((n) => vkeyString(n, 0x04, node(n).publicKey)),
    }),
    'world-notes.json': json({
      description:
        'The signed world note of every world the federation signed, oldest first (LEDGER.md §9.3).',
      pinned: federationVkey({ federation: FEDERATION }, k1.publicKey),
      notes: artifacts.map((a) => ({ version: a.version, note: a.note })),
      refused: {
        description: `World v${superseded.version}'s signatures, valid but sent after world v7's superseded it (LEDGER.md §9.4): a batch right after the ledger refuses the statement with SIGNATURE_NOT_PENDING.`,
        code: 'SIGNATURE_NOT_PENDING',
        statement: refused,
      },
    }),
    'checkpoint.json': json({
      description: 'The checkpoint of the whole vector ledger with every kind of line (LEDGER.md §3.2).',
      text,
      note: checkpointNote,
    }),
    'complaints.json': json(complaints),
  };
  for (const a of artifacts) if (a.planet !== undefined) files[`planet-v${a.version}.planet`] = a.planet;
  return files;
}

if (import.meta.main) writeVectorFiles(VECTORS_DIR, federationVectors());
