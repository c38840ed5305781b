#!/usr/bin/env node
// The `witan` command. This shim is plain JavaScript that any Node can run. It picks the CLI to
// run: the TypeScript sources in a development checkout (Node 24 strips their types), else the
// bundled JavaScript of the installed package (`dist/bundle/`, built from the compiled `dist/`:
// Node refuses to strip types under node_modules, and a bundle keeps a root's memory down; see
// scripts/bundle.ts). The sources win when both exist, so a `dist/` left by `npm pack` never runs
// stale code in a checkout. On Node >= 24 it loads the CLI in-process; otherwise it re-runs
// itself under the Node 24 the project brings (the `node` devDependency, or a release's own).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const entry = [join(here, '..', 'src', 'cli', 'main.ts'), join(here, '..', 'dist', 'bundle', 'main.js')].find(
  (p) => existsSync(p),
);
if (entry === undefined) {
  process.stderr.write(
    `witan: neither src/cli/main.ts nor dist/bundle/main.js is next to ${here}; reinstall witan (or run \`npm run build\` in a checkout).\n`,
  );
  process.exit(2);
}
const major = Number(process.versions.node.split('.')[0]);

if (major >= 24) {
  await import(pathToFileURL(entry).href);
} else {
  const bundled = [
    join(here, '..', 'node', 'bin', 'node'), // a release archive's own runtime
    join(here, '..', 'node_modules', 'node', 'bin', 'node'), // a checkout's devDependency
    join(here, '..', '..', 'node', 'bin', 'node'), // installed next to the "node" package
  ].find((p) => existsSync(p));
  if (bundled === undefined) {
    process.stderr.write(
      `witan needs Node.js 24 or newer (this is ${process.version}).\nRun \`npm ci\` in the witan folder to install the bundled Node 24, or install Node 24.\n`,
    );
    process.exit(2);
  }
  const child = spawn(bundled, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
