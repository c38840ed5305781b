// Public face of the root's libp2p host: createRootHost (relay server, rendezvous server,
// gossip), the rendezvous wire codec and server, and their limits.
export * from './constants.ts';
export { P2PError, type P2PErrorCode } from './errors.ts';
export {
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
} from './host.ts';
export { type FrameReader, frameReader, sendFrame } from './lp-frames.ts';
export { type RootHostStats, registerP2PMetrics } from './metrics.ts';
export {
  type DecodeOptions,
  type Discover,
  type DiscoverResponse,
  decodeMessage,
  encodeMessage,
  MessageType,
  type Register,
  type RegisterResponse,
  type RendezvousMessage,
  ResponseStatus,
  type ResponseStatusValue,
  type Unregister,
} from './rendezvous-codec.ts';
export {
  NO_REPLY,
  RendezvousServer,
  type RendezvousServerInit,
  rendezvousLimits,
  rendezvousServer,
} from './rendezvous-server.ts';
export { type RendezvousLimits, RendezvousStore, type StoredRegistration } from './rendezvous-store.ts';
