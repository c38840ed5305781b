// The model, policy floors, entry codec and genesis: every field validated, every decoder
// bounded, and bad input answered with a typed error.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalBytes, type Json, toBase64, utf8Bytes } from '../../src/codec/index.ts';
import {
  assembleGenesis,
  DEFAULT_POLICY,
  decodeEntry,
  encodeEntry,
  GovernanceError,
  genesisState,
  ISO_3166_ALPHA2,
  isJurisdiction,
  jurisdictionCap,
  type LedgerEntry,
  parseWorld,
  policyViolation,
  ShapeError,
  signGenesis,
  verifyGenesis,
  type World,
} from '../../src/governance/index.ts';
import { FEDERATION, keysFor, makeGenesis, TestLedger } from './fixtures.ts';

test('ISO 3166-1 alpha-2: the 249 assigned codes, sorted, no reserved or user-assigned ones', () => {
  assert.equal(ISO_3166_ALPHA2.length, 249);
  assert.equal(new Set(ISO_3166_ALPHA2).size, 249);
  assert.deepEqual([...ISO_3166_ALPHA2], [...ISO_3166_ALPHA2].sort());
  for (const c of ['DE', 'US', 'JP', 'ZW', 'AX', 'SS']) assert.ok(isJurisdiction(c), c);
  for (const c of ['EU', 'UK', 'XK', 'de', 'DEU', '', 'ZZ']) assert.ok(!isJurisdiction(c), c);
});

test('jurisdiction caps', () => {
  const third = { num: 1, den: 3 };
  assert.deepEqual(
    [1, 3, 4, 6, 7, 9, 10].map((n) => jurisdictionCap(n, third)),
    [1, 1, 1, 1, 2, 2, 3],
  );
});

test('policy hard floors: approval never 2/3-or-below "more than", policy change ≥ approval, jurisdiction share ≤ 1/3', () => {
  assert.equal(policyViolation(DEFAULT_POLICY), null);
  const v = (p: Partial<typeof DEFAULT_POLICY>) => policyViolation({ ...DEFAULT_POLICY, ...p });
  assert.match(v({ approvalThreshold: { num: 3, den: 5 } })!, /at least 2\/3/);
  assert.match(v({ approvalThreshold: { num: 1, den: 1 } })!, /below 1/);
  assert.equal(v({ approvalThreshold: { num: 4, den: 6 } }), null); // 4/6 = 2/3 exactly is allowed ("more than")
  assert.match(v({ approvalThreshold: { num: 4, den: 5 } })!, /policy-change/); // 3/4 < 4/5
  assert.match(v({ jurisdictionShareMax: { num: 2, den: 5 } })!, /at most 1\/3/);
  assert.match(v({ jurisdictionShareMax: { num: 0, den: 5 } })!, /above 0/);
  assert.match(v({ probationPeriodMs: 1000 })!, /probationPeriodMs/);
  assert.match(v({ maxAdmissionsPerEpoch: 0 })!, /maxAdmissionsPerEpoch/);
  assert.match(v({ rendezvous: { ...DEFAULT_POLICY.rendezvous, ttlMinS: 7200, ttlMaxS: 3600 } })!, /ttlMinS/);
});

const genesis = makeGenesis(4);
const world = genesis.world;
const withMember = (patch: Record<string, unknown>): unknown => ({
  ...world,
  members: [{ ...world.members[0]!, ...patch }, ...world.members.slice(1)],
});

test('worlds: every field is read strictly', () => {
  assert.deepEqual(parseWorld(structuredClone(world)), world);
  const bad = (x: unknown, pattern: RegExp) =>
    assert.throws(
      () => parseWorld(x),
      (e: Error) => e instanceof ShapeError && pattern.test(e.message),
    );
  bad({ ...world, extra: 1 }, /unknown field/);
  bad({ ...world, members: [...world.members].reverse() }, /sorted/);
  bad({ ...world, version: 2 }, /previous must be null/);
  bad({ ...world, federation: 'Bad_Name' }, /federation/);
  bad(withMember({ jurisdiction: 'de' }), /ISO 3166/);
  bad(withMember({ name: 'M00' }), /name/);
  bad(
    withMember({ nodeKey: toBase64(new Uint8Array([1, ...new Array(31).fill(0)])) }),
    /not a valid Ed25519/,
  );
  bad(withMember({ nodeKey: 'AAAA' }), /32-byte key/);
  bad(withMember({ governanceKey: world.members[0]!.nodeKey }), /must differ/);
  bad(withMember({ organisation: ' Padded' }), /NFC/);
  bad(withMember({ status: 'admin' }), /status/);
  bad(withMember({ endpoints: { p2p: [], http: ['https://a.example/'] } }), /p2p/);
  bad(withMember({ endpoints: { p2p: ['tcp/1'], http: ['https://a.example/'] } }), /p2p\[0\]/);
  bad(
    withMember({ endpoints: { p2p: ['/dns4/a.example/tcp/1'], http: ['https://u:p@a.example/'] } }),
    /credentials/,
  );
  bad(withMember({ endpoints: { p2p: ['/dns4/a.example/tcp/1'], http: ['ftp://a.example/'] } }), /http/);
  bad(
    withMember({
      endpoints: { p2p: Array.from({ length: 9 }, (_, i) => `/a/${i}`), http: ['https://a.example/'] },
    }),
    /1 to 8/,
  );
  bad({ ...world, policy: { ...world.policy, approvalThreshold: { num: 1, den: 2 } } }, /approval/);
});

