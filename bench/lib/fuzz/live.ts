// Fuzzing a live root: a federation of one, started as its own process as `witan start` does,
// with a few committed statements; then its HTTP routes (tiles, ledger ranges and proofs,
// statements, motions, decisions, the tlog-witness endpoint, any path) and its libp2p protocols
// (rendezvous, circuit relay HOP) get fuzzed requests. A crash is a 5xx other than load
// shedding, an answer without a typed {code, message} body, a refused connection or a root that
// exits; the state (ledger size and root, world, pending statements, relay reservations,
// rendezvous registrations) must not change.

import { readFileSync } from 'node:fs';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import type { Libp2p, Stream } from '@libp2p/interface';
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { utf8Bytes } from '../../../src/codec/index.ts';
import { sha256 } from '../../../src/crypto/index.ts';
import {
  ballot,
  type Endpoints,
  motion,
  type SignedStatement,
  selfUpdate,
  signStatement,
  statementId,
  type World,
} from '../../../src/governance/index.ts';
import { RENDEZVOUS_RESPONSE_BYTES_MAX } from '../../../src/node/p2p/constants.ts';
import {
  decodeMessage,
  encodeMessage,
  formatAddCheckpointBody,
  frameReader,
  MessageType,
  RENDEZVOUS_PROTOCOL,
  ResponseStatus,
  sendFrame,
} from '../../../src/wire/index.ts';
import { createFederation, FEDERATION, type TestFederation } from '../../../test/node/fixtures/federation.ts';
import { relayCodecs } from './decoders.ts';
import type { Fixtures } from './fixtures.ts';
import { jsonBytes, mutateBytes, mutateJson, type Rng, randomBytes, randomJson } from './inputs.ts';
import type { FuzzTarget, Outcome } from './run.ts';

/** The roots' per-address request budget, lifted: the fuzzer sends from one address. */
const REQUESTS_PER_MINUTE = 10_000_000;
/** Load shedding only past this event loop delay: the fuzzer keeps the root busy on purpose. */
const EVENT_LOOP_DELAY_MAX_MS = 10_000;
/** Requests in flight at once against the root. */
const HTTP_CONCURRENCY = 24;
/** The state is read after this many windows of requests (a read is three requests). */
const STATE_EVERY_WINDOWS = 40;
/** One request or stream exchange; longer counts as a crash (the root stopped answering). */
const EXCHANGE_TIMEOUT_MS = 30_000;
const COMMIT_TIMEOUT_MS = 60_000;
const RELAY_HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop';
/** How long a stream waits for an answer frame: some requests have none (UNREGISTER). */
const STREAM_ANSWER_WAIT_MS = 250;
/** Streams open at once against the root (its rendezvous server takes 64, the relay 32 HOP streams). */
const STREAM_CONCURRENCY = 24;

export interface LiveRoot {
  httpUrl: string;
  p2pAddr: string;
  logFile: string;
  /** Statements the root has committed (JSON), its ledger size after them and the note it serves. */
  committed: unknown[];
  size: number;
  note: string;
  /** Ledger, world, pool, relay and rendezvous as one string: unchanged by any fuzzed request. */
  state(): Promise<string>;
  /** Lines the root logged at error level or above. */
  errors(): string[];
  stop(): Promise<void>;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return (await res.json()) as T;
}

export async function startLiveRoot(): Promise<LiveRoot> {
  // The fuzzer is one address sending as fast as the root answers: the per-address budget is lifted.
  const fed = await createFederation({
    members: 1,
    logLevel: 'warn',
    requestsPerMinute: REQUESTS_PER_MINUTE,
    eventLoopDelayMaxMs: EVENT_LOOP_DELAY_MAX_MS,
  });
  try {
    return await withFixtures(fed);
  } catch (err) {
    // A root left running would keep the caller's process alive.
    await fed.close();
    throw err;
  }
}

