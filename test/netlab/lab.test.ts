// The lab itself: reachability where a real network has it and none where it has not, the two
// NAT kinds' mapping behaviour seen from outside (same external port to two destinations for
// endpoint-independent mapping, a different one per destination for "symmetric"), unsolicited
// inbound dropped, nothing routed out of the lab, host names through per-namespace hosts files,
// unique names, the stale sweep, and shaping.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import {
  createLab,
  type Home,
  LAB_PREFIX_FAMILY,
  type Lab,
  labNamespaces,
  NETNS_ETC_DIR,
  NetlabError,
  netemAvailable,
  PUBLIC_PREFIX,
  PUBLIC_PREFIX_V4,
  sweepStaleLabs,
} from './lab.ts';

const ECHO = join(import.meta.dirname, 'fixtures', 'echo.ts');
const PORT = 7000;
const LOCAL_PORT = 40_123;
type Seen = { address: string; port: number };

let lab: Lab;

before(async () => {
  lab = await createLab({ roots: 2, homes: ['eim', 'symmetric'], publicPeers: 1, ipv4: true });
  await Promise.all(lab.roots.map((r) => lab.spawnNode(r, ECHO, ['server', String(PORT)]).firstJson(10_000)));
});

after(async () => {
  await lab?.close();
});

async function probe(from: (typeof lab.roots)[number], args: string[]): Promise<Record<string, unknown>> {
  return lab.spawnNode(from, ECHO, args).firstJson(15_000);
}

test('public hosts reach each other, home hosts reach the public segment, nothing reaches into a home', async () => {
  const [r0, r1] = lab.roots as [(typeof lab.roots)[0], (typeof lab.roots)[0]];
  const [eim, sym] = lab.homes as [(typeof lab.homes)[0], (typeof lab.homes)[0]];
  assert.deepEqual(await probe(r1, ['connect', r0.address, String(PORT), '3000']), { ok: true });
  assert.ok(r0.address4?.startsWith(PUBLIC_PREFIX_V4), 'public hosts of an IPv4 lab have IPv4 too');
  assert.deepEqual(await probe(r1, ['connect', r0.address4!, String(PORT), '3000']), { ok: true });
  assert.deepEqual(await probe(eim.host, ['connect', r0.address, String(PORT), '3000']), { ok: true });
  assert.deepEqual(await probe(sym.host, ['connect', r1.address, String(PORT), '3000']), { ok: true });
  // A home LAN address is not routed anywhere outside its home.
  const fromRoot = await probe(r0, ['connect', eim.host.address, String(PORT), '2000']);
  assert.equal(fromRoot.ok, false);
  const fromHome = await probe(sym.host, ['connect', eim.host.address, String(PORT), '2000']);
  assert.equal(fromHome.ok, false);
});

/**
 * Sends from `home`'s host, from one local port, to every root; checks both roots saw the
 * connection come from the router's public address and returns the public ports they saw.
 */
async function publicPorts(home: Home, proto: string, localPort: number): Promise<number[]> {
  const hosts = lab.roots.map((r) => r.address);
  const { seen } = (await probe(home.host, ['client', proto, String(localPort), String(PORT), ...hosts])) as {
    seen: Seen[];
  };
  assert.equal(seen.length, hosts.length, proto);
  for (const s of seen) assert.equal(s.address, home.wan, `${proto}: seen from the router's public address`);
  return seen.map((s) => s.port);
}

test('endpoint-independent NAT: one local port maps to the same public port towards every destination', async () => {
  const home = lab.homes[0];
  assert.ok(home);
  for (const proto of ['udp', 'tcp']) {
    const ports = await publicPorts(home, proto, LOCAL_PORT);
    assert.deepEqual(
      ports,
      [LOCAL_PORT, LOCAL_PORT],
      `${proto}: the same public port to both roots, the port kept`,
    );
  }
});

