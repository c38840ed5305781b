// The one mapping from how a command ended to its exit code (README "Exit codes"), and the
// action wrapper every command runs in — the audit command included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuditError } from '../../src/audit/errors.ts';
import { InvariantError } from '../../src/base/index.ts';
import { auditCommand } from '../../src/cli/audit.ts';
import {
  CliError,
  EXIT_BUG,
  EXIT_REJECTED,
  EXIT_STATE,
  EXIT_UNAVAILABLE,
  EXIT_USAGE,
} from '../../src/cli/errors.ts';
import { exitCodeFor } from '../../src/cli/exit-codes.ts';
import { action } from '../../src/cli/output.ts';
import { CodecError } from '../../src/codec/index.ts';
import { ConsensusError } from '../../src/consensus/index.ts';
import { KeyFileError, NoteError } from '../../src/crypto/index.ts';
import { GovernanceError } from '../../src/governance/index.ts';
import { LedgerError } from '../../src/ledger/index.ts';
import { NetError } from '../../src/net/index.ts';
import { NodeError } from '../../src/node/errors.ts';
import { OverlayError } from '../../src/overlay/errors.ts';
import { WireError } from '../../src/wire/index.ts';

test('each typed error maps to its documented exit code; anything untyped is a bug (70)', () => {
  const cases: Array<[unknown, number]> = [
    [new CliError(EXIT_REJECTED, 'x'), 1],
    [new CliError(EXIT_STATE, 'x'), 4],
    [new GovernanceError('BAD_GENESIS', 'x'), 1],
    [new LedgerError('BAD_CHECKPOINT', 'x'), 1],
    [new LedgerError('CORRUPT', 'x'), 4],
    [new LedgerError('ORIGIN_MISMATCH', 'x'), 4],
    [new NodeError('DATA_DIR_LOCKED', 'x'), 4],
    [new NodeError('LEDGER_CORRUPT', 'x'), 4],
    [new NodeError('WAL_CORRUPT', 'x'), 4],
    [new NodeError('GENESIS_MISMATCH', 'x'), 4],
    [new NodeError('CONFIG_INVALID', 'x'), 3],
    [new ConsensusError('WAL_CORRUPT', 'x'), 4],
    [new KeyFileError('EXISTS', '/k', 'x'), 4],
    [new KeyFileError('WRONG_PASSPHRASE', '/k', 'x'), 3],
    [new CodecError('INVALID_JSON', 'x'), 3],
    [new NoteError('MALFORMED_NOTE', 'x'), 3],
    [new WireError('BAD_VOTE', 'x'), 3],
    [new AuditError('BAD_RESPONSE', 'x'), 2],
    [new NetError('UNREACHABLE', 'x', { url: 'http://x' }), 2],
    [new NetError('TIMEOUT', 'x', { url: 'http://x' }), 2],
    [new NetError('BAD_URL', 'x', { url: 'x' }), 3],
    [new AuditError('BAD_ARGUMENT', 'x'), 3],
    [new AuditError('BAD_STATE', 'x'), 3],
    [new AuditError('WITNESS_REFUSED', 'x'), 1],
    [new OverlayError('RELAY_UNAVAILABLE', 'x'), 2],
    [new OverlayError('OVERLAY_INVALID_OPTIONS', 'x'), 3],
    [Object.assign(new Error('no such file'), { code: 'ENOENT' }), 3],
    [
      new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }),
      2,
    ],
    [new InvariantError('the tree only grows'), 70],
    [new ConsensusError('CLOSED', 'x'), 70],
    [new TypeError('x is undefined'), 70],
    ['a string', 70],
  ];
  for (const [err, code] of cases) assert.equal(exitCodeFor(err), code, String(err));
  assert.deepEqual([EXIT_REJECTED, EXIT_UNAVAILABLE, EXIT_USAGE, EXIT_STATE, EXIT_BUG], [1, 2, 3, 4, 70]);
});

/** Runs `fn` with stderr captured; returns the exit code it set and what it wrote. */
async function captured(fn: () => Promise<unknown>): Promise<{ code: number | undefined; stderr: string }> {
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stderr.write;
  const before = process.exitCode;
  try {
    await fn();
    return { code: process.exitCode as number | undefined, stderr: lines.join('') };
  } finally {
    process.stderr.write = write;
    process.exitCode = before;
  }
}

test('a typed error prints one line and its code; a bug prints its stack and exits 70', async () => {
  const typed = await captured(() =>
    action(() => Promise.reject(new AuditError('BAD_ARGUMENT', 'give a URL')), 'witan audit')(),
  );
  assert.deepEqual(typed, { code: 3, stderr: 'witan audit: give a URL\n' });
  const bug = await captured(() =>
    action(() => Promise.reject(new TypeError('x is undefined')), 'witan audit')(),
  );
  assert.equal(bug.code, 70);
  assert.match(
    bug.stderr,
    /^witan audit: unexpected error \(a bug; please report it\):\nTypeError: x is undefined\n\s+at /,
  );
});

test('the audit command and verify-evidence fail through the same mapping', async () => {
  const noGenesis = await captured(() => auditCommand().parseAsync(['http://127.0.0.1:9'], { from: 'user' }));
  assert.equal(noGenesis.code, 3);
  assert.match(noGenesis.stderr, /^witan audit: --genesis <file> is required/);
  const missing = await captured(() =>
    auditCommand().parseAsync(['verify-evidence', '/nonexistent/evidence.json'], { from: 'user' }),
  );
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /^witan audit verify-evidence: cannot read \/nonexistent\/evidence\.json/);
});
