// The rules for one statement (governance/CHARTER.md §1–§15, §21), applied to the
// working copy of a batch. Each handler checks everything first and only then changes the
// draft, so a rejected statement leaves the state exactly as it was.

import { fromBase64 } from '../codec/index.ts';
import { cosignatureVerifier, openNote, PUBLIC_KEY_BYTES } from '../crypto/index.ts';
import { parseCheckpoint } from '../ledger/index.ts';
import { verifyVote, votesConflict } from '../wire/index.ts';
import { rootStatementRule } from './ceremony.ts';
import { admissionsIn, applyChanges, removalTargets } from './changes.ts';
import {
  OPEN_MOTIONS_MAX,
  OPEN_MOTIONS_PER_MEMBER_MAX,
  STATEMENT_FUTURE_MS_MAX,
  SYSTEM_AUTHOR,
} from './constants.ts';
import type { Draft } from './draft.ts';
import { reportRejection, withReport } from './duties.ts';
import type { LedgerEntry } from './entry.ts';
import { type Rejection, reject } from './errors.ts';
import { ledgerOrigin, statementId } from './hash.ts';
import type { Member, World } from './model.ts';
import { seasoningPeriodOf, selfUpdateLimitOf } from './policy.ts';
import { seenHas } from './seen.ts';
import type { OpenMotion } from './state.ts';
import {
  type BallotStatement,
  type DutyReportStatement,
  type EvidenceStatement,
  type MotionStatement,
  type SelfUpdateStatement,
  type SignedStatement,
  type StatementKind,
  signerRoleOf,
} from './statement-types.ts';
import { keyPossessionBytes, parseSignedStatement, signerKeyOf, verifyB64 } from './statements.ts';
import { electorate, tally } from './tally.ts';
import { worldRuleViolation } from './world-rules.ts';

const member = (world: World, name: string): Member | undefined => world.members.find((m) => m.name === name);

function epochOf(timeMs: number, world: World): number {
  return Math.floor(timeMs / world.policy.epochMs);
}

function closeMotion(
  d: Draft,
  m: OpenMotion,
  result: 'passed' | 'expired' | 'rejected',
  reason?: string,
): void {
  d.motions.delete(m.id);
  const outcome: LedgerEntry = { kind: 'outcome', motion: m.id, result };
  if (reason !== undefined) outcome.reason = reason;
  d.outcomes.push(outcome);
}

/**
 * A motion whose tally passes is applied to the working world — unless its changes no
 * longer fit (rejected with the code of the rule they break) or the epoch's admissions are
 * used up (rejected with ADMISSION_RATE). Either way the motion closes.
 */
export function settleMotion(d: Draft, m: OpenMotion): void {
  if (!tally(m, d.base.world, d.timeMs).passes) return;
  const result = applyChanges(d.world, m.changes, d.timeMs, d.retiredNodeKeys);
  if ('code' in result) {
    closeMotion(d, m, 'rejected', result.code);
    return;
  }
  const admitted = admissionsIn(m.changes);
  if (admitted > 0) {
    const epoch = epochOf(d.timeMs, d.base.world);
    const used = d.admissions.epoch === epoch ? d.admissions.count : 0;
    if (used + admitted > d.base.world.policy.maxAdmissionsPerEpoch) {
      closeMotion(d, m, 'rejected', 'ADMISSION_RATE');
      return;
    }
    d.admissions = { epoch, count: used + admitted };
  }
  d.world = result.world;
  d.causes.push(m.id);
  closeMotion(d, m, 'passed');
}

/**
 * CHARTER §1–§2 on a statement's federation, author and signature, in that order: the part of
 * the common checks that needs nothing but the world, which a root also runs on a submitted
 * statement before anything else (screen.ts). `signedBy` says whether the signature is by a key.
 */
export function authorRejection(
  world: World,
  s: { federation: string; author: string; kind: StatementKind },
  signedBy: (key: string) => boolean,
): Rejection | null {
  if (s.federation !== world.federation) {
    return reject(
      'WRONG_FEDERATION',
      `The statement is for federation "${s.federation}", not "${world.federation}".`,
    );
  }
  const author = member(world, s.author);
  if (author === undefined)
    return reject('UNKNOWN_AUTHOR', `"${s.author}" is not a member of the federation.`);
  // Officers sign with the governance key; a root signs its own statements with the node key.
  if (!signedBy(signerKeyOf(s.kind, author))) {
    return reject(
      'BAD_SIGNATURE',
      `The signature is not by the ${signerRoleOf(s.kind)} key of "${s.author}" over this ${s.kind}.`,
    );
  }
  return null;
}

