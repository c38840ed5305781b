// The federation key with seven real root processes (docs/architecture.md "Federation key"):
// a DKG at genesis through the ledger, the key equal to what the public transcript gives;
// two members offline and a Byzantine signer that sends a wrong share — it is named, nothing
// is signed wrongly, and five honest roots sign the checkpoint and the next world; plain
// node:crypto Ed25519 and a stock C2SP verifier (golang.org/x/mod/sumdb/note, pinned to the
// federation's vkey alone) accept them; a member admitted and another removed rotate the key,
// and the chain of keys verifies from the genesis key alone; the planets the worlds made
// form a chain ZeroTier's update rule accepts; bad input is refused with its code.

import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { createLocalMember } from '../../src/cli/federation.ts';
import { GOVERNANCE_KEY_FILE_NAME, NODE_KEY_FILE_NAME } from '../../src/cli/init.ts';
import { fromBase64, fromHex, toBase64, utf8Bytes } from '../../src/codec/index.ts';
import { generateKeyPair, parseNote } from '../../src/crypto/index.ts';
import { readKeyFile } from '../../src/crypto/key-file.ts';
import { DkgParticipant, groupKeyFromTranscript } from '../../src/frost/index.ts';
import {
  admitChange,
  ballot,
  DEFAULT_FEDERATION_KEY_POLICY,
  DEFAULT_POLICY,
  decodeEntry,
  dkgCommitment,
  type FederationKey,
  federationVkey,
  motion,
  type Policy,
  parseDescriptor,
  signCandidate,
  signStatement,
} from '../../src/governance/index.ts';
import { peerIdOfNodeKey } from '../../src/node/p2p/index.ts';
import { nodeVerifies, vkeyParts } from '../crypto/plain-ed25519.ts';
import { getJson, getText, post } from '../helpers/http.ts';
import { waitUntil } from '../helpers/wait.ts';
import { vectorIdentities } from '../zerotier/helpers.ts';
import { zeroTierAcceptsUpdate } from '../zerotier/zerotier-rule.ts';
import { type ByzantineSigner, startByzantineSigner } from './fixtures/byzantine-signer.ts';
import {
  checkpointOf,
  createFederation,
  FEDERATION,
  fillerMotion,
  POLL_MS,
  submitAt,
  type TestFederation,
  type TestMember,
  type WorldView,
  worldOf,
} from './fixtures/federation.ts';

/** One step of the story: a DKG or a rotation among seven processes on a loaded machine. */
const STEP = { timeoutMs: 300_000, intervalMs: POLL_MS } as const;
/** While waiting for a coordinator to pick the Byzantine signer, a new checkpoint this often. */
const FILLER_EVERY_MS = 15_000;
const TEST_TIMEOUT_MS = 2_400_000;
const run = promisify(execFile);

const POLICY: Policy = {
  ...DEFAULT_POLICY,
  federationKey: { ...DEFAULT_FEDERATION_KEY_POLICY },
  zerotier: { worldId: '2003789409', planetRootsMax: 4, moonWorldId: '2003789410' },
};

/** Real ZeroTier identities (ledger/vectors/zerotier): the first five members offer roots. */
const IDENTITIES = vectorIdentities();

/** The federation's lines of a signed note (name = origin, key ID of `key`), checked with node:crypto. */
function federationLineVerifies(noteText: string, key: FederationKey): boolean {
  const note = parseNote(noteText);
  const k = fromBase64(key.publicKey);
  const keyId = vkeyParts(federationVkey({ federation: FEDERATION }, key.publicKey)).keyId;
  const lines = note.signatures.filter((s) => s.name === FEDERATION && s.keyId === keyId);
  return lines.length === 1 && nodeVerifies(k, utf8Bytes(note.text), lines[0]!.signature);
}

let fed: TestFederation;
let byzantine: ByzantineSigner | undefined;
const work = mkdtempSync(join(tmpdir(), 'witan-fedkey-'));

before(async () => {
  fed = await createFederation({
    members: 7,
    policy: POLICY,
    zerotier: (i) => (i < 5 ? { identity: IDENTITIES[i]!, endpoints: [`192.0.2.${i + 1}/9993`] } : undefined),
  });
});

after(async () => {
  await byzantine?.stop().catch(() => undefined);
  await fed?.close();
  rmSync(work, { recursive: true, force: true });
});

