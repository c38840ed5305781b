import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesEqual } from '../../src/codec/index.ts';
import {
  generateKeyPair,
  KeyFileError,
  mlDsaKeyPairFromSeed,
  scalarBasePoint,
} from '../../src/crypto/index.ts';
import {
  readKeyFile,
  readSecretKeyFile,
  writeKeyFile,
  writeSecretKeyFile,
} from '../../src/crypto/key-file.ts';
import { tempDir } from '../helpers/temp.ts';
import { thrownCode } from '../helpers/thrown.ts';

const folder = tempDir('key-file');
let counter = 0;
const fresh = () => join(folder, `key-${++counter}.json`);

const code = (fn: () => unknown): string => thrownCode(fn, KeyFileError);

test('a plain key file round-trips with mode 0600 and its kind', () => {
  const path = fresh();
  const pair = generateKeyPair();
  writeKeyFile(path, pair, { kind: 'governance' });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const read = readKeyFile(path);
  assert.ok(bytesEqual(read.secretKey, pair.secretKey));
  assert.ok(bytesEqual(read.publicKey, pair.publicKey));
  assert.equal(read.kind, 'governance');
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(path, 'utf8'))), [
    'format',
    'kind',
    'publicKey',
    'seed',
  ]);
});

test('an existing file is never overwritten', () => {
  const path = fresh();
  writeKeyFile(path, generateKeyPair(), { kind: 'node' });
  const before = readFileSync(path);
  assert.equal(
    code(() => writeKeyFile(path, generateKeyPair(), { kind: 'node' })),
    'EXISTS',
  );
  assert.deepEqual(readFileSync(path), before);
});

test('a file readable by group or others (0644, 0640, 0604) is refused with a chmod 600 hint', () => {
  const path = fresh();
  writeKeyFile(path, generateKeyPair(), { kind: 'node' });
  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    chmodSync(path, mode);
    assert.throws(
      () => readKeyFile(path),
      (e: unknown) =>
        e instanceof KeyFileError &&
        e.code === 'INSECURE_PERMISSIONS' &&
        e.message.includes(`chmod 600 ${path}`),
    );
  }
  chmodSync(path, 0o600);
  assert.ok(readKeyFile(path).publicKey.length === 32);
  chmodSync(path, 0o400);
  assert.ok(readKeyFile(path).publicKey.length === 32);
});

test('a passphrase-protected file opens with its passphrase only', () => {
  const path = fresh();
  const pair = generateKeyPair();
  writeKeyFile(path, pair, { kind: 'node', passphrase: 'correct horse battery staple' });
  const text = readFileSync(path, 'utf8');
  assert.ok(!text.includes(Buffer.from(pair.secretKey).toString('base64')));
  assert.ok(
    bytesEqual(readKeyFile(path, { passphrase: 'correct horse battery staple' }).secretKey, pair.secretKey),
  );
  assert.equal(
    code(() => readKeyFile(path, { passphrase: 'wrong horse' })),
    'WRONG_PASSPHRASE',
  );
  assert.equal(
    code(() => readKeyFile(path)),
    'PASSPHRASE_REQUIRED',
  );
});

test('altered or hostile files are refused as MALFORMED, not opened', () => {
  const sealedPath = fresh();
  writeKeyFile(sealedPath, generateKeyPair(), { kind: 'node', passphrase: 'pw' });
  const sealed = JSON.parse(readFileSync(sealedPath, 'utf8'));
  const write = (content: string) => {
    const path = fresh();
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
  // The kind is bound into the AEAD: switching it breaks decryption.
  assert.equal(
    code(() => readKeyFile(write(JSON.stringify({ ...sealed, kind: 'governance' })), { passphrase: 'pw' })),
    'WRONG_PASSPHRASE',
  );
  const hostile = { ...sealed, scrypt: { ...sealed.scrypt, n: 2 ** 24 } };
  assert.equal(
    code(() => readKeyFile(write(JSON.stringify(hostile)), { passphrase: 'pw' })),
    'MALFORMED',
  );
  const plainPath = fresh();
  writeKeyFile(plainPath, generateKeyPair(), { kind: 'node' });
  const plain = JSON.parse(readFileSync(plainPath, 'utf8'));
  const other = generateKeyPair();
  const cases = [
    'not json',
    JSON.stringify({ ...plain, format: 'other' }),
    JSON.stringify({ ...plain, kind: 'root' }),
    JSON.stringify({ ...plain, extra: 1 }),
    // Another seed (its last character changed, to one it is not), not matching the public key.
    JSON.stringify({ ...plain, seed: `${plain.seed.slice(0, -2)}${plain.seed.at(-2) === 'A' ? 'E' : 'A'}=` }),
    JSON.stringify({ ...plain, publicKey: Buffer.from(other.publicKey).toString('base64') }),
    'x'.repeat(5000),
  ];
  for (const content of cases)
    assert.equal(
      code(() => readKeyFile(write(content))),
      'MALFORMED',
      content.slice(0, 60),
    );
});

test('an ML-DSA-44 key and a federation share round-trip; a share keeps its session, bound in when encrypted', () => {
  const seed = new Uint8Array(32).fill(9);
  const mlDsa = mlDsaKeyPairFromSeed(seed);
  const mlPath = fresh();
  writeSecretKeyFile(mlPath, { kind: 'ml-dsa', secret: seed, publicKey: mlDsa.publicKey });
  const ml = readSecretKeyFile(mlPath);
  assert.equal(ml.kind, 'ml-dsa');
  assert.ok(bytesEqual(ml.publicKey, mlDsa.publicKey));
  assert.equal(
    code(() => readKeyFile(mlPath)),
    'MALFORMED',
    'an ML-DSA file is no Ed25519 key file',
  );
  const scalar = new Uint8Array(32);
  scalar[0] = 7;
  const share = {
    kind: 'federation-share' as const,
    secret: scalar,
    publicKey: scalarBasePoint(scalar),
    session: 'ab'.repeat(32),
  };
  const sharePath = fresh();
  writeSecretKeyFile(sharePath, share, { passphrase: 'correct horse' });
  assert.equal(statSync(sharePath).mode & 0o777, 0o600);
  const back = readSecretKeyFile(sharePath, { passphrase: 'correct horse' });
  assert.deepEqual(
    { ...back, secret: [...back.secret], publicKey: [...back.publicKey] },
    {
      ...share,
      secret: [...share.secret],
      publicKey: [...share.publicKey],
    },
  );
  // The session is authenticated: a share moved to another session does not open.
  const json = JSON.parse(readFileSync(sharePath, 'utf8'));
  const moved = fresh();
  writeFileSync(moved, JSON.stringify({ ...json, session: 'cd'.repeat(32) }), { mode: 0o600 });
  assert.equal(
    code(() => readSecretKeyFile(moved, { passphrase: 'correct horse' })),
    'WRONG_PASSPHRASE',
  );
  // A share without a session, or a scalar that is not below the group order, is refused.
  assert.throws(() => writeSecretKeyFile(fresh(), { ...share, session: undefined } as never), /session/);
  assert.throws(
    () => writeSecretKeyFile(fresh(), { ...share, secret: new Uint8Array(32).fill(0xff) }),
    (e: unknown) => (e as { code?: string }).code === 'BAD_KEY',
  );
});
