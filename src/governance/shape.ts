// Small strict readers for untrusted JSON: exact key sets, bounded strings and arrays, safe
// integers. Each throws ShapeError with the path of the offending field, which the callers
// turn into a MALFORMED_STATEMENT rejection or a BAD_WORLD / BAD_ENTRY error.

import { CodedError } from '../base/index.ts';
import { fromBase64 } from '../codec/index.ts';
import {
  isValidPublicKey,
  ML_DSA_44_PUBLIC_KEY_BYTES,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
} from '../crypto/index.ts';

export class ShapeError extends CodedError<'BAD_SHAPE'> {
  constructor(message: string) {
    super('BAD_SHAPE', message);
  }
}

export type Obj = Record<string, unknown>;

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** An object with exactly the required keys and some of the optional ones. */
export function record(
  x: unknown,
  path: string,
  required: readonly string[],
  optional: readonly string[] = [],
): Obj {
  if (typeof x !== 'object' || x === null || Array.isArray(x))
    throw new ShapeError(`${path} must be an object`);
  const proto = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) throw new ShapeError(`${path} must be a plain object`);
  const o = x as Obj;
  for (const k of required)
    if (!(k in o) || o[k] === undefined) throw new ShapeError(`${path}.${k} is missing`);
  for (const k of Object.keys(o)) {
    if (!required.includes(k) && !optional.includes(k))
      throw new ShapeError(`${path} has an unknown field "${k}"`);
  }
  return o;
}

export function text(x: unknown, path: string, charsMax: number, pattern?: RegExp): string {
  if (typeof x !== 'string') throw new ShapeError(`${path} must be a string`);
  if (x.length === 0 || x.length > charsMax)
    throw new ShapeError(`${path} must have 1 to ${charsMax} characters`);
  if (CONTROL.test(x) || !x.isWellFormed()) throw new ShapeError(`${path} contains a control character`);
  if (pattern !== undefined && !pattern.test(x)) throw new ShapeError(`${path} does not match ${pattern}`);
  return x;
}

/** Text people read: also NFC and without leading or trailing spaces, so one name has one spelling. */
export function prose(x: unknown, path: string, charsMax: number): string {
  const s = text(x, path, charsMax);
  if (s.normalize('NFC') !== s || s.trim() !== s)
    throw new ShapeError(`${path} must be NFC without outer spaces`);
  return s;
}

export function int(x: unknown, path: string, min: number, max: number): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min || x > max) {
    throw new ShapeError(`${path} must be an integer in ${min}..${max}`);
  }
  return x;
}

export function list(x: unknown, path: string, min: number, max: number): unknown[] {
  if (!Array.isArray(x)) throw new ShapeError(`${path} must be an array`);
  if (x.length < min || x.length > max) throw new ShapeError(`${path} must hold ${min} to ${max} items`);
  return x;
}

export function oneOf<T extends string>(x: unknown, path: string, values: readonly T[]): T {
  if (typeof x !== 'string' || !(values as readonly string[]).includes(x)) {
    throw new ShapeError(`${path} must be one of ${values.join(', ')}`);
  }
  return x as T;
}

/** Base64 of a 32-byte Ed25519 public key that passes the strict key rule (canonical, not small order). */
export function publicKey(x: unknown, path: string): string {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(x as string, PUBLIC_KEY_BYTES);
  } catch {
    throw new ShapeError(`${path} must be base64 of a 32-byte key`);
  }
  if (!isValidPublicKey(bytes)) throw new ShapeError(`${path} is not a valid Ed25519 public key`);
  return x as string;
}

/** Base64 of a 1,312-byte ML-DSA-44 public key (FIPS 204). */
export function mlDsaKey(x: unknown, path: string): string {
  try {
    fromBase64(x as string, ML_DSA_44_PUBLIC_KEY_BYTES);
  } catch {
    throw new ShapeError(`${path} must be base64 of a ${ML_DSA_44_PUBLIC_KEY_BYTES}-byte ML-DSA-44 key`);
  }
  return x as string;
}

export function signature(x: unknown, path: string): string {
  try {
    fromBase64(x as string, SIGNATURE_BYTES);
  } catch {
    throw new ShapeError(`${path} must be base64 of a 64-byte signature`);
  }
  return x as string;
}

export function hexHash(x: unknown, path: string): string {
  if (typeof x !== 'string' || !/^[0-9a-f]{64}$/.test(x))
    throw new ShapeError(`${path} must be 64 lowercase hex digits`);
  return x;
}

export function unique(values: readonly string[], path: string): void {
  if (new Set(values).size !== values.length) throw new ShapeError(`${path} has duplicates`);
}