function checkCommon(d: Draft, signed: SignedStatement, id: string): Rejection | null {
  const s = signed.statement;
  const unsigned = authorRejection(d.world, s, (key) => d.verify(signed, key, id));
  if (unsigned !== null) return unsigned;
  const author = member(d.world, s.author)!;
  if (s.createdMs > d.timeMs + STATEMENT_FUTURE_MS_MAX) {
    return reject(
      'STATEMENT_FROM_FUTURE',
      `The statement is dated ${s.createdMs - d.timeMs} ms after the batch; check the signer's clock.`,
    );
  }
  if (s.createdMs < d.timeMs - d.base.world.policy.statementAgeMaxMs) {
    return reject(
      'STATEMENT_STALE',
      `The statement was signed ${d.timeMs - s.createdMs} ms before the batch, more than the ${d.base.world.policy.statementAgeMaxMs} ms allowed; sign it again.`,
    );
  }
  if (d.seenAdded.has(id) || seenHas(d.seen, id, s.createdMs))
    return reject('DUPLICATE_STATEMENT', 'This exact statement is already in the ledger.');
  if (author.status === 'suspended')
    return reject('AUTHOR_SUSPENDED', `"${s.author}" is suspended and cannot make statements.`);
  return null;
}

function motionRule(d: Draft, s: MotionStatement, id: string): Rejection | null {
  if (member(d.world, s.author)?.status !== 'voting' || member(d.base.world, s.author)?.status !== 'voting') {
    return reject('NOT_A_VOTING_MEMBER', `"${s.author}" is not a voting member, so it cannot move motions.`);
  }
  if (s.parentWorld.hash !== d.base.worldHash || s.parentWorld.version !== d.base.world.version) {
    return reject(
      'MOTION_WRONG_PARENT',
      `The motion names world version ${s.parentWorld.version} (hash ${s.parentWorld.hash}), but version ${d.base.world.version} (hash ${d.base.worldHash}) is in force; move it again against the current world.`,
    );
  }
  const ttl = d.base.world.policy.motionTtlMs;
  if (!(s.deadlineMs > s.createdMs && s.deadlineMs <= s.createdMs + ttl && s.deadlineMs >= d.timeMs)) {
    return reject(
      'BAD_DEADLINE',
      `The deadline must be after the motion is signed, at most ${ttl} ms later, and not already past.`,
    );
  }
  const open = [...d.motions.values()];
  if (
    open.length >= OPEN_MOTIONS_MAX ||
    open.filter((m) => m.author === s.author).length >= OPEN_MOTIONS_PER_MEMBER_MAX
  ) {
    return reject(
      'TOO_MANY_OPEN_MOTIONS',
      `Too many open motions (at most ${OPEN_MOTIONS_MAX}, ${OPEN_MOTIONS_PER_MEMBER_MAX} per member); wait for some to close.`,
    );
  }
  const admitted = admissionsIn(s.changes);
  if (admitted > d.base.world.policy.maxAdmissionsPerEpoch) {
    return reject(
      'ADMISSION_RATE',
      `The motion admits ${admitted} members; at most ${d.base.world.policy.maxAdmissionsPerEpoch} may be admitted per epoch.`,
    );
  }
  const result = applyChanges(d.world, s.changes, d.timeMs, d.retiredNodeKeys);
  if ('code' in result) return result;
  d.motions.set(id, {
    id,
    author: s.author,
    changes: structuredClone(s.changes),
    createdMs: s.createdMs,
    deadlineMs: s.deadlineMs,
    parent: d.base.worldHash,
    ballots: {},
  });
  return null;
}

