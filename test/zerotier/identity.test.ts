import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { toHex } from '../../src/codec/index.ts';
import {
  formatEndpoint,
  formatIdentity,
  identityHash,
  isValidIdentity,
  parseEndpoint,
  parseIdentity,
  publicKeyFromSecret,
  unusableEndpointReason,
  validateIdentity,
  type ZeroTierErrorCode,
  type ZeroTierSecretIdentity,
} from '../../src/zerotier/index.ts';
import { zerotierCode } from './helpers.ts';

const DIR = join(import.meta.dirname, '..', '..', 'ledger', 'vectors', 'zerotier');
const vectors = JSON.parse(readFileSync(join(DIR, 'witan-vectors.json'), 'utf8')) as {
  identities: { secret: string; public: string }[];
};

const code = zerotierCode;

const secret = parseIdentity(vectors.identities[0]!.secret) as ZeroTierSecretIdentity;
const publicText = vectors.identities[0]!.public;

test('vector identities parse, format back to the same text, and validate', () => {
  for (const v of vectors.identities) {
    const withSecret = parseIdentity(v.secret) as ZeroTierSecretIdentity;
    assert.equal(formatIdentity(withSecret, true), v.secret);
    assert.equal(formatIdentity(withSecret), v.public);
    assert.deepEqual(publicKeyFromSecret(withSecret.secretKey), withSecret.publicKey);
    validateIdentity(parseIdentity(v.public));
  }
});

test('the identity hash: first byte below 17, address in the last five bytes', () => {
  const digest = identityHash(secret.publicKey);
  assert.ok(digest[0]! < 17);
  assert.equal(toHex(digest.subarray(59)), secret.address);
});

test('a forged identity is refused: another address, or a public key one bit off', () => {
  const [address, , publicHex] = publicText.split(':') as [string, string, string];
  const otherAddress = `${(Number.parseInt(address.slice(0, 2), 16) ^ 1).toString(16).padStart(2, '0')}${address.slice(2)}`;
  assert.equal(
    code(() => validateIdentity(parseIdentity(`${otherAddress}:0:${publicHex}`))),
    'INVALID_IDENTITY',
  );
  const flipped = `${publicHex.slice(0, 127)}${(Number.parseInt(publicHex[127]!, 16) ^ 1).toString(16)}`;
  assert.equal(
    code(() => validateIdentity(parseIdentity(`${address}:0:${flipped}`))),
    'INVALID_IDENTITY',
  );
  assert.equal(isValidIdentity(parseIdentity(`${address}:0:${flipped}`)), false);
  assert.equal(isValidIdentity(parseIdentity(publicText)), true);
});

test('malformed identity strings are refused with the code that names the problem', () => {
  const [address, , publicHex] = publicText.split(':') as [string, string, string];
  const secretHex = vectors.identities[0]!.secret.split(':')[3]!;
  const otherSecret = vectors.identities[1]!.secret.split(':')[3]!;
  const cases: [string, ZeroTierErrorCode][] = [
    ['', 'MALFORMED_IDENTITY'],
    [`${address}:0`, 'MALFORMED_IDENTITY'],
    [`${address.toUpperCase()}:0:${publicHex}`, 'MALFORMED_IDENTITY'],
    [`${address}:0:${publicHex.toUpperCase()}`, 'MALFORMED_IDENTITY'],
    [`${address}:0:${publicHex.slice(2)}`, 'MALFORMED_IDENTITY'],
    [`${address}:0:${publicHex}:${secretHex}:00`, 'MALFORMED_IDENTITY'],
    [`${address}:0:${publicHex}:${secretHex.slice(2)}`, 'MALFORMED_IDENTITY'],
    [`${address}:1:${publicHex}`, 'UNSUPPORTED_IDENTITY_TYPE'],
    [`${address}:00:${publicHex}`, 'UNSUPPORTED_IDENTITY_TYPE'],
    [`0000000000:0:${publicHex}`, 'RESERVED_ADDRESS'],
    [`ff${address.slice(2)}:0:${publicHex}`, 'RESERVED_ADDRESS'],
    [`${address}:0:${publicHex}:${otherSecret}`, 'KEY_MISMATCH'],
    [`${address}:0:${publicHex}`.repeat(3), 'MALFORMED_IDENTITY'],
  ];
  for (const [text, expected] of cases)
    assert.equal(
      code(() => parseIdentity(text)),
      expected,
      text,
    );
  assert.equal(
    code(() => formatIdentity(parseIdentity(publicText), true)),
    'MALFORMED_IDENTITY',
  );
});

test('property: identity strings never throw anything but a ZeroTierError', () => {
  const hex = fc.stringMatching(/^[0-9a-fA-F:]{0,300}$/);
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 300 }), hex), (text) => {
      assert.ok(typeof code(() => parseIdentity(text)) === 'string');
    }),
    { numRuns: 2000 },
  );
});

test('endpoints: ZeroTier text form round-trips, RFC 5952 for IPv6, and unusable ones are named', () => {
  for (const text of [
    '192.0.2.1/9993',
    '2001:db8::1/9993',
    '::/0',
    '1:2:3:4:5:6:7:8/1',
    '2001:db8:0:1::20/443',
  ]) {
    assert.equal(formatEndpoint(parseEndpoint(text)), text);
  }
  assert.equal(formatEndpoint(parseEndpoint('2001:0DB8:0:0:1:0:0:1/9993')), '2001:db8::1:0:0:1/9993');
  for (const text of [
    '192.0.2.1',
    '192.0.2.1/65536',
    '192.0.2.256/1',
    '1::2::3/1',
    '1:2:3:4:5:6:7:8:9/1',
    'x/1',
  ]) {
    assert.equal(
      code(() => parseEndpoint(text)),
      'BAD_ENDPOINT',
      text,
    );
  }
  assert.equal(unusableEndpointReason(parseEndpoint('127.0.0.1/9993')), 'a loopback address');
  assert.equal(unusableEndpointReason(parseEndpoint('169.254.1.1/9993')), 'a link-local address');
  assert.equal(unusableEndpointReason(parseEndpoint('fe80::1/9993')), 'a link-local address');
  assert.equal(unusableEndpointReason(parseEndpoint('::1/9993')), 'the loopback address');
  assert.equal(unusableEndpointReason(parseEndpoint('10.0.0.1/0')), 'port 0');
  assert.equal(unusableEndpointReason(parseEndpoint('10.0.0.1/9993')), undefined);
  assert.equal(unusableEndpointReason(parseEndpoint('2001:db8::1/9993')), undefined);
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.integer({ min: 0, max: 65535 }),
      (address, port) => {
        const e = { family: 6 as const, address, port };
        assert.deepEqual(parseEndpoint(formatEndpoint(e)), e);
      },
    ),
  );
});
