// Root-to-root gossip over @libp2p/gossipsub (libp2p/specs pubsub/gossipsub v1.1): federation-
// scoped topics, StrictSign, a fast message id, peer scoring, and one topic validator that drops
// oversized messages and messages whose author is not a current member before the caller's own
// validator sees them.

import { createHash } from 'node:crypto';
import { type GossipsubOpts, type Message, StrictSign, TopicValidatorResult } from '@libp2p/gossipsub';
import type { RPC } from '@libp2p/gossipsub/message';
import { createTopicScoreParams, type TopicScoreParams } from '@libp2p/gossipsub/score';
import { GOSSIP_RPC_OVERHEAD_BYTES, type GOSSIP_TOPICS_PER_FEDERATION } from './constants.ts';

export type GossipTopicKind = (typeof GOSSIP_TOPICS_PER_FEDERATION)[number];
export type GossipVerdict = 'accept' | 'reject' | 'ignore';
export type GossipValidator = (data: Uint8Array, fromPeer: string) => GossipVerdict;
export type GossipHandler = (data: Uint8Array, fromPeer: string) => void;

/** `/witan/<federation>/<kind>/1`. */
export function gossipTopic(federation: string, kind: GossipTopicKind): string {
  return `/witan/${federation}/${kind}/1`;
}

export function gossipTopics(federation: string): Record<GossipTopicKind, string> {
  return {
    consensus: gossipTopic(federation, 'consensus'),
    statements: gossipTopic(federation, 'statements'),
    cosignatures: gossipTopic(federation, 'cosignatures'),
    frost: gossipTopic(federation, 'frost'),
  };
}

/**
 * Message id = SHA-256(topic ‖ 0x00 ‖ data ‖ from ‖ seqno). The stock id goes through a slow
 * string path; this is ≈3× faster. The publisher and sequence number are part of the id so one
 * publication is delivered once however many peers forward it, while a deliberate re-send of the
 * same bytes (consensus retransmission for a peer that was down) is a new message: with a
 * content-only id, gossipsub's seen cache (2 min) would swallow every re-send, and a root that
 * restarts mid-height would wait forever for votes it missed.
 */
export function messageId(msg: Message): Uint8Array {
  if (msg.type !== 'signed') return idOf(msg.topic, msg.data);
  const seqno = Buffer.alloc(8);
  seqno.writeBigUInt64BE(BigInt.asUintN(64, msg.sequenceNumber));
  return idOf(msg.topic, msg.data, msg.from.toMultihash().bytes, seqno);
}

/**
 * The same id, straight from the wire form of a message (its `from` is the publisher's peer id
 * multihash, its seqno the 8 big-endian bytes StrictSign requires). Gossipsub checks it against
 * the ids of messages it already validated BEFORE verifying the publisher's signature: without
 * it every copy a mesh peer forwards (two more of each message among four roots) costs one
 * Ed25519 verification only to be found a duplicate. Only validated messages enter that cache,
 * so a forged copy can never shadow a genuine message.
 */
export function fastMessageId(rpc: RPC.Message): string {
  return messageIdToString(idOf(rpc.topic, rpc.data ?? new Uint8Array(0), rpc.from, rpc.seqno));
}

function idOf(topic: string, data: Uint8Array, from?: Uint8Array, seqno?: Uint8Array): Uint8Array {
  const h = createHash('sha256');
  h.update(topic);
  h.update(ZERO);
  h.update(data);
  if (from !== undefined && seqno !== undefined) {
    h.update(from);
    h.update(seqno);
  }
  return h.digest();
}

const ZERO = new Uint8Array([0]);

function messageIdToString(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('base64');
}

/**
 * Topic scoring: an invalid message costs its sender dearly (counter squared × -100, so one is
 * enough to cross the graylist threshold of -80); being quiet costs nothing, because consensus is
 * idle when no statements are pending (meshMessageDeliveriesWeight 0).
 */
export function topicScoreParams(): TopicScoreParams {
  return createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 3600,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: 0.5,
    firstMessageDeliveriesCap: 100,
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    invalidMessageDeliveriesWeight: -100,
    invalidMessageDeliveriesDecay: 0.9,
  });
}

/** Why the gate refused a message: no signature, over the size limit, author not a member, or the topic's own validator said no. */
export const GOSSIP_REFUSALS = ['unsigned', 'too-large', 'not-member', 'invalid'] as const;
export type GossipRefusal = (typeof GOSSIP_REFUSALS)[number];

export type GossipGate = {
  allowed: Set<string>;
  messageBytesMax: number;
  validators: Map<string, GossipValidator>;
  /** Messages refused since start, by reason: what an operator (or a test) sees of an attack. */
  refused: Record<GossipRefusal, number>;
};

export function noRefusals(): Record<GossipRefusal, number> {
  return { unsigned: 0, 'too-large': 0, 'not-member': 0, invalid: 0 };
}

function refuse(gate: GossipGate, why: GossipRefusal): TopicValidatorResult {
  gate.refused[why]++;
  return TopicValidatorResult.Reject;
}

/** The one validator for every topic: size, signature policy, membership, then the caller's. */
export function validateGossip(gate: GossipGate, msg: Message): TopicValidatorResult {
  if (msg.type !== 'signed') return refuse(gate, 'unsigned');
  if (msg.data.length > gate.messageBytesMax) return refuse(gate, 'too-large');
  const from = msg.from.toString();
  if (!gate.allowed.has(from)) return refuse(gate, 'not-member');
  return topicVerdict(gate, msg.topic, msg.data, from);
}

/**
 * The topic's own validator on a message from a member, whichever way it came: gossip, or a
 * direct stream (direct.ts), so that a topic whose validator does the work (the statements: the
 * root takes a statement while validating it) sees every message once, and only what it accepts
 * reaches the handler.
 */
export function topicVerdict(
  gate: GossipGate,
  topic: string,
  data: Uint8Array,
  from: string,
): TopicValidatorResult {
  const validate = gate.validators.get(topic);
  if (validate === undefined) return TopicValidatorResult.Ignore;
  let verdict: GossipVerdict;
  try {
    verdict = validate(data, from);
  } catch {
    verdict = 'reject';
  }
  if (verdict === 'accept') return TopicValidatorResult.Accept;
  return verdict === 'reject' ? refuse(gate, 'invalid') : TopicValidatorResult.Ignore;
}

export function gossipOptions(federation: string, gate: GossipGate): Partial<GossipsubOpts> {
  const topics = Object.values(gossipTopics(federation));
  return {
    globalSignaturePolicy: StrictSign,
    allowedTopics: topics,
    emitSelf: false,
    allowPublishToZeroTopicPeers: true,
    msgIdFn: messageId,
    msgIdToStrFn: messageIdToString,
    fastMsgIdFn: fastMessageId,
    maxInboundDataLength: gate.messageBytesMax + GOSSIP_RPC_OVERHEAD_BYTES,
    maxOutboundBufferSize: 16 * (gate.messageBytesMax + GOSSIP_RPC_OVERHEAD_BYTES),
    scoreParams: {
      topics: Object.fromEntries(topics.map((t) => [t, topicScoreParams()])),
      // Members get a bonus so they win mesh slots over strangers (weight 10 × 10 = +100).
      appSpecificScore: (peer: string) => (gate.allowed.has(peer) ? 10 : 0),
      appSpecificWeight: 10,
    },
  };
}
