// tlogRoutes through fastify.inject() over a real LedgerStore: every route, content types, cache
// headers, nothing served past the published checkpoint, and bad input answered 4xx with the
// ledger left exactly as it was.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { ChangeSignal } from '../../src/api/change-signal.ts';
import { buildApiServer } from '../../src/api/server.ts';
import { type TlogWitness, tlogRoutes } from '../../src/api/tlog-routes.ts';
import { fromBase64, toBase64, toHex, utf8Bytes } from '../../src/codec/index.ts';
import { ed25519NoteSigner, signNote } from '../../src/crypto/index.ts';
import {
  decodeEntryBundle,
  formatCheckpoint,
  leafHash,
  verifyConsistency,
  verifyInclusion,
} from '../../src/ledger/index.ts';
import { LedgerStore } from '../../src/ledger/store.ts';
import { formatAddCheckpointBody } from '../../src/wire/index.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const ORIGIN = 'witan.test/tlog-routes';
const LOG_SEED = new Uint8Array(32).fill(7);
const FULL = 'public, max-age=31536000, immutable';

const entry = (i: number): Uint8Array => utf8Bytes(`{"i":${i},"pad":"${'x'.repeat(i % 17)}"}`);

async function publish(store: LedgerStore, size: number): Promise<string> {
  const text = formatCheckpoint({ origin: ORIGIN, size, rootHash: await store.rootAt(size), extensions: [] });
  const note = signNote(text, [ed25519NoteSigner(ORIGIN, LOG_SEED)]);
  await store.saveCheckpoint(size, note);
  return note;
}

type Fixture = { app: FastifyInstance; store: LedgerStore; calls: string[] };

/** 700 entries; checkpoints at 300 and 600, so entries 600..699 exist but are unpublished. */
async function fixture(
  t: { after: (fn: () => Promise<void> | void) => void },
  options: { witness?: boolean; publishSizes?: number[]; changes?: ChangeSignal } = {},
): Promise<Fixture> {
  const dir = makeTempDir('tlog');
  const store = await LedgerStore.open(dir, { origin: ORIGIN });
  await store.append(Array.from({ length: 300 }, (_, i) => entry(i)));
  for (const size of options.publishSizes ?? [300]) if (size <= 300) await publish(store, size);
  await store.append(Array.from({ length: 300 }, (_, i) => entry(300 + i)));
  for (const size of options.publishSizes ?? [600]) if (size > 300) await publish(store, size);
  await store.append(Array.from({ length: 100 }, (_, i) => entry(600 + i)));
  const calls: string[] = [];
  const witness: TlogWitness = {
    addCheckpoint: async (request) => {
      calls.push(formatAddCheckpointBody(request));
      return { status: 409, body: '300\n' };
    },
  };
  const app = await buildApiServer({
    bodyBytesMax: 96 * 1024,
    requestsPerMinute: 100_000,
    requestTimeoutMs: 5000,
    eventLoopDelayMaxMs: 5000,
    docs: false,
  });
  await app.register(tlogRoutes, {
    store,
    checkpointRefreshMs: 0,
    ...(options.witness ? { witness } : {}),
    ...(options.changes ? { changes: options.changes } : {}),
  });
  t.after(async () => {
    await app.close();
    await store.close();
    removeDir(dir);
  });
  return { app, store, calls };
}

test('GET /checkpoint serves the latest published note as text with a short cache lifetime', async (t) => {
  const { app, store } = await fixture(t);
  const res = await app.inject('/checkpoint');
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(res.headers['cache-control'], 'public, max-age=5');
  assert.equal(res.body, await store.checkpointNote(600));
  assert.match(res.body, /^witan\.test\/tlog-routes\n600\n/);
});

