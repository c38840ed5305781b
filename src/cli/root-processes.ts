// Starting and stopping roots as child processes: the devnet and the multi-process tests run
// each root as its own OS process, exactly as an operator would (`witan start --config …`).

import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { siblingModuleUrl } from '../base/index.ts';
import { HttpClient } from '../net/index.ts';
import { ROOT_NODE_FLAGS, rootEnvironment } from './constants.ts';
import { CliError, EXIT_UNAVAILABLE } from './errors.ts';

/** The CLI's entry: `main.ts` from the sources, `main.js` from the compiled package. */
export const MAIN_SCRIPT = fileURLToPath(siblingModuleUrl(import.meta.url, 'main'));
/** A root that has not answered /health by then did not start; its log says why. */
export const ROOT_START_TIMEOUT_MS = 90_000;
/** One look at /health while a root starts; the loop below asks again. */
export const HEALTH_PROBE_TIMEOUT_MS = 1000;
/** GET /health answers a small JSON object. */
const HEALTH_BYTES_MAX = 64 * 1024;
const healthProbe = new HttpClient({ timeoutMs: HEALTH_PROBE_TIMEOUT_MS, attemptsMax: 1 });

/** After SIGTERM a root finishes its durable write and closes; then it is killed. */
export const ROOT_STOP_TIMEOUT_MS = 10_000;

/**
 * Ports handed to roots come from below Linux's ephemeral range (32768–60999 by default):
 * a port picked there could be taken by any outgoing connection before the root listens on
 * it, which happens when many roots and tests dial each other on one machine.
 */
export const FREE_PORT_MIN = 20_000;
export const FREE_PORT_MAX = 32_000;
const FREE_PORT_ATTEMPTS = 64;
/**
 * A port is claimed before it is handed out, by creating a file named after it in a folder
 * every process on the machine shares: two processes (parallel test files, two devnets) that
 * draw the same port before either listens would otherwise both take it. A claim older than
 * this has long been listened on or given up, and may be taken again.
 */
export const PORT_CLAIM_TTL_MS = 30 * 60_000;
const PORT_CLAIMS_DIR = join(tmpdir(), 'witan-port-claims');
/** Ports this process handed out: never twice, whatever the claim files say. */
const handedOut = new Set<number>();

/** Claims `port` for this process, unless another process claimed it recently. */
function claim(port: number): boolean {
  if (handedOut.has(port)) return false;
  mkdirSync(PORT_CLAIMS_DIR, { recursive: true });
  const file = join(PORT_CLAIMS_DIR, String(port));
  try {
    if (Date.now() - statSync(file).mtimeMs < PORT_CLAIM_TTL_MS) return false;
    unlinkSync(file);
  } catch {
    // No claim yet (or another process removed the stale one first): try to create it.
  }
  try {
    closeSync(openSync(file, 'wx'));
  } catch {
    return false;
  }
  handedOut.add(port);
  return true;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, outside the ephemeral range, and that no
 * process on this machine was handed in the last PORT_CLAIM_TTL_MS.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < FREE_PORT_ATTEMPTS; i++) {
    const port = FREE_PORT_MIN + Math.floor(Math.random() * (FREE_PORT_MAX - FREE_PORT_MIN));
    if (claim(port) && (await canListen(port))) return port;
  }
  throw new CliError(
    EXIT_UNAVAILABLE,
    `no free port found in ${FREE_PORT_MIN}..${FREE_PORT_MAX} after ${FREE_PORT_ATTEMPTS} tries`,
  );
}

export interface RootProcess {
  name: string;
  configPath: string;
  httpUrl: string;
  logFile: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `witan start --config <dir>/witan.json` under ROOT_NODE_FLAGS and ROOT_ENV (under this
 * process's environment, then `env`: a key set to undefined there is left out), with its output
 * appended to <dir>/root.log. `wrap` is a command the root runs under, which must exec it in
 * the end so that the child is the root and signals reach it (e.g. `ip netns exec <ns>`, or
 * `unshare` for its own hosts file). `script` is the CLI entry to run (MAIN_SCRIPT, this
 * checkout's own, by default; the compiled package's dist/cli/main.js for what a release runs);
 * `nodeFlags` replaces ROOT_NODE_FLAGS (a benchmark comparing with V8's defaults passes none).
 */
export function spawnRoot(o: {
  name: string;
  dir: string;
  httpUrl: string;
  env?: NodeJS.ProcessEnv;
  wrap?: readonly string[];
  script?: string;
  nodeFlags?: readonly string[];
}): RootProcess {
  const logFile = join(o.dir, 'root.log');
  const out = openSync(logFile, 'a');
  const configPath = join(o.dir, 'witan.json');
  const command = [
    ...(o.wrap ?? []),
    process.execPath,
    ...(o.nodeFlags ?? ROOT_NODE_FLAGS),
    o.script ?? MAIN_SCRIPT,
    'start',
    '--config',
    configPath,
  ];
  const child = spawn(command[0]!, command.slice(1), {
    stdio: ['ignore', out, out],
    env: rootEnvironment({ ...process.env, ...o.env }),
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { name: o.name, configPath, httpUrl: o.httpUrl, logFile, child, exited };
}

/** Resolves when GET /health answers 200; rejects if the process exits or time runs out. */
export async function waitHealthy(root: RootProcess, timeoutMs = ROOT_START_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void root.exited.then(() => {
    gone = true;
  });
  while (Date.now() < deadline) {
    if (gone)
      throw new CliError(EXIT_UNAVAILABLE, `root ${root.name} exited while starting; see ${root.logFile}`);
    try {
      await healthProbe.getBytes(`${root.httpUrl}/health`, { bytesMax: HEALTH_BYTES_MAX });
      return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new CliError(
    EXIT_UNAVAILABLE,
    `root ${root.name} did not answer ${root.httpUrl}/health within ${timeoutMs} ms; see ${root.logFile}`,
  );
}

/** SIGTERM, then SIGKILL if it has not exited in time. */
export async function stopRoot(root: RootProcess, timeoutMs = ROOT_STOP_TIMEOUT_MS): Promise<void> {
  await stopProcess(root.child, root.exited, timeoutMs);
}

/**
 * Stops a child as a root is stopped: SIGTERM, then SIGKILL if it has not exited in time.
 * `exited` settles when it exits (made when it was spawned, so an early exit is not missed).
 */
export async function stopProcess(
  child: ChildProcess,
  exited: Promise<unknown>,
  timeoutMs = ROOT_STOP_TIMEOUT_MS,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

export function killRoot(root: RootProcess): Promise<unknown> {
  if (root.child.exitCode === null && root.child.signalCode === null) root.child.kill('SIGKILL');
  return root.exited;
}
