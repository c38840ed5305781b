// A world yields a new ZeroTier planet (and moon) only when it changes (LEDGER.md §9.4): what
// changes one and what does not, and — over random sequences of worlds, key rotations,
// signatures that arrive or not, entries dropped from the waiting list and older entries a
// signed world supersedes — that the newest
// planet signed or still waiting is always the newest world's, and that the signed planets are
// updates ZeroTier's own rule accepts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { fromHex, toBase64, utf8Bytes } from '../../src/codec/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import {
  newZeroTierWorldOf,
  type PendingSignature,
  pendingAfterSigned,
  pendingSignatureOf,
  pendingToDrop,
  type SignedWorldArtifacts,
  sameZeroTierContent,
  signedWorldArtifacts,
  supersededByNewest,
  type World,
  withPendingSignature,
  worldHash,
  zeroTierWorldOf,
} from '../../src/governance/index.ts';
import { vectorIdentities } from '../zerotier/helpers.ts';
import { zeroTierAcceptsUpdate } from '../zerotier/zerotier-rule.ts';
import { DKG_POLICY } from './ceremony-fixtures.ts';
import { makeGenesis, pendingEntry } from './fixtures.ts';

const TYPES = ['planet', 'moon'] as const;
type ZeroTierType = (typeof TYPES)[number];

const IDENTITIES = vectorIdentities();

/** Federation keys by number: plain Ed25519 keys stand in for FROST group keys (same signatures). */
const secretOf = (n: number) => sha256(utf8Bytes(`planet-change key ${n}`));
const publicOf = (n: number) => toBase64(ed25519.getPublicKey(secretOf(n)));

/** A world v1 of five members with ZeroTier roots, two in the planet and three in the moon, key 0. */
function firstWorld(): World {
  const policy = {
    ...DKG_POLICY,
    zerotier: { worldId: '2003789409', planetRootsMax: 2, moonWorldId: '2003789410' },
  };
  const world = structuredClone(
    makeGenesis(5, policy, undefined, (i) => ({
      identity: IDENTITIES[i]!,
      endpoints: [`192.0.2.${i + 1}/9993`],
    })).world,
  );
  return withKey(world, 0);
}

function withKey(world: World, n: number): World {
  world.federationKey = { session: '00'.repeat(32), threshold: 2, publicKey: publicOf(n), participants: [] };
  return world;
}

/** The next world: a copy of `world` with version + 1, changed by `change`. */
function next(world: World, change: (w: World) => void): World {
  const w = structuredClone(world);
  w.version++;
  change(w);
  return w;
}

const yields = (before: World, after: World) =>
  TYPES.filter((type) => newZeroTierWorldOf(before, after, type) !== undefined);

test('a world that changes only HTTP endpoints, an organisation or another policy field yields no planet or moon', () => {
  const w1 = firstWorld();
  const http = next(w1, (w) => {
    w.members[0]!.endpoints.http = ['https://elsewhere.example/'];
  });
  assert.deepEqual(yields(w1, http), []);
  const organisation = next(w1, (w) => {
    w.members[1]!.organisation = 'Another organisation';
  });
  assert.deepEqual(yields(w1, organisation), []);
  const policy = next(w1, (w) => {
    w.policy.motionTtlMs = w.policy.motionTtlMs + 1;
  });
  assert.deepEqual(yields(w1, policy), []);
  // Its pending signature asks for the world note alone.
  const pending = pendingSignatureOf(w1, http, worldHash(http))!;
  assert.equal(pending.planet, undefined);
  assert.equal(pending.moon, undefined);
  assert.deepEqual(pending.keys, [publicOf(0)]);
});

