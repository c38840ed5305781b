// The federation key's rules (governance/CHARTER.md §22): the DKG ceremony driven through the
// ledger, and the federation's signatures on committed worlds.
//
// Nobody starts a ceremony: the rules open one when a world's voting members change (and at
// genesis), and every participant's root sees it in the state and sends its part as a
// statement signed by its node key. Phases: commitments (round 1, public), shares (round 2,
// sealed to each recipient, public), confirmations (each participant opened its shares and got
// the key the transcript gives). The ledger is the DKG's broadcast channel: every root sees the
// same packages in the same order, so no participant can show different commitments to
// different members, and every deadline is measured in ledger time, so all roots agree on who
// was late. A participant that misses a phase's deadline, whose proof fails, who sealed a bad
// share (shown by a complaint anyone can judge) or who complains falsely is named in a
// ceremony entry and the ceremony restarts without it. When every participant confirmed, the
// key enters the working world: one new world, whose cause is the last confirmation.

import {
  canonicalBytes,
  fromBase64,
  fromHex,
  type Json,
  toBase64,
  toHex,
  utf8Bytes,
} from '../codec/index.ts';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, sha256, verifySignature } from '../crypto/index.ts';
import {
  checkBroadcast,
  checkSealedShares,
  checkTranscript,
  type DkgConfig,
  FrostError,
  groupKeyFromTranscript,
  judgeComplaint,
  type Round1Broadcast,
  type SealedShare,
} from '../frost/index.ts';
import {
  type Ceremony,
  type Exclusion,
  missingInPhase,
  openCeremony,
  votingNames,
} from './ceremony-state.ts';
import { PENDING_SIGNATURES_MAX, TRANSCRIPT_VERDICTS_MAX } from './constants.ts';
import type { Draft } from './draft.ts';
import { type Rejection, reject } from './errors.ts';
import type { FederationKey } from './federation-key.ts';
import type { World } from './model.ts';
import { pendingAfterSigned, withPendingSignature } from './pending-signatures.ts';
import type {
  DkgCommitmentStatement,
  DkgComplaintStatement,
  DkgConfirmationStatement,
  DkgSharesStatement,
  FederationSignatureStatement,
  RootStatement,
} from './statement-types.ts';
import { type PendingSignature, pendingSignatureOf } from './world-signatures.ts';

function configOf(c: Ceremony): DkgConfig {
  return { sessionId: c.session, participants: [...c.participants], threshold: c.threshold };
}

function broadcastsOf(c: Ceremony): Round1Broadcast[] {
  return c.participants.map((p) => ({ sessionId: c.session, participant: p, ...c.commitments[p]! }));
}

function sealedOf(c: Ceremony, from: string): SealedShare[] {
  return (c.shares[from] ?? []).map((s) => ({ sessionId: c.session, from, ...s }));
}

/** The ceremony, as this batch's own copy (copied on the first change in a batch). */
function own(d: Draft): Ceremony {
  if (!d.ceremonyOwned) {
    d.ceremony = structuredClone(d.ceremony);
    d.ceremonyOwned = true;
  }
  return d.ceremony!;
}

/** Names members at fault in a ceremony entry and opens the next attempt without them. */
function restart(d: Draft, faults: Exclusion[]): void {
  const c = d.ceremony!;
  const excluded = [...c.excluded, ...faults.map((f) => f.member)];
  const next = openCeremony(d.world, c.session, d.timeMs, excluded);
  d.ceremonies.push({
    kind: 'ceremony',
    session: c.session,
    excluded: faults,
    next: next?.session ?? null,
  });
  d.ceremony = next;
  d.ceremonyOwned = true;
}

/**
 * At the start of a batch (charter §17 step 1): a ceremony opened at genesis starts its clock
 * at the first batch; a phase past its deadline restarts without the participants that did
 * not send their part.
 */
export function ceremonyDeadlines(d: Draft): void {
  const c = d.ceremony;
  const policy = d.base.world.policy.federationKey;
  if (c === undefined || policy === undefined) return;
  if (c.phaseStartMs === 0) {
    own(d).phaseStartMs = d.timeMs;
    return;
  }
  if (d.timeMs <= c.phaseStartMs + policy.phaseMs) return;
  restart(
    d,
    missingInPhase(c).map((member) => ({ member, reason: 'DKG_ABSENT' as const })),
  );
}

/**
 * Transcript verdicts by content: the participant whose proof failed, or the key. The check
 * costs a few hundred point multiplications, and every root asks about the same transcript
 * many times (checking a statement on arrival, building and checking proposals, committing);
 * a pure function's cache, bounded, gives every caller the same answer once.
 */
const transcriptVerdicts = new Map<string, { bad: string } | { key: FederationKey }>();

