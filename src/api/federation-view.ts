// What the federation-key routes (federation-routes.ts) need from a root: the key and the
// ceremony as this root sees them, and the worlds the federation has signed. The root
// implements it; the routes see nothing else.

import type { SignedWorldArtifacts } from '../governance/index.ts';

/** A signer named for a wrong signature share: what it signed, and the signed share (evidence). */
export interface FederationFault {
  member: string;
  /** The group key (base64) the share was for. */
  key: string;
  job:
    | { kind: 'checkpoint'; size: number; rootHash: string }
    | { kind: 'world'; version: number; part: string };
  code: string;
  message: string;
  /** The signer's share message and the coordinator's request, as they came on the wire (base64). */
  evidence: { share: string; request: string };
  atMs: number;
}

/** GET /federation: the key in force, the ceremony in progress, worlds waiting, faults seen. */
export interface FederationStatus {
  key: {
    publicKey: string;
    /** The C2SP vkey a client pins: key name = the federation, type 0x01. */
    vkey: string;
    session: string;
    threshold: number;
    participants: string[];
    /** Whether this root holds a share of it. */
    holder: boolean;
  } | null;
  ceremony: {
    session: string;
    phase: string;
    participants: string[];
    threshold: number;
    /** Participants that have sent their part of the current phase. */
    sent: string[];
    excluded: string[];
    thisRoot: 'taking part' | 'sitting out' | 'not a participant';
  } | null;
  /** Versions of committed worlds waiting for the federation's signatures. */
  pendingWorlds: number[];
  faults: FederationFault[];
}

export type ZeroTierType = 'planet' | 'moon';

/**
 * A signed planet (or moon) and the version that made it; or, when there is none, the newest
 * committed world and the version whose planet is in force at the version asked for (the newest
 * at or before it that yielded one; LEDGER.md §9.4), undefined when none did.
 */
export type ZeroTierFile =
  | { version: number; bytes: Uint8Array }
  | { version?: undefined; inForce: number | undefined; newestWorld: number };

export interface FederationView {
  federation(): FederationStatus;
  /** A world's signed note, planet and moon; the newest signed world when `version` is undefined. */
  signedWorld(version?: number): SignedWorldArtifacts | undefined;
  /** Every signed world note, oldest first. */
  signedWorldNotes(): { version: number; note: string }[];
  /** The signed planet (moon) made at `version`, or the newest signed one when undefined. */
  zeroTierFile(type: ZeroTierType, version?: number): ZeroTierFile;
}