test("a change of a planet root's endpoints, of the planet's members, of the key or of the zerotier policy yields a planet", () => {
  const w1 = firstWorld();
  const endpoints = next(w1, (w) => {
    w.members[0]!.zerotier!.endpoints = ['192.0.2.99/9993'];
  });
  assert.deepEqual(yields(w1, endpoints), ['planet']);
  // m01 leaves the planet (probation); m02, the next by seniority, takes its place.
  const members = next(w1, (w) => {
    w.members[1]!.status = 'probation';
  });
  assert.deepEqual(yields(w1, members), ['planet', 'moon']);
  const key = next(w1, (w) => withKey(w, 1));
  assert.deepEqual(yields(w1, key), ['planet', 'moon']);
  const policy = next(w1, (w) => {
    w.policy.zerotier!.planetRootsMax = 3;
  });
  assert.deepEqual(yields(w1, policy), ['planet', 'moon']);
  // The first world with a key (the one before has none) yields both.
  const keyless = structuredClone(w1);
  delete keyless.federationKey;
  assert.deepEqual(
    yields(
      keyless,
      next(keyless, (w) => withKey(w, 0)),
    ),
    ['planet', 'moon'],
  );
  // The new planet's timestamp is the world's version; the content is the one before otherwise.
  const planet = newZeroTierWorldOf(w1, endpoints, 'planet')!;
  assert.equal(planet.timestamp, 2n);
  assert.ok(!sameZeroTierContent(planet, zeroTierWorldOf(w1, 'planet')!));
});

test("a change of a moon root's endpoints yields a moon and leaves the planet as it was", () => {
  const w1 = firstWorld();
  const moonOnly = next(w1, (w) => {
    w.members[4]!.zerotier!.endpoints = ['192.0.2.77/9993'];
  });
  assert.deepEqual(yields(w1, moonOnly), ['moon']);
  const pending = pendingSignatureOf(w1, moonOnly, worldHash(moonOnly))!;
  assert.equal(pending.planet, undefined);
  assert.equal(pending.moon?.key, publicOf(0));
});

const entry = pendingEntry;

test('over its bound, the waiting list drops a world carrying neither planet nor moon first, then a superseded one, never the newest carrier', () => {
  const list = [
    entry(2, { planet: true, moon: true, transition: true }),
    entry(3, { planet: true }),
    entry(4, {}),
    entry(5, { moon: true }),
  ];
  assert.equal(pendingToDrop(list), 2, 'the world that carries neither');
  const after = withPendingSignature(list, entry(6, {}), 4);
  assert.deepEqual(
    after.map((p) => p.version),
    [2, 3, 5, 6],
  );
  // No world without parts: the superseded planet of v3 goes, not the transition, not v7's planet.
  const superseded = [...after.filter((p) => p.version !== 6), entry(7, { planet: true })];
  assert.deepEqual(
    withPendingSignature(superseded, entry(8, { moon: true }), 4).map((p) => p.version),
    [2, 5, 7, 8],
  );
  // Only transitions and the newest carriers: the oldest transition goes.
  const transitions = [
    entry(2, { planet: true, moon: true, transition: true }),
    entry(3, { planet: true, moon: true, transition: true }),
    entry(4, { planet: true, transition: true }),
    entry(5, { moon: true }),
  ];
  assert.equal(pendingToDrop(transitions), 0);
  assert.equal(pendingToDrop(transitions.slice(2)), 0, 'with a bound below two, the oldest');
});

test('a signed world supersedes the older waiting ones that keep the key and whose planet and moon are superseded', () => {
  const list = [
    entry(2, { planet: true, moon: true, transition: true }),
    entry(3, { planet: true }),
    entry(4, {}),
    entry(5, { moon: true }),
    entry(6, {}),
    entry(7, {}),
  ];
  // v6 signed: v4 goes, v3 and v5 stay (the newest planet and moon), the transition stays, v7 is newer.
  assert.deepEqual(
    pendingAfterSigned(list, 4).map((p) => p.version),
    [2, 3, 5, 7],
  );
  // A signed planet and moon supersede older ones: v8 takes v3, v4, v5 (not the transition) with it.
  const withParts = [...list.slice(0, 4), entry(8, { planet: true, moon: true })];
  assert.deepEqual(
    pendingAfterSigned(withParts, 4).map((p) => p.version),
    [2],
  );
  // Only v1..v(n-1) are judged; a signature of the oldest takes nothing else.
  assert.deepEqual(
    pendingAfterSigned(list, 0).map((p) => p.version),
    [3, 4, 5, 6, 7],
  );
  // What signing the newest would take off the list, as a root sees it before it signs.
  assert.deepEqual(
    list.map((_, i) => supersededByNewest(list).has(i)),
    [false, false, true, false, true, false],
  );
});

