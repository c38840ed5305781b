// The overlay client library: the peer side of Witan (docs/overlay-client.md).
//
//   createOverlayClient   pin a genesis, verify the world from any root, use its roots
//   WorldKeeper           the world alone: fetch, verify, refuse stale / rolled-back / forked worlds
//   createOverlayPeer     a peer on given roots: reservations and registrations on at least two,
//                         failover, rendezvous discovery, relayed connections upgraded by DCUtR
//   probes                one-shot uses of a root's duties (reserve, rendezvous round trip, a
//                         message over a connection), for the peer and for anyone checking roots
//
// Importable without TypeScript: Node 24 runs these files by type stripping from outside
// node_modules, and the package's build gives compiled JavaScript with types.

export { createOverlayClient, type OverlayClient, type OverlayClientOptions, worldRoots } from './client.ts';
export * from './constants.ts';
export {
  OverlayError,
  type OverlayErrorCode,
  WorldError,
  type WorldErrorCode,
  type WorldId,
  type WorldRefusal,
} from './errors.ts';
export { isCircuit, type OverlayHost, type OverlayHostOptions } from './host.ts';
export {
  type ConnectOptions,
  createOverlayPeer,
  type OverlayEvent,
  OverlayPeer,
  type OverlayPeerOptions,
  type PeerConnection,
} from './peer.ts';
export {
  exchangeMessage,
  type RendezvousRoundTrip,
  type ReservationSeen,
  rendezvousRoundTrip,
  reserveOnce,
  serveChat,
} from './probes.ts';
export { judgeReachability, type NatKind, type Reachability } from './reachability.ts';
export {
  type DiscoveredRegistration,
  type DiscoverPage,
  RendezvousClient,
  type RendezvousClientOptions,
} from './rendezvous-client.ts';
export type { Failover, RootStatus } from './root-set.ts';
export {
  contactOf,
  contactOfAddr,
  peerIdOfNodeKey,
  type RootContact,
  rankRoots,
} from './roots.ts';
export {
  type ChainAnswer,
  judgeWorld,
  parseChainAnswer,
  rootsOfWorld,
  type VerifiedWorld,
  verifyChainAnswer,
  type WorldRoot,
} from './world.ts';
export {
  chainVerifier,
  type RootHttp,
  WorldKeeper,
  type WorldKeeperOptions,
  type WorldVerifier,
} from './world-keeper.ts';
