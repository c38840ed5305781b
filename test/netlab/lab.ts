// A closed network lab of Linux network namespaces (see README.md here): a "public" segment,
// a bridge in its own namespace, where roots and public peers sit on addresses libp2p treats as
// public, and home networks each behind a NAT router of a chosen kind. Tests build it, run real
// processes inside it (`ip netns exec NS node ...`) and tear it down, always.
//
// Addresses. libp2p ignores private addresses for hole punching and AutoNAT
// (@libp2p/utils isPrivateIp): every special-purpose IPv4 range, the IPv4 documentation ranges
// included (192.0.2/24, 198.51.100/24, 203.0.113/24, 198.18/15, 100.64/10, 240/4), and IPv6
// 2001:db8::/32, ULA fc00::/7 and link-local. So the public segment uses 3fff::/20, the IPv6
// documentation prefix of RFC 9637: reserved, never routed anywhere, yet inside 2000::/3, so
// libp2p calls it public and global unicast. Home networks use ULA (fd00::/8), which libp2p
// calls private, as real home networks are.
//
// Closed. No namespace has a default route; public hosts know only the on-link 3fff::/64,
// home hosts only a route for 3fff::/20 through their router, routers nothing else. Nothing is
// NATed onto the machine's uplink: the NAT rules live in the routers' namespaces and match their
// lab-side interface only. The machine's own namespace gets no interface, address or route.
//
// IPv4, where asked for. A root that listens on 0.0.0.0 and announces /dns4/<name> needs IPv4;
// such a lab gives its public hosts an address in 198.51.100.0/24 as well (TEST-NET-2, RFC
// 5737: documentation, never routed), on the same bridge and again with no default route.
// libp2p calls that range private, so NAT traversal stays on IPv6; the endpoint rules
// (src/governance/endpoints.ts) call it public, as they do 3fff::/20.
//
// Host names. `lab.nameHosts` writes one hosts file into /etc/netns/<ns>/hosts for every
// namespace of the lab, which `ip netns exec` bind-mounts over /etc/hosts for what it runs: a
// name resolves in the lab as DNS would resolve it outside, with no DNS server, and the
// machine's own /etc/hosts is never touched.
//
// Names. Every namespace is `wlab-<pid>-<random>-<role>`, unique per run; a lab first sweeps
// namespaces (and their /etc/netns folders) of the family whose creating process is gone, and
// close() removes its own.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const LAB_PREFIX_FAMILY = 'wlab';
/** The public segment: IPv6 documentation prefix (RFC 9637), one /64 of it. */
export const PUBLIC_PREFIX = '3fff:0:0:1::';
export const PUBLIC_ROUTE = '3fff::/20';
/** IPv4 on the public segment, for labs that ask for it: TEST-NET-2 (RFC 5737), one /24. */
export const PUBLIC_PREFIX_V4 = '198.51.100.';
const PUBLIC_PREFIX_V4_LENGTH = 24;
/** Per-namespace files that `ip netns exec` bind-mounts over /etc (iproute2). */
export const NETNS_ETC_DIR = '/etc/netns';
/** Names one lab's hosts file may hold. */
export const LAB_HOST_NAMES_MAX = 256;
/** A home LAN: ULA fd00:0:0:<n>::/64. */
const HOME_PREFIX = (n: number) => `fd00:0:0:${n + 1}::`;
/** Namespaces one lab may hold; a lab is a handful of hosts. */
export const LAB_HOSTS_MAX = 64;
/** One `ip`/`iptables` command. */
const COMMAND_TIMEOUT_MS = 10_000;
/** A process in the lab gets this long to stop after SIGTERM before SIGKILL. */
const PROCESS_STOP_MS = 3_000;

export type NatKind = 'eim' | 'symmetric';

export type LabHost = {
  /** The network namespace. */
  ns: string;
  /** The host's address in the lab: public (3fff::/20) or home (fd00::/8). */
  address: string;
  /** Its IPv4 address (198.51.100.0/24), on public hosts of a lab built with `ipv4: true`. */
  address4?: string;
  role: 'bridge' | 'root' | 'public' | 'router' | 'home';
};

