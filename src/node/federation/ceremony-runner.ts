// This root's part in a DKG ceremony for the federation key (charter §22). The rules open the
// ceremony; the runner watches the governance state after each commit and sends, as
// statements signed by the node key, what the phase asks of this member: its round-1
// commitment, its sealed round-2 shares, then — once every share to it opened and matched, and
// its signing share is on disk — its confirmation, or a complaint naming the sender of a bad
// share. The DKG's secrets live in memory only: a root that restarts mid-ceremony sits it out,
// is named at the phase's deadline, and the ceremony restarts without it.

import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SubmitResult } from '../../api/root-view.ts';
import { fromHex, toBase64 } from '../../codec/index.ts';
import { KeyFileError, scalarBasePoint } from '../../crypto/index.ts';
import { readSecretKeyFile, writeSecretKeyFile } from '../../crypto/key-file.ts';
import { DkgParticipant, FrostError, type KeyShare, type SealedShare } from '../../frost/index.ts';
import {
  type Ceremony,
  type CeremonyPhase,
  dkgCommitment,
  dkgComplaint,
  dkgConfirmation,
  dkgShares,
  type GovernanceState,
  type SignedStatement,
  type Statement,
  signStatement,
} from '../../governance/index.ts';
import { DKG_RESEND_MS } from './constants.ts';

export interface CeremonyHost {
  readonly federation: string;
  readonly nodeSecretKey: Uint8Array;
  /** Where share files live: <dataDir>/federation. */
  readonly shareDir: string;
  readonly log: Logger;
  self(): string | undefined;
  /** Ledger clock (ms): the createdMs of statements. */
  ledgerNow(): number;
  /** Wall clock (ms): when to send again. */
  now(): number;
  submit(signed: SignedStatement): SubmitResult;
}

/** The share file of a DKG session: <shareDir>/<session>.key (0600, like the node key). */
export function shareFile(shareDir: string, session: string): string {
  return join(shareDir, `${session}.key`);
}

/** This member's share of the key made by `session`, if its file is there. */
export function readShare(shareDir: string, session: string, self: string): KeyShare | undefined {
  try {
    const file = readSecretKeyFile(shareFile(shareDir, session));
    if (file.kind !== 'federation-share' || file.session !== session) return undefined;
    return { participant: self, signingShare: Buffer.from(file.secret).toString('hex') };
  } catch (e) {
    if (e instanceof KeyFileError || (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export class CeremonyRunner {
  readonly #host: CeremonyHost;
  #session: string | undefined;
  #participant: DkgParticipant | undefined;
  #sealed: SealedShare[] | undefined;
  #outcome: 'confirmed' | 'complained' | 'failed' | undefined;
  #confirmation: Statement | undefined;
  #sentMs = new Map<CeremonyPhase, number>();

  constructor(host: CeremonyHost) {
    this.#host = host;
  }

  /** The session this root takes part in, and whether it can still do its part. */
  get status(): { session: string; active: boolean } | undefined {
    return this.#session === undefined
      ? undefined
      : { session: this.#session, active: this.#participant !== undefined };
  }

  /** Looks at the state (after a commit, and on a timer) and sends what the ceremony asks. */
  onState(state: GovernanceState): void {
    const c = state.ceremony;
    const me = this.#host.self();
    if (c === undefined || me === undefined || !c.participants.includes(me)) {
      this.#reset(undefined);
      return;
    }
    if (c.session !== this.#session) {
      this.#reset(c.session);
      // Only at the start of a ceremony can this root take part: its round-1 secrets are new.
      if (c.phase === 'commitments' && c.commitments[me] === undefined) {
        this.#participant = new DkgParticipant(
          { sessionId: c.session, participants: c.participants, threshold: c.threshold },
          me,
        );
      } else {
        this.#host.log.warn(
          { session: c.session.slice(0, 12), phase: c.phase },
          'a DKG ceremony is past its start: this root sits it out',
        );
      }
    }
    const p = this.#participant;
    if (p === undefined || !this.#due(c.phase)) return;
    try {
      this.#step(c, me, p);
    } catch (e) {
      if (!(e instanceof FrostError)) throw e;
      this.#host.log.warn({ code: e.code, participant: e.participant }, `DKG step failed: ${e.message}`);
    }
  }

  #reset(session: string | undefined): void {
    this.#session = session;
    this.#participant = undefined;
    this.#sealed = undefined;
    this.#outcome = undefined;
    this.#confirmation = undefined;
    this.#sentMs.clear();
  }

  #due(phase: CeremonyPhase): boolean {
    const sent = this.#sentMs.get(phase);
    return sent === undefined || this.#host.now() - sent >= DKG_RESEND_MS;
  }

  #base(me: string) {
    return { federation: this.#host.federation, author: me, createdMs: this.#host.ledgerNow() };
  }

  #send(phase: CeremonyPhase, statement: Statement): void {
    this.#sentMs.set(phase, this.#host.now());
    const result = this.#host.submit(signStatement(statement, this.#host.nodeSecretKey));
    if (result.rejection !== null) {
      this.#host.log.warn({ phase, rejection: result.rejection }, 'DKG statement refused');
    } else {
      this.#host.log.info(
        { phase, kind: statement.kind, session: this.#session?.slice(0, 12) },
        'DKG statement sent',
      );
    }
  }

  #step(c: Ceremony, me: string, p: DkgParticipant): void {
    if (c.phase === 'commitments') {
      if (c.commitments[me] === undefined)
        this.#send('commitments', dkgCommitment(this.#base(me), p.broadcast));
      return;
    }
    if (c.phase === 'shares') {
      if (c.shares[me] !== undefined) return;
      this.#sealed ??= p.round2(
        c.participants.map((name) => ({ sessionId: c.session, participant: name, ...c.commitments[name]! })),
      );
      this.#send('shares', dkgShares(this.#base(me), c.session, this.#sealed));
      return;
    }
    if (c.confirmed.includes(me) || this.#outcome === 'failed') return;
    if (this.#outcome === undefined) this.#roundThree(c, me, p);
    if (this.#confirmation !== undefined)
      this.#send('confirmations', { ...this.#confirmation, createdMs: this.#host.ledgerNow() });
  }

  /** Opens this member's shares; writes its signing share, or complains of the sender of a bad one. */
  #roundThree(c: Ceremony, me: string, p: DkgParticipant): void {
    const sealed: SealedShare[] = c.participants
      .filter((from) => from !== me)
      .map((from) => ({ sessionId: c.session, from, ...c.shares[from]!.find((s) => s.to === me)! }));
    try {
      const { share, group } = p.round3(sealed);
      const secret = fromHex(share.signingShare);
      try {
        writeSecretKeyFile(shareFile(this.#host.shareDir, c.session), {
          kind: 'federation-share',
          secret,
          publicKey: scalarBasePoint(secret),
          session: c.session,
        });
      } catch (e) {
        if (!(e instanceof KeyFileError && e.code === 'EXISTS')) throw e;
      }
      this.#outcome = 'confirmed';
      this.#confirmation = dkgConfirmation(this.#base(me), c.session, toBase64(fromHex(group.publicKey)));
    } catch (e) {
      if (!(e instanceof FrostError)) throw e;
      const complaint = p.complaint();
      if (complaint === undefined) {
        this.#outcome = 'failed';
        throw e;
      }
      this.#outcome = 'complained';
      this.#host.log.warn({ accused: complaint.accused }, `a bad DKG share: ${e.message}; complaining`);
      this.#send(
        'confirmations',
        dkgComplaint(this.#base(me), c.session, complaint.accused, complaint.sealingSecret),
      );
    }
  }
}
