// docs/operating-a-root.md works as written: its shell examples are read from the file and run,
// in order, through the real `witan` command, on two founders' hosts — init with an announced
// name, the genesis ceremony, config check, start, status, a node-key rotation committed as
// world v2 — and at the end every root is healthy, serves world v2, and passes config check.
//
// Each example says where it runs after ```sh: `each` host in turn or the `first` one, and
// `background` (a root that keeps running), `stopped` (with that host's root stopped around
// it) or `once-world-2` (after every root serves world version 2).
//
// The hosts are network namespaces on a closed lab network (test/netlab) with IPv4 and IPv6
// addresses of the documentation ranges. The doc's founder announces root.example.org; the
// second announces root.example.net. Both names resolve in every namespace through its hosts
// file, so the roots dial and catch up by name with no DNS server. The endpoint rules judge a
// name by its shape, so both are public: the ceremony runs without --allow-private-endpoints,
// as it would on the Internet. Each host runs what the doc puts in front of port 8480, a TLS
// proxy on 443 (here a small one, test/netlab/fixtures/tls-proxy.ts), with a certificate for
// both names that every process trusts (NODE_EXTRA_CA_CERTS, standing in for the system's
// certificate store). A host adapts a command only by giving the doc's absolute paths a folder
// of its own (the namespaces share one file system) and, for the second founder, its own
// member name and host name. The founders hand files to each other through a shared folder.

import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_HTTP_PORT } from '../../src/node/constants.ts';
import { REQUEST_TIMEOUT_MS } from '../helpers/http.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { waitUntil } from '../helpers/wait.ts';
import { createLab, type Lab, type LabHost } from '../netlab/lab.ts';

const REPO = join(import.meta.dirname, '..', '..');
const DOC = join(REPO, 'docs', 'operating-a-root.md');
const BIN = fileURLToPath(new URL('../../bin/witan.js', import.meta.url));
const TLS_PROXY = join(REPO, 'test', 'netlab', 'fixtures', 'tls-proxy.ts');
const HTTP_GET = join(REPO, 'test', 'netlab', 'fixtures', 'http-get.ts');
const COMMAND_TIMEOUT_MS = 120_000;
const READY_WITHIN_MS = 120_000;
/** A probe process: its start inside the namespace, plus one request. */
const PROBE_TIMEOUT_MS = REQUEST_TIMEOUT_MS + 10_000;
const PROXY_START_MS = 15_000;
const POLL_MS = 500;
const TEST_TIMEOUT_MS = 900_000;
/** Where the TLS proxy listens, as the doc's nginx and Caddy do. */
const HTTPS_PORT = 443;
/** Absolute paths the doc uses; each host keeps them under its own folder. */
const DOC_PATHS = ['/var/lib/witan', '/media/usb', '/root'];
const PLACES = ['each', 'first'] as const;
const MODIFIERS = ['background', 'stopped', 'once-world-2'] as const;

interface Example {
  where: (typeof PLACES)[number];
  modifiers: Set<string>;
  /** Commands, continuation lines joined. */
  commands: string[];
}

