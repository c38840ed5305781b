// One process of the stack's floor (stack-floor.ts starts them, bundled as a release is): what
// `witan start` starts around a root's own work, configured as Root.start configures it, and
// nothing else. The libp2p host with every service a root offers (createRootHost: relay,
// rendezvous, AutoNAT, DCUtR, identify, ping, gossip subscribed to the federation's topics, the
// direct streams), connected to the other processes of its run; the public HTTP server with its
// OpenAPI UI and the operator's with health, readiness and metrics (buildApiServer); the two
// LevelDB stores; the metrics registry with Node's default metrics; the logger; the tick hold.
// Left out is everything that is the root: its state, consensus, ledger, cosignature book,
// federation key, the public routes, and the timers that drive them. Whatever the process holds
// at rest, any root on this stack holds too.
//
//   node stack-floor.js <dir> <index> <count>
//
// Each process writes its listening address to <dir>/addr-<index>, dials the processes after it
// once their addresses are there, and once connected to every other process writes
// <dir>/ready-<index>: the URLs of its two HTTP servers, as JSON. SIGTERM stops it.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Level } from 'level';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { healthRoutes, metricsRoutes } from '../../src/api/health-routes.ts';
import { readyRoutes } from '../../src/api/ready-routes.ts';
import { buildApiServer } from '../../src/api/server.ts';
import { keepNextTickShapes } from '../../src/cli/tick-shapes.ts';
import { keyPairFromSeed } from '../../src/crypto/index.ts';
import { DEFAULT_POLICY } from '../../src/governance/policy.ts';
import {
  DEFAULT_EVENT_LOOP_DELAY_MAX_MS,
  DEFAULT_HTTP_BODY_BYTES_MAX,
  DEFAULT_HTTP_CONNECTIONS_MAX,
  DEFAULT_HTTP_REQUEST_TIMEOUT_MS,
  DEFAULT_HTTP_REQUESTS_PER_MINUTE,
  OPERATOR_HTTP_LIMITS,
} from '../../src/node/constants.ts';
import { createLogger } from '../../src/node/logger.ts';
import { createRootHost, peerIdOfNodeKey, relayLimitsOf } from '../../src/node/p2p/host.ts';

/** How long a process waits for the others (their addresses, their connections) before it gives up. */
const PEERS_WAIT_MS = 60_000;
const PEERS_POLL_MS = 100;
const FEDERATION = 'stack-floor.witan.test';
const HOST = '127.0.0.1';

const [dir, indexArg, countArg] = process.argv.slice(2);
const index = Number(indexArg);
const count = Number(countArg);
if (
  dir === undefined ||
  !Number.isInteger(index) ||
  !Number.isInteger(count) ||
  index < 0 ||
  index >= count
) {
  console.error('usage: stack-floor.js <dir> <index> <count>, with 0 ≤ index < count');
  process.exit(2);
}

keepNextTickShapes();
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const log = createLogger({ level: 'info', pretty: false });
// Node keys every process of the run can derive: the seed of process i is 32 bytes of i + 1.
const seeds = Array.from({ length: count }, (_, i) => new Uint8Array(32).fill(i + 1));
const ledger = new Level<string, Uint8Array>(join(dir, `ledger-${index}`), {
  keyEncoding: 'utf8',
  valueEncoding: 'view',
});
const consensus = new Level<string, Uint8Array>(join(dir, `consensus-${index}`), { valueEncoding: 'view' });
await Promise.all([ledger.open(), consensus.open()]);

const host = await createRootHost({
  nodeSecretKey: seeds[index]!,
  federation: FEDERATION,
  listen: [`/ip4/${HOST}/tcp/0`],
  relay: relayLimitsOf(DEFAULT_POLICY.relay),
  rendezvous: { ...DEFAULT_POLICY.rendezvous },
  metrics: registry,
  logger: log.child({ component: 'p2p' }),
});
host.setAllowedPeers(seeds.map((s) => peerIdOfNodeKey(keyPairFromSeed(s).publicKey)));
for (const topic of Object.values(host.topics))
  host.subscribe(
    topic,
    () => undefined,
    () => 'accept',
  );

const health = () => ({ ok: true, detail: {} });
const http = await buildApiServer({
  logger: log.child({ component: 'http' }),
  bodyBytesMax: DEFAULT_HTTP_BODY_BYTES_MAX,
  requestsPerMinute: DEFAULT_HTTP_REQUESTS_PER_MINUTE,
  requestTimeoutMs: DEFAULT_HTTP_REQUEST_TIMEOUT_MS,
  eventLoopDelayMaxMs: DEFAULT_EVENT_LOOP_DELAY_MAX_MS,
  connectionsMax: DEFAULT_HTTP_CONNECTIONS_MAX,
  trustProxy: [],
  metrics: registry,
  title: 'Witan stack floor',
  docs: true,
  readOnlyCors: true,
});
await http.register(healthRoutes, { health });
await http.listen({ host: HOST, port: 0 });
const operator = await buildApiServer({
  logger: log.child({ component: 'operator-http' }),
  ...OPERATOR_HTTP_LIMITS,
  docs: false,
});
await operator.register(healthRoutes, { health });
await operator.register(readyRoutes, { ready: () => ({ ready: true, verdict: 'healthy', reasons: [] }) });
await operator.register(metricsRoutes, { registry });
await operator.listen({ host: HOST, port: 0 });

function port(server: typeof http): number {
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server is not listening on TCP');
  return address.port;
}

process.once('SIGTERM', () => {
  void Promise.allSettled([host.stop(), http.close(), operator.close()])
    .then(() => Promise.allSettled([ledger.close(), consensus.close()]))
    .finally(() => process.exit(0));
});

/** Written under another name first: whoever waits for the file never reads half of it. */
function writeWhole(path: string, text: string): void {
  writeFileSync(`${path}.part`, text);
  renameSync(`${path}.part`, path);
}

writeWhole(join(dir, `addr-${index}`), host.multiaddrs()[0]!.toString());
const deadline = Date.now() + PEERS_WAIT_MS;
for (let peer = index + 1; peer < count; peer++) {
  const file = join(dir, `addr-${peer}`);
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`no address from process ${peer} in ${PEERS_WAIT_MS} ms`);
    await sleep(PEERS_POLL_MS);
  }
  await host.dial(readFileSync(file, 'utf8'));
}
// Ready once every other process is a peer, the ones that dialled this one included.
while (host.libp2p.getPeers().length < count - 1) {
  if (Date.now() > deadline)
    throw new Error(`connected to ${host.libp2p.getPeers().length} of ${count - 1} peers`);
  await sleep(PEERS_POLL_MS);
}
writeWhole(
  join(dir, `ready-${index}`),
  JSON.stringify({ http: `http://${HOST}:${port(http)}`, operator: `http://${HOST}:${port(operator)}` }),
);
log.info({ index, count }, 'stack floor started');
