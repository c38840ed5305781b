// The FROST(Ed25519, SHA-512) ciphersuite (RFC 9591 §6.1) as Witan runs it: noble-curves'
// own createFROST with exactly the parameters of its ed25519_FROST — name, hash and the
// undecorated H2 of RFC 8032 — but without ed25519_FROST's extra `validatePoint` hook, and
// with a point class that checks each encoding once per process.
//
// Why no hook: createFROST already checks every point it decodes (RFC 9591 §3.1
// DeserializeElement: on the curve, not the identity, in the prime-order subgroup, by
// multiplying it by the group order). ed25519_FROST's hook repeats the curve check and the
// subgroup check on every point, and a subgroup check is a full variable-base scalar
// multiplication in pure JavaScript: a 7-member DKG spent more than half of its time
// repeating it (profiled in bench/RESULTS.md "Federation key").
//
// Why a point class that remembers: even once per decoding, the subgroup check was most of a
// threshold signature, and most of it was done again and again on the same points. Every
// signer decodes the group key and all 2·t nonce commitments of a request (its own included),
// and the coordinator decodes them all again to aggregate: a 5-of-7 share cost ≈ 9.5 ms and an
// aggregation ≈ 10 ms, ≈ 0.6 ms per point checked, and signing was ≈ 40 % of a busy root's CPU.
// CheckedPoint.fromBytes decodes with noble and runs noble's own checks (assertValidity, not
// the identity, isTorsionFree), and remembers the encodings that pass (at most
// POINT_MEMO_ENTRIES, least recently used out), so that the group key, the verifying shares, a
// commitment set this root already read to sign its share, and the root's own commitments
// (multiples of the base point, hence in the subgroup by construction: rememberNonceCommitments)
// are not multiplied by the group order again. createFROST still runs its checks on every
// point it reads; only the multiplication behind isTorsionFree is answered from what this
// process already computed for the very same encoding. An encoding that fails is not
// remembered and is refused by createFROST with noble's own error, however many valid ones
// came before. Outputs are byte for byte ed25519_FROST's for the same randomness
// (test/frost/suite.test.ts, and RFC 9591's vectors in test/frost/signing.test.ts).
//
// noble freezes its Point class, its prototype and every point, but a subclass is still
// possible: arithmetic on a CheckedPoint gives ordinary ed25519 points (noble builds results
// with its own class), which noble's code accepts as before (its `instanceof` checks are
// against its own class, of which CheckedPoint is a subclass). Only noble's multi-scalar
// multiplication checks `instanceof` the suite's class, and the DKG feeds it sums of points,
// ordinary points: CheckedPoint therefore counts every ed25519 point as one of its instances.

import type { EdwardsPoint } from '@noble/curves/abstract/edwards.js';
import { createFROST } from '@noble/curves/abstract/frost.js';
import { ed25519, type ed25519_FROST } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { Lru } from '../base/index.ts';
import { toHex } from '../codec/index.ts';
import { POINT_BYTES, POINT_MEMO_ENTRIES } from './constants.ts';

/** RFC 9591 §6.1 contextString. */
export const CIPHERSUITE_NAME = 'FROST-ED25519-SHA512-v1';

/** Encodings (hex) decoded and found valid by noble's checks, least recently used first. */
const memo = new Lru<string, CheckedPoint>(POINT_MEMO_ENTRIES);
/** noble's isTorsionFree for each CheckedPoint, computed once per instance. */
const subgroupChecks = new WeakMap<EdwardsPoint, boolean>();

/** noble's checks of a decoded point, as createFROST makes them, without throwing. */
function passesChecks(point: CheckedPoint): boolean {
  try {
    point.assertValidity();
  } catch {
    return false;
  }
  return !point.is0() && point.isTorsionFree();
}

class CheckedPoint extends ed25519.Point {
  /** RFC 8032 decoding; a canonical encoding seen and found valid before is not decoded or checked again. */
  static override fromBytes(bytes: Uint8Array, zip215 = false): EdwardsPoint {
    if (zip215 || !(bytes instanceof Uint8Array) || bytes.length !== POINT_BYTES) {
      return ed25519.Point.fromBytes(bytes, zip215);
    }
    const key = toHex(bytes);
    const known = memo.get(key);
    if (known !== undefined) return known;
    const decoded = ed25519.Point.fromBytes(bytes);
    const point = new CheckedPoint(decoded.X, decoded.Y, decoded.Z, decoded.T);
    if (passesChecks(point)) memo.set(key, point);
    return point;
  }

  /** noble's multi-scalar multiplication takes any ed25519 point (see the top of this file). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof ed25519.Point;
  }

  /** noble's subgroup check (a multiplication by the group order), once per instance. */
  override isTorsionFree(): boolean {
    let known = subgroupChecks.get(this);
    if (known === undefined) {
      known = super.isTorsionFree();
      subgroupChecks.set(this, known);
    }
    return known;
  }
}
Object.freeze(CheckedPoint.prototype);
Object.freeze(CheckedPoint);

/**
 * Remembers the commitments FROST.commit just made in this process (NonceBook.prepare) as
 * checked: each is a multiple of the base point by a nonce in 1..n−1, hence in the prime-order
 * subgroup and not the identity, so its subgroup check is answered without the multiplication.
 * Only for FROST.commit's own output: anything else must go through fromBytes' checks.
 */
export function rememberNonceCommitments(commitments: { hiding: Uint8Array; binding: Uint8Array }): void {
  for (const bytes of [commitments.hiding, commitments.binding]) {
    const decoded = ed25519.Point.fromBytes(bytes);
    const point = new CheckedPoint(decoded.X, decoded.Y, decoded.Z, decoded.T);
    subgroupChecks.set(point, true);
    if (passesChecks(point)) memo.set(toHex(bytes), point);
  }
}

/** The memo of checked point encodings, for benches and tests (a bench plays several processes in one). */
export const checkedPoints = {
  get size(): number {
    return memo.size;
  },
  /** Whether an encoding is remembered; does not count as a use. */
  has(bytes: Uint8Array): boolean {
    return memo.has(toHex(bytes));
  },
  forget(): void {
    memo.clear();
  },
};

/** noble's FROST API for FROST(Ed25519, SHA-512), each point checked once per process. */
export const FROST: typeof ed25519_FROST = createFROST({
  name: CIPHERSUITE_NAME,
  Point: CheckedPoint,
  hash: sha512,
  // RFC 9591 §6.1: H2 is SHA-512 without a prefix, so FROST signatures are RFC 8032 signatures.
  H2: '',
}) as typeof ed25519_FROST;
