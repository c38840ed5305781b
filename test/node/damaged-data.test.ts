// A root whose data folder is damaged refuses to start with exit 4 (local state refuses) and
// one line that names the folder and says how to get good data back — never "a bug". Run
// through the real `witan start`; each refusal comes before the root opens a port.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Level } from 'level';
import { createLocalMember, foundFederation, type LocalMember } from '../../src/cli/federation.ts';
import { utf8Bytes } from '../../src/codec/index.ts';
import { DEFAULT_POLICY, encodeEntry, type SignedGenesis } from '../../src/governance/index.ts';
import { LedgerStore } from '../../src/ledger/store.ts';

const BIN = fileURLToPath(new URL('../../bin/witan.js', import.meta.url));
const FEDERATION = 'damaged.witan.test';
/** `witan start` refuses before anything listens; a refusal that takes longer is a failure. */
const START_TIMEOUT_MS = 60_000;

let base: string;
let members: LocalMember[];
let genesis: SignedGenesis;
let otherGenesis: SignedGenesis;

before(async () => {
  base = mkdtempSync(join(tmpdir(), 'witan-damaged-'));
  members = [];
  for (let i = 0; i < 5; i++) members.push(await createLocalMember(base, i));
  // Another genesis of the same federation name (founders 0, 1, 2, 4), then the one the
  // members are configured with (founders 0..3), which overwrites the first in their folders.
  otherGenesis = foundFederation({
    base: join(base, members[4]!.name),
    federation: FEDERATION,
    members: [members[0]!, members[1]!, members[2]!, members[4]!],
    policy: DEFAULT_POLICY,
  });
  genesis = foundFederation({
    base,
    federation: FEDERATION,
    members: members.slice(0, 4),
    policy: DEFAULT_POLICY,
  });
});

after(() => rmSync(base, { recursive: true, force: true }));

function start(m: LocalMember): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'start', '--config', join(m.dir, 'witan.json')], {
    encoding: 'utf8',
    timeout: START_TIMEOUT_MS,
  });
  return { code: r.status, stderr: r.stderr };
}

function refused(m: LocalMember, pattern: RegExp): void {
  const r = start(m);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /a bug|\n\s+at /, 'no stack trace, not reported as a bug');
}

async function ledgerOf(m: LocalMember, entries: Uint8Array[]): Promise<void> {
  const store = await LedgerStore.open(join(m.dir, 'ledger'), { origin: FEDERATION });
  await store.append(entries);
  await store.close();
}

test('a ledger whose entries do not replay: restore it or let the root rebuild it from its peers', async () => {
  const m = members[0]!;
  await ledgerOf(m, [encodeEntry({ kind: 'genesis', genesis }), utf8Bytes('{"kind":"nonsense"}')]);
  refused(
    m,
    new RegExp(
      `the ledger in ${join(m.dir, 'ledger')} does not replay from the genesis: ledger entry 1: .*restore .* from a backup, or delete .* rebuilds it from its peers`,
    ),
  );
});

test('a ledger store that contradicts itself names its folder and the way back', async () => {
  const m = members[1]!;
  await ledgerOf(m, [encodeEntry({ kind: 'genesis', genesis })]);
  const db = new Level<string, Uint8Array>(join(m.dir, 'ledger'), { valueEncoding: 'view' });
  await db.put('size', new Uint8Array(3));
  await db.close();
  refused(
    m,
    new RegExp(
      `the ledger in ${join(m.dir, 'ledger')} is damaged \\(the size record .*\\).*restore this folder from a backup`,
    ),
  );
});

test('a consensus write-ahead log that does not decode: restore it, never just drop it', async () => {
  const m = members[2]!;
  const db = new Level<string, Uint8Array>(join(m.dir, 'consensus'), { valueEncoding: 'view' });
  await db.put('consensus/record', utf8Bytes('{"height":"x"}'));
  await db.close();
  refused(
    m,
    new RegExp(
      `the consensus write-ahead log in ${join(m.dir, 'consensus')} is damaged: .*restore the WAL from a backup.*decided height 1.*conflicts with one it already sent`,
    ),
  );
});

test('a ledger made from another genesis is refused, not replayed against this one', async () => {
  const m = members[3]!;
  await ledgerOf(m, [encodeEntry({ kind: 'genesis', genesis: otherGenesis })]);
  refused(m, new RegExp(`the ledger in ${join(m.dir, 'ledger')} starts from another genesis`));
});