export type Home = {
  nat: NatKind;
  router: LabHost;
  host: LabHost /** The router's public address. */;
  wan: string;
};

export type LabSpec = {
  roots: number;
  homes: NatKind[];
  publicPeers?: number;
  /** Public hosts get an IPv4 address too (for roots that listen on 0.0.0.0 and announce /dns4). */
  ipv4?: boolean;
};

export type LabProcess = {
  readonly child: ChildProcess;
  /** Resolves with the first stdout line that parses as JSON. */
  firstJson<T>(timeoutMs: number): Promise<T>;
  /** Every complete stdout line so far. */
  lines(): string[];
  stop(): Promise<void>;
};

export type Lab = {
  readonly id: string;
  readonly roots: LabHost[];
  readonly homes: Home[];
  readonly publicPeers: LabHost[];
  /** Runs a command in a namespace and resolves to its stdout. */
  exec(host: LabHost, cmd: string, args: string[]): Promise<string>;
  /** Starts `node script args` (the project's node) inside the host's namespace. */
  spawnNode(host: LabHost, script: string, args?: string[], env?: NodeJS.ProcessEnv): LabProcess;
  /** tc netem delay/loss on a host's lab interface; throws NETLAB_NETEM_UNAVAILABLE without netem. */
  shape(host: LabHost, o: { delayMs?: number; lossPercent?: number }): Promise<void>;
  /** Rate limit with tbf on a host's lab interface. */
  limitRate(host: LabHost, kbit: number): Promise<void>;
  /**
   * Makes each name resolve to its host's addresses (IPv4, then IPv6; or only those of
   * `family`) in every namespace of the lab, through /etc/netns/<ns>/hosts; replaces the names
   * given before. Processes started afterwards see them.
   */
  nameHosts(names: Readonly<Record<string, LabHost>>, o?: { family?: 4 | 6 }): void;
  close(): Promise<void>;
};

export type NetlabErrorCode =
  | 'NETLAB_NOT_ROOT'
  | 'NETLAB_COMMAND_FAILED'
  | 'NETLAB_NETEM_UNAVAILABLE'
  | 'NETLAB_INVALID_SPEC';

export class NetlabError extends Error {
  readonly code: NetlabErrorCode;
  constructor(code: NetlabErrorCode, message: string) {
    super(message);
    this.name = 'NetlabError';
    this.code = code;
  }
}

async function sh(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { timeout: COMMAND_TIMEOUT_MS });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new NetlabError(
      'NETLAB_COMMAND_FAILED',
      `${cmd} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`,
    );
  }
}

/** What a hosts file line may name: DNS labels of letters, digits and hyphens. */
const HOST_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

