// Witness mode (`--witness-key <file>`): the auditor cosigns each checkpoint it verified with
// C2SP tlog-cosignature (cosignature/v1, timestamped) and hands it to every root through
// C2SP tlog-witness add-checkpoint (POST /ledger/add-checkpoint: "old <size>", the RFC 9162
// consistency proof from that size, a blank line, the note with our cosignature added).
// Like any tlog-witness it keeps its own state — the last size and root it cosigned — and
// refuses to cosign a checkpoint that is smaller than that or not consistent with it.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { bytesEqual, fromBase64, toBase64, utf8Bytes } from '../codec/index.ts';
import { cosignatureSigner, formatNote, isValidKeyName, type KeyPair, parseNote } from '../crypto/index.ts';
import { readKeyFile } from '../crypto/key-file.ts';
import { type Checkpoint, parseCheckpoint, verifyConsistency } from '../ledger/index.ts';
import { type HttpClient, NetError, normalizeBaseUrl } from '../net/index.ts';
import { formatAddCheckpointBody } from '../wire/index.ts';
import { REPLY_BYTES_MAX } from './constants.ts';
import { AuditError } from './errors.ts';

export const WITNESS_STATE_FORMAT = 'witan-witness-state/v1';

export type WitnessState = { origin: string; size: number; rootHash: Uint8Array };
export type WitnessOutcome = { root: string; status: number; body: string };

export function readWitnessState(path: string): WitnessState | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const json = JSON.parse(readFileSync(path, 'utf8'));
    if (json.format !== WITNESS_STATE_FORMAT || !Number.isSafeInteger(json.size)) throw new Error('format');
    return { origin: String(json.origin), size: json.size, rootHash: fromBase64(json.rootHash, 32) };
  } catch {
    throw new AuditError(
      'BAD_STATE',
      `${path} is not a ${WITNESS_STATE_FORMAT} file; the witness will not guess`,
    );
  }
}

export function writeWitnessState(path: string, state: WitnessState): void {
  const temp = `${path}.${process.pid}.tmp`;
  const json = {
    format: WITNESS_STATE_FORMAT,
    origin: state.origin,
    size: state.size,
    rootHash: toBase64(state.rootHash),
  };
  writeFileSync(temp, `${JSON.stringify(json)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

export class Witness {
  readonly name: string;
  readonly #key: KeyPair;
  #state: WitnessState | undefined;

  constructor(name: string, key: KeyPair, state: WitnessState | undefined) {
    if (!isValidKeyName(name))
      throw new AuditError('BAD_ARGUMENT', `${JSON.stringify(name)} is not a note key name`);
    this.name = name;
    this.#key = key;
    this.#state = state;
  }

  static fromKeyFile(
    name: string,
    path: string,
    state: WitnessState | undefined,
    passphrase?: string,
  ): Witness {
    return new Witness(name, readKeyFile(path, passphrase === undefined ? {} : { passphrase }), state);
  }

  get publicKey(): Uint8Array {
    return this.#key.publicKey;
  }

  get state(): WitnessState | undefined {
    return this.#state;
  }

  /**
   * Cosigns `note` (already verified by the audit) if it extends what this witness cosigned
   * before: `proof` is the consistency proof from the old size to the note's size. Throws
   * WITNESS_REFUSED otherwise; the state is unchanged on refusal.
   */
  cosign(note: string, proof: readonly Uint8Array[], nowMs: number): { note: string; oldSize: number } {
    const { text, signatures } = parseNote(note);
    const checkpoint: Checkpoint = parseCheckpoint(text);
    const old = this.#state;
    if (old !== undefined) {
      if (old.origin !== checkpoint.origin) {
        throw new AuditError(
          'WITNESS_REFUSED',
          `this witness state is for ${old.origin}, not ${checkpoint.origin}`,
        );
      }
      if (checkpoint.size < old.size) {
        throw new AuditError(
          'WITNESS_REFUSED',
          `size ${checkpoint.size} is below the ${old.size} already cosigned`,
        );
      }
      if (!verifyConsistency(old.size, checkpoint.size, proof, old.rootHash, checkpoint.rootHash)) {
        throw new AuditError(
          'WITNESS_REFUSED',
          `checkpoint of size ${checkpoint.size} is not consistent with the size ${old.size} already cosigned`,
        );
      }
    }
    const signer = cosignatureSigner(this.name, this.#key.secretKey, Math.floor(nowMs / 1000));
    const ours = { name: signer.name, keyId: signer.keyId, signature: signer.sign(utf8Bytes(text)) };
    const others = signatures.filter((s) => !(s.name === ours.name && s.keyId === ours.keyId));
    const oldSize = old?.size ?? 0;
    const grows =
      old === undefined || checkpoint.size > old.size || !bytesEqual(old.rootHash, checkpoint.rootHash);
    if (grows)
      this.#state = { origin: checkpoint.origin, size: checkpoint.size, rootHash: checkpoint.rootHash };
    return { note: formatNote(text, [...others, ours]), oldSize };
  }

  /**
   * Sends a cosigned note to a root's add-checkpoint, once (a POST is not retried). A refusal
   * (409: the root knows another old size; 4xx) is reported with its status and body, not thrown.
   */
  async submit(
    http: HttpClient,
    rootUrl: string,
    oldSize: number,
    proof: readonly Uint8Array[],
    note: string,
  ): Promise<WitnessOutcome> {
    const root = normalizeBaseUrl(rootUrl);
    try {
      const reply = await http.request(`${root}/ledger/add-checkpoint`, {
        method: 'POST',
        body: formatAddCheckpointBody({ oldSize, proof: [...proof], note }),
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        bytesMax: REPLY_BYTES_MAX,
      });
      return { root, status: reply.status, body: new TextDecoder().decode(reply.body).slice(0, 512) };
    } catch (error) {
      if (error instanceof NetError && error.code === 'HTTP_STATUS' && error.status !== undefined)
        return { root, status: error.status, body: error.body ?? '' };
      throw error;
    }
  }
}
