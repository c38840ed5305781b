// The proto2 wire primitives the libp2p messages here are made of: varints, length-delimited
// fields, and skipping unknown fields (proto2 forward compatibility). Reading is strict and
// bounded: every length is checked against the bytes left, varints are at most 10 bytes,
// strings must be valid UTF-8. Each codec passes its own error factory so a violation throws
// the codec's WireError.

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;
/** A uint64 varint takes at most 10 bytes. */
const VARINT_BYTES_MAX = 10;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export type Malformed = (why: string) => Error;

export class ProtoReader {
  pos: number;
  readonly end: number;
  readonly buf: Uint8Array;
  private readonly malformed: Malformed;
  constructor(buf: Uint8Array, start: number, end: number, malformed: Malformed) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.malformed = malformed;
  }
  done(): boolean {
    return this.pos >= this.end;
  }
  /** A uint64 varint; values beyond 2^53 - 1 saturate, so callers reject them by range. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < VARINT_BYTES_MAX; i++) {
      if (this.pos >= this.end) throw this.malformed('varint runs past the end');
      const b = this.buf[this.pos++] as number;
      if (i === VARINT_BYTES_MAX - 1 && b > 1) throw this.malformed('varint exceeds 64 bits');
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return Math.min(result, Number.MAX_SAFE_INTEGER);
      scale *= 0x80;
    }
    throw this.malformed('varint longer than 10 bytes');
  }
  bytes(): Uint8Array {
    const len = this.varint();
    if (len > this.end - this.pos) throw this.malformed('length runs past the end');
    const out = this.buf.slice(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  sub(): ProtoReader {
    const len = this.varint();
    if (len > this.end - this.pos) throw this.malformed('length runs past the end');
    const r = new ProtoReader(this.buf, this.pos, this.pos + len, this.malformed);
    this.pos += len;
    return r;
  }
  string(): string {
    const bytes = this.bytes();
    try {
      return utf8.decode(bytes);
    } catch {
      throw this.malformed('string is not valid UTF-8');
    }
  }
  /** Field readers that first check the field's wire type against the schema. */
  varintField(wire: number, name: string): number {
    this.expectWire(wire, WIRE_VARINT, name);
    return this.varint();
  }
  bytesField(wire: number, name: string): Uint8Array {
    this.expectWire(wire, WIRE_LEN, name);
    return this.bytes();
  }
  stringField(wire: number, name: string): string {
    this.expectWire(wire, WIRE_LEN, name);
    return this.string();
  }
  subField(wire: number, name: string): ProtoReader {
    this.expectWire(wire, WIRE_LEN, name);
    return this.sub();
  }
  expectWire(wire: number, want: number, name: string): void {
    if (wire !== want) throw this.malformed(`${name} has wire type ${wire}, expected ${want}`);
  }
  skipField(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_LEN) this.bytes();
    else if (wire === WIRE_I64 || wire === WIRE_I32) {
      const n = wire === WIRE_I64 ? 8 : 4;
      if (n > this.end - this.pos) throw this.malformed('fixed field runs past the end');
      this.pos += n;
    } else throw this.malformed(`unsupported wire type ${wire}`);
  }
  /** Reads each field's tag and hands it to fn; fn returns false for fields it does not know. */
  fields(fn: (field: number, wire: number) => boolean): void {
    while (!this.done()) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (field === 0) throw this.malformed('field number 0');
      if (!fn(field, wire)) this.skipField(wire);
    }
  }
}

/** Writes fields in the order they are called; callers write them in field-number order. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  length = 0;
  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.length += b.length;
  }
  varint(field: number, value: number): void {
    this.rawVarint(field * 8 + WIRE_VARINT);
    this.rawVarint(value);
  }
  lenField(field: number, value: Uint8Array): void {
    this.rawVarint(field * 8 + WIRE_LEN);
    this.rawVarint(value.length);
    this.push(value);
  }
  string(field: number, value: string): void {
    this.lenField(field, utf8Encoder.encode(value));
  }
  rawVarint(value: number): void {
    this.push(encodeVarint(value));
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** An unsigned LEB128 varint of a safe integer. */
export function encodeVarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint ${value} out of range`);
  const out: number[] = [];
  let v = value;
  // Division instead of bit shifts: shifts truncate to 32 bits and values go up to 2^53.
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}
