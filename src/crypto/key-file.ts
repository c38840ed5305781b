// Key files: one Ed25519 key (a member's node key or governance key) in a small JSON file.
//
// Plain:
//   { "format": "witan-key/v1", "kind": "node" | "governance",
//     "publicKey": base64(32 bytes), "seed": base64(32-byte RFC 8032 seed) }
// Passphrase-protected ("seed" replaced by two objects):
//   "scrypt":    { "n": 131072, "r": 8, "p": 1, "salt": base64(16 bytes) }
//   "aes256gcm": { "nonce": base64(12 bytes), "ciphertext": base64(32 bytes), "tag": base64(16 bytes) }
// The AES-256-GCM key is scrypt(utf8(passphrase), salt, N, r, p, 32 bytes) (RFC 7914); the
// plaintext is the seed; the additional data is the canonical JSON (RFC 8785) of
// { format, kind, publicKey, scrypt }, so no header field can be swapped without detection.
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
import { type KeyPair, keyPairFromSeed } from './ed25519.ts';
import { CryptoError, KeyFileError } from './errors.ts';

export const KEY_FILE_FORMAT = 'witan-key/v1';
export type KeyKind = 'node' | 'governance';
export const KEY_FILE_MODE = 0o600;

type ScryptParams = { n: number; r: number; p: number; salt: string };
type Sealed = { nonce: string; ciphertext: string; tag: string };
type KeyFileJson = {
  format: string;
  kind: KeyKind;
  publicKey: string;
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
  return canonicalBytes({ format: file.format, kind: file.kind, publicKey: file.publicKey, scrypt });
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
  options: { passphrase?: string; kind: KeyKind },
): void {
  if (options.kind !== 'node' && options.kind !== 'governance')
    throw new TypeError('kind is node or governance');
  if (!bytesEqual(keyPairFromSeed(keyPair.secretKey).publicKey, keyPair.publicKey)) {
    throw new CryptoError('BAD_KEY', 'public key does not belong to the secret key');
  }
  if (
    options.passphrase !== undefined &&
    (typeof options.passphrase !== 'string' || options.passphrase === '')
  ) {
    throw new TypeError('a passphrase is a non-empty string');
  }
  const plain: KeyFileJson = {
    format: KEY_FILE_FORMAT,
    kind: options.kind,
    publicKey: toBase64(keyPair.publicKey),
  };
  const file =
    options.passphrase === undefined
      ? { ...plain, seed: toBase64(keyPair.secretKey) }
      : seal(plain, keyPair.secretKey, options.passphrase);
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
  if (json.kind !== 'node' && json.kind !== 'governance') throw bad('kind is not node or governance');
  const plain = hasExactly(json, ['format', 'kind', 'publicKey', 'seed']);
  const sealed = hasExactly(json, ['format', 'kind', 'publicKey', 'scrypt', 'aes256gcm']);
  if (!plain && !sealed) throw bad('unexpected fields');
  if (typeof json.publicKey !== 'string') throw bad('publicKey');
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

/** Reads a key file written by writeKeyFile. Refuses group/other-accessible files. */
export function readKeyFile(
  path: string,
  options: { passphrase?: string } = {},
): KeyPair & { kind: KeyKind } {
  const file = parseFile(path, readBounded(path));
  const publicKey = decode(path, file.publicKey, PUBLIC_KEY_BYTES, 'publicKey');
  const seed =
    file.seed !== undefined
      ? decode(path, file.seed, SECRET_KEY_BYTES, 'seed')
      : unseal(path, file, options.passphrase);
  const pair = keyPairFromSeed(seed);
  if (!timingSafeEqual(pair.publicKey, publicKey)) {
    throw new KeyFileError('MALFORMED', path, `${path}: the public key does not match the seed`);
  }
  return { ...pair, kind: file.kind };
}
