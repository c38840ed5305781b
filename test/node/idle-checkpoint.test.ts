// A federation at rest keeps its checkpoint fresh without writing it again and again: every
// member re-cosigns every COSIGN_REFRESH_MS, each root serves the note with the fresher
// cosignatures, and writes it to its ledger only when its size or content changes or the copy
// on disk is CHECKPOINT_DURABLE_REFRESH_MS old — so an idle root does not sync its disk every
// few seconds for timestamps a restart renews anyway — and sends the other members its ML-DSA-44
// lines (≈ 3.3 KB each) only now and then, not with every refresh. Four real root processes.

import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { COSIGNATURE_V1_BYTES } from '../../src/crypto/constants.ts';
import { cosignatureTimestamp, ML_DSA_44_SIGNATURE_BYTES, parseNote } from '../../src/crypto/index.ts';
import { ML_DSA_RESHARE_MS } from '../../src/node/cosignature-book.ts';
import { CHECKPOINT_DURABLE_REFRESH_MS, COSIGN_REFRESH_MS } from '../../src/node/root.ts';
import { waitUntil } from '../helpers/wait.ts';
import {
  checkpointOf,
  createFederation,
  metricsOf,
  STEP,
  sizeOf,
  startAll,
  type TestFederation,
  type TestMember,
} from './fixtures/federation.ts';

/** An ML-DSA-44 cosignature line after its key ID: an 8-byte timestamp and the signature. */
const ML_DSA_LINE_BYTES = 8 + ML_DSA_44_SIGNATURE_BYTES;
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

/** The byte lengths of a note's signatures (after their key IDs). */
const lineLengths = (note: string) => parseNote(note).signatures.map((s) => s.signature.length);

/** Bytes a root has sent the other members as cosignature messages on its direct streams. */
const cosignatureBytesSent = async (m: TestMember) =>
  (await metricsOf(m))('witan_direct_bytes_total', { kind: 'cosignatures', direction: 'sent' });

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
  // The genesis checkpoint complete on every root (each member's cosignature and ML-DSA-44 line:
  // new content, written at once), then one refresh period for the writes that caused.
  await waitUntil(
    'the genesis checkpoint with every cosignature and ML-DSA-44 line on every root',
    async () =>
      (await Promise.all(fed.members.map(checkpointOf))).every(
        (c) =>
          lineLengths(c.text).filter((n) => n === COSIGNATURE_V1_BYTES || n === ML_DSA_LINE_BYTES).length ===
          2 * fed.members.length,
      ),
    STEP,
  );
  await sleep(COSIGN_REFRESH_MS + 1_000);
  const logs = fed.members.map((m) => ledgerLogBytes(m.dir));
  const sizes = await Promise.all(fed.members.map(sizeOf));
  const newest = await Promise.all(fed.members.map(newestCosignatureS));

  await sleep(REFRESHES_WATCHED * COSIGN_REFRESH_MS + 1_000);

  const fresher = await Promise.all(fed.members.map(newestCosignatureS));
  assert.deepEqual(await Promise.all(fed.members.map(sizeOf)), sizes, 'nothing was committed meanwhile');
  fed.members.forEach((m, i) => {
    assert.ok(
      fresher[i]! >= newest[i]! + COSIGN_REFRESH_MS / 1000,
      `${m.name} serves cosignatures from ${fresher[i]}, no fresher than ${newest[i]}`,
    );
    assert.equal(ledgerLogBytes(m.dir), logs[i], `${m.name} wrote to its ledger at rest`);
  });
});

test('at rest, a root sends its ML-DSA-44 lines at most once a reshare period, its cosignatures every refresh', {
  timeout: 60_000,
}, async () => {
  const window = REFRESHES_WATCHED * COSIGN_REFRESH_MS + 1_000;
  assert.ok(window < ML_DSA_RESHARE_MS, 'one reshare at most in the window');
  // The note a root serves holds every line; what it shares every refresh leaves out the ML-DSA ones.
  const served = (await checkpointOf(fed.members[0]!)).text;
  const lines = served.split('\n');
  // Only an ML-DSA-44 line is longer than its signature's bytes (its base64 is 4/3 as long).
  const mlDsaBytes = lines.filter((l) => l.length > ML_DSA_LINE_BYTES).join('\n').length;
  const leanBytes = served.length - mlDsaBytes;
  assert.ok(
    mlDsaBytes > 4 * leanBytes,
    `ML-DSA-44 lines are ${mlDsaBytes} of the note's ${served.length} bytes`,
  );
  const peers = fed.members.length - 1;
  const sizes = await Promise.all(fed.members.map(sizeOf));
  const before = await Promise.all(fed.members.map(cosignatureBytesSent));
  await sleep(window);
  const sent = (await Promise.all(fed.members.map(cosignatureBytesSent))).map((b, i) => b - before[i]!);
  assert.deepEqual(await Promise.all(fed.members.map(sizeOf)), sizes, 'nothing was committed meanwhile');
  // Each refresh in the window, with room for one more, and the ML-DSA lines once (10 % slack
  // for timestamps and lines that differ between roots).
  const refreshes = Math.floor(window / COSIGN_REFRESH_MS) + 1;
  const bound = 1.1 * peers * (refreshes * leanBytes + mlDsaBytes);
  fed.members.forEach((m, i) => {
    assert.ok(sent[i]! > 0, `${m.name} shared its cosignatures`);
    assert.ok(
      sent[i]! <= bound,
      `${m.name} sent ${sent[i]} bytes of cosignature messages in ${window} ms, over ${bound}`,
    );
  });
});
