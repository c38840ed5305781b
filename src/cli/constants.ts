// Settings of the processes the `witan` command starts.

/**
 * Node.js flags a root process runs with, wherever roots are started: `witan devnet`, the tests
 * and the benchmarks (spawnRoot), the release's launcher for `witan start` (scripts/release.ts) and the
 * container image (deploy/Dockerfile); test/deploy/root-flags.test.ts holds the last two to it.
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
