// A federation of members on this machine, built the way people build one (README "Founding a
// federation"): `witan init` for each member (ports on 127.0.0.1), then the genesis ceremony
// (assemble the descriptors, every founder signs). Shared by `witan devnet` and the
// multi-process tests so both found federations exactly alike.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Policy, SignedGenesis, ZeroTierRoot } from '../governance/index.ts';
import { CONFIG_FILE_NAME } from '../node/constants.ts';
import { assembleDraft, signDraft } from './genesis.ts';
import { DESCRIPTOR_FILE_NAME, GOVERNANCE_KEY_FILE_NAME, initMember } from './init.ts';
import { freePort } from './root-processes.ts';

export const LOCAL_MEMBERS_MAX = 17;
export const GENESIS_FILE_NAME = 'genesis.json';

export const MEMBER_NAMES = [
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'zeta',
  'eta',
  'theta',
  'iota',
  'kappa',
  'lambda',
  'mu',
  'nu',
  'xi',
  'omicron',
  'pi',
  'rho',
] as const;
const COUNTRIES = [
  'PT',
  'DE',
  'FR',
  'NL',
  'ES',
  'IT',
  'SE',
  'FI',
  'IE',
  'BE',
  'AT',
  'CZ',
  'PL',
  'DK',
  'NO',
  'CH',
  'GR',
];
export const MEMBER_ORGANISATIONS = [
  'Universidade do Norte',
  'Institut für Netze',
  'Fondation Ouverte',
  'Stichting Wortel',
  'Fundación Enlace',
  'Consorzio Rete',
  'Föreningen Nät',
  'Verkko ry',
  'Líonra Teo',
  'Netwerk vzw',
  'Netzverein',
  'Síť z.s.',
  'Fundacja Sieć',
  'Netforeningen',
  'Nettlaget',
  'Netzstiftung',
  'Ίδρυμα Δικτύου',
];
export const MEMBER_COUNTRIES: readonly string[] = COUNTRIES;

export interface LocalMember {
  name: string;
  dir: string;
  httpUrl: string;
  httpPort: number;
  p2pPort: number;
  operatorPort: number;
}

/**
 * `witan init` for the i-th local member under `base`, on free 127.0.0.1 ports. The root may
 * author evidence itself (governanceKeyFile set, see src/node/evidencer.ts) and tolerates a busy
 * machine's event loop (many roots share its cores).
 */
export async function createLocalMember(
  base: string,
  i: number,
  o: { logLevel?: string; eventLoopDelayMaxMs?: number; witnesses?: string[]; zerotier?: ZeroTierRoot } = {},
): Promise<LocalMember> {
  if (!Number.isInteger(i) || i < 0 || i >= LOCAL_MEMBERS_MAX)
    throw new RangeError(`member index ${i}: use 0..${LOCAL_MEMBERS_MAX - 1}`);
  const name = MEMBER_NAMES[i]!;
  const dir = join(base, name);
  const [httpPort, p2pPort, operatorPort] = [await freePort(), await freePort(), await freePort()];
  initMember({
    dir,
    name,
    organisation: MEMBER_ORGANISATIONS[i]!,
    jurisdiction: COUNTRIES[i]!,
    listen: '127.0.0.1',
    announce: ['127.0.0.1'],
    allowPrivateEndpoints: true,
    httpPort,
    p2pPort,
    operatorPort,
    ...(o.zerotier === undefined ? {} : { zerotier: o.zerotier }),
  });
  const configPath = join(dir, CONFIG_FILE_NAME);
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  const http = { ...config.http, eventLoopDelayMaxMs: o.eventLoopDelayMaxMs ?? 2000 };
  const updated = {
    ...config,
    governanceKeyFile: GOVERNANCE_KEY_FILE_NAME,
    ...(o.witnesses === undefined ? {} : { witnesses: o.witnesses }),
    log: { level: o.logLevel ?? 'info' },
    http,
  };
  writeFileSync(configPath, `${JSON.stringify(updated, null, 2)}\n`);
  return { name, dir, httpUrl: `http://127.0.0.1:${httpPort}`, httpPort, p2pPort, operatorPort };
}

/**
 * The genesis ceremony: assembles the members' descriptors with `policy`, has every founder
 * sign, and writes the signed genesis into each member's folder and into `base`. Local members
 * announce 127.0.0.1, so the policy allows private endpoints (charter §8).
 */
export function foundFederation(o: {
  base: string;
  federation: string;
  members: readonly LocalMember[];
  policy: Policy;
  onSigned?: (name: string) => void;
}): SignedGenesis {
  const policyFile = join(o.base, 'policy.json');
  const policy: Policy = { ...o.policy, privateEndpointsAllowed: true };
  writeFileSync(policyFile, `${JSON.stringify(policy, null, 2)}\n`);
  let draft: SignedGenesis = assembleDraft(
    o.federation,
    o.members.map((m) => join(m.dir, DESCRIPTOR_FILE_NAME)),
    policyFile,
  );
  for (const m of o.members) {
    draft = signDraft(draft, join(m.dir, GOVERNANCE_KEY_FILE_NAME)).draft;
    o.onSigned?.(m.name);
  }
  const text = `${JSON.stringify(draft, null, 2)}\n`;
  for (const m of o.members) writeFileSync(join(m.dir, GENESIS_FILE_NAME), text);
  writeFileSync(join(o.base, GENESIS_FILE_NAME), text);
  return draft;
}
