// POST /statements never answers 202 for a statement the root drops. A statement the rules
// refuse together with the others pending — the ninth open motion of one author — is answered
// with that rule (422) whether a batch is open on the state or not (a batch older than
// PENDING_BATCH_AGE_MS_MAX is opened anew from the pool). One real root process of a
// four-member federation, alone: nothing commits, so every motion stays pending.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OPEN_MOTIONS_PER_MEMBER_MAX } from '../../src/governance/index.ts';
import { PENDING_BATCH_AGE_MS_MAX } from '../../src/node/batch-app.ts';
import { getJson } from '../helpers/http.ts';
import {
  createFederation,
  fillerMotion,
  type TestFederation,
  type TestMember,
} from './fixtures/federation.ts';

let fed: TestFederation;
let alone: TestMember;

before(async () => {
  fed = await createFederation({ members: 4, logLevel: 'info' });
  alone = fed.members[0]!;
  await fed.start(alone);
});

after(async () => {
  await fed?.close();
});

test('the ninth open motion of one author is answered 422, not 202, and is not kept', async () => {
  const taken: string[] = [];
  for (let i = 0; i < OPEN_MOTIONS_PER_MEMBER_MAX; i++)
    taken.push((await fillerMotion(alone, `wait ${i}`)).id);
  // The batch the root opened for them ages out: the next statement finds none open.
  await sleep(PENDING_BATCH_AGE_MS_MAX + 1000);
  const ninth = await fillerMotion(alone, 'one too many').then(
    () => assert.fail('the ninth open motion of one author was answered 202'),
    (err: Error) => err.message,
  );
  assert.match(ninth, /POST \/statements at alpha: 422 .*TOO_MANY_OPEN_MOTIONS/);
  // And once more straight after, with the batch just opened.
  const tenth = await fillerMotion(alone, 'and another').then(
    () => assert.fail('the tenth open motion of one author was answered 202'),
    (err: Error) => err.message,
  );
  assert.match(tenth, /422 .*TOO_MANY_OPEN_MOTIONS/);
  for (const id of taken) {
    const s = await getJson<{ status: string }>(`${alone.httpUrl}/statements/${id}`);
    assert.equal(s.status, 'pending', `motion ${id.slice(0, 12)} is still pending`);
  }
});