/** Starts the federation's one root and commits the fixture statements the fuzzer mutates. */
async function withFixtures(fed: TestFederation): Promise<LiveRoot> {
  const m = fed.members[0]!;
  await fed.start(m);
  const logFile = m.root!.logFile;
  const key = m.governanceKey.secretKey;
  const submit = async (s: Parameters<typeof signStatement>[0]): Promise<SignedStatement> => {
    const signed = signStatement(s, key);
    const res = await fetch(`${m.httpUrl}/statements`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signed),
    });
    if (res.status !== 202) throw new Error(`live root refused a fixture statement: ${await res.text()}`);
    return signed;
  };
  const status = () =>
    getJson<{ timeMs: number; height: number; ledger: { size: number } }>(`${m.httpUrl}/status`);
  const { world, hash } = await getJson<{ world: World; hash: string }>(`${m.httpUrl}/world`);
  const now = (await status()).timeMs;
  const state = { world, worldHash: hash } as Parameters<typeof motion>[0];
  const open = await submit(
    motion(state, m.name, [{ type: 'update-member', member: m.name, organisation: 'Fuzzed Org' }], now, {
      summary: 'fuzz',
    }),
  );
  const committed: SignedStatement[] = [open];
  const deadline = Date.now() + COMMIT_TIMEOUT_MS;
  while ((await status()).height < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const openId = statementId(open);
  committed.push(await submit(ballot(FEDERATION, m.name, openId, 'yes', now + 1, 'fuzz')));
  committed.push(
    await submit(selfUpdate(FEDERATION, m.name, now + 2, { endpoints: updatedEndpoints(world, m.name) })),
  );
  let size = 0;
  let note = '';
  // Every fixture statement committed, not only a height reached: on a loaded machine the
  // ballot and the self-update can land in two batches, and a commit during the fuzzing would
  // read as a state change made by a fuzzed input.
  const isCommitted = (signed: SignedStatement) =>
    getJson<{ status: string }>(`${m.httpUrl}/statements/${statementId(signed)}`).then(
      (r) => r.status === 'committed',
      () => false,
    );
  for (;;) {
    const s = await status();
    note = await fetch(`${m.httpUrl}/checkpoint`).then((r) => (r.ok ? r.text() : ''));
    size = Number(note.split('\n')[1] ?? 0);
    const allCommitted = (await Promise.all(committed.map(isCommitted))).every(Boolean);
    if (allCommitted && size === s.ledger.size) break;
    if (Date.now() > deadline) throw new Error(`the live root did not commit its fixtures; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const addrs = (await getJson<{ addrs: string[] }>(`${m.httpUrl}/status`)).addrs;
  return {
    httpUrl: m.httpUrl,
    p2pAddr: addrs.find((a) => a.includes('/tcp/') && !a.includes('/ws'))!,
    logFile,
    committed: committed.map((s) => JSON.parse(JSON.stringify(s)) as unknown),
    size,
    note,
    async state() {
      const s = await getJson<{
        height: number;
        worldVersion: number;
        pending: number;
        ledger: { size: number };
        relay: { reservations: number };
        rendezvous: { registrations: number };
      }>(`${m.httpUrl}/status`);
      const note = await fetch(`${m.httpUrl}/checkpoint`).then((r) => r.text());
      // The checkpoint's text (origin, size, root); its cosignature lines are renewed every few seconds.
      const text = note.slice(0, note.indexOf('\n\n'));
      return JSON.stringify([
        s.height,
        s.worldVersion,
        s.pending,
        s.ledger.size,
        s.relay,
        s.rendezvous,
        text,
      ]);
    },
    errors: () =>
      readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => /"level":(50|60)/.test(l)),
    stop: () => fed.close(),
  };
}

/** The member's endpoints with one more HTTP endpoint: a self-update must change something. */
function updatedEndpoints(world: World, name: string): Endpoints {
  const { endpoints } = world.members.find((x) => x.name === name)!;
  return { ...endpoints, http: [...endpoints.http, 'https://fuzz-root.example.org/'] };
}

type Request = {
  method: string;
  path: string;
  body?: Uint8Array | string;
  type?: string;
  /** The route answers refusals as text (C2SP tlog-witness), not as {code, message}. */
  plainRefusals?: boolean;
};

/** Sends one request; a typed answer is accepted (2xx) or refused (4xx, 503); anything else throws. */
async function exchange(live: LiveRoot, r: Request): Promise<Outcome> {
  const withBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
  const res = await fetch(`${live.httpUrl}${r.path}`, {
    method: r.method,
    ...(withBody ? { body: r.body, headers: { 'content-type': r.type ?? 'application/json' } } : {}),
    signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS),
  });
  const text = await res.text();
  if (res.status >= 200 && res.status < 400) return 'accepted';
  if (res.status >= 500 && res.status !== 503)
    throw new Error(`${r.method} ${r.path.slice(0, 120)}: ${res.status} ${text.slice(0, 200)}`);
  // A HEAD answer has no body; the route's own refusals may be text by its specification.
  if (r.method === 'HEAD' || r.plainRefusals === true) return 'refused';
  let body: { code?: unknown; message?: unknown } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: untyped
  }
  if (typeof body.code !== 'string' || typeof body.message !== 'string') {
    throw new Error(
      `${r.method} ${r.path.slice(0, 120)}: ${res.status} without {code, message}: ${text.slice(0, 200)}`,
    );
  }
  return 'refused';
}

/** A path segment or query value: a number at an edge, a mutated one, or noise. */
function numberish(rng: Rng, around: number): string {
  switch (rng.int(6)) {
    case 0:
      return String(around + rng.int(5) - 2);
    case 1:
      return rng.pick([
        '0',
        '-1',
        '007',
        '1e3',
        '+7',
        '9007199254740993',
        '18446744073709551616',
        '',
        ' 1',
        '0x10',
        'NaN',
        '1.5',
      ]);
    case 2:
      return String(rng.int(1 << 20));
    case 3:
      return encodeURIComponent(
        String.fromCharCode(...Array.from({ length: rng.int(6) }, () => rng.int(0x800))),
      );
    case 4:
      return rng.pick(['%00', '%2e%2e', '..', '%', '%zz', '\u0000']);
    default:
      return String(rng.pick([255, 256, 65_535, 2 ** 31, 2 ** 48, 2 ** 53]));
  }
}

function hexish(rng: Rng): string {
  return rng.chance(0.5)
    ? Buffer.from(rng.bytes(32)).toString('hex')
    : rng.pick(['', 'ab', 'G'.repeat(64), 'f'.repeat(65), 'F'.repeat(64), '%20'.repeat(30)]);
}

const tileIndex = (rng: Rng, n: number) => (rng.chance(0.7) ? String(n).padStart(3, '0') : numberish(rng, n));

/** The HTTP route targets. */
export function routeTargets(live: LiveRoot, f: Fixtures): FuzzTarget<Request>[] {
  const http = (name: string, input: (rng: Rng) => Request): FuzzTarget<Request> => ({
    name,
    input,
    feed: (r) => exchange(live, r),
    state: () => live.state(),
    concurrency: HTTP_CONCURRENCY,
    stateEvery: STATE_EVERY_WINDOWS,
    stateNeverChanges: true,
  });
  const statementDocs = live.committed;
  const statementBytes = statementDocs.map((d) => utf8Bytes(JSON.stringify(d)));
  const witnessSeeds = [
    utf8Bytes(f.witnessBody),
    utf8Bytes(formatAddCheckpointBody({ oldSize: 0, proof: [], note: live.note })),
    utf8Bytes(formatAddCheckpointBody({ oldSize: 1, proof: [new Uint8Array(32)], note: live.note })),
  ];
  return [
    http('route: GET /tile/…', (rng) => {
      const level = rng.chance(0.8) ? String(rng.int(3)) : numberish(rng, 0);
      const kind = rng.chance(0.5) ? 'entries' : level;
      const index = rng.chance(0.3)
        ? `x${tileIndex(rng, rng.int(3))}/${tileIndex(rng, rng.int(999))}`
        : tileIndex(rng, rng.int(2));
      const partial = rng.chance(0.5)
        ? `.p/${rng.chance(0.7) ? rng.int(257) : numberish(rng, live.size)}`
        : '';
      // Now and then a tile the root has: the partial tiles of its current tree.
      const held = rng.chance(0.1) ? `/tile/${rng.pick(['0', 'entries'])}/000.p/${live.size}` : undefined;
      const path = held ?? `/tile/${kind}/${index}${partial}`;
      return {
        method: rng.chance(0.95) ? 'GET' : rng.pick(['HEAD', 'POST', 'DELETE']),
        path: rng.chance(0.2) ? mutatePath(rng, path) : path,
      };
    }),
    http('route: GET /ledger/entries, proofs', (rng) => {
      const size = live.size;
      const which = rng.int(4);
      const q =
        which === 0
          ? `entries?start=${numberish(rng, rng.int(size))}&end=${numberish(rng, size)}`
          : which === 1
            ? `proof/inclusion?index=${numberish(rng, rng.int(size))}&size=${numberish(rng, size)}`
            : which === 2
              ? `proof/inclusion?leafHash=${hexish(rng)}&size=${numberish(rng, size)}`
              : `proof/consistency?from=${numberish(rng, 1)}&to=${numberish(rng, size)}`;
      return {
        method: 'GET',
        path: `/ledger/${rng.chance(0.1) ? mutatePath(rng, q) : q}${rng.chance(0.1) ? `&${numberish(rng, 1)}=${numberish(rng, 1)}` : ''}`,
      };
    }),
    http('route: POST /statements', (rng) => {
      const kind = rng.int(4);
      const body =
        kind === 0
          ? randomBytes(rng, 2048)
          : kind === 1
            ? mutateBytes(rng, rng.pick(statementBytes), statementBytes)
            : jsonBytes(rng, rng.chance(0.9) ? mutateJson(rng, rng.pick(statementDocs)) : randomJson(rng));
      return {
        method: 'POST',
        path: '/statements',
        body,
        type: rng.chance(0.95)
          ? 'application/json'
          : rng.pick(['text/plain', 'application/octet-stream', 'application/json; charset=latin1', '']),
      };
    }),
    http('route: GET /statements/:id, /motions/:id, /consensus/decisions', (rng) => {
      const which = rng.int(3);
      const path =
        which === 0
          ? `/statements/${hexish(rng)}`
          : which === 1
            ? `/motions/${hexish(rng)}`
            : `/consensus/decisions?from=${numberish(rng, 1)}${rng.chance(0.7) ? `&limit=${numberish(rng, 16)}` : ''}`;
      return { method: 'GET', path: rng.chance(0.1) ? mutatePath(rng, path) : path };
    }),
    http('route: POST /ledger/add-checkpoint', (rng) => {
      const body = rng.chance(0.1)
        ? randomBytes(rng, 4096)
        : mutateBytes(rng, rng.pick(witnessSeeds), witnessSeeds);
      return {
        method: 'POST',
        path: '/ledger/add-checkpoint',
        plainRefusals: true,
        body,
        type: rng.chance(0.9) ? 'text/plain' : 'application/json',
      };
    }),
    http('route: any path and method', (rng) => {
      const path = rng.pick([
        '/world',
        '/world/chain',
        '/members',
        '/motions',
        '/status',
        '/evidence',
        '/checkpoint',
        '/health',
        '/ui/',
        '/docs',
        '/metrics',
        '/statements',
        '/',
      ]);
      return {
        method: rng.pick(['GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']),
        path: rng.chance(0.6) ? mutatePath(rng, path) : path,
        ...(rng.chance(0.3) ? { body: randomBytes(rng, 512), type: 'application/json' } : {}),
      };
    }),
  ];
}

/** A path with a segment doubled, dropped, %-encoded, or made long or odd. */
function mutatePath(rng: Rng, path: string): string {
  const parts = path.split('/');
  const i = 1 + rng.int(Math.max(1, parts.length - 1));
  switch (rng.int(6)) {
    case 0:
      parts.splice(i, 0, parts[i] ?? '');
      break;
    case 1:
      parts.splice(i, 1);
      break;
    case 2:
      parts[i] = encodeURIComponent(parts[i] ?? '').replace(/./g, (c) =>
        rng.chance(0.3) ? `%${c.charCodeAt(0).toString(16)}` : c,
      );
      break;
    case 3:
      parts[i] = 'a'.repeat(rng.int(10_000));
      break;
    case 4:
      parts[i] = rng.pick(['..', '.', '%2e%2e', '%2F', '~', '*', '%00', 'é', '%C3%A9']);
      break;
    default:
      parts.push(`?${numberish(rng, 1)}=${numberish(rng, 1)}#${numberish(rng, 1)}`);
  }
  return parts.join('/').replace(/^([^/])/, '/$1');
}

/** A libp2p client of the root, to open one stream per fuzzed frame. */
const clientKey = () => generateKeyPairFromSeed('Ed25519', sha256(utf8Bytes('witan-fuzz/stream-client')));

export async function streamClient(live: LiveRoot): Promise<Libp2p> {
  const node = await createLibp2p({
    privateKey: await clientKey(),
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
  });
  await node.dial(multiaddr(live.p2pAddr));
  return node;
}

/**
 * One stream per input: the frame sent length-prefixed and our side closed for writing, one
 * answer frame read back. An answer or a stream the root closes or resets is fine; a connection
 * the root drops is a crash. Closing our side at once matters for speed, not for what is tested:
 * a request with no reply (a rendezvous UNREGISTER) leaves the root waiting for the stream's next
 * frame, and with our side open the exchange could only end at STREAM_ANSWER_WAIT_MS — which,
 * inputs being fed in windows, held up every input of its window.
 */
async function streamExchange(
  node: Libp2p,
  live: LiveRoot,
  protocol: string,
  frame: Uint8Array,
): Promise<Uint8Array | null> {
  const addr = multiaddr(live.p2pAddr);
  let stream: Stream;
  try {
    stream = await node.dialProtocol(addr, protocol, { signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS) });
  } catch (err) {
    throw new Error(`the root refused a ${protocol} stream: ${(err as Error).message}`);
  }
  try {
    await sendFrame(stream, frame);
    await stream.close();
    return await Promise.race([
      frameReader(stream, 64 * 1024).next(),
      new Promise<null>((r) => setTimeout(() => r(null), STREAM_ANSWER_WAIT_MS)),
    ]);
  } catch {
    stream.abort(new Error('done'));
    return null;
  }
}

