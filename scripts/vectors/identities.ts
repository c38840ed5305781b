// The identities of the governance vectors (ledger/vectors/governance/): every key derives from
// a fixed label, `witan-vectors/<name>/<role>`, so the vectors are a pure function of the
// generator. A replaced key is a new role ('governance-2', 'node-2').

import { toBase64, toHex, utf8Bytes } from '../../src/codec/index.ts';
import { type KeyPair, keyPairFromSeed, sha256 } from '../../src/crypto/index.ts';
import {
  type Change,
  type MemberDescriptor,
  type SignedStatement,
  type Statement,
  signCandidate,
  signStatement,
} from '../../src/governance/index.ts';

export const FEDERATION = 'vectors.witan.test';
export const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function seed(name: string, role: string): Uint8Array {
  return sha256(utf8Bytes(`witan-vectors/${name}/${role}`));
}

const pair = (name: string, role: string): KeyPair => keyPairFromSeed(seed(name, role));
export const gov = (name: string, generation = 1): KeyPair =>
  pair(name, generation === 1 ? 'governance' : `governance-${generation}`);
export const node = (name: string, generation = 1): KeyPair =>
  pair(name, generation === 1 ? 'node' : `node-${generation}`);

/** Every key of the vectors by its base64 public key, so a signer can be found from a world. */
export const KEY_ROLES: readonly [string, string][] = [
  ['alder', 'governance'],
  ['alder', 'node'],
  ['birch', 'governance'],
  ['birch', 'governance-2'],
  ['birch', 'node'],
  ['cedar', 'governance'],
  ['cedar', 'node'],
  ['rowan', 'governance'],
  ['rowan', 'node'],
  ['elm', 'governance'],
  ['elm', 'node'],
  ['fir', 'governance'],
  ['fir', 'node'],
  ['fir', 'node-2'],
  ['gum', 'governance'],
  ['gum', 'node'],
];

export function secretOf(publicKeyBase64: string): Uint8Array {
  for (const [name, role] of KEY_ROLES) {
    const k = pair(name, role);
    if (toBase64(k.publicKey) === publicKeyBase64) return k.secretKey;
  }
  throw new Error(`no vector key ${publicKeyBase64}`);
}

/**
 * keys.json: per identity its first governance and node keys (seeds in hex, public keys in
 * base64), and the keys that replace them later in the scenario.
 */
export function keysFile(): {
  keys: { name: string; governanceSeed: string; governanceKey: string; nodeSeed: string; nodeKey: string }[];
  replacements: { name: string; role: 'governance' | 'node'; seed: string; publicKey: string }[];
} {
  const names = [...new Set(KEY_ROLES.map(([name]) => name))];
  return {
    keys: names.map((name) => ({
      name,
      governanceSeed: toHex(seed(name, 'governance')),
      governanceKey: toBase64(gov(name).publicKey),
      nodeSeed: toHex(seed(name, 'node')),
      nodeKey: toBase64(node(name).publicKey),
    })),
    replacements: KEY_ROLES.filter(([, role]) => role.includes('-')).map(([name, role]) => ({
      name,
      role: role.startsWith('governance') ? ('governance' as const) : ('node' as const),
      seed: toHex(seed(name, role)),
      publicKey: toBase64(pair(name, role).publicKey),
    })),
  };
}

export function descriptor(name: string, jurisdiction: string): MemberDescriptor {
  return {
    name,
    organisation: `${name.toUpperCase()} Institute`,
    jurisdiction,
    nodeKey: toBase64(node(name).publicKey),
    governanceKey: toBase64(gov(name).publicKey),
    endpoints: { p2p: [`/dns4/${name}.example.org/tcp/4001`], http: [`https://${name}.example.org/`] },
  };
}

/** Signed by the author's first governance key unless another key pair is given. */
export function signAs<S extends Statement>(s: S, key: KeyPair = gov(s.author)): SignedStatement<S> {
  return signStatement(s, key.secretKey);
}

export function admitChange(name: string, jurisdiction: string): Change {
  const candidate = descriptor(name, jurisdiction);
  return {
    type: 'admit',
    candidate,
    candidateSignatures: signCandidate(FEDERATION, candidate, gov(name).secretKey, node(name).secretKey),
  };
}
