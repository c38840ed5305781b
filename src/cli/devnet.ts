// `witan devnet`: the README's main job. A whole federation on this machine, from nothing:
// N members are created (each with a ZeroTier root identity, generated as ZeroTier does), found
// the federation in a genesis ceremony, run their roots as separate processes, make the
// federation key by DKG, admit a fifth institution by motion and ballots, watch it finish
// probation in devnet time (and the key rotate to the new voting members), and let two overlay
// peers meet through a root's rendezvous and talk through its relay. Then it stays up,
// printing what to try, until Ctrl-C.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { outcomeWords } from '../api/outcome-words.ts';
import type { MotionView } from '../api/root-view.ts';
import { COSIGNATURE_V1_TYPE, generateKeyPair, vkeyString } from '../crypto/index.ts';
import { readKeyFile, writeKeyFile } from '../crypto/key-file.ts';
import {
  admitChange,
  ballot,
  DEFAULT_DUTY_POLICY,
  DEFAULT_FEDERATION_KEY_POLICY,
  DEFAULT_POLICY,
  motion,
  type Policy,
  parseDescriptor,
  type SignedGenesis,
  type SignedStatement,
  signCandidate,
  signStatement,
  type ZeroTierRoot,
} from '../governance/index.ts';
import { DEVNET_CLOCK_ENV, DEVNET_CLOCK_RATE_MAX } from '../node/clock.ts';
import { createOverlayClient } from '../overlay/index.ts';
import { formatIdentity, generateIdentity } from '../zerotier/index.ts';
import { sayComposeNext, writeComposeFederation } from './compose.ts';
import { CliError, EXIT_UNAVAILABLE, usage } from './errors.ts';
import {
  createLocalMember,
  foundFederation,
  type LocalMember,
  MEMBER_COUNTRIES,
  MEMBER_ORGANISATIONS,
} from './federation.ts';
import { DESCRIPTOR_FILE_NAME, GOVERNANCE_KEY_FILE_NAME, NODE_KEY_FILE_NAME } from './init.ts';
import { action, say } from './output.ts';
import { RootApi, type WorldResponse } from './root-api.ts';
import { type RootProcess, spawnRoot, stopRoot, waitHealthy } from './root-processes.ts';

export const DEVNET_MEMBERS_MAX = 16;
/** Devnet time runs this much faster than wall time: a one-day probation takes 24 s. */
export const DEVNET_CLOCK_RATE = 3600;
/** Longest wait for any one step of the story before it is reported as stuck. */
export const STORY_STEP_TIMEOUT_MS = 90_000;

const HALF = { num: 1, den: 2 };

/** The devnet planet's world id ("wita"), and its moon's. */
export const DEVNET_PLANET_ID = '2003789409';
export const DEVNET_MOON_ID = '2003789410';

/**
 * Short durations so the story fits in minutes of devnet time; still within the policy floors.
 * A DKG phase may take two devnet days (48 s of wall time): roots that start a little late
 * still take part. Four planet roots; a fifth member's root goes into the moon.
 */
export const DEVNET_POLICY: Policy = {
  ...DEFAULT_POLICY,
  probationPeriodMs: 24 * 3600 * 1000,
  epochMs: 24 * 3600 * 1000,
  checkpointFreshnessMs: 30 * 24 * 3600 * 1000,
  // Roots on one loaded machine start seconds apart, and a devnet second is an hour: half the
  // probes must work, so a root that is down gets its notice and one that started late does not.
  // A week-long duty epoch (minutes of devnet time) keeps the reports from crowding the story.
  duties: {
    ...DEFAULT_DUTY_POLICY,
    epochMs: 7 * 24 * 3600 * 1000,
    successMin: { http: HALF, p2p: HALF, relay: HALF, rendezvous: HALF },
  },
  federationKey: { ...DEFAULT_FEDERATION_KEY_POLICY, phaseMs: 2 * 24 * 3600 * 1000 },
  zerotier: { worldId: DEVNET_PLANET_ID, planetRootsMax: 4, moonWorldId: DEVNET_MOON_ID },
};

/** A member's ZeroTier identity files, written as ZeroTier writes them (identity.secret is 0600). */
export const ZEROTIER_SECRET_FILE = 'identity.secret';
export const ZEROTIER_PUBLIC_FILE = 'identity.public';

/**
 * A ZeroTier root identity for member i, generated as ZeroTier generates them, and its
 * endpoint: the devnet runs no ZeroTier root daemon, so the endpoints are documentation
 * addresses (RFC 5737 TEST-NET-1), one per member — the planets are real, the roots are not.
 */
