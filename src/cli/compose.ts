// `witan devnet --compose DIR`: a devnet federation for containers, written to DIR instead of run
// here. Containers on one private network reach each other by service name, so every root
// listens on 0.0.0.0 at the default ports and announces its service name (/dns4/alpha/tcp/4480,
// http://alpha:8480/); the founders sign the genesis for exactly those endpoints, which is what
// makes the federation work wherever the names resolve: a compose network, or hosts files in
// network namespaces. DIR holds one folder per root (keys, config, member descriptor, genesis),
// compose.yaml, and roots.json, which tells a harness without YAML where everything is.

import { chownSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WITAN_VERSION } from '../base/index.ts';
import type { Endpoints, Policy } from '../governance/index.ts';
import {
  CONFIG_FILE_NAME,
  DEFAULT_HTTP_PORT,
  DEFAULT_OPERATOR_PORT,
  DEFAULT_P2P_PORT,
} from '../node/constants.ts';
import { CliError, EXIT_STATE } from './errors.ts';
import {
  foundFederation,
  GENESIS_FILE_NAME,
  type LocalMember,
  MEMBER_COUNTRIES,
  MEMBER_NAMES,
  MEMBER_ORGANISATIONS,
} from './federation.ts';
import { DESCRIPTOR_FILE_NAME, GOVERNANCE_KEY_FILE_NAME, initMember } from './init.ts';
import { say } from './output.ts';

export const COMPOSE_FEDERATION = 'compose.witan.test';
export const COMPOSE_FILE_NAME = 'compose.yaml';
export const COMPOSE_MANIFEST_FILE_NAME = 'roots.json';
/** Root i's public port is published on the host's loopback at this plus i + 1 (alpha: 8501). */
export const COMPOSE_PUBLISHED_PORT_BASE = 8500;
/** The image's unprivileged user (deploy/Dockerfile), who must own the data folders. */
export const CONTAINER_UID = 10001;
/** Roots share one machine's cores: let consensus wait on a busy event loop rather than shed load. */
const COMPOSE_EVENT_LOOP_DELAY_MAX_MS = 2000;

/** What roots.json says of each root; paths are relative to DIR. */
export interface ComposeRoot {
  name: string;
  /** The compose service, and the host name the others reach this root at. */
  service: string;
  dir: string;
  config: string;
  governanceKey: string;
  httpPort: number;
  p2pPort: number;
  operatorPort: number;
  endpoints: Endpoints;
  /** Where the host reaches the root's public API once compose publishes it. */
  publishedHttpUrl: string;
}

export interface ComposeManifest {
  federation: string;
  version: string;
  genesis: string;
  compose: string;
  roots: ComposeRoot[];
}

