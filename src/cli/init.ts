// `witan init`: a new member's data folder, keys, config and member descriptor.
// The node key stays on the server (libp2p identity, consensus votes, cosignatures); so does
// the ML-DSA-44 key of its post-quantum cosignatures. The governance key signs motions and
// ballots and may live elsewhere, e.g. on removable media, encrypted with a passphrase. With
// --zerotier-identity, the descriptor also offers the member's ZeroTier root for the planet.
//
// Where the root listens (--listen: an IP address of this machine, 0.0.0.0 for all) and where
// others reach it (--announce: DNS names or public addresses, often a TLS proxy's) differ, so
// they are asked for separately. Every address is checked before anything is written.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { toBase64 } from '../codec/index.ts';
import { generateKeyPair, ML_DSA_44_SEED_BYTES, mlDsaKeyPairFromSeed } from '../crypto/index.ts';
import { writeKeyFile, writeSecretKeyFile } from '../crypto/key-file.ts';
import {
  type Endpoints,
  isDnsName,
  type MemberDescriptor,
  nonPublicEndpoint,
  parseHttpEndpoint,
  parseIpv4,
  parseIpv6,
  parseListenMultiaddr,
  parseP2pEndpoint,
  parseZeroTierRoot,
  ShapeError,
  scopeWords,
  type ZeroTierRoot,
  zeroTierIdentityIsValid,
} from '../governance/index.ts';
import {
  CONFIG_FILE_NAME,
  DEFAULT_HTTP_PORT,
  DEFAULT_OPERATOR_PORT,
  DEFAULT_P2P_PORT,
} from '../node/constants.ts';
import { CliError, EXIT_STATE, usage } from './errors.ts';
import { action, printJson, say, warn } from './output.ts';

export const DESCRIPTOR_FILE_NAME = 'member.json';
export const NODE_KEY_FILE_NAME = 'node.key';
export const GOVERNANCE_KEY_FILE_NAME = 'governance.key';
export const ML_DSA_KEY_FILE_NAME = 'ml-dsa.key';

export interface InitOptions {
  dir: string;
  name: string;
  organisation: string;
  jurisdiction: string;
  /** The IP address the root binds (HTTP and libp2p); 0.0.0.0 or :: for every interface. */
  listen: string;
  /** DNS names or addresses (or whole multiaddrs and URLs) others reach this root at. */
  announce: readonly string[];
  /** Let announced endpoints be loopback, private or link-local (a lab, the devnet). */
  allowPrivateEndpoints?: boolean;
  httpPort: number;
  p2pPort: number;
  operatorPort: number;
  governanceKey?: string;
  passphrase?: string;
  /** The member's ZeroTier root: its public identity and stable endpoints. */
  zerotier?: ZeroTierRoot;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,30}[a-z0-9]$/;
const COUNTRY = /^[A-Z]{2}$/;

/** An address to bind: an IPv4 or IPv6 literal of this machine (no name: binding needs an address). */
function listenAddress(text: string): { host: string; multiaddr: (port: number) => string } {
  const v4 = parseIpv4(text) !== undefined;
  if (!v4 && parseIpv6(text) === undefined)
    throw usage(
      `--listen ${text}: an IP address of this machine, e.g. 0.0.0.0 (every interface) or 127.0.0.1`,
    );
  return { host: text, multiaddr: (port) => `/${v4 ? 'ip4' : 'ip6'}/${text}/tcp/${port}` };
}

/**
 * Announced endpoints from --announce values: a DNS name gives /dns4/<name>/tcp/<p2p port> and
 * https://<name>/ (a TLS proxy in front of the HTTP port); an IP address gives
 * /ip4|ip6/<address>/tcp/<p2p port> and http://<address>:<http port>/ (certificates name hosts,
 * so an address is reached directly); a multiaddr or a URL is taken as written.
 */