const inNs = (ns: string, cmd: string, args: string[]) => sh('ip', ['netns', 'exec', ns, cmd, ...args]);

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Names of every lab namespace on the machine. */
export async function labNamespaces(): Promise<string[]> {
  const out = await sh('ip', ['netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith(`${LAB_PREFIX_FAMILY}-`));
}

/** The lab namespaces' folders in /etc/netns (`ip netns del` leaves them behind). */
function labEtcFolders(): string[] {
  try {
    return readdirSync(NETNS_ETC_DIR).filter((n) => n.startsWith(`${LAB_PREFIX_FAMILY}-`));
  } catch {
    return [];
  }
}

const removeEtcFolder = (ns: string) => rmSync(join(NETNS_ETC_DIR, ns), { recursive: true, force: true });

/**
 * Deletes lab namespaces, and their /etc/netns folders, whose creating process is gone (left
 * by a run that crashed).
 */
export async function sweepStaleLabs(): Promise<string[]> {
  const swept: string[] = [];
  const stale = (ns: string) => {
    const pid = Number(ns.split('-')[1]);
    return !(Number.isSafeInteger(pid) && pid > 0 && pidAlive(pid));
  };
  for (const ns of await labNamespaces()) {
    if (!stale(ns)) continue;
    await sh('ip', ['netns', 'del', ns]).catch(() => undefined);
    swept.push(ns);
  }
  for (const ns of labEtcFolders()) {
    if (!stale(ns)) continue;
    removeEtcFolder(ns);
    if (!swept.includes(ns)) swept.push(ns);
  }
  return swept;
}

/** Whether this kernel has the netem queueing discipline (some VM kernels do not). */
export async function netemAvailable(): Promise<boolean> {
  const ns = `${LAB_PREFIX_FAMILY}-${process.pid}-${randomBytes(3).toString('hex')}-probe`;
  await sh('ip', ['netns', 'add', ns]);
  try {
    await inNs(ns, 'ip', ['link', 'set', 'lo', 'up']);
    await inNs(ns, 'tc', ['qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
    return true;
  } catch {
    return false;
  } finally {
    await sh('ip', ['netns', 'del', ns]).catch(() => undefined);
  }
}

function labProcess(child: ChildProcess): LabProcess {
  const lines: string[] = [];
  let partial = '';
  const waiters: (() => void)[] = [];
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    lines: () => [...lines],
    async firstJson<T>(timeoutMs: number): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const l of lines) {
          if (!l.startsWith('{')) continue;
          return JSON.parse(l) as T;
        }
        if (child.exitCode !== null)
          throw new Error(`process exited (${child.exitCode}) before printing JSON`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no JSON line within ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
          void exited.then(r);
        });
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), PROCESS_STOP_MS);
      await exited;
      clearTimeout(t);
    },
  };
}