async function worldWith(
  members: TestMember[],
  what: string,
  accept: (w: WorldView) => boolean,
): Promise<WorldView> {
  return waitUntil(
    what,
    async () => {
      const worlds = await Promise.all(members.map(worldOf));
      return worlds.every((w) => w.hash === worlds[0]!.hash && accept(w)) ? worlds[0] : undefined;
    },
    STEP,
  );
}

/** One request, asked again while a busy root does not answer in time. */
function patiently<T>(what: string, ask: () => Promise<T>): Promise<T> {
  return waitUntil(what, ask, STEP);
}

/** A ballot signed by `voter`'s officer, sent to `root` (its own root may be down). */
async function vote(root: TestMember, voter: TestMember, id: string): Promise<void> {
  const { timeMs } = await patiently("the root's clock", () =>
    getJson<{ timeMs: number }>(`${root.httpUrl}/status`),
  );
  const signed = signStatement(
    ballot(FEDERATION, voter.name, id, 'yes', timeMs),
    voter.governanceKey.secretKey,
  );
  const res = await patiently('a ballot sent', () =>
    post(`${root.httpUrl}/statements`, JSON.stringify(signed)),
  );
  assert.equal(res.status, 202, JSON.stringify(res.body));
}

/** A motion by `author` at its root, then yes-ballots of `voters`, sent to the author's root. */
async function pass(
  author: TestMember,
  voters: TestMember[],
  changes: Parameters<typeof motion>[2],
  tag: string,
) {
  const { id } = await submitAt(author, (now, w) =>
    motion({ world: w.world, worldHash: w.hash } as Parameters<typeof motion>[0], author.name, changes, now, {
      summary: tag,
    }),
  );
  await waitUntil(
    `motion ${tag} open`,
    async () =>
      (await getJson<{ status: string }>(`${author.httpUrl}/motions/${id}`)).status === 'open'
        ? true
        : undefined,
    STEP,
  );
  for (const v of voters) await vote(author, v, id);
  return id;
}

