// Holding the other roots to their duties (governance/CHARTER.md §21), the root's side: on a
// jittered schedule it probes every other member's root on each duty — HTTP `GET /health`,
// libp2p ping, a relay reservation with a short relayed transfer, a rendezvous round trip
// (p2p/duty-probes.ts) —, counts per duty epoch what it attempted and what succeeded, and once
// an epoch has ended submits one report about it, signed with its node key, as a statement.
//
// The schedule reads the root's clock (ledger time; faster in a devnet), so rounds follow the
// policy's epoch: about DUTY_ROUNDS_PER_EPOCH of them, never more often than one per wall
// tick. A member is probed by one round at a time; every probe ends at DUTY_PROBE_TIMEOUT_MS.
//
// A probe counts as attempted when it starts and as succeeded when it completes, so one still
// unanswered when the report is written counts as failed. The report waits for the epoch's
// last probes to finish, or until half of the next epoch has passed.

import type { Libp2p, PrivateKey } from '@libp2p/interface';
import type { Logger } from 'pino';
import type { SubmitResult } from '../api/root-view.ts';
import { fromBase64 } from '../codec/index.ts';
import { type KeyPair, PUBLIC_KEY_BYTES } from '../crypto/index.ts';
import {
  DUTIES,
  type Duty,
  dutiesOf,
  dutyReport,
  MEMBERS_MAX,
  type Member,
  type ProbeCount,
  type SignedStatement,
  signStatement,
  type World,
} from '../governance/index.ts';
import { HttpClient, normalizeBaseUrl } from '../net/index.ts';
import { memberAddressAllowed } from './catch-up.ts';
import { type ProbeTarget, probeP2p, probeRelay, probeRendezvous } from './p2p/duty-probes.ts';
import { peerIdOfNodeKey } from './p2p/index.ts';

/** Rounds of probes the schedule aims at per duty epoch (a day: one a minute). */
export const DUTY_ROUNDS_PER_EPOCH = 1440;
/** The wall-clock tick that checks the schedule, jittered by ±DUTY_TICK_JITTER. */
export const DUTY_TICK_MS = 1_000;
export const DUTY_TICK_JITTER = 0.5;
/** A probe that has not succeeded within this long failed. */
export const DUTY_PROBE_TIMEOUT_MS = 5_000;
/** Largest /health answer a probe reads. */
export const DUTY_HEALTH_BYTES_MAX = 4096;
/** Epochs of counts kept: the one being probed and the one waiting to be reported. */
export const DUTY_EPOCHS_KEPT = 2;

type Counts = Record<Duty, ProbeCount>;

export interface DutyProberView {
  now(): number;
  world(): World;
  /** This root's member record in the world in force, if any. */
  self(): Member | undefined;
  libp2p: Libp2p;
  nodeKey: KeyPair;
  /** The node key as libp2p holds it (signs the peer record a rendezvous probe registers). */
  privateKey: PrivateKey;
  submit(signed: SignedStatement): SubmitResult;
  log: Logger;
}

/** Probe counts per epoch and member; only DUTY_EPOCHS_KEPT epochs are kept. */
export class DutyTally {
  readonly #epochs = new Map<number, Map<string, Counts>>();

  /** The counts of a member in an epoch; undefined past MEMBERS_MAX members (names changed within the epoch). */
  #counts(epoch: number, member: string): Counts | undefined {
    let byMember = this.#epochs.get(epoch);
    if (byMember === undefined) {
      byMember = new Map();
      this.#epochs.set(epoch, byMember);
      for (const e of [...this.#epochs.keys()].sort((a, b) => a - b).slice(0, -DUTY_EPOCHS_KEPT))
        this.#epochs.delete(e);
    }
    let c = byMember.get(member);
    if (c === undefined) {
      if (byMember.size >= MEMBERS_MAX) return undefined;
      c = Object.fromEntries(DUTIES.map((d) => [d, { attempted: 0, succeeded: 0 }])) as Counts;
      byMember.set(member, c);
    }
    return c;
  }

  attempted(epoch: number, member: string, duty: Duty): void {
    const c = this.#counts(epoch, member);
    if (c !== undefined) c[duty].attempted++;
  }

  succeeded(epoch: number, member: string, duty: Duty): void {
    const c = this.#counts(epoch, member);
    if (c !== undefined) c[duty].succeeded++;
  }

  /** The observations of `epoch` about `members` (sorted by name), each duty's counts. */
  observations(epoch: number, members: readonly string[]) {
    const byMember = this.#epochs.get(epoch);
    return [...members].sort().flatMap((m) => {
      const c = byMember?.get(m);
      return c === undefined ? [] : [{ member: m, ...structuredClone(c) }];
    });
  }
}

export class DutyProber {
  readonly #view: DutyProberView;
  readonly #tally = new DutyTally();
  readonly #http = new HttpClient({ timeoutMs: DUTY_PROBE_TIMEOUT_MS, attemptsMax: 1 });
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextRoundMs = Number.NEGATIVE_INFINITY;
  /** Members being probed, with the epoch their probes count in: one round per member at a time. */
  readonly #inFlight = new Map<string, number>();
  #reported = Number.NEGATIVE_INFINITY;
  #stopped = false;

