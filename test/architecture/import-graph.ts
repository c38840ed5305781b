// The import graph of src/ and the rules it must keep (docs/architecture.md "Shape of the code").
//
// Pure: the graph is built from file texts handed in and checked against a layout value, so
// the test can check the real tree and the same tree with a forbidden edge added. Every
// import counts: static, type-only, re-exports and `import()` (ts.preProcessFile reads them
// all without type-checking). Relative specifiers become repository paths ("src/node/root.ts");
// anything else (a package or a node: builtin) is kept as written.

import { posix } from 'node:path';
import ts from 'typescript';

/** What one file imports: files by repository path, packages and builtins as written. */
export interface Imports {
  files: readonly string[];
  packages: readonly string[];
}

/** file (repository path) → what it imports. */
export type ImportGraph = ReadonlyMap<string, Imports>;

export interface Layout {
  /** Folder under src/ → its layer; a file may import its own folder or a lower layer. */
  layers: Readonly<Record<string, number>>;
  /** Same-layer imports that are allowed, as `from-folder → to-folder`. */
  sameLayer: readonly string[];
  /** Folders that may not import I/O, apart from their shell files. */
  pure: readonly string[];
  /** Files of pure folders that do the I/O; no index.ts re-exports them. */
  shellFiles: readonly string[];
  /** Package specifiers (exact, or a prefix ending in `/`) that mean I/O. */
  io: readonly string[];
}

export type ViolationKind = 'layer' | 'io' | 'shell-export' | 'cycle' | 'outside-src' | 'no-layer';

export interface Violation {
  kind: ViolationKind;
  /** `from → to`: the import to remove. A cycle names its closing edge (the last two files). */
  edge: string;
  /** The files involved: the two ends of an import, or every file of a cycle in order. */
  files: string[];
  message: string;
}

/** The decided layout (docs/architecture.md "Shape of the code"). */
export const TARGET_LAYOUT: Layout = {
  layers: {
    base: 0,
    codec: 1,
    crypto: 2,
    wire: 3,
    zerotier: 3,
    frost: 3,
    ledger: 4,
    governance: 5,
    consensus: 6,
    sim: 6,
    net: 7,
    api: 8,
    node: 9,
    audit: 9,
    overlay: 9,
    cli: 10,
  },
  sameLayer: ['sim → consensus'],
  pure: ['base', 'codec', 'crypto', 'wire', 'zerotier', 'frost', 'ledger', 'governance', 'consensus'],
  shellFiles: ['src/crypto/key-file.ts', 'src/ledger/store.ts', 'src/consensus/level-wal.ts'],
  io: [
    'node:fs',
    'node:fs/',
    'node:net',
    'node:http',
    'node:http2',
    'node:https',
    'node:dns',
    'node:dns/',
    'node:child_process',
    'node:worker_threads',
    'node:os',
    'level',
    'classic-level',
    'fastify',
    '@fastify/',
    'libp2p',
    'libp2p/',
    '@libp2p/',
    '@chainsafe/',
    'pino',
    'prom-client',
    'commander',
  ],
};

/** What one file imports (`file` is its repository path, `text` its source). */
export function importsOf(file: string, text: string): Imports {
  const specs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  const relative = specs.filter((s) => s.startsWith('.'));
  return {
    files: [...new Set(relative.map((s) => posix.normalize(posix.join(posix.dirname(file), s))))],
    packages: [...new Set(specs.filter((s) => !s.startsWith('.')))],
  };
}

/** The graph of the given files (repository path → source text). */
export function buildGraph(files: ReadonlyMap<string, string>): ImportGraph {
  const graph = new Map<string, Imports>();
  for (const [file, text] of files) graph.set(file, importsOf(file, text));
  return graph;
}

/** A copy of the graph with `from` also importing the file or package `to`. */
export function withImport(
  graph: ImportGraph,
  from: string,
  to: { file: string } | { package: string },
): ImportGraph {
  const was = graph.get(from) ?? { files: [], packages: [] };
  const next = new Map(graph);
  next.set(
    from,
    'file' in to
      ? { files: [...was.files, to.file], packages: was.packages }
      : { files: was.files, packages: [...was.packages, to.package] },
  );
  return next;
}

/** Every way the graph breaks the layout, sorted by edge. */
export function checkGraph(graph: ImportGraph, layout: Layout): Violation[] {
  const out: Violation[] = [];
  for (const [from, imports] of graph) {
    const placed = placeOf(from, layout);
    if (typeof placed === 'string') {
      out.push({ kind: 'no-layer', edge: from, files: [from], message: placed });
      continue;
    }
    for (const to of imports.packages) {
      if (placed.pure && isIo(to, layout)) {
        out.push(
          violation('io', from, to, `${from} is in the pure layer ${placed.folder} but imports ${to}`),
        );
      }
    }
    for (const to of imports.files) {
      const v = checkFileImport(from, placed, to, layout);
      if (v !== undefined) out.push(v);
    }
  }
  out.push(...findCycles(graph));
  return out.sort((a, b) => (a.edge < b.edge ? -1 : a.edge > b.edge ? 1 : 0));
}

const edgeKey = (from: string, to: string): string => `${from} → ${to}`;

