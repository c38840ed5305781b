// The root's side of recovery (charter §20). An operator hands the root a signed recovery
// (POST /recovery); the desk checks it against the rules and this root's ledger and holds it
// through its time lock, then has the root append it. It refuses it for good, before the lock
// is over, when the ledger grows past the batch the recovery names (the federation committed
// after all) or when a member the recovery removes shows it is alive: a cosignature by its
// node key on this ledger, timestamped after this root received the recovery. After the root
// appended it, the recovered world commits nothing until every recovered validator cosigned the
// checkpoint that ends it; the root keeps that gate, the desk reports it.

import type { Logger } from 'pino';
import type { RecoveryStatus } from '../api/recovery-routes.ts';
import { quorumSize } from '../base/index.ts';
import { fromBase64 } from '../codec/index.ts';
import { cosignatureTimestamp, PUBLIC_KEY_BYTES, parseNote } from '../crypto/index.ts';
import {
  checkRecovery,
  type GovernanceState,
  type Rejection,
  recoveryEffectiveMs,
  recoveryId,
  recoveryPolicyOf,
  reject,
  type SignedRecovery,
  STATEMENT_FUTURE_MS_MAX,
} from '../governance/index.ts';
import { parseCheckpoint } from '../ledger/index.ts';
import { verifiedCosignatures } from './cosignature-book.ts';

type Held = NonNullable<RecoveryStatus['held']> & { signed: SignedRecovery; receivedWallMs: number };

/** What the desk needs of the root. */
export interface RecoveryDeskView {
  state(): GovernanceState;
  /** The ledger's size and RFC 6962 root (lowercase hex) now. */
  head(): { size: number; rootHash: string };
  /** The root's clock (ledger time) and the wall clock, ms. */
  now(): number;
  wallNow(): number;
  /** Appends the recovery (the root serialises it with commits). Throws when the rules refuse it. */
  adopt(signed: SignedRecovery): Promise<void>;
  /** Recovered validators whose cosignature the checkpoint ending the recovery still lacks. */
  awaiting(): string[];
  readonly log: Logger;
}

export class RecoveryDesk {
  readonly #view: RecoveryDeskView;
  #held: Held | undefined;
  #adopting = false;

  constructor(view: RecoveryDeskView) {
    this.#view = view;
  }

  status(): RecoveryStatus {
    const state = this.#view.state();
    const head = this.#view.head();
    const policy = recoveryPolicyOf(state.world.policy);
    const validators = state.world.members.filter((m) => m.status === 'voting').map((m) => m.name);
    const held = this.#held;
    let shown: RecoveryStatus['held'] = null;
    if (held !== undefined) {
      const { signed: _, receivedWallMs: __, ...rest } = held;
      shown = { ...rest };
      if (held.state === 'adopted') {
        const awaiting = this.#view.awaiting();
        if (awaiting.length === 0) shown.state = 'committed';
        else shown.awaiting = awaiting;
      }
    }
    return {
      federation: state.world.federation,
      base: {
        height: state.height,
        timeMs: state.timeMs,
        size: head.size,
        rootHash: head.rootHash,
        worldHash: state.worldHash,
        version: state.world.version,
      },
      next: { height: state.height + 1, earliestMs: state.timeMs + policy.silenceMs },
      silenceMs: policy.silenceMs,
      timeLockMs: policy.timeLockMs,
      validators,
      quorum: quorumSize(validators.length),
      witnesses: policy.witnesses.map((w) => ({ ...w })),
      witnessQuorum: policy.witnessQuorum,
      nowMs: this.#view.now(),
      held: shown,
    };
  }

  /**
   * Checks a signed recovery against the rules and this root's ledger now; holds it when good
   * (replacing one that was refused, never one waiting or adopted).
   */
  submit(signed: SignedRecovery): { status: RecoveryStatus } | { rejection: Rejection } {
    const id = recoveryId(signed);
    if (this.#held !== undefined && this.#held.id === id) return { status: this.status() };
    const state = this.#view.state();
    const rejection = checkRecovery(state, signed, this.#view.head());
    if (rejection !== null) return { rejection };
    const now = this.#view.now();
    if (signed.recovery.timeMs > now + STATEMENT_FUTURE_MS_MAX) {
      return {
        rejection: reject(
          'RECOVERY_TOO_EARLY',
          `The recovery is dated ${signed.recovery.timeMs - now} ms after this root's clock; check the signers' clocks.`,
        ),
      };
    }
    if (this.#held !== undefined && this.#held.state !== 'refused') {
      return {
        rejection: reject(
          'RECOVERY_WRONG_BASE',
          `This root already holds recovery ${this.#held.id} (${this.#held.state}); one recovery at a time.`,
        ),
      };
    }
    this.#held = {
      id,
      signed,
      timeMs: signed.recovery.timeMs,
      effectiveMs: recoveryEffectiveMs(state, signed),
      remove: [...signed.recovery.remove],
      state: 'waiting',
      receivedWallMs: this.#view.wallNow(),
    };
    this.#view.log.warn(
      { id, remove: signed.recovery.remove, effectiveMs: this.#held.effectiveMs },
      'holding a recovery through its time lock',
    );
    return { status: this.status() };
  }

  /**
   * A cosigned note arrived. A cosignature on this ledger by a member the held recovery
   * removes, timestamped after this root received the recovery, shows it alive: refused.
   */
  onNote(note: string): void {
    const held = this.#held;
    if (held?.state !== 'waiting') return;
    const world = this.#view.state().world;
    const removed = world.members
      .filter((m) => held.remove.includes(m.name))
      .map((m) => ({ name: m.name, nodeKey: fromBase64(m.nodeKey, PUBLIC_KEY_BYTES) }));
    let origin: string;
    try {
      origin = parseCheckpoint(parseNote(note).text).origin;
    } catch {
      return;
    }
    if (origin !== world.federation) return;
    const sinceS = Math.floor(held.receivedWallMs / 1000);
    const alive = verifiedCosignatures(note, removed).find((s) => cosignatureTimestamp(s) >= sinceS);
    if (alive !== undefined)
      this.#refuse(
        held,
        `${alive.name} is alive: it cosigned this ledger at ${cosignatureTimestamp(alive)} (unix s)`,
      );
  }

  /** Called every second: refuses when the ledger moved on, adopts when the time lock is over. */
  async tick(): Promise<void> {
    const held = this.#held;
    if (held?.state !== 'waiting' || this.#adopting) return;
    const { base } = held.signed.recovery;
    const head = this.#view.head();
    if (head.size !== base.size || head.rootHash !== base.rootHash) {
      this.#refuse(held, `the ledger moved on past the batch it names (size ${base.size} → ${head.size})`);
      return;
    }
    if (this.#view.now() < held.effectiveMs) return;
    this.#adopting = true;
    try {
      await this.#view.adopt(held.signed);
      held.state = 'adopted';
      this.#view.log.warn({ id: held.id, remove: held.remove }, 'appended the recovery');
    } catch (err) {
      this.#refuse(held, (err as Error).message);
    } finally {
      this.#adopting = false;
    }
  }

  #refuse(held: Held, reason: string): void {
    held.state = 'refused';
    held.reason = reason;
    this.#view.log.warn({ id: held.id, reason }, 'refused the recovery it held');
  }
}
