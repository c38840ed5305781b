// Relay load on a root, in its own process (`node bench/lib/circuit-load.ts <relay multiaddr>
// <dialers>`, forked by bench/saturation.ts): a listener holds a reservation on the root, and
// each dialer reaches it through the relay again and again, sending CIRCUIT_PAYLOAD_BYTES per
// relayed connection (below the policy's per-circuit limit) and waiting for the listener's count.
// Reports on request the circuits completed and the bytes relayed; stops on request.

import type { Multiaddr } from '@multiformats/multiaddr';
import { handleSink, SINK, startStock } from '../relay.ts';

/** Bytes sent over one relayed connection: well under the default policy's 1 MiB per circuit. */
export const CIRCUIT_PAYLOAD_BYTES = 256 * 1024;
const CHUNK_BYTES = 16 * 1024;
/** How long the listener may take to get its reservation. */
const RESERVATION_TIMEOUT_MS = 30_000;
/** A failed circuit is retried after this (the relay may be saturated). */
const RETRY_PAUSE_MS = 100;

export type CircuitLoadStats = { circuits: number; bytes: number; failures: number };
type Request = { op: 'stats' } | { op: 'stop' };

async function main(): Promise<void> {
  const relay = process.argv[2] as string;
  const dialers = Number(process.argv[3]);
  const listener = await startStock([`${relay}/p2p-circuit`]);
  await handleSink(listener);
  const deadline = Date.now() + RESERVATION_TIMEOUT_MS;
  let target: Multiaddr | undefined;
  while (target === undefined && Date.now() < deadline) {
    target = listener.getMultiaddrs().find((a) => a.toString().includes('/p2p-circuit'));
    if (target === undefined) await new Promise((r) => setTimeout(r, 50));
  }
  if (target === undefined) throw new Error('no relay reservation for the listener');
  const stats: CircuitLoadStats = { circuits: 0, bytes: 0, failures: 0 };
  let stopping = false;
  const chunk = new Uint8Array(CHUNK_BYTES).fill(7);
  const loops = Array.from({ length: dialers }, async () => {
    const dialer = await startStock();
    while (!stopping) {
      try {
        const stream = await dialer.dialProtocol(target, SINK, {
          runOnLimitedConnection: true,
          signal: AbortSignal.timeout(30_000),
        });
        for (let sent = 0; sent < CIRCUIT_PAYLOAD_BYTES; sent += CHUNK_BYTES) {
          if (!stream.send(chunk))
            await new Promise((r) => stream.addEventListener('drain', r, { once: true }));
        }
        await stream.close();
        for await (const _ of stream) break;
        stats.circuits++;
        stats.bytes += CIRCUIT_PAYLOAD_BYTES;
        // Only the relayed connection: the one to the relay stays up for the next circuit.
        await Promise.all(dialer.getConnections(listener.peerId).map((c) => c.close()));
      } catch {
        stats.failures++;
        await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
      }
    }
    await dialer.stop();
  });
  process.on('message', (req: Request) => {
    if (req.op === 'stats') process.send?.({ op: 'stats', value: stats });
    if (req.op === 'stop') {
      stopping = true;
      void Promise.all(loops)
        .then(() => listener.stop())
        .then(() => process.exit(0));
    }
  });
  process.send?.({ op: 'ready', value: target.toString() });
}

if (process.argv[1] === import.meta.filename) await main();