test('GET /checkpoint?after=&wait= answers once a larger checkpoint is published, at once if there is one, or when the wait ends', async (t) => {
  const changes = new ChangeSignal(5000);
  const { app, store } = await fixture(t, { changes });
  // Already past: at once, nothing waits.
  const now = await app.inject('/checkpoint?after=599&wait=5000');
  assert.match(now.body, /\n600\n/);
  assert.equal(changes.waiting, 0);
  // Not yet: the request waits until a checkpoint past 600 is published and the root says so.
  const started = performance.now();
  const waiting = app.inject('/checkpoint?after=600&wait=5000');
  while (changes.waiting === 0) await new Promise((r) => setTimeout(r, 5));
  changes.notify(); // something else changed: it looks again and keeps waiting
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(changes.waiting, 1);
  await publish(store, 650);
  changes.notify();
  const res = await waiting;
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /^witan\.test\/tlog-routes\n650\n/);
  assert.ok(performance.now() - started < 4000, 'answered at the change, not at the end of the wait');
  // Nothing new: the current checkpoint when the wait ends.
  const t0 = performance.now();
  const late = await app.inject('/checkpoint?after=650&wait=150');
  assert.match(late.body, /\n650\n/);
  assert.ok(performance.now() - t0 >= 140, 'waited');
  // Bounded and validated: a wait beyond the server's bound is cut to it; bad values are 400.
  for (const bad of ['wait=-1', 'wait=01', 'wait=1e3', 'after=x&wait=10', 'wait=1000000'])
    assert.equal((await app.inject(`/checkpoint?after=1&${bad}`)).statusCode, 400, bad);
  assert.equal(changes.waiting, 0);
});

test('long polls: a closing server answers every waiting request at once, and no request waits after', async (t) => {
  const changes = new ChangeSignal(5000);
  const { app } = await fixture(t, { changes });
  const started = performance.now();
  const waiting = [1, 2, 3].map(() => app.inject('/checkpoint?after=600&wait=5000'));
  while (changes.waiting < 3) await new Promise((r) => setTimeout(r, 5));
  changes.close();
  for (const res of await Promise.all(waiting)) assert.match(res.body, /\n600\n/);
  assert.equal((await app.inject('/checkpoint?after=600&wait=5000')).statusCode, 200);
  assert.ok(performance.now() - started < 2000);
});

test('GET /checkpoint is 404 before any checkpoint is published', async (t) => {
  const { app } = await fixture(t, { publishSizes: [] });
  const res = await app.inject('/checkpoint');
  assert.equal(res.statusCode, 404);
  assert.match(res.json().message, /no checkpoint has been published/);
  assert.equal((await app.inject('/tile/0/000')).statusCode, 404);
});

test('full hash tiles and entry bundles are immutable octet streams with the right bytes', async (t) => {
  const { app, store } = await fixture(t);
  const tile = await app.inject('/tile/0/001');
  assert.equal(tile.statusCode, 200);
  assert.equal(tile.headers['content-type'], 'application/octet-stream');
  assert.equal(tile.headers['cache-control'], FULL);
  assert.equal(tile.rawPayload.length, 8192);
  assert.deepEqual(new Uint8Array(tile.rawPayload), await store.tile(0, 1));
  for (let i = 0; i < 256; i += 51) {
    assert.deepEqual(new Uint8Array(tile.rawPayload.subarray(i * 32, i * 32 + 32)), leafHash(entry(256 + i)));
  }
  const bundle = await app.inject('/tile/entries/000');
  assert.equal(bundle.statusCode, 200);
  assert.equal(bundle.headers['content-type'], 'application/octet-stream');
  assert.equal(bundle.headers['cache-control'], FULL);
  const entries = decodeEntryBundle(new Uint8Array(bundle.rawPayload));
  assert.equal(entries.length, 256);
  for (const [i, e] of entries.entries()) assert.deepEqual(e, entry(i));
});

