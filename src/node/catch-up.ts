// Catch-up: a root that is behind (restarted, partitioned, or slow) asks peers' HTTP APIs for
// the decisions it missed — each a batch value with its commit certificate — and feeds them to
// the consensus core, which checks the certificate (a quorum of valid precommits from that
// height's validators) before the root re-executes and appends the batch. Nothing is trusted
// because of where it came from.

import { fromBase64 } from '../codec/index.ts';
import type { Decision } from '../consensus/index.ts';
import { parseSignedVote } from '../governance/consensus-vote.ts';
import type { Root } from './root.ts';

/** Decisions asked for per request. */
export const CATCH_UP_BATCH = 32;
/** At most one round of requests this often. */
export const CATCH_UP_INTERVAL_MS = 500;
export const CATCH_UP_TIMEOUT_MS = 3_000;
export const CATCH_UP_RESPONSE_BYTES_MAX = 64 * 1024 * 1024;

export class CatchUp {
  #root: Root;
  #inFlight = false;
  #lastMs = 0;
  #stopped = false;
  #again: ReturnType<typeof setTimeout> | undefined;

  constructor(root: Root) {
    this.#root = root;
  }

  request(height: number): void {
    if (this.#stopped || this.#inFlight) return;
    const wait = this.#lastMs + CATCH_UP_INTERVAL_MS - Date.now();
    if (wait > 0) {
      this.#again ??= setTimeout(() => {
        this.#again = undefined;
        this.request(height);
      }, wait);
      return;
    }
    this.#inFlight = true;
    this.#lastMs = Date.now();
    void this.#run().finally(() => {
      this.#inFlight = false;
    });
  }

  stop(): void {
    this.#stopped = true;
    if (this.#again !== undefined) clearTimeout(this.#again);
  }

  async #run(): Promise<void> {
    const root = this.#root;
    const from = root.state.height + 1;
    const urls = root.state.world.members
      .filter((m) => m.nodeKey !== root.nodeKeyB64)
      .flatMap((m) => m.endpoints.http)
      .sort(() => Math.random() - 0.5);
    for (const base of urls) {
      if (this.#stopped) return;
      const decisions = await fetchDecisions(base, from).catch(() => undefined);
      if (decisions === undefined || decisions.length === 0) continue;
      root.log.info({ from, count: decisions.length, peer: base }, 'catching up from a peer');
      for (const d of decisions) root.offerDecision(d);
      return;
    }
  }
}

async function fetchDecisions(base: string, from: number): Promise<Decision[]> {
  const url = new URL(
    `consensus/decisions?from=${from}&limit=${CATCH_UP_BATCH}`,
    base.endsWith('/') ? base : `${base}/`,
  );
  const res = await fetch(url, { signal: AbortSignal.timeout(CATCH_UP_TIMEOUT_MS) });
  if (!res.ok) return [];
  const text = await res.text();
  if (text.length > CATCH_UP_RESPONSE_BYTES_MAX) return [];
  const body = JSON.parse(text) as { decisions?: unknown };
  if (!Array.isArray(body.decisions)) return [];
  return body.decisions.slice(0, CATCH_UP_BATCH).flatMap((x) => {
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
