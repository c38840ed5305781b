// What operators and implementers install. `npm pack` (which builds dist/ first) is run once;
// its tarball is installed into a project outside the repository and used from plain JavaScript,
// as the `witan` command, and by a TypeScript consumer; then the release archive is built from it
// and run with no Node.js on PATH. Installing stays offline and quick: the scratch project gets
// the production dependencies copied from this checkout (checked against package-lock.json),
// so `npm install --offline` finds every dependency in place and adds only the tarball.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildRelease, copyProductionModules, packPackage, REPO } from '../../scripts/release.ts';
import { runWitan, startWitan } from '../helpers/witan.ts';

const PACKAGE = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  exports: Record<string, string>;
};
/** The Node 24 running this test, first on every PATH below (the machine's may be older). */
const NODE_DIR = dirname(process.execPath);
const COMMAND_TIMEOUT_MS = 120_000;
/** `witan devnet`'s whole story, from the installed package, on a loaded 2-core machine. */
const DEVNET_READY_TIMEOUT_MS = 150_000;
const AUDIT_TIMEOUT_MS = 30_000;
/** Devnet time at twice the default rate, as the devnet end-to-end test runs it. */
const DEVNET_CLOCK_RATE = 7200;

let work: string;
let tarball: string;
let project: string;

function run(command: string, args: string[], o: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const r = spawnSync(command, args, {
    cwd: o.cwd,
    encoding: 'utf8',
    timeout: COMMAND_TIMEOUT_MS,
    env: o.env ?? { ...process.env, PATH: `${NODE_DIR}${delimiter}${process.env.PATH}` },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'witan-package-'));
  tarball = packPackage(work);
  project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'uses-witan', private: true, type: 'module' }),
  );
  copyProductionModules(REPO, project);
  const installed = run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], {
    cwd: project,
  });
  assert.equal(installed.code, 0, installed.stderr);
});

after(() => rmSync(work, { recursive: true, force: true }));

