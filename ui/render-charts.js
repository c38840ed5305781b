// Charts over federation time: the ledger's growth, checkpoint cosigners and witnesses, relay
// and rendezvous load per root. History comes from the ledger and the world chain where they
// hold it; the rest is sampled by this page while it is open.

import { chart } from './chart.js';
import { cosigners, parseCheckpointNote } from './note.js';
import { cosigning } from './view.js';

/** @typedef {import('./view.js').View} View */

/**
 * Points from several sources, in time order.
 * @param {...[number, number][]} lists
 * @returns {[number, number][]}
 */
function merged(...lists) {
  return lists.flat().sort((a, b) => a[0] - b[0]);
}

/**
 * Member and witness cosignatures of each world's checkpoint, at the time a quorum had cosigned.
 * @param {View} v
 */
function cosignerHistory(v) {
  /** @type {[number, number][]} */
  const members = [];
  /** @type {[number, number][]} */
  const witnesses = [];
  const { names } = cosigning(v.world);
  for (const step of v.chain?.steps ?? []) {
    try {
      const signed = cosigners(parseCheckpointNote(step.proof.checkpointNote), names);
      const at = Math.max(...signed.members.map((s) => s.timeMs ?? 0));
      if (at > 0) {
        members.push([at, signed.members.length]);
        witnesses.push([at, signed.witnesses.length]);
      }
    } catch {
      // a note this page cannot read adds no point
    }
  }
  return { members, witnesses };
}

/**
 * @param {View} v
 * @param {number} [width] the width each chart will take on the page, in CSS pixels
 */
export function charts(v, width) {
  const history = cosignerHistory(v);
  /** @param {Map<string, [number, number][]>} byRoot */
  const perRoot = (byRoot) => [...byRoot].map(([label, points]) => ({ label, points }));
  return [
    chart({
      width,
      title: 'Ledger size (entries) over federation time',
      series: [{ label: 'entries', points: merged(v.ledger.growth(v.status.ledger.size), v.samples.size) }],
      step: true,
    }),
    chart({
      width,
      title: 'Checkpoint cosignatures over federation time',
      series: [
        { label: 'members', points: merged(history.members, v.samples.cosigners) },
        { label: 'witnesses', points: merged(history.witnesses, v.samples.witnesses) },
      ],
      step: true,
    }),
    chart({
      width,
      title: 'Relay reservations per root (sampled while this page is open)',
      series: perRoot(v.samples.reservations),
    }),
    chart({
      width,
      title: 'Rendezvous registrations per root (sampled while this page is open)',
      series: perRoot(v.samples.registrations),
    }),
  ];
}