test('genesis: valid only with every founder signature, in order, over a world that keeps the rules', () => {
  assert.deepEqual(verifyGenesis(genesis), { ok: true });
  const fail = (g: unknown, pattern: RegExp) => {
    const r = verifyGenesis(g);
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, pattern);
    assert.throws(
      () => genesisState(g as never),
      (e: GovernanceError) => e.code === 'BAD_GENESIS',
    );
  };
  fail({ ...genesis, signatures: genesis.signatures.slice(1) }, /exactly one signature from every founder/);
  fail({ ...genesis, signatures: [...genesis.signatures].reverse() }, /sorted by name/);
  const forged = { ...genesis.signatures[1]!, signature: genesis.signatures[2]!.signature };
  fail(
    { ...genesis, signatures: [genesis.signatures[0], forged, ...genesis.signatures.slice(2)] },
    /does not verify/,
  );
  const probation: World = structuredClone(world);
  probation.members[0]!.status = 'probation';
  fail(
    assembleGenesis(
      probation,
      probation.members.map((m) => signGenesis(probation, m.name, keysFor(m.name).gov.secretKey)),
    ),
    /voting member since 0/,
  );
  const sameOrg: World = structuredClone(world);
  sameOrg.members[1]!.organisation = 'ORG M00';
  fail(
    assembleGenesis(
      sameOrg,
      sameOrg.members.map((m) => signGenesis(sameOrg, m.name, keysFor(m.name).gov.secretKey)),
    ),
    /ORGANISATION_TAKEN|organisation/,
  );
  fail({ ...genesis, world: { ...world, federation: 'other.test' } }, /does not verify/);
});

test('entries: every kind round-trips through encodeEntry/decodeEntry', () => {
  const ledger = new TestLedger(genesis);
  const kinds: LedgerEntry[] = [
    { kind: 'genesis', genesis },
    { kind: 'batch', height: 1, timeMs: 5, proposer: 'm00' },
    {
      kind: 'world',
      world: { ...world, version: 2, previous: ledger.state.worldHash },
      causes: ['ab'.repeat(32)],
    },
    { kind: 'outcome', motion: 'cd'.repeat(32), result: 'rejected', reason: 'NAME_TAKEN' },
    { kind: 'outcome', motion: 'cd'.repeat(32), result: 'expired' },
  ];
  for (const e of kinds) assert.deepEqual(decodeEntry(encodeEntry(e)), e);
});

test('entries: bounded, strict and typed errors for anything else', () => {
  const bad = (bytes: Uint8Array, pattern: RegExp) =>
    assert.throws(
      () => decodeEntry(bytes),
      (e: GovernanceError) => e instanceof GovernanceError && pattern.test(e.message),
    );
  bad(utf8Bytes('{"kind": "batch"}'), /canonical/);
  bad(utf8Bytes(`{"kind":"batch","pad":"${'x'.repeat(70_000)}"}`), /65535/);
  bad(utf8Bytes(`${'['.repeat(40)}${']'.repeat(40)}`), /deeper/);
  bad(canonicalBytes({ kind: 'vote' }), /kind/);
  bad(canonicalBytes({ kind: 'batch', height: 0, timeMs: 1, proposer: 'm00' }), /height/);
  bad(
    canonicalBytes({ kind: 'outcome', motion: 'ab'.repeat(32), result: 'passed', reason: 'lower case' }),
    /reason/,
  );
  assert.throws(
    () => encodeEntry({ kind: 'outcome', motion: 'x'.repeat(70_000), result: 'passed' } as LedgerEntry),
    /at most 65535/,
  );
});

test('fuzz: decodeEntry never throws anything but GovernanceError, on random and on mutated entries', () => {
  const valid = encodeEntry({ kind: 'genesis', genesis });
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
          const copy = new Uint8Array(valid);
          copy[i] = b;
          return copy;
        }),
      ),
      (bytes) => {
        try {
          decodeEntry(bytes);
        } catch (e) {
          assert.ok(e instanceof GovernanceError, String(e));
        }
      },
    ),
    { numRuns: 300, seed: 3 },
  );
  assert.equal(FEDERATION, world.federation);
  assert.ok(canonicalBytes(world as unknown as Json).length < 65_535);
});
