// The circuit relay v2 wire format (libp2p/specs relay/circuit-v2.md, "Protobuf"), proto2:
//
//   message HopMessage { enum Type { RESERVE = 0; CONNECT = 1; STATUS = 2; }
//     required Type type = 1; optional Peer peer = 2; optional Reservation reservation = 3;
//     optional Limit limit = 4; optional Status status = 5; }
//   message StopMessage { enum Type { CONNECT = 0; STATUS = 1; }
//     required Type type = 1; optional Peer peer = 2; optional Limit limit = 3; optional Status status = 4; }
//   message Peer { required bytes id = 1; repeated bytes addrs = 2; }
//   message Reservation { optional uint64 expire = 1; repeated bytes addrs = 2; optional bytes voucher = 3; }
//   message Limit { optional uint32 duration = 1; /* seconds */ optional uint64 data = 2; /* bytes */ }
//   enum Status { OK = 100; RESERVATION_REFUSED = 200; RESOURCE_LIMIT_EXCEEDED = 201; PERMISSION_DENIED = 202;
//     CONNECTION_FAILED = 203; NO_RESERVATION = 204; MALFORMED_MESSAGE = 400; UNEXPECTED_MESSAGE = 401; }
//
// and the reservation voucher's payload (a signed envelope's, "Reservation Vouchers"):
//   message Voucher { required bytes relay = 1; required bytes peer = 2; required uint64 expiration = 3; }
//
// Limit.duration is in SECONDS and Limit.data counts bytes in EACH direction; 0 means no limit.
// Both HOP and STOP messages travel as length-prefixed frames (frames.ts). Decoding is bounded
// (protobuf.ts) and throws WireError('CIRCUIT_MALFORMED'); a missing required field is
// malformed too.

import { WireError } from './errors.ts';
import { type Malformed, ProtoReader, ProtoWriter, WIRE_LEN } from './protobuf.ts';

export const CIRCUIT_HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop';
export const CIRCUIT_STOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/stop';
/** Signed-envelope domain and payload type of a reservation voucher. */
export const VOUCHER_DOMAIN = 'libp2p-relay-rsvp';
export const VOUCHER_PAYLOAD_TYPE = Uint8Array.of(0x03, 0x02);
/** Limit.duration is a uint32 of seconds. */
export const LIMIT_DURATION_S_MAX = 0xffff_ffff;

export const HopType = { RESERVE: 0, CONNECT: 1, STATUS: 2 } as const;
export const StopType = { CONNECT: 0, STATUS: 1 } as const;
export const CircuitStatus = {
  OK: 100,
  RESERVATION_REFUSED: 200,
  RESOURCE_LIMIT_EXCEEDED: 201,
  PERMISSION_DENIED: 202,
  CONNECTION_FAILED: 203,
  NO_RESERVATION: 204,
  MALFORMED_MESSAGE: 400,
  UNEXPECTED_MESSAGE: 401,
} as const;
export type CircuitStatusValue = (typeof CircuitStatus)[keyof typeof CircuitStatus];

export type CircuitPeer = { id: Uint8Array; addrs: Uint8Array[] };
export type Reservation = { expire?: number; addrs: Uint8Array[]; voucher?: Uint8Array };
/** durationS in seconds, dataBytes per direction; absent or 0 means unlimited. */
export type CircuitLimit = { durationS?: number; dataBytes?: number };
export type HopMessage = {
  type: number;
  peer?: CircuitPeer;
  reservation?: Reservation;
  limit?: CircuitLimit;
  status?: number;
};
export type StopMessage = { type: number; peer?: CircuitPeer; limit?: CircuitLimit; status?: number };
export type Voucher = { relay: Uint8Array; peer: Uint8Array; expiration: number };
export type CircuitDecodeOptions = { bytesMax: number; addrsMax: number };

const malformed: Malformed = (why) =>
  new WireError('CIRCUIT_MALFORMED', `circuit relay message is malformed: ${why}`);

function reader(bytes: Uint8Array, bytesMax: number): ProtoReader {
  if (bytes.length > bytesMax) throw malformed(`${bytes.length} bytes, at most ${bytesMax}`);
  return new ProtoReader(bytes, 0, bytes.length, malformed);
}

function readAddr(r: ProtoReader, w: number, addrs: Uint8Array[], addrsMax: number, name: string): void {
  r.expectWire(w, WIRE_LEN, name);
  if (addrs.length >= addrsMax) throw malformed(`more than ${addrsMax} addresses in ${name}`);
  addrs.push(r.bytes());
}

function readPeer(r: ProtoReader, addrsMax: number): CircuitPeer {
  let id: Uint8Array | undefined;
  const addrs: Uint8Array[] = [];
  r.fields((f, w) => {
    if (f === 1) id = r.bytesField(w, 'Peer.id');
    else if (f === 2) readAddr(r, w, addrs, addrsMax, 'Peer.addrs');
    else return false;
    return true;
  });
  if (id === undefined) throw malformed('Peer.id is required');
  return { id, addrs };
}

