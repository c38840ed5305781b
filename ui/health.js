// A root's health as this browser sees it, from the root's /status and /checkpoint and the
// other roots' heights. Pure: the page hands in what it read.

import { cosigners, quorumTimeMs } from './note.js';

/** A root this many heights behind the highest one, twice in a row, is catching up. */
export const BEHIND_HEIGHTS_MIN = 1;

/**
 * @typedef {{
 *   name: string, url: string, self: boolean,
 *   status: import('./types.js').StatusAnswer | null,
 *   note: import('./note.js').CheckpointNote | null,
 *   error: string | null, answerMs: number | null,
 *   behindBefore: boolean,
 * }} RootReading
 * @typedef {{
 *   level: 'healthy' | 'degraded' | 'unreachable', words: string,
 *   behind: number, memberCosigners: string[], witnesses: string[],
 *   checkpointAgeMs: number | null, lastCommitAgeMs: number | null,
 * }} RootHealth
 */

/**
 * @param {RootReading} r
 * @param {{
 *   maxHeight: number, members: ReadonlySet<string>, freshnessMs: number,
 *   quorumAt: (size: number) => number,
 * }} federation `quorumAt`: the quorum of the validators whose batch made a tree of that size
 * @returns {RootHealth}
 */
export function rootHealth(r, federation) {
  const empty = {
    behind: 0,
    memberCosigners: [],
    witnesses: [],
    checkpointAgeMs: null,
    lastCommitAgeMs: null,
  };
  if (r.status === null) {
    return { ...empty, level: 'unreachable', words: `unreachable from here: ${r.error ?? 'no answer'}` };
  }
  const s = r.status;
  const behind = Math.max(0, federation.maxHeight - s.height);
  const signed = r.note === null ? null : cosigners(r.note, federation.members);
  const quorumMs =
    signed === null ? null : quorumTimeMs(signed.members, federation.quorumAt(r.note?.size ?? 0));
  const health = {
    behind,
    memberCosigners: signed?.members.map((c) => c.name) ?? [],
    witnesses: signed?.witnesses.map((c) => c.name) ?? [],
    checkpointAgeMs: quorumMs === null ? null : Math.max(0, s.timeMs - quorumMs),
    lastCommitAgeMs: s.lastCommit === null ? null : Math.max(0, s.timeMs - s.lastCommit.timeMs),
  };
  /** @type {string[]} */
  const problems = [];
  if (behind >= BEHIND_HEIGHTS_MIN && r.behindBefore) problems.push(`catching up (${behind} behind)`);
  if (r.note === null) problems.push(`no checkpoint: ${r.error ?? 'none published yet'}`);
  else if (health.checkpointAgeMs === null) problems.push('checkpoint without a quorum of cosignatures');
  else if (health.checkpointAgeMs > federation.freshnessMs) problems.push('checkpoint stale');
  if (problems.length > 0) return { ...health, level: 'degraded', words: problems.join('; ') };
  return { ...health, level: 'healthy', words: 'healthy' };
}
