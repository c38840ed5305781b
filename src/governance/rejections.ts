// The rejection codes of the rules engine and the charter section (governance/CHARTER.md)
// that states each rule. One table, so the charter, the tests and the code cannot drift:
// test/governance/charter.test.ts checks that the charter names every code here.

export const CHARTER_RULES = {
  MALFORMED_STATEMENT: 1,
  WRONG_FEDERATION: 1,
  UNKNOWN_AUTHOR: 2,
  BAD_SIGNATURE: 2,
  AUTHOR_SUSPENDED: 2,
  STATEMENT_STALE: 3,
  STATEMENT_FROM_FUTURE: 3,
  DUPLICATE_STATEMENT: 3,
  NOT_A_VOTING_MEMBER: 4,
  TOO_MANY_OPEN_MOTIONS: 4,
  MOTION_WRONG_PARENT: 5,
  BAD_DEADLINE: 5,
  CONFLICTING_CHANGES: 5,
  UNKNOWN_MOTION: 6,
  BALLOT_SUPERSEDED: 6,
  BALLOT_ON_OWN_REMOVAL: 6,
  NAME_TAKEN: 8,
  KEY_IN_USE: 8,
  UNKNOWN_MEMBER: 8,
  WORLD_WOULD_BE_EMPTY: 8,
  MEMBERS_FULL: 8,
  ENDPOINT_NOT_PUBLIC: 8,
  CANDIDATE_SIGNATURE_INVALID: 9,
  KEY_SIGNATURE_INVALID: 9,
  ORGANISATION_TAKEN: 10,
  JURISDICTION_SHARE: 11,
  ADMISSION_RATE: 12,
  POLICY_BELOW_FLOOR: 13,
  BALLOT_NOT_SEASONED: 13,
  EVIDENCE_INVALID: 14,
  EVIDENCE_UNKNOWN_KEY: 14,
  EVIDENCE_ALREADY_SUSPENDED: 14,
} as const;

export type RejectionCode = keyof typeof CHARTER_RULES;

export const REJECTION_CODES = Object.keys(CHARTER_RULES) as RejectionCode[];