test('the package holds compiled JavaScript with declarations, the dashboard, docs and specs, and no sources', () => {
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter((f) => f !== '')
    .map((f) => f.replace(/^package\//, ''));
  for (const f of [
    'bin/witan.js',
    'dist/bundle/main.js',
    'dist/bundle/verify-worker.js',
    'dist/cli/main.js',
    'dist/cli/healthcheck.js',
    'dist/audit/verify-worker.js',
    'ui/index.html',
    'docs/installing.md',
    'docs/operating-a-root.md',
    'deploy/witan.service',
    'ledger/LEDGER.md',
    'governance/CHARTER.md',
    'LICENSE',
    'SECURITY.md',
    'CHANGELOG.md',
  ])
    assert.ok(files.includes(f), `${f} is missing from the package`);
  for (const [entry, target] of Object.entries(PACKAGE.exports)) {
    if (!target.endsWith('.js')) continue;
    const path = target.replace(/^\.\//, '');
    assert.ok(files.includes(path), `${entry}: ${path} is missing`);
    assert.ok(files.includes(path.replace(/\.js$/, '.d.ts')), `${entry}: no declarations`);
  }
  const typescript = files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'));
  assert.deepEqual(typescript, [], 'TypeScript sources do not run under node_modules');
  assert.deepEqual(
    files.filter((f) => /^(src|test|bench|scripts|dist\/sim)\//.test(f)),
    [],
  );
});

test('every export loads from plain JavaScript in a project outside the repository', () => {
  assert.ok(!existsSync(join(project, 'node_modules', 'witan', 'src')));
  const names = Object.keys(PACKAGE.exports).filter((e) => e !== './package.json');
  const script = [
    ...names.map((e, i) => `import * as m${i} from ${JSON.stringify(`witan/${e.slice(2)}`)};`),
    "import pkg from 'witan/package.json' with { type: 'json' };",
    `const modules = { ${names.map((e, i) => `${JSON.stringify(e)}: m${i}`).join(', ')} };`,
    'const exported = Object.fromEntries(Object.entries(modules).map(([k, m]) => [k, Object.keys(m).length]));',
    'console.log(JSON.stringify({ version: pkg.version, exported,',
    '  auditor: typeof modules["./audit"].runAudit, peer: typeof modules["./overlay"].createOverlayPeer,',
    '  worldChain: typeof modules["./governance"].verifyWorldChain }));',
  ].join('\n');
  writeFileSync(join(project, 'check.js'), script);
  const r = run(process.execPath, ['check.js'], { cwd: project });
  assert.equal(r.code, 0, r.stderr);
  const seen = JSON.parse(r.stdout) as {
    version: string;
    exported: Record<string, number>;
    auditor: string;
    peer: string;
    worldChain: string;
  };
  assert.equal(seen.version, PACKAGE.version);
  for (const name of names) assert.ok((seen.exported[name] ?? 0) > 0, `${name} exports nothing`);
  assert.deepEqual([seen.auditor, seen.peer, seen.worldChain], ['function', 'function', 'function']);
});

test("the auditor's signature workers start from the compiled package", () => {
  writeFileSync(
    join(project, 'workers.js'),
    [
      "import { VerifyPool } from 'witan/audit';",
      "import { generateKeyPair, sign } from 'witan/crypto';",
      'const { publicKey, secretKey } = generateKeyPair();',
      "const message = new TextEncoder().encode('checked on a worker thread');",
      'const signature = sign(secretKey, message);',
      'const pool = new VerifyPool(1);',
      'const results = await pool.verify([',
      '  { publicKey, message, signature },',
      '  { publicKey, message: new Uint8Array([1]), signature },',
      ']);',
      'await pool.close();',
      'console.log(JSON.stringify(results));',
    ].join('\n'),
  );
  const r = run(process.execPath, ['workers.js'], { cwd: project });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [true, false]);
});

test('the declarations type-check in a TypeScript consumer, and catch a wrong type', () => {
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2024',
        strict: true,
        noEmit: true,
        // The declarations' own imports resolve or the consumer's imports would fail; checking
        // every dependency's declarations too would take most of a minute.
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(REPO, 'node_modules', '@types')],
      },
      files: ['consumer.ts'],
    }),
  );
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  const consumer = (extra: string) =>
    writeFileSync(
      join(project, 'consumer.ts'),
      [
        "import { runAudit } from 'witan/audit';",
        "import { verifyWorldChain, type World } from 'witan/governance';",
        "import { parseCheckpoint } from 'witan/ledger';",
        "import { createOverlayPeer } from 'witan/overlay';",
        'export const world: World | undefined = undefined;',
        "export const size: number = parseCheckpoint('').size;",
        'export const used = [runAudit, verifyWorldChain, createOverlayPeer];',
        extra,
      ].join('\n'),
    );
  consumer('');
  const ok = run(process.execPath, [tsc, '-p', '.'], { cwd: project });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  consumer("export const wrong: string = parseCheckpoint('').size;");
  const wrong = run(process.execPath, [tsc, '-p', '.'], { cwd: project });
  assert.equal(wrong.code, 2);
  assert.match(
    wrong.stdout,
    /consumer\.ts\(\d+,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/,
  );
});

test('npx witan --version and witan --help run the installed command', () => {
  const version = run('npx', ['--no', '--', 'witan', '--version'], { cwd: project });
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout.trim(), PACKAGE.version);
  const help = run(join(project, 'node_modules', '.bin', 'witan'), ['--help'], { cwd: project });
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage: witan \[options\] \[command\]/);
  assert.match(help.stdout, /devnet/);
});

/** The command lines of this machine's processes that name `script`. */
function processesRunning(script: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue; // gone meanwhile
    }
    if (cmdline.includes(script)) found.push(cmdline);
  }
  return found;
}

