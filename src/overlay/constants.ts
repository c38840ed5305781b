// Limits and defaults of the overlay peer's use of roots.

/** A rendezvous response can carry up to 1,000 signed records (spec recommendation). */
export const RENDEZVOUS_CLIENT_RESPONSE_BYTES_MAX = 8 * 1024 * 1024;
/** One rendezvous request/response round trip. */
export const RENDEZVOUS_CLIENT_TIMEOUT_MS = 10_000;
/** Waiting for a relay reservation to show up as a /p2p-circuit address. */
export const RELAY_RESERVATION_WAIT_MS = 10_000;
/** The demo chat echoes at most this much per message. */
export const DEMO_CHAT_MESSAGE_BYTES_MAX = 64 * 1024;
export const DEMO_CHAT_PROTOCOL = '/witan/demo-chat/1.0.0';
export const DEFAULT_OVERLAY_NAMESPACE = 'witan/overlay/demo';
/** Discovery pages fetched while looking for one peer. */
export const DISCOVER_PAGES_MAX = 100;
