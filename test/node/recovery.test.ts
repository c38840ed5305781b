// Recovery with real root processes (charter §20). Four roots on a devnet clock (ledger time runs
// RATE times faster, so a week of silence passes in seconds); two of them stop. The two left can
// commit nothing (a quorum of four is three). A recovery signed before the silence is over is
// refused. After it, the two and two of the three witnesses sign one: the roots hold it, and when
// one of the vanished comes back inside the time lock it cosigns again, the roots refuse the
// recovery and consensus resumes with it. When it stops for good, a second recovery waits out
// its lock, the roots append it, both cosign it, and the two commit again on their own — the
// world chain they serve carries the recovery, and an audit of their ledgers finds it sound.
// The federation holds a federation key (charter §22) throughout: made by the four at the
// start, retired by the recovery (the vanished hold shares of it, the two left are below its
// threshold), and made again by the two, as after any change of the voting members.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { RecoveryStatus } from '../../src/api/recovery-routes.ts';
import { runAudit } from '../../src/audit/run.ts';
import { toBase64, utf8Bytes } from '../../src/codec/index.ts';
import { keyPairFromSeed, sha256 } from '../../src/crypto/index.ts';
import {
  DEFAULT_POLICY,
  type FederationKey,
  type Policy,
  type Recovery,
  type SignedRecovery,
  signRecovery,
  verifyWorldChain,
  type WorldStep,
} from '../../src/governance/index.ts';
import { DEVNET_CLOCK_ENV } from '../../src/node/clock.ts';
import { getJson, post } from '../helpers/http.ts';
import { waitUntil } from '../helpers/wait.ts';
import {
  committedOn,
  createFederation,
  FEDERATION,
  fillerMotion,
  STEP,
  startAll,
  type TestMember,
  worldOf,
} from './fixtures/federation.ts';

/** Ledger time runs this much faster than wall time: a day passes in 2.2 s. */
const RATE = 40_000;
const DAY_MS = 86_400_000;
const WITNESSES = ['w1.example.org', 'w2.example.org', 'w3.example.org'];
const witness = (name: string) => keyPairFromSeed(sha256(utf8Bytes(`witan-test/witness/${name}`)));
/** Silence of a week (15 s of wall time), a time lock of two weeks (30 s). */
const POLICY: Policy = {
  ...structuredClone(DEFAULT_POLICY),
  statementAgeMaxMs: 7 * DAY_MS,
  // Each DKG phase may take a week of ledger time (15 s of wall time) before the silent are left out.
  federationKey: { phaseMs: 7 * DAY_MS },
  recovery: {
    silenceMs: 7 * DAY_MS,
    timeLockMs: 14 * DAY_MS,
    witnesses: WITNESSES.map((name) => ({ name, key: toBase64(witness(name).publicKey) })),
    witnessQuorum: 2,
  },
};
/** The silence or the time lock in wall time, with room for a loaded machine. */
const WAIT = { ...STEP, timeoutMs: 90_000, intervalMs: 250 };

const fed = await createFederation({
  members: 4,
  policy: POLICY,
  env: { [DEVNET_CLOCK_ENV]: `${Date.now()}:${RATE}` },
});
after(() => fed.close());

const recoveryOf = (m: TestMember) => getJson<RecoveryStatus>(`${m.httpUrl}/recovery`);
const pendingOf = async (m: TestMember) =>
  (await getJson<{ pendingWorlds: number[] }>(`${m.httpUrl}/federation`)).pendingWorlds;

/** The same world on every one of `members`, once it has a federation key `accept` takes. */
function keyedOn(members: TestMember[], what: string, accept: (k: FederationKey) => boolean) {
  return waitUntil(what, () => Promise.all(members.map(worldOf)), {
    ...WAIT,
    until: (ws) =>
      ws.every((w) => w.hash === ws[0]!.hash && w.world.federationKey !== undefined) &&
      accept(ws[0]!.world.federationKey!),
  }).then((ws) => ws[0]!);
}

/** The recovery the remaining members and two witnesses sign against `m`'s ledger now. */
async function sign(m: TestMember, removed: TestMember[], remaining: TestMember[]): Promise<SignedRecovery> {
  const status = await recoveryOf(m);
  const recovery: Recovery = {
    federation: FEDERATION,
    height: status.next.height,
    timeMs: status.nowMs,
    base: { size: status.base.size, rootHash: status.base.rootHash, worldHash: status.base.worldHash },
    remove: removed.map((r) => r.name).sort(),
  };
  return {
    recovery,
    members: [...remaining]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((r) => ({ member: r.name, signature: signRecovery(recovery, r.governanceKey.secretKey) })),
    witnesses: WITNESSES.slice(0, 2).map((w) => ({
      witness: w,
      signature: signRecovery(recovery, witness(w).secretKey),
    })),
  };
}

/** Waits until `m`'s clock is past the silence its last batch allows. */
function silenceOver(m: TestMember) {
  return waitUntil(
    `${m.name}: ${POLICY.recovery!.silenceMs} ms of ledger time without a batch`,
    () => recoveryOf(m),
    {
      ...WAIT,
      until: (s) => s.nowMs >= s.next.earliestMs,
    },
  );
}

function heldOn(members: TestMember[], state: string) {
  return waitUntil(
    `the recovery ${state} on ${members.map((m) => m.name).join(', ')}`,
    () => Promise.all(members.map(recoveryOf)),
    { ...WAIT, until: (all) => all.every((s) => s.held?.state === state) },
  );
}

