// Parsing a long JSON array without holding the event loop: one JSON.parse of tens of MiB blocks
// a process for hundreds of ms, and seconds for a body of tiny nested arrays built to hurt (the
// garbage collector chases millions of objects). Here the array is cut into items by a scan
// that only tracks strings and nesting (RFC 8259 §2: every structural character is ASCII, and a
// UTF-8 multi-byte sequence never contains an ASCII byte, so the scan works on the raw bytes).
// Each item must fit in `itemBytesMax` and have at most `itemStructureBytesMax` bytes outside
// its strings (tiny nested arrays, long numbers or runs of whitespace cost tens of times more to
// parse than long strings), is parsed alone and handed to `map` at once, and the loop gets a
// turn every JSON_ITEMS_YIELD_BYTES, so no step costs more than about one item.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { JSON_ITEMS_YIELD_BYTES } from './constants.ts';
import { NetError } from './errors.ts';

export type JsonItemsOptions<T> = {
  /** The body is `{"<field>": [items]}` with that one member; absent, a bare `[items]`. */
  field?: string;
  /** More items than this is TOO_LARGE: the caller asked for at most this many. */
  itemsMax: number;
  /** One item larger than this is TOO_LARGE: the caller knows how large a valid item can be. */
  itemBytesMax: number;
  /**
   * One item with more bytes outside its strings than this (brackets, separators, numbers,
   * literals, whitespace) is TOO_LARGE: JSON.parse costs far more per such byte than per string
   * byte, so the shape of a valid item bounds them too.
   */
  itemStructureBytesMax: number;
  /** Checks and converts one parsed item; undefined drops it (one bad item does not spoil the rest). */
  map: (item: unknown) => T | undefined;
  /** Named in error messages. */
  url: string;
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** A member name is a string: anything else there is malformed, and short enough to say so. */
const KEY_STRUCTURE_BYTES_MAX = 16;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

class Scanner {
  readonly #bytes: Buffer;
  readonly #url: string;
  pos = 0;

  constructor(bytes: Uint8Array, url: string) {
    this.#bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#url = url;
  }

  malformed(what: string): NetError {
    return new NetError(
      'MALFORMED_JSON',
      `${this.#url} answered malformed JSON: ${what} at byte ${this.pos}`,
      {
        url: this.#url,
      },
    );
  }

  peek(): number | undefined {
    while (isSpace(this.#bytes[this.pos])) this.pos++;
    return this.#bytes[this.pos];
  }

  expect(byte: number, what: string): void {
    if (this.peek() !== byte) throw this.malformed(`expected ${what}`);
    this.pos++;
  }

  atEnd(): boolean {
    return this.peek() === undefined;
  }

  /** Index of the quote closing the string whose opening quote is at `open`. */
  #stringEnd(open: number): number {
    for (let from = open + 1; ; ) {
      const quote = this.#bytes.indexOf(QUOTE, from);
      if (quote < 0) throw this.malformed('unterminated string');
      let backslashes = 0;
      while (this.#bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) return quote;
      from = quote + 1;
    }
  }

  #tooLarge(what: string): NetError {
    return new NetError('TOO_LARGE', `${this.#url} answered an item ${what}`, { url: this.#url });
  }

  /** Bytes of the value starting at `pos` (moved past it); JSON.parse checks them afterwards. */
  value(bytesMax: number, structureBytesMax: number): Uint8Array {
    this.peek();
    const bytes = this.#bytes;
    const start = this.pos;
    let depth = 0;
    let structure = 0;
    let i = start;
    for (; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte === QUOTE) {
        i = this.#stringEnd(i);
        if (i - start > bytesMax) break;
        if (depth === 0) {
          i++;
          break;
        }
        continue;
      }
      if (++structure > structureBytesMax)
        throw this.#tooLarge(`with more than the ${structureBytesMax} bytes outside strings one can have`);
      if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) depth++;
      else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
        if (depth === 0) break;
        if (--depth === 0) {
          i++;
          break;
        }
      } else if (depth === 0 && (byte === COMMA || isSpace(byte))) break;
    }
    if (i - start > bytesMax) throw this.#tooLarge(`larger than the ${bytesMax} bytes one can be`);
    if (i === start) throw this.malformed('expected a value');
    this.pos = i;
    return this.#bytes.subarray(start, i);
  }
}

function parseItem(bytes: Uint8Array, scanner: Scanner): unknown {
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    throw scanner.malformed('an item is not JSON');
  }
}

/** The mapped items of the array in `bytes`; throws MALFORMED_JSON or TOO_LARGE (NetError). */
export async function parseJsonItems<T>(bytes: Uint8Array, options: JsonItemsOptions<T>): Promise<T[]> {
  const scanner = new Scanner(bytes, options.url);
  if (options.field !== undefined) {
    scanner.expect(OPEN_OBJECT, '{');
    const key = parseItem(scanner.value(options.field.length * 6 + 2, KEY_STRUCTURE_BYTES_MAX), scanner);
    if (key !== options.field) throw scanner.malformed(`expected the member "${options.field}"`);
    scanner.expect(COLON, ':');
  }
  scanner.expect(OPEN_ARRAY, '[');
  const out: T[] = [];
  let count = 0;
  let sinceTurn = 0;
  if (scanner.peek() === CLOSE_ARRAY) scanner.pos++;
  else {
    for (;;) {
      if (++count > options.itemsMax) {
        throw new NetError(
          'TOO_LARGE',
          `${options.url} answered more than the ${options.itemsMax} items asked for`,
          {
            url: options.url,
          },
        );
      }
      const item = scanner.value(options.itemBytesMax, options.itemStructureBytesMax);
      const mapped = options.map(parseItem(item, scanner));
      if (mapped !== undefined) out.push(mapped);
      sinceTurn += item.length;
      if (sinceTurn >= JSON_ITEMS_YIELD_BYTES) {
        sinceTurn = 0;
        await nextTurn();
      }
      const next = scanner.peek();
      scanner.pos++;
      if (next === CLOSE_ARRAY) break;
      if (next !== COMMA) throw scanner.malformed('expected , or ]');
    }
  }
  if (options.field !== undefined) scanner.expect(CLOSE_OBJECT, '}');
  if (!scanner.atEnd()) throw scanner.malformed('trailing bytes after the document');
  return out;
}
