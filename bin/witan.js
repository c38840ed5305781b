#!/usr/bin/env node
// The `witan` command. Witan's sources are TypeScript that Node.js 24 runs directly; the
// project brings Node 24 as a dependency (package "node") because many machines still ship
// Node 20. This shim is plain JavaScript that any Node can run: on Node >= 24 it loads the
// CLI in-process, otherwise it re-runs itself under the bundled Node 24.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, '..', 'src', 'cli', 'main.ts');
const major = Number(process.versions.node.split('.')[0]);

if (major >= 24) {
  await import(entry);
} else {
  const bundled = [
    join(here, '..', 'node_modules', 'node', 'bin', 'node'),
    join(here, '..', '..', 'node', 'bin', 'node'),
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
