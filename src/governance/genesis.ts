// Genesis: the founding ceremony. Each founder produces a member
// descriptor; one assembles the genesis world (version 1, previous null, every founder
// voting since 0); every founder signs signingBytes('witan/v1/governance/genesis', world)
// with its governance key. The genesis is valid only with ALL founders' signatures, one per
// founder, sorted by member name, and a world that satisfies every membership rule.

import { type Json, signingBytes, toBase64 } from '../codec/index.ts';
import { sign } from '../crypto/index.ts';
import { GENESIS_DOMAIN } from './constants.ts';
import { GovernanceError } from './errors.ts';
import { type MemberDescriptor, parseName, parseWorld, type World } from './model.ts';
import { DEFAULT_POLICY, type Policy } from './policy.ts';
import { list, record, ShapeError, signature } from './shape.ts';
import { verifyB64 } from './statements.ts';
import { worldRuleViolation } from './world-rules.ts';

export interface GenesisSignature {
  member: string;
  signature: string;
}

export interface SignedGenesis {
  world: World;
  signatures: GenesisSignature[];
}

/** Assembles the genesis world from the founders' descriptors (any order). */
export function assembleGenesisWorld(
  federation: string,
  founders: readonly MemberDescriptor[],
  policy: Policy = DEFAULT_POLICY,
): World {
  const members = [...founders]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((d) => ({
      ...d,
      endpoints: { p2p: [...d.endpoints.p2p], http: [...d.endpoints.http] },
      status: 'voting' as const,
      since: 0,
    }));
  const world: World = { federation, version: 1, previous: null, members, policy: structuredClone(policy) };
  checkGenesisWorld(world);
  return world;
}

export function genesisSigningBytes(world: World): Uint8Array {
  return signingBytes(GENESIS_DOMAIN, world as unknown as Json);
}

/** One founder's signature over the genesis world with its governance key. */
export function signGenesis(world: World, member: string, governanceSecretKey: Uint8Array): GenesisSignature {
  return { member, signature: toBase64(sign(governanceSecretKey, genesisSigningBytes(world))) };
}

/** Puts the founders' signatures together in the one canonical order (by member name). */
export function assembleGenesis(world: World, signatures: readonly GenesisSignature[]): SignedGenesis {
  const sorted = [...signatures].sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
  return { world, signatures: sorted };
}

function checkGenesisWorld(world: World): World {
  let parsed: World;
  try {
    parsed = parseWorld(world, 'genesis.world');
  } catch (e) {
    throw new GovernanceError('BAD_GENESIS', `The genesis world is malformed: ${(e as Error).message}.`);
  }
  if (parsed.version !== 1 || parsed.previous !== null) {
    throw new GovernanceError('BAD_GENESIS', 'The genesis world must have version 1 and previous null.');
  }
  if (parsed.members.some((m) => m.status !== 'voting' || m.since !== 0)) {
    throw new GovernanceError('BAD_GENESIS', 'Every founder is a voting member since 0.');
  }
  const violation = worldRuleViolation(parsed);
  if (violation !== null) {
    throw new GovernanceError(
      'BAD_GENESIS',
      `The genesis world breaks ${violation.rule}: ${violation.message}`,
      {
        rejection: violation,
      },
    );
  }
  return parsed;
}

/** Reads and fully verifies a signed genesis; returns it re-read from its fields. Throws BAD_GENESIS. */
export function checkGenesis(x: unknown): SignedGenesis {
  let o: Record<string, unknown>;
  let sigs: GenesisSignature[];
  try {
    o = record(x, 'genesis', ['world', 'signatures']);
    sigs = list(o.signatures, 'genesis.signatures', 1, 64).map((s, i) => {
      const r = record(s, `genesis.signatures[${i}]`, ['member', 'signature']);
      return {
        member: parseName(r.member, `genesis.signatures[${i}].member`),
        signature: signature(r.signature, `genesis.signatures[${i}].signature`),
      };
    });
  } catch (e) {
    if (e instanceof ShapeError)
      throw new GovernanceError('BAD_GENESIS', `The genesis is malformed: ${e.message}.`);
    throw e;
  }
  const world = checkGenesisWorld(o.world as World);
  const names = world.members.map((m) => m.name);
  const signers = sigs.map((s) => s.member);
  if (signers.join(',') !== names.join(',')) {
    throw new GovernanceError(
      'BAD_GENESIS',
      `The genesis needs exactly one signature from every founder, sorted by name (${names.join(', ')}); it has ${signers.join(', ') || 'none'}.`,
    );
  }
  const bytes = genesisSigningBytes(world);
  for (const [i, s] of sigs.entries()) {
    if (!verifyB64(world.members[i]!.governanceKey, bytes, s.signature)) {
      throw new GovernanceError(
        'BAD_GENESIS',
        `The signature of founder "${s.member}" does not verify with its governance key.`,
      );
    }
  }
  return { world, signatures: sigs };
}

export function verifyGenesis(genesis: unknown): { ok: true } | { ok: false; code: string; message: string } {
  try {
    checkGenesis(genesis);
    return { ok: true };
  } catch (e) {
    if (e instanceof GovernanceError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}