type Step =
  | { kind: 'http'; member: number }
  | { kind: 'zerotier'; member: number; port: number }
  | { kind: 'status'; member: number }
  | { kind: 'rotate' }
  | { kind: 'sign'; at: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('http' as const), member: fc.nat(4) }),
  fc.record({ kind: fc.constant('zerotier' as const), member: fc.nat(4), port: fc.constantFrom(9993, 9994) }),
  fc.record({ kind: fc.constant('status' as const), member: fc.nat(4) }),
  fc.record({ kind: fc.constant('rotate' as const) }),
  fc.record({ kind: fc.constant('sign' as const), at: fc.nat(20) }),
  fc.record({ kind: fc.constant('sign' as const), at: fc.nat(20) }),
);

/** A run of the model: the worlds, what waits, what was signed, which transitions were dropped. */
class Run {
  readonly worlds: World[] = [firstWorld()];
  pending: PendingSignature[];
  readonly signed = new Map<number, SignedWorldArtifacts>();
  readonly droppedTransitions: number[] = [];
  readonly max: number;
  #keys = 1;

  constructor(max: number) {
    this.max = max;
    const w1 = this.worlds[0]!;
    this.pending = [pendingSignatureOf(undefined, w1, worldHash(w1))!];
  }

  get newest(): World {
    return this.worlds.at(-1)!;
  }

