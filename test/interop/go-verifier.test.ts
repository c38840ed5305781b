// Our ledger checked by code we did not write: test/interop/verifier (Go, golang.org/x/mod's
// sumdb/note and sumdb/tlog) verifies the demo log served over HTTP — checkpoint signature,
// every cosignature, tree hash from tiles, every entry bundle against its leaf hashes — then
// the log grows and the verifier proves consistency between the two checkpoints.
// Go and x/mod come from Debian (golang-go, golang-golang-x-mod-dev; .ci/run installs them).
// Without them this test FAILS: the interop guarantee must not pass silently.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { buildDemoLedger, demoKeys, serveDemo } from '../../scripts/ledger-demo.ts';
import { parseNote } from '../../src/crypto/index.ts';
import { tempDir } from '../helpers/temp.ts';

const run = promisify(execFile);
const X_MOD_GOPATH = '/usr/share/gocode';
const FIRST_ENTRIES = 20_000;
const GROWN_ENTRIES = 23_456;
const COSIGNERS = 3;

/** GOPATH mode against Debian's x/mod: builds offline, no module download. */
const goEnv = {
  ...process.env,
  GOPATH: X_MOD_GOPATH,
  GO111MODULE: 'off',
  GOFLAGS: '',
  GOPROXY: 'off',
  GOCACHE: join(tmpdir(), 'witan-go-build-cache'),
};

function buildVerifier(outDir: string): string {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    assert.fail(
      'Go is not on PATH: install it with `apt-get install -y golang-go golang-golang-x-mod-dev` (CI does); the independent ledger verifier needs it',
    );
  }
  if (!existsSync(join(X_MOD_GOPATH, 'src/golang.org/x/mod/sumdb/tlog'))) {
    assert.fail(
      `golang.org/x/mod is missing under ${X_MOD_GOPATH}: apt-get install -y golang-golang-x-mod-dev`,
    );
  }
  const binary = join(outDir, 'witan-verifier');
  const built = spawnSync('go', ['build', '-o', binary, '.'], {
    cwd: join(import.meta.dirname, 'verifier'),
    env: goEnv,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(built.status, 0, `go build failed:\n${built.stderr}`);
  return binary;
}

type Verdict = {
  ok: boolean;
  size: number;
  rootHash: string;
  entriesVerified: number;
  cosignaturesVerified: number;
  consistentWith: number;
  tilesFetched: number;
};

async function verify(binary: string, url: string, extra: string[]): Promise<Verdict> {
  const keys = demoKeys(COSIGNERS);
  const args = ['-url', url, '-vkey', keys.logVkey, ...keys.cosigners.flatMap((c) => ['-cosigner', c.vkey])];
  const { stdout } = await run(binary, [...args, ...extra], { timeout: 60_000 });
  return JSON.parse(stdout) as Verdict;
}

test('an independent Go verifier (golang.org/x/mod) accepts the demo log in full, and its growth', async () => {
  const work = tempDir('interop');
  const binary = buildVerifier(work);
  const dir = join(work, 'ledger');
  const oldNote = join(work, 'old.note');

  const first = await buildDemoLedger({ dir, entries: FIRST_ENTRIES, cosigners: COSIGNERS });
  let served = await serveDemo(first.store, 0);
  try {
    const verdict = await verify(binary, served.url, ['-save', oldNote]);
    assert.equal(verdict.ok, true);
    assert.equal(verdict.size, FIRST_ENTRIES);
    assert.equal(verdict.entriesVerified, FIRST_ENTRIES);
    assert.equal(verdict.cosignaturesVerified, COSIGNERS);
    assert.equal(verdict.rootHash, Buffer.from(first.rootHash).toString('base64'));
    assert.equal(readFileSync(oldNote, 'utf8'), first.note);
  } finally {
    await served.app.close();
    await first.store.close();
  }

  const grown = await buildDemoLedger({ dir, entries: GROWN_ENTRIES, cosigners: COSIGNERS });
  served = await serveDemo(grown.store, 0);
  try {
    const verdict = await verify(binary, served.url, ['-old', oldNote]);
    assert.equal(verdict.size, GROWN_ENTRIES);
    assert.equal(verdict.entriesVerified, GROWN_ENTRIES);
    assert.equal(verdict.consistentWith, FIRST_ENTRIES);

    // And it is a real check: a log key it does not know, or a forged cosigner, is refused.
    const other = demoKeys(COSIGNERS, 'other.witan.test');
    await assert.rejects(
      run(binary, ['-url', served.url, '-vkey', other.logVkey], { timeout: 60_000 }),
      /does not verify against the log key/,
    );
    const forged = demoKeys(COSIGNERS + 1).cosigners[COSIGNERS]!.vkey; // never cosigned this note
    await assert.rejects(verify(binary, served.url, ['-skip-entries', '-cosigner', forged]), /cosignature/);
  } finally {
    await served.app.close();
    await grown.store.close();
  }
  assert.equal(parseNote(grown.note).signatures.length, 1 + COSIGNERS);
});
