// The federation's policy (governance/policy.md documents every field): the
// thresholds and limits the rules engine applies, their defaults, and the hard floors that no
// motion can cross — in particular approval can never be 2/3 or less ("more than" num/den
// with num/den ≥ 2/3), and a jurisdiction's share must stay below a third.

import { FRACTION_DEN_MAX, WITNESS_NAME_PATTERN, WITNESSES_MAX } from './constants.ts';
import { int, list, publicKey, record, ShapeError, text } from './shape.ts';

/** A threshold num/den; "more than" or "less than" is stated by each rule using it. */
export interface Fraction {
  num: number;
  den: number;
}

export interface RelayPolicy {
  reservationsMax: number;
  circuitBytesMax: number;
  circuitDurationMs: number;
  connectionsPerIpPerSecond: number;
  pendingConnectionsMax: number;
}

export interface RendezvousPolicy {
  ttlMinS: number;
  ttlMaxS: number;
  registrationsPerPeerMax: number;
  registrationsPerNamespaceMax: number;
  discoverLimitMax: number;
}

/** An outside witness the federation trusts (charter §20): a name and an Ed25519 key. */
export interface RecoveryWitness {
  /** Its name, as it signs checkpoints (C2SP note key name). */
  name: string;
  /** Base64 of its 32-byte Ed25519 public key. */
  key: string;
}

/** Recovery when members vanish for good (charter §20). */
export interface RecoveryPolicy {
  /** A recovery may be signed only after this long without any batch. */
  silenceMs: number;
  /** A recovery takes effect this long after it was signed; roots wait it out. */
  timeLockMs: number;
  /** The federation's trusted outside witnesses, sorted by name. */
  witnesses: RecoveryWitness[];
  /** How many of them must sign a recovery: more than half of them. */
  witnessQuorum: number;
}

/** The services every root owes overlay peers and the other roots (charter §21). */
export type Duty = 'http' | 'p2p' | 'relay' | 'rendezvous';
export const DUTIES: readonly Duty[] = ['http', 'p2p', 'relay', 'rendezvous'];

/** How roots are held to their duties (charter §21). */
export interface DutyPolicy {
  /** Roots count probes and report per duty epoch: floor(timeMs / epochMs). */
  epochMs: number;
  /** Epochs a member under notice has before a motion to sanction it opens. */
  graceEpochs: number;
  /** Each duty's share of probes that must succeed, "at least"; 0/1 enforces nothing. */
  successMin: Record<Duty, Fraction>;
}

/** The federation key (charter §22): present = the voting members hold a FROST key. */
export interface FederationKeyPolicy {
  /** Ledger time each DKG phase may take before members that did not take part are left out. */
  phaseMs: number;
}

/** The federation's ZeroTier planet (charter §23). */
export interface ZeroTierPolicy {
  /** The planet's world id: a u64 in decimal, neither 0 nor ZeroTier's Earth or Mars. */
  worldId: string;
  /** Roots in the planet, 1..4 (ZeroTier's limit): the longest-voting members with a ZeroTier root. */
  planetRootsMax: number;
  /** With it, members with a ZeroTier root left out of the planet go into a moon of this id. */
  moonWorldId?: string;
}

