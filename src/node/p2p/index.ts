// Public face of the root's libp2p host: createRootHost (relay server, rendezvous server,
// gossip), the rendezvous wire codec and server, and their limits.

// The frames and the rendezvous codec live in src/wire; re-exported for the root's users.
export {
  type DecodeOptions,
  type Discover,
  type DiscoverResponse,
  decodeMessage,
  encodeMessage,
  type FrameReader,
  frameReader,
  MessageType,
  RENDEZVOUS_PROTOCOL,
  type Register,
  type RegisterResponse,
  type RendezvousMessage,
  ResponseStatus,
  type ResponseStatusValue,
  sendFrame,
  type Unregister,
} from '../../wire/index.ts';
export { AutonatServer, autonatServer } from './autonat-server.ts';
export * from './constants.ts';
export { P2PError, type P2PErrorCode } from './errors.ts';
export {
  fastMessageId,
  GOSSIP_REFUSALS,
  type GossipHandler,
  type GossipRefusal,
  type GossipTopicKind,
  type GossipValidator,
  type GossipVerdict,
  gossipTopic,
  gossipTopics,
  messageId,
} from './gossip.ts';
export {
  type ConnectionMonitorSettings,
  createRootHost,
  peerIdOfNodeKey,
  type RelayLimits,
  type RootHost,
  type RootHostOptions,
  relayLimitsOf,
} from './host.ts';
export { type RootHostStats, registerP2PMetrics } from './metrics.ts';
export { RelayServer, type RelayServerInit, relayServer } from './relay-server.ts';
export {
  NO_REPLY,
  RendezvousServer,
  type RendezvousServerInit,
  rendezvousLimits,
  rendezvousServer,
} from './rendezvous-server.ts';
export { type RendezvousLimits, RendezvousStore, type StoredRegistration } from './rendezvous-store.ts';