export function announcedEndpoints(values: readonly string[], httpPort: number, p2pPort: number): Endpoints {
  if (values.length === 0)
    throw usage('--announce <name>: the DNS name or public address other roots reach this root at');
  const p2p: string[] = [];
  const http: string[] = [];
  for (const value of values) {
    const where = `--announce ${value}`;
    try {
      if (value.startsWith('/')) p2p.push(parseP2pEndpoint(value, where));
      else if (value.includes('://')) http.push(parseHttpEndpoint(value, where));
      else if (parseIpv4(value) !== undefined) {
        p2p.push(parseP2pEndpoint(`/ip4/${value}/tcp/${p2pPort}`, where));
        http.push(parseHttpEndpoint(`http://${value}:${httpPort}/`, where));
      } else if (parseIpv6(value) !== undefined) {
        p2p.push(parseP2pEndpoint(`/ip6/${value}/tcp/${p2pPort}`, where));
        http.push(parseHttpEndpoint(new URL(`http://[${value}]:${httpPort}/`).href, where));
      } else if (isDnsName(value)) {
        p2p.push(parseP2pEndpoint(`/dns4/${value}/tcp/${p2pPort}`, where));
        http.push(parseHttpEndpoint(`https://${value}/`, where));
      } else {
        throw usage(
          `${where}: not a DNS name (lowercase letters, digits, hyphens), an IP address, a multiaddr or an http(s) URL`,
        );
      }
    } catch (err) {
      if (err instanceof ShapeError) throw usage(err.message);
      throw err;
    }
  }
  if (p2p.length === 0)
    throw usage('--announce: give a name or address, or a multiaddr, for the libp2p endpoint');
  if (http.length === 0) throw usage('--announce: give a name or address, or a URL, for the HTTP endpoint');
  const unique = (xs: string[]) => [...new Set(xs)];
  return { p2p: unique(p2p), http: unique(http) };
}

/** Refuses announced endpoints other roots cannot reach, unless they are allowed. */
export function checkAnnounced(endpoints: Endpoints, allowPrivate: boolean, flag: string): void {
  if (allowPrivate) return;
  const found = nonPublicEndpoint([...endpoints.p2p, ...endpoints.http]);
  if (found !== undefined) {
    throw usage(
      `--announce: ${found.endpoint} is ${scopeWords(found.scope)}; other roots could not reach it. Announce a public name or address, or pass ${flag} for a federation on one machine or private network.`,
    );
  }
}

