// `witan audit`: verify a federation from genesis across its roots (runAudit, src/audit), and
// `witan audit verify-evidence`: re-check an evidence file offline. A finished audit exits with
// its report's verdict (0 verified, 1 a violation found, 2 incomplete); an error exits through
// the one mapping every command uses (exit-codes.ts): 2 could not complete, 3 bad usage or
// input, 70 a bug.

import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  AuditError,
  type BundlePolicy,
  evidenceGovernance,
  formatHtml,
  formatText,
  progressBar,
  readEvidenceFile,
  readGenesisFile,
  runAudit,
  SEED_BYTES,
  verifyEvidence,
} from '../audit/index.ts';
import { fromHex } from '../codec/index.ts';
import { EXIT_OK, EXIT_REJECTED } from './errors.ts';
import { action } from './output.ts';

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
2 the audit could not complete (a root unreachable, timeouts), 3 bad usage or input,
70 a bug.`,
    )
    .action(
      action(async (roots: string[], o: CliOptions) => {
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
        // The report's verdict is part of its format (docs/auditing.md "Report"): 0, 1 or 2.
        process.exitCode = report.exitCode;
      }, 'witan audit'),
    );
  command
    .command('verify-evidence')
    .description('Re-check an evidence file offline: exit 0 if it proves what it says, 1 if not.')
    .argument('<file>', 'evidence file written by witan audit')
    .option('--json', 'print the verdict as JSON')
    .action(
      action((file: string, o: { json?: boolean }) => {
        const verdict = verifyEvidence(readEvidenceFile(file), evidenceGovernance);
        if (o.json) process.stdout.write(`${JSON.stringify(verdict)}\n`);
        else if (verdict.ok) process.stdout.write(`CONFIRMED ${verdict.kind}: ${verdict.summary}\n`);
        else process.stdout.write(`NOT CONFIRMED: ${verdict.reason}\n`);
        process.exitCode = verdict.ok ? EXIT_OK : EXIT_REJECTED;
      }, 'witan audit verify-evidence'),
    );
  return command;
}