test('a recovery: refused before the silence, refused when a vanished member returns inside the time lock, adopted after it, and the survivors commit again', async () => {
  await startAll(fed);
  const [a, b, c, d] = fed.members as [TestMember, TestMember, TestMember, TestMember];
  const founders = await keyedOn(fed.members, "the four founders' federation key", () => true);
  const firstKey = founders.world.federationKey!;
  assert.deepEqual(
    firstKey.participants.map((p) => p.member),
    fed.members.map((m) => m.name).sort(),
  );
  const first = await fillerMotion(c, 'before');
  await committedOn(fed.members, first.id);
  await waitUntil('the federation signed every world', () => Promise.all(fed.members.map(pendingOf)), {
    ...WAIT,
    until: (all) => all.every((p) => p.length === 0),
  });

  // a and b stop; c and d are two of four, below the quorum of three.
  await fed.stop(a);
  await fed.stop(b);
  const early = await sign(c, [a, b], [c, d]);
  const tooEarly = await post(`${c.httpUrl}/recovery`, JSON.stringify(early));
  assert.equal(tooEarly.status, 422);
  assert.equal((tooEarly.body as { code: string }).code, 'RECOVERY_TOO_EARLY');

  // After the silence: the recovery is held through its time lock on both.
  await silenceOver(c);
  const stalled = await recoveryOf(c);
  assert.equal(stalled.base.size, (await recoveryOf(d)).base.size, 'nothing was committed meanwhile');
  const first2 = await sign(c, [a, b], [c, d]);
  for (const m of [c, d]) {
    const res = await post(`${m.httpUrl}/recovery`, JSON.stringify(first2));
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal((res.body as RecoveryStatus).held?.state, 'waiting');
  }
  // a returns inside the time lock: its cosignature shows it alive, and the recovery is refused.
  await fed.start(a);
  const refused = await heldOn([c, d], 'refused');
  for (const s of refused) {
    assert.match(s.held!.reason!, new RegExp(`${a.name} is alive`));
    assert.ok(s.nowMs < s.held!.effectiveMs, 'refused before its time lock was over');
  }
  // a, c and d are a quorum again: they commit.
  const back = await fillerMotion(c, 'back');
  await committedOn([a, c, d], back.id);

  // a stops for good. After the silence from the last batch, a second recovery.
  await fed.stop(a);
  await silenceOver(c);
  // The world in force when the silence began: read now, when c and d alone commit nothing (a
  // batch of duty reports or signatures after 'back' may still have changed it before a stopped).
  const before = await worldOf(c);
  const second = await sign(c, [a, b], [c, d]);
  for (const m of [c, d])
    assert.equal((await post(`${m.httpUrl}/recovery`, JSON.stringify(second))).status, 202);
  const committed = await heldOn([c, d], 'committed');
  for (const s of committed) assert.ok(s.nowMs >= s.held!.effectiveMs, 'appended only after the time lock');
  // The recovered world retires the key; the two make a new one (2 of 2), which the old key,
  // below its threshold, cannot endorse.
  const rekeyed = await keyedOn(
    [c, d],
    'the federation key of the two left',
    (k) => k.publicKey !== firstKey.publicKey,
  );
  const newKey = rekeyed.world.federationKey!;
  assert.deepEqual(
    newKey.participants.map((p) => p.member),
    [c.name, d.name].sort(),
  );
  assert.equal(newKey.threshold, 2);
  // At least the recovered world and the one that installs the new key; on a slow machine a
  // duty epoch can end meanwhile and its notice about the silent members is a world of its own.
  assert.ok(rekeyed.version >= before.version + 2, `key world v${rekeyed.version} after v${before.version}`);

  // Two validators, a quorum of two: c and d commit on their own.
  const alone = await fillerMotion(d, 'recovered');
  await committedOn([c, d], alone.id);

  // The chain they serve carries the recovery; a client walking it gets past every check to
  // freshness (cosignatures are wall-clock, the devnet's ledger clock runs ahead of them).
  const chain = await getJson<{ genesis: typeof fed.genesis; steps: WorldStep[] }>(
    `${c.httpUrl}/world/chain`,
  );
  const step = chain.steps.find((s) => s.world.version === before.version + 1);
  assert.ok(step?.recovery, 'the recovered world comes with its signed recovery');
  const recovered = step.world;
  assert.deepEqual(
    recovered.members.map((m) => m.name),
    [c.name, d.name].sort(),
  );
  assert.equal(recovered.federationKey, undefined, 'the recovery retired the federation key');
  const walked = verifyWorldChain(fed.genesis, chain.steps, { nowMs: (await recoveryOf(c)).nowMs });
  assert.ok(walked.ok || walked.code === 'STALE', JSON.stringify(walked));

  // An audit replays the recovery from both ledgers and finds nothing wrong.
  const report = await runAudit({ genesis: fed.genesis, roots: [c.httpUrl, d.httpUrl], workers: 0 });
  assert.deepEqual(
    report.violations.map((v) => v.kind),
    [],
  );
  assert.ok(report.governance!.worlds.some((w) => w.version === recovered.version && w.members === 2));
  assert.deepEqual(
    report.governance!.federationKeys.map((k) => k.publicKey),
    [firstKey.publicKey, newKey.publicKey],
  );
});
