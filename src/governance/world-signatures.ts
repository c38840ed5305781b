// What the federation key signs for each committed world (charter §22, ledger/LEDGER.md §9.3):
// its world note (a C2SP signed note, so a client pinned to one vkey follows the key from
// world to world), its ZeroTier planet and moon; and the ids of DKG sessions.
//
// Rotation, not resharing (docs/architecture.md "Federation key"): every change of the voting
// set calls a new DKG among the new voting members; the world that installs the new key is
// signed by the key it replaces and by the new key, so a verifier that pinned the first key
// walks the world notes holding one key at a time.

import { concatBytes, fromBase64, fromHex, toHex, utf8Bytes } from '../codec/index.ts';
import {
  ED25519_NOTE_TYPE,
  formatNote,
  noteKeyId,
  openNote,
  PUBLIC_KEY_BYTES,
  parseVkey,
  SIGNATURE_BYTES,
  sha256,
  verifySignature,
  vkeyString,
} from '../crypto/index.ts';
import {
  c25519PublicKeyOfEd25519,
  c25519SignedDigest,
  serializeWorld,
  verifyWorldSignature,
  worldSigningBytes,
} from '../zerotier/index.ts';
import { DKG_SESSION_DOMAIN, WORLD_NOTE_HEADER } from './constants.ts';
import type { World } from './model.ts';
import { newZeroTierWorldOf, zeroTierWorldOf } from './planet.ts';

/** The vkey of a federation key: key name = the ledger origin (the federation), type 0x01. */
export function federationVkey(world: Pick<World, 'federation'>, key: string): string {
  return vkeyString(world.federation, ED25519_NOTE_TYPE, fromBase64(key, PUBLIC_KEY_BYTES));
}

/**
 * The text of a world note (a C2SP signed note body): what the federation key signs for a
 * world. The last line names the world's own federation key as a vkey, so a client pinned
 * to the previous key learns the next one from a note that key signed.
 */
export function worldNoteText(world: World, worldHash: string): string {
  const key = world.federationKey;
  const vkey = key === undefined ? '-' : federationVkey(world, key.publicKey);
  return `${WORLD_NOTE_HEADER}\n${world.federation}\n${world.version}\n${worldHash}\n${vkey}\n`;
}

/** The session id of the first DKG for a world, or of the ceremony after `previous`. */
export function ceremonySession(from: string): string {
  return toHex(sha256(utf8Bytes(`${DKG_SESSION_DOMAIN}\n${from}`)));
}

/** One planet or moon digest waiting for a signature, and the key that must sign it. */
export interface PendingZeroTier {
  /** The 32 bytes (hex) the key signs: the first half of SHA-512 of the world's signing bytes. */
  digest: string;
  key: string;
}

/** What the federation must sign for one committed world (charter §22). */
export interface PendingSignature {
  version: number;
  worldHash: string;
  /** The world note's text; signed by each key in `keys`, in this order. */
  note: string;
  /** The key of the world it follows (when there is one), then the world's own key if new. */
  keys: string[];
  planet?: PendingZeroTier;
  moon?: PendingZeroTier;
  /** The world installs a new key: its signatures are the key transition. */
  transition: boolean;
}

/**
 * What the federation signs for a world produced after `before`: the world note by the key
 * in force before it (when there is one) and by its own key if that is new; the planet and
 * moon, when the world yields new ones (planet.ts), by the key ZeroTier expects (the previous
 * planet's updatesMustBeSignedBy — the key of the world before, since a world that changes its
 * key always yields a new planet — or the key itself for the first). Undefined when the world
 * has no federation key.
 */
export function pendingSignatureOf(
  before: World | undefined,
  world: World,
  worldHash: string,
): PendingSignature | undefined {
  const own = world.federationKey?.publicKey;
  if (own === undefined) return undefined;
  const previous = before?.federationKey?.publicKey;
  const signer = previous ?? own;
  const pending: PendingSignature = {
    version: world.version,
    worldHash,
    note: worldNoteText(world, worldHash),
    keys: previous === undefined || previous === own ? [own] : [previous, own],
    transition: previous !== own,
  };
  for (const type of ['planet', 'moon'] as const) {
    const unsigned = newZeroTierWorldOf(before, world, type);
    if (unsigned !== undefined)
      pending[type] = { digest: toHex(c25519SignedDigest(worldSigningBytes(unsigned))), key: signer };
  }
  return pending;
}

