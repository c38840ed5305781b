// `witan genesis`: the founding ceremony across separate machines. One founder assembles the
// members' descriptors into a draft; each founder signs it with their governance key (in turn
// on one file, or in parallel on copies that `combine` merges); `verify` says whether it is
// complete. A genesis is valid only with every founder's signature.

import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { toBase64 } from '../codec/index.ts';
import { readKeyFile } from '../crypto/key-file.ts';
import {
  assembleGenesisWorld,
  checkGenesis,
  DEFAULT_POLICY,
  type GenesisSignature,
  GovernanceError,
  genesisSigningBytes,
  type MemberDescriptor,
  nonPublicEndpoint,
  type Policy,
  parseDescriptor,
  parsePolicy,
  parseWorld,
  privateEndpointsAllowed,
  type SignedGenesis,
  scopeWords,
  signGenesis,
  type World,
  worldHash,
} from '../governance/index.ts';
import { verifyB64 } from '../governance/statements.ts';
import { CliError, EXIT_REJECTED, usage } from './errors.ts';
import { readPassphraseFile } from './init.ts';
import { action, printJson, say } from './output.ts';

export const JSON_FILE_BYTES_MAX = 4 * 1024 * 1024;

export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw usage(`cannot read ${what} ${path} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  if (text.length > JSON_FILE_BYTES_MAX) throw usage(`${path} is larger than ${JSON_FILE_BYTES_MAX} bytes`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usage(`${path} is not JSON: ${(err as Error).message}`);
  }
}

/** A draft is a genesis with any subset of the founders' signatures. */
export function readDraft(path: string): { world: World; signatures: GenesisSignature[] } {
  const x = readJsonFile(path, 'genesis draft') as { world?: unknown; signatures?: unknown };
  let world: World;
  try {
    world = parseWorld(x.world, 'genesis.world');
  } catch (err) {
    throw usage(`${path}: ${(err as Error).message}`);
  }
  checkEndpoints(world.members, world.policy, (i) => `${path}: genesis.world.members[${i}].endpoints`);
  const signatures = Array.isArray(x.signatures) ? (x.signatures as GenesisSignature[]) : [];
  return { world, signatures };
}

/**
 * Founders' endpoints must be public unless the policy allows others (charter §8): said before
 * anything is written or signed, naming the member and the endpoint (exit 3).
 */
export function checkEndpoints(
  members: readonly Pick<MemberDescriptor, 'name' | 'endpoints'>[],
  policy: Policy,
  where: (index: number) => string,
): void {
  if (privateEndpointsAllowed(policy)) return;
  for (const [i, m] of members.entries()) {
    const found = nonPublicEndpoint([...m.endpoints.p2p, ...m.endpoints.http]);
    if (found !== undefined) {
      throw usage(
        `${where(i)}: ${m.name} announces ${found.endpoint}, ${scopeWords(found.scope)}; the policy does not allow private endpoints (set privateEndpointsAllowed, or assemble with --allow-private-endpoints, only for a federation on one machine or private network)`,
      );
    }
  }
}

function sortSignatures(sigs: GenesisSignature[]): GenesisSignature[] {
  const byMember = new Map<string, GenesisSignature>();
  for (const s of sigs) byMember.set(s.member, s);
  return [...byMember.values()].sort((a, b) => (a.member < b.member ? -1 : 1));
}

export function assembleDraft(
  federation: string,
  descriptorFiles: string[],
  policyFile?: string,
  allowPrivateEndpoints = false,
): SignedGenesis {
  const descriptors = descriptorFiles.map((f) => {
    try {
      return parseDescriptor(readJsonFile(f, 'member descriptor'), f);
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw usage(`${f}: ${(err as Error).message}`);
    }
  });
  const read = policyFile === undefined ? DEFAULT_POLICY : readPolicy(policyFile);
  const policy: Policy = allowPrivateEndpoints ? { ...read, privateEndpointsAllowed: true } : read;
  checkEndpoints(descriptors, policy, (i) => `${descriptorFiles[i]}: endpoints`);
  try {
    return { world: assembleGenesisWorld(federation, descriptors, policy), signatures: [] };
  } catch (err) {
    if (err instanceof GovernanceError) throw new CliError(EXIT_REJECTED, err.message);
    throw err;
  }
}

function readPolicy(file: string): Policy {
  try {
    return parsePolicy(readJsonFile(file, 'policy'));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw usage(`${file}: ${(err as Error).message}`);
  }
}

/** Adds the signature of the founder whose governance key this is. */
export function signDraft(
  draft: { world: World; signatures: GenesisSignature[] },
  keyFile: string,
  passphrase?: string,
): { draft: SignedGenesis; member: string } {
  const key = readKeyFile(keyFile, passphrase === undefined ? {} : { passphrase });
  const me = draft.world.members.find((m) => m.governanceKey === toBase64(key.publicKey));
  if (me === undefined) {
    throw new CliError(
      EXIT_REJECTED,
      `the key in ${keyFile} is not the governance key of any founder in this draft; check you picked your governance key (not the node key)`,
    );
  }
  const signatures = sortSignatures([...draft.signatures, signGenesis(draft.world, me.name, key.secretKey)]);
  return { draft: { world: draft.world, signatures }, member: me.name };
}

/** Which founders have signed correctly, which have not, and whether the genesis is valid. */
export function draftStatus(draft: { world: World; signatures: GenesisSignature[] }) {
  const bytes = genesisSigningBytes(draft.world);
  const signed: string[] = [];
  const bad: string[] = [];
  for (const m of draft.world.members) {
    const s = draft.signatures.find((x) => x.member === m.name);
    if (s === undefined) continue;
    (verifyB64(m.governanceKey, bytes, s.signature) ? signed : bad).push(m.name);
  }
  const missing = draft.world.members
    .map((m) => m.name)
    .filter((n) => !signed.includes(n) && !bad.includes(n));
  let valid = false;
  let problem: string | null = null;
  try {
    checkGenesis(draft);
    valid = true;
  } catch (err) {
    problem = (err as Error).message;
  }
  return {
    valid,
    worldHash: worldHash(draft.world),
    federation: draft.world.federation,
    signed,
    missing,
    bad,
    problem,
  };
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

export function registerGenesis(program: Command): void {
  const genesis = program
    .command('genesis')
    .description('the founding ceremony: assemble, sign, combine and verify the genesis world')
    .addHelpText(
      'after',
      `
Example, with three founders on their own machines:
  $ witan genesis assemble --federation roots.example.org \\
      --out draft.json alpha.json beta.json gamma.json
  $ witan genesis sign draft.json --governance-key /media/usb/gov.key
    (each founder signs in turn, or signs a copy; then:)
  $ witan genesis combine copy-a.json copy-b.json copy-c.json --out genesis.json
  $ witan genesis verify genesis.json`,
    );

  genesis
    .command('assemble')
    .description("put the founders' member descriptors into a draft genesis")
    .argument('<descriptors...>', 'member.json files written by witan init')
    .requiredOption('--federation <name>', 'federation name, e.g. roots.example.org')
    .option('--policy <file>', 'policy JSON (default: governance/policy.md defaults)')
    .option(
      '--allow-private-endpoints',
      'let founders announce loopback, private or link-local endpoints (one machine or a private network)',
    )
    .requiredOption('--out <file>', 'where to write the draft')
    .action(
      action(
        (
          descriptors: string[],
          opts: { federation: string; policy?: string; out: string; allowPrivateEndpoints?: boolean },
        ) => {
          const draft = assembleDraft(
            opts.federation,
            descriptors,
            opts.policy,
            opts.allowPrivateEndpoints === true,
          );
          writeJson(opts.out, draft);
          say(
            `Wrote ${opts.out}: ${draft.world.members.length} founders, world ${worldHash(draft.world).slice(0, 16)}…`,
          );
          say(`Next: every founder runs  witan genesis sign ${opts.out} --governance-key <file>`);
        },
      ),
    );

  genesis
    .command('sign')
    .description('sign a draft genesis with your governance key (adds your signature)')
    .argument('<draft>', 'draft genesis file')
    .requiredOption('--governance-key <file>', 'your governance key file')
    .option('--passphrase-file <file>', 'passphrase of an encrypted governance key')
    .option('--out <file>', 'write here instead of updating the draft in place')
    .action(
      action((file: string, opts: { governanceKey: string; passphraseFile?: string; out?: string }) => {
        const { draft, member } = signDraft(
          readDraft(file),
          opts.governanceKey,
          readPassphraseFile(opts.passphraseFile),
        );
        writeJson(opts.out ?? file, draft);
        const status = draftStatus(draft);
        say(
          `Signed as ${member}. Still missing: ${status.missing.join(', ') || 'nobody — the genesis is complete'}`,
        );
      }),
    );

  genesis
    .command('combine')
    .description('merge copies of one draft signed by different founders')
    .argument('<drafts...>', 'signed copies of the same draft')
    .requiredOption('--out <file>', 'where to write the merged genesis')
    .action(
      action((files: string[], opts: { out: string }) => {
        const drafts = files.map(readDraft);
        const hash = worldHash(drafts[0]!.world);
        for (const [i, d] of drafts.entries()) {
          if (worldHash(d.world) !== hash) {
            throw new CliError(
              EXIT_REJECTED,
              `${files[i]} is a different draft (world ${worldHash(d.world)} ≠ ${hash})`,
            );
          }
        }
        const merged = {
          world: drafts[0]!.world,
          signatures: sortSignatures(drafts.flatMap((d) => d.signatures)),
        };
        writeJson(opts.out, merged);
        const status = draftStatus(merged);
        say(
          `Wrote ${opts.out}. Missing: ${status.missing.join(', ') || 'nobody'}${status.valid ? ' — valid genesis' : ''}`,
        );
      }),
    );

  genesis
    .command('verify')
    .description('check a genesis: every founder signed, every rule holds (exit 1 if not)')
    .argument('<file>', 'genesis file')
    .option('--json', 'print the result as JSON')
    .action(
      action((file: string, opts: { json?: boolean }) => {
        const status = draftStatus(readDraft(file));
        if (opts.json) printJson(status);
        else {
          say(`federation  ${status.federation}`);
          say(`world hash  ${status.worldHash}`);
          say(`signed      ${status.signed.join(', ') || '-'}`);
          if (status.missing.length > 0) say(`missing     ${status.missing.join(', ')}`);
          if (status.bad.length > 0) say(`BAD         ${status.bad.join(', ')}`);
          say(
            status.valid
              ? 'valid: every founder signed and every rule holds'
              : `NOT valid: ${status.problem}`,
          );
        }
        if (!status.valid) process.exitCode = EXIT_REJECTED;
      }),
    );
}
