// Limits of the governance core (governance/policy.md explains each). Policy values
// that the federation may change live in policy.ts; these are fixed by the protocol because
// they bound memory, ledger entry size or signature counts.

import { invariant } from '../base/index.ts';
import { NOTE_SIGNATURES_MAX } from '../crypto/index.ts';

/** Federation name = ledger origin. */
export const FEDERATION_PATTERN = /^[a-z0-9][a-z0-9.-]{0,62}[a-z0-9]$/;
/** Member name = cosignature key name on checkpoints. */
export const MEMBER_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,30}[a-z0-9]$/;

/**
 * Members in one world. Every member cosigns checkpoints, and a checkpoint note holds at most
 * NOTE_SIGNATURES_MAX lines, one of which is the root's own log signature; 64 keeps a world
 * entry well under ENTRY_BYTES_MAX (≈ 700 bytes per member) with room to spare.
 */
export const MEMBERS_MAX = 64;
invariant(
  MEMBERS_MAX + 1 <= NOTE_SIGNATURES_MAX,
  'a note holds every member cosignature and the log signature',
);

/** Free-text fields people read (organisation): short, printable, NFC. */
export const ORGANISATION_CHARS_MAX = 128;
/** Endpoints per member and per kind; each string's length. */
export const P2P_ENDPOINTS_MAX = 8;
export const HTTP_ENDPOINTS_MAX = 4;
export const ENDPOINT_CHARS_MAX = 256;

/** Changes bundled in one motion. */
export const MOTION_CHANGES_MAX = 16;
/** A ballot's optional reason, in UTF-16 code units. */
export const BALLOT_REASON_CHARS_MAX = 280;

/** Open motions at once (bounds the state), and per authoring member (one member cannot fill it). */
export const OPEN_MOTIONS_MAX = 128;
export const OPEN_MOTIONS_PER_MEMBER_MAX = 8;

/**
 * A statement may be signed at most this far in the future of the batch time: clocks of the
 * signer and of the proposer differ a little; more than this is a wrong clock or a trick.
 */
export const STATEMENT_FUTURE_MS_MAX = 5 * 60 * 1000;

/** Times are ledger milliseconds since the Unix epoch; below 2^48 every sum we form stays exact. */
export const TIME_MS_MAX = 2 ** 48;
/** Heights and world versions likewise. */
export const HEIGHT_MAX = 2 ** 48;

/** Fraction denominators in policy: small, so num·count never leaves the safe integers. */
export const FRACTION_DEN_MAX = 1000;

/** Nesting depth of any governance document (a motion with a full policy is ≈ 6 levels). */
export const GOVERNANCE_DEPTH_MAX = 16;

/**
 * The shortest prefix of a statement id (hex digits) that people may give instead of the whole
 * id. 32 bits: two statements share one only after tens of thousands of statements, and then
 * the longer prefix that tells them apart is asked for.
 */
export const SHORT_ID_HEX_MIN = 8;

/**
 * Outside witnesses a policy may name (charter §20). Each signs a recovery; 32 keeps a signed
 * recovery far below one ledger entry, and is the most witnesses a root's configuration takes.
 */
export const WITNESSES_MAX = 32;
/** A witness name: a C2SP note key name, written like a host name. */
export const WITNESS_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{0,62}[a-z0-9]$/;

/** The author value reserved for rule-made motions (removal after evidence); never a member name. */
export const SYSTEM_AUTHOR = '#system';

/** Signing domains: 'witan/v1/governance/<kind>' (codec signingBytes). */
export const GENESIS_DOMAIN = 'witan/v1/governance/genesis';
export const CANDIDATE_DOMAIN = 'witan/v1/governance/candidate';
export const KEY_POSSESSION_DOMAIN = 'witan/v1/governance/key-possession';
/** What the remaining members and the witnesses sign to recover a federation (charter §20). */
export const RECOVERY_DOMAIN = 'witan/v1/governance/recovery';
export const statementDomain = (kind: string): string => `witan/v1/governance/${kind}`;

/**
 * Replay memory (state.seen) groups statement ids by createdMs in buckets this wide, so a batch
 * copies only the small bucket index and the buckets it adds to, and pruning drops whole
 * buckets: the per-batch cost follows the batch, not the size of the age window.
 */
export const SEEN_BUCKET_MS = 10 * 60 * 1000;

/**
 * Stable endpoints of one member's ZeroTier root. ZeroTier allows 32 per root
 * (ZT_WORLD_MAX_STABLE_ENDPOINTS_PER_ROOT); a root needs one or two per address family, and 8
 * keeps a planet of four roots far below ZeroTier's size limit.
 */
export const ZEROTIER_ENDPOINTS_MAX = 8;
/** ZeroTier identity verdicts remembered (each costs a ≈ 50 ms memory-hard hash): a world's worth and more. */
export const ZEROTIER_IDENTITY_VERDICTS_MAX = 1024;

/**
 * Worlds waiting for the federation's signatures (charter §22). Signing follows a commit within
 * seconds; a federation whose key holders are away for many world changes keeps waiting the
 * newest planet and moon, the key transitions a verifier needs, and the newest of the others
 * (pending-signatures.ts).
 */
export const PENDING_SIGNATURES_MAX = 16;

/** Domain of DKG session ids: session = SHA-256(domain ‖ 0x0A ‖ the world hash or previous session). */
export const DKG_SESSION_DOMAIN = 'witan/v1/federation-key/session';
/** First line of a world note, the text the federation key signs for a world (LEDGER.md §9.3). */
export const WORLD_NOTE_HEADER = 'witan/v1/federation/world';
/** DKG transcript verdicts remembered (ceremony.ts): the ceremonies of a few world changes. */
export const TRANSCRIPT_VERDICTS_MAX = 16;