test('symmetric NAT: one local port maps to a different public port for each destination', async () => {
  const home = lab.homes[1];
  assert.ok(home);
  for (const proto of ['udp', 'tcp']) {
    const [first, second] = await publicPorts(home, proto, LOCAL_PORT + 1);
    assert.notEqual(first, second, `${proto}: a new public port per destination`);
  }
});

test('unsolicited inbound to a mapped public port is dropped silently by either NAT', async () => {
  for (const home of lab.homes) {
    // Open a mapping first, then knock on it from a root that was not the destination.
    await probe(home.host, [
      'client',
      'tcp',
      String(LOCAL_PORT + 2),
      String(PORT),
      lab.roots[0]?.address ?? '',
    ]);
    const knock = await probe(lab.roots[1] as (typeof lab.roots)[0], [
      'connect',
      home.wan,
      String(LOCAL_PORT + 2),
      '1500',
    ]);
    assert.deepEqual(knock, { ok: false, error: 'timeout' }, `${home.nat}: dropped, not refused`);
  }
});

test('the lab is closed: no default route anywhere, and the machine has no route into it', async () => {
  const hosts = [...lab.roots, ...lab.publicPeers, ...lab.homes.flatMap((h) => [h.router, h.host])];
  for (const h of hosts) {
    for (const family of ['-4', '-6']) {
      const routes = await lab.exec(h, 'ip', [family, 'route', 'show', 'default']);
      assert.equal(routes.trim(), '', `${h.ns} ${family}: no default route`);
    }
    const nat = await lab.exec(h, 'iptables', ['-w', '-t', 'nat', '-S', 'POSTROUTING']);
    assert.ok(!nat.includes('MASQUERADE'), `${h.ns}: no IPv4 NAT at all`);
  }
  for (const home of lab.homes) {
    const rules = await lab.exec(home.router, 'ip6tables', ['-w', '-t', 'nat', '-S', 'POSTROUTING']);
    assert.match(rules, /-o wan0 .*MASQUERADE/, 'the only NAT is onto the lab-side interface');
  }
  for (const [family, address] of [
    ['-6', `${PUBLIC_PREFIX}1`],
    ['-4', `${PUBLIC_PREFIX_V4}1`],
  ]) {
    const { stdout } = await promisify(execFile)('ip', [family!, 'route', 'get', address!]).catch(
      (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
    );
    assert.ok(!stdout.includes('dev p'), `the machine routes no lab address into the lab: ${stdout.trim()}`);
  }
});

test('host names resolve in every namespace of the lab through its hosts file, and nowhere else', async () => {
  const [r0, r1] = lab.roots as [(typeof lab.roots)[0], (typeof lab.roots)[0]];
  const everyHost = [...lab.roots, ...lab.publicPeers, ...lab.homes.flatMap((h) => [h.router, h.host])];
  const resolved = async (host: (typeof lab.roots)[0], name: string) =>
    (await lab.exec(host, 'getent', ['ahosts', name]).catch(() => ''))
      .split('\n')
      .map((l) => l.split(/\s+/)[0])
      .filter((a, i, all) => a !== '' && all.indexOf(a) === i)
      .sort();
  lab.nameHosts({ 'root.example.org': r0, 'root.example.net': r1 });
  for (const h of everyHost) {
    const hostsFile = await lab.exec(h, 'cat', ['/etc/hosts']);
    assert.match(hostsFile, new RegExp(`^${r0.address4} root\\.example\\.org$`, 'm'), h.ns);
    assert.match(hostsFile, new RegExp(`^${r0.address} root\\.example\\.org$`, 'm'), h.ns);
    // The resolver offers IPv4 only where the host has IPv4 itself (AI_ADDRCONFIG).
    const expected = h.address4 === undefined ? [r0.address] : [r0.address4, r0.address].sort();
    assert.deepEqual(await resolved(h, 'root.example.org'), expected, h.ns);
  }
  // A name leads to its host: the echo server there answers a connection made by name.
  assert.deepEqual(await probe(r1, ['connect', 'root.example.org', String(PORT), '3000']), { ok: true });
  // IPv4 only, as a compose network resolves service names; the names given before are gone.
  lab.nameHosts({ alpha: r0 }, { family: 4 });
  assert.deepEqual(await resolved(r1, 'alpha'), [r0.address4]);
  assert.deepEqual(await resolved(r1, 'root.example.org'), []);
  assert.ok(
    !readFileSync('/etc/hosts', 'utf8').includes('alpha'),
    "the machine's own hosts file is untouched",
  );
  assert.throws(
    () => lab.nameHosts({ 'not a name': r0 }),
    (err: unknown) => err instanceof NetlabError && err.code === 'NETLAB_INVALID_SPEC',
  );
  assert.throws(
    () => lab.nameHosts({ home: lab.homes[0]!.host }, { family: 4 }),
    (err: unknown) => err instanceof NetlabError && err.code === 'NETLAB_INVALID_SPEC',
  );
  // close() takes the namespaces' hosts files with them.
  const small = await createLab({ roots: 1, homes: [] });
  small.nameHosts({ 'root.example.org': small.roots[0]! });
  assert.ok(existsSync(join(NETNS_ETC_DIR, small.roots[0]!.ns, 'hosts')));
  await small.close();
  assert.deepEqual(
    readdirSync(NETNS_ETC_DIR).filter((n) => n.startsWith(small.id)),
    [],
  );
});

test('names are unique per run; a stale lab of a dead process is swept, a live one is kept', async () => {
  const mine = await labNamespaces();
  assert.ok(mine.every((n) => n.startsWith(`${LAB_PREFIX_FAMILY}-`)));
  assert.ok(mine.some((n) => n.startsWith(lab.id)));
  const run = promisify(execFile);
  // pid 2^22 + 1 is above Linux's pid_max ceiling: no process can have it.
  const stale = `${LAB_PREFIX_FAMILY}-4194305-abcdef-root0`;
  await run('ip', ['netns', 'add', stale]);
  // Its hosts file, and the folder of a namespace that is already gone.
  const staleEtc = [stale, `${LAB_PREFIX_FAMILY}-4194305-abcdef-root1`];
  for (const ns of staleEtc) {
    mkdirSync(join(NETNS_ETC_DIR, ns), { recursive: true });
    writeFileSync(join(NETNS_ETC_DIR, ns, 'hosts'), '198.51.100.1 root.example.org\n');
  }
  lab.nameHosts({ 'root.example.org': lab.roots[0]! });
  const swept = await sweepStaleLabs();
  assert.ok(swept.includes(stale));
  assert.ok(existsSync(join(NETNS_ETC_DIR, lab.roots[0]!.ns, 'hosts')), "the live lab's hosts files stay");
  const left = await labNamespaces();
  assert.ok(!left.includes(stale));
  for (const ns of staleEtc) assert.ok(!existsSync(join(NETNS_ETC_DIR, ns)), `${ns}'s folder is swept`);
  assert.ok(
    left.some((n) => n.startsWith(lab.id)),
    'the live lab is untouched',
  );
});

test('shaping: netem delay where the kernel has it (else NETLAB_NETEM_UNAVAILABLE); tbf rate limits', async () => {
  const root = lab.roots[0];
  assert.ok(root);
  if (await netemAvailable()) {
    await lab.shape(root, { delayMs: 50 });
    const t0 = Date.now();
    await probe(lab.roots[1] as typeof root, ['connect', root.address, String(PORT), '3000']);
    assert.ok(Date.now() - t0 >= 50);
  } else {
    await assert.rejects(lab.shape(root, { delayMs: 50 }), (err: unknown) => {
      assert.ok(err instanceof NetlabError);
      assert.equal(err.code, 'NETLAB_NETEM_UNAVAILABLE');
      return true;
    });
  }
  await lab.limitRate(root, 8000);
  const qdisc = await lab.exec(root, 'tc', ['qdisc', 'show', 'dev', 'eth0']);
  assert.match(qdisc, /tbf .*rate 8Mbit/);
});