export interface Policy {
  /** A motion passes when yes-ballots are MORE THAN this share of eligible voting members. */
  approvalThreshold: Fraction;
  /** The same, for motions that change the policy. Never below approvalThreshold. */
  policyChangeThreshold: Fraction;
  /** Longest life of a motion: deadlineMs ≤ createdMs + motionTtlMs. */
  motionTtlMs: number;
  /** Admissions that may pass in one epoch (epoch = floor(timeMs / epochMs)). */
  maxAdmissionsPerEpoch: number;
  epochMs: number;
  /** Time an admitted member spends in probation (cosigns and relays, does not vote). */
  probationPeriodMs: number;
  /** Each jurisdiction's share of voting+probation members must be LESS than this. */
  jurisdictionShareMax: Fraction;
  /** Statements in one committed batch. */
  batchStatementsMax: number;
  /** Oldest statement a batch accepts (createdMs ≥ timeMs − statementAgeMaxMs). */
  statementAgeMaxMs: number;
  /** Clients refuse a world whose freshest quorum cosignature is older than this. */
  checkpointFreshnessMs: number;
  /**
   * Policy-change motions count only SEASONED voting members — voting for at least this long
   * (since + seasoningPeriodMs ≤ batch time) — for and in the denominator (charter §13).
   * Optional in documents for worlds written before it existed; absent = the default.
   */
  seasoningPeriodMs?: number;
  /**
   * Members may announce endpoints on unspecified, loopback, private or link-local addresses
   * (charter §8): for a federation on one machine or one private network, never across the
   * Internet, where such an endpoint points other roots at their own networks. Optional in
   * documents; absent = false.
   */
  privateEndpointsAllowed?: boolean;
  /**
   * A motion that removes a member passes when yes-ballots are MORE THAN this share of the
   * seasoned voting members (charter §7, §13). Above approvalThreshold, at least 3/4 and at
   * least policyChangeThreshold. Optional in older documents; absent = the default.
   */
  removalThreshold?: Fraction;
  /** A member's self-updates accepted within selfUpdateWindowMs (charter §15). Optional. */
  selfUpdatesPerWindowMax?: number;
  selfUpdateWindowMs?: number;
  /** Recovery when members vanish for good (charter §20). Optional; absent = the default. */
  recovery?: RecoveryPolicy;
  /**
   * How roots are held to their duties (charter §21). Optional in documents; absent reads as
   * DEFAULT_DUTY_POLICY.
   */
  duties?: DutyPolicy;
  relay: RelayPolicy;
  rendezvous: RendezvousPolicy;
  /** Optional: the federation key and its DKG (charter §22). Absent = no federation key. */
  federationKey?: FederationKeyPolicy;
  /**
   * Optional: from this world version on, a member counts towards a checkpoint's quorum only
   * with both its Ed25519 and its ML-DSA-44 cosignature (ledger/LEDGER.md §3.4). Absent = never.
   */
  mlDsaRequiredFromVersion?: number;
  /** Optional: the planet (and moon) each world yields (charter §23). Needs federationKey. */
  zerotier?: ZeroTierPolicy;
}

const HOUR_MS = 3_600_000;

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) deepFreeze(v);
  return Object.freeze(o);
}
const DAY_MS = 24 * HOUR_MS;

/** The federation key's defaults: each DKG phase may take ten minutes of ledger time. */
export const DEFAULT_FEDERATION_KEY_POLICY: FederationKeyPolicy = deepFreeze({ phaseMs: 10 * 60_000 });

/** Deeply frozen: copy it (structuredClone or spread) to make a policy of your own. */
export const DEFAULT_POLICY: Policy = deepFreeze({
  approvalThreshold: { num: 2, den: 3 },
  policyChangeThreshold: { num: 3, den: 4 },
  motionTtlMs: 14 * DAY_MS,
  maxAdmissionsPerEpoch: 1,
  epochMs: 30 * DAY_MS,
  probationPeriodMs: 30 * DAY_MS,
  jurisdictionShareMax: { num: 1, den: 3 },
  batchStatementsMax: 256,
  statementAgeMaxMs: DAY_MS,
  checkpointFreshnessMs: HOUR_MS,
  seasoningPeriodMs: 365 * DAY_MS,
  removalThreshold: { num: 3, den: 4 },
  selfUpdatesPerWindowMax: 4,
  selfUpdateWindowMs: DAY_MS,
  recovery: { silenceMs: 30 * DAY_MS, timeLockMs: 7 * DAY_MS, witnesses: [], witnessQuorum: 1 },
  relay: {
    reservationsMax: 128,
    circuitBytesMax: 1 << 20,
    circuitDurationMs: 120_000,
    connectionsPerIpPerSecond: 5,
    pendingConnectionsMax: 10,
  },
  rendezvous: {
    ttlMinS: 120,
    ttlMaxS: 72 * 3600,
    registrationsPerPeerMax: 100,
    registrationsPerNamespaceMax: 1000,
    discoverLimitMax: 1000,
  },
});