function examples(): Example[] {
  const out: Example[] = [];
  const text = readFileSync(DOC, 'utf8');
  for (const m of text.matchAll(/^```sh([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm)) {
    const [where, ...modifiers] = m[1]!.trim().split(/\s+/);
    assert.ok(PLACES.includes(where as Example['where']), `an sh example says where it runs: "${m[1]}"`);
    for (const x of modifiers)
      assert.ok((MODIFIERS as readonly string[]).includes(x), `unknown modifier ${x}`);
    const commands = m[2]!
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    out.push({ where: where as Example['where'], modifiers: new Set(modifiers), commands });
  }
  return out;
}

interface Founder {
  name: string;
  organisation: string;
  jurisdiction: string;
  /** The DNS name the founder announces, which resolves to its host in the lab. */
  hostName: string;
}
/** The doc's own founder first: its commands run unchanged apart from paths. */
const FOUNDERS: Founder[] = [
  {
    name: 'uni-lisboa',
    organisation: 'Universidade de Lisboa',
    jurisdiction: 'PT',
    hostName: 'root.example.org',
  },
  {
    name: 'tu-delft',
    organisation: 'Technische Universiteit Delft',
    jurisdiction: 'NL',
    hostName: 'root.example.net',
  },
];

interface Run {
  code: number | null;
  out: string;
}

/** A founder's machine: adapts the doc's commands to itself and runs them. */
interface DocHost {
  founder: Founder;
  adapt(command: string): string;
  run(command: string, cwd: string): Promise<Run>;
  /** Starts a long-running command; the returned process is stopped by stop(). */
  spawn(command: string, cwd: string): ChildProcess;
  /** GET on the root's public API at its announced URL, from the host itself. */
  get(path: string): Promise<{ status: number; body: string }>;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function namespaceHost(
  lab: Lab,
  host: LabHost,
  founder: Founder,
  o: { base: string; env: NodeJS.ProcessEnv },
): DocHost {
  const dir = join(o.base, founder.name);
  for (const p of DOC_PATHS) mkdirSync(join(dir, p), { recursive: true, mode: 0o700 });
  const me = FOUNDERS[0]!;
  const adapt = (command: string): string => {
    let c = command;
    for (const p of DOC_PATHS)
      c = c.replace(new RegExp(`(^|[\\s=("'])${p}(?=[/\\s)"']|$)`, 'g'), (_, lead) => `${lead}${dir}${p}`);
    if (founder === me) return c;
    return c
      .replaceAll(`${me.name}.json`, `${founder.name}.json`)
      .replace(`--name ${me.name}`, `--name ${founder.name}`)
      .replace(`"${me.organisation}"`, JSON.stringify(founder.organisation))
      .replace(`--jurisdiction ${me.jurisdiction}`, `--jurisdiction ${founder.jurisdiction}`)
      .replace(new RegExp(`(?<![\\w.-])${escapeRegExp(me.hostName)}(?![\\w-])`, 'g'), founder.hostName);
  };
  const inNamespace = (args: string[]) => ['netns', 'exec', host.ns, ...args];
  return {
    founder,
    adapt,
    run: (command, cwd) =>
      new Promise((resolve) => {
        const child = spawn('ip', inNamespace(['bash', '-euo', 'pipefail', '-c', command]), {
          cwd,
          env: o.env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
        });
        child.stderr.on('data', (d) => {
          out += d;
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, out });
        });
      }),
    // `ip netns exec` and bash both exec, so the process is the root and signals reach it.
    spawn: (command, cwd) => {
      const log = openSync(join(dir, 'root.log'), 'a');
      return spawn('ip', inNamespace(['bash', '-c', `exec ${command}`]), {
        cwd,
        env: o.env,
        stdio: ['ignore', log, log],
      });
    },
    async get(path) {
      const url = `https://${founder.hostName}${path}`;
      const r = await lab
        .spawnNode(host, HTTP_GET, [url, String(REQUEST_TIMEOUT_MS)], o.env)
        .firstJson<{ status: number; body: string } | { error: string }>(PROBE_TIMEOUT_MS);
      if ('error' in r) throw new Error(`GET ${url} on ${founder.name}'s host: ${r.error}`);
      return r;
    },
  };
}

async function getJson<T>(host: DocHost, path: string): Promise<T> {
  const r = await host.get(path);
  assert.equal(r.status, 200, `GET ${path} on ${host.founder.name}'s host: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}

function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  return waitUntil(what, probe, { timeoutMs, intervalMs: POLL_MS });
}

/** One certificate for every founder's name, self-signed: the lab's certificate authority. */
function certificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const names = FOUNDERS.map((f) => `DNS:${f.hostName}`).join(',');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-days', '2', '-subj', '/CN=Witan lab certificate authority'],
      ...['-addext', `subjectAltName=${names}`, '-keyout', key, '-out', cert],
    ],
    { stdio: 'pipe', timeout: COMMAND_TIMEOUT_MS },
  );
  return { cert, key };
}

const base = makeTempDir('doc');
const roots = new Map<DocHost, { child: ChildProcess; command: string }>();
let lab: Lab | undefined;

async function stop(host: DocHost): Promise<void> {
  const r = roots.get(host);
  if (r === undefined || r.child.exitCode !== null || r.child.signalCode !== null) return;
  const exited = new Promise((resolve) => r.child.once('exit', resolve));
  r.child.kill('SIGTERM');
  const timer = setTimeout(() => r.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

after(async () => {
  await Promise.all([...roots.keys()].map(stop));
  await lab?.close();
  removeDir(base);
});

const healthy = (hosts: DocHost[]) =>
  until(
    'every root healthy',
    async () => {
      const verdicts = await Promise.all(
        hosts.map(async (h) => JSON.parse((await h.get('/ready')).body).verdict as string),
      );
      return verdicts.every((v) => v === 'healthy') ? true : undefined;
    },
    READY_WITHIN_MS,
  );

test('the operating doc, followed on two hosts in network namespaces, founds a federation that commits world v2', {
  timeout: TEST_TIMEOUT_MS,
}, async () => {
  const shimDir = join(base, 'bin');
  mkdirSync(shimDir);
  writeFileSync(join(shimDir, 'witan'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(shimDir, 'witan'), 0o755);
  /** Where founders exchange files (descriptors, the draft), as they would by mail. */
  const exchange = join(base, 'exchange');
  mkdirSync(exchange);
  const tls = certificate(base);
  const env = { ...process.env, PATH: `${shimDir}:${process.env.PATH}`, NODE_EXTRA_CA_CERTS: tls.cert };

  lab = await createLab({ roots: FOUNDERS.length, homes: [], ipv4: true });
  const labHosts = lab.roots;
  lab.nameHosts(Object.fromEntries(FOUNDERS.map((f, i) => [f.hostName, labHosts[i]!])));
  const hosts = FOUNDERS.map((f, i) => namespaceHost(lab!, labHosts[i]!, f, { base, env }));
  await Promise.all(
    labHosts.map((h) =>
      lab!
        .spawnNode(h, TLS_PROXY, [
          tls.cert,
          tls.key,
          String(HTTPS_PORT),
          '127.0.0.1',
          String(DEFAULT_HTTP_PORT),
        ])
        .firstJson(PROXY_START_MS),
    ),
  );

  const list = examples();
  assert.ok(list.length >= 8, `only ${list.length} examples found`);
  for (const ex of list) {
    const on = ex.where === 'first' ? [hosts[0]!] : hosts;
    if (ex.modifiers.has('once-world-2')) {
      await until(
        'world v2 on every root',
        async () => {
          const ws = await Promise.all(hosts.map((h) => getJson<{ version: number }>(h, '/world')));
          return ws.every((w) => w.version >= 2) ? true : undefined;
        },
        READY_WITHIN_MS,
      );
    }
    for (const host of on) {
      if (ex.modifiers.has('stopped')) await stop(host);
      for (const raw of ex.commands) {
        const command = host.adapt(raw);
        if (ex.modifiers.has('background')) {
          roots.set(host, { child: host.spawn(command, exchange), command });
          continue;
        }
        const r = await host.run(command, exchange);
        assert.equal(r.code, 0, `${host.founder.name}$ ${command}\n${r.out}`);
      }
      if (ex.modifiers.has('stopped')) {
        const { command } = roots.get(host)!;
        roots.set(host, { child: host.spawn(command, exchange), command });
      }
    }
    if (ex.modifiers.has('background') || ex.modifiers.has('stopped')) await healthy(hosts);
  }

  // Where the doc leaves the federation: world v2 everywhere, announcing the founders' names on
  // a policy that allows public endpoints only; the configs green, every root healthy.
  type Served = {
    version: number;
    hash: string;
    world: {
      policy: { privateEndpointsAllowed?: boolean };
      members: { name: string; endpoints: { p2p: string[]; http: string[] } }[];
    };
  };
  const worlds = await Promise.all(hosts.map((h) => getJson<Served>(h, '/world')));
  assert.ok(
    worlds.every((w) => w.version === 2 && w.hash === worlds[0]!.hash),
    JSON.stringify(worlds.map((w) => [w.version, w.hash])),
  );
  assert.notEqual(worlds[0]!.world.policy.privateEndpointsAllowed, true);
  for (const f of FOUNDERS) {
    const member = worlds[0]!.world.members.find((m) => m.name === f.name);
    assert.deepEqual(member?.endpoints, {
      p2p: [`/dns4/${f.hostName}/tcp/4480`],
      http: [`https://${f.hostName}/`],
    });
  }
  await healthy(hosts);
  for (const host of hosts) {
    const check = await host.run(
      host.adapt('witan config check --config /var/lib/witan/witan.json'),
      exchange,
    );
    assert.equal(check.code, 0, check.out);
    const status = await host.run(host.adapt('witan status --root https://root.example.org/'), exchange);
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, /^HEALTHY\n/);
  }
});
