// The command a release runs, as a few files: `npm run build` compiles the sources to dist/ (one
// module per source file, with declarations: what the package's exports serve) and then this
// script bundles the CLI and the auditor's signature worker from that output into dist/bundle/.
//
// Why a bundle for what runs: a root loads about 1,100 ES modules from dist/ and node_modules,
// and V8 keeps every module's record and whole source text (comments included, and as two bytes
// per character when a file holds one non-ASCII character) for as long as the process lives.
// Bundled, with comments and whitespace dropped and the text kept ASCII, an idle root is ≈ 20 MB
// smaller (bench/root-memory.ts measures both side by side). Names are kept, so a stack trace
// reads as it would from dist/.
//
// The shared chunks keep the CLI's lazy command loading: `witan --help` does not parse the root.
// Kept outside the bundle, loaded from node_modules as before: packages that read files from
// their own folder at run time (the LevelDB native addon, the OpenAPI document's UI and its
// generator).
//
//   node scripts/bundle.ts        (after tsc -p tsconfig.build.json; `npm run build` runs both)

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';

const REPO = join(import.meta.dirname, '..');
const DIST = join(REPO, 'dist');
export const BUNDLE_DIR = join(DIST, 'bundle');

/** Packages resolved from node_modules at run time because they read their own files. */
const BUNDLE_EXTERNAL: readonly string[] = ['classic-level', '@fastify/swagger', '@fastify/swagger-ui'];

/**
 * CommonJS dependencies call require() for Node's built-ins; an ES module has no require of its
 * own, so every output file gets one made for it.
 */
const REQUIRE_BANNER =
  "import { createRequire as witanCreateRequire } from 'node:module';\nconst require = witanCreateRequire(import.meta.url);";

/**
 * `node:http` reached through `require`, never through an ES module import. Node gives the
 * module lazy getters (`WebSocket`, `CloseEvent`, `MessageEvent`) that load the whole of undici
 * when read, and an ES module import reads every export to build its namespace: ≈ 9 MB more
 * resident memory in a bare process, ≈ 1.5 MB in an idle root (which loads much of the same
 * web-stream code anyway), for code no witan command uses. Required, the module is handed over
 * as it is and the getters stay unread. Other built-ins gain nothing from the same treatment.
 */
const NODE_HTTP_BY_REQUIRE: Plugin = {
  name: 'node-http-by-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?http$/ }, (args) =>
      args.kind === 'require-call' ? undefined : { path: 'node:http', namespace: 'witan-require' },
    );
    build.onLoad({ filter: /.*/, namespace: 'witan-require' }, () => ({
      contents: "module.exports = require('node:http');",
      loader: 'js',
    }));
  },
};

export async function bundle(): Promise<void> {
  await bundleInto(BUNDLE_DIR, {
    main: join(DIST, 'cli', 'main.js'),
    // Started by URL next to the module that starts it (siblingModuleUrl), so it is an entry.
    'verify-worker': join(DIST, 'audit', 'verify-worker.js'),
  });
}

/**
 * Bundles `entryPoints` (name → file) into `outdir`, replacing it, as the release's bundle is
 * made. A benchmark bundles its own programs here so that they load as a root loads. The external
 * packages (BUNDLE_EXTERNAL) resolve from a node_modules in or above `outdir`.
 */
export async function bundleInto(outdir: string, entryPoints: Record<string, string>): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: REPO,
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    external: [...BUNDLE_EXTERNAL],
    banner: { js: REQUIRE_BANNER },
    plugins: [NODE_HTTP_BY_REQUIRE],
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    charset: 'ascii',
    // Dependencies' licence notices go to one file per output beside it, not into memory.
    legalComments: 'linked',
    logLevel: 'warning',
  });
  if (result.errors.length > 0)
    throw new Error(`bundling failed: ${result.errors.map((e) => e.text).join('; ')}`);
}

if (import.meta.main) await bundle();
