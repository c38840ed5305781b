// Errors of the outside auditor. The code says whether the audit could not complete (the
// command exits 2) or was used wrongly; violations found are not errors but report entries.
// Failures to talk to a root are the HTTP client's NetError (src/net).

import { CodedError } from '../base/index.ts';

export type AuditErrorCode =
  | 'BAD_RESPONSE' // a response could not be parsed
  | 'BAD_ARGUMENT' // the caller passed something unusable
  | 'BAD_STATE' // the --state file is unreadable or not for this federation
  | 'BAD_EVIDENCE' // an evidence file is malformed
  | 'WITNESS_REFUSED'; // the witness will not cosign (inconsistent with what it cosigned before)

export class AuditError extends CodedError<AuditErrorCode> {}
