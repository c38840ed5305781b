// ZeroTier worlds — planets and moons — byte for byte as ZeroTierOne's node/World.hpp
// (World::serialize / World::deserialize) writes and reads them. All integers big-endian:
//   type u8 (1 planet, 127 moon) ‖ id u64 ‖ timestamp u64 ‖ updatesMustBeSignedBy (64)
//   ‖ signature (96) ‖ root count u8 ‖ per root:
//        identity: address (5) ‖ type u8 = 0 ‖ public key (64) ‖ secret key length u8 = 0
//        ‖ endpoint count u8 ‖ endpoints (InetAddress, see endpoint.ts)
//   ‖ for a moon only: dictionary length u16 ‖ dictionary
// The signature covers 0x7f × 8 ‖ the same bytes without the signature field ‖ 0xf7 × 8, a
// moon's dictionary length written as 0 (ZeroTier always writes it so).
//
// Stricter than ZeroTier, on purpose: a world must be exactly the bytes given (no trailing
// bytes), at most WORLD_BYTES_MAX long, with IP endpoints only, no secret key in any root,
// no duplicate roots, and no moon dictionary (ZeroTier neither signs nor reads one).

import { c25519Sign, c25519Verify, type Ed25519Signer } from './c25519.ts';
import {
  ADDRESS_BYTES,
  C25519_PUBLIC_KEY_BYTES,
  C25519_SECRET_KEY_BYTES,
  C25519_SIGNATURE_BYTES,
  ENDPOINT_TYPE_IPV4,
  ENDPOINT_TYPE_IPV6,
  IDENTITY_TYPE_C25519,
  ROOT_ENDPOINTS_MAX,
  U64_MAX,
  WORLD_BYTES_MAX,
  WORLD_ROOTS_MAX,
  WORLD_SIGNING_MARKER_BYTES,
  WORLD_SIGNING_PREFIX_BYTE,
  WORLD_SIGNING_SUFFIX_BYTE,
  WORLD_TYPE_MOON,
  WORLD_TYPE_PLANET,
} from './constants.ts';
import { type Endpoint, endpointBytes, writeEndpoint } from './endpoint.ts';
import { ZeroTierError } from './errors.ts';
import { addressFromBytes, addressToBytes, isReservedAddress, type ZeroTierIdentity } from './identity.ts';

export type WorldType = 'planet' | 'moon';
export type WorldRoot = { identity: ZeroTierIdentity; endpoints: Endpoint[] };
export type World = {
  type: WorldType;
  /** u64; Earth is 149604618. */
  id: bigint;
  /** u64, milliseconds since the epoch by ZeroTier's convention; an update must have a larger one. */
  timestamp: bigint;
  /** C25519 public key (64 bytes) whose Ed25519 half must sign the next update. */
  updatesMustBeSignedBy: Uint8Array;
  /** C25519 signature (96 bytes) of this world. */
  signature: Uint8Array;
  roots: WorldRoot[];
};
export type UnsignedWorld = Omit<World, 'signature'>;

const HEADER_BYTES = 1 + 8 + 8 + C25519_PUBLIC_KEY_BYTES; // before the signature
const IDENTITY_BYTES = ADDRESS_BYTES + 1 + C25519_PUBLIC_KEY_BYTES + 1;
const MOON_DICTIONARY_LENGTH_BYTES = 2;

function truncated(what: string): ZeroTierError {
  return new ZeroTierError('TRUNCATED', `the world ends inside ${what}`);
}

/** A bounds-checked cursor over the input: every read names what it was reading. */
class Reader {
  offset = 0;
  private readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  take(n: number, what: string): Uint8Array {
    if (this.offset + n > this.bytes.length) throw truncated(what);
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  u8(what: string): number {
    return this.take(1, what)[0]!;
  }
  u16(what: string): number {
    const b = this.take(2, what);
    return (b[0]! << 8) | b[1]!;
  }
  u64(what: string): bigint {
    const b = this.take(8, what);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false);
  }
  get remaining(): number {
    return this.bytes.length - this.offset;
  }
}

