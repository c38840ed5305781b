// ZeroTier's world update rule (ZeroTierOne node/World.hpp, World::shouldBeReplacedBy, used by
// Topology::addWorld): a world replaces the current one when the ids and types are equal, the
// update's timestamp is strictly greater, and its signature verifies under the *current*
// world's updatesMustBeSignedBy. A node with no world yet (id 0) takes any world. A node also
// accepts an update only from a root of its current world, at one of that root's endpoints
// (Topology::shouldAcceptWorldUpdateFrom, isProhibitedEndpoint): that part is the network's.

import { verifyWorldSignature, type World } from './world.ts';

export type UpdateVerdict =
  | { accepted: true }
  | { accepted: false; reason: 'DIFFERENT_ID' | 'DIFFERENT_TYPE' | 'NOT_NEWER' | 'BAD_SIGNATURE' };

export function checkWorldUpdate(current: World, update: World): UpdateVerdict {
  if (current.id === 0n) return { accepted: true };
  if (update.id !== current.id) return { accepted: false, reason: 'DIFFERENT_ID' };
  if (update.type !== current.type) return { accepted: false, reason: 'DIFFERENT_TYPE' };
  if (update.timestamp <= current.timestamp) return { accepted: false, reason: 'NOT_NEWER' };
  if (!verifyWorldSignature(update, current.updatesMustBeSignedBy))
    return { accepted: false, reason: 'BAD_SIGNATURE' };
  return { accepted: true };
}

/** World::shouldBeReplacedBy. */
export function shouldBeReplacedBy(current: World, update: World): boolean {
  return checkWorldUpdate(current, update).accepted;
}
