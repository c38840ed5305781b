// The roots a peer uses, kept at the number it wants: a relay reservation and a rendezvous
// registration on each. One pass (`ensure`) at a time looks at every root in use; a root that
// lost its reservation is asked again once, and if that fails it is dropped, not tried again for
// ROOT_RETRY_AFTER_MS, and the next candidate in the namespace's order (roots.ts) takes its place;
// then every root in use gets the peer's current record (its relay addresses changed). A pass
// runs at start, whenever a root's connection closes or the peer's addresses change, every
// ROOT_CHECK_INTERVAL_MS, and after a failed ping. Each loss and its repair is kept as a Failover
// with times, which the tests and the benchmark read.

import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import {
  FAILOVER_HISTORY_MAX,
  REGISTRATION_REFRESH_FRACTION,
  RELAY_RESERVATION_TIMEOUT_MS,
  ROOT_PING_TIMEOUT_MS,
  ROOT_RETRY_AFTER_MS,
} from './constants.ts';
import { isCircuit, type OverlayHost } from './host.ts';
import { RendezvousClient } from './rendezvous-client.ts';
import type { RootContact } from './roots.ts';

/** A root lost and what replaced it, with the peer's clock (ms since the epoch) at each step. */
export type Failover = {
  lost: string;
  reason: string;
  lostAtMs: number;
  /** The root that took its place, once one did. */
  replacement: string | null;
  reservedAtMs: number | null;
  /** When every root in use had the peer's new record: the failover is complete. */
  registeredAtMs: number | null;
};

export type RootStatus = {
  name: string;
  peerId: string;
  reserved: boolean;
  registered: boolean;
  sinceMs: number;
};

export type RootEvent =
  | { type: 'root-added'; root: string; atMs: number }
  | { type: 'root-lost'; root: string; reason: string; atMs: number }
  | { type: 'failover'; failover: Failover }
  | { type: 'registration-failed'; root: string; reason: string };

type RootUse = {
  contact: RootContact;
  sinceMs: number;
  rendezvous: RendezvousClient;
  /** The record registered here (its relay addresses, sorted and joined), or null. */
  registeredKey: string | null;
};

export type RootSetOptions = {
  host: OverlayHost;
  privateKey: PrivateKey;
  namespace: string;
  wanted: number;
  ttlS: number;
  nowMs: () => number;
  onEvent: (e: RootEvent) => void;
};

export class RootSet {
  readonly #o: RootSetOptions;
  #candidates: RootContact[] = [];
  readonly #inUse = new Map<string, RootUse>();
  /** Roots that failed, by peer id: not asked again before this time. */
  readonly #failedUntil = new Map<string, number>();
  readonly #failovers: Failover[] = [];
  #registeredAtMs = 0;

  constructor(o: RootSetOptions) {
    this.#o = o;
  }

  /** The candidates, in the order every peer of the namespace tries them. */
  setCandidates(ranked: readonly RootContact[]): void {
    this.#candidates = [...ranked];
  }

  isRoot(peerId: string): boolean {
    return this.#candidates.some((c) => c.peerId === peerId) || this.#inUse.has(peerId);
  }

  inUse(): RootContact[] {
    return [...this.#inUse.values()].map((u) => u.contact);
  }

  /** The rendezvous clients of the roots in use, in the order they were taken. */
  rendezvousClients(): RendezvousClient[] {
    return [...this.#inUse.values()].map((u) => u.rendezvous);
  }

  status(): RootStatus[] {
    return [...this.#inUse.values()].map((u) => ({
      name: u.contact.name,
      peerId: u.contact.peerId,
      reserved: this.#reserved(u.contact.peerId),
      registered: u.registeredKey !== null,
      sinceMs: u.sinceMs,
    }));
  }

  failovers(): Failover[] {
    return this.#failovers.map((f) => ({ ...f }));
  }

