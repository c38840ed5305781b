// A demo ledger for outside implementers (ledger/LEDGER.md §Demo log):
//
//   npm run ledger:demo -- --entries N --port P [--dir D] [--cosigners K] [--json]
//
// builds (or reopens and grows to N) a ledger of N synthetic signed statements, publishes a
// C2SP checkpoint signed by the log key (Ed25519 note signature, name = origin) and cosigned
// (cosignature/v1) by K demo keys, and serves it per C2SP tlog-tiles on 127.0.0.1:P. Every key
// comes from a fixed seed, so two runs agree on every entry, root and vkey; only cosignature
// timestamps differ. test/interop checks this log with an independent Go verifier.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../src/api/server.ts';
import { tlogRoutes } from '../src/api/tlog-routes.ts';
import { canonicalBytes, signingBytes, toBase64, utf8Bytes } from '../src/codec/index.ts';
import {
  COSIGNATURE_V1_TYPE,
  cosignatureSigner,
  ED25519_NOTE_TYPE,
  ed25519NoteSigner,
  keyPairFromSeed,
  sha256,
  sign,
  signNote,
  vkeyString,
} from '../src/crypto/index.ts';
import { formatCheckpoint } from '../src/ledger/index.ts';
import { LedgerStore } from '../src/ledger/store.ts';

export const DEMO_ORIGIN = 'demo.witan.test';
export const DEMO_STATEMENT_DOMAIN = 'witan/v1/demo/statement';
/** Entries per append while building: one synced LevelDB batch each. */
const BUILD_BATCH_ENTRIES = 4096;
/** Demo statements are authored by a few demo keys in turn. */
const DEMO_AUTHORS = 4;
const DEMO_ENTRIES_MAX = 10_000_000;
const DEMO_COSIGNERS_MAX = 64;
/** Fixed creation time of statement 0 (2025-01-01T00:00:00Z); statement i is i seconds later. */
const DEMO_EPOCH_MS = 1_735_689_600_000;

/** A deterministic 32-byte seed for a demo key, from its role name. */
export function demoSeed(role: string): Uint8Array {
  return sha256(utf8Bytes(`witan ledger demo key: ${role}`));
}

export type DemoKeys = {
  origin: string;
  logSeed: Uint8Array;
  logVkey: string;
  cosigners: Array<{ name: string; seed: Uint8Array; vkey: string }>;
};

export function demoKeys(cosigners: number, origin = DEMO_ORIGIN): DemoKeys {
  const logSeed = demoSeed('log');
  return {
    origin,
    logSeed,
    logVkey: vkeyString(origin, ED25519_NOTE_TYPE, keyPairFromSeed(logSeed).publicKey),
    cosigners: Array.from({ length: cosigners }, (_, k) => {
      const name = `demo-cosigner-${k + 1}`;
      const seed = demoSeed(name);
      return { name, seed, vkey: vkeyString(name, COSIGNATURE_V1_TYPE, keyPairFromSeed(seed).publicKey) };
    }),
  };
}

const authorSeeds = Array.from({ length: DEMO_AUTHORS }, (_, a) => demoSeed(`author-${a + 1}`));
const authorKeys = authorSeeds.map((s) => toBase64(keyPairFromSeed(s).publicKey));

/**
 * Entry i: the canonical JSON of a ledger "statement" entry whose statement is a demo note
 * signed by one of the demo authors over signingBytes(DEMO_STATEMENT_DOMAIN, statement).
 */
export function demoEntry(index: number, origin = DEMO_ORIGIN): Uint8Array {
  const a = index % DEMO_AUTHORS;
  const statement = {
    kind: 'demo',
    federation: origin,
    author: `demo-author-${a + 1}`,
    authorKey: authorKeys[a]!,
    createdMs: DEMO_EPOCH_MS + index * 1000,
    index,
    text: `demo statement ${index}`,
  };
  const signature = toBase64(sign(authorSeeds[a]!, signingBytes(DEMO_STATEMENT_DOMAIN, statement)));
  return canonicalBytes({ kind: 'statement', statement: { statement, signature } });
}

export type DemoLedger = {
  store: LedgerStore;
  keys: DemoKeys;
  size: number;
  rootHash: Uint8Array;
  note: string;
};

/**
 * Opens the ledger in `dir` (creating it), appends demo entries until it holds `entries`
 * (never shrinks an existing one), then signs, cosigns and saves a checkpoint of its size.
 */
