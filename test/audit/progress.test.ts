import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatProgress } from '../../src/audit/progress.ts';

test('the progress line shows percentage, rate and ETA', () => {
  assert.equal(
    formatProgress('entries', 500, 1000, 2000),
    `entries [${'#'.repeat(15)}${'.'.repeat(15)}] 50% 500/1000 250/s ETA 2s`,
  );
  assert.match(formatProgress('entries', 10, 100_000, 1000), /ETA 166m39s$/);
});
