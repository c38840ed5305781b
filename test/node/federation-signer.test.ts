// Threshold signing between roots (src/node/federation/signer.ts) with real FROST shares and
// real signed gossip messages, delivered in memory: a signature costs one round once nonce
// commitments are announced; two roots offline do not stop five; a wrong share names its
// signer, is kept as evidence, and is never used; a replayed announcement, a request for bytes
// a signer would not sign, a reused nonce and a message not signed by its member are refused
// and change nothing; coordinators at work at the same time never take the same nonce.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino, { type Logger } from 'pino';
import { fromBase64, fromHex, toBase64, utf8Bytes } from '../../src/codec/index.ts';
import { generateKeyPair, type KeyPair, verifySignature } from '../../src/crypto/index.ts';
import { DkgParticipant, type GroupKey, type KeyShare } from '../../src/frost/index.ts';
import {
  COMMITMENTS_ANNOUNCE_MS,
  decodeFrostMessage,
  encodeFrostMessage,
  FederationError,
  FederationSigner,
  type FrostMessage,
  type Job,
  jobId,
  requestId,
  SHARE_TIMEOUT_MS,
} from '../../src/node/federation/index.ts';

const FEDERATION = 'signer.witan.test';
const JOB: Job = { kind: 'world', version: 7, part: 'note' };
/** Jobs signed until a coordinator picks the liar (five of seven each time: missed 30 times ≈ 1e-16). */
const LIAR_JOBS_MAX = 30;
const MESSAGE = utf8Bytes('witan/v1/federation/world\nsigner.witan.test\n7\n…\n');

interface Net {
  names: string[];
  nodeKeys: Map<string, KeyPair>;
  signers: Map<string, FederationSigner>;
  online: Set<string>;
  /** Messages on the wire, in order, with their sender. */
  wire: { from: string; bytes: Uint8Array; message: FrostMessage }[];
  /** Every message ever published. */
  history: { from: string; bytes: Uint8Array; message: FrostMessage }[];
  signed: Map<string, Uint8Array>;
  /** Per job (jobId), the roots that got its signature. */
  signedJobs: Map<string, Set<string>>;
  now: { ms: number };
  /** What each root would sign (a signer refuses other bytes). */
  agree: Map<string, Uint8Array>;
  deliver(): void;
  /** A root restarted: a new signer with the same share and none of the others' commitments. */
  restart(name: string): FederationSigner;
  group: GroupKey;
  key: string;
}

/** A DKG among members named m1 … mn (member names, as roots use them). */
function runDkg(n: number, threshold: number): { group: GroupKey; shares: KeyShare[] } {
  const config = {
    sessionId: 'ab'.repeat(32),
    participants: Array.from({ length: n }, (_, i) => `m${i + 1}`),
    threshold,
  };
  const ps = config.participants.map((name) => new DkgParticipant(config, name));
  const broadcasts = ps.map((p) => p.broadcast);
  const sealed = ps.flatMap((p) => p.round2(broadcasts));
  const results = ps.map((p) => p.round3(sealed.filter((x) => x.to === p.self)));
  return { group: results[0]!.group, shares: results.map((r) => r.share) };
}

