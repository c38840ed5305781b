// `witan config check`: the config and everything it points to, checked the way `witan start`
// would use them — the schema and every address, the data folder, the keys (readable, mode
// 0600, the right kind), the genesis (valid, matching the ledger in the data folder) and the
// announced endpoints against the federation's policy. Every problem is listed, not only the
// first; nothing is written. Exit 0 with warnings at most, 3 with problems.

import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { Command } from 'commander';
import { bytesEqual, toBase64 } from '../codec/index.ts';
import { KeyFileError } from '../crypto/index.ts';
import { readKeyFile } from '../crypto/key-file.ts';
import {
  checkGenesis,
  encodeEntry,
  hostScope,
  ledgerOrigin,
  nonPublicEndpoint,
  privateEndpointsAllowed,
  type SignedGenesis,
  scopeWords,
} from '../governance/index.ts';
import { LedgerStore } from '../ledger/store.ts';
import { configProblems, type RootConfig, readConfigJson } from '../node/config.ts';
import { CONFIG_FILE_NAME } from '../node/constants.ts';
import { witnessVerifiers } from '../node/witness-inbox.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { readJsonFile } from './genesis.ts';
import { GOVERNANCE_KEY_FILE_NAME, unencryptedGovernanceKeyWarning } from './init.ts';
import { action, printJson, say, warn } from './output.ts';

export interface ConfigReport {
  configPath: string;
  /** What `witan start` would refuse or fail on; each names the field or file. */
  problems: string[];
  /** What works but should not stay so. */
  warnings: string[];
  /** What was checked, for people. */
  checked: string[];
}

