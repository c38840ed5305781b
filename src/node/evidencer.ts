// Turns equivocation this root has seen — two conflicting signed votes (from the consensus
// core) or one member's cosignatures on two different trees of one size (from the
// cosignature book) — into an evidence statement. Evidence is a governance statement, so it
// needs an author's governance key: a root run with `governanceKeyFile` submits it itself;
// otherwise it is logged and listed at GET /evidence for an officer to submit.

import { type Evidence, evidence, type SignedStatement, signStatement } from '../governance/index.ts';
import type { SignedVote } from '../wire/index.ts';
import type { CosignatureConflict } from './cosignature-book.ts';
import type { Root } from './root.ts';

export const EVIDENCE_KEPT_MAX = 64;

export class Evidencer {
  #root: Root;
  #seen = new Set<string>();
  readonly found: Evidence[] = [];

  constructor(root: Root) {
    this.#root = root;
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
    const root = this.#root;
    root.metrics.evidence.inc({ kind: proof.type });
    const me = root.self();
    const key2 = root.options.governanceKey;
    if (me === undefined || key2 === undefined) {
      root.log.warn(
        { evidence: proof },
        'equivocation seen; no governance key configured to submit it (see GET /evidence)',
      );
      return;
    }
    const statement = evidence(root.state.world.federation, me.name, proof, root.now());
    const signed: SignedStatement = signStatement(statement, key2.secretKey);
    const { rejection, id } = root.submit(signed);
    if (rejection === null) root.log.warn({ id, type: proof.type }, 'equivocation seen: evidence submitted');
    else root.log.warn({ rejection }, 'equivocation seen but the evidence was refused');
  }
}
