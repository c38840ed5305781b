// `witan devnet --compose DIR` writes a federation that works where its service names resolve.
// There is no container engine here, so the roots run as processes on this machine, each under
// `unshare --mount` with its own /etc/hosts mapping the service names to loopback addresses
// (127.77.0.2 alpha, …): the roots announce, dial and catch up by service name at the fixed
// ports of the compose configs, exactly as on a compose network. Only the bind address comes
// from the environment (WITAN_HTTP_HOST, WITAN_P2P_LISTEN), since four roots share one network
// stack, and the operator port (loopback, never announced). Needs root, for unshare and mount.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  COMPOSE_FEDERATION,
  COMPOSE_FILE_NAME,
  COMPOSE_MANIFEST_FILE_NAME,
  type ComposeManifest,
  serviceEndpoints,
} from '../../src/cli/compose.ts';
import {
  freePort,
  type RootProcess,
  spawnRoot,
  stopRoot,
  waitHealthy,
} from '../../src/cli/root-processes.ts';
import { parseConfig } from '../../src/node/config.ts';
import { reachWorldV2, witan } from './compose-story.ts';

const HEALTHCHECK = fileURLToPath(new URL('../../src/cli/healthcheck.ts', import.meta.url));
/** Loopback addresses nothing else on the machine uses: root i is 127.77.0.(i + 2). */
const address = (i: number) => `127.77.0.${i + 2}`;

let base: string;
let dir: string;
let manifest: ComposeManifest;

before(() => {
  base = mkdtempSync(join(tmpdir(), 'witan-compose-'));
  dir = join(base, 'net');
  const r = witan(['devnet', '--compose', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /docker compose -f .*compose\.yaml up -d/);
  manifest = JSON.parse(readFileSync(join(dir, COMPOSE_MANIFEST_FILE_NAME), 'utf8'));
});

after(() => rmSync(base, { recursive: true, force: true }));

test('every root listens on all interfaces at the default ports and announces its service name', () => {
  assert.equal(manifest.federation, COMPOSE_FEDERATION);
  assert.deepEqual(
    manifest.roots.map((r) => r.name),
    ['alpha', 'beta', 'gamma', 'delta'],
  );
  for (const r of manifest.roots) {
    const config = parseConfig(JSON.parse(readFileSync(join(dir, r.config), 'utf8')), join(dir, r.config));
    assert.equal(config.http.host, '0.0.0.0');
    assert.equal(config.http.port, 8480);
    assert.equal(config.operator.port, 8481);
    assert.deepEqual(config.p2p.listen, ['/ip4/0.0.0.0/tcp/4480']);
    assert.deepEqual(config.p2p.announce, [`/dns4/${r.service}/tcp/4480`]);
    const descriptor = JSON.parse(readFileSync(join(dir, r.dir, 'member.json'), 'utf8'));
    assert.deepEqual(descriptor.endpoints, serviceEndpoints(r.service));
    assert.deepEqual(r.endpoints, {
      p2p: [`/dns4/${r.service}/tcp/4480`],
      http: [`http://${r.service}:8480/`],
    });
  }
});

test('the genesis is signed by every founder for the service names, and each root holds it', () => {
  const verify = witan(['genesis', 'verify', join(dir, 'genesis.json')]);
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, /signed +alpha, beta, delta, gamma/);
  const genesisText = readFileSync(join(dir, 'genesis.json'), 'utf8');
  const genesis = JSON.parse(genesisText);
  assert.equal(genesis.world.federation, COMPOSE_FEDERATION);
  for (const m of genesis.world.members) assert.deepEqual(m.endpoints, serviceEndpoints(m.name));
  for (const r of manifest.roots)
    assert.equal(readFileSync(join(dir, r.dir, 'genesis.json'), 'utf8'), genesisText);
});

test('compose.yaml runs one service per root from the image, data folder at /data, API on loopback', () => {
  const yaml = readFileSync(join(dir, COMPOSE_FILE_NAME), 'utf8');
  const services = [...yaml.matchAll(/^ {2}([a-z]+):\n((?: {4}.*\n)+)/gm)];
  assert.deepEqual(
    services.map((m) => m[1]),
    manifest.roots.map((r) => r.service),
  );
  for (const [i, m] of services.entries()) {
    const body = m[2]!;
    assert.match(body, /image: "\$\{WITAN_IMAGE:-witan:\d+\.\d+\.\d+\}"/);
    assert.match(body, new RegExp(`volumes: \\["\\./${m[1]}:/data"\\]`));
    assert.match(body, new RegExp(`ports: \\["127\\.0\\.0\\.1:${8501 + i}:8480"\\]`));
  }
  // Run as root, the folders belong to the image's unprivileged user (uid 10001).
  if (process.getuid?.() === 0)
    for (const r of manifest.roots) assert.equal(statSync(join(dir, r.dir)).uid, 10001);
});

test('a folder that is not empty is refused and left as it was', () => {
  const before = readdirSync(dir).sort();
  const r = witan(['devnet', '--compose', dir]);
  assert.equal(r.code, 4);
  assert.match(r.stderr, /is not empty; --compose writes a new federation into a new folder/);
  assert.deepEqual(readdirSync(dir).sort(), before);
  const members = witan(['devnet', '--compose', join(base, 'other'), '--members', '0']);
  assert.equal(members.code, 3);
  assert.match(members.stderr, /--members 0: use 1\.\.15/);
});

test('the roots reach world v2 by service name, and the health probe follows the configured port', async () => {
  const hosts = join(base, 'hosts');
  writeFileSync(
    hosts,
    ['127.0.0.1 localhost', ...manifest.roots.map((r, i) => `${address(i)} ${r.service}`), ''].join('\n'),
  );
  // A private mount namespace per root, where /etc/hosts is the file above; exec keeps the pid.
  const wrap = ['unshare', '--mount', 'sh', '-c', `mount --bind "${hosts}" /etc/hosts && exec "$@"`, 'sh'];
  const roots: RootProcess[] = [];
  const operatorPorts: number[] = [];
  try {
    for (const [i, r] of manifest.roots.entries()) {
      const operatorPort = await freePort();
      operatorPorts.push(operatorPort);
      roots.push(
        spawnRoot({
          name: r.name,
          dir: join(dir, r.dir),
          httpUrl: `http://${address(i)}:${r.httpPort}`,
          wrap,
          env: {
            WITAN_HTTP_HOST: address(i),
            WITAN_P2P_LISTEN: `/ip4/${address(i)}/tcp/${r.p2pPort}`,
            WITAN_OPERATOR_PORT: String(operatorPort),
          },
        }),
      );
    }
    await Promise.all(roots.map((r) => waitHealthy(r)));

    // The probe reads the config (and its environment overrides): healthy on the port the root
    // uses, unhealthy on another, with Docker's exit codes.
    const alphaConfig = join(dir, manifest.roots[0]!.config);
    const probe = (port: number) =>
      spawnSync(process.execPath, [HEALTHCHECK, alphaConfig], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, WITAN_OPERATOR_PORT: String(port) },
      });
    const healthy = probe(operatorPorts[0]!);
    assert.equal(healthy.status, 0, healthy.stderr);
    assert.match(healthy.stdout, new RegExp(`127\\.0\\.0\\.1:${operatorPorts[0]}/health answered 200`));
    const unhealthy = probe(await freePort());
    assert.equal(unhealthy.status, 1);

    await reachWorldV2({ dir, manifest, urls: roots.map((r) => r.httpUrl) });
  } finally {
    await Promise.all(roots.map((r) => stopRoot(r)));
  }
});
