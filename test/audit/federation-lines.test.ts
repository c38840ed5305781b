// The auditor and the federation key (docs/auditing.md): a root serving the federation-key vector
// ledger (ledger/vectors/federation) is audited with the governance rules; the report recomputes
// every federation key from its DKG transcript, names the member a ceremony left out, says the
// checkpoint carries the federation's signature and which members' ML-DSA-44 cosignatures
// verified. A checkpoint whose federation line or an ML-DSA-44 line is forged reports each
// apart: the forged line counts for nothing.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { formatText } from '../../src/audit/report.ts';
import { runAudit } from '../../src/audit/run.ts';
import { fromBase64, fromHex, toBase64 } from '../../src/codec/index.ts';
import { replay, type SignedGenesis } from '../../src/governance/index.ts';
import { startRoot, type TestRoot } from './fixtures/ledger-root.ts';

const VECTORS = join(import.meta.dirname, '..', '..', 'ledger', 'vectors', 'federation');
const vector = <T>(name: string): T => JSON.parse(readFileSync(join(VECTORS, name), 'utf8')) as T;
const ledger = vector<{ federation: string; genesis: SignedGenesis; entries: string[] }>('ledger.json');
const { note } = vector<{ note: string }>('checkpoint.json');
/** The vector checkpoint's cosignatures are dated 2026-01-01T00:00:00Z: the audit runs a minute later. */
const NOW_MS = Date.UTC(2026, 0, 1, 0, 1);

const open: TestRoot[] = [];
after(async () => {
  for (const r of open) await r.close();
});

const entries = ledger.entries.map((h) => fromHex(h));
const { state } = replay(ledger.genesis, entries.slice(1));

/** `witan audit` (its runner) of one root serving the vector ledger and `served` as its checkpoint. */
async function auditServing(served: string) {
  const root = await startRoot(entries, { world: state.world }, ledger.federation);
  open.push(root);
  root.published = served;
  const report = await runAudit({ genesis: ledger.genesis, roots: [root.url], nowMs: NOW_MS, workers: 1 });
  return { report, checkpoint: report.roots[0]!.checkpoint! };
}

type Edit = (line: string) => string | undefined;

/** The note with its `index`-th signature line (0 = first) edited, or dropped when `edit` gives undefined. */
function edited(index: number, edit: Edit): string {
  const [text, sigs] = note.split('\n\n') as [string, string];
  const lines = sigs.trimEnd().split('\n');
  const line = edit(lines[index]!);
  if (line === undefined) lines.splice(index, 1);
  else lines[index] = line;
  return `${text}\n\n${lines.join('\n')}\n`;
}

/** A signature line whose signature has its last byte flipped. */
const forge: Edit = (line) => {
  const at = line.lastIndexOf(' ');
  const bytes = fromBase64(line.slice(at + 1));
  bytes[bytes.length - 1]! ^= 0x01;
  return `${line.slice(0, at + 1)}${toBase64(bytes)}`;
};
const drop: Edit = () => undefined;

// The vector note's lines: the root's log signature, the federation's, three Ed25519
// cosignatures (alder, birch, cedar), then their ML-DSA-44 cosignatures.
const FEDERATION_LINE = 1;
const ALDER_ML_DSA_LINE = 5;
const keys = vector<{ keys: { vkey: string }[]; mlDsa: { name: string; vkey: string }[] }>('keys.json');
/** `name+keyid` of a vkey, as a verification error names it. */
const keyName = (vkey: string) => vkey.split('+').slice(0, 2).join('+');

test('the audit reports the federation signature, ML-DSA-44 cosigners and every key from its transcript', async () => {
  assert.ok(note.split('\n\n')[1]!.split('\n')[ALDER_ML_DSA_LINE]!.startsWith('— alder '));
  const { report, checkpoint } = await auditServing(note);
  assert.equal(report.result, 'verified', formatText(report));
  assert.equal(checkpoint.committed, true);
  assert.equal(checkpoint.federationSigned, true);
  assert.deepEqual(checkpoint.mlDsaCosigners, ['alder', 'birch', 'cedar']);
  const summary = report.governance!;
  assert.deepEqual(
    summary.federationKeys.map((k) => [k.version, k.threshold, k.participants.length]),
    [
      [2, 3, 4],
      [5, 3, 3],
    ],
  );
  assert.equal(summary.federationKeys.at(-1)!.publicKey, state.world.federationKey!.publicKey);
  assert.deepEqual(
    summary.ceremonyExclusions.map((x) => [x.member, x.reason]),
    [['cedar', 'DKG_ABSENT']],
  );
  const text = formatText(report);
  assert.match(text, /ML-DSA-44 +alder, birch, cedar\n/);
  assert.match(text, /federation +signed by the federation key\n/);
  assert.match(text, /left out: cedar \(DKG_ABSENT\)/);
});

test('a missing federation line or ML-DSA-44 line is reported apart; a forged one is a bad signature', async () => {
  const missing = await auditServing(edited(ALDER_ML_DSA_LINE, drop));
  assert.equal(missing.checkpoint.mlDsaCosigners.join(), 'birch,cedar');
  assert.equal(missing.checkpoint.federationSigned, true);
  const unsigned = await auditServing(edited(FEDERATION_LINE, drop));
  assert.equal(unsigned.report.result, 'verified', 'the federation line is not needed for a quorum');
  assert.equal(unsigned.checkpoint.federationSigned, false);
  assert.doesNotMatch(formatText(unsigned.report), /signed by the federation key/);
  for (const [line, vkey] of [
    [FEDERATION_LINE, keys.keys.at(-1)!.vkey],
    [ALDER_ML_DSA_LINE, keys.mlDsa.find((k) => k.name === 'alder')!.vkey],
  ] as const) {
    const { report } = await auditServing(edited(line, forge));
    assert.equal(report.result, 'violations');
    const bad = report.violations.find((v) => v.kind === 'bad-signature');
    assert.ok(bad, `a forged line by ${keyName(vkey)} is a bad signature`);
    assert.match(bad.message, new RegExp(keyName(vkey).replace('+', '\\+')));
  }
});
