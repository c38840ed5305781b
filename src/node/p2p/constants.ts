// Limits and defaults of the root's libp2p host: relay server, rendezvous server, gossip.
// Every relay limit is passed to the library explicitly (docs/architecture.md "Relay limits are
// explicit"); the defaults here are the root's own, not js-libp2p's.

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_S = 60 * 60;

// ---- rendezvous (libp2p/specs rendezvous/README.md, "Recommendations for Rendezvous Points") ----

/** Spec: a registration without a TTL lasts 2 h. */
export const DEFAULT_RENDEZVOUS_TTL_S = 2 * HOUR_S;
/**
 * The spec recommends a minimum TTL of 2 h; we accept down to 120 s, more permissive, so that a
 * peer whose addresses change (a new NAT mapping) can keep its registration short.
 */
export const DEFAULT_RENDEZVOUS_TTL_MIN_S = 120;
/** Spec recommendation: accept TTLs up to 72 h. */
export const DEFAULT_RENDEZVOUS_TTL_MAX_S = 72 * HOUR_S;
/** Spec recommendation: namespaces are at most 255 bytes (UTF-8). */
export const RENDEZVOUS_NAMESPACE_BYTES_MAX = 255;
/** Spec recommendation: at most 1,000 registrations per peer. */
export const DEFAULT_RENDEZVOUS_REGISTRATIONS_PER_PEER_MAX = 1000;
/** Our bound on one namespace, so that one popular namespace cannot take the whole store. */
export const DEFAULT_RENDEZVOUS_REGISTRATIONS_PER_NAMESPACE_MAX = 10_000;
/**
 * Bound on the whole in-memory store by count. A registration takes ≈ 1–1.4 KiB with its signed
 * record (rendezvous-store.ts, RENDEZVOUS_REGISTRATION_OVERHEAD_BYTES), so the byte bound below
 * is usually reached first (≈ 50,000 registrations of 600-byte records).
 */
export const DEFAULT_RENDEZVOUS_REGISTRATIONS_MAX = 100_000;
/**
 * Bytes one peer's registrations may hold, as the store counts them: ≈ 1.4 KiB each for records
 * of ≈ 300–600 bytes with a few addresses, for the policy's registrations per peer (100 by
 * default), with room. Anyone may register, and a peer id costs nothing: the total below is
 * what bounds memory.
 */
export const DEFAULT_RENDEZVOUS_BYTES_PER_PEER_MAX = 256 * 1024;
/** Bytes the whole store may hold; by count alone, 4 KiB records could take ≈ 500 MiB. */
export const DEFAULT_RENDEZVOUS_BYTES_MAX = 64 * 1024 * 1024;
/** Spec recommendation: DISCOVER returns at most 1,000 registrations at once. */
export const DEFAULT_RENDEZVOUS_DISCOVER_LIMIT_MAX = 1000;
/** A DISCOVER without a limit gets this many. */
export const DEFAULT_RENDEZVOUS_DISCOVER_LIMIT = 100;
/** A signed peer record with a few addresses is a few hundred bytes; 4 KiB leaves room. */
export const RENDEZVOUS_SIGNED_RECORD_BYTES_MAX = 4096;
/**
 * One request frame: REGISTER carries one record; DISCOVER a namespace and a cookie. A response
 * can carry discoverLimitMax records, so the client accepts up to RESPONSE bytes.
 */
export const RENDEZVOUS_REQUEST_BYTES_MAX = 8192;
export const RENDEZVOUS_RESPONSE_BYTES_MAX = 8 * 1024 * 1024;
/** Requests one stream may carry before the server closes it (clients reuse streams). */
export const RENDEZVOUS_REQUESTS_PER_STREAM_MAX = 1000;
/** A stream idle this long (no complete request) is closed. */
export const RENDEZVOUS_STREAM_IDLE_MS = 30 * SECOND_MS;
export const RENDEZVOUS_INBOUND_STREAMS_MAX = 64;
/** How often the server purges expired registrations. */
export const RENDEZVOUS_PURGE_INTERVAL_MS = MINUTE_MS;

// ---- circuit relay v2 server ----

export const DEFAULT_RELAY_RESERVATIONS_MAX = 1024;
/** Reservation lifetime; the spec's clients refresh well before it ends. */
export const DEFAULT_RELAY_RESERVATION_TTL_MS = 60 * MINUTE_MS;
/** Per relayed connection: enough for signalling and a hole-punch attempt, not bulk transfer. */
export const DEFAULT_RELAY_CIRCUIT_BYTES_MAX = 4 * 1024 * 1024;
export const DEFAULT_RELAY_CIRCUIT_DURATION_MS = 5 * MINUTE_MS;
export const DEFAULT_RELAY_CONNECTIONS_PER_IP_PER_SECOND = 10;
export const DEFAULT_RELAY_PENDING_CONNECTIONS_MAX = 64;
/**
 * Connections the host keeps besides those holding relay reservations (other roots, peers
 * asking for rendezvous, AutoNAT or a circuit, the two ends of circuits). Each reservation holds
 * a connection of its own, so the host's limit is the policy's reservationsMax plus this: with
 * a fixed total, a policy of more reservations than it could not be honoured (libp2p refuses
 * inbound connections at its limit).
 */
