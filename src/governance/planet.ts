// The planet and moon a world yields (charter §23, ledger/LEDGER.md §9.4): type planet,
// id = policy.zerotier.worldId, timestamp = the world's version (so it grows with the world,
// and anyone rebuilds it from the world alone), updatesMustBeSignedBy = the world's federation
// key in C25519 form (Montgomery form ‖ Ed25519 key), and as roots the voting members with a
// ZeroTier root that have voted longest (since, then name), at most
// policy.zerotier.planetRootsMax (≤ 4, ZeroTier's limit). With policy.zerotier.moonWorldId, the
// members with a ZeroTier root left out of the planet (voting or in probation, by name, again
// at most four) make a moon of that id, signed the same way.

import { fromBase64 } from '../codec/index.ts';
import { PUBLIC_KEY_BYTES } from '../crypto/index.ts';
import {
  c25519PublicKeyOfEd25519,
  parseEndpoint,
  parseIdentity,
  type UnsignedWorld,
  WORLD_ROOTS_MAX,
} from '../zerotier/index.ts';
import type { Member, World } from './model.ts';

function bySeniority(a: Member, b: Member): number {
  if (a.since !== b.since) return a.since - b.since;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The members whose roots go into the world's planet and (with moonWorldId) its moon. */
export function zeroTierRootMembers(world: World): { planet: Member[]; moon: Member[] } {
  const z = world.policy.zerotier;
  if (z === undefined) return { planet: [], moon: [] };
  const withRoot = world.members.filter((m) => m.zerotier !== undefined);
  const planet = withRoot
    .filter((m) => m.status === 'voting')
    .sort(bySeniority)
    .slice(0, z.planetRootsMax);
  const inPlanet = new Set(planet.map((m) => m.name));
  const moon =
    z.moonWorldId === undefined
      ? []
      : withRoot.filter((m) => m.status !== 'suspended' && !inPlanet.has(m.name)).slice(0, WORLD_ROOTS_MAX);
  return { planet, moon };
}

function rootOf(m: Member): UnsignedWorld['roots'][number] {
  const identity = parseIdentity(m.zerotier!.identity);
  return {
    identity: { address: identity.address, publicKey: identity.publicKey },
    endpoints: m.zerotier!.endpoints.map(parseEndpoint),
  };
}

/**
 * The unsigned planet (or moon) of a world, or undefined when the world yields none: no
 * zerotier policy, no federation key, or (for a moon) no moonWorldId.
 */
export function zeroTierWorldOf(world: World, type: 'planet' | 'moon'): UnsignedWorld | undefined {
  const z = world.policy.zerotier;
  const key = world.federationKey;
  if (z === undefined || key === undefined) return undefined;
  const id = type === 'planet' ? z.worldId : z.moonWorldId;
  if (id === undefined) return undefined;
  const members = zeroTierRootMembers(world)[type];
  return {
    type,
    id: BigInt(id),
    timestamp: BigInt(world.version),
    updatesMustBeSignedBy: c25519PublicKeyOfEd25519(fromBase64(key.publicKey, PUBLIC_KEY_BYTES)),
    roots: members.map(rootOf),
  };
}
