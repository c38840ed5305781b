// Fuzz inputs from one seed: random bytes, mutations of valid inputs (bit flips, interesting
// bytes, insertions, deletions, duplicated and spliced ranges, truncation) and structure-aware
// JSON (a valid document with one node replaced by a value of another type or shape: deep
// nesting, huge and fractional numbers, lone surrogates, control characters, long strings).
// The generator is a small seeded PRNG (SplitMix32): the same seed gives the same inputs, so a
// crash is reproduced by its seed and index. Not for anything secret.

const utf8 = new TextEncoder();

export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer (SplitMix32). */
  next(): number {
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }

  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

/** Bytes that decoders treat specially: delimiters, escapes, sign bits, varint continuations. */
const INTERESTING_BYTES = [
  0x00, 0x01, 0x0a, 0x20, 0x22, 0x2c, 0x2d, 0x30, 0x3a, 0x5b, 0x5c, 0x5d, 0x7b, 0x7d, 0x7f, 0x80, 0xc0, 0xef,
  0xff,
];

/** Random bytes of a length that favours short inputs but reaches `lengthMax`. */
export function randomBytes(rng: Rng, lengthMax: number): Uint8Array {
  const n = rng.chance(0.8) ? rng.int(Math.min(lengthMax, 256) + 1) : rng.int(lengthMax + 1);
  return rng.bytes(n);
}

/** One to four mutations of `input`; `others` are spliced in from time to time. */
export function mutateBytes(rng: Rng, input: Uint8Array, others: readonly Uint8Array[] = []): Uint8Array {
  let b = input;
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(b.length + 1);
    switch (rng.int(9)) {
      case 0: // flip a bit
        if (b.length > 0) {
          b = b.slice();
          const i = rng.int(b.length);
          b[i] = b[i]! ^ (1 << rng.int(8));
        }
        break;
      case 1: // an interesting byte
        if (b.length > 0) {
          b = b.slice();
          b[rng.int(b.length)] = rng.pick(INTERESTING_BYTES);
        }
        break;
      case 2: // insert random bytes
        b = concat(b.subarray(0, at), rng.bytes(1 + rng.int(16)), b.subarray(at));
        break;
      case 3: {
        // delete a range
        const end = Math.min(b.length, at + 1 + rng.int(32));
        b = concat(b.subarray(0, at), b.subarray(end));
        break;
      }
      case 4: {
        // duplicate a range, sometimes many times
        const end = Math.min(b.length, at + 1 + rng.int(64));
        const copies = rng.chance(0.1) ? 1 + rng.int(200) : 1;
        const range = b.subarray(at, end);
        b = concat(b.subarray(0, end), ...Array.from({ length: copies }, () => range), b.subarray(end));
        break;
      }
      case 5: // truncate
        b = b.subarray(0, at);
        break;
      case 6: {
        // splice the tail of another input
        const other = others.length > 0 ? rng.pick(others) : b;
        b = concat(b.subarray(0, at), other.subarray(rng.int(other.length + 1)));
        break;
      }
      case 7: // a varint-looking run
        b = concat(b.subarray(0, at), new Uint8Array(1 + rng.int(12)).fill(0xff), b.subarray(at));
        break;
      default: // an ASCII digit run (lengths, sizes, indexes)
        b = concat(b.subarray(0, at), utf8.encode(String(rng.pick(INTERESTING_NUMBERS))), b.subarray(at));
    }
  }
  return b;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const INTERESTING_NUMBERS = [
  0,
  -1,
  1,
  255,
  256,
  65_535,
  65_536,
  2 ** 31 - 1,
  2 ** 32,
  2 ** 48,
  2 ** 53 - 1,
  2 ** 53,
  1e21,
  -0,
  0.5,
  1e-7,
  Number.MAX_VALUE,
];
const INTERESTING_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\n',
  '\ud800',
  '\udfff',
  '\u2028',
  'é',
  'e\u0301',
  '\u200b',
  '../..',
  '%2e%2e',
  '__proto__',
  'constructor',
  'x'.repeat(70_000),
  'AAAA'.repeat(30),
  'f'.repeat(64),
];

/** A random JSON value (as JavaScript), at most `depth` levels deep and sometimes very deep. */
export function randomJson(rng: Rng, depth = 3): unknown {
  switch (rng.int(depth > 0 ? 8 : 5)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick(INTERESTING_NUMBERS) * (rng.chance(0.5) ? 1 : rng.int(1000));
    case 3:
      return rng.pick(INTERESTING_STRINGS);
    case 4:
      return String.fromCharCode(...Array.from({ length: rng.int(40) }, () => rng.int(0x3000)));
    case 5:
      return Array.from({ length: rng.int(5) }, () => randomJson(rng, depth - 1));
    case 6: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--) o[rng.pick(FIELD_NAMES)] = randomJson(rng, depth - 1);
      return o;
    }
    default: {
      // deep nesting
      let v: unknown = 1;
      for (let i = rng.int(2000); i > 0; i--) v = rng.chance(0.5) ? [v] : { a: v };
      return v;
    }
  }
}

const FIELD_NAMES = [
  'kind',
  'statement',
  'signature',
  'author',
  'federation',
  'createdMs',
  'height',
  'round',
  'value',
  'type',
  'ns',
  'a',
  '__proto__',
];

/**
 * A copy of `value` with one node (chosen at random, at any depth) replaced, removed or
 * duplicated, or a member added: the shape stays nearly valid, so decoders get past their first
 * checks and meet the odd field deep inside.
 */
export function mutateJson(rng: Rng, value: unknown): unknown {
  const copy = structuredClone(value) as unknown;
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        nodes.push({ parent: v, key: i });
        walk(x);
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        nodes.push({ parent: v as Record<string, unknown>, key: k });
        walk(x);
      }
    }
  };
  walk(copy);
  if (nodes.length === 0) return randomJson(rng);
  const { parent, key } = rng.pick(nodes);
  const p = parent as Record<string | number, unknown>;
  switch (rng.int(5)) {
    case 0:
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete p[key];
      break;
    case 1:
      if (Array.isArray(parent))
        parent.push(...Array.from({ length: 1 + rng.int(300) }, () => parent[key as number]));
      else p[`${key}2`] = p[key];
      break;
    case 2:
      p[key] = JSON.parse(JSON.stringify(randomJson(rng, 2)) ?? 'null');
      break;
    case 3:
      (p as Record<string, unknown>)[rng.pick(FIELD_NAMES)] = randomJson(rng, 1);
      break;
    default: {
      const v = p[key];
      p[key] =
        typeof v === 'number'
          ? v + rng.pick([1, -1, 0.5, 2 ** 53])
          : typeof v === 'string'
            ? `${v}${rng.pick(INTERESTING_STRINGS)}`
            : randomJson(rng, 1);
    }
  }
  return copy;
}

/** JSON text of a value, or random bytes when it has none (a lone undefined). */
export function jsonBytes(rng: Rng, value: unknown): Uint8Array {
  const text = JSON.stringify(value);
  return text === undefined ? rng.bytes(rng.int(8)) : utf8.encode(text);
}
