// The layers of src/ held by a test (docs/architecture.md "Layers"): imports run from higher
// layers to lower ones, the pure layers load no I/O except through their named shell files
// (which their index.ts does not re-export), no file-level import cycles (type-only imports
// count), and src/ never imports bench/, scripts/ or test/. The mutation tests show the
// checker catches each kind of break when it is added to the real graph.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import {
  buildGraph,
  checkGraph,
  type ImportGraph,
  importsOf,
  isIo,
  TARGET_LAYOUT,
  type Violation,
  withImport,
} from './import-graph.ts';

const REPO = join(import.meta.dirname, '..', '..');

function readSrcGraph(): ImportGraph {
  const files = new Map<string, string>();
  for (const e of readdirSync(join(REPO, 'src'), { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts')) continue;
    const path = join(e.parentPath, e.name);
    files.set(relative(REPO, path).split('\\').join('/'), readFileSync(path, 'utf8'));
  }
  return buildGraph(files);
}

const GRAPH = readSrcGraph();
const REAL = checkGraph(GRAPH, TARGET_LAYOUT);

/** Violations of the mutated graph that the real graph does not have. */
function added(graph: ImportGraph): Violation[] {
  const before = new Set(REAL.map((v) => v.message));
  return checkGraph(graph, TARGET_LAYOUT).filter((v) => !before.has(v.message));
}

test('the graph holds every file of src/ and what each imports', () => {
  assert.ok(GRAPH.size > 100, `only ${GRAPH.size} files read`);
  const root = GRAPH.get('src/node/root.ts');
  assert.ok(root?.files.includes('src/node/statement-pool.ts'));
  assert.ok(root?.packages.includes('pino'));
  for (const shell of TARGET_LAYOUT.shellFiles) assert.ok(GRAPH.has(shell), `${shell} is missing`);
});

test('src/ keeps the layout: layer direction, no I/O in pure layers, no cycles, nothing from outside src/', () => {
  assert.deepEqual(
    REAL.map((v) => v.message),
    [],
  );
});

test('importing the face of a pure folder loads no I/O, directly or through what it imports', () => {
  for (const folder of TARGET_LAYOUT.pure) {
    const face = `src/${folder}/index.ts`;
    if (!GRAPH.has(face)) continue;
    const seen = new Set([face]);
    const queue = [face];
    const io = new Set<string>();
    for (let i = 0; i < queue.length; i++) {
      const imports = GRAPH.get(queue[i]!);
      for (const p of imports?.packages ?? []) if (isIo(p, TARGET_LAYOUT)) io.add(`${queue[i]} → ${p}`);
      for (const f of imports?.files ?? []) {
        if (seen.has(f)) continue;
        seen.add(f);
        queue.push(f);
      }
    }
    assert.deepEqual([...io], [], `${face} loads I/O`);
  }
});

test('every kind of import is read: type-only, re-exports, side effects and import()', () => {
  const text = [
    "import type { A } from './a.ts';",
    "import { type B } from '../b.ts';",
    "export * from './c/index.ts';",
    "export type { D } from './d.ts';",
    "import './e.ts';",
    "const f = await import('./f.ts');",
    "type G = import('./g.ts').G;",
    "import { Type } from '@sinclair/typebox';",
    "import { readFileSync } from 'node:fs';",
  ].join('\n');
  assert.deepEqual(importsOf('src/x/y.ts', text), {
    files: [
      'src/x/a.ts',
      'src/b.ts',
      'src/x/c/index.ts',
      'src/x/d.ts',
      'src/x/e.ts',
      'src/x/f.ts',
      'src/x/g.ts',
    ],
    packages: ['@sinclair/typebox', 'node:fs'],
  });
});

test('mutation: an import from a lower layer to a higher one is reported', () => {
  const found = added(withImport(GRAPH, 'src/governance/rules.ts', { file: 'src/consensus/driver.ts' }));
  assert.deepEqual(
    found.map((v) => [v.kind, v.edge]),
    [['layer', 'src/governance/rules.ts → src/consensus/driver.ts']],
  );
});

test('mutation: routes importing the root are reported (api sits below node)', () => {
  const found = added(withImport(GRAPH, 'src/api/root-routes.ts', { file: 'src/node/root.ts' }));
  assert.deepEqual(
    found.map((v) => [v.kind, v.edge]),
    [
      ['layer', 'src/api/root-routes.ts → src/node/root.ts'],
      ['cycle', 'src/node/root.ts → src/api/public-routes.ts'],
    ],
  );
});

test('mutation: same-layer folders that are not listed may not import each other', () => {
  const found = added(withImport(GRAPH, 'src/audit/audit.ts', { file: 'src/node/root.ts' }));
  assert.deepEqual(
    found.map((v) => v.kind),
    ['layer'],
  );
  assert.equal(added(withImport(GRAPH, 'src/sim/world.ts', { file: 'src/consensus/driver.ts' })).length, 0);
});

test('mutation: an added import cycle is reported with its files', () => {
  // Close a loop over an import the tree has: signing-bytes.ts imports bytes.ts.
  const [from, to] = ['src/codec/signing-bytes.ts', 'src/codec/bytes.ts'];
  assert.ok(GRAPH.get(from)?.files.includes(to));
  const found = added(withImport(GRAPH, to, { file: from }));
  assert.deepEqual(
    found.map((v) => [v.kind, v.files, v.message]),
    [['cycle', [to, from], `import cycle: ${to} → ${from} → ${to}`]],
  );
});

test('mutation: a file importing itself is a cycle', () => {
  const found = added(withImport(GRAPH, 'src/ledger/merkle.ts', { file: 'src/ledger/merkle.ts' }));
  assert.deepEqual(
    found.map((v) => [v.kind, v.files]),
    [['cycle', ['src/ledger/merkle.ts']]],
  );
});

test('mutation: an I/O import into a pure file is reported; a shell file may do I/O', () => {
  for (const io of ['node:fs', 'node:fs/promises', 'level', '@libp2p/tcp', 'fastify', 'pino']) {
    const found = added(withImport(GRAPH, 'src/ledger/merkle.ts', { package: io }));
    assert.deepEqual(
      found.map((v) => [v.kind, v.edge]),
      [['io', `src/ledger/merkle.ts → ${io}`]],
      io,
    );
  }
  assert.equal(added(withImport(GRAPH, 'src/ledger/store.ts', { package: 'node:fs' })).length, 0);
  assert.equal(added(withImport(GRAPH, 'src/ledger/merkle.ts', { package: 'node:path' })).length, 0);
  assert.equal(added(withImport(GRAPH, 'src/node/root.ts', { package: 'level' })).length, 0);
});

test('mutation: a pure file importing a shell file, or a pure index re-exporting one, is reported', () => {
  const viaFile = added(withImport(GRAPH, 'src/governance/chain.ts', { file: 'src/ledger/store.ts' }));
  assert.deepEqual(
    viaFile.map((v) => [v.kind, v.edge]),
    [['io', 'src/governance/chain.ts → src/ledger/store.ts']],
  );
  const viaIndex = added(withImport(GRAPH, 'src/consensus/index.ts', { file: 'src/consensus/level-wal.ts' }));
  assert.deepEqual(
    viaIndex.map((v) => [v.kind, v.edge]),
    [['shell-export', 'src/consensus/index.ts → src/consensus/level-wal.ts']],
  );
});

test('mutation: src/ importing bench/, scripts/ or test/ is reported', () => {
  for (const outside of ['bench/lib/harness.ts', 'scripts/ledger-demo.ts', 'test/governance/fixtures.ts']) {
    const found = added(withImport(GRAPH, 'src/sim/cli.ts', { file: outside }));
    assert.deepEqual(
      found.map((v) => [v.kind, v.edge]),
      [['outside-src', `src/sim/cli.ts → ${outside}`]],
    );
  }
});

test('mutation: a file in a folder the layout does not place is reported', () => {
  const graph = new Map(GRAPH);
  graph.set('src/misc/helper.ts', { files: ['src/codec/index.ts'], packages: [] });
  assert.deepEqual(
    added(graph).map((v) => [v.kind, v.edge]),
    [['no-layer', 'src/misc/helper.ts']],
  );
});