function readReservation(r: ProtoReader, addrsMax: number): Reservation {
  const out: Reservation = { addrs: [] };
  r.fields((f, w) => {
    if (f === 1) out.expire = r.varintField(w, 'Reservation.expire');
    else if (f === 2) readAddr(r, w, out.addrs, addrsMax, 'Reservation.addrs');
    else if (f === 3) out.voucher = r.bytesField(w, 'Reservation.voucher');
    else return false;
    return true;
  });
  return out;
}

function readLimit(r: ProtoReader): CircuitLimit {
  const out: CircuitLimit = {};
  r.fields((f, w) => {
    if (f === 1) {
      out.durationS = r.varintField(w, 'Limit.duration');
      if (out.durationS > LIMIT_DURATION_S_MAX) throw malformed('Limit.duration exceeds uint32');
    } else if (f === 2) out.dataBytes = r.varintField(w, 'Limit.data');
    else return false;
    return true;
  });
  return out;
}

export function decodeHopMessage(bytes: Uint8Array, options: CircuitDecodeOptions): HopMessage {
  const r = reader(bytes, options.bytesMax);
  let type: number | undefined;
  const out: Omit<HopMessage, 'type'> = {};
  r.fields((f, w) => {
    if (f === 1) type = r.varintField(w, 'HopMessage.type');
    else if (f === 2) out.peer = readPeer(r.subField(w, 'HopMessage.peer'), options.addrsMax);
    else if (f === 3)
      out.reservation = readReservation(r.subField(w, 'HopMessage.reservation'), options.addrsMax);
    else if (f === 4) out.limit = readLimit(r.subField(w, 'HopMessage.limit'));
    else if (f === 5) out.status = r.varintField(w, 'HopMessage.status');
    else return false;
    return true;
  });
  if (type === undefined) throw malformed('HopMessage.type is required');
  return { type, ...out };
}

export function decodeStopMessage(bytes: Uint8Array, options: CircuitDecodeOptions): StopMessage {
  const r = reader(bytes, options.bytesMax);
  let type: number | undefined;
  const out: Omit<StopMessage, 'type'> = {};
  r.fields((f, w) => {
    if (f === 1) type = r.varintField(w, 'StopMessage.type');
    else if (f === 2) out.peer = readPeer(r.subField(w, 'StopMessage.peer'), options.addrsMax);
    else if (f === 3) out.limit = readLimit(r.subField(w, 'StopMessage.limit'));
    else if (f === 4) out.status = r.varintField(w, 'StopMessage.status');
    else return false;
    return true;
  });
  if (type === undefined) throw malformed('StopMessage.type is required');
  return { type, ...out };
}

export function decodeVoucher(bytes: Uint8Array): Voucher {
  const r = reader(bytes, bytes.length);
  let relay: Uint8Array | undefined;
  let peer: Uint8Array | undefined;
  let expiration: number | undefined;
  r.fields((f, w) => {
    if (f === 1) relay = r.bytesField(w, 'Voucher.relay');
    else if (f === 2) peer = r.bytesField(w, 'Voucher.peer');
    else if (f === 3) expiration = r.varintField(w, 'Voucher.expiration');
    else return false;
    return true;
  });
  if (relay === undefined || peer === undefined || expiration === undefined) {
    throw malformed('Voucher needs relay, peer and expiration');
  }
  return { relay, peer, expiration };
}

function writePeer(p: CircuitPeer): Uint8Array {
  const w = new ProtoWriter();
  w.lenField(1, p.id);
  for (const a of p.addrs) w.lenField(2, a);
  return w.finish();
}

function writeLimit(l: CircuitLimit): Uint8Array {
  const w = new ProtoWriter();
  if (l.durationS !== undefined) {
    if (l.durationS > LIMIT_DURATION_S_MAX) throw new RangeError('Limit.duration exceeds uint32 seconds');
    w.varint(1, l.durationS);
  }
  if (l.dataBytes !== undefined) w.varint(2, l.dataBytes);
  return w.finish();
}

export function encodeHopMessage(m: HopMessage): Uint8Array {
  const w = new ProtoWriter();
  w.varint(1, m.type);
  if (m.peer !== undefined) w.lenField(2, writePeer(m.peer));
  if (m.reservation !== undefined) {
    const s = new ProtoWriter();
    const rsv = m.reservation;
    if (rsv.expire !== undefined) s.varint(1, rsv.expire);
    for (const a of rsv.addrs) s.lenField(2, a);
    if (rsv.voucher !== undefined) s.lenField(3, rsv.voucher);
    w.lenField(3, s.finish());
  }
  if (m.limit !== undefined) w.lenField(4, writeLimit(m.limit));
  if (m.status !== undefined) w.varint(5, m.status);
  return w.finish();
}

export function encodeStopMessage(m: StopMessage): Uint8Array {
  const w = new ProtoWriter();
  w.varint(1, m.type);
  if (m.peer !== undefined) w.lenField(2, writePeer(m.peer));
  if (m.limit !== undefined) w.lenField(3, writeLimit(m.limit));
  if (m.status !== undefined) w.varint(4, m.status);
  return w.finish();
}

/** The voucher payload, canonical: fields in field-number order. */
export function encodeVoucher(v: Voucher): Uint8Array {
  const w = new ProtoWriter();
  w.lenField(1, v.relay);
  w.lenField(2, v.peer);
  w.varint(3, v.expiration);
  return w.finish();
}
