// The root's side of C2SP tlog-witness add-checkpoint (POST /ledger/add-checkpoint): outside
// auditors running as witnesses (`witan audit --witness-key`) send the checkpoint they
// verified with their cosignature/v1 line. The root keeps cosignatures by the witness keys its
// operator trusts (config `witnesses`, vkeys) on its current tree and publishes them in the
// served note after the members' — visible to every client, never counted for the quorum.
//
// Answers (tlog-witness): 200 with the accepted signature lines; 409 when the checkpoint is not
// this root's current tree (the body names the current size); 403 when no trusted witness
// signed it.

import type { TlogWitness } from '../api/tlog-routes.ts';
import {
  COSIGNATURE_V1_TYPE,
  type NoteSignature,
  type NoteVerifier,
  openNote,
  parseVkey,
} from '../crypto/index.ts';
import type { Checkpoint } from '../ledger/index.ts';
import type { AddCheckpointRequest } from '../wire/index.ts';
import type { CosignatureBook } from './cosignature-book.ts';
import { NodeError } from './errors.ts';

/** Cosignature verifiers for the configured witness vkeys (type 0x04 only). */
export function witnessVerifiers(vkeys: readonly string[], memberNames: readonly string[]): NoteVerifier[] {
  return vkeys.map((vkey) => {
    let v: NoteVerifier;
    try {
      v = parseVkey(vkey);
    } catch (err) {
      throw new NodeError('CONFIG_INVALID', `witnesses: ${vkey} is not a vkey: ${(err as Error).message}`);
    }
    const material = Buffer.from(vkey.split('+')[2] ?? '', 'base64');
    if (material[0] !== COSIGNATURE_V1_TYPE) {
      throw new NodeError('CONFIG_INVALID', `witnesses: ${v.name} is not a cosignature/v1 (type 0x04) key`);
    }
    if (memberNames.includes(v.name)) {
      throw new NodeError(
        'CONFIG_INVALID',
        `witnesses: ${v.name} is also a member name; a witness needs its own name`,
      );
    }
    return v;
  });
}

export class WitnessInbox implements TlogWitness {
  #book: CosignatureBook;
  #verifiers: NoteVerifier[];
  #publish: () => Promise<void>;

  /** `publish` makes the served note include what was accepted; the answer waits for it. */
  constructor(
    book: CosignatureBook,
    verifiers: NoteVerifier[],
    publish: () => Promise<void> = async () => {},
  ) {
    this.#book = book;
    this.#verifiers = verifiers;
    this.#publish = publish;
  }

  /** `request` is a well-formed body (parsed by the route with the wire format's parser). */
  async addCheckpoint(request: AddCheckpointRequest<Checkpoint>): Promise<{ status: number; body: string }> {
    if (request.checkpoint.origin !== this.#book.origin || request.checkpoint.size !== this.#book.size) {
      return { status: 409, body: `this root's checkpoint is now size ${this.#book.size}\n` };
    }
    let accepted: NoteSignature[];
    try {
      const opened = openNote(request.note, this.#verifiers);
      if (opened.text !== this.#book.text)
        return { status: 409, body: `not this root's checkpoint at size ${this.#book.size}\n` };
      accepted = opened.verified;
    } catch (err) {
      return {
        status: 403,
        body: `no cosignature by a witness this root trusts (${(err as Error).message})\n`,
      };
    }
    for (const s of accepted) this.#book.addWitness(s);
    await this.#publish();
    return { status: 200, body: `${accepted.map((s) => `— ${s.name} accepted`).join('\n')}\n` };
  }
}