function readType(r: Reader): WorldType {
  const type = r.u8('the world type');
  if (type === WORLD_TYPE_PLANET) return 'planet';
  if (type === WORLD_TYPE_MOON) return 'moon';
  throw new ZeroTierError(
    'UNSUPPORTED_WORLD_TYPE',
    `world type ${type} is neither a planet (${WORLD_TYPE_PLANET}) nor a moon (${WORLD_TYPE_MOON})`,
  );
}

function readIdentity(r: Reader, index: number): ZeroTierIdentity {
  const what = `the identity of root ${index}`;
  const addressBytes = r.take(ADDRESS_BYTES, what);
  const type = r.u8(what);
  if (type !== IDENTITY_TYPE_C25519) {
    throw new ZeroTierError(
      'UNSUPPORTED_IDENTITY_TYPE',
      `root ${index} has identity type ${type}, not 0 (C25519)`,
    );
  }
  const publicKey = r.take(C25519_PUBLIC_KEY_BYTES, what);
  const secretLength = r.u8(what);
  if (secretLength === C25519_SECRET_KEY_BYTES) {
    throw new ZeroTierError(
      'ROOT_HAS_SECRET_KEY',
      `root ${index} carries its secret key: never publish this world`,
    );
  }
  if (secretLength !== 0) {
    throw new ZeroTierError('MALFORMED_IDENTITY', `root ${index} has a secret key length of ${secretLength}`);
  }
  if (isReservedAddress(addressBytes)) {
    throw new ZeroTierError(
      'RESERVED_ADDRESS',
      `root ${index} has the reserved address ${addressFromBytes(addressBytes)}`,
    );
  }
  return { address: addressFromBytes(addressBytes), publicKey };
}

function readEndpoint(r: Reader, root: number, index: number): Endpoint {
  const what = `endpoint ${index} of root ${root}`;
  const type = r.u8(what);
  if (type !== ENDPOINT_TYPE_IPV4 && type !== ENDPOINT_TYPE_IPV6) {
    throw new ZeroTierError(
      'BAD_ENDPOINT',
      `${what} has address type ${type}; a root endpoint is IPv4 (4) or IPv6 (6)`,
    );
  }
  const family = type === ENDPOINT_TYPE_IPV4 ? 4 : 6;
  const address = r.take(family === 4 ? 4 : 16, what);
  return { family, address, port: r.u16(what) };
}

/** Parses a planet or moon file. Throws ZeroTierError (never anything else) on any malformation. */
export function parseWorld(bytes: Uint8Array): World {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('a world is bytes');
  if (bytes.length > WORLD_BYTES_MAX) {
    throw new ZeroTierError('TOO_LARGE', `a world is at most ${WORLD_BYTES_MAX} bytes; got ${bytes.length}`);
  }
  const r = new Reader(bytes);
  const type = readType(r);
  const id = r.u64('the world id');
  const timestamp = r.u64('the timestamp');
  const updatesMustBeSignedBy = r.take(C25519_PUBLIC_KEY_BYTES, 'updatesMustBeSignedBy');
  const signature = r.take(C25519_SIGNATURE_BYTES, 'the signature');
  const rootCount = r.u8('the root count');
  if (rootCount > WORLD_ROOTS_MAX) {
    throw new ZeroTierError(
      'TOO_MANY_ROOTS',
      `${rootCount} roots; ZeroTier allows at most ${WORLD_ROOTS_MAX} per world`,
    );
  }
  const roots: WorldRoot[] = [];
  for (let i = 0; i < rootCount; i++) {
    const identity = readIdentity(r, i);
    const endpointCount = r.u8(`the endpoint count of root ${i}`);
    if (endpointCount > ROOT_ENDPOINTS_MAX) {
      throw new ZeroTierError(
        'TOO_MANY_ENDPOINTS',
        `root ${i} has ${endpointCount} endpoints; ZeroTier allows at most ${ROOT_ENDPOINTS_MAX}`,
      );
    }
    const endpoints: Endpoint[] = [];
    for (let k = 0; k < endpointCount; k++) endpoints.push(readEndpoint(r, i, k));
    roots.push({ identity, endpoints });
  }
  if (type === 'moon') {
    const dictionaryLength = r.u16('the moon dictionary length');
    if (dictionaryLength !== 0) {
      throw new ZeroTierError(
        'UNSIGNED_DICTIONARY',
        `the moon carries a ${dictionaryLength}-byte dictionary that its signature does not cover`,
      );
    }
  }
  if (r.remaining !== 0)
    throw new ZeroTierError('TRAILING_BYTES', `${r.remaining} bytes after the end of the world`);
  const world = { type, id, timestamp, updatesMustBeSignedBy, signature, roots };
  checkDistinctRoots(world);
  return world;
}

