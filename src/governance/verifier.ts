// How the rules check a statement's signature by the author's key its kind names — governance
// or node key, signerKeyOf (charter §2, BAD_SIGNATURE). The default verifies it on the spot
// with src/crypto verifySignature. An auditor that already verified the signatures elsewhere
// (in parallel, on worker threads) injects the results: they are keyed by statement id AND
// key, so a result only stands for the exact signed bytes and the key the rules ask about;
// anything else is verified here.
// Verdicts are the same either way — provided the injected results are true verifications.

import type { SignedStatement } from './statement-types.ts';
import { verifyStatementSignature } from './statements.ts';

/** true iff `signed` carries a valid signature by `key` (base64); id = statementId(signed). */
export type StatementVerifier = (signed: SignedStatement, key: string, id: string) => boolean;

export const verifyOnTheSpot: StatementVerifier = (signed, key) => verifyStatementSignature(signed, key);

/** A result verified elsewhere: the key it was checked against, and whether it verified. */
export interface PreVerified {
  /**
   * The author's key (base64) the signature was checked against: its governance key, or its
   * node key for the kinds a root signs (signerKeyOf).
   */
  signerKey: string;
  ok: boolean;
}

/**
 * A verifier that accepts on a positive result in `results` (statementId → result) for the
 * same key, and verifies on the spot otherwise: a key replaced inside the batch, a statement
 * not pre-checked, or a negative result (so a wrong guess of key or bytes only costs time).
 */
export function preVerified(results: Pick<ReadonlyMap<string, PreVerified>, 'get'>): StatementVerifier {
  return (signed, key, id) => {
    const r = results.get(id);
    if (r?.ok && r.signerKey === key) return true;
    return verifyStatementSignature(signed, key);
  };
}

/**
 * A statement the caller got from decodeEntry (so already parsed and validated, and not
 * mutated since), with its statementId and its ledger entry bytes. executeBatch then skips
 * parsing, hashing and encoding it again; the verdicts are the same.
 */
export interface KnownStatement {
  id: string;
  entry: Uint8Array;
}