test('seven roots: DKG at genesis, signing with two offline past a Byzantine signer, rotation, key chain, planets', {
  timeout: TEST_TIMEOUT_MS,
}, async () => {
  // One at a time: seven roots starting at once on a loaded two-core machine miss /health.
  for (const m of fed.members) await fed.start(m);
  const [alpha, beta, gamma, delta, epsilon, zeta, eta] = fed.members as [
    TestMember,
    TestMember,
    TestMember,
    TestMember,
    TestMember,
    TestMember,
    TestMember,
  ];

  // 1. The DKG at genesis: world v2 carries the key, equal to what the transcript in the ledger gives.
  const v2 = await worldWith(
    fed.members,
    'the federation key in world v2',
    (w) => w.world.federationKey !== undefined,
  );
  assert.equal(v2.version, 2);
  const k1 = v2.world.federationKey!;
  assert.equal(k1.threshold, 5);
  assert.equal(k1.participants.length, 7);
  const size = (
    await patiently('status', () => getJson<{ ledger: { size: number } }>(`${alpha.httpUrl}/status`))
  ).ledger.size;
  assert.ok(size > 0);
  const { entries } = await patiently('the ledger', () =>
    getJson<{ entries: string[] }>(`${alpha.httpUrl}/ledger/entries?start=0`),
  );
  const commitments = entries
    .map((e) => decodeEntry(fromBase64(e)))
    .flatMap((e) =>
      e.kind === 'statement' && e.statement.statement.kind === 'dkg-commitment'
        ? [e.statement.statement]
        : [],
    )
    .filter((s) => s.session === k1.session);
  const transcript = groupKeyFromTranscript(
    { sessionId: k1.session, participants: k1.participants.map((p) => p.member), threshold: k1.threshold },
    commitments.map((s) => ({ ...s, sessionId: s.session, participant: s.author })),
  );
  assert.equal(toBase64(fromHex(transcript.publicKey)), k1.publicKey);
  const status = await patiently('the federation key', () =>
    getJson<{ key: { vkey: string; holder: boolean } }>(`${gamma.httpUrl}/federation`),
  );
  assert.equal(status.key.holder, true);
  const genesisVkey = status.key.vkey;
  // World v2's note, signed by the genesis key: plain node:crypto verifies it.
  const noteV2 = await waitUntil(
    'world v2 signed',
    async () => getText(`${alpha.httpUrl}/federation/worlds/2`),
    STEP,
  );
  assert.ok(federationLineVerifies(noteV2, k1));

  // 2. gamma's root replaced by a Byzantine signer that sends wrong shares. Coordinators pick
  // signers at random among the key holders online, so gamma's turn comes; its share is named.
  await fed.kill(gamma);
  const nodeKeys = new Map(fed.members.map((m) => [m.name, m.nodeKey.publicKey]));
  byzantine = await startByzantineSigner({
    federation: FEDERATION,
    member: gamma.name,
    nodeKey: gamma.nodeKey,
    p2pPort: gamma.p2pPort,
    key: k1,
    nodeKeys,
    allowedPeers: fed.members.filter((m) => m !== gamma).map((m) => peerIdOfNodeKey(m.nodeKey.publicKey)),
  });
  const others = [alpha, beta, delta, epsilon, zeta, eta];
  // A world change needs five yes of seven: gamma's officer still votes (at alpha's root).
  await pass(
    alpha,
    [alpha, beta, gamma, delta, epsilon],
    [{ type: 'update-member', member: alpha.name, organisation: 'Alpha Org 2' }],
    'rename',
  );
  const v3 = await worldWith(others, 'world v3', (w) => w.version >= 3);
  let fillerAtMs = Date.now();
  const fault = await waitUntil(
    'the Byzantine signer named by a coordinator',
    async () => {
      for (const m of others) {
        const f = (await getJson<{ faults: { member: string; code: string }[] }>(`${m.httpUrl}/federation`))
          .faults;
        const hit = f.find((x) => x.member === gamma.name);
        if (hit !== undefined) return hit;
      }
      // Keep giving the coordinators something to sign: a new checkpoint per filler motion.
      if (Date.now() - fillerAtMs > FILLER_EVERY_MS) {
        fillerAtMs = Date.now();
        await fillerMotion(beta, `filler ${fillerAtMs}`);
      }
      return undefined;
    },
    STEP,
  );
  assert.equal(fault.code, 'BAD_SHARE');
  assert.ok(byzantine.sharesSent > 0);
  // Nothing signed wrongly: world v3's note and every federation line served verify under the key.
  const noteV3 = await waitUntil(
    'world v3 signed without gamma',
    async () => getText(`${alpha.httpUrl}/federation/worlds/${v3.version}`),
    STEP,
  );
  assert.ok(federationLineVerifies(noteV3, k1));
  const genesisKeyId = vkeyParts(genesisVkey).keyId;
  for (const m of others) {
    const note = (await patiently('a checkpoint', () => checkpointOf(m))).text;
    if (parseNote(note).signatures.some((s) => s.name === FEDERATION && s.keyId === genesisKeyId))
      assert.ok(federationLineVerifies(note, k1), `${m.name} serves a federation line that verifies`);
  }
  await byzantine.stop();
  byzantine = undefined;
  await fed.start(gamma);

  // 3. Two members offline: the five others commit world v4 and sign it and its checkpoint.
  await fed.stop(zeta);
  await fed.stop(eta);
  const five = [alpha, beta, gamma, delta, epsilon];
  await pass(
    alpha,
    five,
    [{ type: 'update-member', member: beta.name, organisation: 'Beta Org 2' }],
    'rename beta',
  );
  const v4 = await worldWith(five, 'world v4', (w) =>
    w.world.members.some((m) => m.organisation === 'Beta Org 2'),
  );
  const noteV4 = await waitUntil(
    `world v${v4.version} signed by five`,
    async () => getText(`${alpha.httpUrl}/federation/worlds/${v4.version}`),
    STEP,
  );
  assert.ok(federationLineVerifies(noteV4, k1));
  const v4Size = (
    await patiently('status', () => getJson<{ ledger: { size: number } }>(`${alpha.httpUrl}/status`))
  ).ledger.size;
  const signedCheckpoint = await waitUntil(
    'a checkpoint of world v4 carrying the federation signature',
    async () => {
      const c = await checkpointOf(delta);
      return Number(c.body.split('\n')[1]) >= v4Size && federationLineVerifies(c.text, k1) ? c : undefined;
    },
    STEP,
  );
  // A stock C2SP verifier pinned to the federation's vkey alone accepts the root's log.
  const verdict = await goVerifier(delta.httpUrl, genesisVkey);
  assert.equal(verdict.ok, true);
  assert.ok(verdict.size >= Number(signedCheckpoint.body.split('\n')[1]));

  // 4. Bad input, each refused with its code and nothing changed.
  const now = (await patiently('status', () => getJson<{ timeMs: number }>(`${alpha.httpUrl}/status`)))
    .timeMs;
  const stranger = generateKeyPair();
  const ceremonyMember = new DkgParticipant(
    { sessionId: 'ab'.repeat(32), participants: ['alpha', 'intruder'], threshold: 2 },
    'alpha',
  );
  const fromStranger = signStatement(
    dkgCommitment({ federation: FEDERATION, author: 'intruder', createdMs: now }, ceremonyMember.broadcast),
    stranger.secretKey,
  );
  const refused = await patiently('a refusal', () =>
    post(`${alpha.httpUrl}/statements`, JSON.stringify(fromStranger)),
  );
  assert.equal(refused.status, 422);
  assert.equal((refused.body as { code: string }).code, 'UNKNOWN_AUTHOR');
  const forgerKeys = { gov: generateKeyPair(), node: generateKeyPair() };
  const forgedDescriptor = {
    ...parseDescriptor(JSON.parse(readFileSync(join(fed.base, 'eta', 'member.json'), 'utf8')), 'd'),
    name: 'forger',
    organisation: 'Forged Org',
    jurisdiction: 'LU',
    nodeKey: toBase64(forgerKeys.node.publicKey),
    governanceKey: toBase64(forgerKeys.gov.publicKey),
    // ZeroTier's format, but the address does not derive from the key.
    zerotier: { identity: `0123456789:0:${'ab'.repeat(64)}`, endpoints: ['192.0.2.99/9993'] },
  };
  delete forgedDescriptor.mlDsaKey;
  const forgedMotion = signStatement(
    motion(
      { world: v4.world, worldHash: v4.hash } as Parameters<typeof motion>[0],
      alpha.name,
      [
        admitChange(
          forgedDescriptor,
          signCandidate(FEDERATION, forgedDescriptor, forgerKeys.gov.secretKey, forgerKeys.node.secretKey),
        ),
      ],
      now,
    ),
    alpha.governanceKey.secretKey,
  );
  const zt = await patiently('a refusal', () =>
    post(`${alpha.httpUrl}/statements`, JSON.stringify(forgedMotion)),
  );
  assert.equal(zt.status, 422, JSON.stringify(zt.body));
  assert.equal((zt.body as { code: string }).code, 'ZEROTIER_IDENTITY_INVALID');
  const fifthRoot = { ...v4.world.policy, zerotier: { ...v4.world.policy.zerotier!, planetRootsMax: 5 } };
  const policyMotion = signStatement(
    motion(
      { world: v4.world, worldHash: v4.hash } as Parameters<typeof motion>[0],
      alpha.name,
      [{ type: 'change-policy', policy: fifthRoot }],
      now,
    ),
    alpha.governanceKey.secretKey,
  );
  const fifth = await patiently('a refusal', () =>
    post(`${alpha.httpUrl}/statements`, JSON.stringify(policyMotion)),
  );
  assert.equal(fifth.status, 422);
  assert.equal((fifth.body as { code: string }).code, 'POLICY_BELOW_FLOOR');
  assert.equal((await patiently('the world', () => worldOf(alpha))).hash, v4.hash, 'nothing changed');

  // 5. Admit a member and remove another: the voting members change, the key rotates.
  await fed.start(zeta);
  await fed.start(eta);
  const theta = await createLocalMember(fed.base, 7, {});
  const candidate = parseDescriptor(
    JSON.parse(readFileSync(join(theta.dir, 'member.json'), 'utf8')),
    'candidate',
  );
  const thetaKeys = {
    gov: readKeyFile(join(theta.dir, GOVERNANCE_KEY_FILE_NAME)),
    node: readKeyFile(join(theta.dir, NODE_KEY_FILE_NAME)),
  };
  const sigs = signCandidate(FEDERATION, candidate, thetaKeys.gov.secretKey, thetaKeys.node.secretKey);
  // A removal passes with more than 3/4 of the seasoned voting members (charter §7): six of seven.
  await pass(
    alpha,
    [alpha, beta, gamma, delta, epsilon, zeta],
    [admitChange(candidate, sigs), { type: 'remove', member: eta.name }],
    'admit theta, remove eta',
  );
  const stillUp = [alpha, beta, gamma, delta, epsilon, zeta];
  const rotated = await worldWith(
    stillUp,
    'the key of the six voting members',
    (w) => w.world.federationKey !== undefined && w.world.federationKey.publicKey !== k1.publicKey,
  );
  const k2 = rotated.world.federationKey!;
  assert.deepEqual(
    k2.participants.map((p) => p.member),
    ['alpha', 'beta', 'delta', 'epsilon', 'gamma', 'zeta'],
  );
  assert.ok(rotated.world.members.some((m) => m.name === 'theta' && m.status === 'probation'));
  assert.ok(!rotated.world.members.some((m) => m.name === 'eta'));
  await waitUntil(
    `world v${rotated.version} signed by the old key and the new`,
    async () => getText(`${alpha.httpUrl}/federation/worlds/${rotated.version}`),
    STEP,
  );

  // 6. From the genesis key alone, a verifier walks the world notes to the new key (node:crypto only).
  const { worlds } = await patiently('the world notes', () =>
    getJson<{ worlds: { version: number; note: string }[] }>(`${alpha.httpUrl}/federation/worlds`),
  );
  let held = genesisVkey;
  let rotations = 0;
  for (const w of worlds) {
    const note = parseNote(w.note);
    const { keyId, key } = vkeyParts(held);
    const line = note.signatures.find((s) => s.name === FEDERATION && s.keyId === keyId);
    assert.ok(
      line !== undefined && nodeVerifies(key, utf8Bytes(note.text), line.signature),
      `world ${w.version} verifies under the key held`,
    );
    const next = note.text.split('\n').at(-2)!;
    if (next !== held) rotations++;
    held = next;
  }
  assert.equal(held, federationVkey({ federation: FEDERATION }, k2.publicKey));
  assert.ok(rotations >= 1);

  // 7. A world makes a new planet only when its planet changed: the organisation changes of
  // steps 2 and 3 made none (404 naming the planet in force), the key made one. The planets
  // made form a chain ZeroTier's own update rule accepts.
  const planets: { version: number; bytes: Uint8Array }[] = [];
  let inForce = 0;
  for (const w of worlds) {
    const res = await fetch(`${alpha.httpUrl}/zerotier/planet/${w.version}`, {
      signal: AbortSignal.timeout(5000),
    });
    if (res.status === 404) {
      const { message } = (await res.json()) as { message: string };
      assert.match(
        message,
        new RegExp(`world ${w.version} yields no new ZeroTier planet: .* world ${inForce}'s`),
      );
      continue;
    }
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    planets.push({ version: w.version, bytes: new Uint8Array(await res.arrayBuffer()) });
    inForce = w.version;
  }
  assert.equal(planets[0]?.version, 2, 'the first world with a key yields the first planet');
  assert.ok(planets.length < worlds.length, 'the organisation changes yield no planet');
  assert.equal(planets.at(-1)?.version, worlds.at(-1)!.version, 'the key transition yields one');
  for (let i = 1; i < planets.length; i++)
    assert.ok(
      zeroTierAcceptsUpdate(planets[i - 1]!.bytes, planets[i]!.bytes),
      `planet ${planets[i]!.version} updates ${planets[i - 1]!.version}`,
    );
  // The newest planet is the transition's.
  const latest = await fetch(`${alpha.httpUrl}/zerotier/planet`, { signal: AbortSignal.timeout(5000) });
  assert.deepEqual(new Uint8Array(await latest.arrayBuffer()), planets.at(-1)!.bytes);
});

/** golang.org/x/mod/sumdb/note and sumdb/tlog (test/interop/verifier) with only `vkey` trusted. */
async function goVerifier(url: string, vkey: string): Promise<{ ok: boolean; size: number }> {
  const goEnv = {
    ...process.env,
    GOPATH: '/usr/share/gocode',
    GO111MODULE: 'off',
    GOFLAGS: '',
    GOPROXY: 'off',
    GOCACHE: join(tmpdir(), 'witan-go-build-cache'),
  };
  const binary = join(work, 'witan-verifier');
  const built = spawnSync('go', ['build', '-o', binary, '.'], {
    cwd: join(import.meta.dirname, '..', 'interop', 'verifier'),
    env: goEnv,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(
    built.status,
    0,
    `go build failed (apt-get install -y golang-go golang-golang-x-mod-dev):\n${built.stderr}`,
  );
  const { stdout } = await run(binary, ['-url', url, '-vkey', vkey], { timeout: 120_000 });
  return JSON.parse(stdout) as { ok: boolean; size: number };
}
