// Ledger entries: every leaf is
// the canonical JSON bytes of exactly one entry object. Decoding is bounded (ENTRY_BYTES_MAX,
// depth 32), strict (canonical bytes, exact fields) and throws GovernanceError BAD_ENTRY.

import { CodecError, canonicalBytes, decodeCanonical, type Json } from '../codec/index.ts';
import { ENTRY_BYTES_MAX } from '../ledger/index.ts';
import { EXCLUSION_REASONS, type Exclusion } from './ceremony-state.ts';
import { HEIGHT_MAX, MEMBERS_MAX, TIME_MS_MAX } from './constants.ts';
import { atEntry, GovernanceError } from './errors.ts';
import { checkGenesis, type SignedGenesis } from './genesis.ts';
import { parseName, parseWorld, type World } from './model.ts';
import { DUTIES, type Duty } from './policy.ts';
import { parseSignedRecovery, type SignedRecovery } from './recovery.ts';
import { hexHash, int, list, oneOf, record, ShapeError, text } from './shape.ts';
import type { SignedStatement } from './statement-types.ts';
import { parseSignedStatement } from './statements.ts';

export const ENTRY_DEPTH_MAX = 32;
/** Causes of one world: at most one per statement of a batch. */
export const WORLD_CAUSES_MAX = 1024;

export type OutcomeResult = 'passed' | 'expired' | 'rejected';

/**
 * What a duty verdict did to a member (charter §21): gave a notice, kept one (still below,
 * within its grace or with a motion already open), opened a motion, or lifted a notice.
 */
export type VerdictAction = 'notice' | 'standing' | 'motion' | 'lifted';
export const VERDICT_ACTIONS: readonly VerdictAction[] = ['notice', 'standing', 'motion', 'lifted'];

export interface VerdictEntry {
  kind: 'verdict';
  /** The duty epoch judged. */
  epoch: number;
  member: string;
  /** The duties the member was below in that epoch, in DUTIES order; empty when lifted. */
  below: Duty[];
  action: VerdictAction;
  /** The id of the motion opened, exactly when action is 'motion'. */
  motion?: string;
}

export type LedgerEntry =
  | { kind: 'genesis'; genesis: SignedGenesis }
  | { kind: 'batch'; height: number; timeMs: number; proposer: string }
  | { kind: 'statement'; statement: SignedStatement }
  | { kind: 'world'; world: World; causes: string[] }
  | { kind: 'outcome'; motion: string; result: OutcomeResult; reason?: string }
  /** A recovery (charter §20): the header of a batch of its own, at its height. */
  | { kind: 'recovery'; recovery: SignedRecovery }
  | VerdictEntry
  | {
      kind: 'ceremony';
      /** The DKG session that ends here. */
      session: string;
      /** Who is left out, and why: evidence of each one's fault (charter §22). */
      excluded: Exclusion[];
      /** The session that follows (null when the federation key is no longer asked for). */
      next: string | null;
    };

export function encodeEntry(entry: LedgerEntry): Uint8Array {
  const bytes = canonicalBytes(entry as unknown as Json, ENTRY_DEPTH_MAX);
  if (bytes.length > ENTRY_BYTES_MAX) {
    throw new GovernanceError(
      'BAD_ENTRY',
      `entry is ${bytes.length} bytes; a ledger entry holds at most ${ENTRY_BYTES_MAX}`,
    );
  }
  return bytes;
}

/** A statement entry is this prefix, the signed statement's canonical bytes, and '}'. */
const STATEMENT_ENTRY_OVERHEAD = '{"kind":"statement","statement":}'.length;

