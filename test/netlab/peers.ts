// A real federation placed in a lab — `witan start` roots on the public segment (federation.ts)
// — and overlay peers in homes (or on the public segment) running the client library
// (fixtures/lab-peer.ts), with the operations the NAT and failover tests and the benchmark
// measure: peer A meets peer B by rendezvous, connects through a relay, waits for DCUtR and
// sends data over the best connection left; a peer's status (roots, failovers); a root killed.

import { join } from 'node:path';
import { commander } from './commands.ts';
import { createLabWithFederation, type LabRoot, type LabWithFederation } from './federation.ts';
import type { LabHost, LabProcess, NatKind } from './lab.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
/** Every peer's TCP connections leave from this local port (src/overlay/host.ts). */
export const PEER_DIAL_PORT = 40_001;
export const PUBLIC_PEER_LISTEN_PORT = 4101;
/** Start-up of a peer: the world verified, reservations and registrations, identify and AutoNAT. */
export const PEER_READY_MS = 90_000;
export const COMMAND_TIMEOUT_MS = 120_000;

export type PeerPlace = NatKind | 'public';

export type Failover = {
  lost: string;
  replacement: string | null;
  lostAtMs: number;
  reservedAtMs: number | null;
  registeredAtMs: number | null;
};

export type PeerStatus = {
  roots: { name: string; peerId: string; reserved: boolean; registered: boolean }[];
  relayAddrs: string[];
  failovers: Failover[];
};

export type PeerInfo = PeerStatus & {
  peerId: string;
  world: number;
  kind: string;
  autonat: { statuses: number[]; private: boolean };
  observed: string[];
  /** What DCUtR offers: the NAT mapping behind an endpoint-independent NAT, else nothing. */
  holePunch: string[];
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
  status(): Promise<PeerStatus>;
};

export type PeerLab = LabWithFederation<{
  /** Starts an overlay peer in the next free home of that NAT kind, or on the public segment. */
  startPeer(place: PeerPlace): Promise<LabPeer>;
}>;

/** A lab with `roots` real roots, homes of the given kinds, and `publicPeers` public hosts. */
export async function createPeerLab(o: {
  roots: number;
  homes: NatKind[];
  publicPeers: number;
}): Promise<PeerLab> {
  return createLabWithFederation(o, async (lab, fed) => {
    const freeHomes = [...lab.homes];
    const freePublic = [...lab.publicPeers];
    const startPeer = async (place: PeerPlace): Promise<LabPeer> => {
      let host: LabHost;
      const rootUrl = (fed.roots[0] as LabRoot).httpUrl;
      const args = [fed.genesisFile, rootUrl, String(PEER_DIAL_PORT)];
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
      const proc = lab.spawnNode(host, join(FIXTURES, 'lab-peer.ts'), args);
      let info: PeerInfo;
      try {
        info = await proc.firstJson<PeerInfo>(PEER_READY_MS);
      } catch (err) {
        await proc.stop();
        throw err;
      }
      const send = commander(proc, COMMAND_TIMEOUT_MS);
      return {
        ...info,
        place,
        host,
        process: proc,
        connect: (to, c) => send<ConnectResult>({ cmd: 'connect', peerId: to.peerId, ...c }),
        status: () => send<PeerStatus>({ cmd: 'status' }),
      };
    };
    return { startPeer };
  });
}
