// Officer and operator commands that talk to a root: propose, vote, motions, motion, status,
// world, candidacy and keys rotate. Statements are signed locally with the governance key and
// only then sent; the root checks them against the rules and says why it refuses one.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { outcomeWords } from '../api/outcome-words.ts';
import { toBase64 } from '../codec/index.ts';
import { generateKeyPair, type KeyPair } from '../crypto/index.ts';
import { readKeyFile, writeKeyFile } from '../crypto/key-file.ts';
import {
  admitChange,
  type BallotChoice,
  ballot,
  type Change,
  type Endpoints,
  type Member,
  motion,
  parseDescriptor,
  parseHttpEndpoint,
  parseP2pEndpoint,
  parsePolicy,
  proveKeyPossession,
  SHORT_ID_HEX_MIN,
  ShapeError,
  type SignedGenesis,
  type SignedStatement,
  type Statement,
  selfUpdate,
  signCandidate,
  signStatement,
  verifyWorldChain,
} from '../governance/index.ts';
import { CliError, EXIT_REJECTED, EXIT_STATE, EXIT_UNAVAILABLE, usage } from './errors.ts';
import { exitCodeForVerdict } from './exit-codes.ts';
import { checkEndpoints, readJsonFile } from './genesis.ts';
import {
  DESCRIPTOR_FILE_NAME,
  GOVERNANCE_KEY_FILE_NAME,
  NODE_KEY_FILE_NAME,
  readPassphraseFile,
} from './init.ts';
import { motionLines, motionListLines } from './motion-words.ts';
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

