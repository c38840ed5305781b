// Identities: worldHash and statementId are the
// lowercase hex SHA-256 of the canonical bytes (RFC 8785 subset, src/codec) of the whole
// object — for a statement, signature included. The ledger origin is the federation name.

import { canonicalBytes, type Json, toHex } from '../codec/index.ts';
import { sha256 } from '../crypto/index.ts';
import type { World } from './model.ts';
import type { SignedStatement } from './statement-types.ts';

export function worldHash(world: World): string {
  return toHex(sha256(canonicalBytes(world as unknown as Json)));
}

export function statementId(signed: SignedStatement): string {
  return toHex(sha256(canonicalBytes(signed as unknown as Json)));
}

/** Checkpoint origin line and log-signature key name. */
export function ledgerOrigin(world: World): string {
  return world.federation;
}
