// Key files: one secret of a member in a small JSON file — an Ed25519 key (its node key or
// governance key), its ML-DSA-44 key, or its share of a federation key.
//
// Plain:
//   { "format": "witan-key/v1", "kind": "node" | "governance" | "ml-dsa" | "federation-share",
//     "publicKey": base64, "seed": base64(32 secret bytes) [, "session": hex] }
// The 32 secret bytes and the public key they give, by kind:
//   node, governance   the RFC 8032 seed; the 32-byte Ed25519 public key
//   ml-dsa             the FIPS 204 ML-DSA.KeyGen seed ξ; the 1,312-byte ML-DSA-44 public key
//   federation-share   the FROST signing share (a scalar, little-endian); its verifying share
//                      (scalar · B), with "session": the DKG session (hex) that made it
// Passphrase-protected ("seed" replaced by two objects):
//   "scrypt":    { "n": 131072, "r": 8, "p": 1, "salt": base64(16 bytes) }
//   "aes256gcm": { "nonce": base64(12 bytes), "ciphertext": base64(32 bytes), "tag": base64(16 bytes) }
// The AES-256-GCM key is scrypt(utf8(passphrase), salt, N, r, p, 32 bytes) (RFC 7914); the
// plaintext is the seed; the additional data is the canonical JSON (RFC 8785) of
// { format, kind, publicKey, scrypt[, session] }, so no header field can be swapped without
// detection.
// Base64 is RFC 4648 §4 with padding, canonical. Every primitive comes from node:crypto.
//
// Files are created with mode 0600 in the target's folder, fsynced, then hard-linked into
// place: link(2) fails if the name exists, so an existing key is never replaced (rename(2)
// would silently replace it). Reading refuses files that group or others may access.

import { createCipheriv, createDecipheriv, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  linkSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { bytesEqual, canonicalBytes, fromBase64, toBase64 } from '../codec/index.ts';
import {
  AES_KEY_BYTES,
  GCM_NONCE_BYTES,
  GCM_TAG_BYTES,
  KEY_FILE_BYTES_MAX,
  PUBLIC_KEY_BYTES,
  SCRYPT_BLOCK_SIZE_R,
  SCRYPT_COST_N,
  SCRYPT_MEMORY_BYTES_MAX,
  SCRYPT_PARALLELISM_P,
  SCRYPT_SALT_BYTES,
  SCRYPT_WORK_MAX,
  SECRET_KEY_BYTES,
} from './constants.ts';
import { type KeyPair, keyPairFromSeed, scalarBasePoint } from './ed25519.ts';
import { CryptoError, KeyFileError } from './errors.ts';
import { ML_DSA_44_PUBLIC_KEY_BYTES, mlDsaKeyPairFromSeed } from './ml-dsa.ts';

export const KEY_FILE_FORMAT = 'witan-key/v1';
export type Ed25519KeyKind = 'node' | 'governance';
export type KeyKind = Ed25519KeyKind | 'ml-dsa' | 'federation-share';
export const KEY_KINDS: readonly KeyKind[] = ['node', 'governance', 'ml-dsa', 'federation-share'];
export const KEY_FILE_MODE = 0o600;
const SESSION_PATTERN = /^[0-9a-f]{64}$/;

/** The public key each kind's 32 secret bytes give, and its size. */
const KIND_PUBLIC_KEYS: Record<KeyKind, { bytes: number; of: (secret: Uint8Array) => Uint8Array }> = {
  node: { bytes: PUBLIC_KEY_BYTES, of: (seed) => keyPairFromSeed(seed).publicKey },
  governance: { bytes: PUBLIC_KEY_BYTES, of: (seed) => keyPairFromSeed(seed).publicKey },
  'ml-dsa': { bytes: ML_DSA_44_PUBLIC_KEY_BYTES, of: (seed) => mlDsaKeyPairFromSeed(seed).publicKey },
  'federation-share': { bytes: PUBLIC_KEY_BYTES, of: scalarBasePoint },
};

/** A secret of any kind with the public key it gives (and, for a share, its DKG session). */
export type SecretKeyFile = { kind: KeyKind; secret: Uint8Array; publicKey: Uint8Array; session?: string };

type ScryptParams = { n: number; r: number; p: number; salt: string };
type Sealed = { nonce: string; ciphertext: string; tag: string };
type KeyFileJson = {
  format: string;
  kind: KeyKind;
  publicKey: string;
  session?: string;
  seed?: string;
  scrypt?: ScryptParams;
  aes256gcm?: Sealed;
};

function deriveKey(passphrase: string, salt: Uint8Array, n: number, r: number, p: number): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, AES_KEY_BYTES, {
    N: n,
    r,
    p,
    maxmem: 128 * n * r + 1024 * 1024,
  });
}

function additionalData(file: KeyFileJson, scrypt: ScryptParams): Uint8Array {
  const { format, kind, publicKey, session } = file;
  return canonicalBytes(
    session === undefined
      ? { format, kind, publicKey, scrypt }
      : { format, kind, publicKey, scrypt, session },
  );
}