test('partial tiles: every width up to the published tree is served, with a short cache lifetime', async (t) => {
  const { app, store } = await fixture(t);
  // At 600: level 0 has tiles 0, 1 full and 2 with 88 hashes; level 1 has tile 0 with 2.
  for (const [url, width] of [
    ['/tile/0/002.p/88', 88],
    ['/tile/0/002.p/44', 44], // the width the checkpoint at 300 needs
    ['/tile/0/002.p/1', 1],
    ['/tile/1/000.p/2', 2],
    ['/tile/1/000.p/1', 1],
  ] as const) {
    const res = await app.inject(url);
    assert.equal(res.statusCode, 200, url);
    assert.equal(res.headers['cache-control'], 'public, max-age=60', url);
    assert.equal(res.rawPayload.length, width * 32, url);
    const level = url.startsWith('/tile/1') ? 1 : 0;
    assert.deepEqual(
      new Uint8Array(res.rawPayload),
      await store.tile(level, level === 0 ? 2 : 0, width),
      url,
    );
  }
  const bundle = await app.inject('/tile/entries/002.p/88');
  assert.equal(bundle.statusCode, 200);
  assert.equal(bundle.headers['cache-control'], 'public, max-age=60');
  const entries = decodeEntryBundle(new Uint8Array(bundle.rawPayload));
  assert.equal(entries.length, 88);
  assert.deepEqual(entries[87], entry(599));
  // The prefix of a full tile is a valid partial tile too.
  const prefix = await app.inject('/tile/0/000.p/10');
  assert.deepEqual(new Uint8Array(prefix.rawPayload), (await store.tile(0, 0)).slice(0, 320));
});

test('tiles past the published checkpoint are 404 even though the store already holds them', async (t) => {
  const { app, store } = await fixture(t);
  assert.equal(store.size(), 700);
  for (const url of [
    '/tile/0/002.p/89',
    '/tile/0/002',
    '/tile/0/003',
    '/tile/1/000.p/3',
    '/tile/1/000',
    '/tile/2/000.p/1',
    '/tile/entries/002.p/100',
    '/tile/entries/003.p/1',
    '/tile/63/x001/000',
  ]) {
    const res = await app.inject(url);
    assert.equal(res.statusCode, 404, url);
    assert.equal(res.json().code, 'NOT_FOUND', url);
    assert.match(res.json().message, /published tree of size 600/, url);
  }
});

test('every non-canonical tile path is refused with 400 BAD_TILE_PATH', async (t) => {
  const { app } = await fixture(t);
  for (const url of [
    '/tile/0/0',
    '/tile/0/00',
    '/tile/0/0000',
    '/tile/00/000',
    '/tile/01/000',
    '/tile/64/000',
    '/tile/0/x000/001',
    '/tile/0/001.p/0',
    '/tile/0/001.p/256',
    '/tile/0/001.p/007',
    '/tile/0/001.p/',
    '/tile/0/%30%30%31',
    '/tile/0/000/',
    '/tile/0/x1/000',
    '/tile/entries/',
    '/tile/entries/abc',
    '/tile/Entries/000',
    `/tile/0/${'x001/'.repeat(40)}000`,
  ]) {
    const res = await app.inject(url);
    assert.equal(res.statusCode, 400, url);
    assert.equal(res.json().code, 'BAD_TILE_PATH', url);
    assert.ok(res.json().message.length > 10, url);
  }
});

test('GET /ledger/entries pages base64 entries inside the published tree', async (t) => {
  const { app } = await fixture(t);
  const res = await app.inject('/ledger/entries?start=250&end=260');
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^application\/json/);
  const body = res.json() as { start: number; end: number; entries: string[] };
  assert.equal(body.start, 250);
  assert.equal(body.end, 260);
  assert.deepEqual(
    body.entries.map((e) => fromBase64(e)),
    Array.from({ length: 10 }, (_, i) => entry(250 + i)),
  );
  const open = (await app.inject('/ledger/entries?start=590')).json();
  assert.equal(open.end, 600); // defaults to the end of the published tree
  assert.equal(open.entries.length, 10);
});