  /** One pass: repair or replace roots in use, fill up to `wanted`, register where needed. */
  async ensure(): Promise<void> {
    for (const use of [...this.#inUse.values()]) {
      if (this.#reserved(use.contact.peerId)) continue;
      try {
        await this.#reserve(use.contact);
      } catch (err) {
        await this.#drop(use, `reservation lost and not renewed: ${(err as Error).message}`);
      }
    }
    await this.#fillUp();
    await this.#registerAll();
  }

  /** Lets every failed root be tried again at the next pass. */
  forgetFailures(): void {
    this.#failedUntil.clear();
  }

  /** Pings every root in use; a root that does not answer is hung up on (the next pass replaces it). */
  async pingAll(): Promise<void> {
    await Promise.all(
      [...this.#inUse.values()].map(async (use) => {
        const id = peerIdFromString(use.contact.peerId);
        try {
          await this.#o.host.node.services.ping.ping(id, {
            signal: AbortSignal.timeout(ROOT_PING_TIMEOUT_MS),
          });
        } catch {
          await this.#o.host.node.hangUp(id).catch(() => undefined);
        }
      }),
    );
  }

  /** Unregisters everywhere (best effort) and closes the rendezvous streams. */
  async leave(): Promise<void> {
    await Promise.all(
      [...this.#inUse.values()].map(async (u) => {
        await u.rendezvous.unregister(this.#o.namespace).catch(() => undefined);
        await u.rendezvous.close();
      }),
    );
    this.#inUse.clear();
  }

  #reserved(peerId: string): boolean {
    const node = this.#o.host.node;
    const open = node
      .getConnections(peerIdFromString(peerId))
      .some((c) => c.status === 'open' && !isCircuit(c.remoteAddr));
    return open && this.#o.host.circuitAddrs(peerId).length > 0;
  }

  async #reserve(root: RootContact): Promise<void> {
    let last: Error = new Error('no address');
    for (const addr of root.p2p) {
      try {
        await this.#o.host.reserve(multiaddr(addr), AbortSignal.timeout(RELAY_RESERVATION_TIMEOUT_MS));
        if (this.#o.host.circuitAddrs(root.peerId).length > 0) return;
        last = new Error(`${root.name} granted no relay address`);
      } catch (err) {
        last = err as Error;
      }
    }
    throw last;
  }

  async #drop(use: RootUse, reason: string): Promise<void> {
    const now = this.#o.nowMs();
    this.#inUse.delete(use.contact.peerId);
    this.#failedUntil.set(use.contact.peerId, now + ROOT_RETRY_AFTER_MS);
    await use.rendezvous.close();
    this.#failovers.push({
      lost: use.contact.name,
      reason,
      lostAtMs: now,
      replacement: null,
      reservedAtMs: null,
      registeredAtMs: null,
    });
    if (this.#failovers.length > FAILOVER_HISTORY_MAX) this.#failovers.shift();
    this.#o.onEvent({ type: 'root-lost', root: use.contact.name, reason, atMs: now });
  }

  /** Candidates not in use, in order, leaving out those that failed less than ROOT_RETRY_AFTER_MS ago. */
  #spare(): RootContact[] {
    const now = this.#o.nowMs();
    return this.#candidates.filter(
      (c) => !this.#inUse.has(c.peerId) && (this.#failedUntil.get(c.peerId) ?? 0) <= now,
    );
  }

  async #fillUp(): Promise<void> {
    // Each round tries as many spare roots at once as are missing; every root is tried at most
    // once per pass, so the loop ends after at most candidates.length tries.
    const tried = new Set<string>();
    for (;;) {
      const missing = this.#o.wanted - this.#inUse.size;
      const next = this.#spare()
        .filter((c) => !tried.has(c.peerId))
        .slice(0, missing);
      if (missing <= 0 || next.length === 0) return;
      await Promise.all(
        next.map(async (c) => {
          tried.add(c.peerId);
          try {
            await this.#reserve(c);
          } catch {
            this.#failedUntil.set(c.peerId, this.#o.nowMs() + ROOT_RETRY_AFTER_MS);
            return;
          }
          const now = this.#o.nowMs();
          this.#inUse.set(c.peerId, {
            contact: c,
            sinceMs: now,
            rendezvous: new RendezvousClient(this.#o.host.node, multiaddr(c.p2p[0] as string), {
              privateKey: this.#o.privateKey,
            }),
            registeredKey: null,
          });
          for (const f of this.#failovers)
            if (f.replacement === null) Object.assign(f, { replacement: c.name, reservedAtMs: now });
          this.#o.onEvent({ type: 'root-added', root: c.name, atMs: now });
        }),
      );
    }
  }

  async #registerAll(): Promise<void> {
    const key = this.#o.host
      .circuitAddrs()
      .map(String)
      .concat(
        this.#o.host.node
          .getMultiaddrs()
          .filter((a) => !isCircuit(a))
          .map(String),
      )
      .sort()
      .join(' ');
    const now = this.#o.nowMs();
    const refreshDue = now - this.#registeredAtMs >= this.#o.ttlS * 1000 * REGISTRATION_REFRESH_FRACTION;
    const stale = [...this.#inUse.values()].filter((u) => refreshDue || u.registeredKey !== key);
    if (stale.length === 0) return;
    await Promise.all(
      stale.map(async (u) => {
        try {
          await u.rendezvous.register(this.#o.namespace, this.#o.ttlS);
          u.registeredKey = key;
        } catch (err) {
          u.registeredKey = null;
          this.#o.onEvent({
            type: 'registration-failed',
            root: u.contact.name,
            reason: (err as Error).message,
          });
        }
      }),
    );
    if (refreshDue) this.#registeredAtMs = now;
    this.#completeFailovers();
  }

  #completeFailovers(): void {
    const uses = [...this.#inUse.values()];
    if (uses.length < this.#o.wanted || uses.some((u) => u.registeredKey === null)) return;
    const now = this.#o.nowMs();
    for (const f of this.#failovers) {
      if (f.replacement === null || f.registeredAtMs !== null) continue;
      f.registeredAtMs = now;
      this.#o.onEvent({ type: 'failover', failover: { ...f } });
    }
  }
}
