// `witan devnet --compose DIR` writes a federation that works where its service names resolve.
// There is no container engine here, so each root runs as a process in a network namespace of
// its own (test/netlab), as a container has one: exactly the configs written, with no
// environment overrides — 0.0.0.0 at the default ports, the operator port on the namespace's
// own loopback — and a hosts file in every namespace mapping the service names, so the roots
// announce, dial and catch up by service name as on a compose network. The officers propose
// and vote from another machine on that network. Needs root, for the namespaces.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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
import type { WorldResponse } from '../../src/cli/root-api.ts';
import { type RootProcess, spawnRoot, stopRoot } from '../../src/cli/root-processes.ts';
import { parseConfig } from '../../src/node/config.ts';
import { createLab, type LabHost } from '../netlab/lab.ts';
import { STORY_STEP_TIMEOUT_MS, witan } from './compose-story.ts';

const HEALTHCHECK = fileURLToPath(new URL('../../src/cli/healthcheck.ts', import.meta.url));
const OFFICERS = fileURLToPath(new URL('./fixtures/officers.ts', import.meta.url));
/** The officers' story: three waits for the federation (compose-story.ts). */
const STORY_TIMEOUT_MS = 3 * STORY_STEP_TIMEOUT_MS;
const TEST_TIMEOUT_MS = STORY_TIMEOUT_MS + 60_000;
const netnsExec = (host: LabHost) => ['ip', 'netns', 'exec', host.ns];

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

test('the roots reach world v2 by service name, each in its own network namespace, and the health probe follows the configured port', {
  timeout: TEST_TIMEOUT_MS,
}, async () => {
  // One namespace per service on one flat network, plus the officers' machine; every hosts
  // file maps the service names to IPv4 addresses, as a compose network's DNS does.
  const lab = await createLab({ roots: manifest.roots.length, homes: [], publicPeers: 1, ipv4: true });
  const roots: RootProcess[] = [];
  try {
    lab.nameHosts(Object.fromEntries(manifest.roots.map((r, i) => [r.service, lab.roots[i]!])), {
      family: 4,
    });
    const urls = manifest.roots.map((r) => r.endpoints.http[0]!);
    for (const [i, r] of manifest.roots.entries()) {
      // Exactly the written config: no environment overrides, the default ports on 0.0.0.0.
      roots.push(
        spawnRoot({ name: r.name, dir: join(dir, r.dir), httpUrl: urls[i]!, wrap: netnsExec(lab.roots[i]!) }),
      );
    }
    const exited = Promise.race(
      roots.map((r) =>
        r.exited.then(({ code, signal }) => {
          throw new Error(`root ${r.name} exited (${code ?? signal}); see ${r.logFile}`);
        }),
      ),
    );
    const officers = lab.spawnNode(lab.publicPeers[0]!, OFFICERS, [dir, ...urls]);
    const world = await Promise.race([officers.firstJson<WorldResponse>(STORY_TIMEOUT_MS), exited]);
    assert.equal(world.version, 2);
    assert.equal(world.world.members.length, manifest.roots.length);
    for (const m of world.world.members) assert.deepEqual(m.endpoints, serviceEndpoints(m.name));

    // The probe reads the config (and its environment overrides): healthy on the port the root
    // uses, unhealthy on another, with Docker's exit codes.
    const alphaConfig = join(dir, manifest.roots[0]!.config);
    const probe = (env: NodeJS.ProcessEnv) =>
      spawnSync('ip', ['netns', 'exec', lab.roots[0]!.ns, process.execPath, HEALTHCHECK, alphaConfig], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, ...env },
      });
    const healthy = probe({});
    assert.equal(healthy.status, 0, healthy.stderr);
    assert.match(healthy.stdout, /127\.0\.0\.1:8481\/health answered 200/);
    const unhealthy = probe({ WITAN_OPERATOR_PORT: String(manifest.roots[0]!.operatorPort + 1) });
    assert.equal(unhealthy.status, 1);
  } finally {
    await Promise.all(roots.map((r) => stopRoot(r)));
    await lab.close();
  }
});