  constructor(view: DutyProberView) {
    this.#view = view;
  }

  start(): void {
    const schedule = () => {
      if (this.#stopped) return;
      const delay = DUTY_TICK_MS * (1 - DUTY_TICK_JITTER + 2 * DUTY_TICK_JITTER * Math.random());
      this.#timer = setTimeout(() => {
        try {
          this.#tick();
        } catch (err) {
          this.#view.log.warn({ err: (err as Error).message }, 'duty prober tick failed');
        }
        schedule();
      }, delay);
    };
    schedule();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  #tick(): void {
    const me = this.#view.self();
    if (me === undefined || me.status === 'suspended') return;
    const world = this.#view.world();
    const { epochMs } = dutiesOf(world.policy);
    const now = this.#view.now();
    const epoch = Math.floor(now / epochMs);
    const last = epoch - 1;
    const lastDone = ![...this.#inFlight.values()].includes(last) || now >= epoch * epochMs + epochMs / 2;
    if (last > this.#reported && lastDone) this.#report(last, world, me);
    if (now < this.#nextRoundMs) return;
    const spacing = epochMs / DUTY_ROUNDS_PER_EPOCH;
    // Jitter: the next round comes after half to one and a half spacings, so roots do not
    // probe in step and a root cannot time an outage between probes.
    this.#nextRoundMs = now + spacing * (0.5 + Math.random());
    // A member still being probed (an unresponsive root holds its probes to the timeout) skips
    // this round; the others are not held up by it.
    for (const m of world.members) {
      if (m.name === me.name || m.status === 'suspended' || this.#inFlight.has(m.name)) continue;
      this.#inFlight.set(m.name, epoch);
      void this.#probeMember(epoch, m, world).finally(() => this.#inFlight.delete(m.name));
    }
  }

  async #probeMember(epoch: number, m: Member, world: World): Promise<void> {
    const { libp2p, privateKey } = this.#view;
    const target: ProbeTarget = {
      peerId: peerIdOfNodeKey(fromBase64(m.nodeKey, PUBLIC_KEY_BYTES)),
      p2p: m.endpoints.p2p,
    };
    const ttlS = world.policy.rendezvous.ttlMinS;
    // An endpoint that resolves to an internal address is not probed: the probe fails, as it
    // would for every overlay peer, and no member points the prober at an internal service.
    const addressAllowed = memberAddressAllowed(world.policy);
    const probes: Record<Duty, (signal: AbortSignal) => Promise<unknown>> = {
      http: (signal) =>
        this.#http.request(`${normalizeBaseUrl(m.endpoints.http[0]!)}/health`, {
          ...(addressAllowed === undefined ? {} : { addressAllowed }),
          bytesMax: DUTY_HEALTH_BYTES_MAX,
          signal,
        }),
      p2p: (signal) => probeP2p(libp2p, target, signal),
      relay: (signal) => probeRelay(libp2p, target, signal),
      rendezvous: (signal) => probeRendezvous(libp2p, privateKey, target, ttlS, signal),
    };
    await Promise.all(
      DUTIES.map(async (d) => {
        this.#tally.attempted(epoch, m.name, d);
        try {
          await probes[d](AbortSignal.timeout(DUTY_PROBE_TIMEOUT_MS));
          this.#tally.succeeded(epoch, m.name, d);
        } catch (err) {
          this.#view.log.debug({ member: m.name, duty: d, err: (err as Error).message }, 'duty probe failed');
        }
      }),
    );
  }

  #report(epoch: number, world: World, me: Member): void {
    this.#reported = epoch;
    if (me.status !== 'voting') return; // only voting members' reports count (charter §21)
    const members = world.members.filter((m) => m.name !== me.name).map((m) => m.name);
    const observations = this.#tally.observations(epoch, members);
    if (observations.length === 0) return;
    const statement = dutyReport(world.federation, me.name, epoch, observations, this.#view.now());
    const r = this.#view.submit(signStatement(statement, this.#view.nodeKey.secretKey));
    if (r.rejection !== null) {
      if (r.rejection.code === 'POOL_FULL') this.#reported = epoch - 1; // try again next tick
      this.#view.log.warn({ epoch, rejection: r.rejection }, 'duty report refused');
    } else {
      this.#view.log.info({ epoch, id: r.id, about: observations.length }, 'duty report submitted');
    }
  }
}