/**
 * The duty policy a world reads when its policy has none. Availability (HTTP and libp2p
 * reachability) at 99 % of probes; relaying and rendezvous, heavier to probe, at 95 %.
 */
export const DEFAULT_DUTY_POLICY: DutyPolicy = deepFreeze({
  epochMs: DAY_MS,
  graceEpochs: 2,
  successMin: {
    http: { num: 99, den: 100 },
    p2p: { num: 99, den: 100 },
    relay: { num: 95, den: 100 },
    rendezvous: { num: 95, den: 100 },
  },
});

/**
 * Ranges of the duty policy's numbers, [min, max]. An epoch of at least an hour bounds the
 * ledger: each voting root commits one report per epoch, of up to one observation per member.
 */
export const DUTY_POLICY_RANGES = {
  'duties.epochMs': [HOUR_MS, 30 * DAY_MS],
  'duties.graceEpochs': [1, 30],
} as const satisfies Record<string, readonly [number, number]>;

/** Field ranges: [min, max]. The min of a governance field is its hard floor (policy.md). */
export const POLICY_RANGES = {
  motionTtlMs: [HOUR_MS, 90 * DAY_MS],
  maxAdmissionsPerEpoch: [1, 8],
  epochMs: [DAY_MS, 366 * DAY_MS],
  probationPeriodMs: [DAY_MS, 366 * DAY_MS],
  batchStatementsMax: [1, 1024],
  statementAgeMaxMs: [60_000, 7 * DAY_MS],
  checkpointFreshnessMs: [60_000, 30 * DAY_MS],
  seasoningPeriodMs: [180 * DAY_MS, 1098 * DAY_MS],
  selfUpdatesPerWindowMax: [1, 64],
  selfUpdateWindowMs: [HOUR_MS, 30 * DAY_MS],
  'recovery.silenceMs': [7 * DAY_MS, 366 * DAY_MS],
  'recovery.timeLockMs': [DAY_MS, 90 * DAY_MS],
  'recovery.witnessQuorum': [1, WITNESSES_MAX],
  'relay.reservationsMax': [1, 65_536],
  'relay.circuitBytesMax': [1024, 2 ** 40],
  'relay.circuitDurationMs': [1000, DAY_MS],
  'relay.connectionsPerIpPerSecond': [1, 10_000],
  'relay.pendingConnectionsMax': [1, 65_536],
  'rendezvous.ttlMinS': [1, 72 * 3600],
  'rendezvous.ttlMaxS': [1, 7 * 24 * 3600],
  'rendezvous.registrationsPerPeerMax': [1, 100_000],
  'rendezvous.registrationsPerNamespaceMax': [1, 1_000_000],
  'rendezvous.discoverLimitMax': [1, 10_000],
  'federationKey.phaseMs': [60_000, 7 * DAY_MS],
  mlDsaRequiredFromVersion: [1, 2 ** 48],
  'zerotier.planetRootsMax': [1, 4],
} as const satisfies Record<string, readonly [number, number]>;

