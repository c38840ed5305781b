// A federation at rest keeps its checkpoint fresh without writing it again and again: every
// member re-cosigns every COSIGN_REFRESH_MS, each root serves the note with the fresher
// cosignatures, and writes it to its ledger only when its size or content changes or the copy
// on disk is CHECKPOINT_DURABLE_REFRESH_MS old — so an idle root does not sync its disk every
// few seconds for timestamps a restart renews anyway. Four real root processes.

import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { cosignatureTimestamp, parseNote } from '../../src/crypto/index.ts';
import { CHECKPOINT_DURABLE_REFRESH_MS, COSIGN_REFRESH_MS } from '../../src/node/root.ts';
import { waitUntil } from '../helpers/wait.ts';
import {
  checkpointOf,
  createFederation,
  STEP,
  startAll,
  type TestFederation,
  type TestMember,
} from './fixtures/federation.ts';

/** A cosignature/v1 signature after its key ID: an 8-byte timestamp and an Ed25519 signature. */
const COSIGNATURE_V1_BYTES = 72;
/** Refresh periods watched at rest: each member re-cosigns this many times meanwhile. */
const REFRESHES_WATCHED = 2;

let fed: TestFederation;

before(async () => {
  fed = await createFederation();
  await startAll(fed);
});

after(() => fed.close());

/** The newest cosignature timestamp (seconds) in the note a root serves. */
async function newestCosignatureS(m: TestMember): Promise<number> {
  const note = parseNote((await checkpointOf(m)).text);
  // The federation's line and ML-DSA-44 lines carry no cosignature/v1 timestamp.
  const cosignatures = note.signatures.filter((s) => s.signature.length === COSIGNATURE_V1_BYTES);
  return Math.max(...cosignatures.map(cosignatureTimestamp));
}

/** Bytes in the LevelDB write-ahead logs of a root's ledger: they grow with every write. */
function ledgerLogBytes(dir: string): number {
  const ledger = join(dir, 'ledger');
  return readdirSync(ledger)
    .filter((f) => f.endsWith('.log'))
    .reduce((sum, f) => sum + statSync(join(ledger, f)).size, 0);
}

test('at rest, every root serves freshly cosigned checkpoints and writes none of them to disk', {
  timeout: 60_000,
}, async () => {
  assert.ok(CHECKPOINT_DURABLE_REFRESH_MS > (REFRESHES_WATCHED + 1) * COSIGN_REFRESH_MS);
  // The genesis checkpoint cosigned by every member, then one refresh for the writes it caused.
  await waitUntil(
    'the genesis checkpoint cosigned by all four members',
    async () => (await Promise.all(fed.members.map(checkpointOf))).every((c) => c.signers.length >= 4),
    STEP,
  );
  await sleep(COSIGN_REFRESH_MS + 1_000);
  const logs = fed.members.map((m) => ledgerLogBytes(m.dir));
  const newest = await Promise.all(fed.members.map(newestCosignatureS));

  await sleep(REFRESHES_WATCHED * COSIGN_REFRESH_MS + 1_000);

  const fresher = await Promise.all(fed.members.map(newestCosignatureS));
  fed.members.forEach((m, i) => {
    assert.ok(
      fresher[i]! >= newest[i]! + COSIGN_REFRESH_MS / 1000,
      `${m.name} serves cosignatures from ${fresher[i]}, no fresher than ${newest[i]}`,
    );
    assert.equal(ledgerLogBytes(m.dir), logs[i], `${m.name} wrote to its ledger at rest`);
  });
});
