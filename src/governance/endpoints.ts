// Where a member can be reached: libp2p multiaddrs and HTTP base URLs, read strictly, and the
// scope of the address each names. A world is read by every root and client, so an endpoint
// has one spelling (the normalised form its parser prints) and names a host that others can
// reach: an announced endpoint on an unspecified, loopback, private or link-local address
// (or a name that only resolves on a local network) is refused unless the policy allows it
// (charter §8, `privateEndpointsAllowed`). Names are judged by their shape only; nothing here
// resolves DNS (the governance core does no I/O).

import { type Component, multiaddr } from '@multiformats/multiaddr';
import { ENDPOINT_CHARS_MAX } from './constants.ts';
import { ShapeError, text } from './shape.ts';

/** Where an address leads. Everything but 'public' needs `privateEndpointsAllowed`. */
export type AddressScope = 'public' | 'unspecified' | 'loopback' | 'private' | 'link-local' | 'reserved';

/** The words used in messages, e.g. "127.0.0.1 is a loopback address". */
const SCOPE_WORDS: Record<Exclude<AddressScope, 'public'>, string> = {
  unspecified: 'an unspecified address (it names no host)',
  loopback: 'a loopback address (only this machine reaches it)',
  private: 'a private address (only a local network reaches it)',
  'link-local': 'a link-local address (only the local link reaches it)',
  reserved: 'a reserved or multicast address',
};

export function scopeWords(scope: Exclude<AddressScope, 'public'>): string {
  return SCOPE_WORDS[scope];
}

/** A DNS name: lowercase LDH labels of 1..63 characters, 253 at most, no trailing dot. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_NAME_CHARS_MAX = 253;
/** Suffixes reserved for names that resolve only inside a site (RFC 6762, RFC 8375, ICANN .internal). */
const LOCAL_SUFFIXES: readonly [string, AddressScope][] = [
  ['localhost', 'loopback'],
  ['local', 'link-local'],
  ['internal', 'private'],
  ['home.arpa', 'private'],
  ['lan', 'private'],
];

export function isDnsName(s: string): boolean {
  if (s.length === 0 || s.length > DNS_NAME_CHARS_MAX) return false;
  const labels = s.split('.');
  // A last label of digits makes URL parsers read the name as an IPv4 address.
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return false;
  return labels.every((l) => LABEL.test(l));
}

/** Four octets of a dotted-decimal IPv4 address (no leading zeros), or undefined. */
export function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const octets = parts.map((p) => (/^(0|[1-9][0-9]{0,2})$/.test(p) ? Number(p) : 256));
  return octets.every((o) => o <= 255) ? octets : undefined;
}

/** Eight 16-bit groups of an IPv6 address (with "::" and a dotted IPv4 tail), or undefined. */
export function parseIpv6(s: string): number[] | undefined {
  if (!s.includes(':') || s.length > 45) return undefined;
  let body = s;
  const tail: number[] = [];
  if (s.includes('.')) {
    const cut = s.lastIndexOf(':');
    const v4 = parseIpv4(s.slice(cut + 1));
    if (v4 === undefined) return undefined;
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    body = s.slice(0, cut + 1);
    body = body.endsWith('::') ? body : body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string | undefined) => (h === undefined || h === '' ? [] : h.split(':'));
  const left = groups(halves[0]);
  const right = groups(halves[1]);
  if (![...left, ...right].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const given = left.length + right.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const hex = (g: string) => Number.parseInt(g, 16);
  return [...left.map(hex), ...new Array(8 - given).fill(0), ...right.map(hex), ...tail];
}

function ipv4Scope([a, b]: number[]): AddressScope {
  if (a === 0) return 'unspecified';
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168)) return 'private';
  // 100.64.0.0/10: carrier-grade NAT, shared by a provider's customers, not reachable from outside.
  if (a === 100 && b! >= 64 && b! <= 127) return 'private';
  if (a === 169 && b === 254) return 'link-local';
  if (a! >= 224) return 'reserved';
  return 'public';
}

function ipv6Scope(g: number[]): AddressScope {
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(8)) return 'unspecified';
  if (zeros(7) && g[7] === 1) return 'loopback';
  // ::ffff:a.b.c.d is an IPv4 address in IPv6 clothing: judge the IPv4 address.
  if (zeros(5) && g[5] === 0xffff) return ipv4Scope([g[6]! >> 8, g[6]! & 0xff]);
  if (zeros(6)) return 'reserved';
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private';
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0]! & 0xffc0) === 0xfec0) return 'private';
  if ((g[0]! & 0xff00) === 0xff00) return 'reserved';
  return 'public';
}

