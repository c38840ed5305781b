// The overlay client's world: verified from the pinned genesis over real HTTP, walked on with
// `?since=`, and refused — with a typed error that says why, keeping the world it had — when it
// is stale (by the client's clock), rolled back (an older version than the client verified) or a
// fork (a different world of a version the client verified). The chains are real signed data of
// a test federation: RFC 9162 proofs under checkpoints cosigned by its members' node keys.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_POLICY } from '../../src/governance/index.ts';
import {
  type ChainAnswer,
  chainVerifier,
  judgeWorld,
  type VerifiedWorld,
  WorldError,
  WorldKeeper,
} from '../../src/overlay/index.ts';
import { type ChainServer, chainOf, chainServer, DAY_MS, federation, T0 } from './chains.ts';

const fed = federation();
const FRESHNESS_MS = DEFAULT_POLICY.checkpointFreshnessMs;
/** The cosignatures' time: after the probation of world 3. */
const SIGNED_MS = T0 + 32 * DAY_MS;
const SIGNED_S = SIGNED_MS / 1000;
const NOW_MS = SIGNED_MS + 60_000;

let a2: ChainAnswer;
let a3: ChainAnswer;
let b2: ChainAnswer;
const servers: ChainServer[] = [];

before(async () => {
  a2 = await chainOf(fed.genesis, fed.branch('n00', 2), SIGNED_S);
  a3 = await chainOf(fed.genesis, fed.branch('n00', 3), SIGNED_S);
  b2 = await chainOf(fed.genesis, fed.branch('n01', 2), SIGNED_S);
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function root(answer: unknown, o: { ignoreSince?: boolean } = {}): Promise<ChainServer> {
  const s = await chainServer(o);
  s.serve(answer);
  servers.push(s);
  return s;
}

function keeper(urls: string[], o: { trusted?: VerifiedWorld; nowMs?: number } = {}): WorldKeeper {
  return new WorldKeeper({
    verifier: chainVerifier(fed.genesis),
    seedUrls: urls,
    // The test federation's own endpoints are names under example.org: never asked.
    useWorldUrls: false,
    nowMs: () => o.nowMs ?? NOW_MS,
    ...(o.trusted === undefined ? {} : { trusted: o.trusted }),
  });
}

async function refused(k: WorldKeeper): Promise<WorldError> {
  const before = k.current;
  const err = await k.refresh().then(
    () => assert.fail('the world was adopted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorldError, String(err));
  assert.equal(k.current, before, 'a refused world changes nothing');
  return err;
}

test('a client verifies the world from the pinned genesis, then walks on with ?since=', async () => {
  const r = await root(a2);
  const k = keeper([r.url]);
  const w2 = await k.refresh();
  assert.equal(w2.world.version, 2);
  assert.equal(w2.freshAtMs, SIGNED_MS);
  assert.equal(r.asked.at(-1), '', 'the first walk is from the genesis');
  r.serve(a3);
  const w3 = await k.refresh();
  assert.equal(w3.world.version, 3);
  assert.equal(r.asked.at(-1), '?since=2', 'then only what is new');
  assert.equal(k.current, w3);
  assert.deepEqual(k.refusals, []);
});

test('a fork is refused: world 2 of another branch, validly signed, after world 2 was verified', async () => {
  const r = await root(a2);
  const k = keeper([r.url]);
  const trusted = await k.refresh();
  r.serve(b2);
  const err = await refused(k);
  assert.equal(err.code, 'WORLD_FORK');
  assert.deepEqual(err.trusted, { version: 2, hash: trusted.worldHash });
  assert.equal(err.offered?.version, 2);
  assert.notEqual(err.offered?.hash, trusted.worldHash);
  assert.match(err.message, /a quorum signed two worlds of one version/);
  // Offered as a whole chain (a root that ignores ?since=), the fork is seen all the same.
  const whole = await root(b2, { ignoreSince: true });
  assert.equal((await refused(keeper([whole.url], { trusted }))).code, 'WORLD_FORK');
});

test('a fork the client would walk past is refused: the other branch goes on to world 3', async () => {
  const r = await root(a2);
  const k = keeper([r.url]);
  await k.refresh();
  r.serve(await chainOf(fed.genesis, fed.branch('n01', 3), SIGNED_S));
  const err = await refused(k);
  assert.equal(err.code, 'WORLD_FORK');
  assert.equal(err.offered?.version, 2, 'named at the version both have');
});

test('a rollback is refused: world 2 after world 3 was verified', async () => {
  const r = await root(a3);
  const k = keeper([r.url]);
  const trusted = await k.refresh();
  assert.equal(trusted.world.version, 3);
  r.serve(a2);
  const err = await refused(k);
  assert.equal(err.code, 'WORLD_ROLLBACK');
  assert.deepEqual(err.trusted, { version: 3, hash: trusted.worldHash });
  assert.equal(err.offered?.version, 2);
  assert.deepEqual(r.asked.slice(-2), ['?since=3', ''], 'no v3 at the root: its whole chain says why');
  assert.match(err.message, /older than v3 which you verified before/);
});

test('a stale world is refused by the clock: accepted one freshness bound after its cosignatures, not a moment later', async () => {
  const r = await root(a2);
  const inTime = await keeper([r.url], { nowMs: SIGNED_MS + FRESHNESS_MS }).refresh();
  assert.equal(inTime.world.version, 2);
  const k = keeper([r.url], { nowMs: SIGNED_MS + FRESHNESS_MS + 1 });
  const err = await refused(k);
  assert.equal(err.code, 'WORLD_STALE');
  assert.equal(err.offered?.version, 2);
  assert.match(err.message, /your clock may be wrong/);
  // A client that trusts world 2 is handed the same old chain again: still stale.
  const k2 = keeper([r.url], { trusted: inTime, nowMs: SIGNED_MS + 2 * FRESHNESS_MS });
  assert.equal((await refused(k2)).code, 'WORLD_STALE');
  assert.equal(k2.isStale(), true);
});

test('a head that ends the batch of a new world counts with the quorum of the world before (ledger §3.4); a head with no quorum is passed over', async () => {
  // World 3 has five validators (quorum 4); right after it, the latest checkpoint — the tree that
  // ends world 3's batch — carries the cosignatures of world 2's validators, who committed it.
  const early = await chainOf(fed.genesis, fed.branch('n00', 3), SIGNED_S, {
    signers: ['m00', 'm01', 'm02'],
    timeS: SIGNED_S + 30,
  });
  const w = await keeper([(await root(early)).url]).refresh();
  assert.equal(w.world.version, 3);
  assert.equal(w.freshAtMs, SIGNED_MS + 30_000, 'freshness from the head world 2 committed');
  // A head cosigned by a quorum of neither world proves nothing: the steps prove the world,
  // and its freshness.
  const short = await chainOf(fed.genesis, fed.branch('n00', 3), SIGNED_S, {
    signers: ['m00', 'm01'],
    timeS: SIGNED_S + 30,
  });
  const s = await keeper([(await root(short)).url]).refresh();
  assert.equal(s.world.version, 3);
  assert.equal(s.freshAtMs, SIGNED_MS, 'freshness from the steps, not from the head');
  // Once a quorum of world 3 cosigned, the head counts as well.
  const later = await chainOf(fed.genesis, fed.branch('n00', 3), SIGNED_S, {
    signers: ['m00', 'm01', 'm02', 'n00'],
    timeS: SIGNED_S + 30,
  });
  assert.equal((await keeper([(await root(later)).url]).refresh()).freshAtMs, SIGNED_MS + 30_000);
});

test('judgeWorld holds the three refusals for a world verified by any means', () => {
  const w = (version: number, hash: string, freshAtMs = NOW_MS): VerifiedWorld => ({
    world: { ...fed.genesis.world, version },
    worldHash: hash,
    freshAtMs,
  });
  const code = (f: () => void) => {
    try {
      f();
      return 'ok';
    } catch (e) {
      return (e as WorldError).code;
    }
  };
  const cases: [VerifiedWorld | undefined, VerifiedWorld, string][] = [
    [undefined, w(2, 'a'), 'ok'],
    [w(2, 'a'), w(3, 'b'), 'ok'],
    [w(2, 'a'), w(2, 'a'), 'ok'],
    [w(3, 'a'), w(2, 'b'), 'WORLD_ROLLBACK'],
    [w(2, 'a'), w(2, 'b'), 'WORLD_FORK'],
    [undefined, w(2, 'a', NOW_MS - FRESHNESS_MS - 1), 'WORLD_STALE'],
  ];
  for (const [trusted, offered, expected] of cases)
    assert.equal(
      code(() => judgeWorld(trusted, offered, NOW_MS, 'r')),
      expected,
    );
});

test('roots are asked in turn: a root behind the client (on another branch) is passed over, and remembered', async () => {
  const good = await root(a3);
  const k = keeper([good.url]);
  const trusted = await k.refresh();
  const forking = await root(b2);
  const k2 = keeper([forking.url, good.url], { trusted: { ...trusted } });
  // k2 trusts world 3 of branch A; the other root has only branch B's world 2.
  const w = await k2.refresh();
  assert.equal(w.worldHash, trusted.worldHash);
  assert.equal(k2.refusals.length, 1);
  assert.equal(k2.refusals[0]?.root, forking.url);
  assert.equal(k2.refusals[0]?.code, 'WORLD_ROLLBACK');
});

test('every root refusing for one reason gives that reason; different reasons or none reachable give WORLD_UNAVAILABLE', async () => {
  const r1 = await root(a2);
  const r2 = await root(a2);
  const trusted = await keeper([r1.url]).refresh();
  r1.serve(b2);
  r2.serve(b2);
  const same = await refused(keeper([r1.url, r2.url], { trusted }));
  assert.equal(same.code, 'WORLD_FORK');
  assert.equal(same.refusals.length, 2);
  r2.serve({ nonsense: true });
  const mixed = await refused(keeper([r1.url, r2.url], { trusted }));
  assert.equal(mixed.code, 'WORLD_UNAVAILABLE');
  assert.deepEqual(
    mixed.refusals.map((x) => x.code),
    ['WORLD_FORK', 'WORLD_BAD_ANSWER'],
  );
  const closed = await chainServer();
  await closed.close();
  const gone = await refused(keeper([closed.url]));
  assert.equal(gone.code, 'WORLD_UNAVAILABLE');
  assert.equal(gone.refusals[0]?.code, 'WORLD_FETCH_FAILED');
});

test('a chain that does not verify is WORLD_UNVERIFIED with the verifier code, and bad options are refused', async () => {
  const forged = structuredClone(a2);
  const last = forged.steps.at(-1);
  assert.ok(last);
  last.world = { ...last.world, previous: 'ab'.repeat(32) };
  const err = await refused(keeper([(await root(forged)).url]));
  assert.equal(err.code, 'WORLD_UNVERIFIED');
  assert.equal(err.chainCode, 'BROKEN_LINK');
  assert.throws(() => keeper([]), { code: 'OVERLAY_INVALID_OPTIONS' });
  assert.throws(() => keeper(['ftp://example.org']), { code: 'OVERLAY_INVALID_OPTIONS' });
});
