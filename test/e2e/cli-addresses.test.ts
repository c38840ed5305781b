// Addresses, key modes and config fields a person can get wrong, through the real `witan`
// binary: each is refused with exit 3 and one line that names it — at init, in the genesis
// ceremony, in propose update, at start and in config check — and nothing is written.

import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { type CommandResult, witan } from '../helpers/witan.ts';

/** About thirty short-lived processes on a loaded machine. */
const TEST_TIMEOUT_MS = 300_000;

function noStack(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at /, `no stack trace for a user error:\n${stderr}`);
}

/** One line on stderr, naming `what`, no stack trace, exit 3. */
function refused(r: CommandResult, what: RegExp): void {
  assert.equal(r.code, 3, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line:\n${r.stderr}`);
  assert.match(lines[0]!, what);
  noStack(r.stderr);
}

test('each bad address, key permission and config field: exit 3, one line naming it, nothing written', {
  timeout: TEST_TIMEOUT_MS,
}, async () => {
  const dir = makeTempDir('cli-addr');
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
      refused(await init('bad', ...args), why);
      assert.equal(existsSync(join(dir, 'bad')), false, `nothing written for ${args.join(' ')}`);
    }

    // A founder whose descriptor announces a loopback address, or a malformed one.
    assert.equal((await init('a', '--announce', 'alpha.example.org')).code, 0);
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
      refused(await witan('genesis', 'assemble', '--federation', 't.witan', '--out', draft, file), why);
      assert.equal(existsSync(draft), false, 'no draft written');
    }
    // A genesis file with a malformed multiaddr: verify and sign name the field, the file is unchanged.
    assert.equal(
      (await witan('genesis', 'assemble', '--federation', 't.witan', '--out', draft, member)).code,
      0,
    );
    const good = readFileSync(draft, 'utf8');
    const broken = good.replace('/dns4/alpha.example.org/tcp/4480', '/ip4/alpha.example.org/tcp/4480');
    assert.notEqual(broken, good);
    writeFileSync(draft, broken);
    refused(await witan('genesis', 'verify', draft), /members\[0\]\.endpoints\.p2p\[0\] is not a multiaddr/);
    refused(
      await witan('genesis', 'sign', draft, '--governance-key', join(dir, 'a', 'governance.key')),
      /members\[0\]\.endpoints\.p2p\[0\] is not a multiaddr/,
    );
    assert.equal(readFileSync(draft, 'utf8'), broken, 'the draft is unchanged');
    writeFileSync(join(dir, 'a', 'genesis.json'), good);
    assert.equal(
      (
        await witan(
          'genesis',
          'sign',
          join(dir, 'a', 'genesis.json'),
          '--governance-key',
          join(dir, 'a', 'governance.key'),
        )
      ).code,
      0,
    );

    // propose update checks its endpoints before it asks any root (the root here does not exist).
    refused(
      await witan(
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
      refused(await witan('start', '--config', configPath), why);
      const check = await witan('config', 'check', '--config', configPath);
      assert.equal(check.code, 3);
      assert.match(check.stderr, why);
      assert.equal(existsSync(join(dir, 'a', 'ledger')), false, 'no ledger created');
    }
    writeFileSync(configPath, JSON.stringify(config));
    const fine = await witan('config', 'check', '--config', configPath);
    assert.equal(fine.code, 0, fine.stderr);
    assert.match(fine.stdout, /ok/);
    // init left the governance key unencrypted in the data folder: said, not refused.
    assert.match(fine.stderr, /warning: the governance key .* is not encrypted and sits in the data folder/);

    // Key files that others may read: refused by start and listed by config check.
    chmodSync(join(dir, 'a', 'node.key'), 0o644);
    refused(await witan('start', '--config', configPath), /node\.key has mode 0644.*chmod 600/);
    chmodSync(join(dir, 'a', 'governance.key'), 0o640);
    writeFileSync(
      configPath,
      JSON.stringify({
        ...config,
        governanceKeyFile: 'governance.key',
        http: { ...config.http, port: config.operator.port },
      }),
    );
    const listed = await witan('config', 'check', '--config', configPath);
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
      'ml-dsa.key',
      'node.key',
      'witan.json',
    ]);
  } finally {
    removeDir(dir);
  }
});