const POLICY_KEYS = [
  'approvalThreshold',
  'policyChangeThreshold',
  'motionTtlMs',
  'maxAdmissionsPerEpoch',
  'epochMs',
  'probationPeriodMs',
  'jurisdictionShareMax',
  'batchStatementsMax',
  'statementAgeMaxMs',
  'checkpointFreshnessMs',
  'relay',
  'rendezvous',
] as const;
/** Fields a document may omit (each then reads as its DEFAULT_POLICY value, or as "off"). */
const POLICY_OPTIONAL_KEYS = [
  'seasoningPeriodMs',
  'privateEndpointsAllowed',
  'removalThreshold',
  'selfUpdatesPerWindowMax',
  'selfUpdateWindowMs',
  'recovery',
  'duties',
  'federationKey',
  'mlDsaRequiredFromVersion',
  'zerotier',
] as const;
const RECOVERY_KEYS = ['silenceMs', 'timeLockMs', 'witnesses', 'witnessQuorum'] as const;
/** ZeroTier's own world ids, never ours: Earth (ZT_WORLD_ID_EARTH) and Mars. */
const RESERVED_WORLD_IDS = ['149604618', '227883110'];
const U64_DECIMAL = /^(0|[1-9][0-9]{0,19})$/;

function worldId(x: unknown, path: string): string {
  if (typeof x !== 'string' || !U64_DECIMAL.test(x) || BigInt(x) >= 2n ** 64n || x === '0') {
    throw new ShapeError(`${path} must be a world id: a u64 above 0 in decimal, as a string`);
  }
  if (RESERVED_WORLD_IDS.includes(x)) throw new ShapeError(`${path} is one of ZeroTier's own world ids`);
  return x;
}
const RELAY_KEYS = [
  'reservationsMax',
  'circuitBytesMax',
  'circuitDurationMs',
  'connectionsPerIpPerSecond',
  'pendingConnectionsMax',
] as const;
const RENDEZVOUS_KEYS = [
  'ttlMinS',
  'ttlMaxS',
  'registrationsPerPeerMax',
  'registrationsPerNamespaceMax',
  'discoverLimitMax',
] as const;

function fraction(x: unknown, path: string): Fraction {
  const o = record(x, path, ['num', 'den']);
  const den = int(o.den, `${path}.den`, 1, FRACTION_DEN_MAX);
  const num = int(o.num, `${path}.num`, 0, den);
  return { num, den };
}

function parseDutyPolicy(x: unknown, path: string): DutyPolicy {
  const o = record(x, path, ['epochMs', 'graceEpochs', 'successMin']);
  const min = record(o.successMin, `${path}.successMin`, DUTIES);
  return {
    epochMs: int(o.epochMs, `${path}.epochMs`, 0, Number.MAX_SAFE_INTEGER),
    graceEpochs: int(o.graceEpochs, `${path}.graceEpochs`, 0, Number.MAX_SAFE_INTEGER),
    successMin: {
      http: fraction(min.http, `${path}.successMin.http`),
      p2p: fraction(min.p2p, `${path}.successMin.p2p`),
      relay: fraction(min.relay, `${path}.successMin.relay`),
      rendezvous: fraction(min.rendezvous, `${path}.successMin.rendezvous`),
    },
  };
}

function flag(x: unknown, path: string): boolean {
  if (typeof x !== 'boolean') throw new ShapeError(`${path} must be true or false`);
  return x;
}

function witness(x: unknown, path: string): RecoveryWitness {
  const o = record(x, path, ['name', 'key']);
  return {
    name: text(o.name, `${path}.name`, 64, WITNESS_NAME_PATTERN),
    key: publicKey(o.key, `${path}.key`),
  };
}

function recoveryPolicy(x: unknown, path: string): RecoveryPolicy {
  const o = record(x, path, RECOVERY_KEYS);
  const witnesses = list(o.witnesses, `${path}.witnesses`, 0, WITNESSES_MAX).map((w, i) =>
    witness(w, `${path}.witnesses[${i}]`),
  );
  for (let i = 1; i < witnesses.length; i++) {
    if (!(witnesses[i - 1]!.name < witnesses[i]!.name))
      throw new ShapeError(`${path}.witnesses must be sorted by name with no name twice`);
  }
  if (new Set(witnesses.map((w) => w.key)).size !== witnesses.length)
    throw new ShapeError(`${path}.witnesses: every witness has its own key`);
  return {
    silenceMs: inRange(o.silenceMs, 'recovery.silenceMs'),
    timeLockMs: inRange(o.timeLockMs, 'recovery.timeLockMs'),
    witnesses,
    witnessQuorum: inRange(o.witnessQuorum, 'recovery.witnessQuorum'),
  };
}

