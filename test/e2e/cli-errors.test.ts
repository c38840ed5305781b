// The `witan` command's documented failures, run through the real binary: each says what
// happened and what to do, in one line without a stack trace, with its exit code.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/witan.js', import.meta.url));

function witan(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function noStack(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at /, `no stack trace for a user error:\n${stderr}`);
}

test('every documented error path exits with its code and one clear line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'witan-cli-'));
  try {
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
    const ok = init('alpha', 'a');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).descriptor.name, 'alpha');

    const again = init('alpha', 'a');
    assert.equal(again.code, 4);
    assert.match(again.stderr, /already a Witan data folder/);
    noStack(again.stderr);

    const badName = init('Alpha!', 'b');
    assert.equal(badName.code, 3);
    assert.match(badName.stderr, /--name "Alpha!": use 2-32 of a-z/);
    noStack(badName.stderr);

    const unreachable = witan('motions', '--root', 'http://127.0.0.1:9');
    assert.equal(unreachable.code, 2);
    assert.match(unreachable.stderr, /cannot reach the root at http:\/\/127\.0\.0\.1:9 .*is it running\?/);
    noStack(unreachable.stderr);

    const badChoice = witan(
      'vote',
      'a'.repeat(64),
      'maybe',
      '--governance-key',
      join(dir, 'a', 'governance.key'),
    );
    assert.equal(badChoice.code, 3);
    assert.match(badChoice.stderr, /choice maybe: use yes, no or abstain/);

    const missingConfig = witan('start', '--config', join(dir, 'nowhere', 'witan.json'));
    assert.equal(missingConfig.code, 3);
    assert.match(missingConfig.stderr, /cannot read the config file .*witan init/);
    noStack(missingConfig.stderr);

    // A draft that not every founder signed is not a genesis: verify says who is missing, exit 1.
    assert.equal(init('beta', 'c').code, 0);
    const draft = join(dir, 'draft.json');
    const assembled = witan(
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
        witan('genesis', 'sign', draft, '--governance-key', join(dir, 'a', 'governance.key')).code,
        0,
      );
      const verify = witan('genesis', 'verify', draft, '--json');
      assert.equal(verify.code, 1);
      assert.deepEqual(JSON.parse(verify.stdout).missing, ['beta']);
      const wrongKey = witan('genesis', 'sign', draft, '--governance-key', join(dir, 'a', 'node.key'));
      assert.equal(wrongKey.code, 1);
      assert.match(wrongKey.stderr, /not the governance key of any founder/);
    } else {
      assert.equal(assembled.code, 1, assembled.stderr);
      noStack(assembled.stderr);
    }

    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{not json');
    const badFile = witan('genesis', 'verify', garbage);
    assert.equal(badFile.code, 3);
    assert.match(badFile.stderr, /is not JSON/);

    // The audit fails through the same exit-code mapping as every other command.
    const auditNoGenesis = witan('audit', 'http://127.0.0.1:9');
    assert.equal(auditNoGenesis.code, 3);
    assert.match(auditNoGenesis.stderr, /^witan audit: --genesis <file> is required/);
    noStack(auditNoGenesis.stderr);
    const auditBadGenesis = witan('audit', '--genesis', garbage, 'http://127.0.0.1:9');
    assert.equal(auditBadGenesis.code, 3);
    assert.match(auditBadGenesis.stderr, /not a readable JSON genesis file/);
    noStack(auditBadGenesis.stderr);
    const noEvidence = witan('audit', 'verify-evidence', join(dir, 'nowhere.json'));
    assert.equal(noEvidence.code, 3);
    assert.match(noEvidence.stderr, /^witan audit verify-evidence: cannot read .*nowhere\.json/);
    noStack(noEvidence.stderr);
    const notEvidence = witan('audit', 'verify-evidence', garbage);
    assert.equal(notEvidence.code, 3);
    assert.match(notEvidence.stderr, /is not a JSON evidence file/);

    const help = witan('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /70 a bug/);
    for (const line of help.stdout.split('\n')) assert.ok(line.length <= 80, `help fits 80 columns: ${line}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** One line on stderr, naming `what`, no stack trace, exit 3. */
function refused(r: { code: number | null; stderr: string }, what: RegExp): void {
  assert.equal(r.code, 3, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line:\n${r.stderr}`);
  assert.match(lines[0]!, what);
  noStack(r.stderr);
}

test('each bad address, key permission and config field: exit 3, one line naming it, nothing written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'witan-cli-addr-'));
  try {
    const init = (sub: string, ...extra: string[]) =>
      witan(
        'init',
        '--name',
        'alpha',
        '--organisation',
        'Org alpha',
        '--jurisdiction',
        'PT',
        '--dir',
        join(dir, sub),
        ...extra,
      );
    const badInits: [string[], RegExp][] = [
      [
        ['--announce', '/ip4/root.example.org/tcp/4480'],
        /--announce \/ip4\/root\.example\.org.*Invalid IPv4 address/,
      ],
      [['--announce', '127.0.0.1'], /--announce: \/ip4\/127\.0\.0\.1\/tcp\/4480 is a loopback address/],
      [
        ['--announce', 'http://10.1.2.3:8480/', '--announce', 'root.example.org'],
        /http:\/\/10\.1\.2\.3:8480\/ is a private address/,
      ],
      [['--announce', 'root_example.org'], /--announce root_example\.org: not a DNS name/],
      [
        ['--announce', 'root.example.org', '--listen', 'root.example.org'],
        /--listen root\.example\.org: an IP address/,
      ],
      [[], /--announce <name>/],
    ];
    for (const [args, why] of badInits) {
      refused(init('bad', ...args), why);
      assert.equal(existsSync(join(dir, 'bad')), false, `nothing written for ${args.join(' ')}`);
    }

    // A founder whose descriptor announces a loopback address, or a malformed one.
    assert.equal(init('a', '--announce', 'alpha.example.org').code, 0);
    const member = join(dir, 'a', 'member.json');
    const descriptor = JSON.parse(readFileSync(member, 'utf8'));
    const draft = join(dir, 'draft.json');
    for (const [p2p, why] of [
      ['/ip4/127.0.0.1/tcp/4480', /loopback address.*does not allow private endpoints/],
      ['/ip4/root.example.org/tcp/4480', /endpoints\.p2p\[0\] is not a multiaddr: Invalid IPv4 address/],
    ] as const) {
      const file = join(dir, 'member-bad.json');
      writeFileSync(
        file,
        JSON.stringify({ ...descriptor, endpoints: { ...descriptor.endpoints, p2p: [p2p] } }),
      );
      refused(witan('genesis', 'assemble', '--federation', 't.witan', '--out', draft, file), why);
      assert.equal(existsSync(draft), false, 'no draft written');
    }
    // A genesis file with a malformed multiaddr: verify and sign name the field, the file is unchanged.
    assert.equal(witan('genesis', 'assemble', '--federation', 't.witan', '--out', draft, member).code, 0);
    const good = readFileSync(draft, 'utf8');
    const broken = good.replace('/dns4/alpha.example.org/tcp/4480', '/ip4/alpha.example.org/tcp/4480');
    assert.notEqual(broken, good);
    writeFileSync(draft, broken);
    refused(witan('genesis', 'verify', draft), /members\[0\]\.endpoints\.p2p\[0\] is not a multiaddr/);
    refused(
      witan('genesis', 'sign', draft, '--governance-key', join(dir, 'a', 'governance.key')),
      /members\[0\]\.endpoints\.p2p\[0\] is not a multiaddr/,
    );
    assert.equal(readFileSync(draft, 'utf8'), broken, 'the draft is unchanged');
    writeFileSync(join(dir, 'a', 'genesis.json'), good);
    assert.equal(
      witan(
        'genesis',
        'sign',
        join(dir, 'a', 'genesis.json'),
        '--governance-key',
        join(dir, 'a', 'governance.key'),
      ).code,
      0,
    );

    // propose update checks its endpoints before it asks any root (the root here does not exist).
    refused(
      witan(
        'propose',
        'update',
        'alpha',
        '--http',
        'https://alpha.example.org/',
        '--p2p',
        '/ip4/alpha.example.org/tcp/4480',
        '--governance-key',
        join(dir, 'a', 'governance.key'),
        '--root',
        'http://127.0.0.1:9',
      ),
      /--p2p\[0\] \/ip4\/alpha\.example\.org\/tcp\/4480 is not a multiaddr/,
    );

    // witan start and witan config check on a config with one bad field each.
    const configPath = join(dir, 'a', 'witan.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    const badConfigs: [object, RegExp][] = [
      [
        { p2p: { ...config.p2p, listen: ['/ip4/root.example.org/tcp/4480'] } },
        /\/p2p\/listen\/0 is not a multiaddr: Invalid IPv4 address/,
      ],
      [
        { p2p: { ...config.p2p, announce: ['/dns4/root example/tcp/1'] } },
        /\/p2p\/announce\/0: "root example" is not a DNS name/,
      ],
      [
        { http: { ...config.http, host: 'root.example.org' } },
        /\/http\/host: "root.example.org" is not an IP address/,
      ],
      [{ http: { ...config.http, port: 'eighty' } }, /\/http\/port: Expected integer/],
      [{ http: { ...config.http, trustProxy: ['10.0.0.0/99'] } }, /\/http\/trustProxy\/0/],
      [{ colour: 'blue' }, /Unexpected property/],
    ];
    for (const [change, why] of badConfigs) {
      writeFileSync(configPath, JSON.stringify({ ...config, ...change }));
      refused(witan('start', '--config', configPath), why);
      const check = witan('config', 'check', '--config', configPath);
      assert.equal(check.code, 3);
      assert.match(check.stderr, why);
      assert.equal(existsSync(join(dir, 'a', 'ledger')), false, 'no ledger created');
    }
    writeFileSync(configPath, JSON.stringify(config));
    const fine = witan('config', 'check', '--config', configPath);
    assert.equal(fine.code, 0, fine.stderr);
    assert.match(fine.stdout, /ok/);
    // init left the governance key unencrypted in the data folder: said, not refused.
    assert.match(fine.stderr, /warning: the governance key .* is not encrypted and sits in the data folder/);

    // Key files that others may read: refused by start and listed by config check.
    chmodSync(join(dir, 'a', 'node.key'), 0o644);
    refused(witan('start', '--config', configPath), /node\.key has mode 0644.*chmod 600/);
    chmodSync(join(dir, 'a', 'governance.key'), 0o640);
    writeFileSync(
      configPath,
      JSON.stringify({
        ...config,
        governanceKeyFile: 'governance.key',
        http: { ...config.http, port: config.operator.port },
      }),
    );
    const listed = witan('config', 'check', '--config', configPath);
    assert.equal(listed.code, 3);
    for (const p of [
      /\/nodeKeyFile: key file .*node\.key has mode 0644/,
      /\/governanceKeyFile: key file .*governance\.key has mode 0640/,
      /\/operator\/port: port \d+ is also \/http\/port/,
    ])
      assert.match(listed.stderr, p);
    assert.deepEqual(readdirSync(join(dir, 'a')).sort(), [
      'genesis.json',
      'governance.key',
      'member.json',
      'node.key',
      'witan.json',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
