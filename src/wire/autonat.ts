// The AutoNAT v1 wire format (libp2p/specs autonat/autonat-v1.md), proto2:
//
//   message Message {
//     enum MessageType { DIAL = 0; DIAL_RESPONSE = 1; }
//     enum ResponseStatus { OK = 0; E_DIAL_ERROR = 100; E_DIAL_REFUSED = 101; E_BAD_REQUEST = 200; E_INTERNAL_ERROR = 300; }
//     message PeerInfo { optional bytes id = 1; repeated bytes addrs = 2; }
//     message Dial { optional PeerInfo peer = 1; }
//     message DialResponse { optional ResponseStatus status = 1; optional string statusText = 2; optional bytes addr = 3; }
//     optional MessageType type = 1; optional Dial dial = 2; optional DialResponse dialResponse = 3;
//   }
//
// Absent fields stay absent; an absent type is DIAL and an absent status OK (proto2 defaults).
// Malformed input throws WireError('AUTONAT_MALFORMED').

import { WireError } from './errors.ts';
import { type Malformed, ProtoReader, ProtoWriter, WIRE_LEN } from './protobuf.ts';

export const AUTONAT_PROTOCOL = '/libp2p/autonat/1.0.0';
export const AutonatType = { DIAL: 0, DIAL_RESPONSE: 1 } as const;
export const AutonatStatus = {
  OK: 0,
  E_DIAL_ERROR: 100,
  E_DIAL_REFUSED: 101,
  E_BAD_REQUEST: 200,
  E_INTERNAL_ERROR: 300,
} as const;

export type AutonatMessage = {
  type?: number;
  dial?: { peer?: { id?: Uint8Array; addrs: Uint8Array[] } };
  dialResponse?: { status?: number; statusText?: string; addr?: Uint8Array };
};

const malformed: Malformed = (why) =>
  new WireError('AUTONAT_MALFORMED', `AutoNAT message is malformed: ${why}`);

export function decodeAutonatMessage(
  bytes: Uint8Array,
  o: { bytesMax: number; addrsMax: number },
): AutonatMessage {
  if (bytes.length > o.bytesMax) throw malformed(`${bytes.length} bytes, at most ${o.bytesMax}`);
  const r = new ProtoReader(bytes, 0, bytes.length, malformed);
  const out: AutonatMessage = {};
  r.fields((f, w) => {
    if (f === 1) out.type = r.varintField(w, 'Message.type');
    else if (f === 2) {
      const d = r.subField(w, 'Message.dial');
      const dial: NonNullable<AutonatMessage['dial']> = {};
      d.fields((g, w2) => {
        if (g !== 1) return false;
        const p = d.subField(w2, 'Dial.peer');
        const peer: { id?: Uint8Array; addrs: Uint8Array[] } = { addrs: [] };
        p.fields((h, w3) => {
          if (h === 1) peer.id = p.bytesField(w3, 'PeerInfo.id');
          else if (h === 2) {
            p.expectWire(w3, WIRE_LEN, 'PeerInfo.addrs');
            if (peer.addrs.length >= o.addrsMax) throw malformed(`more than ${o.addrsMax} addresses`);
            peer.addrs.push(p.bytes());
          } else return false;
          return true;
        });
        dial.peer = peer;
        return true;
      });
      out.dial = dial;
    } else if (f === 3) {
      const d = r.subField(w, 'Message.dialResponse');
      const resp: NonNullable<AutonatMessage['dialResponse']> = {};
      d.fields((g, w2) => {
        if (g === 1) resp.status = d.varintField(w2, 'DialResponse.status');
        else if (g === 2) resp.statusText = d.stringField(w2, 'DialResponse.statusText');
        else if (g === 3) resp.addr = d.bytesField(w2, 'DialResponse.addr');
        else return false;
        return true;
      });
      out.dialResponse = resp;
    } else return false;
    return true;
  });
  return out;
}

export function encodeAutonatMessage(m: AutonatMessage): Uint8Array {
  const w = new ProtoWriter();
  if (m.type !== undefined) w.varint(1, m.type);
  if (m.dial !== undefined) {
    const d = new ProtoWriter();
    if (m.dial.peer !== undefined) {
      const p = new ProtoWriter();
      if (m.dial.peer.id !== undefined) p.lenField(1, m.dial.peer.id);
      for (const a of m.dial.peer.addrs) p.lenField(2, a);
      d.lenField(1, p.finish());
    }
    w.lenField(2, d.finish());
  }
  if (m.dialResponse !== undefined) {
    const d = new ProtoWriter();
    const r = m.dialResponse;
    if (r.status !== undefined) d.varint(1, r.status);
    if (r.statusText !== undefined) d.string(2, r.statusText);
    if (r.addr !== undefined) d.lenField(3, r.addr);
    w.lenField(3, d.finish());
  }
  return w.finish();
}
