// The floor under an idle root on this stack: processes of stack-floor-process.ts (which says
// what runs in them: a root's libraries and network and HTTP shell, none of its work), bundled
// as a release's roots are and started with the same Node flags and environment, connected to
// each other as a federation's roots are.

import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bundleInto } from '../../scripts/bundle.ts';
import { ROOT_NODE_FLAGS, rootEnvironment } from '../../src/cli/constants.ts';
import { stopProcess } from '../../src/cli/root-processes.ts';

const REPO = join(import.meta.dirname, '..', '..');
const ENTRY = 'stack-floor';
/** Started, listening and connected; a root's start takes longer (ROOT_START_TIMEOUT_MS). */
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 100;
const LOG_LINES_SHOWN = 5;

/** Each process's id and the URLs of its public and operator HTTP servers. */
export type StackFloorProcess = { pid: number; http: string; operator: string };
export type StackFloor = { processes: StackFloorProcess[]; stop(): Promise<void> };

/** Bundles the program, starts `count` processes of it and resolves once all are connected. */
export async function startStackFloor(count: number): Promise<StackFloor> {
  const work = mkdtempSync(join(tmpdir(), 'witan-bench-stack-'));
  const children: { child: ChildProcess; exited: Promise<unknown> }[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => stopProcess(c.child, c.exited)));
    rmSync(work, { recursive: true, force: true });
  };
  try {
    // The bundle's external packages resolve from the checkout's node_modules through a link
    // beside it; nothing is written into the checkout.
    symlinkSync(join(REPO, 'node_modules'), join(work, 'node_modules'), 'dir');
    const bundleDir = join(work, 'bundle');
    await bundleInto(bundleDir, { [ENTRY]: join(import.meta.dirname, 'stack-floor-process.ts') });
    const script = join(bundleDir, `${ENTRY}.js`);
    for (let i = 0; i < count; i++) {
      const out = openSync(join(work, `process-${i}.log`), 'a');
      const child = spawn(process.execPath, [...ROOT_NODE_FLAGS, script, work, String(i), String(count)], {
        stdio: ['ignore', out, out],
        env: rootEnvironment(),
      });
      children.push({ child, exited: new Promise((resolve) => child.once('exit', resolve)) });
      closeSync(out);
    }
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (let i = 0; i < count; i++) {
      while (!existsSync(join(work, `ready-${i}`))) {
        const gone = children.find(({ child }) => child.exitCode !== null || child.signalCode !== null);
        if (gone !== undefined)
          throw new Error(`a stack-floor process exited while starting:\n${logs(work, count)}`);
        if (Date.now() > deadline)
          throw new Error(`the stack-floor processes were not connected in time:\n${logs(work, count)}`);
        await sleep(READY_POLL_MS);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const processes = children.map(({ child }, i) => {
    const urls = JSON.parse(readFileSync(join(work, `ready-${i}`), 'utf8')) as {
      http: string;
      operator: string;
    };
    return { pid: child.pid!, http: urls.http, operator: urls.operator };
  });
  return { processes, stop };
}

/** The last lines each process logged, for an error that is about to delete them. */
function logs(work: string, count: number): string {
  return Array.from({ length: count }, (_, i) => {
    const lines = readFileSync(join(work, `process-${i}.log`), 'utf8')
      .trim()
      .split('\n');
    return `process ${i}: ${lines.slice(-LOG_LINES_SHOWN).join('\n')}`;
  }).join('\n');
}
