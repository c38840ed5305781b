// `npm run bench -- world-serving`: GET /world answered by a root's API stack — buildApiServer
// with the public listener's options (a logger, rate limit, load shedding, read-only CORS,
// metrics, OpenAPI) and rootRoutes — in its own process, against nginx (one worker) serving
// the same bytes from a file, both loaded by wrk with keep-alive, alternating. Goal: ≥ 0.8 ×
// nginx.
// It is the read path alone; bench/root-commit.ts measures the same on a root of a running
// federation. `node bench/world-serving.ts --serve-world` is the serving process.

import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { rootRoutes } from '../src/api/root-routes.ts';
import type { RootView } from '../src/api/root-view.ts';
import { buildApiServer } from '../src/api/server.ts';
import { genesisState } from '../src/governance/index.ts';
import { benchGenesis } from './audit.ts';
import { startBareHttp } from './lib/bare-http.ts';
import { type BenchResult, type Figure, ratioFigure } from './lib/harness.ts';
import { forkServer, has, startNginx, WRK_CONNECTIONS, wrk } from './lib/http-load.ts';
import type { BenchOptions } from './run.ts';

const ROUNDS = 3;
const SERVE_FLAG = '--serve-world';
/** The serving process: the root API stack on 127.0.0.1; sends its port. */
async function serve(): Promise<void> {
  const state = genesisState(benchGenesis());
  const app = await buildApiServer({
    // As a root's: pino at info, to this process's stdout (a failed request would show there).
    logger: pino({ level: 'info', base: { component: 'http' } }),
    bodyBytesMax: 96 * 1024,
    // wrk is one address; the limiter still runs on every request, as on a root.
    requestsPerMinute: 100_000_000,
    requestTimeoutMs: 10_000,
    eventLoopDelayMaxMs: 1_000,
    metrics: new Registry(),
    readOnlyCors: true,
  });
  // GET /world reads only the governance state; the rest of a root is not needed here.
  const view = { state: () => state } as Partial<RootView> as RootView;
  await app.register(rootRoutes, { view });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  process.send?.({ port: address.port });
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const seconds = options.quick ? 3 : 10;
  const work = mkdtempSync(join(tmpdir(), 'witan-bench-world-'));
  const figures: Figure[] = [];
  const notes: string[] = [];
  const server = await forkServer(import.meta.filename, [SERVE_FLAG]);
  let nginx: ChildProcess | undefined;
  let bare: { child: ChildProcess; url: string } | undefined;
  try {
    const response = await fetch(`${server.url}/world`);
    if (!response.ok) throw new Error(`/world: ${response.status}`);
    const body = new Uint8Array(await response.arrayBuffer());
    const files = join(work, 'files');
    mkdirSync(files);
    writeFileSync(join(files, 'world'), body);
    if (!has('wrk') || !has('nginx')) {
      notes.push('wrk or nginx is not installed (apt-get install -y wrk nginx-light): nothing measured');
    } else {
      const port = 20_000 + ((process.pid + 7) % 20_000);
      nginx = await startNginx(files, port, work, 'location = /world { default_type application/json; }');
      bare = await startBareHttp(files);
      // Alternate the three so that load from other processes on the machine falls on each.
      let ours = 0;
      let theirs = 0;
      let node = 0;
      for (let round = 0; round < ROUNDS; round++) {
        ours += (await wrk(`${server.url}/world`, seconds)) / ROUNDS;
        theirs += (await wrk(`http://127.0.0.1:${port}/world`, seconds)) / ROUNDS;
        node += (await wrk(`${bare.url}/world`, seconds)) / ROUNDS;
      }
      figures.push(
        ratioFigure('GET /world, root API stack alone', ours, 'req/s', 'nginx 1 worker, same bytes', theirs, {
          atLeast: 0.8,
        }),
        ratioFigure(
          'ceiling: the same bytes from bare node:http (one handler, no routing, no policy)',
          node,
          'req/s',
          'nginx 1 worker, same bytes',
          theirs,
        ),
        ratioFigure('  the same against bare node:http', ours, 'req/s', 'bare node:http, same bytes', node),
      );
    }
    notes.push(
      `/world is ${body.length.toLocaleString('en-US')} bytes of JSON (7 members); wrk -t1 -c${WRK_CONNECTIONS} -d${seconds}s, keep-alive, ${ROUNDS} alternating rounds; ours = one Node process, buildApiServer (pino logger at info, rate limit, load shedding, read-only CORS, metrics, OpenAPI) + rootRoutes; nginx = 1 worker process, sendfile; on a 2-core machine wrk takes the other core`,
    );
  } finally {
    nginx?.kill('SIGQUIT');
    bare?.child.kill();
    server.child.kill();
    rmSync(work, { recursive: true, force: true });
  }
  return { id: 'world-serving', title: 'API: GET /world served by the root API stack', figures, notes };
}

if (process.argv[2] === SERVE_FLAG) await serve();