function zeroTierRootFor(base: string, i: number): ZeroTierRoot {
  const identity = generateIdentity();
  const dir = join(base, 'zerotier', String(i));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, ZEROTIER_SECRET_FILE), formatIdentity(identity, true), { mode: 0o600 });
  writeFileSync(join(dir, ZEROTIER_PUBLIC_FILE), formatIdentity(identity));
  return { identity: formatIdentity(identity), endpoints: [`192.0.2.${i + 1}/9993`] };
}

interface Member extends LocalMember {
  root?: RootProcess;
}

/** "12 s": wall time since `startMs`, for the story's slow steps. */
function seconds(startMs: number): string {
  return `${Math.round((Date.now() - startMs) / 1000)} s`;
}

function step(text: string): void {
  say(`\n▸ ${text}`);
}

function done(text: string): void {
  say(`  ✓ ${text}`);
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = STORY_STEP_TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const spinner = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let i = 0;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) {
      if (process.stdout.isTTY) process.stdout.write('\r\x1b[K');
      return value;
    }
    if (process.stdout.isTTY) process.stdout.write(`\r  ${spinner[i++ % spinner.length]} ${what}…`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new CliError(
    EXIT_UNAVAILABLE,
    `devnet: gave up waiting for ${what} after ${timeoutMs / 1000} s; see the root.log files`,
  );
}

/** Key name of the devnet's outside witness (an auditor every devnet root trusts). */
export const DEVNET_WITNESS_NAME = 'devnet-auditor';
export const DEVNET_WITNESS_KEY_FILE = 'witness.key';

/** A witness key for `witan audit --witness-key`, and the vkey the roots are told to trust. */
function createWitness(base: string): string {
  const pair = generateKeyPair();
  writeKeyFile(join(base, DEVNET_WITNESS_KEY_FILE), pair, { kind: 'node' });
  return vkeyString(DEVNET_WITNESS_NAME, COSIGNATURE_V1_TYPE, pair.publicKey);
}

function createMember(base: string, i: number, witnesses: string[]): Promise<Member> {
  return createLocalMember(base, i, { witnesses, zerotier: zeroTierRootFor(base, i) });
}

async function startRoot(m: Member, env: NodeJS.ProcessEnv): Promise<void> {
  m.root = spawnRoot({ name: m.name, dir: m.dir, httpUrl: m.httpUrl, env });
  await waitHealthy(m.root);
}

/** Devnet polls a root until it shows what is awaited: each look is short. */
const POLL_TIMEOUT_MS = 2000;

async function worldOf(m: Member): Promise<WorldResponse> {
  return new RootApi(m.httpUrl, { timeoutMs: POLL_TIMEOUT_MS }).world();
}

/** Waits until every root serves a world whose federation key `accept` takes; returns it. */
async function federationKey(
  members: readonly Member[],
  what: string,
  accept: (w: WorldResponse) => boolean,
): Promise<WorldResponse> {
  return until(what, async () => {
    const worlds = await Promise.all(members.map(worldOf));
    const ok = worlds.every((w) => w.hash === worlds[0]!.hash && accept(w));
    return ok ? worlds[0] : undefined;
  });
}

async function submitAs(
  m: Member,
  build: (nowMs: number, world: WorldResponse) => Parameters<typeof signStatement>[0],
): Promise<string> {
  const client = new RootApi(m.httpUrl);
  const status = await client.status();
  const world = await worldOf(m);
  const key = readKeyFile(join(m.dir, GOVERNANCE_KEY_FILE_NAME));
  const signed: SignedStatement = signStatement(build(status.timeMs, world), key.secretKey);
  return (await client.submit(signed)).id;
}

async function motionAt(m: Member, id: string): Promise<MotionView> {
  return new RootApi(m.httpUrl, { timeoutMs: POLL_TIMEOUT_MS }).motion(id);
}

/** How long a refused ballot waits for its root to decide the motion before the refusal stands. */
const LATE_BALLOT_DECISION_WAIT_MS = 30_000;

/**
 * `m` votes yes at its own root, and says what happened. With four members the motion passes
 * on the third yes, so a later ballot may find it decided — before it is signed, at the root
 * (409 MOTION_DECIDED), or while the deciding ballot is still pending there (the root refuses a
 * ballot the pending batch would leave without an open motion) — and in every case the story
 * waits until the root has decided it, says so and goes on, whichever ballot decided.
 */
