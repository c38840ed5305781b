// Errors and rejections of the governance core ("every rejection has a stable
// code and a sentence a person understands"). A Rejection is an answer about one statement
// and never throws; a GovernanceError is a whole input that cannot be used (a bad genesis, a
// batch from the past, a ledger that does not replay) and is thrown.

import { CodedError } from '../base/index.ts';
import { CHARTER_RULES, type RejectionCode } from './rejections.ts';

export type { RejectionCode };

export interface Rejection {
  code: RejectionCode;
  message: string;
  /** The charter section that states the rule, e.g. 'charter §9'. */
  rule: string;
}

export function reject(code: RejectionCode, message: string): Rejection {
  return { code, message, rule: `charter §${CHARTER_RULES[code]}` };
}

export type GovernanceErrorCode =
  | 'BAD_GENESIS' // the genesis does not verify: fix the ceremony output
  | 'BAD_WORLD' // a world that breaks the model's rules
  | 'BAD_ENTRY' // ledger entry bytes that are not one of the entry kinds
  | 'BAD_BATCH' // a batch header that does not follow the previous one (height, time, proposer, size)
  | 'BAD_RECOVERY' // a recovery the rules refuse (charter §20); the rejection says which rule
  | 'REPLAY_MISMATCH' // the ledger records something the rules do not produce
  | 'BAD_ARGUMENT'; // a caller passed something of the wrong type

/** The same error with the ledger entry it was found at, when it is a GovernanceError. */
export function atEntry(error: unknown, entryIndex: number): unknown {
  if (!(error instanceof GovernanceError)) return error;
  return new GovernanceError(error.code, `ledger entry ${entryIndex}: ${error.message}`, {
    entryIndex,
    ...(error.rejection === undefined ? {} : { rejection: error.rejection }),
  });
}

/** Thrown for inputs that cannot be used at all. `entryIndex` names the ledger entry when known. */
export class GovernanceError extends CodedError<GovernanceErrorCode> {
  readonly entryIndex: number | undefined;
  readonly rejection: Rejection | undefined;
  constructor(
    code: GovernanceErrorCode,
    message: string,
    options: { entryIndex?: number; rejection?: Rejection } = {},
  ) {
    super(code, message);
    this.entryIndex = options.entryIndex;
    this.rejection = options.rejection;
  }
}