function seal(file: KeyFileJson, seed: Uint8Array, passphrase: string): KeyFileJson {
  const salt = randomBytes(SCRYPT_SALT_BYTES);
  const scrypt = { n: SCRYPT_COST_N, r: SCRYPT_BLOCK_SIZE_R, p: SCRYPT_PARALLELISM_P, salt: toBase64(salt) };
  const key = deriveKey(passphrase, salt, scrypt.n, scrypt.r, scrypt.p);
  const nonce = randomBytes(GCM_NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(additionalData(file, scrypt));
  const ciphertext = Buffer.concat([cipher.update(seed), cipher.final()]);
  const aes256gcm = {
    nonce: toBase64(nonce),
    ciphertext: toBase64(ciphertext),
    tag: toBase64(cipher.getAuthTag()),
  };
  key.fill(0);
  return { ...file, scrypt, aes256gcm };
}

/**
 * Writes a key file with mode 0600. Refuses (KeyFileError EXISTS) if `path` exists. With a
 * passphrase the seed is encrypted (scrypt + AES-256-GCM). Durable when it returns.
 */
export function writeKeyFile(
  path: string,
  keyPair: KeyPair,
  options: { passphrase?: string; kind: Ed25519KeyKind },
): void {
  if (options.kind !== 'node' && options.kind !== 'governance')
    throw new TypeError('kind is node or governance');
  writeSecretKeyFile(
    path,
    { kind: options.kind, secret: keyPair.secretKey, publicKey: keyPair.publicKey },
    options.passphrase === undefined ? {} : { passphrase: options.passphrase },
  );
}

/**
 * Writes a secret of any kind with mode 0600 (see the top of this file), refusing (EXISTS) to
 * replace a file; encrypted with a passphrase when one is given. Durable when it returns.
 */
export function writeSecretKeyFile(
  path: string,
  key: SecretKeyFile,
  options: { passphrase?: string } = {},
): void {
  const spec = KIND_PUBLIC_KEYS[key.kind];
  if (spec === undefined) throw new TypeError(`kind is one of ${KEY_KINDS.join(', ')}`);
  if (!(key.secret instanceof Uint8Array) || key.secret.length !== SECRET_KEY_BYTES) {
    throw new CryptoError('BAD_KEY', `a secret is ${SECRET_KEY_BYTES} bytes`);
  }
  if (!bytesEqual(spec.of(key.secret), key.publicKey)) {
    throw new CryptoError('BAD_KEY', 'public key does not belong to the secret key');
  }
  if ((key.kind === 'federation-share') !== (key.session !== undefined)) {
    throw new TypeError('a federation share, and only a share, names its DKG session');
  }
  if (key.session !== undefined && !SESSION_PATTERN.test(key.session))
    throw new TypeError('a session is 64 lowercase hex digits');
  if (
    options.passphrase !== undefined &&
    (typeof options.passphrase !== 'string' || options.passphrase === '')
  ) {
    throw new TypeError('a passphrase is a non-empty string');
  }
  const plain: KeyFileJson = {
    format: KEY_FILE_FORMAT,
    kind: key.kind,
    publicKey: toBase64(key.publicKey),
    ...(key.session === undefined ? {} : { session: key.session }),
  };
  const file =
    options.passphrase === undefined
      ? { ...plain, seed: toBase64(key.secret) }
      : seal(plain, key.secret, options.passphrase);
  writeNew(path, Buffer.from(`${JSON.stringify(file, null, 2)}\n`, 'utf8'));
}

function writeNew(path: string, bytes: Buffer): void {
  const folder = dirname(path);
  const temporary = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', KEY_FILE_MODE);
  try {
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temporary, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new KeyFileError('EXISTS', path, `${path} already exists; refusing to overwrite a key file`);
      }
      throw error;
    }
  } finally {
    unlinkSync(temporary);
  }
  syncFolder(folder);
}

