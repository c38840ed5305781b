// Keeps the world an overlay peer trusts: asks roots over HTTP (src/net's bounded client) for
// the world, verifies it from the pinned genesis (world.ts), and adopts it only when it is fresh,
// not older than and not a fork of what the peer verified before. Roots are asked in turn; a
// refusal by one root is remembered with its reason and the next is asked.
//
// How a world is verified is a WorldVerifier. Today that is the world chain (GET /world/chain,
// LEDGER.md §5.2): every step shown committed under a quorum of the previous world's validators.
// EXTENSION POINT — the federation key: once the world carries the federation's FROST key
// (docs/federation-key.md), a verifier that checks one threshold signature over the current world
// (pinned key instead of pinned genesis) plugs in here as another WorldVerifier; freshness,
// rollback and fork stay judged by judgeWorld for every verifier alike.

import type { SignedGenesis } from '../governance/index.ts';
import { HttpClient, normalizeBaseUrl } from '../net/index.ts';
import {
  WORLD_CHAIN_BYTES_MAX,
  WORLD_REFRESH_FRESHNESS_FRACTION,
  WORLD_REFRESH_MS_MAX,
  WORLD_REFRESH_MS_MIN,
  WORLD_REQUEST_ATTEMPTS_MAX,
  WORLD_REQUEST_TIMEOUT_MS,
  WORLD_ROOTS_ASKED_MAX,
  WORLD_SEED_URLS_MAX,
} from './constants.ts';
import { OverlayError, WorldError, type WorldRefusal } from './errors.ts';
import {
  judgeWorld,
  parseChainAnswer,
  rootsOfWorld,
  type VerifiedWorld,
  verifyChainAnswer,
} from './world.ts';

/** One root's HTTP API, as a verifier sees it. */
export type RootHttp = {
  /** Normalised base URL without a trailing slash, e.g. "https://root.example.org". */
  readonly baseUrl: string;
  /** GET a path (relative to the base, no leading slash) as JSON, bounded to bytesMax. */
  getJson(path: string, bytesMax: number): Promise<unknown>;
};

export interface WorldVerifier {
  /** For logs and errors: "world-chain", later "federation-key". */
  readonly name: string;
  /**
   * Asks one root for its current world and verifies it, walking on from `trusted` when the
   * verifier can. Throws WorldError for an answer that does not verify or must be refused.
   */
  fetch(root: RootHttp, trusted: VerifiedWorld | undefined, nowMs: number): Promise<VerifiedWorld>;
}

/** The world chain from a pinned genesis (LEDGER.md §5.2 and ledger/vectors/governance/chain.json). */
export function chainVerifier(genesis: SignedGenesis): WorldVerifier {
  return {
    name: 'world-chain',
    async fetch(root, trusted, nowMs) {
      const since = trusted === undefined ? '' : `?since=${trusted.world.version}`;
      let answer = parseChainAnswer(
        await root.getJson(`world/chain${since}`, WORLD_CHAIN_BYTES_MAX),
        root.baseUrl,
      );
      // No version v at this root: it is behind or rolled back. Its whole chain says which.
      if (trusted !== undefined && answer.steps.length === 0)
        answer = parseChainAnswer(await root.getJson('world/chain', WORLD_CHAIN_BYTES_MAX), root.baseUrl);
      return verifyChainAnswer(genesis, answer, trusted, nowMs, root.baseUrl);
    },
  };
}

export type WorldKeeperOptions = {
  /** How worlds are verified; chainVerifier(genesis) for a peer that pins a genesis. */
  verifier: WorldVerifier;
  /** Roots to ask first (HTTP base URLs): any root will do; the world's own are added once verified. */
  seedUrls?: readonly string[];
  /** A world verified before (kept by the application across runs): rollback and fork are judged against it. */
  trusted?: VerifiedWorld;
  /**
   * Whether to ask the roots the world lists once the seeds fail (default true). False keeps a
   * peer to the URLs it was given: behind a proxy that reaches only some roots, or in a test.
   */
  useWorldUrls?: boolean;
  /** The peer's wall clock (ms); freshness is judged by it. */
  nowMs?: () => number;
  http?: HttpClient;
};

export class WorldKeeper {
  readonly #verifier: WorldVerifier;
  readonly #seeds: string[];
  readonly #nowMs: () => number;
  readonly #http: HttpClient;
  readonly #useWorldUrls: boolean;
  #current: VerifiedWorld | undefined;
  #refusals: WorldRefusal[] = [];

  constructor(o: WorldKeeperOptions) {
    const seeds = o.seedUrls ?? [];
    if (seeds.length > WORLD_SEED_URLS_MAX)
      throw new OverlayError('OVERLAY_INVALID_OPTIONS', `at most ${WORLD_SEED_URLS_MAX} seed URLs`);
    try {
      this.#seeds = seeds.map(normalizeBaseUrl);
    } catch (err) {
      throw new OverlayError(
        'OVERLAY_INVALID_OPTIONS',
        `a seed URL is not an http(s) URL: ${(err as Error).message}`,
      );
    }
    if (seeds.length === 0 && o.trusted === undefined)
      throw new OverlayError(
        'OVERLAY_INVALID_OPTIONS',
        'give at least one root URL to ask for the world (or a world verified before, whose roots are asked)',
      );
    this.#verifier = o.verifier;
    this.#nowMs = o.nowMs ?? Date.now;
    this.#http =
      o.http ??
      new HttpClient({ timeoutMs: WORLD_REQUEST_TIMEOUT_MS, attemptsMax: WORLD_REQUEST_ATTEMPTS_MAX });
    this.#useWorldUrls = o.useWorldUrls ?? true;
    this.#current = o.trusted;
  }