function network(
  n: number,
  threshold: number,
  tamper?: (from: string, m: FrostMessage) => FrostMessage,
  log: Logger = pino({ level: 'silent' }),
): Net {
  const { group, shares } = runDkg(n, threshold);
  const names = shares.map((s) => s.participant);
  const key = toBase64(fromHex(group.publicKey));
  const nodeKeys = new Map(names.map((name) => [name, generateKeyPair()]));
  const now = { ms: 1_000_000 };
  const net: Net = {
    names,
    nodeKeys,
    signers: new Map(),
    online: new Set(names),
    wire: [],
    history: [],
    signed: new Map(),
    signedJobs: new Map(),
    now,
    agree: new Map(names.map((name) => [name, MESSAGE])),
    restart: (name) => start(name),
    group,
    key,
    deliver() {
      // Gossip: every message reaches every other online root, in order, until quiet.
      for (let i = 0; i < 1000 && net.wire.length > 0; i++) {
        const { from, bytes } = net.wire.shift()!;
        for (const to of net.online) {
          if (to === from) continue;
          const m = decodeFrostMessage(bytes, FEDERATION, (member) => nodeKeys.get(member)?.publicKey);
          net.signers.get(to)!.receive(m, bytes);
        }
      }
    },
  };
  const start = (name: string) => {
    const share: KeyShare = shares[names.indexOf(name)]!;
    const signer = new FederationSigner({
      federation: FEDERATION,
      nodeSecretKey: nodeKeys.get(name)!.secretKey,
      log,
      self: () => name,
      online: () => net.online,
      coordinators: () => names,
      messageOf: (job, k) => (k === key && job.kind === 'world' ? net.agree.get(name) : undefined),
      signed: (job, k, signature) => {
        net.signed.set(name, signature);
        const id = jobId(job, k);
        net.signedJobs.set(id, (net.signedJobs.get(id) ?? new Set()).add(name));
      },
      publish: (bytes) => {
        let message = decodeFrostMessage(bytes, FEDERATION, (m) => nodeKeys.get(m)?.publicKey);
        if (tamper !== undefined) {
          message = tamper(name, message);
          bytes = encodeFrostMessage(FEDERATION, message, nodeKeys.get(name)!.secretKey);
        }
        if (!net.online.has(name)) return;
        net.wire.push({ from: name, bytes, message });
        net.history.push({ from: name, bytes, message });
      },
      now: () => now.ms,
    });
    net.signers.set(name, signer);
    signer.setKeys([{ key, group, share }]);
    return signer;
  };
  for (const name of names) start(name);
  net.deliver();
  return net;
}

/** Runs timers and gossip until every online root has the signature or `rounds` pass. */
function run(net: Net, rounds = 40, stepMs = 500, job: Job = JOB): void {
  for (const s of net.signers.values()) s.want([{ job, key: net.key }]);
  for (let r = 0; r < rounds; r++) {
    for (const name of net.online) net.signers.get(name)!.tick();
    net.deliver();
    if ([...net.online].every((n) => net.signed.has(n))) return;
    net.now.ms += stepMs;
  }
}

test('seven roots, two offline: five sign in one round and every online root gets a plain Ed25519 signature', () => {
  const net = network(7, 5);
  net.online.delete(net.names[5]!);
  net.online.delete(net.names[6]!);
  run(net);
  for (const name of net.online) {
    const sig = net.signed.get(name);
    assert.ok(sig, `${name} has the signature`);
    assert.ok(verifySignature(fromBase64(net.key), MESSAGE, sig));
  }
  const requests = net.wire.length === 0 ? [] : net.wire;
  assert.deepEqual(requests, []);
  assert.equal(net.signers.get(net.names[0]!)!.faults.length, 0);
});

/** Runs every online root's timer every `stepMs` for `ms` with nothing to sign, and delivers. */
function rest(net: Net, ms: number, stepMs = 500): void {
  for (const s of net.signers.values()) s.want([]);
  for (let t = 0; t < ms; t += stepMs) {
    for (const name of net.online) net.signers.get(name)!.tick();
    net.deliver();
    net.now.ms += stepMs;
  }
}