export const DEFAULT_CONNECTIONS_BESIDES_RESERVATIONS_MAX = 2048;
/** A HOP request (reserve or connect, including the STOP exchange) must finish within this. */
export const RELAY_HOP_TIMEOUT_MS = 15 * SECOND_MS;
/** Circuits open at once through one root. */
export const DEFAULT_RELAY_CIRCUITS_MAX = 1024;
/** Circuits open at once from or to one peer (spec status RESOURCE_LIMIT_EXCEEDED beyond). */
export const DEFAULT_RELAY_CIRCUITS_PER_PEER_MAX = 64;
/** A HOP or STOP message carries a peer id, a few addresses and a voucher: 4 KiB is plenty. */
export const RELAY_MESSAGE_BYTES_MAX = 4096;
/** Addresses accepted in one HOP or STOP message (Peer.addrs, Reservation.addrs). */
export const RELAY_MESSAGE_ADDRS_MAX = 32;
/** Expired reservations are dropped this often (they are also checked on every CONNECT). */
export const RELAY_RESERVATION_PURGE_INTERVAL_MS = MINUTE_MS;
/** Peer-store tag that keeps a reserving peer's connection from being pruned. */
export const RELAY_RESERVATION_TAG = 'witan-relay-reservation';

// ---- AutoNAT v1 server ----

/** A DIAL request names one peer and a few addresses. */
export const AUTONAT_MESSAGE_BYTES_MAX = 8192;
/** Addresses tried for one request; the rest are ignored. */
export const AUTONAT_ADDRS_MAX = 8;
/** One dial-back; the whole request is bounded by AUTONAT_ADDRS_MAX of them. */
export const AUTONAT_DIAL_TIMEOUT_MS = 5 * SECOND_MS;
/** Dial-backs in flight at once across all peers; beyond it requests get E_DIAL_REFUSED. */
export const AUTONAT_DIALS_IN_FLIGHT_MAX = 16;
export const AUTONAT_INBOUND_STREAMS_MAX = 2;

// ---- connection monitor ----
// The stock monitor pings every connection every 10 s and aborts on a slow ping: ≈24 % of a core
// at 1,000 idle connections and 1.7 % gossip loss under load (docs/architecture.md). We ping once a minute and
// never abort a connection because one ping was slow; yamux keep-alive and TCP close dead ones.

export const DEFAULT_CONNECTION_MONITOR_PING_INTERVAL_MS = MINUTE_MS;
export const DEFAULT_CONNECTION_MONITOR_ABORT_ON_PING_FAILURE = false;

// ---- gossip ----

/** Largest gossip payload a root accepts: a consensus value carries a batch of statements. */
export const GOSSIP_MESSAGE_BYTES_MAX = 1024 * 1024;
/** Framing allowance on top of the payload (signature, key, topic, seqno, control). */
export const GOSSIP_RPC_OVERHEAD_BYTES = 64 * 1024;
export const GOSSIP_TOPICS_PER_FEDERATION = ['consensus', 'statements', 'cosignatures', 'frost'] as const;
/** Allowed publishers: the members of a world, bounded well above any federation's size. */
export const GOSSIP_ALLOWED_PUBLISHERS_MAX = 1024;

// ---- host ----

export const HOST_LISTEN_ADDRS_MAX = 16;
export const DEMO_CHAT_PROTOCOL = '/witan/demo-chat/1.0.0';

// ---- duty probes (governance/CHARTER.md §21, duty-probes.ts) ----

/** The rendezvous namespace roots register in to probe each other's rendezvous service. */
export const DUTY_PROBE_NAMESPACE = 'witan/duty-probe';
/** Bytes sent through a relayed circuit and echoed back: a transfer, framed within the smallest circuit limit the policy allows (1 KiB). */
export const DUTY_PROBE_TRANSFER_BYTES = 512;

// ---- direct streams between roots (direct.ts) ----

/** Streams of one protocol a member may hold open to us at once (one, plus one replacing it). */
export const DIRECT_INBOUND_STREAMS_MAX = 2;
/** Opening a stream (protocol negotiation on an open connection) must finish within this. */
export const DIRECT_OPEN_TIMEOUT_MS = 5 * SECOND_MS;
/** A member whose stream stays full this long is given its messages by gossip instead. */
export const DIRECT_SEND_TIMEOUT_MS = 5 * SECOND_MS;
/**
 * Bytes waiting for one member's stream: four messages of the largest size gossip carries (the
 * frame limit is the gossip limit, so a block proposal fits either transport). A member that
 * falls further behind reading gets the rest by gossip; nothing piles up here.
 */
export const DIRECT_QUEUE_BYTES_MAX = 4 * GOSSIP_MESSAGE_BYTES_MAX;
/**
 * Messages waiting for one member's stream, however small: a height needs about a dozen from
 * each root (proposal, votes, cosignature, statements), so this is many heights of backlog.
 */
export const DIRECT_QUEUE_MESSAGES_MAX = 256;
/** After a stream to a member failed to open or broke, gossip only for this long. */
export const DIRECT_RETRY_AFTER_FAILURE_MS = 10 * SECOND_MS;
/**
 * A direct stream idle this long is closed (libp2p's default is 2 minutes). Consensus is idle
 * when no statement is pending; keeping the stream spares the first message after a quiet spell
 * a protocol negotiation.
 */
export const DIRECT_STREAM_IDLE_MS = 10 * MINUTE_MS;
