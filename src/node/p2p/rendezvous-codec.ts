// The rendezvous wire format (libp2p/specs rendezvous/README.md, "Protobuf"), proto2:
//
//   message Message {
//     enum MessageType { REGISTER = 0; REGISTER_RESPONSE = 1; UNREGISTER = 2; DISCOVER = 3; DISCOVER_RESPONSE = 4; }
//     enum ResponseStatus { OK = 0; E_INVALID_NAMESPACE = 100; E_INVALID_SIGNED_PEER_RECORD = 101; E_INVALID_TTL = 102;
//       E_INVALID_COOKIE = 103; E_NOT_AUTHORIZED = 200; E_INTERNAL_ERROR = 300; E_UNAVAILABLE = 400; }
//     message Register { optional string ns = 1; optional bytes signedPeerRecord = 2; optional uint64 ttl = 3; }
//     message RegisterResponse { optional ResponseStatus status = 1; optional string statusText = 2; optional uint64 ttl = 3; }
//     message Unregister { optional string ns = 1; /* optional bytes id = 2; deprecated */ }
//     message Discover { optional string ns = 1; optional uint64 limit = 2; optional bytes cookie = 3; }
//     message DiscoverResponse { repeated Register registrations = 1; optional bytes cookie = 2;
//       optional ResponseStatus status = 3; optional string statusText = 4; }
//     optional MessageType type = 1; optional Register register = 2; optional RegisterResponse registerResponse = 3;
//     optional Unregister unregister = 4; optional Discover discover = 5; optional DiscoverResponse discoverResponse = 6;
//   }
//
// Hand-written (protons-runtime is not a direct dependency) with strict bounds: every length is
// checked against the bytes left, varints are at most 10 bytes, strings must be valid UTF-8,
// nesting is fixed by the schema, and unknown fields are skipped (proto2 forward compatibility)
// within the same bounds. Any violation throws P2PError('RENDEZVOUS_MALFORMED').

import { P2PError } from './errors.ts';

export const MessageType = {
  REGISTER: 0,
  REGISTER_RESPONSE: 1,
  UNREGISTER: 2,
  DISCOVER: 3,
  DISCOVER_RESPONSE: 4,
} as const;
export type MessageTypeValue = (typeof MessageType)[keyof typeof MessageType];

export const ResponseStatus = {
  OK: 0,
  E_INVALID_NAMESPACE: 100,
  E_INVALID_SIGNED_PEER_RECORD: 101,
  E_INVALID_TTL: 102,
  E_INVALID_COOKIE: 103,
  E_NOT_AUTHORIZED: 200,
  E_INTERNAL_ERROR: 300,
  E_UNAVAILABLE: 400,
} as const;
export type ResponseStatusValue = (typeof ResponseStatus)[keyof typeof ResponseStatus];

export type Register = { ns?: string; signedPeerRecord?: Uint8Array; ttl?: number };
export type RegisterResponse = { status?: number; statusText?: string; ttl?: number };
export type Unregister = { ns?: string };
export type Discover = { ns?: string; limit?: number; cookie?: Uint8Array };
export type DiscoverResponse = {
  registrations: Register[];
  cookie?: Uint8Array;
  status?: number;
  statusText?: string;
};
export type RendezvousMessage = {
  type?: number;
  register?: Register;
  registerResponse?: RegisterResponse;
  unregister?: Unregister;
  discover?: Discover;
  discoverResponse?: DiscoverResponse;
};

export type DecodeOptions = { bytesMax: number; registrationsMax: number };

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

function malformed(why: string): P2PError {
  return new P2PError('RENDEZVOUS_MALFORMED', `rendezvous message is malformed: ${why}`);
}

// ---------------------------------------------------------------- reading