test('at rest a root re-announces its commitments once a re-announce period; a root that restarted is greeted with them at once', () => {
  const net = network(4, 3);
  run(net);
  assert.equal(net.signed.size, 4);
  // At rest: each root announces at most once per COMMITMENTS_ANNOUNCE_MS (and once more at its edge).
  const restMs = 2 * COMMITMENTS_ANNOUNCE_MS;
  const before = net.history.length;
  rest(net, restMs);
  for (const name of net.names) {
    const announced = net.history
      .slice(before)
      .filter((h) => h.from === name && h.message.type === 'commitments');
    assert.ok(
      announced.length <= restMs / COMMITMENTS_ANNOUNCE_MS + 1,
      `${name} announced ${announced.length} times`,
    );
  }
  // m1 restarts: it announces its own commitments and holds none of the others' — which, at
  // rest, they would re-announce only up to COMMITMENTS_ANNOUNCE_MS later.
  const restarted = net.restart('m1');
  restarted.tick();
  net.deliver();
  assert.deepEqual(restarted.available(net.key), ['m1'], 'only its own commitments');
  // Its join is greeted: every root announces now, and m1 can pick any of them.
  for (const name of net.names) if (name !== 'm1') net.signers.get(name)!.greet();
  net.deliver();
  assert.deepEqual(restarted.available(net.key), net.names);
  net.signed.clear();
  run(net, 40, 500, { kind: 'world', version: 8, part: 'note' });
  assert.equal(net.signed.size, 4, 'every root has the next signature');
});

test('a root that sends a wrong share is named with its signed share as evidence, and the signature is made without it', () => {
  const liar = 'm2';
  const net = network(7, 5, (from, m) =>
    from === liar && m.type === 'share'
      ? { ...m, share: m.share.replace(/^../, (h) => (h === '00' ? '01' : '00')) }
      : m,
  );
  // Coordinators pick signers at random (five of seven): job after job until the liar is
  // picked; each job must still end signed by every online root, made without the liar.
  let faults: FederationSigner['faults'] = [];
  for (let version = 1; version <= LIAR_JOBS_MAX && faults.length === 0; version++) {
    net.signed.clear();
    run(net, 80, 500, { ...JOB, version });
    for (const name of net.online) {
      const sig = net.signed.get(name);
      assert.ok(
        sig && verifySignature(fromBase64(net.key), MESSAGE, sig),
        `job ${version} signed at ${name}`,
      );
    }
    faults = [...net.signers.values()].flatMap((s) => s.faults);
  }
  assert.ok(faults.length > 0, 'the coordinator named the liar');
  for (const f of faults) {
    assert.equal(f.member, liar);
    assert.equal(f.code, 'BAD_SHARE');
    // The evidence is the liar's own signed share message, which anyone can check.
    const share = decodeFrostMessage(
      fromBase64(f.evidence.share),
      FEDERATION,
      (m) => net.nodeKeys.get(m)?.publicKey,
    );
    assert.equal(share.member, liar);
  }
  for (const name of net.online) {
    const sig = net.signed.get(name);
    assert.ok(
      sig && verifySignature(fromBase64(net.key), MESSAGE, sig),
      `${name}: a valid signature, made without ${liar}`,
    );
  }
});

