// Tiles and checkpoint served per second by tlogRoutes (fastify, one Node process) against
// nginx serving the very same bytes from files, both loaded by wrk with the same request mix;
// plus inclusion proofs served per second (JSON route, no file-server equivalent). Beside them,
// bare node:http serving the same files (one handler, no routing, no policy): the ceiling Node's
// own HTTP stack sets on this machine, so the ratio says how much of the gap is ours.
// The project's goal: ours ≥ 0.8 × nginx. nginx runs one worker so that both sides
// use one core; wrk gets the other. If nginx or wrk is missing (`apt-get install -y
// nginx-light wrk`), the figure that needs it is not recorded and the notes say why.

import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildDemoLedger, serveDemo } from '../scripts/ledger-demo.ts';
import { formatTilePath, TILE_WIDTH, tileWidthAt } from '../src/ledger/index.ts';
import { startBareHttp } from './lib/bare-http.ts';
import { type BenchResult, type Figure, ratioFigure } from './lib/harness.ts';
import { has, rotatingScript, startNginx, WRK_CONNECTIONS, wrk } from './lib/http-load.ts';
import type { BenchOptions } from './run.ts';

const ROUNDS = 3;

export async function run(options: BenchOptions): Promise<BenchResult> {
  const entries = options.quick ? 16_384 : 65_536;
  const seconds = options.quick ? 3 : 10;
  const work = mkdtempSync(join(tmpdir(), 'witan-bench-tiles-'));
  const figures: Figure[] = [];
  const notes: string[] = [];
  const demo = await buildDemoLedger({ dir: join(work, 'ledger'), entries, cosigners: 3 });
  const served = await serveDemo(demo.store, 0);
  let nginx: ChildProcess | undefined;
  let bare: ChildProcess | undefined;
  try {
    // The request mix: every full hash tile and entry bundle, the partial edge, and the checkpoint.
    const paths = ['/checkpoint'];
    for (let n = 0; tileWidthAt(0, n, entries) > 0; n++) {
      const width = tileWidthAt(0, n, entries);
      paths.push(`/${formatTilePath({ level: 0, index: n, width })}`);
      paths.push(`/${formatTilePath({ level: 'entries', index: n, width })}`);
    }
    paths.push(`/${formatTilePath({ level: 1, index: 0, width: tileWidthAt(1, 0, entries) })}`);
    const files = join(work, 'files');
    for (const p of paths) {
      const response = await fetch(served.url + p);
      if (!response.ok) throw new Error(`${p}: ${response.status}`);
      mkdirSync(dirname(join(files, p)), { recursive: true });
      writeFileSync(join(files, p), new Uint8Array(await response.arrayBuffer()));
    }
    const tileScript = rotatingScript(work, paths);
    const proofScript = join(work, 'proofs.lua');
    writeFileSync(
      proofScript,
      `local i = 0
request = function()
  i = (i * 7919 + 1) % ${entries}
  return wrk.format("GET", "/ledger/proof/inclusion?index=" .. i)
end
`,
    );
    if (!has('wrk')) {
      notes.push('wrk is not installed (apt-get install -y wrk): nothing measured');
    } else {
      if (has('nginx')) {
        const port = 20_000 + (process.pid % 20_000);
        nginx = await startNginx(files, port, work);
        const bareServer = await startBareHttp(files);
        bare = bareServer.child;
        // Alternate the three so that load from other processes on the machine falls on each.
        let oursRate = 0;
        let nginxRate = 0;
        let bareRate = 0;
        for (let round = 0; round < ROUNDS; round++) {
          oursRate += (await wrk(served.url, seconds, tileScript)) / ROUNDS;
          nginxRate += (await wrk(`http://127.0.0.1:${port}`, seconds, tileScript)) / ROUNDS;
          bareRate += (await wrk(bareServer.url, seconds, tileScript)) / ROUNDS;
        }
        figures.push(
          ratioFigure(
            'tiles + checkpoint served',
            oursRate,
            'req/s',
            'nginx 1 worker, same files',
            nginxRate,
            {
              atLeast: 0.8,
            },
          ),
          ratioFigure(
            'ceiling: the same files from bare node:http (one handler, no routing, no policy)',
            bareRate,
            'req/s',
            'nginx 1 worker, same files',
            nginxRate,
          ),
        );
      } else {
        notes.push('nginx is not installed (apt-get install -y nginx-light): tiles vs nginx not recorded');
      }
      figures.push({
        name: 'inclusion proofs served (JSON)',
        value: await wrk(served.url, seconds, proofScript),
        unit: 'req/s',
      });
    }
    notes.push(
      `ledger of ${entries.toLocaleString('en-US')} demo entries; ${paths.length} paths rotated (${Math.ceil(entries / TILE_WIDTH)} hash tiles, as many bundles, the checkpoint); wrk -t1 -c${WRK_CONNECTIONS} -d${seconds}s, keep-alive, ${ROUNDS} alternating rounds each; ours = one Node process, buildApiServer + tlogRoutes (rate limit and load shedding on), ready responses from memory; nginx = 1 worker process, sendfile; bare node:http = its own process, the files read into memory beforehand`,
      "where the gap comes from: ours against the bare node:http ceiling is what the routes, hooks and policy cost; the ceiling against nginx is Node's own HTTP stack (parsing and the response path in JavaScript, which nginx does in C); on a 2-core machine wrk takes the other core",
    );
  } finally {
    nginx?.kill('SIGQUIT');
    bare?.kill();
    await served.app.close();
    await demo.store.close();
    rmSync(work, { recursive: true, force: true });
  }
  return { id: 'tiles-serving', title: 'Ledger: tiles and proofs served over HTTP', figures, notes };
}
