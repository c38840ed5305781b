// The federation key's gossip messages between roots (topic /witan/<federation>/frost/1):
//   commitments  a signer's unused nonce commitments for one key (a snapshot, numbered)
//   request      a coordinator's signing request: the job, the bytes to sign, one commitment per signer
//   share        a signer's signature share for one request
//   signature    the aggregated signature of a job
// Each is the canonical JSON of {federation, message, signature}, where `signature` is the node
// key of message.member over signingBytes('witan/v1/frost/<type>', {federation, message}): a
// share is thereby attributable, so a wrong one is evidence against its signer.

import {
  canonicalBytes,
  decodeCanonical,
  fromBase64,
  type Json,
  signingBytes,
  toBase64,
  toHex,
} from '../../codec/index.ts';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, sha256, sign, verifySignature } from '../../crypto/index.ts';
import type { NonceCommitment } from '../../frost/index.ts';
import { MEMBER_NAME_PATTERN, MEMBERS_MAX } from '../../governance/index.ts';
import { ANNOUNCED_NONCES_MAX, FROST_MESSAGE_BYTES_MAX, JOB_MESSAGE_BYTES_MAX } from './constants.ts';
import { FederationError } from './errors.ts';

/** What the federation is asked to sign: a checkpoint, or one part of a committed world. */
export type Job =
  | { kind: 'checkpoint'; size: number; rootHash: string }
  | { kind: 'world'; version: number; part: 'note' | 'planet' | 'moon' };

export type FrostMessage =
  | {
      type: 'commitments';
      member: string;
      key: string;
      /** Random per NonceBook: a new book (the root restarted) replaces the old commitments. */
      book: string;
      seq: number;
      commitments: { hiding: string; binding: string }[];
    }
  | {
      type: 'request';
      member: string;
      key: string;
      job: Job;
      message: string;
      commitments: NonceCommitment[];
    }
  | { type: 'share'; member: string; key: string; request: string; share: string }
  | { type: 'signature'; member: string; key: string; job: Job; signature: string };

export const FROST_DOMAIN_PREFIX = 'witan/v1/frost/';
const DEPTH_MAX = 8;
const HEX32 = /^[0-9a-f]{64}$/;
const BOOK = /^[0-9a-f]{32}$/;
const B64_32 = /^[A-Za-z0-9+/]{43}=$/;
const B64_64 = /^[A-Za-z0-9+/]{86}==$/;

function bad(message: string): FederationError {
  return new FederationError('BAD_MESSAGE', message);
}

type Obj = Record<string, unknown>;

function obj(x: unknown, keys: readonly string[], what: string): Obj {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw bad(`${what} is not an object`);
  const got = Object.keys(x).sort().join(',');
  if (got !== [...keys].sort().join(','))
    throw bad(`${what} has fields ${got}, not ${[...keys].sort().join(',')}`);
  return x as Obj;
}

function str(x: unknown, pattern: RegExp, what: string): string {
  if (typeof x !== 'string' || !pattern.test(x)) throw bad(`${what} is malformed`);
  return x;
}

function count(x: unknown, max: number, what: string): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0 || x > max)
    throw bad(`${what} is not an integer in 0..${max}`);
  return x;
}

function list(x: unknown, max: number, what: string): unknown[] {
  if (!Array.isArray(x) || x.length > max) throw bad(`${what} is not a list of at most ${max}`);
  return x;
}

function job(x: unknown): Job {
  const kind = (x as Obj | null)?.kind;
  if (kind === 'checkpoint') {
    const o = obj(x, ['kind', 'size', 'rootHash'], 'job');
    return {
      kind,
      size: count(o.size, Number.MAX_SAFE_INTEGER, 'size'),
      rootHash: str(o.rootHash, B64_32, 'rootHash'),
    };
  }
  if (kind === 'world') {
    const o = obj(x, ['kind', 'version', 'part'], 'job');
    const part = o.part;
    if (part !== 'note' && part !== 'planet' && part !== 'moon') throw bad('part is note, planet or moon');
    return { kind, version: count(o.version, Number.MAX_SAFE_INTEGER, 'version'), part };
  }
  throw bad('a job is a checkpoint or a world');
}

function point(x: unknown, what: string): string {
  return str(x, HEX32, what);
}

/** The two nonce commitments of one signer, whichever message carries them. */
function nonces(r: Obj): { hiding: string; binding: string } {
  return { hiding: point(r.hiding, 'hiding'), binding: point(r.binding, 'binding') };
}

function memberName(x: unknown): string {
  return str(x, MEMBER_NAME_PATTERN, 'member');
}

type MessageType = FrostMessage['type'];
/** What a message of one type carries besides the fields every message has. */
type Body<T extends MessageType> = Omit<Extract<FrostMessage, { type: T }>, 'type' | 'member' | 'key'>;

