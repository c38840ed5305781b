// Public face of the overlay peer: bootstrap from roots, relay reservations, rendezvous.
export * from './constants.ts';
export { OverlayError, type OverlayErrorCode } from './errors.ts';
export { createOverlayPeer, type OverlayPeer, type OverlayPeerOptions } from './peer.ts';
export {
  type DiscoveredRegistration,
  type DiscoverPage,
  RendezvousClient,
  type RendezvousClientOptions,
} from './rendezvous-client.ts';
