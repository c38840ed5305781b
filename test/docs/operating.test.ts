// docs/operating-a-root.md works as written: its shell examples are read from the file and run,
// in order, through the real `witan` command, on two founders' hosts — init with an announced
// name, the genesis ceremony, config check, start, status, a node-key rotation committed as
// world v2 — and at the end every root is healthy, serves world v2, and passes config check.
//
// Each example says where it runs after ```sh: `each` host in turn or the `first` one, and
// `background` (a root that keeps running), `stopped` (with that host's root stopped around
// it) or `once-world-2` (after every root serves world version 2). A host is an object that
// adapts a command to itself and runs it: here both hosts share 127.0.0.1, so each gets its
// own folder for the doc's absolute paths, its own ports, and 127.0.0.1 for the doc's DNS name
// (which needs --allow-private-endpoints); a host in a network namespace of its own would map
// the paths only, resolve root.example.org through its hosts file, and run through
// `ip netns exec`.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/cli/root-processes.ts';
import { getJson } from '../helpers/http.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { waitUntil } from '../helpers/wait.ts';

const REPO = join(import.meta.dirname, '..', '..');
const DOC = join(REPO, 'docs', 'operating-a-root.md');
const BIN = fileURLToPath(new URL('../../bin/witan.js', import.meta.url));
const COMMAND_TIMEOUT_MS = 120_000;
const READY_WITHIN_MS = 120_000;
const POLL_MS = 500;
const TEST_TIMEOUT_MS = 900_000;
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
}
/** The doc's own founder first: its commands run unchanged apart from paths and addresses. */
const FOUNDERS: Founder[] = [
  { name: 'uni-lisboa', organisation: 'Universidade de Lisboa', jurisdiction: 'PT' },
  { name: 'tu-delft', organisation: 'Technische Universiteit Delft', jurisdiction: 'NL' },
];

interface Run {
  code: number | null;
  out: string;
}

/** A founder's machine: adapts the doc's commands to itself and runs them. */
interface DocHost {
  founder: Founder;
  /** Where the root's public API answers, for the test's own probes. */
  httpUrl: string;
  adapt(command: string): string;
  run(command: string, cwd: string): Promise<Run>;
  /** Starts a long-running command; the returned process is stopped by stop(). */
  spawn(command: string, cwd: string): ChildProcess;
}

async function loopbackHost(base: string, founder: Founder, shimDir: string): Promise<DocHost> {
  const dir = join(base, founder.name);
  for (const p of DOC_PATHS) mkdirSync(join(dir, p), { recursive: true, mode: 0o700 });
  const [http, p2p, operator] = [await freePort(), await freePort(), await freePort()];
  const httpUrl = `http://127.0.0.1:${http}`;
  const env = { ...process.env, PATH: `${shimDir}:${process.env.PATH}` };
  const me = FOUNDERS[0]!;
  const adapt = (command: string): string => {
    let c = command;
    for (const p of DOC_PATHS)
      c = c.replace(new RegExp(`(^|[\\s=("'])${p}(?=[/\\s)"']|$)`, 'g'), (_, lead) => `${lead}${dir}${p}`);
    c = c
      .replaceAll(`${me.name}.json`, `${founder.name}.json`)
      .replace(`--name ${me.name}`, `--name ${founder.name}`)
      .replace(`"${me.organisation}"`, JSON.stringify(founder.organisation))
      .replace(`--jurisdiction ${me.jurisdiction}`, `--jurisdiction ${founder.jurisdiction}`)
      .replaceAll('https://root.example.org/', `${httpUrl}/`)
      .replace('--announce root.example.org', '--announce 127.0.0.1')
      .replace('--listen 0.0.0.0', '--listen 127.0.0.1');
    if (/^witan init /.test(c))
      c += ` --http-port ${http} --p2p-port ${p2p} --operator-port ${operator} --allow-private-endpoints`;
    if (/^witan genesis assemble /.test(c)) c += ' --allow-private-endpoints';
    return c;
  };
  return {
    founder,
    httpUrl,
    adapt,
    run: (command, cwd) =>
      new Promise((resolve) => {
        const child = spawn('bash', ['-euo', 'pipefail', '-c', command], {
          cwd,
          env,
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
    spawn: (command, cwd) => {
      const log = openSync(join(dir, 'root.log'), 'a');
      return spawn('bash', ['-c', `exec ${command}`], { cwd, env, stdio: ['ignore', log, log] });
    },
  };
}

function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  return waitUntil(what, probe, { timeoutMs, intervalMs: POLL_MS });
}

const base = makeTempDir('doc');
const roots = new Map<DocHost, { child: ChildProcess; command: string }>();

async function stop(host: DocHost): Promise<void> {
  const r = roots.get(host);
  if (r === undefined || r.child.exitCode !== null) return;
  const exited = new Promise((resolve) => r.child.once('exit', resolve));
  r.child.kill('SIGTERM');
  const timer = setTimeout(() => r.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

after(async () => {
  await Promise.all([...roots.keys()].map(stop));
  removeDir(base);
});

const healthy = (hosts: DocHost[]) =>
  until(
    'every root healthy',
    async () => {
      const verdicts = await Promise.all(
        hosts.map((h) =>
          fetch(`${h.httpUrl}/ready`, { signal: AbortSignal.timeout(5_000) })
            .then((r) => r.json() as Promise<{ verdict: string }>)
            .then((r) => r.verdict),
        ),
      );
      return verdicts.every((v) => v === 'healthy') ? true : undefined;
    },
    READY_WITHIN_MS,
  );

test('the operating doc, followed on two hosts, founds a federation that commits world v2', {
  timeout: TEST_TIMEOUT_MS,
}, async () => {
  const shimDir = join(base, 'bin');
  mkdirSync(shimDir);
  writeFileSync(join(shimDir, 'witan'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(shimDir, 'witan'), 0o755);
  /** Where founders exchange files (descriptors, the draft), as they would by mail. */
  const exchange = join(base, 'exchange');
  mkdirSync(exchange);
  const hosts: DocHost[] = [];
  for (const f of FOUNDERS) hosts.push(await loopbackHost(base, f, shimDir));

  const list = examples();
  assert.ok(list.length >= 8, `only ${list.length} examples found`);
  for (const ex of list) {
    const on = ex.where === 'first' ? [hosts[0]!] : hosts;
    if (ex.modifiers.has('once-world-2')) {
      await until(
        'world v2 on every root',
        async () => {
          const ws = await Promise.all(hosts.map((h) => getJson<{ version: number }>(`${h.httpUrl}/world`)));
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

  // Where the doc leaves the federation: world v2 everywhere, the configs green, every root healthy.
  const worlds = await Promise.all(
    hosts.map((h) => getJson<{ version: number; hash: string }>(`${h.httpUrl}/world`)),
  );
  assert.ok(
    worlds.every((w) => w.version === 2 && w.hash === worlds[0]!.hash),
    JSON.stringify(worlds),
  );
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
