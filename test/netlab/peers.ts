// Roots and overlay peers placed in a lab: the root host on the public segment, overlay peers
// in homes (or on the public segment), and the one operation the NAT tests and the benchmark
// measure: peer A meets peer B by rendezvous, connects through a relay, waits for DCUtR and
// sends data over the best connection left.

import { join } from 'node:path';
import { createLab, type Lab, type LabHost, type LabProcess, type NatKind } from './lab.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
export const ROOT_PORT = 4001;
/** Every peer's TCP connections leave from this local port (see fixtures/lab-peer.ts). */
export const PEER_DIAL_PORT = 40_001;
export const PUBLIC_PEER_LISTEN_PORT = 4101;
/** Start-up of a peer: identify, two AutoNAT dial-backs that time out, reservations, registration. */
export const PEER_READY_MS = 90_000;
export const CONNECT_TIMEOUT_MS = 120_000;
/** Fresh starts of one peer before its start-up counts as failed. */
export const PEER_START_ATTEMPTS = 3;

export type PeerPlace = NatKind | 'public';

export type PeerInfo = {
  peerId: string;
  autonat: { statuses: number[]; private: boolean };
  observed: string[];
  advertised: string | null;
  relayAddrs: string[];
};

export type ConnectResult = {
  via: 'direct' | 'relayed';
  remoteAddr: string;
  relayedMs: number;
  directMs: number | null;
  bytes: number;
  mibPerS: number;
};

export type LabPeer = PeerInfo & {
  place: PeerPlace;
  host: LabHost;
  process: LabProcess;
  /** Processes started until this one came up (see PEER_START_ATTEMPTS). */
  startAttempts: number;
  connect(to: LabPeer, o: { bytes: number; directWaitMs: number }): Promise<ConnectResult>;
};

export type PeerLab = {
  lab: Lab;
  roots: { peerId: string; addrs: string[] }[];
  /** Starts an overlay peer in the next free home of that NAT kind, or on the public segment. */
  startPeer(place: PeerPlace): Promise<LabPeer>;
  close(): Promise<void>;
};

/** A lab with `roots` roots, homes of the given kinds, and `publicPeers` public hosts. */
export async function createPeerLab(o: {
  roots: number;
  homes: NatKind[];
  publicPeers: number;
}): Promise<PeerLab> {
  const lab = await createLab(o);
  try {
    const roots = await Promise.all(
      lab.roots.map((r) =>
        lab
          .spawnNode(r, join(FIXTURES, 'lab-root.ts'), [r.address, String(ROOT_PORT)])
          .firstJson<{ peerId: string; addrs: string[] }>(30_000),
      ),
    );
    const rootAddrs = roots.map((r) => r.addrs[0] as string);
    const freeHomes = [...lab.homes];
    const freePublic = [...lab.publicPeers];
    let nextId = 0;
    const startPeer = async (place: PeerPlace): Promise<LabPeer> => {
      let host: LabHost;
      const args = [JSON.stringify(rootAddrs), String(PEER_DIAL_PORT)];
      if (place === 'public') {
        const h = freePublic.shift();
        if (h === undefined) throw new Error('no free public host in this lab');
        host = h;
        args.push(`/ip6/${h.address}/tcp/${PUBLIC_PEER_LISTEN_PORT}`);
      } else {
        const i = freeHomes.findIndex((h) => h.nat === place);
        const home = freeHomes.splice(i, 1)[0];
        if (i < 0 || home === undefined) throw new Error(`no free ${place} home in this lab`);
        host = home.host;
      }
      let process: LabProcess | undefined;
      let info: PeerInfo | undefined;
      let attempts = 0;
      while (info === undefined) {
        attempts++;
        process = lab.spawnNode(host, join(FIXTURES, 'lab-peer.ts'), args);
        try {
          info = await process.firstJson<PeerInfo>(PEER_READY_MS);
        } catch (err) {
          // js-libp2p's relay transport occasionally loses a reservation at start (see the
          // fixture); a fresh process gets it. Anything else, or a third failure, is an error.
          await process.stop();
          if (attempts >= PEER_START_ATTEMPTS) throw err;
        }
      }
      if (process === undefined) throw new Error('unreachable: a peer started without a process');
      const proc = process;
      const pending = new Map<number, (v: ConnectResult) => void>();
      const failed = new Map<number, (e: Error) => void>();
      let seen = 0;
      const poll = setInterval(() => {
        const lines = proc.lines();
        for (; seen < lines.length; seen++) {
          const line = lines[seen] as string;
          if (!line.startsWith('{"id"')) continue;
          const msg = JSON.parse(line) as ConnectResult & { id: number; error?: string };
          if (msg.error !== undefined) failed.get(msg.id)?.(new Error(msg.error));
          else pending.get(msg.id)?.(msg);
        }
      }, 50);
      proc.child.once('exit', () => clearInterval(poll));
      return {
        ...info,
        place,
        host,
        process: proc,
        startAttempts: attempts,
        connect(to, c) {
          const id = nextId++;
          return new Promise<ConnectResult>((resolve, reject) => {
            const t = setTimeout(() => reject(new Error('connect timed out')), CONNECT_TIMEOUT_MS);
            pending.set(id, (v) => {
              clearTimeout(t);
              resolve(v);
            });
            failed.set(id, (e) => {
              clearTimeout(t);
              reject(e);
            });
            proc.child.stdin?.write(`${JSON.stringify({ cmd: 'connect', id, peerId: to.peerId, ...c })}\n`);
          });
        },
      };
    };
    return { lab, roots, startPeer, close: () => lab.close() };
  } catch (err) {
    await lab.close();
    throw err;
  }
}
