// The words `witan motions` and `witan motion` print: tallies that say what they mean, times
// relative to the root's clock and in local time, changes as "field: old → new".

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TallyView } from '../../src/api/root-view.ts';
import { diffLines, localTime, relativeTime, tallyWords, valueWords } from '../../src/cli/motion-words.ts';
import { DEFAULT_POLICY } from '../../src/governance/index.ts';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const HOUR = 3_600_000;

test('relative times round to the largest unit that fits, in the future and the past', () => {
  assert.equal(relativeTime(NOW, NOW), 'now');
  assert.equal(relativeTime(NOW + 45_000, NOW), 'in 45 seconds');
  assert.equal(relativeTime(NOW - 90_000, NOW), '90 seconds ago');
  assert.equal(relativeTime(NOW + 10 * 60_000, NOW), 'in 10 minutes');
  assert.equal(relativeTime(NOW - 3 * HOUR, NOW), '3 hours ago');
  assert.equal(relativeTime(NOW + 47 * HOUR, NOW), 'in 47 hours');
  assert.equal(relativeTime(NOW + 2 * 24 * HOUR, NOW), 'in 2 days');
  assert.equal(relativeTime(NOW - 14 * 24 * HOUR, NOW), '14 days ago');
});

test('local times are to the minute with the zone', () => {
  assert.equal(localTime(NOW, 'UTC'), '2026-12-04 12:00 UTC');
  assert.match(localTime(NOW, 'Europe/Lisbon'), /^2026-12-04 12:00 (WET|GMT)$/);
  assert.match(localTime(NOW, 'Europe/Berlin'), /^2026-12-04 13:00 (CET|GMT\+1)$/);
});

test('a tally says how many yes are needed, of how many members, and who has not voted', () => {
  const t: TallyView = {
    yes: 3,
    no: 1,
    abstain: 0,
    voting: 5,
    eligible: 5,
    rule: 'approval',
    threshold: { num: 2, den: 3 },
    needed: 4,
    passes: false,
    notVoted: 1,
    seasonedOnly: false,
  };
  assert.equal(tallyWords(t), 'yes 3 of 4 needed (more than 2/3 of 5 voting members), 1 no, 1 not voted');
  assert.equal(
    tallyWords({ ...t, threshold: { num: 3, den: 4 }, seasonedOnly: true, abstain: 1, notVoted: 0 }),
    'yes 3 of 4 needed (more than 3/4 of 5 seasoned voting members), 1 no, 1 abstained, 0 not voted',
  );
  assert.equal(
    tallyWords({ ...t, rule: 'removal-unanimous', voting: 3, eligible: 3, needed: 3, notVoted: 0 }),
    'yes 3 of 3 needed (every other voting member, 3), 1 no, 0 not voted',
  );
  assert.equal(
    tallyWords({ ...t, eligible: 4, notVoted: 0 }),
    'yes 3 of 4 needed (more than 2/3 of 5 voting members), 1 no, 0 not voted, 1 may not vote on its own removal',
  );
});

test('changes read as field: old → new, with nothing as (none) and thresholds as fractions', () => {
  assert.equal(valueWords(null), '(none)');
  assert.equal(valueWords([]), '(none)');
  assert.equal(
    valueWords(['https://a.example/', 'https://b.example/']),
    'https://a.example/, https://b.example/',
  );
  assert.equal(valueWords({ num: 3, den: 4 }), '3/4');
  assert.deepEqual(
    diffLines(
      [
        {
          type: 'update-member',
          member: 'alpha',
          fields: [{ field: 'organisation', old: 'Old', new: 'New' }],
        },
        {
          type: 'change-policy',
          member: null,
          fields: [
            { field: 'approvalThreshold', old: { num: 2, den: 3 }, new: { num: 3, den: 4 } },
            { field: 'relay.reservationsMax', old: 128, new: 256 },
          ],
        },
      ],
      [
        { type: 'update-member', member: 'alpha', organisation: 'New' },
        { type: 'change-policy', policy: DEFAULT_POLICY },
      ],
    ),
    [
      'update alpha',
      '  organisation: Old → New',
      'change the policy',
      '  approvalThreshold:     2/3 → 3/4',
      '  relay.reservationsMax: 128 → 256',
    ],
  );
});