/** The scope of a host: an IPv4 or IPv6 literal (no brackets), or a DNS name judged by its shape. */
export function hostScope(host: string): AddressScope {
  const v4 = parseIpv4(host);
  if (v4 !== undefined) return ipv4Scope(v4);
  const v6 = parseIpv6(host);
  if (v6 !== undefined) return ipv6Scope(v6);
  for (const [suffix, scope] of LOCAL_SUFFIXES)
    if (host === suffix || host.endsWith(`.${suffix}`)) return scope;
  // A name of one label (a container's service name, a hosts-file alias) resolves only locally.
  return host.includes('.') ? 'public' : 'private';
}

const HOST_PROTOCOLS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6']);
/** What may follow /tcp/<port>: nothing (TCP), or WebSockets, plain or over TLS. */
const TRANSPORT_TAILS = ['', '/ws', '/wss', '/tls/ws'];

interface ReadMultiaddr {
  components: Component[];
  host: string;
  port: number;
}

function readMultiaddr(s: string, path: string): ReadMultiaddr {
  let components: Component[];
  let printed: string;
  try {
    const ma = multiaddr(s);
    components = ma.getComponents();
    printed = ma.toString();
  } catch (err) {
    throw new ShapeError(`${path} is not a multiaddr: ${(err as Error).message}`);
  }
  const [first, second] = components;
  if (first === undefined || !HOST_PROTOCOLS.has(first.name) || second?.name !== 'tcp') {
    throw new ShapeError(
      `${path} must start with /ip4/<address>, /ip6/<address> or /dns4/<name> (or /dns6, /dns), then /tcp/<port>, e.g. /dns4/root.example.org/tcp/4480`,
    );
  }
  if (components.some((c) => c.name === 'p2p'))
    throw new ShapeError(`${path}: leave out /p2p/…; the peer id comes from the member's node key`);
  const tail = components
    .slice(2)
    .map((c) => `/${c.name}`)
    .join('');
  if (!TRANSPORT_TAILS.includes(tail))
    throw new ShapeError(`${path}: after /tcp/<port> only /ws, /wss or /tls/ws may follow, not ${tail}`);
  if (printed !== s) throw new ShapeError(`${path} must be written as ${printed}`);
  const host = first.value ?? '';
  if (first.name.startsWith('dns') && !isDnsName(host)) {
    throw new ShapeError(
      `${path}: ${JSON.stringify(host)} is not a DNS name (lowercase letters, digits and hyphens; use /ip4 or /ip6 for an address)`,
    );
  }
  return { components, host, port: Number(second.value) };
}

/** An announced libp2p endpoint: /ip4|ip6|dns|dns4|dns6/<host>/tcp/<port 1-65535>[/ws|/wss|/tls/ws]. */
export function parseP2pEndpoint(x: unknown, path: string): string {
  const s = text(x, path, ENDPOINT_CHARS_MAX);
  const { port } = readMultiaddr(s, path);
  if (port === 0)
    throw new ShapeError(`${path}: port 0 cannot be dialled; announce the port the root listens on`);
  return s;
}

/** A listen address: /ip4|ip6/<address>/tcp/<port>[/ws], where 0.0.0.0, :: and port 0 are fine. */
export function parseListenMultiaddr(x: unknown, path: string): string {
  const s = text(x, path, ENDPOINT_CHARS_MAX);
  const { components } = readMultiaddr(s, path);
  if (components[0]!.name.startsWith('dns'))
    throw new ShapeError(
      `${path}: a listen address is an IP address (e.g. /ip4/0.0.0.0/tcp/4480), not a name`,
    );
  return s;
}

/** An HTTP base URL: normalised http(s), without credentials, query or fragment. */
export function parseHttpEndpoint(x: unknown, path: string): string {
  const s = text(x, path, ENDPOINT_CHARS_MAX);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new ShapeError(`${path} is not a URL`);
  }
  const ok =
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '' &&
    url.href === s;
  if (!ok)
    throw new ShapeError(`${path} must be a normalised http(s) URL without credentials, query or fragment`);
  const host = urlHost(url);
  if (parseIpv4(host) === undefined && parseIpv6(host) === undefined && !isDnsName(host))
    throw new ShapeError(`${path}: ${JSON.stringify(host)} is not a DNS name or an IP address`);
  return s;
}

function urlHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** The host an endpoint (a multiaddr or a URL already read by the parsers above) names. */
export function endpointHost(endpoint: string): string {
  if (endpoint.startsWith('/')) return multiaddr(endpoint).getComponents()[0]?.value ?? '';
  return urlHost(new URL(endpoint));
}

/** The first endpoint that is not public, with its scope; undefined when every one is public. */
export function nonPublicEndpoint(
  endpoints: readonly string[],
): { endpoint: string; scope: Exclude<AddressScope, 'public'> } | undefined {
  for (const endpoint of endpoints) {
    const scope = hostScope(endpointHost(endpoint));
    if (scope !== 'public') return { endpoint, scope };
  }
  return undefined;
}