/** A world's signed artifacts: its world note and, when it yields new ones, its planet and moon (bytes). */
export interface SignedWorldArtifacts {
  version: number;
  /** The world note as a C2SP signed note (LEDGER.md §9.3). */
  note: string;
  planet?: Uint8Array;
  moon?: Uint8Array;
}

/**
 * Puts a committed world's federation signatures (its federation-signature statement) together
 * with what they sign: the signed world note, and the planet and moon files ZeroTier reads.
 * `before` is the world it followed. Throws if the signatures do not verify (they were checked
 * by the rules when committed, so that means the inputs do not belong together).
 */
export function signedWorldArtifacts(
  before: World | undefined,
  world: World,
  hash: string,
  signatures: { worldNote: string[]; planet?: string; moon?: string },
): SignedWorldArtifacts {
  const pending = pendingSignatureOf(before, world, hash);
  if (pending === undefined || pending.keys.length !== signatures.worldNote.length) {
    throw new Error(`world ${world.version} has no federation key, or not these signatures`);
  }
  const lines = pending.keys.map((key, i) => {
    const publicKey = fromBase64(key, PUBLIC_KEY_BYTES);
    const signature = fromBase64(signatures.worldNote[i]!, SIGNATURE_BYTES);
    if (!verifySignature(publicKey, utf8Bytes(pending.note), signature))
      throw new Error(`the world note signature by ${key} does not verify`);
    return {
      name: world.federation,
      keyId: noteKeyId(world.federation, ED25519_NOTE_TYPE, publicKey),
      signature,
    };
  });
  const out: SignedWorldArtifacts = { version: world.version, note: formatNote(pending.note, lines) };
  for (const type of ['planet', 'moon'] as const) {
    const sig = signatures[type];
    // The pending signature says whether the world yields a new planet (moon): only build it then.
    if (sig === undefined || pending[type] === undefined) continue;
    const unsigned = zeroTierWorldOf(world, type);
    if (unsigned === undefined) continue;
    const signature = concatBytes(fromBase64(sig, SIGNATURE_BYTES), fromHex(pending[type].digest));
    const signed = { ...unsigned, signature };
    if (
      !verifyWorldSignature(signed, c25519PublicKeyOfEd25519(fromBase64(pending[type].key, PUBLIC_KEY_BYTES)))
    )
      throw new Error(`the ${type} signature does not verify`);
    out[type] = serializeWorld(signed);
  }
  return out;
}

/** The key a world note names (its last line, a vkey), or undefined. */
export function worldNoteVkey(noteText: string): string | undefined {
  const lines = noteText.split('\n');
  const vkey = lines[lines.length - 2];
  return vkey === undefined || vkey === '-' ? undefined : vkey;
}

export type KeyChainResult =
  | { ok: true; vkey: string; version: number; keys: number }
  | { ok: false; version: number; message: string };

/**
 * Follows the federation key from a pinned vkey through signed world notes, in version order,
 * holding one key at a time (LEDGER.md §9.5): each note must verify under the key held and be
 * of a later version, and the key it names becomes the key held. Never throws.
 */
export function followKeyChain(pinned: string, notes: readonly string[]): KeyChainResult {
  let held = pinned;
  let version = 0;
  let keys = 1;
  for (const note of notes) {
    let text: string;
    try {
      text = openNote(note, [parseVkey(held)]).text;
    } catch (e) {
      return {
        ok: false,
        version,
        message: `a world note does not verify under ${held}: ${(e as Error).message}`,
      };
    }
    const lines = text.split('\n');
    const v = Number(lines[2]);
    if (lines[0] !== WORLD_NOTE_HEADER || !Number.isSafeInteger(v) || v <= version) {
      return { ok: false, version, message: `not a world note after version ${version}` };
    }
    version = v;
    const next = worldNoteVkey(text);
    if (next === undefined) return { ok: false, version, message: `world ${v} names no federation key` };
    if (next !== held) keys++;
    held = next;
  }
  return { ok: true, vkey: held, version, keys };
}