  apply(s: Step): void {
    if (s.kind === 'sign') {
      this.sign(s.at);
      return;
    }
    const world = next(this.newest, (w) => {
      if (s.kind === 'http')
        w.members[s.member]!.endpoints.http = [`https://m${s.member}.v${w.version}.example/`];
      if (s.kind === 'zerotier')
        w.members[s.member]!.zerotier!.endpoints = [`192.0.2.${s.member + 1}/${s.port}`];
      if (s.kind === 'status') {
        const m = w.members[s.member]!;
        m.status = m.status === 'voting' ? 'probation' : 'voting';
      }
      if (s.kind === 'rotate') withKey(w, this.#keys++);
    });
    const waiting = [...this.pending, pendingSignatureOf(this.newest, world, worldHash(world))!];
    this.worlds.push(world);
    this.pending = withPendingSignature(this.pending, waiting.at(-1)!, this.max);
    const kept = new Set(this.pending.map((p) => p.version));
    for (const dropped of waiting.filter((p) => !kept.has(p.version))) {
      for (const type of TYPES)
        assert.notEqual(
          dropped.version,
          waiting.findLast((p) => p[type] !== undefined)?.version,
          `the newest carrier of a ${type} is never dropped`,
        );
      if (dropped.transition) {
        const newest = new Set(TYPES.map((t) => waiting.findLast((p) => p[t] !== undefined)?.version));
        assert.ok(
          waiting.every((p) => p.transition || newest.has(p.version)),
          'a transition is dropped only when every other droppable world is one',
        );
        this.droppedTransitions.push(dropped.version);
      }
    }
  }

  sign(at: number): void {
    if (this.pending.length === 0) return;
    const p = this.pending[at % this.pending.length]!;
    const by = (key: string, message: Uint8Array) =>
      toBase64(ed25519.sign(message, secretOf(this.#keyNumber(key))));
    const signatures: { worldNote: string[]; planet?: string; moon?: string } = {
      worldNote: p.keys.map((k) => by(k, utf8Bytes(p.note))),
    };
    for (const type of TYPES) {
      const z = p[type];
      if (z !== undefined) signatures[type] = by(z.key, fromHex(z.digest));
    }
    const artifacts = signedWorldArtifacts(
      this.worlds[p.version - 2],
      this.worlds[p.version - 1]!,
      p.worldHash,
      signatures,
    );
    for (const type of TYPES) assert.equal(artifacts[type] !== undefined, p[type] !== undefined);
    this.signed.set(p.version, artifacts);
    const after = pendingAfterSigned(this.pending, this.pending.indexOf(p));
    for (const gone of this.pending.filter((x) => x !== p && !after.includes(x))) {
      assert.ok(gone.version < p.version, 'only older worlds are superseded');
      assert.ok(!gone.transition, 'a key transition is never superseded');
      for (const type of TYPES)
        if (gone[type] !== undefined)
          assert.ok(
            [p, ...after].some((x) => x.version > gone.version && x[type] !== undefined),
            `a superseded ${type} has a newer one signed or waiting`,
          );
    }
    this.pending = after;
  }

  /** Whether a world strictly between versions `from` and `to` changed the key. */
  #transitionBetween(from: number, to: number): boolean {
    const key = (v: number) => this.worlds[v - 1]!.federationKey?.publicKey;
    for (let v = from + 1; v < to; v++) if (key(v) !== key(v - 1)) return true;
    return false;
  }

  #keyNumber(key: string): number {
    for (let n = 0; n < this.#keys; n++) if (publicOf(n) === key) return n;
    throw new Error(`unknown key ${key}`);
  }

  /** The newest world's planet (moon) content is that of the newest signed or waiting one. */
  checkNewestCarried(): void {
    for (const type of TYPES) {
      const want = zeroTierWorldOf(this.newest, type)!;
      const signed = [...this.signed.entries()].filter(([, a]) => a[type] !== undefined).map(([v]) => v);
      const waiting = this.pending.filter((p) => p[type] !== undefined).map((p) => p.version);
      const carrier = Math.max(...signed, ...waiting);
      assert.ok(carrier >= 1, `a ${type} is signed or waiting`);
      assert.ok(sameZeroTierContent(zeroTierWorldOf(this.worlds[carrier - 1]!, type)!, want));
    }
  }

  /**
   * Signed planets (moons) in version order are updates ZeroTier accepts of the one before —
   * unless a key transition between them is not signed (yet; or, `final`, dropped).
   */
  checkChain(type: ZeroTierType, final: boolean): void {
    const files = [...this.signed.entries()]
      .filter(([, a]) => a[type] !== undefined)
      .sort(([a], [b]) => a - b);
    for (let i = 1; i < files.length; i++) {
      const [from, a] = files[i - 1]!;
      const [to, b] = files[i]!;
      const gap = final
        ? this.droppedTransitions.some((v) => v > from && v < to)
        : this.#transitionBetween(from, to);
      if (!gap) assert.ok(zeroTierAcceptsUpdate(a[type]!, b[type]!), `${type} v${to} updates v${from}`);
    }
  }
}

test('property: the newest planet and moon are always signed or waiting, and the signed ones chain as ZeroTier accepts', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 5 }), fc.array(step, { maxLength: 40 }), (max, steps) => {
      const run = new Run(max);
      for (const s of steps) {
        run.apply(s);
        assert.ok(run.pending.length <= max);
        run.checkNewestCarried();
        for (const type of TYPES) run.checkChain(type, false);
      }
      // Whatever still waits is signed in the end: only a dropped transition breaks a chain.
      while (run.pending.length > 0) run.sign(0);
      for (const type of TYPES) run.checkChain(type, true);
    }),
    { numRuns: 150 },
  );
});
