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
export async function createPeerLab(o: { roots: number; homes: NatKind[]; publicPeers: number }): Promise<PeerLab> {
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
      const process = lab.spawnNode(host, join(FIXTURES, 'lab-peer.ts'), args);
      const info = await process.firstJson<PeerInfo>(PEER_READY_MS);
      const pending = new Map<number, (v: ConnectResult) => void>();
      const failed = new Map<number, (e: Error) => void>();
      let seen = 0;
      const poll = setInterval(() => {
        const lines = process.lines();
        for (; seen < lines.length; seen++) {
          const line = lines[seen] as string;
          if (!line.startsWith('{"id"')) continue;
          const msg = JSON.parse(line) as ConnectResult & { id: number; error?: string };
          if (msg.error !== undefined) failed.get(msg.id)?.(new Error(msg.error));
          else pending.get(msg.id)?.(msg);
        }
      }, 50);
      process.child.once('exit', () => clearInterval(poll));
      return {
        ...info,
        place,
        host,
        process,
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
            process.child.stdin?.write(`${JSON.stringify({ cmd: 'connect', id, peerId: to.peerId, ...c })}\n`);
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
