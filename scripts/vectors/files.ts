// Writing a generator's vector files, or (--check) naming the ones on disk that differ from
// what the generator makes now. Shared by the generators that write files of their own.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { utf8Bytes } from '../../src/codec/index.ts';

function same(a: string | Uint8Array, b: Uint8Array): boolean {
  const x = typeof a === 'string' ? utf8Bytes(a) : a;
  return x.length === b.length && x.every((v, i) => v === b[i]);
}

/** Writes `files` into `dir`; with `--check` on the command line, exits 1 if any on disk is stale. */
export function writeVectorFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    if (check) {
      let current: Uint8Array;
      try {
        current = readFileSync(path);
      } catch {
        current = new Uint8Array(0);
      }
      if (!same(content, current)) {
        console.error(`stale: ${path}`);
        stale++;
      }
    } else {
      writeFileSync(path, content);
      console.log(`wrote ${path}`);
    }
  }
  if (stale > 0) process.exit(1);
}
