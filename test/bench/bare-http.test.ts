// The serving benchmarks' Node ceiling (bench/lib/bare-http.ts): it serves exactly the bytes
// of the files it was started on, by path, and nothing else.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startBareHttp } from '../../bench/lib/bare-http.ts';
import { tempDir } from '../helpers/temp.ts';

test('the bare node:http server answers each file under its folder by path, and 404 otherwise', async (t) => {
  const dir = tempDir('bare-http');
  mkdirSync(join(dir, 'tile', '0'), { recursive: true });
  writeFileSync(join(dir, 'world'), '{"version":1}');
  writeFileSync(join(dir, 'tile', '0', '000.p'), new Uint8Array([1, 2, 3]));
  const bare = await startBareHttp(dir);
  t.after(() => bare.child.kill());
  const world = await fetch(`${bare.url}/world`);
  assert.equal(world.status, 200);
  assert.equal(world.headers.get('content-type'), 'application/json');
  assert.equal(await world.text(), '{"version":1}');
  const tile = await fetch(`${bare.url}/tile/0/000.p`);
  assert.deepEqual(new Uint8Array(await tile.arrayBuffer()), new Uint8Array([1, 2, 3]));
  assert.equal((await fetch(`${bare.url}/checkpoint`)).status, 404);
});
