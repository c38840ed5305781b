// Driving the federation key's DKG through the rules, as the roots do: each participant is a
// real src/frost DkgParticipant, its packages go into the ledger as statements signed by its
// node key, and the test decides who takes part, who is late and who cheats.

import { fromHex, toBase64, utf8Bytes } from '../../src/codec/index.ts';
import {
  DkgParticipant,
  type GroupKey,
  type KeyShare,
  type Round1Broadcast,
  type SealedShare,
} from '../../src/frost/index.ts';
import {
  type Ceremony,
  DEFAULT_FEDERATION_KEY_POLICY,
  DEFAULT_POLICY,
  dkgCommitment,
  dkgConfirmation,
  dkgShares,
  federationSignature,
  type PendingSignature,
  type Policy,
  type SignedStatement,
  type Statement,
  signStatement,
} from '../../src/governance/index.ts';
import { thresholdSign } from '../frost/helpers.ts';
import { FEDERATION, keysFor, type TestLedger } from './fixtures.ts';

export const DKG_POLICY: Policy = { ...DEFAULT_POLICY, federationKey: { ...DEFAULT_FEDERATION_KEY_POLICY } };
export const PHASE_MS = DEFAULT_FEDERATION_KEY_POLICY.phaseMs;

/** Signs a root statement with the author's node key. */
export function signByNode<S extends Statement>(statement: S, generation = 0): SignedStatement<S> {
  return signStatement(statement, keysFor(statement.author, generation).node.secretKey);
}

export const base = (author: string, createdMs: number) => ({ federation: FEDERATION, author, createdMs });

/** The roots of a ceremony, one DkgParticipant each, with what they have sent. */
export class Dkg {
  readonly ledger: TestLedger;
  readonly ceremony: Ceremony;
  readonly participants = new Map<string, DkgParticipant>();
  sealed: SealedShare[] = [];

  constructor(ledger: TestLedger) {
    this.ledger = ledger;
    this.ceremony = structuredClone(ledger.state.ceremony!);
    const config = {
      sessionId: this.ceremony.session,
      participants: this.ceremony.participants,
      threshold: this.ceremony.threshold,
    };
    for (const name of this.ceremony.participants)
      this.participants.set(name, new DkgParticipant(config, name));
  }

  get session(): string {
    return this.ceremony.session;
  }

  commitment(name: string, createdMs = this.ledger.timeMs): SignedStatement {
    return signByNode(dkgCommitment(base(name, createdMs), this.participants.get(name)!.broadcast));
  }

  broadcasts(): Round1Broadcast[] {
    return [...this.participants.values()].map((p) => p.broadcast);
  }

  /** Runs round 2 for every participant (once) and returns `name`'s shares statement. */
  shares(name: string, createdMs = this.ledger.timeMs): SignedStatement {
    if (this.sealed.length === 0)
      this.sealed = [...this.participants.values()].flatMap((p) => p.round2(this.broadcasts()));
    const mine = this.sealed.filter((s) => s.from === name);
    return signByNode(dkgShares(base(name, createdMs), this.session, mine));
  }

  sealedTo(name: string): SealedShare[] {
    return this.sealed.filter((s) => s.to === name);
  }

  confirmation(
    name: string,
    createdMs = this.ledger.timeMs,
  ): { signed: SignedStatement; share: KeyShare; group: GroupKey } {
    const { share, group } = this.participants.get(name)!.round3(this.sealedTo(name));
    const publicKey = toBase64(fromHex(group.publicKey));
    return {
      signed: signByNode(dkgConfirmation(base(name, createdMs), this.session, publicKey)),
      share,
      group,
    };
  }

  /** All three phases for every participant, one batch each; the shares and group key. */
  complete(timeMs = this.ledger.timeMs): { shares: KeyShare[]; group: GroupKey } {
    const names = this.ceremony.participants;
    this.ledger.run(
      names.map((n) => this.commitment(n, timeMs)),
      timeMs,
    );
    this.ledger.run(
      names.map((n) => this.shares(n, timeMs)),
      timeMs,
    );
    const confirmations = names.map((n) => this.confirmation(n, timeMs));
    this.ledger.run(
      confirmations.map((c) => c.signed),
      timeMs,
    );
    return { shares: confirmations.map((c) => c.share), group: confirmations[0]!.group };
  }
}

/** The federation-signature statement for a pending world, signed by each key's shares. */
export function signPending(
  author: string,
  pending: PendingSignature,
  keys: Map<string, { group: GroupKey; shares: KeyShare[] }>,
  createdMs: number,
): SignedStatement {
  const by = (key: string, message: Uint8Array) => {
    const k = keys.get(key)!;
    // The first `threshold` shares sign, as the fewest roots that can.
    return toBase64(thresholdSign(k.group, k.shares.slice(0, k.group.threshold), message));
  };
  const sigs: { worldNote: string[]; planet?: string; moon?: string } = {
    worldNote: pending.keys.map((k) => by(k, utf8Bytes(pending.note))),
  };
  if (pending.planet) sigs.planet = by(pending.planet.key, fromHex(pending.planet.digest));
  if (pending.moon) sigs.moon = by(pending.moon.key, fromHex(pending.moon.digest));
  return signByNode(federationSignature(base(author, createdMs), pending.version, sigs));
}

/** The base64 group key of a frost GroupKey. */
export const keyB64 = (group: GroupKey): string => toBase64(fromHex(group.publicKey));
