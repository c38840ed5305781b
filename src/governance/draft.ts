// The working copy of one batch (governance/CHARTER.md §17), shared by the rules for officers'
// statements (rules.ts), the federation key's rules (ceremony.ts) and batch execution
// (batch.ts). Everything the base state holds is copied, or copied on first write, so a
// rejected statement or a refused batch leaves the base state as it was.

import type { Ceremony } from './ceremony-state.ts';
import type { LedgerEntry } from './entry.ts';
import type { World } from './model.ts';
import type { SeenIndex } from './seen.ts';
import type { DutyReports, GovernanceState, OpenMotion, RetiredKey } from './state.ts';
import type { SignedStatement } from './statement-types.ts';
import type { KnownStatement, StatementVerifier } from './verifier.ts';
import type { PendingSignature } from './world-signatures.ts';

/** The working copy of one batch. `base` is the state in force when the batch began. */
export interface Draft {
  base: GovernanceState;
  timeMs: number;
  world: World;
  motions: Map<string, OpenMotion>;
  admissions: { epoch: number; count: number };
  /** The base state's replay memory (never mutated) and the ids accepted in this batch. */
  seen: SeenIndex;
  seenAdded: Map<string, number>;
  /** Checks statement signatures (default: on the spot; an auditor may inject pre-verified results). */
  verify: StatementVerifier;
  /** Statements already decoded by the caller (verifier.ts KnownStatement). */
  known: ReadonlyMap<SignedStatement, KnownStatement> | undefined;
  retiredNodeKeys: Record<string, RetiredKey>;
  /** Batch times of each member's recent self-updates (state.ts), with this batch's added. */
  selfUpdates: Record<string, number[]>;
  accepted: SignedStatement[];
  outcomes: LedgerEntry[];
  /** Statement ids whose effect changed the world in this batch, in order. */
  causes: string[];
  /** Duty reports on the epoch not yet judged, with those accepted in this batch (copied on write). */
  reports: DutyReports | null;
  /** The DKG ceremony in progress (charter §22); copied before its first change in the batch. */
  ceremony: Ceremony | undefined;
  /** Whether `ceremony` is this batch's own copy yet. */
  ceremonyOwned: boolean;
  /** Ceremony entries (restarts) of this batch, in the order they happened. */
  ceremonies: LedgerEntry[];
  /** Worlds waiting for the federation's signatures (charter §22). */
  pending: PendingSignature[];
}