test('the installed command runs witan devnet from the bundle, roots included, and its audit verifies them', {
  timeout: DEVNET_READY_TIMEOUT_MS + AUDIT_TIMEOUT_MS + 30_000,
}, async () => {
  const installed = join(project, 'node_modules', 'witan');
  const bundled = join(installed, 'dist', 'bundle', 'main.js');
  const bin = join(installed, 'bin', 'witan.js');
  const net = join(work, 'devnet');
  const devnet = startWitan(['devnet', '--dir', net, '--clock-rate', String(DEVNET_CLOCK_RATE)], { bin });
  try {
    const story = await devnet.waitForOutput(/Ctrl-C stops every root/, DEVNET_READY_TIMEOUT_MS);
    assert.match(story, /world v2: federation key \S+ \(3 of 4\)/);
    assert.match(story, /epsilon is a voting member \(world v4\)/);
    assert.match(story, /"hello through the relay" went to \w+ and back through the relay/);
    // Every root is a process of the bundled CLI, not of the per-module dist/ nor the sources.
    const roots = processesRunning(`${bundled} start`);
    assert.equal(roots.length, 5, roots.join('\n'));
    // The audit verifies signatures on worker threads started from the bundle's own worker file.
    const urls = [...story.matchAll(/^\s+[a-z0-9-]+\s+(http:\/\/127\.0\.0\.1:\d+)\s+\(docs:/gm)].map(
      (m) => m[1]!,
    );
    const audit = await runWitan(
      ['audit', '--json', '--workers', '2', '--genesis', join(net, 'genesis.json'), ...urls],
      {
        bin,
        timeoutMs: AUDIT_TIMEOUT_MS,
      },
    );
    assert.equal(audit.code, 0, audit.stderr + audit.stdout);
    assert.equal((JSON.parse(audit.stdout) as { result: string }).result, 'verified');
    assert.deepEqual(await devnet.stop('SIGINT'), { code: 0, signal: null });
  } finally {
    await devnet.stop('SIGKILL');
  }
});

test("loading the bundle leaves Node's fetch and WebSocket (undici) unloaded", () => {
  // Every output file but the two entries (main.js runs the CLI, the worker waits for jobs),
  // imported in a fresh process: none may pull undici in, which no witan command needs and a
  // root would keep resident (`node:http` is reached through require: scripts/bundle.ts).
  const dir = join(project, 'node_modules', 'witan', 'dist', 'bundle');
  const script = [
    "import { readdirSync } from 'node:fs';",
    "import { join } from 'node:path';",
    'const dir = process.argv[1];',
    "for (const f of readdirSync(dir)) if (f.endsWith('.js') && f !== 'main.js' && f !== 'verify-worker.js') await import(join(dir, f));",
    'console.log(JSON.stringify(process.moduleLoadList.filter((m) => /undici/.test(m))));',
  ].join('\n');
  const loaded = run(process.execPath, ['--input-type=module', '--eval', script, dir], { cwd: project });
  assert.equal(loaded.code, 0, loaded.stderr);
  assert.deepEqual(JSON.parse(loaded.stdout), []);
});

test('the release archive runs its own Node with no node on PATH, at the path the systemd unit names', async () => {
  const { file, folder } = await buildRelease({
    packageFile: tarball,
    outDir: join(work, 'out'),
    gzipLevel: 1,
  });
  assert.equal(folder, `witan-${PACKAGE.version}-linux-x64`);
  const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
  assert.equal(readFileSync(`${file}.sha256`, 'utf8'), `${digest}  ${folder}.tar.gz\n`);

  // Installed as docs/installing.md says: unpacked into /opt/witan (here under a scratch root).
  const root = join(work, 'root');
  mkdirSync(join(root, 'opt', 'witan'), { recursive: true });
  execFileSync('tar', ['-xzf', file, '-C', join(root, 'opt', 'witan'), '--strip-components=1']);
  const home = join(root, 'opt', 'witan');
  for (const f of [
    'bin/witan',
    'bin/witan.js',
    'node/bin/node',
    'node/LICENSE',
    'dist/cli/main.js',
    'LICENSE',
  ])
    assert.ok(existsSync(join(home, f)), `${f} is missing from the release`);
  assert.ok(!existsSync(join(home, 'src')));

  // A PATH with only what the launcher uses besides /bin/sh: no node anywhere on it.
  const tools = join(work, 'tools');
  mkdirSync(tools);
  for (const tool of ['dirname', 'readlink'])
    symlinkSync(
      execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(),
      join(tools, tool),
    );
  const bare = { PATH: tools };
  assert.notEqual(run('sh', ['-c', 'command -v node'], { cwd: work, env: bare }).code, 0);
  const version = run(join(home, 'bin', 'witan'), ['--version'], { cwd: work, env: bare });
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout.trim(), PACKAGE.version);
  const runtime = run(join(home, 'node', 'bin', 'node'), ['--version'], { cwd: work, env: bare });
  assert.match(runtime.stdout, /^v24\./);

  // The unit checks out against this installation where systemd-analyze exists.
  const analyze = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' }).stdout.trim();
  if (analyze !== '') {
    mkdirSync(join(root, 'etc', 'systemd', 'system'), { recursive: true });
    cpSync(join(REPO, 'deploy', 'witan.service'), join(root, 'etc', 'systemd', 'system', 'witan.service'));
    // systemd's own units (sysinit.target and the rest) that the unit's dependencies name.
    cpSync('/usr/lib/systemd/system', join(root, 'usr', 'lib', 'systemd', 'system'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    const verify = run(
      analyze,
      ['verify', `--root=${root}`, join(root, 'etc', 'systemd', 'system', 'witan.service')],
      {
        cwd: work,
      },
    );
    assert.equal(verify.code, 0, verify.stderr);
    assert.equal(verify.stderr, '');
  }
});
