// Members, open motions, decided motions and the world timeline.

import { h, table, time } from './dom.js';
import { rootUrl } from './fetch.js';
import { count, country, localTime, relative, shortId } from './format.js';
import { describeChange, standing, tallyOf, tallyText, worldDiff } from './governance.js';
import { worldBefore, worldMadeBy } from './view.js';

/** @typedef {import('./view.js').View} View */
/** @typedef {import('./types.js').MotionAnswer} MotionAnswer */
/** @typedef {import('./types.js').Ballot} Ballot */
/** @typedef {import('./types.js').Change} Change */

/** Decided motions listed, newest first. */
export const DECIDED_SHOWN_MAX = 20;

/** @param {View} v */
export function membersTable(v) {
  return table({
    id: 'members-table',
    caption: `Members of world v${v.world.version}`,
    columns: ['Member', 'Organisation', 'Country', 'Standing', 'Since', 'Root'],
    rows: v.world.members.map((m) => {
      const url = m.endpoints.http[0];
      return [
        m.name,
        m.organisation,
        country(m.jurisdiction),
        standing(m, v.world.policy, v.nowMs),
        m.since === 0
          ? 'founding member'
          : [time(m.since, localTime(m.since)), ` (${relative(m.since - v.nowMs)})`],
        url === undefined ? '—' : h('a', { href: rootUrl(url, 'ui').href }, url),
      ];
    }),
  });
}

/**
 * A motion's words, from the answer when it carries them, else from its ledger statement.
 * @param {View} v
 * @param {MotionAnswer} m
 */
function motionFacts(v, m) {
  const s = v.statement(m.id);
  const changes = m.changes ?? /** @type {Change[] | undefined} */ (s?.changes) ?? [];
  const summary = m.summary ?? (typeof s?.summary === 'string' ? s.summary : undefined);
  const author = m.author ?? s?.author;
  return { changes, summary, author };
}

/**
 * @param {Record<string, Ballot>} ballots
 * @param {string} id
 */
function ballotsTable(ballots, id) {
  const names = Object.keys(ballots).sort();
  if (names.length === 0) return h('p', { class: 'muted' }, 'No ballots yet.');
  return table({
    id: `ballots-${shortId(id)}`,
    caption: 'Ballots',
    columns: ['Member', 'Choice', 'Reason', 'Cast'],
    rows: names.map((name) => {
      const b = /** @type {Ballot} */ (ballots[name]);
      return [
        name,
        h('span', { class: `choice choice-${b.choice}` }, b.choice),
        b.reason ?? '—',
        time(b.createdMs, localTime(b.createdMs)),
      ];
    }),
  });
}

/** @param {View} v */
export function openMotions(v) {
  const open = v.motions?.open ?? [];
  if (open.length === 0) return h('p', {}, 'No open motions.');
  return open.map((m) => {
    const { changes, summary, author } = motionFacts(v, m);
    const ballots = m.ballots ?? {};
    // The answer's ballots carry no reasons today; the ledger's ballot statements do.
    const fromLedger = v.ledger.ballotsOn(m.id);
    /** @type {Record<string, Ballot>} */
    const merged = {};
    for (const [name, b] of Object.entries(ballots)) merged[name] = { ...fromLedger[name], ...b };
    const tally = m.tally ?? tallyOf(changes, merged, v.world);
    const headingId = `motion-${shortId(m.id)}`;
    const deadline = m.deadlineMs;
    return h(
      'article',
      { class: 'motion', 'aria-labelledby': headingId },
      h(
        'h3',
        { id: headingId },
        'Motion ',
        h('code', {}, shortId(m.id)),
        author === undefined ? '' : ` by ${author}`,
      ),
      summary === undefined ? null : h('p', { class: 'motion-summary' }, `“${summary}”`),
      h(
        'dl',
        {},
        h('dt', {}, 'Changes'),
        h(
          'dd',
          {},
          h(
            'ul',
            {},
            changes.map((c) => h('li', {}, describeChange(c, v.world))),
          ),
        ),
        m.createdMs === undefined
          ? null
          : [h('dt', {}, 'Proposed'), h('dd', {}, time(m.createdMs, localTime(m.createdMs)))],
        deadline === undefined
          ? null
          : [
              h('dt', {}, 'Deadline'),
              h('dd', {}, time(deadline, localTime(deadline)), ` (${relative(deadline - v.nowMs)})`),
            ],
        h('dt', {}, 'Tally'),
        h(
          'dd',
          { class: 'tally' },
          tallyText(tally),
          h('meter', {
            min: 0,
            max: tally.needed,
            value: Math.min(tally.yes, tally.needed),
            'aria-label': `${tally.yes} of ${tally.needed} yes ballots needed`,
          }),
        ),
      ),
      ballotsTable(merged, m.id),
    );
  });
}

