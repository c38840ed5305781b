// Defaults for a root's local configuration. Limits that the federation must agree on
// (relay and rendezvous quotas, thresholds) live in the world's policy; these are the
// operator's own knobs, each overridable in the config file.

import { MEMBERS_MAX, OPEN_MOTIONS_MAX } from '../governance/index.ts';

/** Public HTTP API: world, ledger tiles, statement submission. */
export const DEFAULT_HTTP_PORT = 8480;
/** Operator-only HTTP (metrics and admin) binds loopback unless configured otherwise. */
export const DEFAULT_OPERATOR_PORT = 8481;
/** libp2p: roots, relay clients and rendezvous clients. */
export const DEFAULT_P2P_PORT = 4480;

/** A statement is one ledger entry, at most 65,535 bytes; JSON wrapping adds a little. */
export const DEFAULT_HTTP_BODY_BYTES_MAX = 96 * 1024;
/** Per-IP request budget on the public API; tiles are meant to be cached by a CDN. */
export const DEFAULT_HTTP_REQUESTS_PER_MINUTE = 6000;
/**
 * The operator's HTTP server (health, readiness, metrics on loopback): not configurable, and
 * small, since only the operator's own tools talk to it.
 */
export const OPERATOR_HTTP_LIMITS = {
  bodyBytesMax: 1024,
  requestsPerMinute: 600,
  requestTimeoutMs: 10_000,
  eventLoopDelayMaxMs: 1_000,
} as const;
/** Shed load (503) when the event loop lags this much: consensus timers must stay on time. */
export const DEFAULT_EVENT_LOOP_DELAY_MAX_MS = 200;
/** Requests that take longer are cut; catch-up uses tiles, which are fast. */
export const DEFAULT_HTTP_REQUEST_TIMEOUT_MS = 10_000;

/**
 * HTTP connections served at once (node's server.maxConnections). Each costs a socket and a
 * little memory; a TLS proxy or CDN in front multiplexes many clients onto few connections.
 */
export const DEFAULT_HTTP_CONNECTIONS_MAX = 4096;

/** Problems one config error lists; a file with more is wrong from the start. */
export const CONFIG_PROBLEMS_LISTED_MAX = 32;

/** A config file larger than this is certainly a mistake. */
export const CONFIG_FILE_BYTES_MAX = 256 * 1024;

export const CONFIG_FILE_NAME = 'witan.json';

/** Statements named when a short id is ambiguous: enough to pick from, never a dump of the ledger. */
export const RESOLVE_CANDIDATES_MAX = 8;
/** Decided motions whose views are kept ready (they never change): more than GET /motions lists. */
export const DECIDED_MOTION_VIEWS_CACHED_MAX = 256;
/**
 * Motion and ballot statements kept decoded for motion views: every open motion with a ballot
 * from every member, so /motions reads the store only for what is new.
 */
export const MOTION_STATEMENTS_CACHED_MAX = OPEN_MOTIONS_MAX * (MEMBERS_MAX + 1);
