// The governance model: members, worlds and
// their strict readers. A world is JSON-safe and hashed as its canonical bytes (hash.ts).
// Field rules: names /^[a-z0-9][a-z0-9-]{0,30}[a-z0-9]$/, jurisdiction an ISO 3166-1
// alpha-2 code (countries.ts), keys base64 of strict Ed25519 points, endpoints bounded in
// count and read strictly (endpoints.ts), members sorted by name. Fields added later (a
// member's ML-DSA key and ZeroTier root, a world's federation key) are optional and absent
// when unused, so worlds written before them keep their bytes and hashes.

import {
  FEDERATION_PATTERN,
  HEIGHT_MAX,
  HTTP_ENDPOINTS_MAX,
  MEMBER_NAME_PATTERN,
  MEMBERS_MAX,
  ORGANISATION_CHARS_MAX,
  P2P_ENDPOINTS_MAX,
  TIME_MS_MAX,
} from './constants.ts';
import { isJurisdiction } from './countries.ts';
import { parseHttpEndpoint, parseP2pEndpoint } from './endpoints.ts';
import { type FederationKey, parseFederationKey } from './federation-key.ts';
import { checkPolicy, DUTIES, type Duty, type Policy } from './policy.ts';
import {
  hexHash,
  int,
  list,
  mlDsaKey,
  oneOf,
  prose,
  publicKey,
  record,
  ShapeError,
  text,
  unique,
} from './shape.ts';
import { parseZeroTierRoot, type ZeroTierRoot } from './zerotier-root.ts';

export type MemberStatus = 'voting' | 'probation' | 'suspended';
export const MEMBER_STATUSES: readonly MemberStatus[] = ['voting', 'probation', 'suspended'];

export interface Endpoints {
  /** libp2p multiaddrs, e.g. "/dns4/root.example.org/tcp/4001". */
  p2p: string[];
  /** Base URLs of the member's HTTP API, e.g. "https://root.example.org/". */
  http: string[];
}

/** What a candidate (or a founder) declares about itself; a Member adds status and since. */
export interface MemberDescriptor {
  name: string;
  organisation: string;
  /** ISO 3166-1 alpha-2, uppercase. */
  jurisdiction: string;
  /** Base64 of the 32-byte Ed25519 node key (libp2p identity, consensus votes, cosignatures). */
  nodeKey: string;
  /** Base64 of the 32-byte Ed25519 governance key (motions, ballots, self-updates). */
  governanceKey: string;
  endpoints: Endpoints;
  /** Base64 of the 1,312-byte ML-DSA-44 key of the member's post-quantum cosignatures (optional). */
  mlDsaKey?: string;
  /** The member's ZeroTier root, a candidate for the federation's planet (optional, charter §23). */
  zerotier?: ZeroTierRoot;
}

/** A member whose root fell below a duty's minimum (charter §21), until it meets them again. */
export interface Notice {
  /** The duty epoch of the verdict that gave it. */
  epoch: number;
  /** The duties it was below then, in DUTIES order. */
  duties: Duty[];
}

export interface Member extends MemberDescriptor {
  status: MemberStatus;
  /** Ledger timeMs of the last status change (0 for founders). */
  since: number;
  /** Present while the member is under notice; absent otherwise. */
  notice?: Notice;
}

export interface World {
  federation: string;
  version: number;
  /** worldHash of version − 1; null only for the genesis world (version 1). */
  previous: string | null;
  /** Sorted by name, names unique. */
  members: Member[];
  policy: Policy;
  /** The federation key: absent until the first DKG completes (charter §22). */
  federationKey?: FederationKey;
}

const DESCRIPTOR_KEYS = [
  'name',
  'organisation',
  'jurisdiction',
  'nodeKey',
  'governanceKey',
  'endpoints',
] as const;
const DESCRIPTOR_OPTIONAL_KEYS = ['mlDsaKey', 'zerotier'] as const;

export function parseName(x: unknown, path: string): string {
  return text(x, path, 32, MEMBER_NAME_PATTERN);
}

export function parseJurisdiction(x: unknown, path: string): string {
  if (!isJurisdiction(x)) throw new ShapeError(`${path} must be an ISO 3166-1 alpha-2 code such as "DE"`);
  return x;
}

export function parseEndpoints(x: unknown, path: string): Endpoints {
  const o = record(x, path, ['p2p', 'http']);
  const p2p = list(o.p2p, `${path}.p2p`, 1, P2P_ENDPOINTS_MAX).map((a, i) =>
    parseP2pEndpoint(a, `${path}.p2p[${i}]`),
  );
  const http = list(o.http, `${path}.http`, 1, HTTP_ENDPOINTS_MAX).map((u, i) =>
    parseHttpEndpoint(u, `${path}.http[${i}]`),
  );
  unique(p2p, `${path}.p2p`);
  unique(http, `${path}.http`);
  return { p2p, http };
}