/** Creates the folder, keys and config; returns the descriptor. Refuses to overwrite anything. */
export function initMember(o: InitOptions): {
  descriptor: MemberDescriptor;
  dir: string;
  governanceKeyFile: string;
  warnings: string[];
} {
  if (!NAME.test(o.name))
    throw usage(`--name ${JSON.stringify(o.name)}: use 2-32 of a-z, 0-9 and "-", e.g. "uni-lisboa"`);
  if (o.organisation.trim() === '' || o.organisation.length > 128)
    throw usage('--organisation: 1-128 characters');
  if (!COUNTRY.test(o.jurisdiction))
    throw usage(`--jurisdiction ${o.jurisdiction}: an ISO 3166-1 alpha-2 code, e.g. PT`);
  const listen = listenAddress(o.listen);
  const p2pListen = listen.multiaddr(o.p2pPort);
  try {
    parseListenMultiaddr(p2pListen, '--listen');
  } catch (err) {
    throw usage((err as Error).message);
  }
  const endpoints = announcedEndpoints(o.announce, o.httpPort, o.p2pPort);
  checkAnnounced(endpoints, o.allowPrivateEndpoints === true, '--allow-private-endpoints');
  const dir = resolve(o.dir);
  const configPath = join(dir, CONFIG_FILE_NAME);
  if (existsSync(configPath)) {
    throw new CliError(
      EXIT_STATE,
      `${configPath} exists: ${dir} is already a Witan data folder. Choose another --dir.`,
    );
  }
  const governanceKeyFile = resolve(o.governanceKey ?? join(dir, GOVERNANCE_KEY_FILE_NAME));
  let zerotier: ZeroTierRoot | undefined;
  if (o.zerotier !== undefined) {
    try {
      zerotier = parseZeroTierRoot(o.zerotier, 'zerotier');
    } catch (err) {
      throw usage(`--zerotier-identity / --zerotier-endpoint: ${(err as Error).message}`);
    }
    if (!zeroTierIdentityIsValid(zerotier.identity))
      throw usage(
        `${zerotier.identity.slice(0, 10)} is no ZeroTier identity: its address does not derive from its key`,
      );
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const node = generateKeyPair();
  const governance = generateKeyPair();
  const mlDsaSeed = new Uint8Array(randomBytes(ML_DSA_44_SEED_BYTES));
  const mlDsa = mlDsaKeyPairFromSeed(mlDsaSeed);
  writeKeyFile(join(dir, NODE_KEY_FILE_NAME), node, { kind: 'node' });
  writeSecretKeyFile(join(dir, ML_DSA_KEY_FILE_NAME), {
    kind: 'ml-dsa',
    secret: mlDsaSeed,
    publicKey: mlDsa.publicKey,
  });
  writeKeyFile(governanceKeyFile, governance, {
    kind: 'governance',
    ...(o.passphrase === undefined ? {} : { passphrase: o.passphrase }),
  });
  const config = {
    dataDir: '.',
    nodeKeyFile: NODE_KEY_FILE_NAME,
    mlDsaKeyFile: ML_DSA_KEY_FILE_NAME,
    genesisFile: 'genesis.json',
    http: { host: listen.host, port: o.httpPort },
    operator: { port: o.operatorPort },
    p2p: { listen: [p2pListen], announce: endpoints.p2p },
  };
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx' });
  const descriptor: MemberDescriptor = {
    name: o.name,
    organisation: o.organisation.trim(),
    jurisdiction: o.jurisdiction,
    nodeKey: toBase64(node.publicKey),
    governanceKey: toBase64(governance.publicKey),
    endpoints,
    mlDsaKey: toBase64(mlDsa.publicKey),
    ...(zerotier === undefined ? {} : { zerotier }),
  };
  writeFileSync(join(dir, DESCRIPTOR_FILE_NAME), `${JSON.stringify(descriptor, null, 2)}\n`, { flag: 'wx' });
  const warnings: string[] = [];
  if (o.passphrase === undefined && isInside(governanceKeyFile, dir)) {
    warnings.push(unencryptedGovernanceKeyWarning(governanceKeyFile));
  }
  return { descriptor, dir, governanceKeyFile, warnings };
}

function isInside(file: string, dir: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

export function unencryptedGovernanceKeyWarning(file: string): string {
  return `the governance key ${file} is not encrypted and sits in the data folder: whoever takes the server can vote for your institution. Move it off the server (e.g. removable media) or protect it with a passphrase (witan init --governance-key … --passphrase-file …).`;
}

/** --zerotier-identity and --zerotier-endpoint, read into a ZeroTier root (public identity only). */
function zeroTierOption(identityFile: unknown, endpoints: unknown): { zerotier?: ZeroTierRoot } {
  if (identityFile === undefined && endpoints === undefined) return {};
  if (identityFile === undefined || endpoints === undefined)
    throw usage('--zerotier-identity and --zerotier-endpoint come together');
  let text: string;
  try {
    text = readFileSync(String(identityFile), 'utf8').trim();
  } catch (err) {
    throw usage(`cannot read ${String(identityFile)} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  // An identity.secret holds the secret half too: only the public identity goes to the federation.
  const identity = text.split(':').slice(0, 3).join(':');
  return { zerotier: { identity, endpoints: endpoints as string[] } };
}

export function readPassphraseFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const text = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  if (text === '') throw usage(`${path} is empty: a passphrase file holds the passphrase on its first line`);
  return text;
}

export function portOption(name: string): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!/^\d{1,5}$/.test(text) || n > 65_535) throw usage(`${name} ${text}: a TCP port is 0-65535`);
    return n;
  };
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description("create a member's data folder, node key, governance key and config")
    .requiredOption('--name <name>', 'short member name used in cosignatures, e.g. uni-lisboa')
    .requiredOption('--organisation <org>', 'legal name of the institution')
    .requiredOption('--jurisdiction <CC>', 'ISO 3166-1 alpha-2 country code, e.g. PT')
    .option('--dir <folder>', 'data folder to create', './witan-data')
    .option(
      '--listen <address>',
      'IP address the root binds: 0.0.0.0 (every interface), ::, 127.0.0.1…',
      '0.0.0.0',
    )
    .option(
      '--announce <name>',
      'DNS name or public address other roots reach this root at (repeat for more; a multiaddr or URL is taken as written)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--allow-private-endpoints',
      'allow loopback, private and link-local announced endpoints (one machine or a private network)',
    )
    .option('--http-port <port>', 'public HTTP API port', portOption('--http-port'), DEFAULT_HTTP_PORT)
    .option(
      '--p2p-port <port>',
      'libp2p port (roots, relay, rendezvous)',
      portOption('--p2p-port'),
      DEFAULT_P2P_PORT,
    )
    .option(
      '--operator-port <port>',
      'loopback-only operator port',
      portOption('--operator-port'),
      DEFAULT_OPERATOR_PORT,
    )
    .option('--governance-key <file>', 'where to write the governance key (e.g. removable media)')
    .option('--passphrase-file <file>', 'encrypt the governance key with the passphrase in this file')
    .option(
      '--zerotier-identity <file>',
      "this member's ZeroTier root identity (identity.public), for the planet",
    )
    .option(
      '--zerotier-endpoint <ip/port>',
      'a stable endpoint of that ZeroTier root, e.g. 203.0.113.7/9993 (repeat for more)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Example:
  $ witan init --name uni-lisboa --organisation "Universidade de Lisboa" \\
      --jurisdiction PT --dir /var/lib/witan --announce root.example.org \\
      --governance-key /media/usb/gov.key --passphrase-file /root/gov-pass

  --announce root.example.org announces /dns4/root.example.org/tcp/4480 and
  https://root.example.org/ (your TLS proxy in front of port 8480); an IP address
  announces http://<address>:8480/ and /ip4/<address>/tcp/4480.

Then hand member.json (in the data folder) to the federation: founders put it in
the genesis (witan genesis assemble), a running federation admits it by motion
(witan propose admit member.json).`,
    )
    .action(
      action((opts: Record<string, string | string[] | number | boolean | undefined>) => {
        const result = initMember({
          dir: String(opts.dir),
          name: String(opts.name),
          organisation: String(opts.organisation),
          jurisdiction: String(opts.jurisdiction),
          listen: String(opts.listen),
          announce: (opts.announce as string[] | undefined) ?? [],
          allowPrivateEndpoints: opts.allowPrivateEndpoints === true,
          httpPort: Number(opts.httpPort),
          p2pPort: Number(opts.p2pPort),
          operatorPort: Number(opts.operatorPort),
          ...(opts.governanceKey === undefined ? {} : { governanceKey: String(opts.governanceKey) }),
          ...(opts.passphraseFile === undefined
            ? {}
            : { passphrase: readPassphraseFile(String(opts.passphraseFile)) }),
          ...zeroTierOption(opts.zerotierIdentity, opts.zerotierEndpoint),
        });
        for (const w of result.warnings) warn(w);
        if (opts.json) {
          printJson({
            dir: result.dir,
            governanceKeyFile: result.governanceKeyFile,
            descriptor: result.descriptor,
          });
          return;
        }
        say(`Created ${result.dir}`);
        say(`  node key        ${join(result.dir, NODE_KEY_FILE_NAME)} (keep on the server, mode 0600)`);
        say(`  governance key  ${result.governanceKeyFile}`);
        say(`  config          ${join(result.dir, CONFIG_FILE_NAME)}`);
        say(`  descriptor      ${join(result.dir, DESCRIPTOR_FILE_NAME)}`);
        say();
        say('Hand the descriptor to the federation:');
        say(JSON.stringify(result.descriptor, null, 2));
      }),
    );
}