/** @param {View} v */
export function decidedMotions(v) {
  const decided = (v.motions?.decided ?? []).slice(0, DECIDED_SHOWN_MAX);
  if (decided.length === 0) return h('p', {}, 'No motion has been decided yet.');
  return table({
    id: 'decided-table',
    caption: `The ${decided.length} most recently decided motions`,
    columns: ['Motion', 'Summary', 'Result', 'Decided', 'Ballots'],
    rows: decided.map((m) => {
      const { changes, summary, author } = motionFacts(v, m);
      const index = m.index ?? v.ledger.outcomeIndex(m.id);
      const ballots = m.ballots ?? v.ledger.ballotsOn(m.id, index);
      const parent = v.chain === null || index === undefined ? null : worldBefore(v.chain, index);
      const tally = m.tally ?? (parent === null ? null : tallyOf(changes, ballots, parent));
      const version = m.worldVersion ?? worldMadeBy(v.chain, m.id);
      const when = index === undefined ? null : v.ledger.timeOf(index);
      return [
        [h('code', {}, shortId(m.id)), author === undefined ? '' : ` by ${author}`],
        [
          summary === undefined ? h('span', { class: 'muted' }, 'no summary') : `“${summary}”`,
          h(
            'ul',
            { class: 'changes' },
            changes.map((c) => h('li', {}, describeChange(c, parent ?? v.world))),
          ),
        ],
        [
          `${m.result ?? m.status}${m.reason === undefined ? '' : ` (${m.reason})`}`,
          version === undefined ? '' : `, made world v${version}`,
        ],
        [
          m.height === undefined ? '' : `height ${count(m.height)}`,
          when === null ? '' : [', ', time(when, localTime(when))],
        ],
        tally === null ? '—' : tallyText(tally),
      ];
    }),
  });
}

/** @param {View} v */
export function timeline(v) {
  if (v.chain === null) return h('p', { class: 'muted' }, 'Reading the world chain…');
  const chain = v.chain;
  // The chain's steps start with the genesis world once a checkpoint covers it.
  const steps = chain.steps.map((s) => ({ world: s.world, causes: s.causes, index: s.proof.entryIndex }));
  const worlds =
    steps[0]?.world.version === 1 ? steps : [{ world: chain.genesis.world, causes: [], index: 0 }, ...steps];
  const items = worlds.map((w, i) => {
    const before = i === 0 ? null : (worlds[i - 1]?.world ?? null);
    const when = i === 0 ? null : v.ledger.timeOf(w.index);
    const headingId = `world-v${w.world.version}`;
    return h(
      'li',
      { 'aria-labelledby': headingId },
      h('h3', { id: headingId }, `World v${w.world.version}`),
      h(
        'p',
        { class: 'muted' },
        i === 0 ? 'genesis' : when === null ? `ledger entry ${w.index}` : time(when, localTime(when)),
      ),
      h(
        'ul',
        {},
        worldDiff(before, w.world).map((line) => h('li', {}, line)),
      ),
      h('p', {}, i === 0 ? 'Signed by every founder.' : causesText(v, w.causes)),
    );
  });
  return h('ol', { class: 'timeline', reversed: true }, items.reverse());
}

/**
 * @param {View} v
 * @param {string[]} causes
 */
function causesText(v, causes) {
  if (causes.length === 0)
    return 'By the rules at batch time, no statement (a probation ending or a motion expiring).';
  return [
    'By ',
    causes.map((id, i) => {
      const s = v.statement(id);
      const what =
        s === undefined
          ? ['statement ', h('code', {}, shortId(id))]
          : s.kind === 'motion'
            ? [
                'motion ',
                h('code', {}, shortId(id)),
                typeof s.summary === 'string' ? ` “${s.summary}”` : '',
                ` moved by ${s.author}`,
              ]
            : [`${s.kind} `, h('code', {}, shortId(id)), ` by ${s.author}`];
      return [i > 0 ? '; ' : '', ...what];
    }),
    '.',
  ];
}
