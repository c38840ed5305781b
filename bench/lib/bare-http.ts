// The ceiling for any Node server in the serving benchmarks: node:http with one handler that
// writes bytes read from files beforehand — no routing, no hooks, no policy. Run as its own
// process (`node bench/lib/bare-http.ts --serve <dir>`, started by startBareHttp), like the
// root and nginx it is compared with. What is left between it and nginx is Node's HTTP stack.

import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, relative } from 'node:path';
import { forkServer } from './http-load.ts';

const SERVE_FLAG = '--serve';
/** Bytes the bare server loads at most: the benchmarks serve a few small files. */
const BARE_BYTES_MAX = 64 * 1024 * 1024;

/** Every file under `dir`, keyed by its URL path ('/' + the path relative to `dir`). */
function filesUnder(dir: string, root = dir, out = new Map<string, Buffer>()): Map<string, Buffer> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) filesUnder(path, root, out);
    else out.set(`/${relative(root, path)}`, readFileSync(path));
  }
  return out;
}

function serve(dir: string): void {
  const files = filesUnder(dir);
  const total = [...files.values()].reduce((n, b) => n + b.length, 0);
  if (total > BARE_BYTES_MAX)
    throw new Error(`bare server: ${total} bytes under ${dir}, at most ${BARE_BYTES_MAX}`);
  const answers = new Map(
    [...files].map(([path, body]) => [
      path,
      {
        body,
        headers: {
          'content-type': path === '/world' ? 'application/json' : 'application/octet-stream',
          'content-length': String(body.length),
        },
      },
    ]),
  );
  const server = createServer((req, res) => {
    const answer = answers.get(req.url ?? '');
    if (answer === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, answer.headers);
    res.end(answer.body);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    process.send?.({ port: address.port });
  });
}

/** Starts the bare server on the files under `dir`, in its own process; its base URL. */
export function startBareHttp(dir: string): Promise<{ child: ChildProcess; url: string }> {
  return forkServer(import.meta.filename, [SERVE_FLAG, dir]);
}

if (process.argv[2] === SERVE_FLAG) serve(process.argv[3]!);
