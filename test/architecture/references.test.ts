// The repository speaks of itself only: every file a document or a comment names exists in
// the repository, and nothing points at places a user's clone does not have (folders outside
// it, the tracker, internal notes). A reader who follows a reference always finds it.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
/** Top-level folders whose paths documents and comments cite. */
const CITED_FOLDERS = 'src|test|docs|ledger|governance|deploy|bench|scripts|bin';
/** A path-like token: a cited folder, then path characters, ending in a file name or a slash. */
const PATH_TOKEN = new RegExp(`(?<![\\w./-])((?:${CITED_FOLDERS})/[\\w./*<>-]*[\\w/])`, 'g');
/** A markdown link or image target that is relative (not a URL, not an anchor). */
const MD_LINK = /\]\((?!https?:|mailto:|#)([^)\s]+)\)/g;
/** Words that mean the text points at the tracker or at internal notes. */
const OUTSIDE = [
  /\b[Ii]ssue #?\d+\b/,
  /\b(the|this|ledger|federation) issue\b|\bissue(?:'s)? goals?\b|\bthe issue's\b/i,
  /\bthe lead\b/,
];

/**
 * Pointers to files a clone does not have: a relative path through a folder the repository has
 * nowhere, or an all-capitals document (`NAME.md`) it does not hold.
 */
function foreignPointers(line: string, folders: ReadonlySet<string>, docs: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/\.\.\/([\w-]+)\//g)) if (!folders.has(m[1]!)) out.push(m[0]);
  for (const m of line.matchAll(/\b([A-Z][A-Z0-9_-]*\.md)\b/g)) if (!docs.has(m[1]!)) out.push(m[1]!);
  return out;
}

/** Every file a clone has (tracked, or new and not ignored). */
function repositoryFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f.length > 0);
}

/** The text files whose references are checked. */
function trackedFiles(): string[] {
  return repositoryFiles()
    .filter((f) => /\.(ts|md|js|json|yaml|yml|service|txt)$/.test(f))
    .filter((f) => !f.startsWith('node_modules/') && f !== 'package-lock.json')
    .filter((f) => !f.startsWith('ledger/vectors/') && existsSync(join(ROOT, f)));
}

/** Whether a cited path exists; a path with a placeholder (`<N>`, `*`) is checked up to it. */
function exists(path: string): boolean {
  const cut = path.search(/[<*]/);
  const concrete = cut === -1 ? path : path.slice(0, path.lastIndexOf('/', cut) + 1);
  return existsSync(join(ROOT, concrete.replace(/[.:,;]+$/, '')));
}

test('every repository path that a document or a comment cites exists', () => {
  const missing: string[] = [];
  for (const file of trackedFiles()) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const isDoc = file.endsWith('.md');
    // In code, only comments cite paths; strings may name files a test creates.
    const cited = isDoc
      ? text
      : text
          .split('\n')
          .filter((l) => /^\s*(\/\/|\*|\/\*)/.test(l))
          .join('\n');
    for (const m of cited.matchAll(PATH_TOKEN)) {
      if (!exists(m[1]!)) missing.push(`${file}: ${m[1]}`);
    }
    if (!isDoc) continue;
    for (const m of text.matchAll(MD_LINK)) {
      const target = m[1]!.split('#')[0]!;
      if (target === '') continue;
      const resolved = normalize(join(dirname(file), target));
      if (resolved.startsWith('..') || !existsSync(join(ROOT, resolved)))
        missing.push(`${file}: link ${m[1]}`);
    }
  }
  assert.deepEqual(missing, [], 'cited paths that do not exist in the repository');
});

test('nothing points outside the repository: no shared folders, tracker numbers or internal notes', () => {
  const found: string[] = [];
  const files = trackedFiles();
  const folders = new Set(repositoryFiles().flatMap((f) => f.split('/').slice(0, -1)));
  const docs = new Set(files.filter((f) => f.endsWith('.md')).map((f) => f.split('/').at(-1)!));
  for (const file of files) {
    if (file === 'test/architecture/references.test.ts') continue;
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      const foreign = foreignPointers(line, folders, docs).length > 0;
      if (foreign || OUTSIDE.some((w) => w.test(line))) found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, []);
});

test('the reference check itself fails on a missing path and on an outside pointer', () => {
  assert.equal(exists('src/codec/index.ts'), true);
  assert.equal(exists('src/codec/no-such-file.ts'), false);
  assert.equal(exists('ledger/vectors/<kind>/x.json'), true);
  assert.equal([...'see src/nowhere/x.ts here'.matchAll(PATH_TOKEN)][0]?.[1], 'src/nowhere/x.ts');
  const folders = new Set(['docs', 'src', 'codec']);
  const docs = new Set(['README.md']);
  assert.deepEqual(foreignPointers('as ../notes/PLAN.md says', folders, docs), ['../notes/', 'PLAN.md']);
  assert.deepEqual(
    foreignPointers("import '../codec/index.ts'; see ../docs/x and README.md", folders, docs),
    [],
  );
  assert.ok(OUTSIDE.some((w) => w.test('fixed in issue 12')));
  assert.ok(OUTSIDE.some((w) => w.test("ratioFigure('x', 1, 'ms', 'issue goal', 50)")));
  assert.ok(OUTSIDE.some((w) => w.test('// Goal from the ledger issue: ratio ≥ 0.8.')));
});
