// Limits and defaults of the consensus core (Tendermint, Buchman–Kwon–Milosevic 2018, Algorithm 1).
// Units last; each bound says why it exists.

export { VOTE_HEIGHT_MAX, VOTE_ROUND_MAX } from '../wire/index.ts';

/** Base timeouts of round 0; round r waits base + r × DEFAULT_TIMEOUT_DELTA_MS (paper §3: timeouts grow with r). */
export const DEFAULT_TIMEOUT_PROPOSE_MS = 3000;
export const DEFAULT_TIMEOUT_PREVOTE_MS = 1000;
export const DEFAULT_TIMEOUT_PRECOMMIT_MS = 1000;
export const DEFAULT_TIMEOUT_DELTA_MS = 500;

/**
 * Votes and proposals for rounds above our own are kept only this far ahead: a Byzantine
 * validator could otherwise fill memory with votes for a million rounds. Round skipping (line 55)
 * does not need them: it uses the highest round each validator was seen in (one number each).
 */
export const FUTURE_ROUNDS_MAX = 4;

/** Messages for height h+1 buffered while we finish h (per validator, per round, per type: one). */
export const NEXT_HEIGHT_MESSAGES_MAX = 4096;

/** Validators per height. Quorum arithmetic and per-message work are linear in it. */
export const VALIDATORS_MAX = 256;

/** A block proposal's value (a batch) may be at most this large. */
export const VALUE_BYTES_MAX = 4 * 1024 * 1024;

/** A wire message: a proposal with its value, proof-of-lock prevotes, and JSON overhead. */
export const MESSAGE_BYTES_MAX = VALUE_BYTES_MAX * 2 + VALIDATORS_MAX * 512;

/** Decisions fetched per catch-up request. */
export const CATCH_UP_DECISIONS_MAX = 64;

/** Retransmission period of the driver while a height is undecided. */
export const DEFAULT_RESEND_MS = 2000;

/** At most one catch-up request per this period (messages from ahead can arrive by the hundred). */
export const DEFAULT_CATCH_UP_INTERVAL_MS = 500;

/** Inputs waiting for the driver; beyond this incoming gossip is dropped (peers re-send). */
export const DRIVER_QUEUE_MAX = 4096;