async function voteYes(m: Member, federation: string, motionId: string): Promise<string> {
  const late = (v: MotionView) =>
    v.status === 'decided'
      ? `${m.name}'s ballot is not needed: the motion already ${outcomeWords(v)}`
      : undefined;
  const before = late(await motionAt(m, motionId));
  if (before !== undefined) return before;
  try {
    await submitAs(m, (now) => ballot(federation, m.name, motionId, 'yes', now, 'meets the charter'));
    return `${m.name} votes yes (at its own root)`;
  } catch (err) {
    // Refused: the motion is decided, or about to be by ballots already pending at that root.
    const after = await until(
      `${m.name}'s root to decide the motion`,
      async () => late(await motionAt(m, motionId)),
      LATE_BALLOT_DECISION_WAIT_MS,
    ).catch(() => undefined);
    if (after === undefined) throw err;
    return after;
  }
}

export interface DevnetOptions {
  members: number;
  dir?: string;
  keep: boolean;
  /** Stop after the story instead of waiting for Ctrl-C (tests). */
  exitAfterStory: boolean;
  /** How much faster than wall time devnet time runs (DEVNET_CLOCK_RATE unless given). */
  clockRate?: number;
}

/** The founders: the story admits one more member, so one name stays free. */
function checkMembers(members: number): void {
  if (!Number.isInteger(members) || members < 1 || members > DEVNET_MEMBERS_MAX - 1) {
    throw usage(`--members ${members}: use 1..${DEVNET_MEMBERS_MAX - 1}`);
  }
}