function checkDistinctRoots(world: UnsignedWorld): void {
  const seen = new Set<string>();
  for (const root of world.roots) {
    if (seen.has(root.identity.address)) {
      throw new ZeroTierError('DUPLICATE_ROOT', `root ${root.identity.address} appears twice`);
    }
    seen.add(root.identity.address);
  }
}

function badWorld(message: string): ZeroTierError {
  return new ZeroTierError('BAD_WORLD', message);
}

function checkU64(value: bigint, what: string): void {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX)
    throw badWorld(`${what} must be a u64 bigint`);
}

function checkWorld(world: UnsignedWorld): void {
  if (world.type !== 'planet' && world.type !== 'moon') {
    throw new ZeroTierError('UNSUPPORTED_WORLD_TYPE', 'a world is a planet or a moon');
  }
  checkU64(world.id, 'the world id');
  checkU64(world.timestamp, 'the timestamp');
  const key = world.updatesMustBeSignedBy;
  if (!(key instanceof Uint8Array) || key.length !== C25519_PUBLIC_KEY_BYTES) {
    throw badWorld(`updatesMustBeSignedBy is a ${C25519_PUBLIC_KEY_BYTES}-byte C25519 public key`);
  }
  if (!Array.isArray(world.roots)) throw badWorld('roots must be an array');
  if (world.roots.length > WORLD_ROOTS_MAX) {
    throw new ZeroTierError(
      'TOO_MANY_ROOTS',
      `${world.roots.length} roots; ZeroTier allows at most ${WORLD_ROOTS_MAX} per world: put the others in a moon`,
    );
  }
  for (const [i, root] of world.roots.entries()) {
    if (isReservedAddress(addressToBytes(root.identity.address))) {
      throw new ZeroTierError('RESERVED_ADDRESS', `root ${i} has a reserved address`);
    }
    if (
      !(root.identity.publicKey instanceof Uint8Array) ||
      root.identity.publicKey.length !== C25519_PUBLIC_KEY_BYTES
    ) {
      throw badWorld(`root ${i}'s public key is not ${C25519_PUBLIC_KEY_BYTES} bytes`);
    }
    if ('secretKey' in root.identity) {
      throw new ZeroTierError(
        'ROOT_HAS_SECRET_KEY',
        `root ${i} carries its secret key: pass the public identity`,
      );
    }
    if (!Array.isArray(root.endpoints) || root.endpoints.length > ROOT_ENDPOINTS_MAX) {
      throw new ZeroTierError(
        'TOO_MANY_ENDPOINTS',
        `root ${i} has more than ${ROOT_ENDPOINTS_MAX} endpoints`,
      );
    }
  }
  checkDistinctRoots(world);
}

function bodyBytes(world: UnsignedWorld): number {
  let n = 1; // root count
  for (const root of world.roots) {
    n += IDENTITY_BYTES + 1;
    for (const e of root.endpoints) n += endpointBytes(e);
  }
  return n + (world.type === 'moon' ? MOON_DICTIONARY_LENGTH_BYTES : 0);
}

