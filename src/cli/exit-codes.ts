// The one mapping from how a command ended to its exit code (README "Exit codes"). Every
// command's action runs through `action()` (output.ts), which asks `exitCodeFor` here; no
// command sets an exit code for an error on its own. Each module's errors are mapped by their
// stable code; what no module typed is a bug (70).

import { AuditError } from '../audit/errors.ts';
import { CodecError } from '../codec/index.ts';
import { ConsensusError } from '../consensus/index.ts';
import { CryptoError, KeyFileError, NoteError } from '../crypto/index.ts';
import { GovernanceError } from '../governance/index.ts';
import { LedgerError } from '../ledger/index.ts';
import { NetError } from '../net/index.ts';
import { NodeError } from '../node/errors.ts';
import { OverlayError, WorldError } from '../overlay/errors.ts';
import { WireError } from '../wire/index.ts';
import {
  CliError,
  type CliExitCode,
  EXIT_BEHIND,
  EXIT_BUG,
  EXIT_DEGRADED,
  EXIT_OK,
  EXIT_REJECTED,
  EXIT_STALLED,
  EXIT_STATE,
  EXIT_UNAVAILABLE,
  EXIT_USAGE,
} from './errors.ts';

export type ExitCode = CliExitCode | typeof EXIT_BUG;

/** Node's codes for a path that cannot be read or written: the person named a wrong file. */
const FILE_ERROR_CODES = new Set(['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EPERM']);
/** Node's and undici's codes for a peer that cannot be reached. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The exit code for an error a command threw. */
export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof NodeError) return nodeExit(err);
  if (err instanceof KeyFileError) return err.code === 'EXISTS' ? EXIT_STATE : EXIT_USAGE;
  if (err instanceof LedgerError)
    return err.code === 'CORRUPT' || err.code === 'ORIGIN_MISMATCH' ? EXIT_STATE : EXIT_REJECTED;
  if (err instanceof ConsensusError) return err.code === 'WAL_CORRUPT' ? EXIT_STATE : EXIT_BUG;
  if (err instanceof NetError) return netExit(err);
  if (err instanceof AuditError) return auditExit(err);
  if (err instanceof GovernanceError) return EXIT_REJECTED;
  if (err instanceof OverlayError)
    return err.code === 'OVERLAY_INVALID_OPTIONS' ? EXIT_USAGE : EXIT_UNAVAILABLE;
  // A world refused for what it is (stale, rolled back, forked, unverified) is a rejection; no
  // root answering, or roots refused for different reasons, is the network's.
  if (err instanceof WorldError) return err.code === 'WORLD_UNAVAILABLE' ? EXIT_UNAVAILABLE : EXIT_REJECTED;
  if (err instanceof CodecError || err instanceof CryptoError || err instanceof NoteError) return EXIT_USAGE;
  if (err instanceof WireError) return EXIT_USAGE;
  const codes = systemCodes(err);
  if (codes.some((c) => FILE_ERROR_CODES.has(c))) return EXIT_USAGE;
  if (codes.some((c) => NETWORK_ERROR_CODES.has(c))) return EXIT_UNAVAILABLE;
  return EXIT_BUG;
}

function nodeExit(err: NodeError): ExitCode {
  switch (err.code) {
    case 'DATA_DIR_LOCKED':
    case 'PORT_IN_USE':
    case 'GENESIS_MISMATCH':
    case 'LEDGER_CORRUPT':
    case 'WAL_CORRUPT':
    case 'DIVERGED':
      return EXIT_STATE;
    default:
      return EXIT_USAGE;
  }
}

/**
 * A root refusing the request as sent (a 4xx other than a timeout or rate limit) rejected it;
 * a bad URL is bad usage; anything else means the root could not be used.
 */
export function netExit(err: NetError): CliExitCode {
  if (err.code === 'BAD_URL') return EXIT_USAGE;
  const status = err.status ?? 0;
  const refused =
    err.code === 'HTTP_STATUS' && status >= 400 && status < 500 && status !== 408 && status !== 429;
  return refused ? EXIT_REJECTED : EXIT_UNAVAILABLE;
}

function auditExit(err: AuditError): ExitCode {
  switch (err.code) {
    case 'BAD_RESPONSE':
      return EXIT_UNAVAILABLE;
    case 'WITNESS_REFUSED':
      return EXIT_REJECTED;
    default:
      return EXIT_USAGE;
  }
}

/** `witan status`'s exit code for a root's verdict: 0 only when healthy. */
export function exitCodeForVerdict(verdict: string): number {
  switch (verdict) {
    case 'healthy':
      return EXIT_OK;
    case 'degraded':
      return EXIT_DEGRADED;
    case 'behind':
      return EXIT_BEHIND;
    default:
      return EXIT_STALLED;
  }
}

/** A system error's codes, on the error and on its cause (fetch wraps the socket's error). */
function systemCodes(err: unknown): string[] {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null | undefined;
  return [e?.code, e?.cause?.code].filter((c): c is string => typeof c === 'string');
}