function syncFolder(folder: string): void {
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readBounded(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new KeyFileError('MALFORMED', path, `${path} is not a regular file`);
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new KeyFileError(
        'INSECURE_PERMISSIONS',
        path,
        `key file ${path} has mode ${mode}: group or others may access it. Run \`chmod 600 ${path}\` and consider the key exposed if others could read it.`,
      );
    }
    if (stat.size > KEY_FILE_BYTES_MAX)
      throw new KeyFileError('MALFORMED', path, `${path} is too large for a key file`);
    const buffer = Buffer.alloc(stat.size);
    let offset = 0;
    while (offset < buffer.length) {
      const n = readSync(fd, buffer, offset, buffer.length - offset, offset);
      if (n === 0) break;
      offset += n;
    }
    return buffer.subarray(0, offset);
  } finally {
    closeSync(fd);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasExactly(v: Record<string, unknown>, keys: string[]): boolean {
  const own = Object.keys(v);
  return own.length === keys.length && keys.every((k) => own.includes(k));
}

function parseFile(path: string, bytes: Buffer): KeyFileJson {
  const bad = (why: string) => new KeyFileError('MALFORMED', path, `${path} is not a Witan key file: ${why}`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw bad('not JSON');
  }
  if (!isRecord(json) || json.format !== KEY_FILE_FORMAT) throw bad(`format is not ${KEY_FILE_FORMAT}`);
  if (!KEY_KINDS.includes(json.kind as KeyKind)) throw bad(`kind is not one of ${KEY_KINDS.join(', ')}`);
  const header =
    json.kind === 'federation-share'
      ? ['format', 'kind', 'publicKey', 'session']
      : ['format', 'kind', 'publicKey'];
  const plain = hasExactly(json, [...header, 'seed']);
  const sealed = hasExactly(json, [...header, 'scrypt', 'aes256gcm']);
  if (!plain && !sealed) throw bad('unexpected fields');
  if (typeof json.publicKey !== 'string') throw bad('publicKey');
  if (json.session !== undefined && (typeof json.session !== 'string' || !SESSION_PATTERN.test(json.session)))
    throw bad('session');
  if (sealed) {
    const s = json.scrypt;
    const a = json.aes256gcm;
    if (!isRecord(s) || !hasExactly(s, ['n', 'r', 'p', 'salt'])) throw bad('scrypt parameters');
    if (!isRecord(a) || !hasExactly(a, ['nonce', 'ciphertext', 'tag'])) throw bad('aes256gcm fields');
  } else if (typeof json.seed !== 'string') throw bad('seed');
  return json as KeyFileJson;
}

function decode(path: string, text: unknown, length: number, what: string): Uint8Array {
  try {
    return fromBase64(text as string, length);
  } catch {
    throw new KeyFileError('MALFORMED', path, `${path}: ${what} is not ${length} bytes of canonical base64`);
  }
}

function checkScrypt(path: string, s: ScryptParams): void {
  const ok =
    Number.isSafeInteger(s.n) &&
    s.n >= 2 &&
    (s.n & (s.n - 1)) === 0 &&
    Number.isSafeInteger(s.r) &&
    s.r >= 1 &&
    Number.isSafeInteger(s.p) &&
    s.p >= 1 &&
    128 * s.n * s.r <= SCRYPT_MEMORY_BYTES_MAX &&
    s.n * s.r * s.p <= SCRYPT_WORK_MAX;
  if (!ok) throw new KeyFileError('MALFORMED', path, `${path}: scrypt parameters out of bounds`);
}

function unseal(path: string, file: KeyFileJson, passphrase: string | undefined): Uint8Array {
  const s = file.scrypt!;
  const a = file.aes256gcm!;
  if (passphrase === undefined) {
    throw new KeyFileError('PASSPHRASE_REQUIRED', path, `${path} is encrypted: give its passphrase`);
  }
  checkScrypt(path, s);
  const salt = decode(path, s.salt, SCRYPT_SALT_BYTES, 'scrypt.salt');
  const nonce = decode(path, a.nonce, GCM_NONCE_BYTES, 'aes256gcm.nonce');
  const ciphertext = decode(path, a.ciphertext, SECRET_KEY_BYTES, 'aes256gcm.ciphertext');
  const tag = decode(path, a.tag, GCM_TAG_BYTES, 'aes256gcm.tag');
  const key = deriveKey(passphrase, salt, s.n, s.r, s.p);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
    decipher.setAAD(additionalData(file, s));
    decipher.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch {
    throw new KeyFileError(
      'WRONG_PASSPHRASE',
      path,
      `wrong passphrase for ${path} (or the file was altered): nothing was decrypted`,
    );
  } finally {
    key.fill(0);
  }
}

/** Reads a key file of any kind written by writeSecretKeyFile. Refuses group/other-accessible files. */
export function readSecretKeyFile(path: string, options: { passphrase?: string } = {}): SecretKeyFile {
  const file = parseFile(path, readBounded(path));
  const spec = KIND_PUBLIC_KEYS[file.kind];
  const publicKey = decode(path, file.publicKey, spec.bytes, 'publicKey');
  const secret =
    file.seed !== undefined
      ? decode(path, file.seed, SECRET_KEY_BYTES, 'seed')
      : unseal(path, file, options.passphrase);
  let derived: Uint8Array;
  try {
    derived = spec.of(secret);
  } catch {
    throw new KeyFileError('MALFORMED', path, `${path}: the secret is not a ${file.kind} secret`);
  }
  if (!timingSafeEqual(derived, publicKey)) {
    throw new KeyFileError('MALFORMED', path, `${path}: the public key does not match the seed`);
  }
  return {
    kind: file.kind,
    secret,
    publicKey,
    ...(file.session === undefined ? {} : { session: file.session }),
  };
}

/** Reads an Ed25519 key file (node or governance key). Refuses group/other-accessible files. */
export function readKeyFile(
  path: string,
  options: { passphrase?: string } = {},
): KeyPair & { kind: Ed25519KeyKind } {
  const file = readSecretKeyFile(path, options);
  if (file.kind !== 'node' && file.kind !== 'governance') {
    throw new KeyFileError(
      'MALFORMED',
      path,
      `${path} holds a ${file.kind} secret, not a node or governance key`,
    );
  }
  return { ...keyPairFromSeed(file.secret), kind: file.kind };
}