function writeHeader(world: UnsignedWorld, out: Uint8Array, offset: number): number {
  out[offset] = world.type === 'planet' ? WORLD_TYPE_PLANET : WORLD_TYPE_MOON;
  const view = new DataView(out.buffer, out.byteOffset);
  view.setBigUint64(offset + 1, world.id, false);
  view.setBigUint64(offset + 9, world.timestamp, false);
  out.set(world.updatesMustBeSignedBy, offset + 17);
  return offset + HEADER_BYTES;
}

function writeBody(world: UnsignedWorld, out: Uint8Array, offset: number): number {
  let p = offset;
  out[p++] = world.roots.length;
  for (const root of world.roots) {
    out.set(addressToBytes(root.identity.address), p);
    p += ADDRESS_BYTES;
    out[p++] = IDENTITY_TYPE_C25519;
    out.set(root.identity.publicKey, p);
    p += C25519_PUBLIC_KEY_BYTES;
    out[p++] = 0; // no secret key
    out[p++] = root.endpoints.length;
    for (const e of root.endpoints) p = writeEndpoint(e, out, p);
  }
  if (world.type === 'moon') p += MOON_DICTIONARY_LENGTH_BYTES; // u16 0: no dictionary
  return p;
}

/** The bytes of a planet or moon file (World::serialize(b, false)). */
export function serializeWorld(world: World): Uint8Array {
  checkWorld(world);
  if (!(world.signature instanceof Uint8Array) || world.signature.length !== C25519_SIGNATURE_BYTES) {
    throw badWorld(`a signature is ${C25519_SIGNATURE_BYTES} bytes`);
  }
  const out = new Uint8Array(HEADER_BYTES + C25519_SIGNATURE_BYTES + bodyBytes(world));
  if (out.length > WORLD_BYTES_MAX)
    throw new ZeroTierError('TOO_LARGE', `the world would be ${out.length} bytes`);
  let p = writeHeader(world, out, 0);
  out.set(world.signature, p);
  p = writeBody(world, out, p + C25519_SIGNATURE_BYTES);
  if (p !== out.length) throw new Error(`world serialisation wrote ${p} of ${out.length} bytes`);
  return out;
}

/** The bytes a world's signature covers (World::serialize(b, true)). */
export function worldSigningBytes(world: UnsignedWorld): Uint8Array {
  checkWorld(world);
  const out = new Uint8Array(2 * WORLD_SIGNING_MARKER_BYTES + HEADER_BYTES + bodyBytes(world));
  out.fill(WORLD_SIGNING_PREFIX_BYTE, 0, WORLD_SIGNING_MARKER_BYTES);
  let p = writeHeader(world, out, WORLD_SIGNING_MARKER_BYTES);
  p = writeBody(world, out, p);
  out.fill(WORLD_SIGNING_SUFFIX_BYTE, p);
  if (p + WORLD_SIGNING_MARKER_BYTES !== out.length)
    throw new Error('world signing bytes have the wrong length');
  return out;
}

/**
 * Signs a world as World::make does. The signer is the holder of the key that the world being
 * replaced names in updatesMustBeSignedBy (for a first planet, usually its own key); its
 * signature is checked before the world is returned, so a faulty signer cannot yield a bad world.
 */
export async function signWorld(world: UnsignedWorld, signer: Ed25519Signer): Promise<World> {
  const signature = await c25519Sign(worldSigningBytes(world), signer);
  return { ...world, signature };
}

/** Does world's own signature verify under the C25519 key given (e.g. the current planet's updatesMustBeSignedBy)? */
export function verifyWorldSignature(world: World, signedBy: Uint8Array): boolean {
  try {
    return c25519Verify(signedBy, worldSigningBytes(world), world.signature);
  } catch (error) {
    if (error instanceof ZeroTierError) return false;
    throw error;
  }
}