export async function runDevnet(o: DevnetOptions): Promise<void> {
  checkMembers(o.members);
  const rate = o.clockRate ?? DEVNET_CLOCK_RATE;
  if (!Number.isInteger(rate) || rate < 1 || rate > DEVNET_CLOCK_RATE_MAX) {
    throw usage(`--clock-rate ${rate}: use a whole number 1..${DEVNET_CLOCK_RATE_MAX}`);
  }
  const base = o.dir === undefined ? mkdtempSync(join(tmpdir(), 'witan-devnet-')) : resolve(o.dir);
  const env = {
    [DEVNET_CLOCK_ENV]: `${Date.now()}:${rate}`,
    WITAN_LOG_LEVEL: process.env.WITAN_DEVNET_LOG ?? 'info',
  };
  const members: Member[] = [];
  mkdirSync(base, { recursive: true, mode: 0o700 });
  const witnesses = [createWitness(base)];
  const peers: { stop(): Promise<void> }[] = [];
  let stopping: Promise<void> | undefined;
  const shutdown = async () => {
    stopping ??= (async () => {
      step('Stopping every root cleanly');
      await Promise.all(peers.map((p) => p.stop().catch(() => undefined)));
      await Promise.all(members.map((m) => (m.root ? stopRoot(m.root) : undefined)));
      if (!o.keep && o.dir === undefined) rmSync(base, { recursive: true, force: true });
      done(
        o.keep || o.dir !== undefined ? `stopped; data kept in ${base}` : 'stopped; devnet folder removed',
      );
    })();
    return stopping;
  };
  process.once('SIGINT', () => void shutdown().then(() => process.exit(0)));
  process.once('SIGTERM', () => void shutdown().then(() => process.exit(0)));
  try {
    say(
      `Witan devnet: ${o.members} institutions found a federation on this machine (devnet time runs ${rate}× faster).`,
    );
    say(`Folder: ${base}`);

    step(
      `Creating ${o.members} members: data folders, node keys, governance keys, ML-DSA-44 keys, ZeroTier root identities`,
    );
    const created = Date.now();
    for (let i = 0; i < o.members; i++) {
      members.push(await createMember(base, i, witnesses));
      done(`${members[i]!.name} (${MEMBER_ORGANISATIONS[i]}, ${MEMBER_COUNTRIES[i]})`);
    }
    done(`${o.members} members created (${seconds(created)})`);

    step('Genesis ceremony: assemble the descriptors, every founder signs');
    const federation = 'devnet.witan.test';
    foundFederation({
      base,
      federation,
      members,
      policy: DEVNET_POLICY,
      onSigned: (name) => done(`${name} signed`),
    });

    step('Starting the roots, one process each');
    await Promise.all(members.map((m) => startRoot(m, env)));
    for (const m of members) done(`${m.name} at ${m.httpUrl}`);
    await until('the genesis checkpoint cosigned by a quorum', async () => {
      const texts = await Promise.all(
        members.map((m) => new RootApi(m.httpUrl, { timeoutMs: POLL_TIMEOUT_MS }).checkpoint()),
      );
      return texts.every((t) => t.includes('\n—')) ? true : undefined;
    });
    done('genesis committed: every root serves a quorum-cosigned checkpoint');

    step(
      'The roots make the federation key by DKG: commitments, sealed shares, confirmations, all in the ledger',
    );
    const dkgStarted = Date.now();
    const keyed = await federationKey(
      members,
      'the federation key in the world',
      (w) => w.world.federationKey !== undefined,
    );
    const firstKey = keyed.world.federationKey!;
    done(
      `world v${keyed.version}: federation key ${firstKey.publicKey.slice(0, 12)}… (${firstKey.threshold} of ${firstKey.participants.length}); no root holds it whole (${seconds(dkgStarted)})`,
    );

    const newcomer = await createMember(base, o.members, witnesses);
    step(
      `${members[0]!.name}'s officer proposes admitting ${newcomer.name} (${MEMBER_ORGANISATIONS[o.members]})`,
    );
    const candidate = parseDescriptor(
      JSON.parse(readFileSync(join(newcomer.dir, DESCRIPTOR_FILE_NAME), 'utf8')),
      'candidate',
    );
    const sigs = signCandidate(
      federation,
      candidate,
      readKeyFile(join(newcomer.dir, GOVERNANCE_KEY_FILE_NAME)).secretKey,
      readKeyFile(join(newcomer.dir, NODE_KEY_FILE_NAME)).secretKey,
    );
    const proposer = members[0]!;
    const motionId = await submitAs(proposer, (now, w) =>
      motion(
        { world: w.world, worldHash: w.hash } as Parameters<typeof motion>[0],
        proposer.name,
        [admitChange(candidate, sigs)],
        now,
        {
          summary: `admit ${newcomer.name}`,
        },
      ),
    );
    done(`motion ${motionId.slice(0, 16)}… submitted to ${proposer.name}'s root`);

    await until('the motion committed and open on every root', async () => {
      const views = await Promise.all(
        members.map((m) => new RootApi(m.httpUrl, { timeoutMs: POLL_TIMEOUT_MS }).motion(motionId)),
      );
      return views.every((v) => v.status === 'open') ? true : undefined;
    });
    done('the motion is in the ledger; ballots are open');

    step('Every member votes, each at its own root');
    for (const m of members) done(await voteYes(m, federation, motionId));
    const admitted = await until('the admission on every root', async () => {
      const worlds = await Promise.all(members.map(worldOf));
      const has = (w: WorldResponse) => w.world.members.some((m) => m.name === newcomer.name);
      return worlds.every((w) => has(w) && w.hash === worlds[0]!.hash) ? worlds[0] : undefined;
    });
    done(`world v${admitted.version} committed and served identically by all ${members.length} roots`);
    const decided = await until('the motion decided on every root', async () => {
      const views = await Promise.all(members.map((m) => motionAt(m, motionId)));
      return views.every((v) => v.status === 'decided') ? views[0] : undefined;
    });
    if (decided?.status === 'decided') {
      const by = Object.entries(decided.ballots).map(([name, b]) => `${name} ${b.choice}`);
      done(`motion ${decided.shortId} ${outcomeWords(decided)}, by the ballots of ${by.join(', ')}`);
    }

    step(`${newcomer.name} starts its root, catches up from its peers, and sits in probation`);
    const genesisText = readFileSync(join(base, 'genesis.json'), 'utf8');
    writeFileSync(join(newcomer.dir, 'genesis.json'), genesisText);
    await startRoot(newcomer, env);
    members.push(newcomer);
    await until(`${newcomer.name} caught up`, async () =>
      (await worldOf(newcomer)).version >= admitted.version ? true : undefined,
    );
    done(`${newcomer.name} serves world v${admitted.version}; it relays and cosigns but does not vote yet`);
    const voting = await until(
      `${newcomer.name}'s one-day probation to pass (≈${Math.round(DEVNET_POLICY.probationPeriodMs / rate / 1000)} s of wall time)`,
      async () => {
        const w = await worldOf(members[0]!);
        return w.world.members.find((m) => m.name === newcomer.name)?.status === 'voting' ? w : undefined;
      },
    );
    done(`${newcomer.name} is a voting member (world v${voting.version})`);
    step('The voting members changed: a new DKG among all five; the old key endorses the new');
    const rotationStarted = Date.now();
    const rotated = await federationKey(members, 'the new federation key', (w) =>
      (w.world.federationKey?.participants ?? []).some((p) => p.member === newcomer.name),
    );
    done(
      `world v${rotated.version}: federation key ${rotated.world.federationKey!.publicKey.slice(0, 12)}… (${rotated.world.federationKey!.threshold} of 5) replaces ${firstKey.publicKey.slice(0, 12)}… (${seconds(rotationStarted)})`,
    );

    step("Two overlay peers verify the world, meet by rendezvous and talk through a root's relay");
    const pinned = JSON.parse(readFileSync(join(base, 'genesis.json'), 'utf8')) as SignedGenesis;
    const client = { genesis: pinned, rootUrls: [members[0]!.httpUrl] };
    const alice = await createOverlayClient(client);
    peers.push(alice);
    const bob = await createOverlayClient(client);
    peers.push(bob);
    const roots = alice.peer.roots().map((r) => r.name);
    done(
      `peers ${alice.peer.peerId.slice(-8)} and ${bob.peer.peerId.slice(-8)} verified world v${alice.world().world.version} from the genesis and hold relay slots on ${roots.join(' and ')}`,
    );
    const found = await until('the peers to discover each other', async () => {
      const list = await alice.peer.discover();
      return list.some((r) => r.peerId === bob.peer.peerId) ? list : undefined;
    });
    done(
      `rendezvous: ${alice.peer.peerId.slice(-8)} discovered ${found.length} peer(s) in ${alice.peer.namespace}`,
    );
    const echo = await alice.peer.send(bob.peer.peerId, new TextEncoder().encode('hello through the relay'));
    done(
      `"${new TextDecoder().decode(echo)}" went to ${bob.peer.peerId.slice(-8)} and back through the relay`,
    );

    say('\nThe federation is running:');
    for (const m of members) say(`  ${m.name.padEnd(10)} ${m.httpUrl}   (docs: ${m.httpUrl}/docs)`);
    say('\nTry, in another terminal:');
    say(`  npm run witan -- motions --root ${members[0]!.httpUrl}`);
    say(`  npm run witan -- motion ${decided?.shortId ?? motionId} --root ${members[0]!.httpUrl}`);
    say(`  npm run witan -- status --root ${members[1]!.httpUrl}`);
    say(
      `  npm run witan -- world verify --genesis ${join(base, 'genesis.json')} --root ${members[2]!.httpUrl}`,
    );
    say(
      `  npm run witan -- audit --genesis ${join(base, 'genesis.json')} ${members.map((m) => m.httpUrl).join(' ')}`,
    );
    say(`  curl ${members[0]!.httpUrl}/federation        (the federation key and its vkey)`);
    say(
      `  npm run witan -- world export --format zerotier-planet --out planet --root ${members[0]!.httpUrl}`,
    );
    say(
      `    (add --witness-key ${join(base, DEVNET_WITNESS_KEY_FILE)} --witness-name ${DEVNET_WITNESS_NAME} to cosign as the roots' trusted witness)`,
    );
    if (o.exitAfterStory) {
      await shutdown();
      return;
    }
    say('\nCtrl-C stops every root.');
    await new Promise(() => undefined);
  } catch (err) {
    await shutdown();
    throw err;
  }
}