test('refused without effect: a replayed announcement, other bytes, a reused nonce, a message not signed by its member', () => {
  const net = network(4, 3);
  const [a, b] = net.names as [string, string];
  const signer = net.signers.get(a)!;
  const before = signer.available(net.key);
  // b announces again (a newer snapshot); then its first announcement is replayed: refused.
  net.now.ms += COMMITMENTS_ANNOUNCE_MS;
  net.signers.get(b)!.tick();
  net.deliver();
  const announcements = net.history.filter((h) => h.from === b && h.message.type === 'commitments');
  assert.ok(announcements.length >= 2);
  const first = announcements[0]!;
  signer.receive(first.message, first.bytes);
  assert.deepEqual(signer.available(net.key), before, 'a replayed announcement changes nothing');
  // A message signed by another member's node key than the one it names is refused.
  const forged = encodeFrostMessage(FEDERATION, first.message, net.nodeKeys.get(a)!.secretKey);
  assert.throws(
    () => decodeFrostMessage(forged, FEDERATION, (m) => net.nodeKeys.get(m)?.publicKey),
    (e: unknown) => e instanceof FederationError && e.code === 'BAD_ENVELOPE',
  );
  // A root asked to sign bytes it would not sign refuses; with every root agreeing, the job completes.
  const dissenter = net.names[2]!;
  net.agree.set(dissenter, utf8Bytes('something else\n'));
  run(net, 10);
  assert.equal(net.signed.has(dissenter), false);
  const askedForMessage = new Set(
    net.history
      .filter((h) => h.message.type === 'request' && h.message.message === toBase64(MESSAGE))
      .map((h) => requestId(h.message as Parameters<typeof requestId>[0])),
  );
  assert.ok(askedForMessage.size > 0);
  assert.equal(
    net.history.some(
      (h) => h.from === dissenter && h.message.type === 'share' && askedForMessage.has(h.message.request),
    ),
    false,
    'no share for bytes it would not sign',
  );
  net.agree.set(dissenter, MESSAGE);
  run(net, 60);
  assert.ok(net.signed.get(a) && verifySignature(fromBase64(net.key), MESSAGE, net.signed.get(a)!));
  // A request replayed after its nonces were used (every signer it named answered it):
  // every signer refuses, no share is sent.
  const answered = (h: Net['history'][number]): boolean => {
    if (h.message.type !== 'request') return false;
    const id = requestId(h.message);
    const from = new Set(
      net.history.flatMap((x) => (x.message.type === 'share' && x.message.request === id ? [x.from] : [])),
    );
    return h.message.commitments.every((c) => from.has(c.participant) || c.participant === h.from);
  };
  const request = net.history.find(answered)!;
  assert.ok(request, 'a request every signer answered');
  const shares = net.history.filter((h) => h.message.type === 'share').length;
  for (const name of net.names) net.signers.get(name)!.receive(request.message, request.bytes);
  net.deliver();
  assert.equal(
    net.history.filter((h) => h.message.type === 'share').length,
    shares,
    'no nonce is used twice',
  );
});

/** Worlds whose three parts are coordinated at once, one world after the other. */
const CONCURRENT_WORLDS = 30;
/** Simulated time per tick while a world's parts are signed: well under SHARE_TIMEOUT_MS in all. */
const TICK_MS = 100;

for (const [n, threshold] of [
  [4, 3],
  [7, 5],
] as const) {
  test(`${threshold} of ${n}: coordinators at work at the same time never take one nonce twice — no NONCE_REUSED, no share timeout`, () => {
    // Everything the roots log at warn or above: a signer's refusals, among others.
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const logged = () => lines.map((l) => JSON.parse(l) as { code?: string; msg: string });
    const net = network(n, threshold, undefined, log);
    for (let version = 1; version <= CONCURRENT_WORLDS; version++) {
      // The note, planet and moon of a world: jobs of their own, each with its own order of
      // coordinators, wanted at the same time by every root; coordinators take their
      // commitments before any sees another's request.
      const parts = ['note', 'planet', 'moon'] as const;
      const jobs = parts.map((part): Job => ({ kind: 'world', version, part }));
      const ids = jobs.map((job) => jobId(job, net.key));
      for (const s of net.signers.values()) s.want(jobs.map((job) => ({ job, key: net.key })));
      const start = net.now.ms;
      const done = () => ids.every((id) => net.signedJobs.get(id)?.size === n);
      while (!done() && net.now.ms - start < SHARE_TIMEOUT_MS) {
        for (const name of net.names) net.signers.get(name)!.tick();
        net.deliver();
        net.now.ms += TICK_MS;
      }
      assert.deepEqual(
        logged().filter((r) => r.code === 'NONCE_REUSED'),
        [],
        `world ${version}: no signer refused a request for a nonce it had used`,
      );
      assert.ok(done(), `world ${version}: every part signed at every root before a share timeout`);
      ids.forEach((id, k) => {
        const requests = net.history.filter(
          (h) => h.message.type === 'request' && jobId(h.message.job, net.key) === id,
        );
        assert.equal(requests.length, 1, `world ${version} ${parts[k]}: signed by its first request`);
      });
    }
    assert.deepEqual(logged(), [], 'nothing refused, nothing wrong');
  });
}
