// A member's ZeroTier root (charter §23) and the planets and moons a world yields. A member
// descriptor may carry `zerotier`: the root's public identity in ZeroTier's text form
// ("address:0:public key") and its stable endpoints ("ip/port"). Reading it checks the format
// (as ZeroTier's Identity::fromString does); the rules check the identity itself — the
// address derives from the public key by ZeroTier's memory-hard hash (Identity::locallyValidate)
// — whenever a descriptor enters a world. The hash costs ≈ 50 ms, so its verdicts are
// remembered (a pure function's cache; bounded).
// planet.ts turns a world into its planet and moon.

import {
  formatEndpoint,
  isValidIdentity,
  parseEndpoint,
  parseIdentity,
  unusableEndpointReason,
} from '../zerotier/index.ts';
import { ZEROTIER_ENDPOINTS_MAX, ZEROTIER_IDENTITY_VERDICTS_MAX } from './constants.ts';
import { list, record, ShapeError, text, unique } from './shape.ts';

export interface ZeroTierRoot {
  /** "address:0:public key hex" (ZeroTier's Identity::toString without the secret). */
  identity: string;
  /** Stable endpoints, "ip/port" as ZeroTier writes them (RFC 5952 for IPv6). */
  endpoints: string[];
}

const IDENTITY_TEXT_CHARS = 10 + 3 + 128;

export function parseZeroTierRoot(x: unknown, path: string): ZeroTierRoot {
  const o = record(x, path, ['identity', 'endpoints']);
  const identity = text(o.identity, `${path}.identity`, IDENTITY_TEXT_CHARS + 129);
  let parsed: ReturnType<typeof parseIdentity>;
  try {
    parsed = parseIdentity(identity);
  } catch (e) {
    throw new ShapeError(`${path}.identity: ${(e as Error).message}`);
  }
  if ('secretKey' in parsed) {
    throw new ShapeError(
      `${path}.identity carries its secret key: give the public identity (identity.public)`,
    );
  }
  const endpoints = list(o.endpoints, `${path}.endpoints`, 1, ZEROTIER_ENDPOINTS_MAX).map((e, i) => {
    const where = `${path}.endpoints[${i}]`;
    const s = text(e, where, 64);
    let endpoint: ReturnType<typeof parseEndpoint>;
    try {
      endpoint = parseEndpoint(s);
    } catch (err) {
      throw new ShapeError(`${where}: ${(err as Error).message}`);
    }
    if (formatEndpoint(endpoint) !== s)
      throw new ShapeError(`${where} must be written as ZeroTier writes it: ${formatEndpoint(endpoint)}`);
    const unusable = unusableEndpointReason(endpoint);
    if (unusable !== undefined) throw new ShapeError(`${where} is ${unusable}: ZeroTier nodes never use it`);
    return s;
  });
  unique(endpoints, `${path}.endpoints`);
  return { identity, endpoints };
}

const verdicts = new Map<string, boolean>();

/** ZeroTier's own identity check (memory-hard hash); verdicts are remembered. */
export function zeroTierIdentityIsValid(identity: string): boolean {
  const known = verdicts.get(identity);
  if (known !== undefined) return known;
  let ok = false;
  try {
    ok = isValidIdentity(parseIdentity(identity));
  } catch {
    ok = false;
  }
  if (verdicts.size >= ZEROTIER_IDENTITY_VERDICTS_MAX) verdicts.delete(verdicts.keys().next().value!);
  verdicts.set(identity, ok);
  return ok;
}

/** The ZeroTier address of a root (its first ten hex digits). */
export function zeroTierAddress(root: ZeroTierRoot): string {
  return root.identity.slice(0, 10);
}