/** The endpoints a root announces on a network where its service name resolves. */
export function serviceEndpoints(service: string): Endpoints {
  return {
    p2p: [`/dns4/${service}/tcp/${DEFAULT_P2P_PORT}`],
    http: [`http://${service}:${DEFAULT_HTTP_PORT}/`],
  };
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * `witan init` for root i, then its config and descriptor set for a container: listening on
 * every interface at the default ports, announcing its service name.
 */
function createComposeRoot(base: string, i: number): ComposeRoot & LocalMember {
  const name = MEMBER_NAMES[i]!;
  const dir = join(base, name);
  initMember({
    dir,
    name,
    organisation: MEMBER_ORGANISATIONS[i]!,
    jurisdiction: MEMBER_COUNTRIES[i]!,
    listen: '0.0.0.0',
    // The service name, which only the compose network resolves: a private endpoint, which
    // the devnet's policy allows (foundFederation sets privateEndpointsAllowed).
    announce: [`/dns4/${name}/tcp/${DEFAULT_P2P_PORT}`, `http://${name}:${DEFAULT_HTTP_PORT}/`],
    allowPrivateEndpoints: true,
    httpPort: DEFAULT_HTTP_PORT,
    p2pPort: DEFAULT_P2P_PORT,
    operatorPort: DEFAULT_OPERATOR_PORT,
  });
  const endpoints = serviceEndpoints(name);
  writeJson(join(dir, CONFIG_FILE_NAME), {
    dataDir: '.',
    nodeKeyFile: 'node.key',
    genesisFile: GENESIS_FILE_NAME,
    // A devnet: the root may author evidence statements itself.
    governanceKeyFile: GOVERNANCE_KEY_FILE_NAME,
    http: { host: '0.0.0.0', port: DEFAULT_HTTP_PORT, eventLoopDelayMaxMs: COMPOSE_EVENT_LOOP_DELAY_MAX_MS },
    operator: { port: DEFAULT_OPERATOR_PORT },
    p2p: { listen: [`/ip4/0.0.0.0/tcp/${DEFAULT_P2P_PORT}`], announce: endpoints.p2p },
    log: { level: 'info' },
  });
  const descriptorPath = join(dir, DESCRIPTOR_FILE_NAME);
  writeJson(descriptorPath, { ...JSON.parse(readFileSync(descriptorPath, 'utf8')), endpoints });
  return {
    name,
    service: name,
    dir,
    config: join(name, CONFIG_FILE_NAME),
    governanceKey: join(name, GOVERNANCE_KEY_FILE_NAME),
    httpUrl: endpoints.http[0]!,
    httpPort: DEFAULT_HTTP_PORT,
    p2pPort: DEFAULT_P2P_PORT,
    operatorPort: DEFAULT_OPERATOR_PORT,
    endpoints,
    publishedHttpUrl: `http://127.0.0.1:${COMPOSE_PUBLISHED_PORT_BASE + i + 1}/`,
  };
}

/** compose.yaml: one service per root, its data folder mounted at /data, its API on loopback. */
export function composeYaml(roots: readonly ComposeRoot[], o: { user?: string }): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [
    `# A Witan devnet of ${roots.length} roots in containers, written by \`witan devnet --compose\`.`,
    '# Build the image from a release first (docs/installing.md), then: docker compose up -d',
    '# Each root announces its service name, which the compose network resolves; the genesis is',
    '# signed for those names and the default ports, so keep both as they are.',
    'name: witan-devnet',
    'services:',
  ];
  for (const r of roots) {
    lines.push(
      `  ${r.service}:`,
      `    image: ${q(`\${WITAN_IMAGE:-witan:${WITAN_VERSION}}`)}`,
      ...(o.user === undefined ? [] : [`    user: ${q(o.user)}`]),
      `    volumes: [${q(`./${r.dir}:/data`)}]`,
      `    ports: [${q(`127.0.0.1:${new URL(r.publishedHttpUrl).port}:${r.httpPort}`)}]`,
      '    restart: unless-stopped',
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface ComposeOptions {
  dir: string;
  members: number;
  policy: Policy;
}

/**
 * Writes the federation into `dir`, which must be new or empty: nothing is written otherwise.
 * Run as root, the data folders are handed to the image's user; otherwise the containers run as
 * the user who owns them.
 */
export function writeComposeFederation(o: ComposeOptions): ComposeManifest {
  const base = resolve(o.dir);
  if (existsSync(base) && readdirSync(base).length > 0)
    throw new CliError(
      EXIT_STATE,
      `${base} is not empty; --compose writes a new federation into a new folder`,
    );
  const roots = Array.from({ length: o.members }, (_, i) => createComposeRoot(base, i));
  foundFederation({ base, federation: COMPOSE_FEDERATION, members: roots, policy: o.policy });
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  let user: string | undefined;
  if (uid === 0) {
    for (const r of roots) chownTree(r.dir, CONTAINER_UID, CONTAINER_UID);
  } else if (uid !== undefined && gid !== undefined) {
    user = `${uid}:${gid}`;
  }
  const manifest: ComposeManifest = {
    federation: COMPOSE_FEDERATION,
    version: WITAN_VERSION,
    genesis: GENESIS_FILE_NAME,
    compose: COMPOSE_FILE_NAME,
    roots: roots.map(({ dir: _dir, httpUrl: _url, ...r }) => ({ ...r, dir: r.name })),
  };
  writeFileSync(
    join(base, COMPOSE_FILE_NAME),
    composeYaml(manifest.roots, user === undefined ? {} : { user }),
  );
  writeJson(join(base, COMPOSE_MANIFEST_FILE_NAME), manifest);
  return manifest;
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) chownTree(path, uid, gid);
    else chownSync(path, uid, gid);
  }
}

/** What was written and how to run it, for the person who asked. */
export function sayComposeNext(manifest: ComposeManifest, dir: string): void {
  const base = resolve(dir);
  const [first, ...others] = manifest.roots;
  say(`Wrote a devnet of ${manifest.roots.length} roots for containers in ${base}:`);
  for (const r of manifest.roots)
    say(`  ${r.name.padEnd(8)} ${r.endpoints.http[0]} (from this machine: ${r.publishedHttpUrl})`);
  say(`  ${COMPOSE_FILE_NAME}, ${COMPOSE_MANIFEST_FILE_NAME}, ${GENESIS_FILE_NAME} (signed for these names)`);
  if (first === undefined) return;
  say('\nBuild the image from a release and start the roots (docs/installing.md):');
  say('  npm run release');
  say(
    `  docker build -f deploy/Dockerfile --build-arg WITAN_VERSION=${manifest.version} -t witan:${manifest.version} .`,
  );
  say(`  docker compose -f ${join(base, COMPOSE_FILE_NAME)} up -d`);
  say('\nThen change the world together, as officers do:');
  say(
    `  witan propose update ${first.name} --organisation "${first.name} (renamed)" --root ${first.publishedHttpUrl} --governance-key ${join(base, first.governanceKey)}`,
  );
  for (const r of others)
    say(
      `  witan vote <motion id> yes --root ${r.publishedHttpUrl} --governance-key ${join(base, r.governanceKey)}`,
    );
  say(`  witan world show --root ${first.publishedHttpUrl}`);
}