export async function createLab(spec: LabSpec): Promise<Lab> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new NetlabError('NETLAB_NOT_ROOT', 'the network lab needs root (network namespaces, iptables)');
  }
  const total = 1 + spec.roots + (spec.publicPeers ?? 0) + 2 * spec.homes.length;
  if (spec.roots < 0 || total > LAB_HOSTS_MAX) {
    throw new NetlabError(
      'NETLAB_INVALID_SPEC',
      `a lab holds at most ${LAB_HOSTS_MAX} namespaces, asked for ${total}`,
    );
  }
  await sweepStaleLabs();
  const id = `${LAB_PREFIX_FAMILY}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const created: string[] = [];
  const processes = new Set<LabProcess>();
  const addNs = async (role: string) => {
    const ns = `${id}-${role}`;
    await sh('ip', ['netns', 'add', ns]);
    created.push(ns);
    await inNs(ns, 'ip', ['link', 'set', 'lo', 'up']);
    // No router advertisements or autoconfiguration: every address and route is ours.
    await inNs(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.accept_ra=0', 'net.ipv6.conf.default.accept_ra=0']);
    return ns;
  };
  const close = async () => {
    await Promise.all([...processes].map((p) => p.stop()));
    for (const ns of created.reverse()) {
      await sh('ip', ['netns', 'del', ns]).catch(() => undefined);
      removeEtcFolder(ns);
    }
    created.length = 0;
  };
  try {
    const bridgeNs = await addNs('pub');
    await inNs(bridgeNs, 'ip', ['link', 'add', 'br0', 'type', 'bridge']);
    await inNs(bridgeNs, 'ip', ['link', 'set', 'br0', 'up']);
    let port = 0;
    /** A veth from ns (named dev there) into the public bridge, with a public address. */
    const plug = async (ns: string, dev: string): Promise<string> => {
      const n = ++port;
      const far = `p${n}`;
      await sh('ip', [
        'link',
        'add',
        dev,
        'netns',
        ns,
        'type',
        'veth',
        'peer',
        'name',
        far,
        'netns',
        bridgeNs,
      ]);
      await inNs(bridgeNs, 'ip', ['link', 'set', far, 'master', 'br0', 'up']);
      const address = `${PUBLIC_PREFIX}${n.toString(16)}`;
      await inNs(ns, 'ip', ['-6', 'addr', 'add', `${address}/64`, 'dev', dev, 'nodad']);
      await inNs(ns, 'ip', ['link', 'set', dev, 'up']);
      return address;
    };
    /** A public host: plugged into the bridge, with an IPv4 address too if the lab has IPv4. */
    const publicHost = async (ns: string, role: LabHost['role']): Promise<LabHost> => {
      const address = await plug(ns, 'eth0');
      if (spec.ipv4 !== true) return { ns, address, role };
      // The same host number as its IPv6 address; on-link only, like the IPv6 /64.
      const address4 = `${PUBLIC_PREFIX_V4}${port}`;
      await inNs(ns, 'ip', ['-4', 'addr', 'add', `${address4}/${PUBLIC_PREFIX_V4_LENGTH}`, 'dev', 'eth0']);
      return { ns, address, address4, role };
    };
    const roots: LabHost[] = [];
    for (let i = 0; i < spec.roots; i++) roots.push(await publicHost(await addNs(`root${i}`), 'root'));
    const publicPeers: LabHost[] = [];
    for (let i = 0; i < (spec.publicPeers ?? 0); i++)
      publicPeers.push(await publicHost(await addNs(`peer${i}`), 'public'));
    const homes: Home[] = [];
    for (const [i, nat] of spec.homes.entries()) {
      const routerNs = await addNs(`nat${i}`);
      const hostNs = await addNs(`home${i}`);
      const wan = await plug(routerNs, 'wan0');
      const lanPrefix = HOME_PREFIX(i);
      await sh('ip', [
        'link',
        'add',
        'lan0',
        'netns',
        routerNs,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        hostNs,
      ]);
      await inNs(routerNs, 'ip', ['-6', 'addr', 'add', `${lanPrefix}1/64`, 'dev', 'lan0', 'nodad']);
      await inNs(routerNs, 'ip', ['link', 'set', 'lan0', 'up']);
      await inNs(hostNs, 'ip', ['-6', 'addr', 'add', `${lanPrefix}2/64`, 'dev', 'eth0', 'nodad']);
      await inNs(hostNs, 'ip', ['link', 'set', 'eth0', 'up']);
      await inNs(hostNs, 'ip', ['-6', 'route', 'add', PUBLIC_ROUTE, 'via', `${lanPrefix}1`, 'dev', 'eth0']);
      // The home host's own firewall, as desktop systems ship it: TCP segments for a socket it
      // has (a connection, or one it is opening: a hole punch's crossing SYN) come in; anything
      // else is dropped silently rather than answered with a RST, which would tear down the
      // peer's half of a punch that arrives a moment before ours leaves.
      const f = (args: string[]) => inNs(hostNs, 'ip6tables', ['-w', ...args]);
      await f(['-A', 'INPUT', '-i', 'eth0', '-p', 'tcp', '-m', 'socket', '--nowildcard', '-j', 'ACCEPT']);
      await f(['-A', 'INPUT', '-i', 'eth0', '-p', 'tcp', '-j', 'DROP']);
      await inNs(routerNs, 'sysctl', ['-qw', 'net.ipv6.conf.all.forwarding=1']);
      const t = (args: string[]) => inNs(routerNs, 'ip6tables', ['-w', ...args]);
      // Outbound from the LAN is NATed to the router's public address. Linux keeps the source
      // port when it can and reuses the mapping for every destination: endpoint-independent
      // mapping. --random-fully picks a new random port for every connection instead: the
      // mapping depends on the destination address and port ("symmetric").
      await t([
        '-t',
        'nat',
        '-A',
        'POSTROUTING',
        '-o',
        'wan0',
        '-s',
        `${lanPrefix}/64`,
        '-j',
        'MASQUERADE',
        ...(nat === 'symmetric' ? ['--random-fully'] : []),
      ]);
      // Filtering as home routers do: answers to what the LAN sent come in, nothing else; an
      // unsolicited packet to the router itself is dropped silently (no RST that would kill a
      // hole punch in flight).
      await t(['-A', 'FORWARD', '-i', 'lan0', '-o', 'wan0', '-j', 'ACCEPT']);
      await t([
        '-A',
        'FORWARD',
        '-i',
        'wan0',
        '-o',
        'lan0',
        '-m',
        'conntrack',
        '--ctstate',
        'ESTABLISHED,RELATED',
        '-j',
        'ACCEPT',
      ]);
      await t(['-P', 'FORWARD', 'DROP']);
      await t([
        '-A',
        'INPUT',
        '-i',
        'wan0',
        '-m',
        'conntrack',
        '--ctstate',
        'ESTABLISHED,RELATED',
        '-j',
        'ACCEPT',
      ]);
      await t(['-A', 'INPUT', '-i', 'wan0', '-p', 'ipv6-icmp', '-j', 'ACCEPT']);
      await t(['-A', 'INPUT', '-i', 'wan0', '-j', 'DROP']);
      // Lenient TCP window tracking, as many home routers run: with strict tracking, the SYN_SENT
      // entry left by a failed direct dial (js-libp2p's DCUtR tries one before punching, from the
      // same port) has the old ISN, and the punch's packets on that same 5-tuple are judged
      // out of window, INVALID, and dropped.
      await inNs(routerNs, 'sysctl', ['-qw', 'net.netfilter.nf_conntrack_tcp_be_liberal=1']);
      homes.push({
        nat,
        wan,
        router: { ns: routerNs, address: wan, role: 'router' },
        host: { ns: hostNs, address: `${lanPrefix}2`, role: 'home' },
      });
    }
    const devOf = (h: LabHost) => (h.role === 'router' ? 'wan0' : 'eth0');
    return {
      id,
      roots,
      homes,
      publicPeers,
      exec: (host, cmd, args) => inNs(host.ns, cmd, args),
      spawnNode(host, script, args = [], env = {}) {
        const child = spawn('ip', ['netns', 'exec', host.ns, process.execPath, script, ...args], {
          stdio: ['pipe', 'pipe', 'inherit'],
          env: { ...process.env, ...env },
        });
        const p = labProcess(child);
        processes.add(p);
        // The set holds running processes only: a test that probes many times does not grow it.
        child.once('exit', () => processes.delete(p));
        return p;
      },
      async shape(host, o) {
        const args = ['qdisc', 'replace', 'dev', devOf(host), 'root', 'netem'];
        if (o.delayMs !== undefined) args.push('delay', `${o.delayMs}ms`);
        if (o.lossPercent !== undefined) args.push('loss', `${o.lossPercent}%`);
        try {
          await inNs(host.ns, 'tc', args);
        } catch (err) {
          if (/unknown/i.test((err as Error).message)) {
            throw new NetlabError(
              'NETLAB_NETEM_UNAVAILABLE',
              'this kernel has no netem queueing discipline (sch_netem); latency and loss cannot be emulated here',
            );
          }
          throw err;
        }
      },
      async limitRate(host, kbit) {
        await inNs(host.ns, 'tc', [
          'qdisc',
          'replace',
          'dev',
          devOf(host),
          'root',
          'tbf',
          'rate',
          `${kbit}kbit`,
          'burst',
          '32kbit',
          'latency',
          '400ms',
        ]);
      },
      nameHosts(names, o = {}) {
        const entries = Object.entries(names);
        if (entries.length > LAB_HOST_NAMES_MAX)
          throw new NetlabError(
            'NETLAB_INVALID_SPEC',
            `a lab names at most ${LAB_HOST_NAMES_MAX} hosts, asked for ${entries.length}`,
          );
        const lines = ['127.0.0.1 localhost', '::1 localhost ip6-localhost ip6-loopback'];
        for (const [name, host] of entries) {
          if (!HOST_NAME.test(name))
            throw new NetlabError('NETLAB_INVALID_SPEC', `${JSON.stringify(name)} is not a host name`);
          if (host.address4 !== undefined && o.family !== 6) lines.push(`${host.address4} ${name}`);
          else if (o.family === 4)
            throw new NetlabError('NETLAB_INVALID_SPEC', `${name}: ${host.ns} has no IPv4 address`);
          if (o.family !== 4) lines.push(`${host.address} ${name}`);
        }
        const text = `${lines.join('\n')}\n`;
        for (const ns of created) {
          mkdirSync(join(NETNS_ETC_DIR, ns), { recursive: true });
          writeFileSync(join(NETNS_ETC_DIR, ns, 'hosts'), text);
        }
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
