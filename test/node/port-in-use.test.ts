// A root whose port another process holds stops with exit 4 (local state refuses) and one line
// that names the address and the setting that chose it, closing what it had opened on the way:
// it never stays up half-open (stores locked, other sockets bound, serving nothing). Run through
// the real `witan start`, against a real listener on each of the root's three ports in turn.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createLocalMember, foundFederation, type LocalMember } from '../../src/cli/federation.ts';
import { spawnRoot, stopRoot, waitHealthy } from '../../src/cli/root-processes.ts';
import { DEFAULT_POLICY } from '../../src/governance/index.ts';
import { type CommandResult, runWitan } from '../helpers/witan.ts';

const FEDERATION = 'ports.witan.test';
/** A root that fails to listen exits well within this; one that hangs half-open is killed here. */
const START_TIMEOUT_MS = 60_000;
const EXIT_STATE = 4;

let base: string;
let member: LocalMember;

before(async () => {
  base = mkdtempSync(join(tmpdir(), 'witan-ports-'));
  const members: LocalMember[] = [];
  for (let i = 0; i < 4; i++) members.push(await createLocalMember(base, i));
  foundFederation({ base, federation: FEDERATION, members, policy: DEFAULT_POLICY });
  member = members[0]!;
});

after(() => rmSync(base, { recursive: true, force: true }));

async function holding<T>(port: number, body: () => Promise<T>): Promise<T> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  try {
    return await body();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const start = (): Promise<CommandResult> =>
  runWitan(['start', '--config', join(member.dir, 'witan.json')], { timeoutMs: START_TIMEOUT_MS });

for (const [what, port, setting] of [
  ['public HTTP port', () => member.httpPort, /http\.port or WITAN_HTTP_PORT/],
  ['operator port', () => member.operatorPort, /operator\.port or WITAN_OPERATOR_PORT/],
  ['libp2p port', () => member.p2pPort, /p2p\.listen or WITAN_P2P_LISTEN/],
] as const) {
  test(`a root whose ${what} is taken exits 4, naming the address and its setting`, async () => {
    const r = await holding(port(), start);
    assert.equal(r.signal, null, `witan start hung with ${what} taken and was killed:\n${r.stderr}`);
    assert.equal(r.code, EXIT_STATE, r.stderr);
    assert.match(r.stderr, new RegExp(`another process already listens on \\S*127\\.0\\.0\\.1\\S*${port()}`));
    assert.match(r.stderr, setting);
    assert.doesNotMatch(r.stderr, /a bug/);
  });
}

test('the same root starts once the port is free: the failed starts left its data folder unlocked', async () => {
  const root = spawnRoot({ name: member.name, dir: member.dir, httpUrl: member.httpUrl });
  try {
    await waitHealthy(root);
  } finally {
    await stopRoot(root);
  }
});
