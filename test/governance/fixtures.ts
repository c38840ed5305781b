// Test fixtures for the governance core: deterministic keys per member name, founders,
// candidates, and a tiny in-memory ledger that executes batches and keeps their entries.

import { toBase64, utf8Bytes } from '../../src/codec/index.ts';
import { type KeyPair, keyPairFromSeed, sha256 } from '../../src/crypto/index.ts';
import {
  assembleGenesis,
  assembleGenesisWorld,
  type BatchResult,
  type Change,
  DEFAULT_POLICY,
  executeBatch,
  type GovernanceState,
  genesisState,
  type MemberDescriptor,
  type PendingSignature,
  type Policy,
  proveKeyPossession,
  type SignedGenesis,
  type SignedStatement,
  type Statement,
  signCandidate,
  signGenesis,
  signStatement,
  statementId,
  type ZeroTierRoot,
} from '../../src/governance/index.ts';

export const FEDERATION = 'devnet.witan.test';
export const DAY_MS = 86_400_000;
export const T0 = 1_700_000_000_000;

export const JURISDICTIONS = [
  'DE',
  'FR',
  'NL',
  'SE',
  'CH',
  'JP',
  'BR',
  'CA',
  'AU',
  'ZA',
  'IN',
  'KE',
  'NZ',
  'AR',
  'PT',
  'FI',
];

export interface Keys {
  name: string;
  gov: KeyPair;
  node: KeyPair;
}

export function keysFor(name: string, generation = 0): Keys {
  const seed = (role: string) => sha256(utf8Bytes(`witan-test/${name}/${role}/${generation}`));
  return { name, gov: keyPairFromSeed(seed('governance')), node: keyPairFromSeed(seed('node')) };
}

export function descriptorFor(
  name: string,
  jurisdiction: string,
  organisation = `Org ${name}`,
): MemberDescriptor {
  const k = keysFor(name);
  return {
    name,
    organisation,
    jurisdiction,
    nodeKey: toBase64(k.node.publicKey),
    governanceKey: toBase64(k.gov.publicKey),
    endpoints: { p2p: [`/dns4/${name}.example.org/tcp/4001`], http: [`https://${name}.example.org/`] },
  };
}

export const memberName = (i: number): string => `m${String(i).padStart(2, '0')}`;

export function makeGenesis(
  n: number,
  policy: Policy = DEFAULT_POLICY,
  jurisdictions = JURISDICTIONS,
  zerotier?: (i: number) => ZeroTierRoot,
): SignedGenesis {
  const founders = Array.from({ length: n }, (_, i) => {
    const d = descriptorFor(memberName(i), jurisdictions[i % jurisdictions.length]!);
    if (zerotier !== undefined) d.zerotier = zerotier(i);
    return d;
  });
  const world = assembleGenesisWorld(FEDERATION, founders, policy);
  return assembleGenesis(
    world,
    founders.map((f) => signGenesis(world, f.name, keysFor(f.name).gov.secretKey)),
  );
}

export function sign<S extends Statement>(statement: S, generation = 0): SignedStatement<S> {
  return signStatement(statement, keysFor(statement.author, generation).gov.secretKey);
}

export function admit(name: string, jurisdiction: string, organisation?: string): Change {
  const candidate = descriptorFor(name, jurisdiction, organisation);
  const k = keysFor(name);
  return {
    type: 'admit',
    candidate,
    candidateSignatures: signCandidate(FEDERATION, candidate, k.gov.secretKey, k.node.secretKey),
  };
}

export function replaceGovernanceKey(member: string, generation: number): Change {
  const p = proveKeyPossession(FEDERATION, member, 'governance', keysFor(member, generation).gov.secretKey);
  return { type: 'replace-governance-key', member, governanceKey: p.key, keySignature: p.signature };
}

/** An in-memory ledger: executes batches in order and keeps every entry after the genesis. */
export class TestLedger {
  state: GovernanceState;
  readonly genesis: SignedGenesis;
  readonly entries: Uint8Array[] = [];
  timeMs: number;

  constructor(genesis: SignedGenesis, timeMs = T0) {
    this.genesis = genesis;
    this.state = genesisState(genesis);
    this.timeMs = timeMs;
  }

  get proposer(): string {
    return this.state.world.members.find((m) => m.status === 'voting')!.name;
  }

  run(statements: SignedStatement[], timeMs = this.timeMs): BatchResult {
    this.timeMs = timeMs;
    const result = executeBatch(this.state, {
      height: this.state.height + 1,
      timeMs,
      proposer: this.proposer,
      statements,
    });
    this.state = result.state;
    this.entries.push(...result.entries);
    return result;
  }
}

export { statementId };

/** A world waiting for signatures, reduced to what the waiting list's rules read: its version and parts. */
export function pendingEntry(
  version: number,
  parts: { planet?: boolean; moon?: boolean; transition?: boolean } = {},
): PendingSignature {
  return {
    version,
    worldHash: '',
    note: '',
    keys: [],
    transition: parts.transition ?? false,
    ...(parts.planet ? { planet: { digest: '', key: '' } } : {}),
    ...(parts.moon ? { moon: { digest: '', key: '' } } : {}),
  };
}