/**
 * Rendezvous and circuit relay HOP frames over real streams: registrations and reservations may
 * change only on a request the root accepted (the client's own REGISTER and RESERVE are among
 * the seeds, so mutations of them are accepted now and then).
 */
export async function streamTargets(node: Libp2p, live: LiveRoot, f: Fixtures): Promise<FuzzTarget[]> {
  const { HopMessage, relaySeeds } = await relayCodecs();
  const record = new PeerRecord({ peerId: node.peerId, multiaddrs: [multiaddr('/ip4/127.0.0.1/tcp/4001')] });
  const own = (await RecordEnvelope.seal(record, await clientKey())).marshal();
  const rendezvousSeeds = [
    ...f.rendezvousFrames,
    encodeMessage({
      type: MessageType.REGISTER,
      register: { ns: 'fuzz/own', signedPeerRecord: own, ttl: 7200 },
    }),
  ];
  return [
    {
      name: 'stream: rendezvous frames',
      concurrency: STREAM_CONCURRENCY,
      input: (rng) => seedOrMutation(rng, rendezvousSeeds, 2048),
      feed: async (frame) => {
        const answer = await streamExchange(node, live, RENDEZVOUS_PROTOCOL, frame);
        if (answer === null) return 'refused';
        const m = decodeMessage(answer, { bytesMax: RENDEZVOUS_RESPONSE_BYTES_MAX, registrationsMax: 1000 });
        return m.type === MessageType.REGISTER_RESPONSE && m.registerResponse?.status === ResponseStatus.OK
          ? 'accepted'
          : 'refused';
      },
      state: () => live.state(),
    },
    {
      name: 'stream: circuit relay HOP frames',
      concurrency: STREAM_CONCURRENCY,
      input: (rng) => seedOrMutation(rng, relaySeeds, 1024),
      feed: async (frame) => {
        const answer = await streamExchange(node, live, RELAY_HOP_PROTOCOL, frame);
        if (answer === null) return 'refused';
        const m = HopMessage.decode(answer) as { type?: string; status?: string };
        return m.type === 'STATUS' && m.status === 'OK' ? 'accepted' : 'refused';
      },
      state: () => live.state(),
    },
  ];
}

/** A seed as it is now and then, random bytes sometimes, a mutation of a seed mostly. */
function seedOrMutation(rng: Rng, seeds: Uint8Array[], lengthMax: number): Uint8Array {
  if (rng.chance(0.05)) return rng.pick(seeds);
  if (rng.chance(0.2)) return randomBytes(rng, lengthMax);
  return mutateBytes(rng, rng.pick(seeds), seeds);
}
