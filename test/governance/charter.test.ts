// The charter and the policy reference must not drift from the code: every rejection code is
// named in the charter section the code cites, and every policy field is documented.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHARTER_RULES, DEFAULT_POLICY, POLICY_RANGES, REJECTION_CODES } from '../../src/governance/index.ts';

const root = join(import.meta.dirname, '..', '..');
const charter = readFileSync(join(root, 'governance', 'CHARTER.md'), 'utf8');
const policy = readFileSync(join(root, 'governance', 'policy.md'), 'utf8');

function section(n: number): string {
  const start = charter.indexOf(`## §${n} `);
  assert.ok(start >= 0, `charter has no §${n}`);
  const next = charter.indexOf('\n## §', start + 1);
  return charter.slice(start, next < 0 ? undefined : next);
}

test('the charter names every rejection code in the section the code cites', () => {
  for (const code of REJECTION_CODES) {
    assert.ok(
      section(CHARTER_RULES[code]).includes(`\`${code}\``),
      `charter §${CHARTER_RULES[code]} does not name ${code}`,
    );
  }
});

test('policy.md documents every policy field and range', () => {
  const fields = [
    ...Object.keys(DEFAULT_POLICY).filter((k) => k !== 'relay' && k !== 'rendezvous'),
    ...Object.keys(POLICY_RANGES),
  ];
  for (const f of fields) assert.ok(policy.includes(`\`${f}\``), `policy.md does not document ${f}`);
});
