// The planet and moon a world yields (charter §23, ledger/LEDGER.md §9.4): type planet,
// id = policy.zerotier.worldId, timestamp = the world's version (so it grows with the world,
// and anyone rebuilds it from the world alone), updatesMustBeSignedBy = the world's federation
// key in C25519 form (Montgomery form ‖ Ed25519 key), and as roots the voting members with a
// ZeroTier root that have voted longest (since, then name), at most
// policy.zerotier.planetRootsMax (≤ 4, ZeroTier's limit). With policy.zerotier.moonWorldId, the
// members with a ZeroTier root left out of the planet (voting or in probation, by name, again
// at most four) make a moon of that id, signed the same way.
//
// A world yields a *new* planet only when it differs from the planet of the world before it in
// anything but the timestamp (id, type, key, roots with their endpoints and order), or when the
// world before it yields none; the moon likewise, on its own. A world that changes nothing a
// ZeroTier node reads (HTTP endpoints, motions, most of the policy) leaves the planet in force,
// so nodes are not sent the same roots under a larger timestamp and the federation signs
// nothing for it but the world note.

import { bytesEqual, fromBase64 } from '../codec/index.ts';
import { PUBLIC_KEY_BYTES } from '../crypto/index.ts';
import {
  c25519PublicKeyOfEd25519,
  parseEndpoint,
  parseIdentity,
  type UnsignedWorld,
  WORLD_ROOTS_MAX,
  worldSigningBytes,
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

/** Whether two planets (or moons) are the same but for their timestamps. */
export function sameZeroTierContent(a: UnsignedWorld, b: UnsignedWorld): boolean {
  return bytesEqual(worldSigningBytes({ ...a, timestamp: 0n }), worldSigningBytes({ ...b, timestamp: 0n }));
}

/**
 * The new planet (or moon) a world yields after `before` (LEDGER.md §9.4): its unsigned planet
 * when that differs from the planet of `before` in anything but the timestamp, or when `before`
 * yields none; undefined when the planet in force stays the one before it (or it yields none).
 */
export function newZeroTierWorldOf(
  before: World | undefined,
  world: World,
  type: 'planet' | 'moon',
): UnsignedWorld | undefined {
  const unsigned = zeroTierWorldOf(world, type);
  if (unsigned === undefined || before === undefined) return unsigned;
  const previous = zeroTierWorldOf(before, type);
  return previous !== undefined && sameZeroTierContent(previous, unsigned) ? undefined : unsigned;
}
