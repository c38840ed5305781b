// Limits and defaults of the overlay client: its use of roots (world, relays, rendezvous) and of
// other peers. Each bounds what a slow, broken or hostile root or peer could make it wait for or
// hold; the reason is next to it.

// ---- the world ----

/** GET /world/chain: every world since genesis with its proofs (a root bounds it the same way). */
export const WORLD_CHAIN_BYTES_MAX = 16 * 1024 * 1024;
/** One world request, connection to last byte. */
export const WORLD_REQUEST_TIMEOUT_MS = 15_000;
/** Tries of one root's world request (busy answers, timeouts) before the next root is asked. */
export const WORLD_REQUEST_ATTEMPTS_MAX = 2;
/** Roots asked for the world in one refresh before the client gives up until the next. */
export const WORLD_ROOTS_ASKED_MAX = 8;
/** Seed URLs a client may be given (the world's own endpoints are added once verified). */
export const WORLD_SEED_URLS_MAX = 32;
/**
 * A verified world is asked for again at a quarter of its checkpointFreshnessMs, so that three
 * refreshes in a row can fail before it turns stale, and at least this often.
 */
export const WORLD_REFRESH_MS_MAX = 10 * 60_000;
export const WORLD_REFRESH_FRESHNESS_FRACTION = 4;
/** Never more often than this, whatever the policy says (a policy of seconds would be a flood). */
export const WORLD_REFRESH_MS_MIN = 5_000;

// ---- roots ----

/** A peer reserves and registers on at least this many roots, so that one can fail. */
export const ROOTS_MIN = 2;
export const DEFAULT_ROOTS_WANTED = 2;
/** More roots per peer multiply every root's load for little more availability. */
export const ROOTS_WANTED_MAX = 8;
/** Candidate roots a peer considers: a world has at most this many members worth trying. */
export const ROOT_CANDIDATES_MAX = 256;
/**
 * The supervisor looks at its roots' reservations this often, and at once when a root's
 * connection closes or the peer's addresses change; a look is local unless something is missing.
 */
export const ROOT_CHECK_INTERVAL_MS = 5_000;
/** Roots in use are pinged this often: a root that vanished without closing is noticed. */
export const ROOT_PING_INTERVAL_MS = 15_000;
export const ROOT_PING_TIMEOUT_MS = 10_000;
/** A root that failed is not asked again for this long while another candidate is left. */
export const ROOT_RETRY_AFTER_MS = 60_000;
/** One reservation: dial the root (if not connected) and RESERVE. */
export const RELAY_RESERVATION_TIMEOUT_MS = 10_000;
/** Start-up waits this long for the first reservations before it fails with RELAY_UNAVAILABLE. */
export const RELAY_RESERVATION_WAIT_MS = 30_000;
/** Start-up tries every candidate root at most this many times, this far apart. */
export const START_PASSES_MAX = 5;
export const START_PASS_PAUSE_MS = 2_000;
/** Open connections of one peer: roots, the peers it talks to, and their punched connections. */
export const OVERLAY_CONNECTIONS_MAX = 256;
/** Failovers remembered for status and measurement (the oldest are dropped). */
export const FAILOVER_HISTORY_MAX = 64;

// ---- rendezvous ----

/** A rendezvous response can carry up to 1,000 signed records (spec recommendation). */
export const RENDEZVOUS_CLIENT_RESPONSE_BYTES_MAX = 8 * 1024 * 1024;
/** Registrations a response may carry; the spec recommends pages of at most 1,000. */
export const RENDEZVOUS_CLIENT_REGISTRATIONS_MAX = 10_000;
/** One rendezvous request/response round trip. */
export const RENDEZVOUS_CLIENT_TIMEOUT_MS = 10_000;
export const DEFAULT_OVERLAY_NAMESPACE = 'witan/overlay/demo';
/** The spec's default registration TTL (2 h). */
export const DEFAULT_REGISTRATION_TTL_S = 7200;
/** A registration is refreshed when this share of its TTL has passed. */
export const REGISTRATION_REFRESH_FRACTION = 0.5;
/** Discovery pages fetched from one root while looking for peers. */
export const DISCOVER_PAGES_MAX = 100;

// ---- reachability ----

/** Identify from the roots (how they see us) before reachability is judged without them. */
export const IDENTIFY_WAIT_MS = 15_000;
/** An AutoNAT v1 message (a DIAL with our addresses, or its response). */
export const AUTONAT_MESSAGE_BYTES_MAX = 8192;
/** Addresses in one AutoNAT DIAL (our roots dial at most 8, one after the other). */
export const AUTONAT_CANDIDATES_MAX = 8;
/** One AutoNAT request: the root's dial-back runs to its own timeout (5 s on our roots). */
export const AUTONAT_REQUEST_TIMEOUT_MS = 20_000;
/** Reachability is judged again this often (a NAT's mapping or the peer's network may change). */
export const REACHABILITY_RECHECK_MS = 30 * 60_000;
/** An address AutoNAT confirmed stays listed this long unless confirmed again. */
export const REACHABILITY_CONFIRMED_TTL_MS = 2 * REACHABILITY_RECHECK_MS;

// ---- peers ----

/** The demo chat echoes at most this much per message. */
export const DEMO_CHAT_MESSAGE_BYTES_MAX = 64 * 1024;
export const DEMO_CHAT_PROTOCOL = '/witan/demo-chat/1.0.0';
/** Reaching a peer through a relay: rendezvous lookup, the relayed dial and its upgrade. */
export const CONNECT_TIMEOUT_MS = 30_000;
/** Waiting for DCUtR to give a direct connection, at most (a caller may wait less). */
export const DIRECT_WAIT_MS_MAX = 60_000;
