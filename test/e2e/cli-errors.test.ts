// The `witan` command's documented failures, run through the real binary: each says what
// happened and what to do, in one line without a stack trace, with its exit code.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/temp.ts';
import { runWitan } from '../helpers/witan.ts';

const witan = (...args: string[]) => runWitan(args);

function noStack(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at /, `no stack trace for a user error:\n${stderr}`);
}

test('every documented error path exits with its code and one clear line', async () => {
  const dir = tempDir('cli');
  const init = (name: string, sub: string) =>
    witan(
      'init',
      '--name',
      name,
      '--organisation',
      `Org ${name}`,
      '--jurisdiction',
      'PT',
      '--dir',
      join(dir, sub),
      '--announce',
      `${name.toLowerCase().replace(/[^a-z]/g, '')}.example.org`,
      '--json',
    );
  const ok = await init('alpha', 'a');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).descriptor.name, 'alpha');

  const again = await init('alpha', 'a');
  assert.equal(again.code, 4);
  assert.match(again.stderr, /already a Witan data folder/);
  noStack(again.stderr);

  const badName = await init('Alpha!', 'b');
  assert.equal(badName.code, 3);
  assert.match(badName.stderr, /--name "Alpha!": use 2-32 of a-z/);
  noStack(badName.stderr);

  const unreachable = await witan('motions', '--root', 'http://127.0.0.1:9');
  assert.equal(unreachable.code, 2);
  assert.match(unreachable.stderr, /cannot reach the root at http:\/\/127\.0\.0\.1:9 .*is it running\?/);
  noStack(unreachable.stderr);

  const badChoice = await witan(
    'vote',
    'a'.repeat(64),
    'maybe',
    '--governance-key',
    join(dir, 'a', 'governance.key'),
  );
  assert.equal(badChoice.code, 3);
  assert.match(badChoice.stderr, /choice maybe: use yes, no or abstain/);

  const missingConfig = await witan('start', '--config', join(dir, 'nowhere', 'witan.json'));
  assert.equal(missingConfig.code, 3);
  assert.match(missingConfig.stderr, /cannot read the config file .*witan init/);
  noStack(missingConfig.stderr);

  // A draft that not every founder signed is not a genesis: verify says who is missing, exit 1.
  assert.equal((await init('beta', 'c')).code, 0);
  const draft = join(dir, 'draft.json');
  const assembled = await witan(
    'genesis',
    'assemble',
    '--federation',
    'test.witan',
    '--out',
    draft,
    join(dir, 'a', 'member.json'),
    join(dir, 'c', 'member.json'),
  );
  // two founders from one jurisdiction may break the blocking-third rule: either way the
  // command must say so clearly, never crash
  if (assembled.code === 0) {
    assert.equal(
      (await witan('genesis', 'sign', draft, '--governance-key', join(dir, 'a', 'governance.key'))).code,
      0,
    );
    const verify = await witan('genesis', 'verify', draft, '--json');
    assert.equal(verify.code, 1);
    assert.deepEqual(JSON.parse(verify.stdout).missing, ['beta']);
    const wrongKey = await witan('genesis', 'sign', draft, '--governance-key', join(dir, 'a', 'node.key'));
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /not the governance key of any founder/);
  } else {
    assert.equal(assembled.code, 1, assembled.stderr);
    noStack(assembled.stderr);
  }

  const garbage = join(dir, 'garbage.json');
  writeFileSync(garbage, '{not json');
  const badFile = await witan('genesis', 'verify', garbage);
  assert.equal(badFile.code, 3);
  assert.match(badFile.stderr, /is not JSON/);

  // The audit fails through the same exit-code mapping as every other command.
  const auditNoGenesis = await witan('audit', 'http://127.0.0.1:9');
  assert.equal(auditNoGenesis.code, 3);
  assert.match(auditNoGenesis.stderr, /^witan audit: --genesis <file> is required/);
  noStack(auditNoGenesis.stderr);
  const auditBadGenesis = await witan('audit', '--genesis', garbage, 'http://127.0.0.1:9');
  assert.equal(auditBadGenesis.code, 3);
  assert.match(auditBadGenesis.stderr, /not a readable JSON genesis file/);
  noStack(auditBadGenesis.stderr);
  const noEvidence = await witan('audit', 'verify-evidence', join(dir, 'nowhere.json'));
  assert.equal(noEvidence.code, 3);
  assert.match(noEvidence.stderr, /^witan audit verify-evidence: cannot read .*nowhere\.json/);
  noStack(noEvidence.stderr);
  const notEvidence = await witan('audit', 'verify-evidence', garbage);
  assert.equal(notEvidence.code, 3);
  assert.match(notEvidence.stderr, /is not a JSON evidence file/);

  const help = await witan('--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /70 a bug/);
  for (const line of help.stdout.split('\n')) assert.ok(line.length <= 80, `help fits 80 columns: ${line}`);
});