function inside(file: string, dir: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Governance keys a root's operator should not leave as they are: an unencrypted one in the
 * data folder (configured for evidence, or left there by `witan init`).
 */
export function governanceKeyWarnings(config: Pick<RootConfig, 'dataDir' | 'governanceKeyFile'>): string[] {
  const files = new Set<string>([join(config.dataDir, GOVERNANCE_KEY_FILE_NAME)]);
  if (config.governanceKeyFile !== undefined && inside(config.governanceKeyFile, config.dataDir))
    files.add(config.governanceKeyFile);
  const out: string[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    try {
      readKeyFile(file);
      out.push(unencryptedGovernanceKeyWarning(file));
    } catch {
      // encrypted, or not readable here: nothing lies open
    }
  }
  return out;
}

function keyProblem(field: string, file: string, kind: 'node' | 'governance'): string | undefined {
  try {
    const key = readKeyFile(file);
    if (key.kind !== kind) return `${field}: ${file} holds a ${key.kind} key, not a ${kind} key`;
    return undefined;
  } catch (err) {
    if (err instanceof KeyFileError && err.code === 'PASSPHRASE_REQUIRED') {
      return `${field}: ${file} is encrypted, and a running root has nobody to type its passphrase; remove ${field} (the root then cannot sign evidence itself) or give it an unencrypted key kept on the server`;
    }
    if (err instanceof KeyFileError) return `${field}: ${err.message}`;
    return `${field}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
}

function publicKeyOf(file: string): string | undefined {
  try {
    return toBase64(readKeyFile(file).publicKey);
  } catch {
    return undefined;
  }
}

async function ledgerProblem(config: RootConfig, genesis: SignedGenesis): Promise<string | undefined> {
  const dir = join(config.dataDir, 'ledger');
  if (!existsSync(join(dir, 'CURRENT'))) return undefined;
  let store: LedgerStore;
  try {
    store = await LedgerStore.open(dir, { origin: ledgerOrigin(genesis.world) });
  } catch (err) {
    const e = err as { code?: string; cause?: { code?: string } };
    if (e.code === 'LEVEL_LOCKED' || e.cause?.code === 'LEVEL_LOCKED') return undefined; // a running root holds it; it compared the genesis when it started
    return `/genesisFile: the ledger in ${dir} cannot be used with ${config.genesisFile}: ${(err as Error).message}`;
  }
  try {
    if (store.size() === 0) return undefined;
    const first = await store.entry(0);
    if (!bytesEqual(first, encodeEntry({ kind: 'genesis', genesis })))
      return `/genesisFile: the ledger in ${dir} starts from another genesis than ${config.genesisFile}`;
    return undefined;
  } finally {
    await store.close();
  }
}

/** Checks a config file and what it points to; never throws for a problem, lists it. */
export async function checkConfigFile(configPath: string, env: NodeJS.ProcessEnv): Promise<ConfigReport> {
  const report: ConfigReport = { configPath, problems: [], warnings: [], checked: [] };
  let raw: unknown;
  try {
    raw = readConfigJson(configPath);
  } catch (err) {
    report.problems.push((err as Error).message);
    return report;
  }
  const read = configProblems(raw, configPath, env);
  if (read.config === undefined) {
    report.problems.push(...read.problems);
    return report;
  }
  const config = read.config;
  report.checked.push('fields and addresses');

  if (!existsSync(config.dataDir) || !statSync(config.dataDir).isDirectory()) {
    report.problems.push(`/dataDir: ${config.dataDir} is not a folder (witan init creates it)`);
  } else {
    try {
      accessSync(config.dataDir, constants.R_OK | constants.W_OK);
      report.checked.push(`data folder ${config.dataDir}`);
    } catch {
      report.problems.push(`/dataDir: ${config.dataDir} is not readable and writable by this user`);
    }
  }

  const nodeKey = keyProblem('/nodeKeyFile', config.nodeKeyFile, 'node');
  if (nodeKey !== undefined) report.problems.push(nodeKey);
  else report.checked.push(`node key ${config.nodeKeyFile}`);
  if (config.governanceKeyFile !== undefined) {
    const gov = keyProblem('/governanceKeyFile', config.governanceKeyFile, 'governance');
    if (gov !== undefined) report.problems.push(gov);
  }
  report.warnings.push(...governanceKeyWarnings(config));

  if (config.operator.host !== 'localhost' && hostScope(config.operator.host) !== 'loopback') {
    report.warnings.push(
      `/operator/host: ${config.operator.host} is not loopback; /metrics and /ready are for the operator, keep them off the Internet`,
    );
  }
  const ports = new Map<number, string>();
  for (const [field, port] of [
    ['/http/port', config.http.port],
    ['/operator/port', config.operator.port],
    ...config.p2p.listen.map((a, i) => [`/p2p/listen/${i}`, Number(a.split('/')[4])] as const),
  ] as const) {
    const other = ports.get(port);
    if (port !== 0 && other !== undefined) report.problems.push(`${field}: port ${port} is also ${other}`);
    else ports.set(port, field);
  }

  let genesis: SignedGenesis | undefined;
  try {
    genesis = checkGenesis(readJsonFile(config.genesisFile, 'genesis'));
    report.checked.push(`genesis ${config.genesisFile} (${genesis.world.federation})`);
  } catch (err) {
    report.problems.push(`/genesisFile: ${config.genesisFile}: ${(err as Error).message}`);
  }
  if (genesis !== undefined) {
    const policy = genesis.world.policy;
    if (!privateEndpointsAllowed(policy)) {
      for (const [i, a] of config.p2p.announce.entries()) {
        const found = nonPublicEndpoint([a]);
        if (found !== undefined)
          report.problems.push(
            `/p2p/announce/${i}: ${a} is ${scopeWords(found.scope)}, and the federation's policy does not allow private endpoints`,
          );
      }
    }
    const me = publicKeyOf(config.nodeKeyFile);
    const member = genesis.world.members.find((m) => m.nodeKey === me);
    if (member !== undefined && config.p2p.announce.length > 0) {
      const listed = member.endpoints.p2p.filter((e) => !config.p2p.announce.includes(e));
      if (listed.length > 0)
        report.warnings.push(
          `/p2p/announce: the genesis lists ${listed.join(', ')} for ${member.name}, which this root does not announce; update your endpoints if they moved (witan propose update)`,
        );
    }
    try {
      witnessVerifiers(
        config.witnesses,
        genesis.world.members.map((m) => m.name),
      );
    } catch (err) {
      report.problems.push(`/${(err as Error).message}`);
    }
    const ledger = await ledgerProblem(config, genesis);
    if (ledger !== undefined) report.problems.push(ledger);
    else report.checked.push('ledger matches the genesis');
  }
  return report;
}

export function registerConfig(program: Command): void {
  const config = program.command('config').description("a root's configuration");
  config
    .command('check')
    .description('check the config and everything it points to (exit 3 listing every problem)')
    .option('--config <file>', 'config file written by witan init', join('.', 'witan-data', CONFIG_FILE_NAME))
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Example:
  $ witan config check --config /var/lib/witan/witan.json

Checks every field and address, the data folder, the keys (readable, mode 0600),
the genesis (valid, and the one the ledger in the data folder started from) and
the announced endpoints against the federation's policy. Writes nothing.`,
    )
    .action(
      action(async (opts: { config: string; json?: boolean }) => {
        const report = await checkConfigFile(opts.config, process.env);
        if (opts.json) printJson(report);
        else {
          for (const w of report.warnings) warn(w, 'witan config check');
          for (const p of report.problems) process.stderr.write(`witan config check: ${p}\n`);
          if (report.problems.length === 0) say(`${opts.config}: ok (${report.checked.join('; ')})`);
        }
        if (report.problems.length > 0) {
          if (opts.json) process.exitCode = EXIT_USAGE;
          else
            throw new CliError(
              EXIT_USAGE,
              `${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} in ${opts.config}`,
            );
        }
      }, 'witan config check'),
    );
}