/** The folder under src/ a file belongs to, or undefined for a file outside src/. */
export function folderOf(file: string): string | undefined {
  const parts = file.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

interface Place {
  folder: string;
  layer: number;
  /** Pure and not a shell file: may not import I/O. */
  pure: boolean;
}

/** The package's own manifest, which src/ may read for its version. */
export const PACKAGE_MANIFEST = 'package.json';

/** Where a file of src/ sits in the layout, or why it sits nowhere. */
function placeOf(file: string, layout: Layout): Place | string {
  const folder = folderOf(file);
  const layer = folder === undefined ? undefined : layout.layers[folder];
  if (folder === undefined || layer === undefined) {
    return `${file} is in no layer: put its folder in the layout (docs/architecture.md "Shape of the code")`;
  }
  return { folder, layer, pure: layout.pure.includes(folder) && !layout.shellFiles.includes(file) };
}

function checkFileImport(from: string, placed: Place, to: string, layout: Layout): Violation | undefined {
  const toFolder = folderOf(to);
  // The package manifest is data, not code: the one place the release version comes from.
  if (to === PACKAGE_MANIFEST) return undefined;
  if (toFolder === undefined)
    return violation('outside-src', from, to, `${from} imports ${to}, outside src/`);
  if (toFolder !== placed.folder) {
    const toLayer = layout.layers[toFolder];
    if (toLayer === undefined) {
      return violation('no-layer', from, to, `${from} imports ${to}, whose folder is in no layer`);
    }
    const allowed =
      toLayer < placed.layer ||
      (toLayer === placed.layer && layout.sameLayer.includes(`${placed.folder} → ${toFolder}`));
    if (!allowed) {
      const why = `${placed.folder} (layer ${placed.layer}) may not import ${toFolder} (layer ${toLayer})`;
      return violation('layer', from, to, `${why}: ${from} → ${to}`);
    }
  }
  if (!placed.pure || !layout.shellFiles.includes(to)) return undefined;
  // A pure folder's index.ts is its public face: a shell file behind it puts I/O in every importer.
  if (from === `src/${placed.folder}/index.ts`) {
    return violation(
      'shell-export',
      from,
      to,
      `${from} re-exports the shell file ${to}; importers use its path`,
    );
  }
  return violation(
    'io',
    from,
    to,
    `${from} is in the pure layer ${placed.folder} but imports the shell file ${to}`,
  );
}

/** Whether a package specifier is I/O under the layout. */
export function isIo(spec: string, layout: Layout): boolean {
  return layout.io.some((io) => (io.endsWith('/') ? spec.startsWith(io) : spec === io));
}

function violation(kind: ViolationKind, from: string, to: string, message: string): Violation {
  return { kind, edge: edgeKey(from, to), files: [from, to], message };
}

/**
 * The cycles of the graph: for each strongly connected component of files (Tarjan), the
 * shortest cycle through each of its files, each reported once, starting at its first file
 * by name. Bounded by the number of files; breaking these may leave others in the component,
 * which the next run reports.
 */
export function findCycles(graph: ImportGraph): Violation[] {
  const out = new Map<string, Violation>();
  for (const component of stronglyConnected(graph)) {
    for (const file of [...component].sort()) {
      const cycle = rotateToFirst(shortestCycle(graph, component, file));
      const closing = edgeKey(cycle[cycle.length - 1]!, cycle[0]!);
      const key = cycle.join(' → ');
      if (out.has(key)) continue;
      out.set(key, {
        kind: 'cycle',
        edge: closing,
        files: cycle,
        message: `import cycle: ${[...cycle, cycle[0]].join(' → ')}`,
      });
    }
  }
  return [...out.values()];
}

/** Components of more than one file, or of one file that imports itself. */
function stronglyConnected(graph: ImportGraph): Set<string>[] {
  const filesOf = (file: string): string[] => (graph.get(file)?.files ?? []).filter((f) => graph.has(f));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: Set<string>[] = [];
  let next = 0;
  // Iterative: a recursive walk's depth would be the longest import chain, which nothing bounds.
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { file: string; edges: string[]; at: number }[] = [];
    const enter = (file: string): void => {
      index.set(file, next);
      low.set(file, next);
      next += 1;
      stack.push(file);
      onStack.add(file);
      work.push({ file, edges: filesOf(file), at: 0 });
    };
    enter(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      if (top.at < top.edges.length) {
        const to = top.edges[top.at]!;
        top.at += 1;
        if (!index.has(to)) enter(to);
        else if (onStack.has(to)) low.set(top.file, Math.min(low.get(top.file)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.file, Math.min(low.get(parent.file)!, low.get(top.file)!));
      if (low.get(top.file) !== index.get(top.file)) continue;
      const component = new Set<string>();
      for (;;) {
        const f = stack.pop()!;
        onStack.delete(f);
        component.add(f);
        if (f === top.file) break;
      }
      if (component.size > 1 || filesOf(top.file).includes(top.file)) components.push(component);
    }
  }
  return components;
}

/** The shortest cycle through `start` inside its component (breadth first), as files in order. */
function shortestCycle(graph: ImportGraph, component: ReadonlySet<string>, start: string): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i]!;
    for (const to of graph.get(file)?.files ?? []) {
      if (!component.has(to)) continue;
      if (to === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return path;
      }
      if (cameFrom.has(to)) continue;
      cameFrom.set(to, file);
      queue.push(to);
    }
  }
  throw new Error(`no cycle through ${start} in a strongly connected component`);
}

function rotateToFirst(cycle: string[]): string[] {
  const first = cycle.indexOf([...cycle].sort()[0]!);
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}
