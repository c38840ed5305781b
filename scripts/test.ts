// `npm test`'s runner: every test file in its own process (node:test's run()), the long
// multi-process files first so that none of them starts last and runs on alone, and one
// compile cache for every process the tests start (roots, the witan command, crash children),
// so each loads its modules without transpiling and compiling them again.
// Usage: node scripts/test.ts [test files or folders…] [--test-name-pattern=<regexp>]

import { existsSync, globSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const ROOT = join(import.meta.dirname, '..');
const TEST_GLOB = 'test/**/*.test.ts';
/** Files run at once: one per core; the multi-process files mostly wait on their roots. */
const CONCURRENCY = Math.max(2, availableParallelism());
/** A single test that runs longer is stuck: the longest (the devnet story) takes about a minute. */
const TEST_TIMEOUT_MS = 300_000;
/** Shared by every process the run starts (children inherit the environment). */
const COMPILE_CACHE_DIR = join(tmpdir(), 'witan-compile-cache');

/**
 * The files that take longest, longest first (measured on a 2-core machine): each starts a
 * federation of root processes, a devnet, or dozens of child processes. Everything else follows
 * in path order.
 */
const LONG_FILES = [
  'test/e2e/devnet.test.ts',
  'test/node/federation-key.test.ts',
  'test/e2e/browser.test.ts',
  'test/release/package.test.ts',
  'test/e2e/motions-cli.test.ts',
  'test/netlab/nat-peers.test.ts',
  'test/deploy/compose.test.ts',
  'test/netlab/failover.test.ts',
  'test/overlay/scratch-project.test.ts',
  'test/docs/operating.test.ts',
  'test/node/readiness.test.ts',
  'test/node/federation-faults.test.ts',
  'test/node/recovery.test.ts',
  'test/node/duties.test.ts',
  'test/consensus/sigkill.test.ts',
  'test/e2e/ceremony.test.ts',
  'test/node/bad-input.test.ts',
  'test/sim/random.test.ts',
  'test/ledger/crash.test.ts',
  'test/node/byzantine.test.ts',
  'test/crypto/key-file.test.ts',
];

function testFiles(args: string[]): string[] {
  const all = globSync(TEST_GLOB, { cwd: ROOT }).sort();
  for (const f of LONG_FILES) {
    if (!all.includes(f)) throw new Error(`scripts/test.ts lists ${f}, which is not a test file any more`);
  }
  const chosen = args.flatMap((arg) => {
    const path = relative(ROOT, join(process.cwd(), arg));
    if (!existsSync(join(ROOT, path))) throw new Error(`no test file or folder ${arg}`);
    const inside = all.filter((f) => f.startsWith(`${path}/`));
    return inside.length > 0 ? inside : [path];
  });
  if (args.length === 0) chosen.push(...all);
  const long = LONG_FILES.filter((f) => chosen.includes(f));
  return [...long, ...chosen.filter((f) => !long.includes(f))];
}

const patterns = process.argv
  .slice(2)
  .filter((a) => a.startsWith('--test-name-pattern='))
  .map((a) => a.slice('--test-name-pattern='.length));
const files = testFiles(process.argv.slice(2).filter((a) => !a.startsWith('--')));
process.env.NODE_COMPILE_CACHE ??= COMPILE_CACHE_DIR;

run({
  files: files.map((f) => join(ROOT, f)),
  cwd: ROOT,
  concurrency: CONCURRENCY,
  timeout: TEST_TIMEOUT_MS,
  ...(patterns.length > 0 ? { testNamePatterns: patterns } : {}),
})
  .on('test:fail', () => {
    process.exitCode = 1;
  })
  .compose(spec)
  .pipe(process.stdout);
