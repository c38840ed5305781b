// Officer and operator commands that talk to a root: propose, vote, motions, motion, status,
// world, candidacy and keys rotate. Statements are signed locally with the governance key and
// only then sent; the root checks them against the rules and says why it refuses one.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { toBase64 } from '../codec/index.ts';
import { generateKeyPair, type KeyPair } from '../crypto/index.ts';
import { readKeyFile, writeKeyFile } from '../crypto/key-file.ts';
import {
  admitChange,
  type BallotChoice,
  ballot,
  type Change,
  type Member,
  motion,
  parseDescriptor,
  parsePolicy,
  proveKeyPossession,
  type SignedGenesis,
  type SignedStatement,
  type Statement,
  selfUpdate,
  signCandidate,
  signStatement,
  verifyWorldChain,
} from '../governance/index.ts';
import { CliError, EXIT_REJECTED, EXIT_STATE, usage } from './errors.ts';
import { readJsonFile } from './genesis.ts';
import {
  DESCRIPTOR_FILE_NAME,
  GOVERNANCE_KEY_FILE_NAME,
  NODE_KEY_FILE_NAME,
  readPassphraseFile,
} from './init.ts';
import { action, printJson, say } from './output.ts';
import { RootApi, type WorldResponse } from './root-api.ts';
import { EXPORT_FORMATS, exportZeroTier, parseExportFormat, parseVersion } from './world-export.ts';

export const DEFAULT_ROOT_URL = 'http://127.0.0.1:8480';

type Opts = Record<string, string | boolean | undefined>;

function client(opts: Opts): RootApi {
  return new RootApi(String(opts.root ?? DEFAULT_ROOT_URL));
}

function governanceKey(opts: Opts): KeyPair {
  const file = opts.governanceKey === undefined ? undefined : String(opts.governanceKey);
  if (file === undefined) throw usage('--governance-key <file> is required to sign');
  const passphrase = readPassphraseFile(opts.passphraseFile as string | undefined);
  return readKeyFile(file, passphrase === undefined ? {} : { passphrase });
}

/** The member whose governance key signs, the world in force, and the root's clock. */
async function signer(
  root: RootApi,
  key: KeyPair,
): Promise<{ me: Member; world: WorldResponse; nowMs: number }> {
  const [world, status] = await Promise.all([root.world(), root.status()]);
  const me = world.world.members.find((m) => m.governanceKey === toBase64(key.publicKey));
  if (me === undefined) {
    throw new CliError(
      EXIT_REJECTED,
      `this governance key belongs to no member of ${world.world.federation} (world v${world.version}); check --governance-key`,
    );
  }
  // Sign with the root's clock: statements are dated in ledger time, whatever this machine's clock says.
  return { me, world, nowMs: status.timeMs };
}

async function submit(root: RootApi, signed: SignedStatement): Promise<{ id: string; status: string }> {
  return root.submit(signed);
}

function withCommon(cmd: Command, signs: boolean): Command {
  cmd.option('--root <url>', 'a root of the federation', DEFAULT_ROOT_URL).option('--json', 'print JSON');
  if (signs) {
    cmd
      .option('--governance-key <file>', 'your governance key file')
      .option('--passphrase-file <file>', 'passphrase of an encrypted governance key');
  }
  return cmd;
}

async function proposeChanges(opts: Opts, changes: Change[], summary?: string): Promise<void> {
  const root = client(opts);
  const key = governanceKey(opts);
  const { me, world, nowMs } = await signer(root, key);
  const state = { world: world.world, worldHash: world.hash } as Parameters<typeof motion>[0];
  const statement = motion(state, me.name, changes, nowMs, summary === undefined ? {} : { summary });
  const result = await submit(root, signStatement(statement, key.secretKey));
  if (opts.json)
    return printJson({ ...result, kind: 'motion', author: me.name, deadlineMs: statement.deadlineMs });
  say(`Motion ${result.id}`);
  say(`  by ${me.name} against world v${world.version}, ${result.status}`);
  say(`  deadline ${new Date(statement.deadlineMs).toISOString()}`);
  say('Next: the other members vote with');
  say(`  witan vote ${result.id} yes --governance-key <file> --root ${root.baseUrl}`);
}