function transcriptVerdict(c: Ceremony): { bad: string } | { key: FederationKey } {
  const id = toHex(
    sha256(canonicalBytes({ config: configOf(c), commitments: c.commitments } as unknown as Json)),
  );
  const known = transcriptVerdicts.get(id);
  if (known !== undefined) return known;
  let verdict: { bad: string } | { key: FederationKey };
  try {
    checkTranscript(configOf(c), broadcastsOf(c));
    verdict = { key: keyOf(c) };
  } catch (e) {
    if (!(e instanceof FrostError && e.code === 'BAD_PROOF' && e.participant !== undefined)) throw e;
    verdict = { bad: e.participant };
  }
  if (transcriptVerdicts.size >= TRANSCRIPT_VERDICTS_MAX)
    transcriptVerdicts.delete(transcriptVerdicts.keys().next().value!);
  transcriptVerdicts.set(id, verdict);
  return verdict;
}

function keyOf(c: Ceremony): FederationKey {
  const group = groupKeyFromTranscript(configOf(c), broadcastsOf(c), { proofsChecked: true });
  return {
    session: c.session,
    threshold: c.threshold,
    publicKey: toBase64(fromHex(group.publicKey)),
    participants: Object.entries(group.verifyingShares)
      .map(([member, share]) => ({ member, verifyingShare: toBase64(fromHex(share)) }))
      .sort((a, b) => (a.member < b.member ? -1 : 1)),
  };
}

function badPackage(e: unknown): Rejection {
  if (!(e instanceof FrostError)) throw e;
  return reject('DKG_BAD_PACKAGE', `The DKG package is refused: ${e.message} (${e.code}).`);
}

function commitmentRule(d: Draft, s: DkgCommitmentStatement): Rejection | null {
  const c = d.ceremony!;
  const broadcast: Round1Broadcast = {
    sessionId: s.session,
    participant: s.author,
    commitment: s.commitment,
    proofOfKnowledge: s.proofOfKnowledge,
    sealingKey: s.sealingKey,
  };
  try {
    checkBroadcast(configOf(c), broadcast);
  } catch (e) {
    return badPackage(e);
  }
  const mine = own(d);
  mine.commitments[s.author] = {
    commitment: [...s.commitment],
    proofOfKnowledge: s.proofOfKnowledge,
    sealingKey: s.sealingKey,
  };
  if (missingInPhase(mine).length > 0) return null;
  const verdict = transcriptVerdict(mine);
  if ('bad' in verdict) {
    restart(d, [{ member: verdict.bad, reason: 'DKG_BAD_PROOF' }]);
    return null;
  }
  mine.key = structuredClone(verdict.key);
  mine.phase = 'shares';
  mine.phaseStartMs = d.timeMs;
  return null;
}

function sharesRule(d: Draft, s: DkgSharesStatement): Rejection | null {
  const c = d.ceremony!;
  try {
    checkSealedShares(
      configOf(c),
      s.author,
      s.shares.map((x) => ({ sessionId: s.session, from: s.author, ...x })),
    );
  } catch (e) {
    return badPackage(e);
  }
  const mine = own(d);
  mine.shares[s.author] = s.shares.map((x) => ({ ...x }));
  if (missingInPhase(mine).length === 0) {
    mine.phase = 'confirmations';
    mine.phaseStartMs = d.timeMs;
  }
  return null;
}

function confirmationRule(d: Draft, s: DkgConfirmationStatement, id: string): Rejection | null {
  const c = d.ceremony!;
  if (s.publicKey !== c.key!.publicKey) {
    return reject(
      'DKG_KEY_MISMATCH',
      `The confirmed key ${s.publicKey} is not the key the transcript gives (${c.key!.publicKey}); the root's DKG went wrong.`,
    );
  }
  const mine = own(d);
  mine.confirmed.push(s.author);
  if (missingInPhase(mine).length > 0) return null;
  d.world.federationKey = structuredClone(mine.key!);
  d.causes.push(id);
  d.ceremony = undefined;
  return null;
}

function complaintRule(d: Draft, s: DkgComplaintStatement): Rejection | null {
  const c = d.ceremony!;
  if (s.accused === s.author || !c.participants.includes(s.accused)) {
    return reject('DKG_BAD_COMPLAINT', `"${s.accused}" is not another participant of this ceremony.`);
  }
  if (c.confirmed.includes(s.author)) {
    return reject('DKG_BAD_COMPLAINT', `"${s.author}" already confirmed every share it received.`);
  }
  const box = sealedOf(c, s.accused).find((b) => b.to === s.author)!;
  let fault: string;
  try {
    fault = judgeComplaint(configOf(c), broadcastsOf(c), s.author, box, s.sealingSecret);
  } catch (e) {
    if (!(e instanceof FrostError)) throw e;
    return reject('DKG_BAD_COMPLAINT', `The complaint cannot be judged: ${e.message}.`);
  }
  restart(d, [{ member: fault, reason: fault === s.accused ? 'DKG_BAD_SHARE' : 'DKG_FALSE_COMPLAINT' }]);
  return null;
}

