// GET and POST /recovery (charter §20) on a root's public routes: the answer says what a
// recovery would name now; a body that is no recovery is 400, one the rules refuse is 422 with
// the code and the charter section, and nothing is held.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecoveryStatusResponse } from '../../src/api/recovery-routes.ts';
import { signRecovery } from '../../src/governance/index.ts';
import { FEDERATION, keysFor } from '../governance/fixtures.ts';
import { assertProblem, assertSchema, fixture } from './root-fixture.ts';

test('GET /recovery names the last batch, the silence, the time lock, the validators and the witnesses', async (t) => {
  const { app, view } = await fixture(t, { routes: 'public' });
  const res = await app.inject('/recovery');
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assertSchema(RecoveryStatusResponse, body);
  const state = view.state();
  assert.deepEqual(
    [body.base.height, body.base.worldHash, body.next.height],
    [state.height, state.worldHash, state.height + 1],
  );
  assert.equal(body.next.earliestMs, state.timeMs + body.silenceMs);
  assert.deepEqual(body.validators, ['m00', 'm01', 'm02', 'm03']);
  assert.equal(body.quorum, 3);
  assert.deepEqual(body.witnesses, [], 'the default policy names no witness');
  assert.equal(body.held, null);
});

test('POST /recovery: 400 for what is no recovery, 422 with the rule for one the rules refuse, nothing held', async (t) => {
  const { app, view } = await fixture(t, { routes: 'public' });
  const post = (body: unknown) =>
    app.inject({
      method: 'POST',
      url: '/recovery',
      payload: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
  assertProblem(await post({ recovery: {}, members: [], witnesses: [] }), 400, 'RECOVERY_MALFORMED');
  const status = (await app.inject('/recovery')).json();
  const recovery = {
    federation: FEDERATION,
    height: status.next.height,
    timeMs: status.nowMs,
    base: { size: status.base.size, rootHash: status.base.rootHash, worldHash: status.base.worldHash },
    remove: ['m00', 'm01'],
  };
  const signed = {
    recovery,
    members: ['m02', 'm03'].map((member) => ({
      member,
      signature: signRecovery(recovery, keysFor(member).gov.secretKey),
    })),
    witnesses: [
      { witness: 'w1.example.org', signature: signRecovery(recovery, keysFor('w1').gov.secretKey) },
    ],
  };
  const res = await post(signed);
  assert.equal(res.statusCode, 422);
  assert.deepEqual(res.json(), {
    code: 'RECOVERY_TOO_EARLY',
    message: res.json().message,
    rule: 'charter §20',
  });
  assert.match(res.json().message, new RegExp(`${view.state().timeMs}`));
  assert.equal((await app.inject('/recovery')).json().held, null);
});