export function registerOfficer(program: Command): void {
  const propose = program
    .command('propose')
    .description('propose a change to the world (a motion), signed with your governance key');
  withCommon(
    propose
      .command('admit')
      .description('admit a new member from its candidacy file (witan candidacy)')
      .argument('<candidacy>', 'candidacy.json written by the candidate'),
    true,
  )
    .option('--summary <text>', 'one line for people: why')
    .addHelpText(
      'after',
      '\nExample:\n  $ witan propose admit epsilon-candidacy.json --governance-key gov.key --root http://127.0.0.1:8480',
    )
    .action(
      action(async (file: string, opts: Opts) => {
        const x = readJsonFile(file, 'candidacy') as { candidate?: unknown; candidateSignatures?: unknown };
        const candidate = parseDescriptor(x.candidate, 'candidate');
        const sigs = x.candidateSignatures as { governance: string; node: string } | undefined;
        if (sigs === undefined)
          throw usage(`${file} has no candidateSignatures: the candidate makes it with witan candidacy`);
        await proposeChanges(opts, [admitChange(candidate, sigs)], opts.summary as string | undefined);
      }),
    );
  withCommon(
    propose.command('remove').description('remove a member').argument('<member>', 'member name'),
    true,
  )
    .option('--summary <text>', 'one line for people: why')
    .action(
      action(async (member: string, opts: Opts) => {
        await proposeChanges(opts, [{ type: 'remove', member }], opts.summary as string | undefined);
      }),
    );
  withCommon(
    propose
      .command('update')
      .description("update a member's organisation, jurisdiction or endpoints")
      .argument('<member>', 'member name'),
    true,
  )
    .option('--organisation <org>')
    .option('--jurisdiction <CC>')
    .option('--http <urls>', 'comma-separated HTTP base URLs')
    .option('--p2p <addrs>', 'comma-separated multiaddrs')
    .option('--summary <text>', 'one line for people: why')
    .action(
      action(async (member: string, opts: Opts) => {
        const change: Change = { type: 'update-member', member };
        if (opts.organisation) change.organisation = String(opts.organisation);
        if (opts.jurisdiction) change.jurisdiction = String(opts.jurisdiction);
        if (opts.http || opts.p2p) {
          if (!opts.http || !opts.p2p) throw usage('give both --http and --p2p when changing endpoints');
          change.endpoints = { http: String(opts.http).split(','), p2p: String(opts.p2p).split(',') };
        }
        await proposeChanges(opts, [change], opts.summary as string | undefined);
      }),
    );
  withCommon(
    propose.command('policy').description('replace the policy').argument('<policy>', 'policy JSON file'),
    true,
  )
    .option('--summary <text>', 'one line for people: why')
    .action(
      action(async (file: string, opts: Opts) => {
        const policy = parsePolicy(readJsonFile(file, 'policy'));
        await proposeChanges(opts, [{ type: 'change-policy', policy }], opts.summary as string | undefined);
      }),
    );

  withCommon(
    program
      .command('vote')
      .description('cast your ballot on an open motion (a later ballot replaces yours)')
      .argument('<motion>', 'motion id')
      .argument('<choice>', 'yes, no or abstain'),
    true,
  )
    .option('--reason <text>', 'why, for the record')
    .addHelpText(
      'after',
      '\nExample:\n  $ witan vote 3f1c…e9 yes --governance-key gov.key --reason "meets the charter"',
    )
    .action(
      action(async (motionId: string, choice: string, opts: Opts) => {
        if (!['yes', 'no', 'abstain'].includes(choice))
          throw usage(`choice ${choice}: use yes, no or abstain`);
        if (!/^[0-9a-f]{64}$/.test(motionId)) throw usage(`motion ${motionId}: a motion id is 64 hex digits`);
        const root = client(opts);
        const key = governanceKey(opts);
        const { me, world, nowMs } = await signer(root, key);
        const s = ballot(
          world.world.federation,
          me.name,
          motionId,
          choice as BallotChoice,
          nowMs,
          opts.reason as string | undefined,
        );
        const result = await submit(root, signStatement(s, key.secretKey));
        if (opts.json)
          return printJson({ ...result, kind: 'ballot', author: me.name, motion: motionId, choice });
        say(
          `Ballot ${result.id}: ${me.name} votes ${choice} on ${motionId.slice(0, 16)}… (${result.status})`,
        );
      }),
    );

  withCommon(
    program.command('motions').description('open motions with tallies, and decided ones'),
    false,
  ).action(
    action(async (opts: Opts) => {
      const list = await client(opts).motions();
      if (opts.json) return printJson(list);
      say(`Open (${list.open.length}):`);
      for (const m of list.open) {
        const t = m.tally!;
        const kinds = (m.changes ?? []).map((c) => c.type).join('+');
        say(
          `  ${m.id.slice(0, 16)}  ${kinds.padEnd(14)} by ${m.author}  yes ${t.yes}/${t.needed} needed, no ${t.no}`,
        );
        say(`  ${' '.repeat(16)}  deadline ${new Date(m.deadlineMs!).toISOString()}`);
      }
      say(`Decided (${list.decided.length}):`);
      for (const m of list.decided)
        say(`  ${m.id.slice(0, 16)}  ${m.result}${m.reason ? ` — ${m.reason}` : ''}`);
    }),
  );

  withCommon(
    program.command('motion').description('one motion in full').argument('<id>', 'motion id'),
    false,
  ).action(
    action(async (id: string, opts: Opts) => {
      const m = await client(opts).motion(id);
      if (opts.json) return printJson(m);
      say(`Motion ${m.id} (${m.status})`);
      if (m.result) say(`  result: ${m.result}${m.reason ? ` — ${m.reason}` : ''}`);
      if (m.tally)
        say(
          `  tally: yes ${m.tally.yes}, no ${m.tally.no}, abstain ${m.tally.abstain}; ${m.tally.needed} yes needed of ${m.tally.eligible}`,
        );
      for (const [name, b] of Object.entries(m.ballots ?? {})) say(`  ${name.padEnd(20)} ${b.choice}`);
    }),
  );

  withCommon(
    program.command('status').description('this root and its view of every other root'),
    false,
  ).action(
    action(async (opts: Opts) => {
      const root = client(opts);
      const status = await root.status();
      const world = await root.world();
      const others = await Promise.all(
        world.world.members.map(async (m) => {
          const url = m.endpoints.http[0]!;
          try {
            const s = await new RootApi(url, { timeoutMs: 3000 }).status();
            return {
              name: m.name,
              status: m.status,
              url,
              reachable: true,
              height: s.height,
              size: s.ledger.size,
            };
          } catch {
            return { name: m.name, status: m.status, url, reachable: false };
          }
        }),
      );
      if (opts.json) return printJson({ root: status, members: others });
      say(
        `${status.member ?? '(not a member)'} @ ${root.baseUrl}: ${status.federation}, world v${status.worldVersion}`,
      );
      say(
        `  height ${status.height}, ledger size ${status.ledger.size}, pending ${status.pending}, peers ${status.peers.length}`,
      );
      say(`  checkpoint cosigned by ${status.ledger.checkpointCosigners.join(', ') || 'nobody yet'}`);
      for (const o of others) {
        const state = o.reachable ? `height ${o.height}, size ${o.size}` : 'UNREACHABLE';
        say(`  ${o.name.padEnd(16)} ${o.status.padEnd(10)} ${state}`);
      }
    }),
  );

  const world = program.command('world').description('the world: show, verify from genesis, export');
  withCommon(world.command('show').description('the world in force'), false).action(
    action(async (opts: Opts) => {
      const w = await client(opts).world();
      if (opts.json) return printJson(w);
      say(`${w.world.federation} world v${w.version} (${w.hash.slice(0, 16)}…)`);
      for (const m of w.world.members)
        say(`  ${m.name.padEnd(16)} ${m.status.padEnd(10)} ${m.jurisdiction}  ${m.organisation}`);
    }),
  );
  withCommon(
    world
      .command('verify')
      .description('walk the world chain from your pinned genesis, checking every quorum (exit 1 if not)')
      .requiredOption('--genesis <file>', 'the genesis you trust'),
    false,
  ).action(
    action(async (opts: Opts) => {
      const genesis = readJsonFile(String(opts.genesis), 'genesis') as SignedGenesis;
      const chain = await client(opts).worldChain();
      // Freshness is judged by this machine's clock: cosignatures carry wall-clock times, and
      // a root's own idea of the time is exactly what a client must not trust.
      const result = verifyWorldChain(genesis, chain.steps, {
        nowMs: Date.now(),
        ...(chain.head === null ? {} : { head: chain.head }),
      });
      if (opts.json) printJson(result);
      else if (result.ok)
        say(
          `verified: world v${result.world.version} (${result.worldHash.slice(0, 16)}…), ${chain.steps.length} steps from genesis`,
        );
      else say(`NOT verified at step ${result.step}: ${result.code}: ${result.message}`);
      if (!result.ok) process.exitCode = EXIT_REJECTED;
    }),
  );
  withCommon(
    world
      .command('export')
      .description(
        "the world chain as JSON, or a world's ZeroTier planet or moon as the file ZeroTier reads",
      ),
    false,
  )
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--format <format>', `${EXPORT_FORMATS.join(' | ')}`, 'chain')
    .option('--version <n>', 'the world version (zerotier formats; default: the newest signed)')
    .action(
      action(async (opts: Opts) => {
        const format = parseExportFormat(opts.format);
        if (format !== 'chain') {
          const type = format === 'zerotier-planet' ? 'planet' : 'moon';
          await exportZeroTier(
            client(opts),
            type,
            parseVersion(opts.version),
            opts.out as string | undefined,
          );
          return;
        }
        const chain = await client(opts).worldChain();
        if (opts.out) writeFileSync(String(opts.out), `${JSON.stringify(chain, null, 2)}\n`);
        else printJson(chain);
      }),
    );

  program
    .command('candidacy')
    .description("a candidate's proof that it holds its keys, to hand to the officer who proposes it")
    .requiredOption('--federation <name>', 'the federation to join')
    .option('--dir <folder>', 'data folder written by witan init', './witan-data')
    .option('--governance-key <file>', 'governance key (default: in the data folder)')
    .option('--passphrase-file <file>', 'passphrase of an encrypted governance key')
    .option('--out <file>', 'where to write it (default: <dir>/candidacy.json)')
    .action(
      action((opts: Opts) => {
        const dir = String(opts.dir);
        const candidate = parseDescriptor(
          readJsonFile(join(dir, DESCRIPTOR_FILE_NAME), 'descriptor'),
          'descriptor',
        );
        const gov = governanceKey({
          ...opts,
          governanceKey: opts.governanceKey ?? join(dir, GOVERNANCE_KEY_FILE_NAME),
        });
        const node = readKeyFile(join(dir, NODE_KEY_FILE_NAME));
        const candidateSignatures = signCandidate(
          String(opts.federation),
          candidate,
          gov.secretKey,
          node.secretKey,
        );
        const out = String(opts.out ?? join(dir, 'candidacy.json'));
        writeFileSync(out, `${JSON.stringify({ candidate, candidateSignatures }, null, 2)}\n`);
        say(`Wrote ${out}: hand it to a member's officer, who runs  witan propose admit ${out}`);
      }),
    );

  const keys = program.command('keys').description('key management');
  withCommon(
    keys
      .command('rotate')
      .description("replace this root's node key with a self-service statement signed by the governance key")
      .option('--dir <folder>', 'data folder of the root', './witan-data'),
    true,
  ).action(
    action(async (opts: Opts) => {
      const root = client(opts);
      const key = governanceKey(opts);
      const { me, world, nowMs } = await signer(root, key);
      const next = join(String(opts.dir), `${NODE_KEY_FILE_NAME}.next`);
      if (existsSync(next))
        throw new CliError(EXIT_STATE, `${next} exists: a rotation is already in progress`);
      const pair = generateKeyPair();
      writeKeyFile(next, pair, { kind: 'node' });
      const proof = proveKeyPossession(world.world.federation, me.name, 'node', pair.secretKey);
      const s = selfUpdate(world.world.federation, me.name, nowMs, { nodeKey: proof });
      const result = await submit(root, signStatement(s as Statement, key.secretKey));
      if (opts.json) return printJson({ ...result, nextKeyFile: next });
      say(
        `Rotation ${result.id} submitted. Once committed, stop the root, move ${next} to ${NODE_KEY_FILE_NAME}, start it.`,
      );
    }),
  );
}