const PHASE_OF = {
  'dkg-commitment': 'commitments',
  'dkg-shares': 'shares',
  'dkg-confirmation': 'confirmations',
  'dkg-complaint': 'confirmations',
} as const;

type DkgStatement = Exclude<RootStatement, FederationSignatureStatement>;

function dkgRule(d: Draft, s: DkgStatement, id: string): Rejection | null {
  const c = d.ceremony;
  if (c === undefined)
    return reject('DKG_NO_CEREMONY', 'No DKG ceremony is in progress: the federation key is current.');
  if (s.session !== c.session) {
    return reject(
      'DKG_WRONG_SESSION',
      `The statement is for DKG session ${s.session.slice(0, 12)}…; session ${c.session.slice(0, 12)}… is in progress.`,
    );
  }
  if (!c.participants.includes(s.author)) {
    return reject('DKG_NOT_A_PARTICIPANT', `"${s.author}" is not a participant of this DKG ceremony.`);
  }
  if (c.phase !== PHASE_OF[s.kind]) {
    return reject('DKG_WRONG_PHASE', `The ceremony is in its ${c.phase} phase; a ${s.kind} does not fit.`);
  }
  if (s.kind !== 'dkg-complaint' && !missingInPhase(c).includes(s.author)) {
    return reject('DKG_ALREADY_SENT', `"${s.author}" already sent its part of the ${c.phase} phase.`);
  }
  switch (s.kind) {
    case 'dkg-commitment':
      return commitmentRule(d, s);
    case 'dkg-shares':
      return sharesRule(d, s);
    case 'dkg-confirmation':
      return confirmationRule(d, s, id);
    case 'dkg-complaint':
      return complaintRule(d, s);
  }
}

function verifies(key: string, message: Uint8Array, signature: string): boolean {
  try {
    return verifySignature(
      fromBase64(key, PUBLIC_KEY_BYTES),
      message,
      fromBase64(signature, SIGNATURE_BYTES),
    );
  } catch {
    return false;
  }
}

function signatureRule(d: Draft, s: FederationSignatureStatement): Rejection | null {
  const index = d.pending.findIndex((p) => p.version === s.version);
  if (index < 0) {
    return reject(
      'SIGNATURE_NOT_PENDING',
      `World version ${s.version} is not waiting for the federation's signatures (signed already, superseded by a newer signed world, or never asked for).`,
    );
  }
  const p = d.pending[index]!;
  for (const type of ['planet', 'moon'] as const) {
    if ((p[type] === undefined) === (s[type] === undefined)) continue;
    return reject(
      'SIGNATURE_WRONG_PARTS',
      p[type] === undefined
        ? `World version ${s.version} yields no new ZeroTier ${type} (its ${type} is the one before it): send no ${type} signature.`
        : `World version ${s.version} yields a new ZeroTier ${type}: its ${type} signature is missing.`,
    );
  }
  const note = utf8Bytes(p.note);
  const bad = (what: string) =>
    reject('SIGNATURE_INVALID', `The ${what} signature for world version ${s.version} does not verify.`);
  if (s.worldNote.length !== p.keys.length) return bad('world note');
  for (const [i, key] of p.keys.entries())
    if (!verifies(key, note, s.worldNote[i]!)) return bad('world note');
  for (const type of ['planet', 'moon'] as const) {
    const want = p[type];
    if (want !== undefined && !verifies(want.key, fromHex(want.digest), s[type]!)) return bad(type);
  }
  // The signed world leaves the list, and so do the older ones it supersedes (LEDGER.md §9.4).
  d.pending = pendingAfterSigned(d.pending, index);
  return null;
}

/** Applies a root statement (charter §22) to the draft; null when accepted. */
export function rootStatementRule(d: Draft, s: RootStatement, id: string): Rejection | null {
  return s.kind === 'federation-signature' ? signatureRule(d, s) : dkgRule(d, s, id);
}

function sameVoters(a: World, b: World): boolean {
  return votingNames(a).join(',') === votingNames(b).join(',');
}

/**
 * At the end of a batch that produced `world` (charter §16, §22): the ceremony it needs — a
 * new one when the voting members changed, or when the policy asks for a key the world does
 * not have yet; none without the policy — and the world's signatures to wait for.
 */
export function afterNewWorld(
  d: Draft,
  world: World,
  worldHash: string,
): { ceremony: Ceremony | undefined; pending: PendingSignature[] } {
  let ceremony = d.ceremony;
  if (world.policy.federationKey === undefined) ceremony = undefined;
  else if (!sameVoters(d.base.world, world) || (world.federationKey === undefined && ceremony === undefined))
    ceremony = openCeremony(world, worldHash, d.timeMs);
  const next = pendingSignatureOf(d.base.world, world, worldHash);
  const pending =
    next === undefined ? d.pending : withPendingSignature(d.pending, next, PENDING_SIGNATURES_MAX);
  return { ceremony, pending };
}
