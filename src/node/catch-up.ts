// Catch-up: a root that is behind (restarted, partitioned, or slow) asks peers' HTTP APIs for
// the decisions it missed — each a batch value with its commit certificate — and feeds them to
// the consensus core, which checks the certificate (a quorum of valid precommits from that
// height's validators) before the root re-executes and appends the batch. Nothing is trusted
// because of where it came from.

import { fromBase64 } from '../codec/index.ts';
import type { CatchUpSource, Decision } from '../consensus/index.ts';
import { parseSignedVote } from '../wire/index.ts';
import type { Root } from './root.ts';

/** Decisions asked for per request. */
export const CATCH_UP_BATCH = 32;
/** Peers asked per request: the driver asks every couple of seconds, even when idle. */
export const CATCH_UP_PEERS_PER_ASK = 2;
export const CATCH_UP_TIMEOUT_MS = 3_000;
export const CATCH_UP_RESPONSE_BYTES_MAX = 64 * 1024 * 1024;

/**
 * The consensus driver's catch-up source: asks members' HTTP APIs, in random order, for the
 * decisions from `height` on, and returns the first non-empty answer. Untrusted: the core
 * checks every certificate before it decides.
 */
export function peerDecisions(root: Root): CatchUpSource {
  return {
    async decisionsFrom(height: number, limit: number): Promise<Decision[]> {
      const urls = root.state.world.members
        .filter((m) => m.nodeKey !== root.nodeKeyB64 && m.status !== 'suspended')
        .flatMap((m) => m.endpoints.http)
        .sort(() => Math.random() - 0.5)
        .slice(0, CATCH_UP_PEERS_PER_ASK);
      for (const base of urls) {
        const decisions = await fetchDecisions(base, height, Math.min(limit, CATCH_UP_BATCH)).catch(
          () => undefined,
        );
        if (decisions === undefined || decisions.length === 0) continue;
        root.log.info({ from: height, count: decisions.length, peer: base }, 'catching up from a peer');
        return decisions;
      }
      return [];
    },
  };
}

async function fetchDecisions(base: string, from: number, limit: number): Promise<Decision[]> {
  const url = new URL(
    `consensus/decisions?from=${from}&limit=${limit}`,
    base.endsWith('/') ? base : `${base}/`,
  );
  const res = await fetch(url, { signal: AbortSignal.timeout(CATCH_UP_TIMEOUT_MS) });
  if (!res.ok) return [];
  const text = await readCapped(res, CATCH_UP_RESPONSE_BYTES_MAX);
  if (text === undefined) return [];
  const body = JSON.parse(text) as { decisions?: unknown };
  if (!Array.isArray(body.decisions)) return [];
  return body.decisions.slice(0, limit).flatMap((x) => {
    try {
      return [parseDecision(x)];
    } catch {
      return [];
    }
  });
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
    certificate: o.certificate.slice(0, 256).map(parseSignedVote),
  };
}

/** The body as text, or undefined once it exceeds `bytesMax` (reading stops there). */
async function readCapped(res: Response, bytesMax: number): Promise<string | undefined> {
  if (Number(res.headers.get('content-length') ?? 0) > bytesMax) return undefined;
  const reader = res.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > bytesMax) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
