// The outside auditor (docs/auditing.md): `witan audit` verifies a federation's
// ledger, checkpoints and worlds from genesis across its roots without trusting any of them,
// writes self-contained evidence for every violation, and can act as a C2SP tlog-witness.

export {
  auditLedger,
  type KeysInForce,
  type LedgerAuditOptions,
  type LedgerAuditResult,
  type LedgerRules,
  type RootReport,
  type RuleFailure,
  type Violation,
  type WorldStatus,
} from './audit.ts';
export {
  type CheckpointCheck,
  type CosignerSet,
  checkCheckpointNote,
  findRollback,
  findSplitViews,
  isFresh,
  type SeenCheckpoint,
} from './checkpoints.ts';
export { AuditError, type AuditErrorCode } from './errors.ts';
export {
  EVIDENCE_FORMAT,
  type EvidenceFile,
  type EvidenceGovernance,
  type EvidenceKind,
  type EvidenceVerdict,
  readEvidenceFile,
  verifyEvidence,
  writeEvidenceFile,
} from './evidence.ts';
export { progressBar } from './progress.ts';
export { evidenceGovernance, governanceRules, type ReplaySummary } from './replay.ts';
export { type AuditReport, formatText, REPORT_FORMAT } from './report.ts';
export { formatHtml } from './report-html.ts';
export { type BundlePolicy, compareRootData, type RootData } from './root-data.ts';
export { RootReader } from './root-reader.ts';
export { type AuditOptions, readGenesisFile, runAudit } from './run.ts';
export { detectionProbability, SEED_BYTES, sampleIndexes } from './sample.ts';
export { type AuditState, readState, writeState } from './state.ts';
export { downloadTree, type TreeResult, tileHashReader, verifiedTileReader } from './tree.ts';
export { VerifiedTree } from './verified-tree.ts';
export { VerifyPool } from './verify-pool.ts';
export { Witness, type WitnessState } from './witness.ts';
