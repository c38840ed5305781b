// Catch-up: a root that is behind (restarted, partitioned, or slow) asks peers' HTTP APIs for
// the decisions it missed — each a batch value with its commit certificate — and feeds them to
// the consensus core, which checks the certificate (a quorum of valid precommits from that
// height's validators) before the root re-executes and appends the batch. Nothing is trusted
// because of where it came from.

import type { Logger } from 'pino';
import { fromBase64 } from '../codec/index.ts';
import { type CatchUpSource, type Decision, VALIDATORS_MAX } from '../consensus/index.ts';
import {
  hostScope,
  MEMBERS_MAX,
  type Policy,
  privateEndpointsAllowed,
  scopeWords,
  type World,
} from '../governance/index.ts';
import { HttpClient, type JsonItemsOptions } from '../net/index.ts';
import { parseSignedVote } from '../wire/index.ts';
import { GOSSIP_MESSAGE_BYTES_MAX } from './p2p/constants.ts';

/** Decisions asked for per request. */
export const CATCH_UP_BATCH = 32;
/** Peers asked per request: the driver asks every couple of seconds, even when idle. */
export const CATCH_UP_PEERS_PER_ASK = 2;
export const CATCH_UP_TIMEOUT_MS = 3_000;
/**
 * A signed vote as JSON: a federation name of ≤ 128 characters (≤ 512 bytes of UTF-8), a height
 * and a round, a 64-hex value id, a base64 key and signature (44 + 88) and the field names.
 */
export const SIGNED_VOTE_JSON_BYTES_MAX = 1024;
/**
 * One decision as JSON. Its value was decided, so a quorum received it as base64 inside one
 * block proposal, one gossip message: the base64 is shorter than GOSSIP_MESSAGE_BYTES_MAX. Its
 * certificate holds one precommit per validator at most, and validators are members of a world
 * (at most MEMBERS_MAX); the rest is field names and numbers.
 */
export const DECISION_JSON_BYTES_MAX =
  GOSSIP_MESSAGE_BYTES_MAX + MEMBERS_MAX * SIGNED_VOTE_JSON_BYTES_MAX + 1024;
/**
 * Bytes of one decision outside its strings: braces, separators and numbers, about 40 for the
 * decision's own fields and as many for each precommit of its certificate (a 15-digit height,
 * a round, null or a quoted value id).
 */
export const DECISION_JSON_STRUCTURE_BYTES_MAX = 64 * (MEMBERS_MAX + 1);
/** A peer's answer: CATCH_UP_BATCH decisions of at most one maximal batch each, in `{"decisions":[…]}`. */
export const CATCH_UP_RESPONSE_BYTES_MAX = CATCH_UP_BATCH * (DECISION_JSON_BYTES_MAX + 1) + 64;

/** One try per peer and ask: the driver asks again shortly, and asks another peer first. */
const peers = new HttpClient({ timeoutMs: CATCH_UP_TIMEOUT_MS, attemptsMax: 1 });

/** What catch-up needs from the root. */
export interface CatchUpView {
  /** The world in force: whose HTTP APIs to ask. */
  world(): World;
  /** This root's node key, base64: it never asks itself. */
  readonly nodeKey: string;
  readonly log: Logger;
}

/**
 * The consensus driver's catch-up source: asks members' HTTP APIs, in random order, for the
 * decisions from `height` on, and returns the first non-empty answer. Untrusted: the core
 * checks every certificate before it decides.
 */
export function peerDecisions(view: CatchUpView): CatchUpSource {
  return {
    async decisionsFrom(height: number, limit: number): Promise<Decision[]> {
      const { members, policy } = view.world();
      const urls = members
        .filter((m) => m.nodeKey !== view.nodeKey && m.status !== 'suspended')
        .flatMap((m) => m.endpoints.http)
        .sort(() => Math.random() - 0.5)
        .slice(0, CATCH_UP_PEERS_PER_ASK);
      for (const base of urls) {
        const decisions = await fetchDecisions(base, height, Math.min(limit, CATCH_UP_BATCH), policy).catch(
          (error: unknown) => {
            if ((error as { code?: unknown }).code === 'ADDRESS_REFUSED')
              view.log.warn(
                { peer: base, err: error },
                'a member announces an endpoint this root will not ask',
              );
            return undefined;
          },
        );
        if (decisions === undefined || decisions.length === 0) continue;
        view.log.info({ from: height, count: decisions.length, peer: base }, 'catching up from a peer');
        return decisions;
      }
      return [];
    },
  };
}

/**
 * Where a root may send the requests it makes to members' announced endpoints (catch-up, duty
 * probes). Endpoints are announced by members, so a member
 * could point every other root at an internal service (blind SSRF). The world's rules refuse
 * such addresses in what is announced (charter §8), but a DNS name is judged there by its shape
 * only: here the address each connection actually gets is judged, unless the policy allows
 * private endpoints (a devnet, a federation on one private network).
 */
export function memberAddressAllowed(policy: Policy): ((address: string) => string | undefined) | undefined {
  if (privateEndpointsAllowed(policy)) return undefined;
  return (address) => {
    const scope = hostScope(address);
    return scope === 'public'
      ? undefined
      : `${scopeWords(scope)}, which the policy does not allow for members' endpoints`;
  };
}

/**
 * Decisions from `from` on, read item by item (parseJsonItems): an answer of tens of MiB is
 * never parsed in one blocking step, and a malformed decision is dropped alone. Connects only
 * to addresses the policy allows (memberAddressAllowed).
 */
export async function fetchDecisions(
  base: string,
  from: number,
  limit: number,
  policy?: Policy,
): Promise<Decision[]> {
  const addressAllowed = policy === undefined ? undefined : memberAddressAllowed(policy);
  const url = new URL(
    `consensus/decisions?from=${from}&limit=${limit}`,
    base.endsWith('/') ? base : `${base}/`,
  );
  return peers.getJsonItems(url.href, {
    ...(addressAllowed === undefined ? {} : { addressAllowed }),
    bytesMax: CATCH_UP_RESPONSE_BYTES_MAX,
    ...decisionsAnswer(limit),
  });
}

/** How an answer of at most `limit` decisions is read: `{"decisions": [...]}`, each on its own. */
export function decisionsAnswer(limit: number): Omit<JsonItemsOptions<Decision>, 'url'> {
  return {
    field: 'decisions',
    itemsMax: limit,
    itemBytesMax: DECISION_JSON_BYTES_MAX,
    itemStructureBytesMax: DECISION_JSON_STRUCTURE_BYTES_MAX,
    map: (x) => {
      try {
        return parseDecision(x);
      } catch {
        return undefined;
      }
    },
  };
}

function parseDecision(x: unknown): Decision {
  const o = x as Record<string, unknown>;
  if (
    typeof o.height !== 'number' ||
    typeof o.round !== 'number' ||
    typeof o.valueId !== 'string' ||
    typeof o.value !== 'string' ||
    !Array.isArray(o.certificate)
  ) {
    throw new Error('malformed decision');
  }
  return {
    height: o.height,
    round: o.round,
    valueId: o.valueId,
    value: fromBase64(o.value),
    certificate: o.certificate.slice(0, VALIDATORS_MAX).map(parseSignedVote),
  };
}