function ballotRule(d: Draft, s: BallotStatement, id: string): Rejection | null {
  if (member(d.base.world, s.author)?.status !== 'voting') {
    return reject(
      'NOT_A_VOTING_MEMBER',
      `"${s.author}" is not a voting member of the world in force, so its ballot cannot count.`,
    );
  }
  const m = d.motions.get(s.motion);
  if (m === undefined)
    return reject(
      'UNKNOWN_MOTION',
      `There is no open motion ${s.motion.slice(0, 12)}…; it may have passed, expired or never existed.`,
    );
  if (removalTargets(m.changes).has(s.author)) {
    return reject('BALLOT_ON_OWN_REMOVAL', `"${s.author}" cannot vote on a motion that removes it.`);
  }
  if (!electorate(m, d.base.world, d.timeMs).eligible.has(s.author)) {
    const voter = member(d.base.world, s.author)!;
    const days = Math.ceil((voter.since + seasoningPeriodOf(d.base.world.policy) - d.timeMs) / 86_400_000);
    return reject(
      'BALLOT_NOT_SEASONED',
      `"${s.author}" has voted for less than the seasoning period, so it cannot vote on a policy change or a removal yet (${days} more days).`,
    );
  }
  const previous = m.ballots[s.author];
  if (previous !== undefined && previous.createdMs >= s.createdMs) {
    return reject(
      'BALLOT_SUPERSEDED',
      `"${s.author}" already has a ballot on this motion signed at or after this one.`,
    );
  }
  m.ballots[s.author] = { choice: s.choice, createdMs: s.createdMs, id };
  settleMotion(d, m);
  return null;
}

/** The member the evidence convicts, or a rejection. Verifies both signed messages. */
function convict(d: Draft, s: EvidenceStatement): Member | Rejection {
  const e = s.evidence;
  if (e.type === 'votes') {
    if (
      !verifyVote(e.first) ||
      !verifyVote(e.second) ||
      !votesConflict(e.first, e.second) ||
      e.first.federation !== d.world.federation
    ) {
      return reject(
        'EVIDENCE_INVALID',
        'The two votes are not validly signed, conflicting votes of this federation by one validator.',
      );
    }
    const retired = d.retiredNodeKeys[e.first.validator];
    const culprit = d.world.members.find(
      (m) => m.nodeKey === e.first.validator || m.name === retired?.member,
    );
    return (
      culprit ??
      reject('EVIDENCE_UNKNOWN_KEY', 'The votes were signed by a node key that belongs to no member.')
    );
  }
  const culprit = member(d.world, e.member);
  if (culprit === undefined) return reject('EVIDENCE_UNKNOWN_KEY', `There is no member named "${e.member}".`);
  try {
    // The member's node key, and any node key it rotated away recently (charter §14).
    const keys = [
      culprit.nodeKey,
      ...Object.entries(d.retiredNodeKeys)
        .filter(([, r]) => r.member === culprit.name)
        .map(([k]) => k),
    ];
    const verifiers = keys.map((k) => cosignatureVerifier(culprit.name, fromBase64(k, PUBLIC_KEY_BYTES)));
    const [a, b] = [e.first, e.second].map((note) => parseCheckpoint(openNote(note, verifiers).text));
    const origin = ledgerOrigin(d.world);
    if (
      a!.origin === origin &&
      b!.origin === origin &&
      a!.size === b!.size &&
      !Buffer.from(a!.rootHash).equals(b!.rootHash)
    ) {
      return culprit;
    }
  } catch {
    // a note that does not parse or verify is simply not evidence
  }
  return reject(
    'EVIDENCE_INVALID',
    `The notes are not two checkpoints of this ledger, of one size with different roots, both cosigned by "${e.member}".`,
  );
}

function evidenceRule(d: Draft, s: EvidenceStatement, id: string): Rejection | null {
  const culprit = convict(d, s);
  if ('code' in culprit) return culprit;
  if (culprit.status === 'suspended')
    return reject('EVIDENCE_ALREADY_SUSPENDED', `"${culprit.name}" is already suspended.`);
  culprit.status = 'suspended';
  culprit.since = d.timeMs;
  d.causes.push(id);
  d.motions.set(id, {
    id,
    author: SYSTEM_AUTHOR,
    changes: [{ type: 'remove', member: culprit.name }],
    createdMs: d.timeMs,
    deadlineMs: d.timeMs + d.base.world.policy.motionTtlMs,
    parent: d.base.worldHash,
    ballots: {},
  });
  return null;
}

