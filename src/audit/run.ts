// The audit as a library call: runAudit (genesis, roots, state, evidence folder, witness →
// AuditReport). The `witan audit` command around it, and its exit codes, are src/cli/audit.ts.

import { readFileSync } from 'node:fs';
import { toHex } from '../codec/index.ts';
import {
  checkGenesis,
  encodeEntry,
  ledgerOrigin,
  type SignedGenesis,
  worldHash,
} from '../governance/index.ts';
import { leafHash } from '../ledger/index.ts';
import { HttpClient } from '../net/index.ts';
import { auditLedger } from './audit.ts';
import { AuditError } from './errors.ts';
import { evidenceGovernance, governanceRules } from './replay.ts';
import { type AuditReport, REPORT_FORMAT, resultOf } from './report.ts';
import type { BundlePolicy } from './root-data.ts';
import { readState, writeState } from './state.ts';
import { VerifyPool } from './verify-pool.ts';
import { readWitnessState, Witness, writeWitnessState } from './witness.ts';

export type AuditOptions = {
  genesis: SignedGenesis;
  roots: string[];
  statePath?: string;
  evidenceDir?: string;
  witness?: { keyPath: string; name: string; statePath: string; passphrase?: string };
  /** The auditor's clock (ms since the epoch); default Date.now(). */
  nowMs?: number;
  timeoutMs?: number;
  attemptsMax?: number;
  concurrency?: number;
  /** Worker threads for signatures; default os.availableParallelism(); 0 disables the pool. */
  workers?: number;
  /** Which bundles of every root are compared; default: all when affordable, else a sample. */
  bundles?: BundlePolicy;
  /** Seed of the bundle samples (SEED_BYTES bytes); default: random, printed in the report. */
  seed?: Uint8Array;
  onProgress?: (done: number, total: number) => void;
};

/** Reads a genesis file: a SignedGenesis, or an object with a `genesis` field holding one. */
export function readGenesisFile(path: string): SignedGenesis {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new AuditError(
      'BAD_ARGUMENT',
      `${path}: not a readable JSON genesis file (${(error as Error).message})`,
    );
  }
  const candidate =
    typeof json === 'object' && json !== null && 'genesis' in json
      ? (json as { genesis: unknown }).genesis
      : json;
  try {
    return checkGenesis(candidate);
  } catch (error) {
    throw new AuditError('BAD_ARGUMENT', `${path}: not a valid signed genesis: ${(error as Error).message}`);
  }
}

export async function runAudit(options: AuditOptions): Promise<AuditReport> {
  const startedAtMs = Date.now();
  const started = performance.now();
  const nowMs = options.nowMs ?? startedAtMs;
  const genesis = options.genesis;
  const origin = ledgerOrigin(genesis.world);
  const genesisLeafHash = toHex(leafHash(encodeEntry({ kind: 'genesis', genesis })));
  let bytesFetched = 0;
  const http = new HttpClient({
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.attemptsMax !== undefined ? { attemptsMax: options.attemptsMax } : {}),
    onBytes: (n) => {
      bytesFetched += n;
    },
  });
  const state = options.statePath !== undefined ? readState(options.statePath) : undefined;
  if (state !== undefined && (state.origin !== origin || state.genesisLeafHash !== genesisLeafHash)) {
    throw new AuditError(
      'BAD_STATE',
      `${options.statePath} is the state of another ledger; give another --state file`,
    );
  }
  const witness =
    options.witness === undefined
      ? undefined
      : Witness.fromKeyFile(
          options.witness.name,
          options.witness.keyPath,
          readWitnessState(options.witness.statePath),
          options.witness.passphrase,
        );
  const pool = options.workers === 0 ? undefined : new VerifyPool(options.workers);
  try {
    const result = await auditLedger({
      roots: options.roots,
      origin,
      genesisLeafHash,
      http,
      nowMs,
      ...(state !== undefined ? { state } : {}),
      rules: () =>
        governanceRules({ genesis, ...(pool ? { pool } : {}), ...(state ? { from: state.governance } : {}) }),
      ...(options.evidenceDir !== undefined ? { evidenceDir: options.evidenceDir } : {}),
      evidenceGovernance,
      ...(witness !== undefined ? { witness } : {}),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.bundles !== undefined ? { bundles: options.bundles } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
    });
    if (options.statePath !== undefined && result.nextState !== undefined)
      writeState(options.statePath, result.nextState);
    if (witness?.state !== undefined && options.witness !== undefined)
      writeWitnessState(options.witness.statePath, witness.state);
    const durationMs = performance.now() - started;
    const entries = result.tree?.entriesFetched ?? 0;
    const governance = (result.rules?.summary() ??
      (state?.summary ? { ...(state.summary as object) } : null)) as AuditReport['governance'];
    return {
      format: REPORT_FORMAT,
      federation: origin,
      genesisWorldHash: worldHash(genesis.world),
      startedAtMs,
      finishedAtMs: Date.now(),
      clock: { ...result.clock, source: options.nowMs === undefined ? 'system' : 'given' },
      ...resultOf(result.violations.length, result.incomplete.length),
      roots: result.roots,
      tree: result.tree ?? null,
      dataCheck: result.dataCheck ?? null,
      governance,
      violations: result.violations,
      incomplete: result.incomplete,
      witness: result.witness ?? null,
      stats: {
        durationMs,
        entriesPerSecond: durationMs > 0 ? (entries * 1000) / durationMs : 0,
        bytesFetched,
        statePath: options.statePath ?? null,
      },
    };
  } finally {
    await pool?.close();
  }
}