export async function buildDemoLedger(options: {
  dir: string;
  entries: number;
  cosigners: number;
  nowSeconds?: number;
  onProgress?: (size: number, target: number) => void;
}): Promise<DemoLedger> {
  const keys = demoKeys(options.cosigners);
  const store = await LedgerStore.open(options.dir, { origin: keys.origin });
  try {
    while (store.size() < options.entries) {
      const from = store.size();
      const to = Math.min(options.entries, from + BUILD_BATCH_ENTRIES);
      const batch: Uint8Array[] = [];
      for (let i = from; i < to; i++) batch.push(demoEntry(i, keys.origin));
      await store.append(batch);
      options.onProgress?.(to, options.entries);
    }
    const size = store.size();
    const rootHash = store.rootHash();
    const text = formatCheckpoint({ origin: keys.origin, size, rootHash, extensions: [] });
    const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
    const note = signNote(text, [
      ed25519NoteSigner(keys.origin, keys.logSeed),
      ...keys.cosigners.map((c) => cosignatureSigner(c.name, c.seed, now)),
    ]);
    await store.saveCheckpoint(size, note);
    return { store, keys, size, rootHash, note };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** Serves the store per C2SP tlog-tiles (plus the JSON routes) on host:port. */
export async function serveDemo(
  store: LedgerStore,
  port: number,
  host = '127.0.0.1',
): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildApiServer({
    bodyBytesMax: 96 * 1024,
    // A verifier fetches every tile and bundle; the demo is local, so no per-IP throttling.
    requestsPerMinute: 100_000_000,
    requestTimeoutMs: 30_000,
    eventLoopDelayMaxMs: 10_000,
    docs: false,
  });
  await app.register(tlogRoutes, { store });
  await app.listen({ port, host });
  const address = app.server.address();
  const actual = typeof address === 'object' && address !== null ? address.port : port;
  return { app, url: `http://${host}:${actual}` };
}

const USAGE = `usage: npm run ledger:demo -- --entries N --port P [--dir D] [--cosigners K] [--json]

Builds (or reopens and grows to N entries) a demo Witan ledger, publishes a checkpoint signed by
the log key and cosigned by K demo keys, and serves it per C2SP tlog-tiles on 127.0.0.1:P.

  --entries N     entries in the ledger (default 1000; an existing larger ledger is kept as is)
  --port P        TCP port on 127.0.0.1 (default 0: any free port)
  --dir D         ledger directory to create or reopen (default: a temporary one, removed on exit)
  --cosigners K   cosignature/v1 demo keys (default 3)
  --json          print origin, URL, size, root hash and vkeys as one JSON line
  --help          this text

Verify it with the vkeys it prints, e.g. with test/interop/verifier (Go, golang.org/x/mod).`;

function intArg(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^(0|[1-9][0-9]*)$/.test(value) || Number(value) > max) {
    console.error(`--${name} must be an integer in 0..${max}, got "${value}"\n\n${USAGE}`);
    process.exit(2);
  }
  return Number(value);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      options: {
        entries: { type: 'string' },
        port: { type: 'string' },
        dir: { type: 'string' },
        cosigners: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const entries = intArg('entries', values.entries as string | undefined, 1000, DEMO_ENTRIES_MAX);
  const port = intArg('port', values.port as string | undefined, 0, 65_535);
  const cosigners = intArg('cosigners', values.cosigners as string | undefined, 3, DEMO_COSIGNERS_MAX);
  const temporary = values.dir === undefined;
  const dir = (values.dir as string | undefined) ?? mkdtempSync(join(tmpdir(), 'witan-ledger-demo-'));
  const started = performance.now();
  const progress = (size: number, target: number): void => {
    const rate = Math.round(size / ((performance.now() - started) / 1000));
    process.stderr.write(`\rbuilding: ${size}/${target} entries (${rate}/s)   `);
  };
  const demo = await buildDemoLedger({ dir, entries, cosigners, onProgress: progress });
  process.stderr.write('\n');
  const { app, url } = await serveDemo(demo.store, port);
  const summary = {
    origin: demo.keys.origin,
    url,
    size: demo.size,
    rootHash: toBase64(demo.rootHash),
    logVkey: demo.keys.logVkey,
    cosignerVkeys: demo.keys.cosigners.map((c) => c.vkey),
    dir,
  };
  if (values.json) console.log(JSON.stringify(summary));
  else {
    console.log(`serving ${url}  (Ctrl-C to stop)`);
    console.log(`origin:     ${summary.origin}`);
    console.log(`tree size:  ${summary.size}`);
    console.log(`root hash:  ${summary.rootHash}`);
    console.log(`log vkey:   ${summary.logVkey}`);
    for (const v of summary.cosignerVkeys) console.log(`cosigner:   ${v}`);
    console.log(`ledger dir: ${dir}${temporary ? ' (temporary)' : ''}`);
  }
  let closing = false;
  const close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    await app.close();
    await demo.store.close();
    if (temporary) rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', close);
  process.on('SIGTERM', close);
}

if (import.meta.main) await main();
