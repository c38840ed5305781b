// The rendezvous wire format (libp2p/specs rendezvous/README.md, "Protobuf"), proto2:
//
//   message Message {
//     enum MessageType { REGISTER = 0; REGISTER_RESPONSE = 1; UNREGISTER = 2; DISCOVER = 3; DISCOVER_RESPONSE = 4; }
//     enum ResponseStatus { OK = 0; E_INVALID_NAMESPACE = 100; E_INVALID_SIGNED_PEER_RECORD = 101; E_INVALID_TTL = 102;
//       E_INVALID_COOKIE = 103; E_POW_REQUIRED = 104; E_DIFFICULTY_TOO_LOW = 105; E_NOT_AUTHORIZED = 200;
//       E_INTERNAL_ERROR = 300; E_UNAVAILABLE = 400; }
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
// Decoding keeps absent fields absent (undefined) so a reader can tell "not sent" from "sent as
// the default"; the proto2 defaults that matter are applied where the message is interpreted:
// an absent `type` is REGISTER (messageTypeOf), an absent status is OK, an absent TTL in a
// REGISTER means the spec's 2 h. Strict bounds: see protobuf.ts; unknown fields are skipped.
// Any violation throws WireError('RENDEZVOUS_MALFORMED').

import { WireError } from './errors.ts';
import { type Malformed, ProtoReader, ProtoWriter, WIRE_LEN } from './protobuf.ts';

export const RENDEZVOUS_PROTOCOL = '/rendezvous/1.0.0';

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
  /** The spec's proof-of-work extension; a root never asks for proof of work. */
  E_POW_REQUIRED: 104,
  E_DIFFICULTY_TOO_LOW: 105,
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

/** The message's type with the proto2 default applied: an absent type is REGISTER (0). */
export function messageTypeOf(message: RendezvousMessage): number {
  return message.type ?? MessageType.REGISTER;
}

/** A response status with the proto2 default applied: an absent status is OK (0). */
export function statusOf(response: { status?: number } | undefined): number {
  return response?.status ?? ResponseStatus.OK;
}

/** The spec name of a status ("E_INVALID_TTL"), or "status N" for one the spec does not define. */
export function statusName(status: number | undefined): string {
  const entry = Object.entries(ResponseStatus).find(([, v]) => v === (status ?? ResponseStatus.OK));
  return entry?.[0] ?? `status ${status}`;
}

const malformed: Malformed = (why) =>
  new WireError('RENDEZVOUS_MALFORMED', `rendezvous message is malformed: ${why}`);

// ---------------------------------------------------------------- reading

function readRegister(r: ProtoReader): Register {
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

function readRegisterResponse(r: ProtoReader): RegisterResponse {
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

function readUnregister(r: ProtoReader): Unregister {
  const out: Unregister = {};
  r.fields((f, w) => {
    if (f !== 1) return false;
    out.ns = r.stringField(w, 'Unregister.ns');
    return true;
  });
  return out;
}

function readDiscover(r: ProtoReader): Discover {
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

function readDiscoverResponse(r: ProtoReader, registrationsMax: number): DiscoverResponse {
  const out: DiscoverResponse = { registrations: [] };
  r.fields((f, w) => {
    if (f === 1) {
      r.expectWire(w, WIRE_LEN, 'DiscoverResponse.registrations');
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

/** Decode one Message; throws WireError('RENDEZVOUS_MALFORMED') on anything out of bounds. */
export function decodeMessage(bytes: Uint8Array, options: DecodeOptions): RendezvousMessage {
  if (bytes.length > options.bytesMax) throw malformed(`${bytes.length} bytes, at most ${options.bytesMax}`);
  const r = new ProtoReader(bytes, 0, bytes.length, malformed);
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

function writeRegister(m: Register): Uint8Array {
  const w = new ProtoWriter();
  if (m.ns !== undefined) w.string(1, m.ns);
  if (m.signedPeerRecord !== undefined) w.lenField(2, m.signedPeerRecord);
  if (m.ttl !== undefined) w.varint(3, m.ttl);
  return w.finish();
}

export function encodeMessage(m: RendezvousMessage): Uint8Array {
  const w = new ProtoWriter();
  if (m.type !== undefined) w.varint(1, m.type);
  if (m.register !== undefined) w.lenField(2, writeRegister(m.register));
  if (m.registerResponse !== undefined) {
    const s = new ProtoWriter();
    const rr = m.registerResponse;
    if (rr.status !== undefined) s.varint(1, rr.status);
    if (rr.statusText !== undefined) s.string(2, rr.statusText);
    if (rr.ttl !== undefined) s.varint(3, rr.ttl);
    w.lenField(3, s.finish());
  }
  if (m.unregister !== undefined) {
    const s = new ProtoWriter();
    if (m.unregister.ns !== undefined) s.string(1, m.unregister.ns);
    w.lenField(4, s.finish());
  }
  if (m.discover !== undefined) {
    const s = new ProtoWriter();
    const d = m.discover;
    if (d.ns !== undefined) s.string(1, d.ns);
    if (d.limit !== undefined) s.varint(2, d.limit);
    if (d.cookie !== undefined) s.lenField(3, d.cookie);
    w.lenField(5, s.finish());
  }
  if (m.discoverResponse !== undefined) {
    const s = new ProtoWriter();
    const dr = m.discoverResponse;
    for (const reg of dr.registrations) s.lenField(1, writeRegister(reg));
    if (dr.cookie !== undefined) s.lenField(2, dr.cookie);
    if (dr.status !== undefined) s.varint(3, dr.status);
    if (dr.statusText !== undefined) s.string(4, dr.statusText);
    w.lenField(6, s.finish());
  }
  return w.finish();
}
