// The auditor's memory between runs (`--state <file>`): the verified tree (size, root and the
// RFC 6962 right frontier, so the next run only fetches entries past it), the checkpoints each
// root served (for split-view and rollback checks over time), the governance state after the
// last verified entry (so replay continues instead of restarting from genesis) and a summary
// for the report. Written atomically (temp file + rename); read bounded and validated.

import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { fromBase64, toBase64 } from '../codec/index.ts';
import type { SeenCheckpoint } from './checkpoints.ts';
import { STATE_BYTES_MAX, STATE_CHECKPOINTS_PER_ROOT_MAX } from './constants.ts';
import { AuditError } from './errors.ts';

export const STATE_FORMAT = 'witan-audit-state/v1';

export type AuditState = {
  origin: string;
  /** Hex SHA-256 of the genesis entry: a state file belongs to one federation's ledger. */
  genesisLeafHash: string;
  size: number;
  rootHash: Uint8Array;
  frontier: Uint8Array[];
  /** Checkpoints served, per root URL, oldest first. */
  checkpoints: SeenCheckpoint[];
  /** Governance state after entry size − 1 (JSON-safe, owned by src/governance). */
  governance: unknown;
  /** Running summary the report is built from (owned by replay.ts). */
  summary: unknown;
};

type StateJson = {
  format: string;
  origin: string;
  genesisLeafHash: string;
  size: number;
  rootHash: string;
  frontier: string[];
  checkpoints: { root: string; note: string; size: number; rootHash: string; observedAtMs: number }[];
  governance: unknown;
  summary: unknown;
};

function bad(path: string, message: string): AuditError {
  return new AuditError('BAD_STATE', `${path}: ${message}; remove the file to audit from genesis again`);
}

/** Keeps the newest STATE_CHECKPOINTS_PER_ROOT_MAX checkpoints of each root. */
export function trimCheckpoints(list: readonly SeenCheckpoint[]): SeenCheckpoint[] {
  const byRoot = new Map<string, SeenCheckpoint[]>();
  for (const c of list) byRoot.set(c.root, [...(byRoot.get(c.root) ?? []), c]);
  const out: SeenCheckpoint[] = [];
  for (const items of byRoot.values()) {
    // Always keep the largest ever seen (rollback detection needs it), then the newest.
    const largest = items.reduce((a, b) => (b.size > a.size ? b : a));
    const newest = items.slice(-STATE_CHECKPOINTS_PER_ROOT_MAX + 1).filter((c) => c !== largest);
    out.push(largest, ...newest);
  }
  return out.sort((a, b) => a.observedAtMs - b.observedAtMs);
}

export function readState(path: string): AuditState | undefined {
  if (!existsSync(path)) return undefined;
  if (statSync(path).size > STATE_BYTES_MAX) throw bad(path, `larger than ${STATE_BYTES_MAX} bytes`);
  let json: StateJson;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as StateJson;
  } catch {
    throw bad(path, 'not JSON');
  }
  if (json?.format !== STATE_FORMAT) throw bad(path, `not a ${STATE_FORMAT} file`);
  try {
    if (!Number.isSafeInteger(json.size) || json.size < 0) throw new Error('bad size');
    if (!Array.isArray(json.checkpoints)) throw new Error('bad checkpoints');
    return {
      origin: String(json.origin),
      genesisLeafHash: String(json.genesisLeafHash),
      size: json.size,
      rootHash: fromBase64(json.rootHash, 32),
      frontier: json.frontier.map((h) => fromBase64(h, 32)),
      checkpoints: json.checkpoints.map((c) => ({
        root: String(c.root),
        note: String(c.note),
        size: Number(c.size),
        rootHash: fromBase64(c.rootHash, 32),
        observedAtMs: Number(c.observedAtMs),
      })),
      governance: json.governance,
      summary: json.summary,
    };
  } catch (error) {
    throw bad(path, `malformed (${(error as Error).message})`);
  }
}

export function writeState(path: string, state: AuditState): void {
  const json: StateJson = {
    format: STATE_FORMAT,
    origin: state.origin,
    genesisLeafHash: state.genesisLeafHash,
    size: state.size,
    rootHash: toBase64(state.rootHash),
    frontier: state.frontier.map(toBase64),
    checkpoints: trimCheckpoints(state.checkpoints).map((c) => ({ ...c, rootHash: toBase64(c.rootHash) })),
    governance: state.governance,
    summary: state.summary,
  };
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(json)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}
