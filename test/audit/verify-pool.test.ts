import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VerifyPool } from '../../src/audit/verify-pool.ts';
import { keyPairFromSeed, sign, verifySignature } from '../../src/crypto/index.ts';

test('the worker pool gives exactly the answers of verifySignature, in order', async () => {
  const pool = new VerifyPool(2);
  try {
    const key = keyPairFromSeed(new Uint8Array(32).fill(7));
    const items = Array.from({ length: 1500 }, (_, i) => {
      const message = new TextEncoder().encode(`message ${i}`);
      const signature = sign(key.secretKey, message);
      if (i % 7 === 0) signature[3] = signature[3]! ^ 1; // broken R
      if (i % 11 === 0) signature[63] = 0xff; // non-canonical S
      return { publicKey: i % 13 === 0 ? new Uint8Array(32) : key.publicKey, message, signature };
    });
    const got = await pool.verify(items);
    assert.deepEqual(
      got,
      items.map((it) => verifySignature(it.publicKey, it.message, it.signature)),
    );
    assert.ok(got.some((x) => x) && got.some((x) => !x));
    assert.deepEqual(await pool.verify([]), []);
  } finally {
    await pool.close();
  }
});