/** A motion id as typed: the whole id or at least SHORT_ID_HEX_MIN hex digits of it. */
function motionIdArgument(given: string): string {
  const id = given.toLowerCase();
  if (!new RegExp(`^[0-9a-f]{${SHORT_ID_HEX_MIN},64}$`).test(id))
    throw usage(
      `motion ${given}: give its id, or at least ${SHORT_ID_HEX_MIN} hex digits of it (witan motions shows them)`,
    );
  return id;
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

/** --http and --p2p lists, each endpoint read as the world reads it (exit 3 naming the one at fault). */
function endpointsOption(http: string, p2p: string): Endpoints {
  try {
    return {
      http: http.split(',').map((u, i) => parseHttpEndpoint(u.trim(), `--http[${i}] ${u.trim()}`)),
      p2p: p2p.split(',').map((a, i) => parseP2pEndpoint(a.trim(), `--p2p[${i}] ${a.trim()}`)),
    };
  } catch (err) {
    if (err instanceof ShapeError) throw usage(err.message);
    throw err;
  }
}

async function proposeChanges(
  opts: Opts,
  changes: Change[],
  summary?: string,
  check?: (world: WorldResponse['world']) => void,
): Promise<void> {
  const root = client(opts);
  const key = governanceKey(opts);
  const { me, world, nowMs } = await signer(root, key);
  check?.(world.world);
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
      .command('reinstate')
      .description('bring a suspended member back (in probation, charter §14)')
      .argument('<member>', 'member name'),
    true,
  )
    .option('--summary <text>', 'one line for people: why')
    .action(
      action(async (member: string, opts: Opts) => {
        await proposeChanges(opts, [{ type: 'reinstate', member }], opts.summary as string | undefined);
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
          change.endpoints = endpointsOption(String(opts.http), String(opts.p2p));
        }
        await proposeChanges(opts, [change], opts.summary as string | undefined, (world) => {
          if (change.endpoints === undefined) return;
          // The rules would refuse it at the root (ENDPOINT_NOT_PUBLIC); say so before signing.
          const held = world.members.find((m) => m.name === member)?.endpoints;
          const added = {
            http: change.endpoints.http.filter((e) => !held?.http.includes(e)),
            p2p: change.endpoints.p2p.filter((e) => !held?.p2p.includes(e)),
          };
          checkEndpoints([{ name: member, endpoints: added }], world.policy, () => '--http/--p2p');
        });
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
      '\nExample:\n  $ witan vote 3f1c2a9b yes --governance-key gov.key --reason "meets the charter"',
    )
    .action(
      action(async (given: string, choice: string, opts: Opts) => {
        if (!['yes', 'no', 'abstain'].includes(choice))
          throw usage(`choice ${choice}: use yes, no or abstain`);
        const root = client(opts);
        // The ballot names the motion's full id: a short one is looked up first, and a motion
        // already decided is reported as such, without asking for the key or signing anything.
        const m = await root.motion(motionIdArgument(given));
        if (m.status === 'decided') {
          throw new CliError(
            EXIT_REJECTED,
            `motion ${m.shortId} was already decided: ${outcomeWords(m)}; your ballot was not sent [MOTION_DECIDED]`,
          );
        }
        const key = governanceKey(opts);
        const { me, world, nowMs } = await signer(root, key);
        const s = ballot(
          world.world.federation,
          me.name,
          m.id,
          choice as BallotChoice,
          nowMs,
          opts.reason as string | undefined,
        );
        const result = await submit(root, signStatement(s, key.secretKey));
        if (opts.json) return printJson({ ...result, kind: 'ballot', author: me.name, motion: m.id, choice });
        const about = m.summary === undefined ? '' : ` (${m.summary})`;
        say(
          `Ballot ${result.id.slice(0, 16)}…: ${me.name} votes ${choice} on ${m.shortId}${about}, ${result.status}`,
        );
      }),
    );

  withCommon(
    program.command('motions').description('open motions with tallies and deadlines, and decided ones'),
    false,
  ).action(
    action(async (opts: Opts) => {
      const root = client(opts);
      const [list, status] = await Promise.all([root.motions(), root.status()]);
      if (opts.json) return printJson(list);
      say(`Open motions (${list.open.length}):`);
      for (const m of list.open) for (const line of motionListLines(m, status.timeMs)) say(line);
      say(`Decided (${list.decided.length}), newest first:`);
      for (const m of list.decided) for (const line of motionListLines(m, status.timeMs)) say(line);
      if (list.open.length > 0)
        say(`Next: witan motion <id> shows one in full; witan vote <id> yes|no|abstain`);
    }),
  );

  withCommon(
    program
      .command('motion')
      .description('one motion in full: its changes, ballots and reasons, tally, how it was decided')
      .argument('<id>', 'motion id, or at least 8 hex digits of it (as witan motions shows)'),
    false,
  ).action(
    action(async (given: string, opts: Opts) => {
      const root = client(opts);
      const [m, status] = await Promise.all([root.motion(motionIdArgument(given)), root.status()]);
      if (opts.json) return printJson(m);
      for (const line of motionLines(m, status.timeMs)) say(line);
    }),
  );

  withCommon(
    program
      .command('status')
      .description("this root's verdict and its view of every other root (exit 0 only when healthy)")
      .addHelpText(
        'after',
        `
The verdict is the root's own (the same as GET /ready):
  healthy    exit 0   a quorum reachable, commits flowing
  degraded   exit 5   commits flow, but a validator is unreachable or rounds climb
  behind     exit 6   the root is catching up with its peers
  stalled    exit 7   nothing commits: no quorum reachable, or statements wait too long
  (exit 2: the root could not be reached)`,
      ),
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
            const s = await new RootApi(url, { timeoutMs: 3000, attemptsMax: 1 }).status();
            return {
              name: m.name,
              status: m.status,
              url,
              reachable: true,
              height: s.height,
              size: s.ledger.size,
              verdict: s.health?.verdict ?? 'verdict unknown',
            };
          } catch {
            return { name: m.name, status: m.status, url, reachable: false };
          }
        }),
      );
      if (status.health === undefined)
        throw new CliError(
          EXIT_UNAVAILABLE,
          `the root at ${root.baseUrl} runs a release that gives no verdict; upgrade it (or ask another root)`,
        );
      const { verdict, reasons } = status.health;
      process.exitCode = exitCodeForVerdict(verdict);
      if (opts.json) return printJson({ verdict, reasons, root: status, members: others });
      say(
        `${verdict.toUpperCase()}${reasons.length > 0 ? `: ${reasons.map((r) => r.message).join('; ')}` : ''}`,
      );
      say(
        `${status.member ?? '(not a member)'} @ ${root.baseUrl}: ${status.federation}, world v${status.worldVersion}, witan ${status.version}`,
      );
      say(
        `  height ${status.height} (deciding ${status.consensus.height}, round ${status.consensus.round}), ledger size ${status.ledger.size}, pending ${status.pending}, peers ${status.peers.length}`,
      );
      say(`  checkpoint cosigned by ${status.ledger.checkpointCosigners.join(', ') || 'nobody yet'}`);
      for (const o of others) {
        const state = o.reachable ? `height ${o.height}, size ${o.size}, ${o.verdict}` : 'UNREACHABLE';
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
      for (const m of w.world.members) {
        say(`  ${m.name.padEnd(16)} ${m.status.padEnd(10)} ${m.jurisdiction}  ${m.organisation}`);
        // A notice (charter §21): its root fell below a duty's minimum; a motion follows the grace.
        if (m.notice !== undefined)
          say(
            `  ${''.padEnd(16)} notice: below on ${m.notice.duties.join(', ')} since duty epoch ${m.notice.epoch}`,
          );
      }
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
    .option('--version <n>', 'the world version that made it (zerotier formats; default: the newest signed)')
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