function sameEndpoints(a: Member['endpoints'], b: Member['endpoints']): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function selfUpdateRule(d: Draft, s: SelfUpdateStatement, id: string): Rejection | null {
  const next = structuredClone(d.world);
  const me = member(next, s.author)!;
  const unchanged =
    (s.endpoints === undefined || sameEndpoints(s.endpoints, me.endpoints)) &&
    (s.nodeKey === undefined || s.nodeKey === me.nodeKey) &&
    (s.mlDsaKey === undefined || s.mlDsaKey === me.mlDsaKey) &&
    (s.zerotier === undefined || JSON.stringify(s.zerotier) === JSON.stringify(me.zerotier));
  if (unchanged) {
    return reject(
      'SELF_UPDATE_NO_CHANGE',
      `The self-update of "${s.author}" changes nothing: its endpoints, node key, ML-DSA key and ZeroTier root are already these.`,
    );
  }
  const limit = selfUpdateLimitOf(d.base.world.policy);
  const recent = (d.selfUpdates[s.author] ?? []).filter((t) => t > d.timeMs - limit.windowMs);
  if (recent.length >= limit.max) {
    return reject(
      'SELF_UPDATE_RATE',
      `"${s.author}" already made ${recent.length} self-updates within ${limit.windowMs} ms, the most the policy allows; wait, or ask the members for a motion.`,
    );
  }
  if (s.endpoints !== undefined) me.endpoints = structuredClone(s.endpoints);
  if (s.mlDsaKey !== undefined) me.mlDsaKey = s.mlDsaKey;
  if (s.zerotier !== undefined) me.zerotier = structuredClone(s.zerotier);
  if (s.nodeKey !== undefined && s.nodeKey !== me.nodeKey) {
    if (d.retiredNodeKeys[s.nodeKey] !== undefined) {
      return reject(
        'KEY_IN_USE',
        "The key was a member's node key until recently; every key must be unique.",
      );
    }
    const bytes = keyPossessionBytes(next.federation, s.author, 'node', s.nodeKey);
    if (!verifyB64(s.nodeKey, bytes, s.nodeKeySignature!)) {
      return reject(
        'KEY_SIGNATURE_INVALID',
        `The new node key of "${s.author}" did not sign its key-possession statement.`,
      );
    }
    me.nodeKey = s.nodeKey;
  }
  const violation = worldRuleViolation(next, d.world);
  if (violation !== null) return violation;
  const old = member(d.world, s.author)!.nodeKey;
  if (old !== me.nodeKey) d.retiredNodeKeys[old] = { member: s.author, retiredMs: d.timeMs };
  d.selfUpdates[s.author] = [...(d.selfUpdates[s.author] ?? []), d.timeMs];
  d.world = next;
  d.causes.push(id);
  return null;
}

function reportRule(d: Draft, s: DutyReportStatement): Rejection | null {
  const r = reportRejection(d.base.world, d.timeMs, s, d.reports);
  if (r !== null) return r;
  d.reports = withReport(d.reports, s);
  return null;
}

/** Applies one signed statement to the draft. Returns null when accepted, else the rejection. */
export function applyStatement(d: Draft, input: SignedStatement): Rejection | null {
  let signed: SignedStatement = input;
  let id = d.known?.get(input)?.id;
  if (id === undefined) {
    try {
      signed = parseSignedStatement(input);
    } catch (e) {
      return reject('MALFORMED_STATEMENT', `The statement is malformed: ${(e as Error).message}.`);
    }
    id = statementId(signed);
  }
  const common = checkCommon(d, signed, id);
  if (common !== null) return common;
  const s = signed.statement;
  const r =
    s.kind === 'motion'
      ? motionRule(d, s, id)
      : s.kind === 'ballot'
        ? ballotRule(d, s, id)
        : s.kind === 'evidence'
          ? evidenceRule(d, s, id)
          : s.kind === 'self-update'
            ? selfUpdateRule(d, s, id)
            : s.kind === 'duty-report'
              ? reportRule(d, s)
              : rootStatementRule(d, s, id);
  if (r !== null) return r;
  d.seenAdded.set(id, s.createdMs);
  d.accepted.push(signed);
  return null;
}
