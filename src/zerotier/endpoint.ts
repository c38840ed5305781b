// A root's stable endpoint: an IPv4 or IPv6 address and a UDP port, serialised as ZeroTier's
// InetAddress::serialize writes it (node/InetAddress.hpp): 0x04 ‖ 4 address bytes ‖ port, or
// 0x06 ‖ 16 address bytes ‖ port, the port big-endian. ZeroTier's reader also skips types
// 0–3 (null, Ethernet, Bluetooth, "other") for forward compatibility; a planet root needs an
// IP endpoint, so we refuse them. Text form is ZeroTier's "ip/port".

import { ENDPOINT_TYPE_IPV4, ENDPOINT_TYPE_IPV6 } from './constants.ts';
import { ZeroTierError } from './errors.ts';

export type Endpoint = { family: 4 | 6; address: Uint8Array; port: number };

const IPV4_BYTES = 4;
const IPV6_BYTES = 16;
const PORT_MAX = 0xffff;
const IPV4_PATTERN = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/;
const PORT_PATTERN = /^(0|[1-9]\d{0,4})$/;
const ENDPOINT_TEXT_CHARS_MAX = 64;

function bad(message: string): ZeroTierError {
  return new ZeroTierError('BAD_ENDPOINT', message);
}

/** Bytes of an endpoint on the wire. */
export function endpointBytes(e: Endpoint): number {
  return 1 + (e.family === 4 ? IPV4_BYTES : IPV6_BYTES) + 2;
}

export function checkEndpoint(e: Endpoint): void {
  if (e === null || typeof e !== 'object') throw bad('an endpoint is { family, address, port }');
  if (e.family !== 4 && e.family !== 6) throw bad('an endpoint family is 4 or 6');
  const length = e.family === 4 ? IPV4_BYTES : IPV6_BYTES;
  if (!(e.address instanceof Uint8Array) || e.address.length !== length) {
    throw bad(`an IPv${e.family} address is ${length} bytes`);
  }
  if (!Number.isInteger(e.port) || e.port < 0 || e.port > PORT_MAX)
    throw bad('a port is an integer in 0..65535');
}

/** Writes e at out[offset…] and returns the offset after it. */
export function writeEndpoint(e: Endpoint, out: Uint8Array, offset: number): number {
  checkEndpoint(e);
  out[offset] = e.family === 4 ? ENDPOINT_TYPE_IPV4 : ENDPOINT_TYPE_IPV6;
  out.set(e.address, offset + 1);
  const end = offset + 1 + e.address.length;
  out[end] = e.port >> 8;
  out[end + 1] = e.port & 0xff;
  return end + 2;
}

/** Formats an endpoint as ZeroTier does: "192.0.2.1/9993", "2001:db8::1/9993" (RFC 5952 for IPv6). */
export function formatEndpoint(e: Endpoint): string {
  checkEndpoint(e);
  return `${e.family === 4 ? [...e.address].join('.') : formatIpv6(e.address)}/${e.port}`;
}

function formatIpv6(a: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < IPV6_BYTES; i += 2) groups.push((a[i]! << 8) | a[i + 1]!);
  // RFC 5952 §4.2: compress the longest run (first if tied) of two or more zero groups.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Parses "ip/port" (IPv4 dotted quad, or IPv6 in hex groups with at most one "::"). */
export function parseEndpoint(text: string): Endpoint {
  if (typeof text !== 'string' || text.length > ENDPOINT_TEXT_CHARS_MAX)
    throw bad('an endpoint is "ip/port"');
  const slash = text.lastIndexOf('/');
  if (slash < 0) throw bad(`endpoint ${JSON.stringify(text)} has no "/port"`);
  const ip = text.slice(0, slash);
  const portText = text.slice(slash + 1);
  if (!PORT_PATTERN.test(portText) || Number(portText) > PORT_MAX) {
    throw bad(`port ${JSON.stringify(portText)} is not a decimal in 0..65535`);
  }
  const port = Number(portText);
  if (IPV4_PATTERN.test(ip)) return { family: 4, address: new Uint8Array(ip.split('.').map(Number)), port };
  return { family: 6, address: parseIpv6(ip), port };
}

function parseIpv6(ip: string): Uint8Array {
  const halves = ip.toLowerCase().split('::');
  if (halves.length > 2) throw bad(`${JSON.stringify(ip)} is not an IP address`);
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const total = head.length + tail.length;
  if ((halves.length === 1 && total !== 8) || (halves.length === 2 && total > 7)) {
    throw bad(`${JSON.stringify(ip)} is not an IP address`);
  }
  const all = [...head, ...Array<string>(8 - total).fill('0'), ...tail];
  const out = new Uint8Array(IPV6_BYTES);
  all.forEach((g, i) => {
    if (!HEX_GROUP.test(g)) throw bad(`${JSON.stringify(ip)} is not an IP address`);
    const value = Number.parseInt(g, 16);
    out[2 * i] = value >> 8;
    out[2 * i + 1] = value & 0xff;
  });
  return out;
}

/**
 * Why a ZeroTier node would never use this endpoint to reach a root, or undefined if it would.
 * ZeroTier nodes take only private, shared or global addresses as paths (InetAddress::ipScope,
 * Node::shouldUsePathForZeroTierTraffic): never unspecified, loopback, link-local or multicast.
 */
export function unusableEndpointReason(e: Endpoint): string | undefined {
  checkEndpoint(e);
  const a = e.address;
  if (e.port === 0) return 'port 0';
  if (a.every((b) => b === 0)) return 'the unspecified address';
  if (e.family === 4) {
    if (a[0] === 127) return 'a loopback address';
    if (a[0] === 169 && a[1] === 254) return 'a link-local address';
    if (a[0]! >= 224) return 'a multicast or reserved address';
    if (a[0] === 0) return 'an address in 0.0.0.0/8';
    return undefined;
  }
  if (a.subarray(0, 15).every((b) => b === 0) && a[15] === 1) return 'the loopback address';
  if (a[0] === 0xfe && (a[1]! & 0xc0) === 0x80) return 'a link-local address';
  if (a[0] === 0xff) return 'a multicast address';
  return undefined;
}