export function parseDescriptor(x: unknown, path: string): MemberDescriptor {
  const o = record(x, path, DESCRIPTOR_KEYS, DESCRIPTOR_OPTIONAL_KEYS);
  return descriptorFields(o, path);
}

function descriptorFields(o: Record<string, unknown>, path: string): MemberDescriptor {
  const d: MemberDescriptor = {
    name: parseName(o.name, `${path}.name`),
    organisation: prose(o.organisation, `${path}.organisation`, ORGANISATION_CHARS_MAX),
    jurisdiction: parseJurisdiction(o.jurisdiction, `${path}.jurisdiction`),
    nodeKey: publicKey(o.nodeKey, `${path}.nodeKey`),
    governanceKey: publicKey(o.governanceKey, `${path}.governanceKey`),
    endpoints: parseEndpoints(o.endpoints, `${path}.endpoints`),
  };
  // Optional fields stay absent when absent, so older descriptors keep their canonical bytes.
  if (o.mlDsaKey !== undefined) d.mlDsaKey = mlDsaKey(o.mlDsaKey, `${path}.mlDsaKey`);
  if (o.zerotier !== undefined) d.zerotier = parseZeroTierRoot(o.zerotier, `${path}.zerotier`);
  if (d.nodeKey === d.governanceKey) throw new ShapeError(`${path}: node key and governance key must differ`);
  return d;
}

function parseNotice(x: unknown, path: string): Notice {
  const o = record(x, path, ['epoch', 'duties']);
  const duties = list(o.duties, `${path}.duties`, 1, DUTIES.length).map((d, i) =>
    oneOf(d, `${path}.duties[${i}]`, DUTIES),
  );
  for (let i = 1; i < duties.length; i++) {
    if (DUTIES.indexOf(duties[i - 1]!) >= DUTIES.indexOf(duties[i]!))
      throw new ShapeError(`${path}.duties must be in the order ${DUTIES.join(', ')}, each once`);
  }
  return { epoch: int(o.epoch, `${path}.epoch`, 0, TIME_MS_MAX), duties };
}

export function parseMember(x: unknown, path: string): Member {
  const o = record(x, path, [...DESCRIPTOR_KEYS, 'status', 'since'], [...DESCRIPTOR_OPTIONAL_KEYS, 'notice']);
  return {
    ...descriptorFields(o, path),
    status: oneOf(o.status, `${path}.status`, MEMBER_STATUSES),
    since: int(o.since, `${path}.since`, 0, TIME_MS_MAX),
    ...(o.notice === undefined ? {} : { notice: parseNotice(o.notice, `${path}.notice`) }),
  };
}

/**
 * Reads a world from untrusted JSON: every field, members sorted by unique name, policy
 * within its floors. The membership rules (organisations, jurisdictions, keys) are checked
 * by worldRuleViolation in world-rules.ts, which names the rejection code.
 */
export function parseWorld(x: unknown, path = 'world'): World {
  const o = record(x, path, ['federation', 'version', 'previous', 'members', 'policy'], ['federationKey']);
  const federation = text(o.federation, `${path}.federation`, 64, FEDERATION_PATTERN);
  const version = int(o.version, `${path}.version`, 1, HEIGHT_MAX);
  const previous = o.previous === null ? null : hexHash(o.previous, `${path}.previous`);
  if ((version === 1) !== (previous === null)) {
    throw new ShapeError(`${path}.previous must be null exactly for version 1`);
  }
  const members = list(o.members, `${path}.members`, 1, MEMBERS_MAX).map((m, i) =>
    parseMember(m, `${path}.members[${i}]`),
  );
  for (let i = 1; i < members.length; i++) {
    if (!(members[i - 1]!.name < members[i]!.name)) {
      throw new ShapeError(`${path}.members must be sorted by name with no name twice`);
    }
  }
  const world: World = {
    federation,
    version,
    previous,
    members,
    policy: checkPolicy(o.policy, `${path}.policy`),
  };
  if (o.federationKey !== undefined)
    world.federationKey = parseFederationKey(o.federationKey, `${path}.federationKey`);
  return world;
}

export function descriptorOf(m: Member): MemberDescriptor {
  const d: MemberDescriptor = {
    name: m.name,
    organisation: m.organisation,
    jurisdiction: m.jurisdiction,
    nodeKey: m.nodeKey,
    governanceKey: m.governanceKey,
    endpoints: { p2p: [...m.endpoints.p2p], http: [...m.endpoints.http] },
  };
  if (m.mlDsaKey !== undefined) d.mlDsaKey = m.mlDsaKey;
  if (m.zerotier !== undefined) d.zerotier = structuredClone(m.zerotier);
  return d;
}