/** `bytesLength`: the entry's canonical length, when it was decoded from canonical bytes. */
function parseEntry(x: unknown, bytesLength?: number): LedgerEntry {
  const kind = oneOf(
    record(
      x,
      'entry',
      ['kind'],
      [
        'genesis',
        'height',
        'timeMs',
        'proposer',
        'statement',
        'world',
        'causes',
        'motion',
        'result',
        'reason',
        'recovery',
        'epoch',
        'member',
        'below',
        'action',
        'session',
        'excluded',
        'next',
      ],
    ).kind,
    'entry.kind',
    ['genesis', 'batch', 'statement', 'world', 'outcome', 'recovery', 'verdict', 'ceremony'] as const,
  );
  switch (kind) {
    case 'genesis': {
      const o = record(x, 'entry', ['kind', 'genesis']);
      return { kind, genesis: checkGenesis(o.genesis) };
    }
    case 'batch': {
      const o = record(x, 'entry', ['kind', 'height', 'timeMs', 'proposer']);
      return {
        kind,
        height: int(o.height, 'entry.height', 1, HEIGHT_MAX),
        timeMs: int(o.timeMs, 'entry.timeMs', 0, TIME_MS_MAX),
        proposer: parseName(o.proposer, 'entry.proposer'),
      };
    }
    case 'statement': {
      const o = record(x, 'entry', ['kind', 'statement']);
      const length = bytesLength === undefined ? undefined : bytesLength - STATEMENT_ENTRY_OVERHEAD;
      return { kind, statement: parseSignedStatement(o.statement, length) };
    }
    case 'world': {
      const o = record(x, 'entry', ['kind', 'world', 'causes']);
      const causes = list(o.causes, 'entry.causes', 0, WORLD_CAUSES_MAX).map((c, i) =>
        hexHash(c, `entry.causes[${i}]`),
      );
      return { kind, world: parseWorld(o.world, 'entry.world'), causes };
    }
    case 'recovery': {
      const o = record(x, 'entry', ['kind', 'recovery']);
      return { kind, recovery: parseSignedRecovery(o.recovery, 'entry.recovery') };
    }
    case 'outcome': {
      const o = record(x, 'entry', ['kind', 'motion', 'result'], ['reason']);
      const e: LedgerEntry = {
        kind,
        motion: hexHash(o.motion, 'entry.motion'),
        result: oneOf(o.result, 'entry.result', ['passed', 'expired', 'rejected'] as const),
      };
      if (o.reason !== undefined) e.reason = text(o.reason, 'entry.reason', 64, /^[A-Z][A-Z0-9_]*$/);
      return e;
    }
    case 'verdict':
      return parseVerdict(x);
    case 'ceremony': {
      const o = record(x, 'entry', ['kind', 'session', 'excluded', 'next']);
      return {
        kind,
        session: hexHash(o.session, 'entry.session'),
        excluded: list(o.excluded, 'entry.excluded', 1, MEMBERS_MAX).map((v, i) => {
          const r = record(v, `entry.excluded[${i}]`, ['member', 'reason']);
          return {
            member: parseName(r.member, `entry.excluded[${i}].member`),
            reason: oneOf(r.reason, `entry.excluded[${i}].reason`, EXCLUSION_REASONS),
          };
        }),
        next: o.next === null ? null : hexHash(o.next, 'entry.next'),
      };
    }
  }
}

function parseVerdict(x: unknown): VerdictEntry {
  const o = record(x, 'entry', ['kind', 'epoch', 'member', 'below', 'action'], ['motion']);
  const below = list(o.below, 'entry.below', 0, DUTIES.length).map((d, i) =>
    oneOf(d, `entry.below[${i}]`, DUTIES),
  );
  for (let i = 1; i < below.length; i++) {
    if (DUTIES.indexOf(below[i - 1]!) >= DUTIES.indexOf(below[i]!))
      throw new ShapeError(`entry.below must be in the order ${DUTIES.join(', ')}, each once`);
  }
  const action = oneOf(o.action, 'entry.action', VERDICT_ACTIONS);
  if ((action === 'lifted') !== (below.length === 0))
    throw new ShapeError('entry.below is empty exactly when the notice is lifted');
  if ((action === 'motion') !== (o.motion !== undefined))
    throw new ShapeError('entry.motion is present exactly when a motion opened');
  const e: VerdictEntry = {
    kind: 'verdict',
    epoch: int(o.epoch, 'entry.epoch', 0, TIME_MS_MAX),
    member: parseName(o.member, 'entry.member'),
    below,
    action,
  };
  if (o.motion !== undefined) e.motion = hexHash(o.motion, 'entry.motion');
  return e;
}

/** Decodes one ledger leaf. Throws GovernanceError BAD_ENTRY (or BAD_GENESIS) naming the problem. */
export function decodeEntry(bytes: Uint8Array): LedgerEntry {
  let value: Json;
  try {
    value = decodeCanonical(bytes, { bytesMax: ENTRY_BYTES_MAX, depthMax: ENTRY_DEPTH_MAX });
  } catch (e) {
    if (e instanceof CodecError)
      throw new GovernanceError('BAD_ENTRY', `entry is not canonical JSON: ${e.message}`);
    throw e;
  }
  try {
    return parseEntry(value, bytes.length);
  } catch (e) {
    if (e instanceof ShapeError) throw new GovernanceError('BAD_ENTRY', `entry is malformed: ${e.message}`);
    throw e;
  }
}

/** decodeEntry for ledger entry `index`: a BAD_ENTRY error names the index. */
export function decodeEntryAt(bytes: Uint8Array, index: number): LedgerEntry {
  try {
    return decodeEntry(bytes);
  } catch (e) {
    throw atEntry(e, index);
  }
}