/**
 * Each type's own fields and their decoder; `type`, `member` and `key` are common to all and
 * decoded once, in `message`.
 */
const BODIES: { readonly [T in MessageType]: { fields: readonly string[]; decode: (o: Obj) => Body<T> } } = {
  commitments: {
    fields: ['book', 'seq', 'commitments'],
    decode: (o) => ({
      book: str(o.book, BOOK, 'book'),
      seq: count(o.seq, Number.MAX_SAFE_INTEGER, 'seq'),
      commitments: list(o.commitments, ANNOUNCED_NONCES_MAX, 'commitments').map((c) =>
        nonces(obj(c, ['hiding', 'binding'], 'commitment')),
      ),
    }),
  },
  request: {
    fields: ['job', 'message', 'commitments'],
    decode: (o) => {
      const bytes = str(o.message, /^[A-Za-z0-9+/]*={0,2}$/, 'message');
      if (bytes.length > (JOB_MESSAGE_BYTES_MAX * 4) / 3 + 4) throw bad('the message is too long');
      return {
        job: job(o.job),
        message: bytes,
        commitments: list(o.commitments, MEMBERS_MAX, 'commitments').map((c) => {
          const r = obj(c, ['participant', 'hiding', 'binding'], 'commitment');
          return { participant: memberName(r.participant), ...nonces(r) };
        }),
      };
    },
  },
  share: {
    fields: ['request', 'share'],
    decode: (o) => ({ request: str(o.request, HEX32, 'request'), share: point(o.share, 'share') }),
  },
  signature: {
    fields: ['job', 'signature'],
    decode: (o) => ({ job: job(o.job), signature: str(o.signature, B64_64, 'signature') }),
  },
};

function message(x: unknown): FrostMessage {
  const type = (x as Obj | null)?.type;
  // Own properties only: a type named like an inherited property ("constructor") is unknown too.
  if (typeof type !== 'string' || !Object.hasOwn(BODIES, type)) throw bad('unknown message type');
  const body = BODIES[type as MessageType];
  const o = obj(x, ['type', 'member', 'key', ...body.fields], type);
  const head = { type, member: memberName(o.member), key: str(o.key, B64_32, 'key') };
  return { ...head, ...body.decode(o) } as FrostMessage;
}

function signedBytes(federation: string, m: FrostMessage): Uint8Array {
  return signingBytes(`${FROST_DOMAIN_PREFIX}${m.type}`, { federation, message: m } as unknown as Json);
}

/** A message, signed by this root's node key, as it goes on the wire. */
export function encodeFrostMessage(
  federation: string,
  m: FrostMessage,
  nodeSecretKey: Uint8Array,
): Uint8Array {
  const signature = toBase64(sign(nodeSecretKey, signedBytes(federation, m)));
  return canonicalBytes({ federation, message: m, signature } as unknown as Json);
}

/**
 * Decodes and authenticates a message: strict shape, this federation, and the node key of the
 * member it names (`nodeKeyOf`). Throws FederationError BAD_MESSAGE or BAD_ENVELOPE.
 */
export function decodeFrostMessage(
  bytes: Uint8Array,
  federation: string,
  nodeKeyOf: (member: string) => Uint8Array | undefined,
): FrostMessage {
  if (bytes.length > FROST_MESSAGE_BYTES_MAX) throw bad(`message exceeds ${FROST_MESSAGE_BYTES_MAX} bytes`);
  let x: unknown;
  try {
    x = decodeCanonical(bytes, { bytesMax: FROST_MESSAGE_BYTES_MAX, depthMax: DEPTH_MAX });
  } catch (e) {
    throw bad(`not canonical JSON: ${(e as Error).message}`);
  }
  const o = obj(x, ['federation', 'message', 'signature'], 'envelope');
  if (o.federation !== federation) throw bad(`for federation ${String(o.federation)}`);
  const m = message(o.message);
  const key = nodeKeyOf(m.member);
  const signature = str(o.signature, B64_64, 'signature');
  if (
    key === undefined ||
    key.length !== PUBLIC_KEY_BYTES ||
    !verifySignature(key, signedBytes(federation, m), fromBase64(signature, SIGNATURE_BYTES))
  ) {
    throw new FederationError(
      'BAD_ENVELOPE',
      `a ${m.type} that is not signed by the node key of member ${m.member}`,
    );
  }
  return m;
}

/** The id of a request: SHA-256 of its message's canonical bytes (hex). */
export function requestId(m: Extract<FrostMessage, { type: 'request' }>): string {
  return toHex(sha256(canonicalBytes(m as unknown as Json)));
}

/** A stable id for a job under one key. */
export function jobId(j: Job, key: string): string {
  return toHex(sha256(canonicalBytes({ job: j, key } as unknown as Json)));
}