class Reader {
  pos: number;
  readonly end: number;
  readonly buf: Uint8Array;
  constructor(buf: Uint8Array, start: number, end: number) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }
  done(): boolean {
    return this.pos >= this.end;
  }
  /** A uint64 varint; values beyond 2^53 - 1 saturate, so callers reject them by range. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw malformed('varint runs past the end');
      const b = this.buf[this.pos++] as number;
      if (i === 9 && b > 1) throw malformed('varint exceeds 64 bits');
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return Math.min(result, Number.MAX_SAFE_INTEGER);
      scale *= 0x80;
    }
    throw malformed('varint longer than 10 bytes');
  }
  bytes(): Uint8Array {
    const len = this.varint();
    if (len > this.end - this.pos) throw malformed('length runs past the end');
    const out = this.buf.slice(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  sub(): Reader {
    const len = this.varint();
    if (len > this.end - this.pos) throw malformed('length runs past the end');
    const r = new Reader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }
  string(): string {
    try {
      return utf8.decode(this.bytes());
    } catch (err) {
      if (err instanceof P2PError) throw err;
      throw malformed('string is not valid UTF-8');
    }
  }
  /** Field readers that first check the field's wire type against the schema. */
  varintField(wire: number, name: string): number {
    expectWire(wire, WIRE_VARINT, name);
    return this.varint();
  }
  bytesField(wire: number, name: string): Uint8Array {
    expectWire(wire, WIRE_LEN, name);
    return this.bytes();
  }
  stringField(wire: number, name: string): string {
    expectWire(wire, WIRE_LEN, name);
    return this.string();
  }
  subField(wire: number, name: string): Reader {
    expectWire(wire, WIRE_LEN, name);
    return this.sub();
  }
  skipField(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_LEN) this.bytes();
    else if (wire === WIRE_I64 || wire === WIRE_I32) {
      const n = wire === WIRE_I64 ? 8 : 4;
      if (n > this.end - this.pos) throw malformed('fixed field runs past the end');
      this.pos += n;
    } else throw malformed(`unsupported wire type ${wire}`);
  }
  /** Reads each field's tag and hands it to fn; fn returns false for fields it does not know. */
  fields(fn: (field: number, wire: number) => boolean): void {
    while (!this.done()) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (field === 0) throw malformed('field number 0');
      if (!fn(field, wire)) this.skipField(wire);
    }
  }
}

function expectWire(wire: number, want: number, name: string): void {
  if (wire !== want) throw malformed(`${name} has wire type ${wire}, expected ${want}`);
}

function readRegister(r: Reader): Register {
  const out: Register = {};
  r.fields((f, w) => {
    if (f === 1) out.ns = r.stringField(w, 'Register.ns');
    else if (f === 2) out.signedPeerRecord = r.bytesField(w, 'Register.signedPeerRecord');
    else if (f === 3) out.ttl = r.varintField(w, 'Register.ttl');
    else return false;
    return true;
  });
  return out;
}

function readRegisterResponse(r: Reader): RegisterResponse {
  const out: RegisterResponse = {};
  r.fields((f, w) => {
    if (f === 1) out.status = r.varintField(w, 'RegisterResponse.status');
    else if (f === 2) out.statusText = r.stringField(w, 'RegisterResponse.statusText');
    else if (f === 3) out.ttl = r.varintField(w, 'RegisterResponse.ttl');
    else return false;
    return true;
  });
  return out;
}

function readUnregister(r: Reader): Unregister {
  const out: Unregister = {};
  r.fields((f, w) => {
    if (f !== 1) return false;
    expectWire(w, WIRE_LEN, 'Unregister.ns');
    out.ns = r.string();
    return true;
  });
  return out;
}

function readDiscover(r: Reader): Discover {
  const out: Discover = {};
  r.fields((f, w) => {
    if (f === 1) out.ns = r.stringField(w, 'Discover.ns');
    else if (f === 2) out.limit = r.varintField(w, 'Discover.limit');
    else if (f === 3) out.cookie = r.bytesField(w, 'Discover.cookie');
    else return false;
    return true;
  });
  return out;
}

