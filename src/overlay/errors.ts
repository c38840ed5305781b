// Errors of the overlay client. Each has a stable code and says what to do next.
//
// OverlayError: the peer's use of roots (relay reservations, rendezvous, reaching a peer).
// RENDEZVOUS_REFUSED carries the spec's response status.
//
// WorldError: a world the client refused, and why. A refused world changes nothing: the client
// keeps the world it verified before. STALE, ROLLBACK and FORK are the three ways a root can
// offer a world that verifies yet must not be used; UNVERIFIED is a chain that does not verify
// (its `chainCode` is the verifier's code, ledger/LEDGER.md §5.2).

import { CodedError } from '../base/index.ts';
import type { ChainErrorCode } from '../governance/index.ts';

export type OverlayErrorCode =
  | 'RENDEZVOUS_REFUSED'
  | 'RENDEZVOUS_PROTOCOL'
  | 'RELAY_UNAVAILABLE'
  | 'RELAY_REFUSED'
  | 'ROOTS_TOO_FEW'
  | 'PEER_NOT_FOUND'
  | 'PEER_UNREACHABLE'
  | 'OVERLAY_INVALID_OPTIONS'
  | 'OVERLAY_STOPPED';

export class OverlayError extends CodedError<OverlayErrorCode> {
  /** The rendezvous ResponseStatus for RENDEZVOUS_REFUSED, the circuit Status for RELAY_REFUSED. */
  readonly status: number | undefined;
  constructor(code: OverlayErrorCode, message: string, status?: number, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = status;
  }
}

export type WorldErrorCode =
  /** The freshest quorum of cosignatures is older than the world's checkpointFreshnessMs. */
  | 'WORLD_STALE'
  /** An older version than the client already verified. */
  | 'WORLD_ROLLBACK'
  /** A different world of a version the client already verified: a quorum signed two. */
  | 'WORLD_FORK'
  /** The chain does not verify from the pinned genesis (see chainCode). */
  | 'WORLD_UNVERIFIED'
  /** The root's answer is not a world chain at all. */
  | 'WORLD_BAD_ANSWER'
  /** No root could be asked, or roots refused for different reasons (see refusals). */
  | 'WORLD_UNAVAILABLE';

/** A world as the client names it in errors: its version and hash. */
export type WorldId = { version: number; hash: string };

export type WorldRefusal = { root: string; code: WorldErrorCode | 'WORLD_FETCH_FAILED'; message: string };

export class WorldError extends CodedError<WorldErrorCode> {
  /** The root whose answer was refused (its HTTP base URL), when one answer is refused. */
  readonly root: string | undefined;
  /** The world the client verified before, if any. */
  readonly trusted: WorldId | undefined;
  /** The world offered, when it verified far enough to have one. */
  readonly offered: WorldId | undefined;
  /** For WORLD_UNVERIFIED: the chain verifier's code. */
  readonly chainCode: ChainErrorCode | undefined;
  /** For a refresh that asked several roots: each root's refusal. */
  readonly refusals: readonly WorldRefusal[];

  constructor(
    code: WorldErrorCode,
    message: string,
    detail: {
      root?: string;
      trusted?: WorldId;
      offered?: WorldId;
      chainCode?: ChainErrorCode;
      refusals?: readonly WorldRefusal[];
      cause?: unknown;
    } = {},
  ) {
    super(code, message, detail.cause === undefined ? undefined : { cause: detail.cause });
    this.root = detail.root;
    this.trusted = detail.trusted;
    this.offered = detail.offered;
    this.chainCode = detail.chainCode;
    this.refusals = detail.refusals ?? [];
  }
}
