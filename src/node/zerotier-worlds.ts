// The ZeroTier planet and moon files a root serves (LEDGER.md §9.4, §9.6): a world yields a new
// planet only when its planet changed, so the planet in force at a version is the one made by
// the newest world at or before it that yielded one. Which worlds did is learnt once per world,
// as the index grows; the newest signed file is kept once verified, so serving it costs neither
// a walk over the ledger nor a signature check per request. One number per world at most: the
// worlds bound it.

import type { ZeroTierFile, ZeroTierType } from '../api/federation-view.ts';
import { newZeroTierWorldOf, type SignedWorldArtifacts } from '../governance/index.ts';
import type { LedgerIndex } from './ledger-index.ts';

export class ZeroTierWorlds {
  readonly #index: LedgerIndex;
  readonly #artifacts: (version: number) => SignedWorldArtifacts | undefined;
  /** Worlds of the index looked at so far. */
  #seen = 0;
  /** Versions that yielded a new planet (moon), ascending. */
  readonly #made: Record<ZeroTierType, number[]> = { planet: [], moon: [] };
  readonly #newest: Partial<Record<ZeroTierType, { version: number; bytes: Uint8Array }>> = {};

  constructor(index: LedgerIndex, artifacts: (version: number) => SignedWorldArtifacts | undefined) {
    this.#index = index;
    this.#artifacts = artifacts;
  }

  /** The signed planet (moon) made at `version`, or the newest signed one when undefined. */
  file(type: ZeroTierType, version?: number): ZeroTierFile {
    const newestWorld = this.#index.worlds.at(-1)?.version ?? 0;
    const found = version === undefined ? this.#latest(type) : this.#signed(type, version);
    if (found !== undefined) return found;
    const at = Math.min(version ?? newestWorld, newestWorld);
    return { inForce: this.inForce(type, at), newestWorld };
  }

  /** The version whose planet (moon) is in force at `version`: the newest at or before it that yielded one. */
  inForce(type: ZeroTierType, version: number): number | undefined {
    this.#catchUp();
    const made = this.#made[type];
    let lo = 0;
    let hi = made.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (made[mid]! <= version) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : made[lo - 1];
  }

  #latest(type: ZeroTierType): { version: number; bytes: Uint8Array } | undefined {
    const version = this.#index.zeroTierSigned[type];
    if (version === 0) return undefined;
    const known = this.#newest[type];
    if (known?.version === version) return known;
    const found = this.#signed(type, version);
    if (found !== undefined) this.#newest[type] = found;
    return found;
  }

  #signed(type: ZeroTierType, version: number): { version: number; bytes: Uint8Array } | undefined {
    const bytes = this.#artifacts(version)?.[type];
    return bytes === undefined ? undefined : { version, bytes };
  }

  #catchUp(): void {
    const worlds = this.#index.worlds;
    for (; this.#seen < worlds.length; this.#seen++) {
      const before = worlds[this.#seen - 1]?.world;
      const record = worlds[this.#seen]!;
      for (const type of ['planet', 'moon'] as const)
        if (newZeroTierWorldOf(before, record.world, type) !== undefined)
          this.#made[type].push(record.version);
    }
  }
}
