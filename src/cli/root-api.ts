// The routes of a root's public API that the `witan` command uses, typed, on the shared HTTP
// client (src/net: bounded bodies, timeouts, retries that honour Retry-After, no redirects).
// Each answer is bounded by what that route can hold; a failure becomes a CliError that names
// the root and says what to try, with the exit code exitCodeFor gives the HTTP client's error.

import type { FederationStatus } from '../api/federation-view.ts';
import type { DecidedMotionView, MotionView, OpenMotionView } from '../api/root-view.ts';
import type { ChainHead, SignedStatement, World, WorldStep } from '../governance/index.ts';
import { NOTE_BYTES_MAX } from '../ledger/index.ts';
import { HttpClient, NetError } from '../net/index.ts';
import { CliError, EXIT_REJECTED, EXIT_USAGE } from './errors.ts';
import { netExit } from './exit-codes.ts';

/** One request to a root, connection to last byte. */
export const ROOT_API_TIMEOUT_MS = 10_000;
/** Tries of a request a root could not answer or was too busy for (503 load shedding, 429). */
export const ROOT_API_ATTEMPTS_MAX = 3;
/** GET /world: a world is one ledger entry (≤ 64 KiB) with its version and hash. */
export const WORLD_BYTES_MAX = 1024 * 1024;
/** GET /status: peers and addresses of one root. */
export const STATUS_BYTES_MAX = 1024 * 1024;
/** GET /world/chain and GET /motions: every world since genesis, every listed motion. */
export const CHAIN_BYTES_MAX = 16 * 1024 * 1024;
export const MOTIONS_BYTES_MAX = 16 * 1024 * 1024;
/** GET /motions/:id: one motion with its changes and ballots. */
export const MOTION_BYTES_MAX = 1024 * 1024;
/** GET /federation: a key, a ceremony of up to 64 members and the faults kept. */
export const FEDERATION_BYTES_MAX = 4 * 1024 * 1024;
/** GET /zerotier/<planet|moon>: ZeroTier's own limit on a world file (ZT_WORLD_MAX_SERIALIZED_LENGTH). */
export const ZEROTIER_WORLD_BYTES_MAX = 8 * 1024;
/** POST /statements: an id and a status. */
export const SUBMIT_REPLY_BYTES_MAX = 64 * 1024;

export interface RootStatus {
  member: string | null;
  federation: string;
  worldVersion: number;
  height: number;
  timeMs: number;
  ledger: { size: number; checkpointCosigners: string[] };
  pending: number;
  peers: string[];
  addrs: string[];
  consensus: { height: number; round: number; step: string; active: boolean };
  lastCommit: { height: number; size: number; timeMs: number } | null;
  version: string;
  /** Absent on a root of a release before verdicts. */
  health?: { verdict: string; ready: boolean; reasons: { code: string; message: string }[] };
}

export interface WorldResponse {
  version: number;
  hash: string;
  world: World;
}

export interface WorldChain {
  steps: WorldStep[];
  head: ChainHead | null;
}

/** GET /motions: every open motion and the most recently decided ones (root-view.ts shapes). */
export interface MotionList {
  open: OpenMotionView[];
  decided: DecidedMotionView[];
}

export type RootApiOptions = { timeoutMs?: number; attemptsMax?: number };

/** The CLI's words for a failure to talk to the root at `root`. */
function explain(root: string, error: unknown): unknown {
  if (!(error instanceof NetError)) return error;
  const exitCode = netExit(error);
  switch (error.code) {
    case 'UNREACHABLE':
    case 'TIMEOUT':
      return new CliError(
        exitCode,
        `cannot reach the root at ${root} (${error.reason ?? error.message}): is it running? Check the URL or pass another with --root.`,
      );
    case 'HTTP_STATUS': {
      const what = `${error.problem?.message ?? `HTTP ${error.status}`}${error.problem?.code ? ` [${error.problem.code}]` : ''}`;
      return new CliError(
        exitCode,
        exitCode === EXIT_REJECTED ? what : `the root at ${root} failed: ${what}; try again or another root`,
      );
    }
    default:
      return new CliError(exitCode, `the root at ${root}: ${error.message}`);
  }
}

export class RootApi {
  /** The root's base URL, without a trailing slash. */
  readonly baseUrl: string;
  readonly #http: HttpClient;

  constructor(baseUrl: string, options: RootApiOptions = {}) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new CliError(EXIT_USAGE, `--root ${baseUrl}: not a URL; use e.g. http://127.0.0.1:8480`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new CliError(EXIT_USAGE, `--root ${baseUrl}: use an http:// or https:// URL`);
    }
    this.baseUrl = url.href.replace(/\/+$/, '');
    this.#http = new HttpClient({
      timeoutMs: options.timeoutMs ?? ROOT_API_TIMEOUT_MS,
      attemptsMax: options.attemptsMax ?? ROOT_API_ATTEMPTS_MAX,
    });
  }

  status(): Promise<RootStatus> {
    return this.#getJson('/status', STATUS_BYTES_MAX);
  }

  world(): Promise<WorldResponse> {
    return this.#getJson('/world', WORLD_BYTES_MAX);
  }

  worldChain(): Promise<WorldChain> {
    return this.#getJson('/world/chain', CHAIN_BYTES_MAX);
  }

  motions(): Promise<MotionList> {
    return this.#getJson('/motions', MOTIONS_BYTES_MAX);
  }

  /** GET /motions/:id, by full id or any prefix of at least 8 hex digits. */
  motion(id: string): Promise<MotionView> {
    return this.#getJson(`/motions/${encodeURIComponent(id)}`, MOTION_BYTES_MAX);
  }

  federation(): Promise<FederationStatus> {
    return this.#getJson('/federation', FEDERATION_BYTES_MAX);
  }

  /** Every world note the federation signed, oldest first. */
  federationWorlds(): Promise<{ worlds: { version: number; note: string }[] }> {
    return this.#getJson('/federation/worlds', CHAIN_BYTES_MAX);
  }

  /** The signed ZeroTier planet or moon of a world version (the newest when undefined). */
  async zeroTierWorld(type: 'planet' | 'moon', version?: number): Promise<Uint8Array> {
    const path = version === undefined ? `/zerotier/${type}` : `/zerotier/${type}/${version}`;
    try {
      return await this.#http.getBytes(`${this.baseUrl}${path}`, { bytesMax: ZEROTIER_WORLD_BYTES_MAX });
    } catch (error) {
      throw explain(this.baseUrl, error);
    }
  }

  /** The signed checkpoint note, as served. */
  async checkpoint(): Promise<string> {
    try {
      return await this.#http.getText(`${this.baseUrl}/checkpoint`, { bytesMax: NOTE_BYTES_MAX });
    } catch (error) {
      throw explain(this.baseUrl, error);
    }
  }

  /**
   * POST /statements. Sent again after a busy answer like a GET: a statement is named by its
   * hash, so a second copy is recognised by the root, never counted twice.
   */
  async submit(signed: SignedStatement): Promise<{ id: string; status: string }> {
    try {
      return await this.#http.postJson(`${this.baseUrl}/statements`, signed, {
        bytesMax: SUBMIT_REPLY_BYTES_MAX,
        idempotent: true,
      });
    } catch (error) {
      throw explain(this.baseUrl, error);
    }
  }

  async #getJson<T>(path: string, bytesMax: number): Promise<T> {
    try {
      return await this.#http.getJson<T>(`${this.baseUrl}${path}`, { bytesMax });
    } catch (error) {
      throw explain(this.baseUrl, error);
    }
  }
}