test('GET /ledger/entries refuses bad ranges with BAD_RANGE or 404 and malformed numbers with BAD_QUERY', async (t) => {
  const { app } = await fixture(t);
  const cases: Array<[string, number, string, RegExp]> = [
    ['/ledger/entries?start=600', 404, 'INDEX_OUT_OF_RANGE', /past the published tree of size 600/],
    ['/ledger/entries?start=0&end=601', 404, 'INDEX_OUT_OF_RANGE', /past the published tree/],
    ['/ledger/entries?start=10&end=10', 400, 'BAD_RANGE', /greater than start/],
    ['/ledger/entries?start=0&end=1025', 400, 'BAD_RANGE', /at most 1024 entries/],
    ['/ledger/entries?start=01', 400, 'BAD_QUERY', /pattern/],
    ['/ledger/entries?start=-1', 400, 'BAD_QUERY', /pattern/],
    ['/ledger/entries?start=1e2', 400, 'BAD_QUERY', /pattern/],
    ['/ledger/entries?start=+5', 400, 'BAD_QUERY', /pattern/],
    ['/ledger/entries?start=99999999999999999', 400, 'BAD_QUERY', /pattern/],
    ['/ledger/entries', 400, 'BAD_QUERY', /start/],
  ];
  for (const [url, status, code, message] of cases) {
    const res = await app.inject(url);
    assert.equal(res.statusCode, status, url);
    assert.equal(res.json().code, code, url);
    assert.match(res.json().message, message, url);
  }
});

test('GET /ledger/proof/inclusion by index and by leaf hash gives proofs that verify', async (t) => {
  const { app, store } = await fixture(t);
  for (const url of ['/ledger/proof/inclusion?index=123', '/ledger/proof/inclusion?index=123&size=300']) {
    const res = await app.inject(url);
    assert.equal(res.statusCode, 200, url);
    const p = res.json() as {
      index: number;
      size: number;
      leafHash: string;
      rootHash: string;
      proof: string[];
    };
    assert.equal(p.index, 123);
    assert.equal(p.size, url.endsWith('300') ? 300 : 600);
    assert.deepEqual(fromBase64(p.rootHash), await store.rootAt(p.size));
    assert.ok(
      verifyInclusion(
        123,
        p.size,
        leafHash(entry(123)),
        p.proof.map((h) => fromBase64(h)),
        fromBase64(p.rootHash),
      ),
    );
  }
  const hash = leafHash(entry(599));
  for (const spelling of [toHex(hash), encodeURIComponent(toBase64(hash))]) {
    const res = await app.inject(`/ledger/proof/inclusion?leafHash=${spelling}`);
    assert.equal(res.statusCode, 200);
    const p = res.json();
    assert.equal(p.index, 599);
    assert.ok(
      verifyInclusion(
        599,
        600,
        hash,
        p.proof.map((h: string) => fromBase64(h)),
        fromBase64(p.rootHash),
      ),
    );
  }
});

test('GET /ledger/proof/inclusion refuses what it cannot prove with 4xx', async (t) => {
  const { app } = await fixture(t);
  const cases: Array<[string, number, string]> = [
    ['/ledger/proof/inclusion?index=600', 404, 'INDEX_OUT_OF_RANGE'],
    ['/ledger/proof/inclusion?index=300&size=300', 404, 'INDEX_OUT_OF_RANGE'],
    ['/ledger/proof/inclusion?index=1&size=601', 404, 'INDEX_OUT_OF_RANGE'],
    [`/ledger/proof/inclusion?leafHash=${toHex(leafHash(entry(650)))}`, 404, 'NOT_FOUND'], // stored, unpublished
    [`/ledger/proof/inclusion?leafHash=${toHex(leafHash(entry(400)))}&size=300`, 404, 'NOT_FOUND'],
    ['/ledger/proof/inclusion', 400, 'BAD_QUERY'],
    [`/ledger/proof/inclusion?index=1&leafHash=${toHex(leafHash(entry(1)))}`, 400, 'BAD_QUERY'],
    [`/ledger/proof/inclusion?leafHash=${toHex(leafHash(entry(1))).toUpperCase()}`, 400, 'BAD_ENCODING'],
    ['/ledger/proof/inclusion?leafHash=abcd', 400, 'BAD_ENCODING'],
    ['/ledger/proof/inclusion?index=007', 400, 'BAD_QUERY'],
  ];
  for (const [url, status, code] of cases) {
    const res = await app.inject(url);
    assert.equal(res.statusCode, status, url);
    assert.equal(res.json().code, code, url);
  }
});