/** A non-negative safe integer; its range is a floor question for policyViolation. */
function inRange(x: unknown, path: keyof typeof POLICY_RANGES): number {
  return int(x, `policy.${path}`, 0, Number.MAX_SAFE_INTEGER);
}

/**
 * Reads a policy from untrusted JSON: exact fields, integers in their type's domain. Floors
 * and ranges are checked separately by policyViolation, because a policy below its floor is a
 * rule violation (POLICY_BELOW_FLOOR), not a malformed document.
 */
export function parsePolicy(x: unknown, path = 'policy'): Policy {
  const o = record(x, path, POLICY_KEYS, POLICY_OPTIONAL_KEYS);
  const relay = record(o.relay, `${path}.relay`, RELAY_KEYS);
  const rendezvous = record(o.rendezvous, `${path}.rendezvous`, RENDEZVOUS_KEYS);
  const policy: Policy = {
    approvalThreshold: fraction(o.approvalThreshold, `${path}.approvalThreshold`),
    policyChangeThreshold: fraction(o.policyChangeThreshold, `${path}.policyChangeThreshold`),
    motionTtlMs: inRange(o.motionTtlMs, 'motionTtlMs'),
    maxAdmissionsPerEpoch: inRange(o.maxAdmissionsPerEpoch, 'maxAdmissionsPerEpoch'),
    epochMs: inRange(o.epochMs, 'epochMs'),
    probationPeriodMs: inRange(o.probationPeriodMs, 'probationPeriodMs'),
    jurisdictionShareMax: fraction(o.jurisdictionShareMax, `${path}.jurisdictionShareMax`),
    batchStatementsMax: inRange(o.batchStatementsMax, 'batchStatementsMax'),
    statementAgeMaxMs: inRange(o.statementAgeMaxMs, 'statementAgeMaxMs'),
    checkpointFreshnessMs: inRange(o.checkpointFreshnessMs, 'checkpointFreshnessMs'),
    // Kept absent when absent, so the canonical bytes (and world hash) of older worlds stay
    // put; in DEFAULT_POLICY's key order when present.
    ...(o.seasoningPeriodMs === undefined
      ? {}
      : { seasoningPeriodMs: inRange(o.seasoningPeriodMs, 'seasoningPeriodMs') }),
    ...(o.privateEndpointsAllowed === undefined
      ? {}
      : { privateEndpointsAllowed: flag(o.privateEndpointsAllowed, `${path}.privateEndpointsAllowed`) }),
    ...(o.removalThreshold === undefined
      ? {}
      : { removalThreshold: fraction(o.removalThreshold, `${path}.removalThreshold`) }),
    ...(o.selfUpdatesPerWindowMax === undefined
      ? {}
      : { selfUpdatesPerWindowMax: inRange(o.selfUpdatesPerWindowMax, 'selfUpdatesPerWindowMax') }),
    ...(o.selfUpdateWindowMs === undefined
      ? {}
      : { selfUpdateWindowMs: inRange(o.selfUpdateWindowMs, 'selfUpdateWindowMs') }),
    ...(o.recovery === undefined ? {} : { recovery: recoveryPolicy(o.recovery, `${path}.recovery`) }),
    ...(o.duties === undefined ? {} : { duties: parseDutyPolicy(o.duties, `${path}.duties`) }),
    relay: {
      reservationsMax: inRange(relay.reservationsMax, 'relay.reservationsMax'),
      circuitBytesMax: inRange(relay.circuitBytesMax, 'relay.circuitBytesMax'),
      circuitDurationMs: inRange(relay.circuitDurationMs, 'relay.circuitDurationMs'),
      connectionsPerIpPerSecond: inRange(relay.connectionsPerIpPerSecond, 'relay.connectionsPerIpPerSecond'),
      pendingConnectionsMax: inRange(relay.pendingConnectionsMax, 'relay.pendingConnectionsMax'),
    },
    rendezvous: {
      ttlMinS: inRange(rendezvous.ttlMinS, 'rendezvous.ttlMinS'),
      ttlMaxS: inRange(rendezvous.ttlMaxS, 'rendezvous.ttlMaxS'),
      registrationsPerPeerMax: inRange(
        rendezvous.registrationsPerPeerMax,
        'rendezvous.registrationsPerPeerMax',
      ),
      registrationsPerNamespaceMax: inRange(
        rendezvous.registrationsPerNamespaceMax,
        'rendezvous.registrationsPerNamespaceMax',
      ),
      discoverLimitMax: inRange(rendezvous.discoverLimitMax, 'rendezvous.discoverLimitMax'),
    },
  };
  // Optional blocks stay absent when absent (older worlds keep their bytes), in this order.
  if (o.federationKey !== undefined) {
    const f = record(o.federationKey, `${path}.federationKey`, ['phaseMs']);
    policy.federationKey = { phaseMs: inRange(f.phaseMs, 'federationKey.phaseMs') };
  }
  if (o.mlDsaRequiredFromVersion !== undefined)
    policy.mlDsaRequiredFromVersion = inRange(o.mlDsaRequiredFromVersion, 'mlDsaRequiredFromVersion');
  if (o.zerotier !== undefined) {
    const z = record(o.zerotier, `${path}.zerotier`, ['worldId', 'planetRootsMax'], ['moonWorldId']);
    policy.zerotier = {
      worldId: worldId(z.worldId, `${path}.zerotier.worldId`),
      planetRootsMax: inRange(z.planetRootsMax, 'zerotier.planetRootsMax'),
    };
    if (z.moonWorldId !== undefined) {
      policy.zerotier.moonWorldId = worldId(z.moonWorldId, `${path}.zerotier.moonWorldId`);
      if (policy.zerotier.moonWorldId === policy.zerotier.worldId)
        throw new ShapeError(`${path}.zerotier: the moon and the planet need different world ids`);
    }
  }
  return policy;
}