  /** The world in force for this peer: the last one verified, or undefined before the first. */
  get current(): VerifiedWorld | undefined {
    return this.#current;
  }

  /** Why each root asked in the last refresh was passed over (empty after a success at the first). */
  get refusals(): readonly WorldRefusal[] {
    return this.#refusals;
  }

  /** True when the world in force is older than its policy's freshness bound, by the peer's clock. */
  isStale(): boolean {
    const c = this.#current;
    return c === undefined || this.#nowMs() - c.freshAtMs > c.world.policy.checkpointFreshnessMs;
  }

  /** How long to wait before the next refresh (a quarter of the freshness bound, clamped). */
  refreshIntervalMs(): number {
    const freshnessMs = this.#current?.world.policy.checkpointFreshnessMs ?? WORLD_REFRESH_MS_MAX;
    const ms = Math.floor(freshnessMs / WORLD_REFRESH_FRESHNESS_FRACTION);
    return Math.min(WORLD_REFRESH_MS_MAX, Math.max(WORLD_REFRESH_MS_MIN, ms));
  }

  /** The roots to ask, seeds first, then (unless told not to) the world's own HTTP endpoints; no URL twice. */
  rootUrls(): string[] {
    const fromWorld =
      this.#current === undefined || !this.#useWorldUrls
        ? []
        : rootsOfWorld(this.#current.world).flatMap((r) => r.http);
    const urls: string[] = [];
    for (const u of [...this.#seeds, ...fromWorld]) {
      let base: string;
      try {
        base = normalizeBaseUrl(u);
      } catch {
        continue; // the world validated its URLs; a seed was checked in the constructor
      }
      if (!urls.includes(base)) urls.push(base);
    }
    return urls;
  }

  /**
   * Asks roots in turn (at most WORLD_ROOTS_ASKED_MAX) until one offers a world that verifies and
   * passes judgement, adopts it and returns it. Throws WorldError when none does: the first
   * refusal's code and details when every root that answered was refused for that one reason
   * (WORLD_FORK from every root that answered, for example; the unreachable ones aside),
   * WORLD_UNAVAILABLE otherwise; `refusals` holds each root's reason.
   */
  async refresh(): Promise<VerifiedWorld> {
    const refusals: WorldRefusal[] = [];
    const errors: WorldError[] = [];
    for (const url of this.rootUrls().slice(0, WORLD_ROOTS_ASKED_MAX)) {
      try {
        const world = await this.fetchFrom(url);
        this.#refusals = refusals;
        return world;
      } catch (err) {
        if (err instanceof WorldError) errors.push(err);
        refusals.push(
          err instanceof WorldError
            ? { root: url, code: err.code, message: err.message }
            : { root: url, code: 'WORLD_FETCH_FAILED', message: (err as Error).message },
        );
      }
    }
    this.#refusals = refusals;
    throw refusalOf(refusals, errors, this.#current);
  }

  /** Asks one root; adopts and returns its world, or throws (and keeps the world in force). */
  async fetchFrom(baseUrl: string): Promise<VerifiedWorld> {
    const base = normalizeBaseUrl(baseUrl);
    const root: RootHttp = {
      baseUrl: base,
      getJson: (path, bytesMax) => this.#http.getJson(`${base}/${path}`, { bytesMax }),
    };
    const trusted = this.#current;
    const offered = await this.#verifier.fetch(root, trusted, this.#nowMs());
    judgeWorld(trusted, offered, this.#nowMs(), base);
    this.#current = offered;
    return offered;
  }
}

/** The error a refresh ends with when no root offered a world (see refresh). */
function refusalOf(
  refusals: readonly WorldRefusal[],
  errors: readonly WorldError[],
  current: VerifiedWorld | undefined,
): WorldError {
  const codes = new Set(errors.map((e) => e.code));
  const first = errors[0];
  const trusted =
    current === undefined ? {} : { trusted: { version: current.world.version, hash: current.worldHash } };
  if (codes.size === 1 && first !== undefined) {
    const more =
      refusals.length > 1
        ? ` (${refusals.length} roots asked: ${refusals.map((r) => r.code).join(', ')})`
        : '';
    return new WorldError(first.code, `${first.message}${more}`, {
      ...trusted,
      ...(first.root === undefined ? {} : { root: first.root }),
      ...(first.offered === undefined ? {} : { offered: first.offered }),
      ...(first.chainCode === undefined ? {} : { chainCode: first.chainCode }),
      refusals,
    });
  }
  return new WorldError(
    'WORLD_UNAVAILABLE',
    refusals.length === 0
      ? 'no root to ask for the world: give a root URL'
      : `no root offered a world this peer can use:\n${refusals.map((r) => `  ${r.root}: ${r.code}: ${r.message}`).join('\n')}`,
    { ...trusted, refusals },
  );
}