test('GET /ledger/proof/consistency gives proofs that verify, and refuses bad sizes', async (t) => {
  const { app } = await fixture(t);
  for (const url of ['/ledger/proof/consistency?from=300', '/ledger/proof/consistency?from=17&to=300']) {
    const res = await app.inject(url);
    assert.equal(res.statusCode, 200, url);
    const p = res.json() as { from: number; to: number; fromRoot: string; toRoot: string; proof: string[] };
    assert.ok(
      verifyConsistency(
        p.from,
        p.to,
        p.proof.map((h) => fromBase64(h)),
        fromBase64(p.fromRoot),
        fromBase64(p.toRoot),
      ),
      url,
    );
  }
  const cases: Array<[string, number]> = [
    ['/ledger/proof/consistency?from=300&to=601', 404],
    ['/ledger/proof/consistency?from=301&to=300', 400],
    ['/ledger/proof/consistency?from=0300', 400],
    ['/ledger/proof/consistency', 400],
  ];
  for (const [url, status] of cases) assert.equal((await app.inject(url)).statusCode, status, url);
});

test('POST /ledger/add-checkpoint is 404 when this root is no witness', async (t) => {
  const { app } = await fixture(t);
  const res = await app.inject({ method: 'POST', url: '/ledger/add-checkpoint', payload: 'old 0\n\nx' });
  assert.equal(res.statusCode, 404);
  assert.match(res.json().message, /does not act as a witness/);
});

test('POST /ledger/add-checkpoint passes a well-formed body through to the witness and relays its answer', async (t) => {
  const { app, store, calls } = await fixture(t, { witness: true });
  const note = (await store.checkpointNote(600))!;
  const proof = (await store.consistencyProof(300, 600)).map((h) => `${toBase64(h)}\n`).join('');
  const body = `old 300\n${proof}\n${note}`;
  const res = await app.inject({
    method: 'POST',
    url: '/ledger/add-checkpoint',
    headers: { 'content-type': 'text/plain' },
    payload: body,
  });
  assert.equal(res.statusCode, 409);
  assert.equal(res.body, '300\n');
  assert.deepEqual(calls, [body]);
  // Content type does not matter: tlog-witness bodies are text.
  const bare = await app.inject({
    method: 'POST',
    url: '/ledger/add-checkpoint',
    headers: { 'content-type': 'application/octet-stream' },
    payload: `old 600\n\n${note}`,
  });
  assert.equal(bare.statusCode, 409);
  assert.equal(calls.length, 2);
});

test('POST /ledger/add-checkpoint refuses malformed and oversize bodies without calling the witness', async (t) => {
  const { app, store, calls } = await fixture(t, { witness: true });
  const note = (await store.checkpointNote(600))!;
  const hash = `${toBase64(new Uint8Array(32))}\n`;
  const bodies: Array<[string, number]> = [
    [`old 300\n${note}`, 400], // no blank line after the proof
    [`old 0300\n\n${note}`, 400],
    [`old -1\n\n${note}`, 400],
    [`new 300\n\n${note}`, 400],
    [`old 601\n\n${note}`, 400], // older than the checkpoint
    [`old 600\n${hash}\n${note}`, 400], // a proof to the same size
    [`old 300\n${hash.replace('=', '')}\n${note}`, 400],
    [`old 300\n${hash.repeat(64)}\n${note}`, 400],
    ['old 300\n\nnot a note\n', 400],
    [`old 300\n\n${note.replace('600', '60x')}`, 400],
    [`old 300\n\n${note}${'x'.repeat(70 * 1024)}`, 413],
  ];
  for (const [payload, status] of bodies) {
    const res = await app.inject({ method: 'POST', url: '/ledger/add-checkpoint', payload });
    assert.equal(res.statusCode, status, payload.slice(0, 40));
    assert.ok(res.json().message.length > 10);
  }
  assert.equal(calls.length, 0);
});

