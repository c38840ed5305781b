// `witan devnet` through the real binary, kept running for a test file: started in a fresh
// folder, awaited until its story is done (world v3, two overlay peers relayed), then read,
// disturbed (one root SIGKILLed) and finally stopped with SIGTERM, as a person would Ctrl-C it.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/witan.js', import.meta.url));
/** The whole story, from key generation to relayed peers, on a busy two-core machine. */
export const DEVNET_STORY_TIMEOUT_MS = 240_000;
/** After SIGTERM the devnet stops every root cleanly; then it is killed. */
export const DEVNET_STOP_TIMEOUT_MS = 30_000;
/** Output kept for a failure message, in characters. */
const OUTPUT_KEPT_CHARS = 20_000;

export interface LiveDevnet {
  /** The devnet's folder: members' keys and data, genesis.json, the witness key. */
  dir: string;
  /** Each root's HTTP base URL by member name. */
  roots: Map<string, string>;
  /** Everything the devnet printed so far (the tail). */
  output(): string;
  /** Runs `witan <args>` through the real binary; resolves with its stdout, rejects on a non-zero exit. */
  witan(args: string[]): Promise<string>;
  /** SIGKILLs one member's root process (found by its config path in /proc). */
  killRoot(name: string): void;
  stop(): Promise<void>;
}

/** Starts `witan devnet --dir <tmp>` and resolves once the federation is running. */
export async function startDevnet(): Promise<LiveDevnet> {
  const base = mkdtempSync(join(tmpdir(), 'witan-live-devnet-'));
  const dir = join(base, 'net');
  const child = spawn(process.execPath, [BIN, 'devnet', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-OUTPUT_KEPT_CHARS);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const devnet: LiveDevnet = {
    dir,
    roots: new Map(),
    output: () => out,
    witan: (args) => run(args),
    killRoot: (name) => process.kill(rootPid(join(dir, name, 'witan.json')), 'SIGKILL'),
    stop: async () => {
      await stop(child, exited);
      rmSync(base, { recursive: true, force: true });
    },
  };
  try {
    await running(child, () => out, exited);
  } catch (err) {
    await devnet.stop();
    throw err;
  }
  for (const m of out.matchAll(/^ {2}([a-z]+) +(http:\/\/127\.0\.0\.1:\d+) +\(docs:/gm))
    devnet.roots.set(m[1]!, m[2]!);
  return devnet;
}

async function running(
  child: ChildProcess,
  out: () => string,
  exited: Promise<number | null>,
): Promise<void> {
  const deadline = Date.now() + DEVNET_STORY_TIMEOUT_MS;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  while (!/Ctrl-C stops every root/.test(out())) {
    if (gone) throw new Error(`witan devnet exited (${child.exitCode}) before its story was done:\n${out()}`);
    if (Date.now() > deadline)
      throw new Error(
        `witan devnet did not finish its story within ${DEVNET_STORY_TIMEOUT_MS} ms:\n${out()}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), DEVNET_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const cli = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (d) => {
      stdout += d;
    });
    cli.stderr.on('data', (d) => {
      stderr += d;
    });
    cli.once('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`witan ${args.join(' ')} exited ${code}:\n${stderr}`)),
    );
  });
}

/** The process running `witan start --config <configPath>`. */
function rootPid(configPath: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited while we looked
    }
    if (args.includes('start') && args.includes(configPath)) return Number(entry);
  }
  throw new Error(`no root process runs with --config ${configPath}`);
}
