// `witan peer`: an overlay peer, the way the overlay's clients use the federation — through the
// client library (src/overlay, docs/overlay-client.md). It trusts only a pinned genesis: it
// fetches the world chain from any root and verifies every step (quorum of the previous world's
// validators, freshness) before using the roots the world lists; then it reserves relay slots on
// two of them, registers in a rendezvous namespace, lists the peers it finds, and can send a
// message to one through a relay.

import type { Command } from 'commander';
import type { SignedGenesis } from '../governance/index.ts';
import { createOverlayClient, DEFAULT_OVERLAY_NAMESPACE } from '../overlay/index.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { readJsonFile } from './genesis.ts';
import { DEFAULT_ROOT_URL } from './officer.ts';
import { action, printJson, say } from './output.ts';

/** How long `witan peer` stays registered and listening before it leaves, unless told otherwise. */
export const PEER_STAY_S_DEFAULT = 0;
export const PEER_STAY_S_MAX = 24 * 3600;

export function registerPeer(program: Command): void {
  program
    .command('peer')
    .description('join the overlay as a peer: verify the world, reserve relays, meet peers')
    .requiredOption('--genesis <file>', 'the genesis you pin; the world is verified from it')
    .option('--root <url>', 'any root, to fetch the world chain from', DEFAULT_ROOT_URL)
    .option('--namespace <ns>', 'rendezvous namespace', DEFAULT_OVERLAY_NAMESPACE)
    .option('--send <peerId>', 'send --message to this peer through a relay and print its echo')
    .option('--message <text>', 'what to send', 'hello from witan peer')
    .option('--stay <seconds>', 'stay registered this long, echoing messages', String(PEER_STAY_S_DEFAULT))
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Example (two terminals):
  $ witan peer --genesis genesis.json --root http://127.0.0.1:8480 --stay 300
  $ witan peer --genesis genesis.json --send 12D3KooW… --message hi`,
    )
    .action(
      action(async (opts: Record<string, string | boolean | undefined>) => {
        const stayS = Number(opts.stay);
        if (!Number.isInteger(stayS) || stayS < 0 || stayS > PEER_STAY_S_MAX) {
          throw new CliError(EXIT_USAGE, `--stay ${opts.stay}: seconds, 0..${PEER_STAY_S_MAX}`);
        }
        const genesis = readJsonFile(String(opts.genesis), 'genesis') as SignedGenesis;
        // Freshness by this machine's clock: cosignatures carry wall-clock times (never the root's).
        const client = await createOverlayClient({
          genesis,
          rootUrls: [String(opts.root)],
          namespace: String(opts.namespace),
        });
        const peer = client.peer;
        try {
          const verified = client.world();
          const found = await peer.discover();
          const result: Record<string, unknown> = {
            world: { version: verified.world.version, hash: verified.worldHash },
            peerId: peer.peerId,
            roots: peer.roots().map((r) => r.name),
            relays: peer.relayAddrs().map(String),
            peers: found.map((r) => r.peerId),
          };
          if (opts.send) {
            const echo = await peer.send(String(opts.send), new TextEncoder().encode(String(opts.message)));
            result.echo = new TextDecoder().decode(echo);
          }
          if (opts.json) printJson(result);
          else {
            say(`world v${verified.world.version} verified from the pinned genesis`);
            say(
              `peer ${peer.peerId}, reachable through the relays of ${peer
                .roots()
                .map((r) => r.name)
                .join(', ')}`,
            );
            say(`peers in ${peer.namespace}: ${found.map((r) => r.peerId).join(', ') || 'none yet'}`);
            if (result.echo !== undefined) say(`echo: ${result.echo}`);
          }
          if (stayS > 0) {
            if (!opts.json) say(`staying ${stayS} s (Ctrl-C to leave)`);
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, stayS * 1000);
              process.once('SIGINT', () => {
                clearTimeout(timer);
                resolve();
              });
            });
          }
        } finally {
          await client.stop();
        }
      }),
    );
}
