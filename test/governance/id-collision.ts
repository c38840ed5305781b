// Two real motions whose statement ids share their first SHORT_ID_HEX_MIN hex digits, so tests
// can show what an ambiguous short id does. Found by a birthday search over the motion's summary:
// after n signed candidates about n²/2³³ pairs share 32 bits, so a pair turns up after ≈ 80,000
// signatures. To keep that to seconds, the candidates' bytes are spliced into the canonical bytes
// of one template statement (the summary is all that differs) and signed with node:crypto
// directly; the pair found is rebuilt and checked with the real signStatement and statementId.

import assert from 'node:assert/strict';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { canonicalBytes, type Json } from '../../src/codec/index.ts';
import {
  type MotionStatement,
  SHORT_ID_HEX_MIN,
  type SignedStatement,
  signStatement,
  statementId,
  statementSigningBytes,
} from '../../src/governance/index.ts';

/** Candidates tried before giving up: the chance of no pair by then is below e^−100. */
export const COLLISION_TRIES_MAX = 1_000_000;
/** The search yields to the event loop this often, so a test's timers and children keep running. */
const TRIES_PER_SLICE = 2_000;
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const MARK = 'SUMMARY-MARK';

/** Two signed motions equal to `template` but for their summaries, whose ids share a short id. */
export async function collidingMotions(
  template: MotionStatement,
  governanceSecretKey: Uint8Array,
): Promise<[SignedStatement<MotionStatement>, SignedStatement<MotionStatement>]> {
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, governanceSecretKey]),
    format: 'der',
    type: 'pkcs8',
  });
  const signing = Buffer.from(statementSigningBytes({ ...template, summary: MARK })).toString('latin1');
  const statement = Buffer.from(canonicalBytes({ ...template, summary: MARK } as unknown as Json)).toString(
    'latin1',
  );
  const [signBefore, signAfter] = signing.split(MARK) as [string, string];
  const [before, after] = statement.split(MARK) as [string, string];
  const summary = (i: number) => `probe ${i}`;
  const seen = new Map<number, number>();
  for (let i = 0; i < COLLISION_TRIES_MAX; i++) {
    if (i % TRIES_PER_SLICE === 0) await new Promise((r) => setImmediate(r));
    const s = summary(i);
    const signature = sign(null, Buffer.from(signBefore + s + signAfter, 'latin1'), key).toString('base64');
    const id = createHash('sha256')
      .update(`{"signature":"${signature}","statement":${before}${s}${after}}`, 'latin1')
      .digest();
    const bucket = id.readUInt32BE(0);
    const j = seen.get(bucket);
    if (j === undefined) {
      seen.set(bucket, i);
      continue;
    }
    const pair = [j, i].map((k) => signStatement({ ...template, summary: summary(k) }, governanceSecretKey));
    const [a, b] = pair as [SignedStatement<MotionStatement>, SignedStatement<MotionStatement>];
    assert.notEqual(statementId(a), statementId(b));
    assert.equal(statementId(a).slice(0, SHORT_ID_HEX_MIN), statementId(b).slice(0, SHORT_ID_HEX_MIN));
    return [a, b];
  }
  throw new Error(`no two of ${COLLISION_TRIES_MAX} motions share a short id`);
}
