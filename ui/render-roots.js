// The page's header line and the roots' health table.

import { h, table } from './dom.js';
import { bytes, count, duration, plural } from './format.js';
import { quorumOf } from './governance.js';
import { cosigning } from './view.js';

/** @typedef {import('./view.js').View} View */

/** @param {View} v */
export function summary(v) {
  const { world, status } = v;
  const voting = world.members.filter((m) => m.status === 'voting').length;
  const parts = [
    `World v${world.version}`,
    `height ${count(status.height)}`,
    plural(status.ledger.size, 'ledger entry', 'ledger entries'),
    `${plural(world.members.length, 'member')}, ${voting} voting`,
  ];
  if (status.lastCommit !== null)
    parts.push(`last commit ${duration(status.timeMs - status.lastCommit.timeMs)} ago`);
  return parts.join(' · ');
}

/** @param {View} v */
export function rootsTable(v) {
  const { names, voting } = cosigning(v.world);
  const quorum = quorumOf(voting);
  const relayMax = v.world.policy.relay.reservationsMax;
  return table({
    id: 'roots-table',
    className: 'roots',
    caption: `Each root as this browser reads it (quorum: ${quorum} of ${voting} voting members)`,
    columns: [
      'Root',
      'Health',
      'Height',
      'Last commit',
      'Checkpoint',
      'Cosigners',
      'Witnesses',
      'Peers',
      'Relay',
      'Rendezvous',
    ],
    rows: v.roots.map(({ reading: r, health }) => {
      const s = r.status;
      const name = [
        h('span', { class: 'root-name' }, r.name),
        r.self ? h('span', { class: 'muted' }, ' (this root)') : null,
      ];
      const healthCell = [
        h('span', { class: `health health-${health.level}`, 'data-root': r.name }, health.words),
        r.answerMs === null
          ? null
          : h('span', { class: 'muted line' }, `answered in ${Math.round(r.answerMs)} ms`),
      ];
      if (s === null) return [name, healthCell, '—', '—', '—', '—', '—', '—', '—', '—'];
      return [
        name,
        healthCell,
        `${count(s.height)} · world v${s.worldVersion}`,
        s.lastCommit === null ? 'none since it started' : `${duration(health.lastCommitAgeMs ?? 0)} ago`,
        r.note === null
          ? '—'
          : `${plural(r.note.size, 'entry', 'entries')}${health.checkpointAgeMs === null ? '' : ` · ${duration(health.checkpointAgeMs)} old`}`,
        `${health.memberCosigners.length} of ${names.size}`,
        health.witnesses.length === 0 ? 'none' : health.witnesses.join(', '),
        count(s.peers.length),
        s.relay === undefined
          ? 'not reported'
          : [
              `${s.relay.reservations} of ${relayMax} reserved`,
              h(
                'span',
                { class: 'line' },
                `${plural(s.relay.circuits, 'circuit')} · ${bytes(s.relay.relayedBytes)}`,
              ),
            ],
        s.rendezvous === undefined ? 'not reported' : plural(s.rendezvous.registrations, 'registration'),
      ];
    }),
  });
}