const frac = (f: Fraction): string => `${f.num}/${f.den}`;
/** a ≥ b for fractions, exactly (denominators ≤ 1000 keep the products small). */
const atLeast = (a: Fraction, b: Fraction): boolean => a.num * b.den >= b.num * a.den;

/** A numeric field; an absent optional field reads as its default, or undefined (off). */
function get(policy: Policy, path: string): number | undefined {
  let v: unknown = policy;
  for (const part of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
  if (v !== undefined || policy === DEFAULT_POLICY) return v as number | undefined;
  return get(DEFAULT_POLICY, path);
}

/** The seasoning period in force (charter §13): the policy's, or the default when absent. */
export function seasoningPeriodOf(policy: Policy): number {
  return policy.seasoningPeriodMs ?? DEFAULT_POLICY.seasoningPeriodMs!;
}

/** Whether members may announce non-public endpoints (charter §8): the policy's, or false. */
export function privateEndpointsAllowed(policy: Policy): boolean {
  return policy.privateEndpointsAllowed === true;
}

/** The removal threshold in force (charter §7): the policy's, or the default when absent. */
export function removalThresholdOf(policy: Policy): Fraction {
  return policy.removalThreshold ?? DEFAULT_POLICY.removalThreshold!;
}

/** The self-update limit in force (charter §15): at most `max` per member within `windowMs`. */
export function selfUpdateLimitOf(policy: Policy): { max: number; windowMs: number } {
  return {
    max: policy.selfUpdatesPerWindowMax ?? DEFAULT_POLICY.selfUpdatesPerWindowMax!,
    windowMs: policy.selfUpdateWindowMs ?? DEFAULT_POLICY.selfUpdateWindowMs!,
  };
}

/** The recovery settings in force (charter §20): the policy's, or the defaults when absent. */
export function recoveryPolicyOf(policy: Policy): RecoveryPolicy {
  return policy.recovery ?? DEFAULT_POLICY.recovery!;
}

/** The duty policy in force (charter §21): the policy's, or DEFAULT_DUTY_POLICY when absent. */
export function dutiesOf(policy: Policy): DutyPolicy {
  return policy.duties ?? DEFAULT_DUTY_POLICY;
}

/**
 * The first floor or range the policy breaks, as a sentence, or null. The hard floors:
 * 2/3 ≤ approval < 1, approval ≤ policy change < 1, removal ≥ 3/4 and ≥ policy change and
 * > approval and < 1, 0 < jurisdiction share ≤ 1/3, every numeric field inside
 * POLICY_RANGES, rendezvous ttlMinS ≤ ttlMaxS, a witness quorum of more than half the witnesses,
 * duty epochs and grace inside DUTY_POLICY_RANGES.
 */
export function policyViolation(p: Policy): string | null {
  const twoThirds = { num: 2, den: 3 };
  const third = { num: 1, den: 3 };
  if (!atLeast(p.approvalThreshold, twoThirds) || p.approvalThreshold.num >= p.approvalThreshold.den) {
    return `approval threshold ${frac(p.approvalThreshold)} must be at least 2/3 and below 1`;
  }
  if (
    !atLeast(p.policyChangeThreshold, p.approvalThreshold) ||
    p.policyChangeThreshold.num >= p.policyChangeThreshold.den
  ) {
    return `policy-change threshold ${frac(p.policyChangeThreshold)} must be at least the approval threshold and below 1`;
  }
  const removal = removalThresholdOf(p);
  if (
    !atLeast(removal, { num: 3, den: 4 }) ||
    !atLeast(removal, p.policyChangeThreshold) ||
    atLeast(p.approvalThreshold, removal) ||
    removal.num >= removal.den
  ) {
    return `removal threshold ${frac(removal)} must be at least 3/4 and the policy-change threshold, above the approval threshold and below 1`;
  }
  if (p.jurisdictionShareMax.num === 0 || !atLeast(third, p.jurisdictionShareMax)) {
    return `jurisdiction share ${frac(p.jurisdictionShareMax)} must be above 0 and at most 1/3`;
  }
  for (const [path, [min, max]] of Object.entries(POLICY_RANGES)) {
    const v = get(p, path);
    if (v !== undefined && (v < min || v > max)) return `${path} = ${v} is outside ${min}..${max}`;
  }
  if (p.rendezvous.ttlMinS > p.rendezvous.ttlMaxS) return 'rendezvous.ttlMinS must not exceed ttlMaxS';
  const { witnesses, witnessQuorum } = recoveryPolicyOf(p);
  if (witnesses.length > 0 && (2 * witnessQuorum <= witnesses.length || witnessQuorum > witnesses.length)) {
    return `recovery.witnessQuorum ${witnessQuorum} must be more than half of the ${witnesses.length} witnesses and at most all of them`;
  }
  if (p.duties !== undefined) {
    const values = { 'duties.epochMs': p.duties.epochMs, 'duties.graceEpochs': p.duties.graceEpochs };
    for (const [path, [min, max]] of Object.entries(DUTY_POLICY_RANGES)) {
      const v = values[path as keyof typeof values];
      if (v < min || v > max) return `${path} = ${v} is outside ${min}..${max}`;
    }
  }
  if (p.zerotier !== undefined && p.federationKey === undefined)
    return 'zerotier needs federationKey: a planet is signed with the federation key';
  return null;
}

/** Reads and checks a policy; throws ShapeError naming the field for either failure. */
export function checkPolicy(x: unknown, path = 'policy'): Policy {
  const p = parsePolicy(x, path);
  const v = policyViolation(p);
  if (v !== null) throw new ShapeError(`${path}: ${v}`);
  return p;
}
