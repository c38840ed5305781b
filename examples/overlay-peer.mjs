// An overlay peer in plain JavaScript, on the Witan client library (docs/overlay-client.md).
// It pins a genesis, verifies the world from any root, reserves relay slots on two of the
// roots that world lists, registers in a rendezvous namespace, and then either stays to answer
// messages or sends one to another peer through a relay and prints the echo.
//
//   node overlay-peer.mjs --genesis genesis.json --root http://127.0.0.1:8480 --stay 300
//   node overlay-peer.mjs --genesis genesis.json --root http://127.0.0.1:8480 --send 12D3KooW… --message hi
//
// The library is imported as `witan/overlay` (the package's build). WITAN_OVERLAY=<path or
// file: URL> imports it from elsewhere, for example the TypeScript source
// (…/witan/src/overlay/index.ts), which Node 24 runs by type stripping when it is not inside
// node_modules.

import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    genesis: { type: 'string' },
    root: { type: 'string', multiple: true },
    namespace: { type: 'string' },
    send: { type: 'string' },
    message: { type: 'string', default: 'hello through the relay' },
    stay: { type: 'string', default: '0' },
  },
});
if (args.genesis === undefined || args.root === undefined) {
  console.error(
    'usage: overlay-peer.mjs --genesis <file> --root <url> [--root <url>…] [--stay <s> | --send <peerId>]',
  );
  process.exit(64);
}

const where = process.env.WITAN_OVERLAY ?? 'witan/overlay';
const lib = await import(isAbsolute(where) ? pathToFileURL(where).href : where);

const client = await lib
  .createOverlayClient({
    genesis: JSON.parse(readFileSync(args.genesis, 'utf8')),
    rootUrls: args.root,
    ...(args.namespace === undefined ? {} : { namespace: args.namespace }),
    onWorldRefused: (err) => console.error(`a newer world was refused (${err.code}): ${err.message}`),
  })
  .catch((err) => {
    // A WorldError says why no world could be used: WORLD_STALE, WORLD_ROLLBACK, WORLD_FORK, …
    console.error(`${err.code ?? err.name}: ${err.message}`);
    process.exit(1);
  });
const { peer } = client;
const world = client.world();
const rootName = new Map(lib.worldRoots(world).map((r) => [r.peerId, r.name]));
console.log(`world v${world.world.version} verified from the pinned genesis: ${world.worldHash}`);
console.log(
  `peer ${peer.peerId} holds relay reservations on ${peer
    .roots()
    .map((r) => r.name)
    .join(' and ')}`,
);

if (args.send !== undefined) {
  const signal = AbortSignal.timeout(30_000);
  const { connection } = await peer.connect(args.send, { signal });
  const echo = await lib.exchangeMessage(connection, new TextEncoder().encode(args.message), signal);
  const text = connection.remoteAddr.toString();
  const via = lib.isCircuit(connection.remoteAddr)
    ? `through the relay of ${rootName.get(text.slice(0, text.indexOf('/p2p-circuit')).split('/p2p/')[1]) ?? 'a root'}`
    : 'directly';
  console.log(`echo "${new TextDecoder().decode(echo)}" from ${args.send} ${via}`);
} else {
  console.log(`listening in ${peer.namespace} for ${args.stay} s`);
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, Number(args.stay) * 1000);
    process.once('SIGTERM', () => resolve(clearTimeout(timer)));
    process.once('SIGINT', () => resolve(clearTimeout(timer)));
  });
}
await client.stop();
