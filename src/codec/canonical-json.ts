// Canonical JSON: RFC 8785 (JSON Canonicalization Scheme) restricted to the values Witan
// signs — null, booleans, safe integers, strings, arrays and plain objects. Floats are
// refused because their RFC 8785 serialisation (ECMAScript Number.toString) is the part
// other languages most often get wrong, and nothing we sign needs them.
//
// Decoding is strict: the bytes must be exactly what canonicalBytes would produce, so a
// signature or hash covers one and only one byte string per value.

import { DEFAULT_DEPTH_MAX, DEFAULT_DOCUMENT_BYTES_MAX } from './constants.ts';
import { CodecError } from './errors.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type DecodeLimits = { bytesMax?: number; depthMax?: number };

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** RFC 8785 §3.2.3: object members sorted by the UTF-16 code units of their names. */
function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function serialize(value: unknown, depth: number, depthMax: number, out: string[]): void {
  if (depth > depthMax) throw new CodecError('TOO_DEEP', `value nests deeper than ${depthMax} levels`);
  if (value === null) {
    out.push('null');
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new CodecError('UNSUPPORTED_VALUE', `only safe integers are allowed, got ${value}`);
    }
    // -0 serialises as 0 in RFC 8785; Object.is keeps the rule explicit.
    out.push(Object.is(value, -0) ? '0' : String(value));
  } else if (typeof value === 'string') {
    // JSON.stringify escapes exactly as RFC 8785 §3.2.2.2 requires (ES2019 well-formed).
    out.push(JSON.stringify(value));
  } else if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      serialize(value[i], depth + 1, depthMax, out);
    }
    out.push(']');
  } else if (typeof value === 'object' && isPlainObject(value)) {
    const keys = Object.keys(value).sort(compareUtf16);
    out.push('{');
    let first = true;
    for (const key of keys) {
      const member = (value as Record<string, unknown>)[key];
      if (member === undefined) continue; // undefined members are absent, as in JSON.stringify
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(key), ':');
      serialize(member, depth + 1, depthMax, out);
    }
    out.push('}');
  } else {
    throw new CodecError('UNSUPPORTED_VALUE', `cannot encode a value of type ${typeof value}`);
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The canonical text of a value. Throws CodecError for floats, undefined, classes, cycles. */
export function canonicalize(value: Json, depthMax: number = DEFAULT_DEPTH_MAX): string {
  const out: string[] = [];
  serialize(value, 0, depthMax, out);
  return out.join('');
}

/** The canonical UTF-8 bytes of a value: what Witan signs, hashes and stores. */
export function canonicalBytes(value: Json, depthMax: number = DEFAULT_DEPTH_MAX): Uint8Array {
  return utf8Encoder.encode(canonicalize(value, depthMax));
}

/**
 * Nesting depth of JSON text, counted outside strings, so that hostile input is refused
 * before JSON.parse recurses into it.
 */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return deepest;
}

/**
 * Whether `serialize` would accept `value` and write its object members in their own order:
 * nesting within depthMax (counted as serialize counts), only safe integers, and the keys of
 * every object strictly increasing by UTF-16 code units. For values from JSON.parse only.
 */
function isCanonicalShaped(value: Json, depth: number, depthMax: number): boolean {
  if (depth > depthMax) return false;
  if (typeof value === 'number') return Number.isSafeInteger(value);
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!isCanonicalShaped(item, depth + 1, depthMax)) return false;
    return true;
  }
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    if (!isCanonicalShaped(value[key]!, depth + 1, depthMax)) return false;
  }
  return true;
}

/**
 * Decode canonical bytes. Rejects invalid UTF-8, invalid JSON, values we cannot encode,
 * and any byte string that is not exactly the canonical encoding of what it parses to
 * (whitespace, key order, duplicate keys, escapes, number forms).
 */
export function decodeCanonical(bytes: Uint8Array, limits: DecodeLimits = {}): Json {
  const bytesMax = limits.bytesMax ?? DEFAULT_DOCUMENT_BYTES_MAX;
  const depthMax = limits.depthMax ?? DEFAULT_DEPTH_MAX;
  if (!(bytes instanceof Uint8Array)) throw new CodecError('UNSUPPORTED_VALUE', 'expected bytes');
  if (bytes.length > bytesMax) {
    throw new CodecError('TOO_LARGE', `document is ${bytes.length} bytes; the limit is ${bytesMax}`);
  }
  let text: string;
  try {
    text = utf8Decoder.decode(bytes);
  } catch {
    throw new CodecError('INVALID_UTF8', 'document is not valid UTF-8');
  }
  // Depth counts brackets; the serializer counts values, which sit one level deeper.
  if (nestingDepth(text) > depthMax + 1) {
    throw new CodecError('TOO_DEEP', `document nests deeper than ${depthMax} levels`);
  }
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (err) {
    throw new CodecError('INVALID_JSON', `document is not JSON: ${(err as Error).message}`);
  }
  // Fast path: when every object's keys are already in canonical order and every number is a
  // safe integer, canonicalize(value) is exactly JSON.stringify(value) (same string escaping),
  // which is native. Anything else takes the full path below, which names the problem.
  if (isCanonicalShaped(value, 0, depthMax) && JSON.stringify(value) === text) return value;
  let again: string;
  try {
    again = canonicalize(value, depthMax);
  } catch (err) {
    if (err instanceof CodecError) throw err;
    throw new CodecError('UNSUPPORTED_VALUE', 'document holds a value that cannot be encoded');
  }
  if (again !== text) {
    throw new CodecError(
      'NON_CANONICAL',
      'document is valid JSON but not in canonical form (RFC 8785: sorted keys, no whitespace, no duplicates, minimal escapes and numbers)',
    );
  }
  return value;
}