function readDiscoverResponse(r: Reader, registrationsMax: number): DiscoverResponse {
  const out: DiscoverResponse = { registrations: [] };
  r.fields((f, w) => {
    if (f === 1) {
      expectWire(w, WIRE_LEN, 'DiscoverResponse.registrations');
      if (out.registrations.length >= registrationsMax) {
        throw malformed(`more than ${registrationsMax} registrations`);
      }
      out.registrations.push(readRegister(r.sub()));
    } else if (f === 2) out.cookie = r.bytesField(w, 'DiscoverResponse.cookie');
    else if (f === 3) out.status = r.varintField(w, 'DiscoverResponse.status');
    else if (f === 4) out.statusText = r.stringField(w, 'DiscoverResponse.statusText');
    else return false;
    return true;
  });
  return out;
}

/** Decode one Message; throws P2PError('RENDEZVOUS_MALFORMED') on anything out of bounds. */
export function decodeMessage(bytes: Uint8Array, options: DecodeOptions): RendezvousMessage {
  if (bytes.length > options.bytesMax) throw malformed(`${bytes.length} bytes, at most ${options.bytesMax}`);
  const r = new Reader(bytes, 0, bytes.length);
  const out: RendezvousMessage = {};
  r.fields((f, w) => {
    if (f === 1) out.type = r.varintField(w, 'Message.type');
    else if (f === 2) out.register = readRegister(r.subField(w, 'Message.register'));
    else if (f === 3) out.registerResponse = readRegisterResponse(r.subField(w, 'Message.registerResponse'));
    else if (f === 4) out.unregister = readUnregister(r.subField(w, 'Message.unregister'));
    else if (f === 5) out.discover = readDiscover(r.subField(w, 'Message.discover'));
    else if (f === 6)
      out.discoverResponse = readDiscoverResponse(
        r.subField(w, 'Message.discoverResponse'),
        options.registrationsMax,
      );
    else return false;
    return true;
  });
  return out;
}

// ---------------------------------------------------------------- writing

class Writer {
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
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint ${value} out of range`);
    const out: number[] = [];
    let v = value;
    // Division instead of bit shifts: shifts truncate to 32 bits and values go up to 2^53.
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    this.push(Uint8Array.from(out));
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

function writeRegister(m: Register): Uint8Array {
  const w = new Writer();
  if (m.ns !== undefined) w.string(1, m.ns);
  if (m.signedPeerRecord !== undefined) w.lenField(2, m.signedPeerRecord);
  if (m.ttl !== undefined) w.varint(3, m.ttl);
  return w.finish();
}

export function encodeMessage(m: RendezvousMessage): Uint8Array {
  const w = new Writer();
  if (m.type !== undefined) w.varint(1, m.type);
  if (m.register !== undefined) w.lenField(2, writeRegister(m.register));
  if (m.registerResponse !== undefined) {
    const s = new Writer();
    const rr = m.registerResponse;
    if (rr.status !== undefined) s.varint(1, rr.status);
    if (rr.statusText !== undefined) s.string(2, rr.statusText);
    if (rr.ttl !== undefined) s.varint(3, rr.ttl);
    w.lenField(3, s.finish());
  }
  if (m.unregister !== undefined) {
    const s = new Writer();
    if (m.unregister.ns !== undefined) s.string(1, m.unregister.ns);
    w.lenField(4, s.finish());
  }
  if (m.discover !== undefined) {
    const s = new Writer();
    const d = m.discover;
    if (d.ns !== undefined) s.string(1, d.ns);
    if (d.limit !== undefined) s.varint(2, d.limit);
    if (d.cookie !== undefined) s.lenField(3, d.cookie);
    w.lenField(5, s.finish());
  }
  if (m.discoverResponse !== undefined) {
    const s = new Writer();
    const dr = m.discoverResponse;
    for (const reg of dr.registrations) s.lenField(1, writeRegister(reg));
    if (dr.cookie !== undefined) s.lenField(2, dr.cookie);
    if (dr.status !== undefined) s.varint(3, dr.status);
    if (dr.statusText !== undefined) s.string(4, dr.statusText);
    w.lenField(6, s.finish());
  }
  return w.finish();
}
