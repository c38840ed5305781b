// `witan audit`: runAudit (genesis file, roots, state, evidence, witness → AuditReport) and the
// commander command with its `verify-evidence` subcommand. Exit codes: 0 verified, 1 a
// violation found (or evidence confirmed… see verify-evidence), 2 could not complete, 3 usage.

import { readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { fromHex, toHex } from '../codec/index.ts';
import {
  checkGenesis,
  encodeEntry,
  ledgerOrigin,
  type SignedGenesis,
  worldHash,
} from '../governance/index.ts';
import { leafHash } from '../ledger/index.ts';
import { HttpClient, NetError } from '../net/index.ts';
import { auditLedger } from './audit.ts';
import { AuditError } from './errors.ts';
import { readEvidenceFile, verifyEvidence } from './evidence.ts';
import { progressBar } from './progress.ts';
import { evidenceGovernance, governanceRules } from './replay.ts';
import { type AuditReport, formatHtml, formatText, REPORT_FORMAT, resultOf } from './report.ts';
import type { BundlePolicy } from './root-data.ts';
import { SEED_BYTES } from './sample.ts';
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

function exitFor(error: unknown): number {
  if (error instanceof NetError) return error.code === 'BAD_URL' ? 3 : 2;
  if (error instanceof AuditError) return error.code === 'BAD_RESPONSE' ? 2 : 3;
  return 3;
}

type CliOptions = {
  genesis?: string;
  state?: string;
  json?: boolean;
  html?: string;
  evidenceDir: string;
  witnessKey?: string;
  witnessName: string;
  witnessState?: string;
  timeoutMs: string;
  workers?: string;
  sampleBundles?: string;
  allBundles?: boolean;
  seed?: string;
};

function positive(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new AuditError('BAD_ARGUMENT', `${name} must be a non-negative integer`);
  return n;
}

/** --all-bundles / --sample-bundles <K> as a policy (undefined: the audit decides by size). */
function bundlePolicy(o: CliOptions): BundlePolicy | undefined {
  if (o.allBundles && o.sampleBundles !== undefined)
    throw new AuditError('BAD_ARGUMENT', 'give --all-bundles or --sample-bundles <K>, not both');
  if (o.allBundles) return { mode: 'all' };
  if (o.sampleBundles !== undefined)
    return { mode: 'sample', perRoot: positive(o.sampleBundles, '--sample-bundles') };
  return undefined;
}

function seedOf(text: string): Uint8Array {
  if (!new RegExp(`^[0-9a-f]{${2 * SEED_BYTES}}$`).test(text))
    throw new AuditError(
      'BAD_ARGUMENT',
      `--seed must be ${2 * SEED_BYTES} hex digits, as printed in a report`,
    );
  return fromHex(text);
}

/** The `witan audit` command. */
export function auditCommand(): Command {
  const command = new Command('audit')
    .description('Verify a federation from genesis across its roots, without trusting any of them.')
    .argument('[roots...]', 'root base URLs (http[s]://host:port)')
    .option('--genesis <file>', 'the signed genesis (JSON) you pin (required)')
    .option('--state <file>', 'remember what was verified; the next audit fetches only what is new')
    .option('--json', 'print the report as JSON (docs/auditing.md)')
    .option('--html <file>', 'also write a self-contained HTML report')
    .option('--evidence-dir <dir>', 'where evidence files are written', 'witan-evidence')
    .option('--witness-key <file>', 'cosign verified checkpoints with this key and submit them to the roots')
    .option('--witness-name <name>', 'key name of the witness cosignature', 'witan-auditor')
    .option('--witness-state <file>', 'witness state (default: <witness-key>.witness.json)')
    .option('--timeout-ms <ms>', 'per request', '15000')
    .option('--all-bundles', "compare every entry bundle of every root, whatever the ledger's size")
    .option(
      '--sample-bundles <K>',
      'compare K random entry bundles per root (every hash tile is still compared)',
    )
    .option('--seed <hex>', 'seed of the bundle samples, to repeat a run (printed in every report)')
    .addOption(new Option('--workers <n>', 'signature worker threads (default: all cores)'))
    .addHelpText(
      'after',
      `
Exit codes: 0 everything verified, 1 a violation was found (see the evidence files),
2 the audit could not complete (a root unreachable, timeouts), 3 bad usage or input.`,
    )
    .action(async (roots: string[], o: CliOptions) => {
      try {
        if (o.genesis === undefined)
          throw new AuditError('BAD_ARGUMENT', '--genesis <file> is required: the genesis you pin');
        if (roots.length === 0) throw new AuditError('BAD_ARGUMENT', 'give at least one root URL');
        const bundles = bundlePolicy(o);
        const seed = o.seed !== undefined ? seedOf(o.seed) : undefined;
        const progress = progressBar('entries');
        const report = await runAudit({
          ...(bundles !== undefined ? { bundles } : {}),
          ...(seed !== undefined ? { seed } : {}),
          genesis: readGenesisFile(o.genesis),
          roots,
          evidenceDir: o.evidenceDir,
          timeoutMs: positive(o.timeoutMs, '--timeout-ms'),
          onProgress: (d, t) => progress.update(d, t),
          ...(o.state !== undefined ? { statePath: o.state } : {}),
          ...(o.workers !== undefined ? { workers: positive(o.workers, '--workers') } : {}),
          ...(o.witnessKey !== undefined
            ? {
                witness: {
                  keyPath: o.witnessKey,
                  name: o.witnessName,
                  statePath: o.witnessState ?? `${o.witnessKey}.witness.json`,
                  ...(process.env.WITAN_WITNESS_PASSPHRASE
                    ? { passphrase: process.env.WITAN_WITNESS_PASSPHRASE }
                    : {}),
                },
              }
            : {}),
        });
        progress.end();
        if (o.html !== undefined) writeFileSync(o.html, formatHtml(report));
        process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatText(report));
        process.exitCode = report.exitCode;
      } catch (error) {
        process.stderr.write(`witan audit: ${(error as Error).message}\n`);
        process.exitCode = exitFor(error);
      }
    });
  command
    .command('verify-evidence')
    .description('Re-check an evidence file offline: exit 0 if it proves what it says, 1 if not.')
    .argument('<file>', 'evidence file written by witan audit')
    .option('--json', 'print the verdict as JSON')
    .action((file: string, o: { json?: boolean }) => {
      try {
        const verdict = verifyEvidence(readEvidenceFile(file), evidenceGovernance);
        if (o.json) process.stdout.write(`${JSON.stringify(verdict)}\n`);
        else if (verdict.ok) process.stdout.write(`CONFIRMED ${verdict.kind}: ${verdict.summary}\n`);
        else process.stdout.write(`NOT CONFIRMED: ${verdict.reason}\n`);
        process.exitCode = verdict.ok ? 0 : 1;
      } catch (error) {
        process.stderr.write(`witan audit verify-evidence: ${(error as Error).message}\n`);
        process.exitCode = 3;
      }
    });
  return command;
}