export function registerDevnet(program: Command): void {
  program
    .command('devnet')
    .description('run a local federation of roots and watch it admit a new member')
    .option('--members <n>', 'founding members', (t) => Number(t), 4)
    .option('--dir <folder>', 'keep everything in this folder (default: a temporary one)')
    .option('--keep', 'keep the temporary folder after Ctrl-C')
    .option('--exit-after-story', 'stop the federation once the story is done (for scripts and tests)')
    .option(
      '--clock-rate <n>',
      `devnet time runs n times faster than wall time (a one-day probation takes 86400/n s)`,
      (t) => Number(t),
      DEVNET_CLOCK_RATE,
    )
    .option(
      '--compose <folder>',
      'write the federation for containers into this new folder (configs, keys, genesis, compose.yaml) instead of running it',
    )
    .action(
      action(
        async (opts: {
          members: number;
          dir?: string;
          keep?: boolean;
          exitAfterStory?: boolean;
          clockRate: number;
          compose?: string;
        }) => {
          if (opts.compose !== undefined) {
            checkMembers(opts.members);
            // The container federation runs without a federation key or planets: its roots are
            // written without the key-share folders and ZeroTier identities the DKG needs.
            const { federationKey: _key, zerotier: _planets, ...composePolicy } = DEVNET_POLICY;
            const manifest = writeComposeFederation({
              dir: opts.compose,
              members: opts.members,
              policy: composePolicy,
            });
            sayComposeNext(manifest, opts.compose);
            return;
          }
          await runDevnet({
            members: opts.members,
            ...(opts.dir === undefined ? {} : { dir: opts.dir }),
            keep: opts.keep === true,
            exitAfterStory: opts.exitAfterStory === true,
            clockRate: opts.clockRate,
          });
        },
      ),
    );
}
