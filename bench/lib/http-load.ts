// HTTP load and its baseline, shared by the serving benchmarks: wrk as the load generator and
// nginx (one worker, sendfile) serving the same bytes from files, so that our figures are
// ratios against a well-known static server measured in the same run.

import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Connections wrk keeps open (keep-alive), one thread. */
export const WRK_CONNECTIONS = 32;
/** How long nginx is given to start before it is checked. */
const NGINX_START_MS = 500;

/**
 * Starts a serving process (`script` with `args`), which sends { port } once it listens on
 * 127.0.0.1; its base URL.
 */
export async function forkServer(
  script: string,
  args: string[],
): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it listened`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

export function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

export function wrkArgs(url: string, seconds: number, script?: string): string[] {
  return ['-t1', `-c${WRK_CONNECTIONS}`, `-d${seconds}s`, ...(script ? ['-s', script] : []), url];
}

/** Requests per second reported by wrk, or throws with its output (also when any answer was not 2xx/3xx). */
export async function wrk(url: string, seconds: number, script?: string): Promise<number> {
  const run = await wrkRun(url, seconds, script);
  if (run.non2xx > 0) throw new Error(`wrk saw errors:\n${run.output}`);
  return run.rate;
}

export type WrkRun = { rate: number; requests: number; non2xx: number; output: string };

/** One wrk run: its rate, requests, and answers that were not 2xx/3xx (expected when the load is garbage). */
export async function wrkRun(url: string, seconds: number, script?: string): Promise<WrkRun> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', wrkArgs(url, seconds, script));
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
    });
    child.stderr.on('data', (d) => {
      text += d;
    });
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
  const match = /Requests\/sec:\s+([0-9.]+)/.exec(out);
  if (match === null) throw new Error(`wrk gave no rate:\n${out}`);
  return {
    rate: Number(match[1]),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    output: out,
  };
}

/** A wrk Lua script that requests `paths` in turn; returns its file. */
export function rotatingScript(dir: string, paths: string[]): string {
  const file = join(dir, 'paths.lua');
  writeFileSync(
    file,
    `local paths = {${paths.map((p) => JSON.stringify(p)).join(',')}}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
`,
  );
  return file;
}

/** nginx with one worker serving `root` on 127.0.0.1:`port`; `locations` go in its server block. */
export async function startNginx(
  root: string,
  port: number,
  work: string,
  locations = '',
): Promise<ChildProcess> {
  const conf = join(work, 'nginx.conf');
  writeFileSync(
    conf,
    `user root;
worker_processes 1;
daemon off;
pid ${join(work, 'nginx.pid')};
error_log ${join(work, 'nginx-error.log')};
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  client_body_temp_path ${work}; proxy_temp_path ${work}; fastcgi_temp_path ${work};
  uwsgi_temp_path ${work}; scgi_temp_path ${work};
  server { listen 127.0.0.1:${port}; root ${root}; ${locations} }
}
`,
  );
  const child = spawn('nginx', ['-c', conf, '-p', work], { stdio: 'ignore' });
  await sleep(NGINX_START_MS);
  if (child.exitCode !== null) throw new Error(`nginx exited: see ${join(work, 'nginx-error.log')}`);
  return child;
}
