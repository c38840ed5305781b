// Settings of the processes the `witan` command starts.

/**
 * Node.js flags a root process runs with, wherever roots are started: `witan devnet`, the tests
 * and the benchmarks (spawnRoot), the release's launcher for `witan start` (scripts/release.ts) and the
 * container image (deploy/Dockerfile); test/deploy/root-flags.test.ts holds the last two to it,
 * and to ROOT_ENV below.
 *
 * `--max-semi-space-size` bounds V8's young generation, in MiB per semi-space. Left to V8, it
 * grows to two 64 MiB semi-spaces under the allocation bursts of a root's start (loading
 * ≈ 1,600 modules, the genesis, the key ceremony) and the pages stay resident once touched, so
 * an idle root keeps ≈ 55 MB it does not use. At 4 MiB a root spends ≈ 4 % more CPU per GET
 * /world than under V8's default and as much per committed statement; at 1–2 MiB ≈ 20 % more
 * per request, and more time collecting while it relays (docs/architecture.md, "Decisions";
 * bench/RESULTS.md, root-memory).
 */
export const ROOT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/**
 * Environment a root process starts with, wherever ROOT_NODE_FLAGS are given; a value already
 * set in the environment wins (an operator's own choice).
 *
 * `MALLOC_ARENA_MAX` bounds the arenas of glibc's malloc, read once as the process starts. Left
 * alone, glibc gives threads arenas of their own, up to eight per core, and a root has eleven
 * threads (four of V8's for compiling and collecting, four of libuv's pool that LevelDB and
 * node:crypto use): each arena keeps the memory its thread freed. With two, an idle root holds
 * 3.5–4.6 MB less (bench/RESULTS.md, root-memory); even with one (≈ 5.7 MB less), its CPU per
 * committed statement and per GET stayed within the noise (docs/architecture.md, "Decisions").
 * Two rather than one, so the collector's threads on a larger machine do not all wait on the
 * main thread's arena. Other C libraries (musl) ignore it.
 */
export const ROOT_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** A root's environment: ROOT_ENV under `env` (this process's by default), whose values win. */
export function rootEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...ROOT_ENV, ...env };
}
