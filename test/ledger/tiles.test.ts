import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeEntryBundle,
  encodeEntryBundle,
  formatTileIndex,
  formatTilePath,
  LedgerError,
  parseTilePath,
  tileWidthAt,
} from '../../src/ledger/index.ts';

const badPath = (err: unknown): boolean => err instanceof LedgerError && err.code === 'BAD_TILE_PATH';

test('tile indexes use 3-digit elements with x prefixes (C2SP tlog-tiles example)', () => {
  assert.equal(formatTileIndex(1234067), 'x001/x234/067');
  assert.equal(formatTileIndex(0), '000');
  assert.equal(formatTileIndex(999), '999');
  assert.equal(formatTileIndex(1000), 'x001/000');
  assert.equal(formatTilePath({ level: 0, index: 1234067, width: 256 }), 'tile/0/x001/x234/067');
  assert.equal(formatTilePath({ level: 2, index: 5, width: 17 }), 'tile/2/005.p/17');
  assert.equal(formatTilePath({ level: 'entries', index: 1000, width: 1 }), 'tile/entries/x001/000.p/1');
});

test('tile paths parse to what formats them', () => {
  assert.deepEqual(parseTilePath('tile/0/x001/x234/067'), { level: 0, index: 1234067, width: 256 });
  assert.deepEqual(parseTilePath('/tile/1/x001/x234/067.p/8'), { level: 1, index: 1234067, width: 8 });
  assert.deepEqual(parseTilePath('tile/entries/000.p/255'), { level: 'entries', index: 0, width: 255 });
  assert.deepEqual(parseTilePath('tile/63/000'), { level: 63, index: 0, width: 256 });
  fc.assert(
    fc.property(
      fc.oneof(fc.integer({ min: 0, max: 63 }), fc.constant('entries' as const)),
      fc.integer({ min: 0, max: 2 ** 44 }),
      fc.integer({ min: 1, max: 256 }),
      (level, index, width) => {
        const id = { level, index, width };
        assert.deepEqual(parseTilePath(formatTilePath(id)), id);
      },
    ),
    { numRuns: 500, seed: 256 },
  );
});

test('every non-canonical or malformed tile path is refused', () => {
  const bad = [
    '',
    'tile',
    'tile/0',
    'tile/0/',
    'tiles/0/000',
    'tile/00/000', // leading zero in L
    'tile/01/000',
    'tile/64/000', // L past 63
    'tile/-1/000',
    'tile/a/000',
    'tile/0/0', // short element
    'tile/0/0000',
    'tile/0/67',
    'tile/0/x000/067', // leading zero element
    'tile/0/x001/67',
    'tile/0/001/067', // inner element without x
    'tile/0/x001/x067', // last element with x
    'tile/0/X001/067',
    'tile/0/067.p/0', // W out of 1..255
    'tile/0/067.p/256',
    'tile/0/067.p/01', // leading zero in W
    'tile/0/067.p/',
    'tile/0/067.p',
    'tile/0/067.q/5',
    'tile/0/067/p/5',
    'tile/0/067.p/5/',
    'tile/0/067.p/5x',
    'tile/0/x001.p/5/067',
    'tile/entries/x000/001',
    'tile/entries/001.p/-1',
    'tile/0/x001/x002/x003/x004/x005/x006/007', // past any tree
    'tile/0/ 067',
    'tile//0/067',
    `tile/0/${'x001/'.repeat(40)}001`,
  ];
  for (const path of bad) assert.throws(() => parseTilePath(path), badPath, path);
});

test('tile widths at a tree size follow the C2SP example of a tree of 70,000', () => {
  const size = 70_000;
  let full0 = 0;
  for (let n = 0; n < 300; n++) if (tileWidthAt(0, n, size) === 256) full0++;
  assert.equal(full0, 273);
  assert.equal(tileWidthAt(0, 273, size), 112);
  assert.equal(tileWidthAt(0, 274, size), 0);
  assert.equal(tileWidthAt(1, 0, size), 256);
  assert.equal(tileWidthAt(1, 1, size), 17);
  assert.equal(tileWidthAt(2, 0, size), 1);
  assert.equal(tileWidthAt(3, 0, size), 0);
  assert.equal(tileWidthAt(0, 0, 256), 256);
  assert.equal(tileWidthAt(1, 0, 256), 1);
});

test('entry bundles are big-endian uint16 length-prefixed entries', () => {
  const entries = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(300).fill(9)];
  const bundle = encodeEntryBundle(entries);
  assert.deepEqual([...bundle.subarray(0, 5)], [0, 3, 1, 2, 3]);
  assert.deepEqual([...bundle.subarray(5, 9)], [0, 0, 0x01, 0x2c]);
  assert.equal(bundle.length, 2 + 3 + 2 + 2 + 300);
  assert.deepEqual(
    decodeEntryBundle(bundle).map((e) => [...e]),
    entries.map((e) => [...e]),
  );
  const max = new Uint8Array(65_535);
  assert.deepEqual([...encodeEntryBundle([max]).subarray(0, 2)], [0xff, 0xff]);
  assert.throws(() => encodeEntryBundle([new Uint8Array(65_536)]), /65,535/);
  assert.throws(() => decodeEntryBundle(bundle.subarray(0, bundle.length - 1)), /truncated/);
  assert.throws(() => decodeEntryBundle(new Uint8Array([0])), /truncated/);
});