test('bad requests change nothing: size, root and checkpoints are as before', async (t) => {
  const { app, store } = await fixture(t, { witness: true });
  const before = { size: store.size(), root: toHex(store.rootHash()), note: await store.checkpointNote() };
  for (const url of [
    '/tile/0/0',
    '/tile/9/000',
    '/ledger/entries?start=999',
    '/ledger/proof/inclusion?index=x',
  ]) {
    assert.ok((await app.inject(url)).statusCode >= 400);
  }
  await app.inject({ method: 'POST', url: '/ledger/add-checkpoint', payload: 'garbage' });
  await app.inject({ method: 'PUT', url: '/tile/0/000', payload: 'x' });
  assert.deepEqual(
    { size: store.size(), root: toHex(store.rootHash()), note: await store.checkpointNote() },
    before,
  );
});

test('a newly published checkpoint is served at once when refresh is 0, and tiles follow it', async (t) => {
  const { app, store } = await fixture(t);
  assert.equal((await app.inject('/tile/0/002.p/188')).statusCode, 404);
  const note = await publish(store, 700);
  assert.equal((await app.inject('/checkpoint')).body, note);
  assert.equal((await app.inject('/tile/0/002.p/188')).statusCode, 200);
  assert.equal((await app.inject('/tile/entries/002.p/188')).statusCode, 200);
});

/** A server with no routes yet, closed after the test: for tests that register tlogRoutes themselves. */
async function bareServer(t: TestContext): Promise<FastifyInstance> {
  const app = await buildApiServer({
    bodyBytesMax: 4096,
    requestsPerMinute: 1000,
    requestTimeoutMs: 5000,
    eventLoopDelayMaxMs: 5000,
    docs: false,
  });
  t.after(() => app.close());
  return app;
}

test('a custom checkpointNote source decides what is published', async (t) => {
  const { store } = await fixture(t);
  const app = await bareServer(t);
  const note300 = (await store.checkpointNote(300))!;
  await app.register(tlogRoutes, { store, checkpointNote: async () => note300 });
  assert.equal((await app.inject('/checkpoint')).body, note300);
  assert.equal((await app.inject('/tile/0/001')).statusCode, 404);
  assert.equal((await app.inject('/tile/0/001.p/44')).statusCode, 200);
});

test('a synchronous checkpointNote source is served as it is, and one that throws is a 500 on every read', async (t) => {
  const { store } = await fixture(t);
  const app = await bareServer(t);
  let published = (await store.checkpointNote(300))!;
  await app.register(tlogRoutes, { store, checkpointNote: () => published, checkpointRefreshMs: 0 });
  assert.equal((await app.inject('/checkpoint')).body, published);
  assert.equal((await app.inject('/tile/0/001')).statusCode, 404);
  published = (await store.checkpointNote(600))!;
  assert.equal((await app.inject('/checkpoint')).body, published);
  assert.equal((await app.inject('/tile/0/001')).statusCode, 200);
  const broken = await bareServer(t);
  await broken.register(tlogRoutes, {
    store,
    checkpointNote: () => {
      throw new Error('disk on fire');
    },
    checkpointRefreshMs: 0,
  });
  for (const url of ['/checkpoint', '/tile/0/000', '/tile/entries/000', '/ledger/entries?start=0']) {
    const failed = await broken.inject(url);
    assert.equal(failed.statusCode, 500, url);
    assert.equal(failed.json().code, 'INTERNAL', url);
  }
});

/** Steps of the property below: append entries, or publish a checkpoint at a size the ledger has. */
const LedgerSteps = fc.array(
  fc.oneof(
    fc.record({ append: fc.integer({ min: 1, max: 300 }) }),
    fc.record({ publishAt: fc.double({ min: 0, max: 1, noNaN: true }) }),
  ),
  { minLength: 1, maxLength: 8 },
);

