// Turns equivocation this root has seen — two conflicting signed votes (from the consensus
// core) or one member's cosignatures on two different trees of one size (from the
// cosignature book) — into an evidence statement. Evidence is a governance statement, so it
// needs an author's governance key: a root run with `governanceKeyFile` submits it itself;
// otherwise it is logged and listed at GET /evidence for an officer to submit.

import type { Logger } from 'pino';
import type { SubmitResult } from '../api/root-view.ts';
import { type Evidence, evidence, type SignedStatement, signStatement } from '../governance/index.ts';
import type { SignedVote } from '../wire/index.ts';
import type { CosignatureConflict } from './cosignature-book.ts';

export const EVIDENCE_KEPT_MAX = 64;

/** Who authors an evidence statement: this root's member, in its federation, with its governance key. */
export interface EvidenceAuthor {
  federation: string;
  member: string;
  governanceSecretKey: Uint8Array;
}

/** What the evidencer needs from the root. */
export interface EvidencerView {
  /** The author of evidence now, or undefined when this root is no member or has no governance key. */
  author(): EvidenceAuthor | undefined;
  /** The root's clock, ms: the statement's createdMs. */
  now(): number;
  submit(signed: SignedStatement): SubmitResult;
  /** Counts evidence found, by kind (a metric). */
  found(kind: Evidence['type']): void;
  readonly log: Logger;
}

export class Evidencer {
  #view: EvidencerView;
  #seen = new Set<string>();
  readonly found: Evidence[] = [];

  constructor(view: EvidencerView) {
    this.#view = view;
  }

  votes(a: SignedVote, b: SignedVote): void {
    this.#report({ type: 'votes', first: a, second: b }, `${a.validator}/${a.height}/${a.round}/${a.type}`);
  }

  checkpoints(c: CosignatureConflict): void {
    this.#report(
      { type: 'checkpoints', member: c.name, first: c.ours, second: c.theirs },
      `cp/${c.name}/${c.theirs}`,
    );
  }

  #report(proof: Evidence, key: string): void {
    if (this.#seen.has(key) || this.found.length >= EVIDENCE_KEPT_MAX) return;
    this.#seen.add(key);
    this.found.push(proof);
    const view = this.#view;
    view.found(proof.type);
    const author = view.author();
    if (author === undefined) {
      view.log.warn(
        { evidence: proof },
        'equivocation seen; no governance key configured to submit it (see GET /evidence)',
      );
      return;
    }
    const statement = evidence(author.federation, author.member, proof, view.now());
    const signed: SignedStatement = signStatement(statement, author.governanceSecretKey);
    const { rejection, id } = view.submit(signed);
    if (rejection === null) view.log.warn({ id, type: proof.type }, 'equivocation seen: evidence submitted');
    else view.log.warn({ rejection }, 'equivocation seen but the evidence was refused');
  }
}