test('whatever is appended and published in turn, /checkpoint serves the latest note at once and tiles stop at its tree', async () => {
  await fc.assert(
    fc.asyncProperty(LedgerSteps, async (steps) => {
      const dir = makeTempDir('tlog-prop');
      const store = await LedgerStore.open(dir, { origin: ORIGIN });
      const app = await buildApiServer({
        bodyBytesMax: 4096,
        requestsPerMinute: 100_000,
        requestTimeoutMs: 5000,
        eventLoopDelayMaxMs: 5000,
        docs: false,
      });
      try {
        await app.register(tlogRoutes, { store, checkpointRefreshMs: 0 });
        let latest: { size: number; note: string } | undefined;
        for (const step of steps) {
          if ('append' in step) {
            const from = store.size();
            await store.append(Array.from({ length: step.append }, (_, i) => entry(from + i)));
          } else if (store.size() > 0) {
            const size = Math.max(1, Math.ceil(step.publishAt * store.size()));
            const note = await publish(store, size);
            if (latest === undefined || size >= latest.size) latest = { size, note };
          }
          const checkpoint = await app.inject('/checkpoint');
          if (latest === undefined) {
            assert.equal(checkpoint.statusCode, 404);
            continue;
          }
          assert.equal(checkpoint.statusCode, 200);
          assert.equal(checkpoint.body, latest.note);
          // The last bundle of the published tree is served; one entry more is not.
          const full = Math.floor(latest.size / 256);
          const width = latest.size % 256;
          const last =
            width === 0
              ? `${String(full - 1).padStart(3, '0')}`
              : `${String(full).padStart(3, '0')}.p/${width}`;
          assert.equal((await app.inject(`/tile/entries/${last}`)).statusCode, 200);
          if (store.size() > latest.size) {
            const beyond = latest.size + 1;
            const bWidth = beyond % 256;
            const bIndex = String(Math.floor(beyond / 256) - (bWidth === 0 ? 1 : 0)).padStart(3, '0');
            const path = bWidth === 0 ? `/tile/entries/${bIndex}` : `/tile/entries/${bIndex}.p/${bWidth}`;
            assert.equal((await app.inject(path)).statusCode, 404, path);
          }
        }
      } finally {
        await app.close();
        await store.close();
        removeDir(dir);
      }
    }),
    { numRuns: 12 },
  );
});

test('a tile answered once is answered again from memory only while the published tree holds it', async (t) => {
  const { store } = await fixture(t);
  const app = await bareServer(t);
  let published = (await store.checkpointNote(600))!;
  await app.register(tlogRoutes, { store, checkpointNote: async () => published, checkpointRefreshMs: 0 });
  const first = await app.inject('/tile/entries/001');
  const again = await app.inject('/tile/entries/001');
  assert.equal(again.statusCode, 200);
  assert.deepEqual(again.rawPayload, first.rawPayload);
  assert.equal(again.headers['cache-control'], FULL);
  assert.equal(again.headers['content-type'], 'application/octet-stream');
  assert.equal((await app.inject('/tile/0/002.p/88')).statusCode, 200);
  // A source that goes back to an older tree (say, a restored backup): nothing past it is served.
  published = (await store.checkpointNote(300))!;
  assert.equal((await app.inject('/tile/entries/001')).statusCode, 404);
  assert.equal((await app.inject('/tile/0/002.p/88')).statusCode, 404);
  assert.equal((await app.inject('/tile/entries/001.p/44')).statusCode, 200);
});

test('a checkpoint that cannot be read or is not of this ledger is an error answer on every read, never a hang', async (t) => {
  const { store } = await fixture(t);
  const broken = await bareServer(t);
  await broken.register(tlogRoutes, {
    store,
    checkpointNote: () => Promise.reject(new Error('disk on fire')),
    checkpointRefreshMs: 0,
  });
  const foreign = await bareServer(t);
  const otherOrigin = signNote(
    formatCheckpoint({
      origin: 'elsewhere.test/log',
      size: 300,
      rootHash: await store.rootAt(300),
      extensions: [],
    }),
    [ed25519NoteSigner('elsewhere.test/log', LOG_SEED)],
  );
  await foreign.register(tlogRoutes, {
    store,
    checkpointNote: async () => otherOrigin,
    checkpointRefreshMs: 0,
  });
  for (const url of ['/checkpoint', '/tile/0/000', '/tile/entries/000', '/ledger/entries?start=0']) {
    const failed = await broken.inject(url);
    assert.equal(failed.statusCode, 500, url);
    assert.equal(failed.json().code, 'INTERNAL', url);
    const refused = await foreign.inject(url);
    assert.equal(refused.statusCode, 503, url);
    assert.equal(refused.json().code, 'UNAVAILABLE', url);
  }
});
