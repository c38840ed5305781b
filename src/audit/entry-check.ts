// Checking ledger entries ahead of the governance replay, entry by entry and independent of
// order: decode (canonical JSON, exact shape), and for each statement its id, its signing
// bytes and — under the author's key its kind names (signerKeyOf: the governance key, or the
// node key for a duty report or a root statement), as last seen — its signature. This is the
// per-entry work of the audit besides the rules themselves; it runs on the verification
// pool's workers (verify-worker.ts), so that the main thread only replays. Without a pool it
// runs inline, without the signatures (the rules then verify them on the spot).
//
// The keys are a guess: the author's keys in the latest world decoded before this bundle was
// dispatched, updated by the worlds inside the bundle. A result only stands for the key it was
// checked under (governance preVerified), so a wrong guess costs a verification on the main
// thread, never a verdict.

import { bytesEqual, fromBase64, toHex, utf8Bytes } from '../codec/index.ts';
import { sha256, verifySignature } from '../crypto/index.ts';
import {
  decodeEntryAt,
  type LedgerEntry,
  type MemberDescriptor,
  type SignedStatement,
  signerKeyOf,
  statementDomain,
  statementId,
  statementSigningBytes,
} from '../governance/index.ts';

/**
 * One entry as checked: absent `entry` for index 0 (the genesis, compared by its bytes), and
 * for a plain entry sent across threads (`plain`).
 */
export type CheckedEntry = {
  entry?: LedgerEntry;
  /** The entry is JSON.parse of its bytes (isPlain); a worker sends this instead of the object. */
  plain?: true;
  /** statementId of a statement entry. */
  id?: string;
  /** The author's key (base64) the signature was checked against, when one was guessed. */
  key?: string;
  /** Whether the signature verified under `key`. */
  ok?: boolean;
};

/** Entries checked in order; `failedAt`: the first entry that does not decode (checking stops there). */
export type CheckedEntries = { entries: CheckedEntry[]; failedAt?: number; signaturesChecked: number };

/** The two keys of a member (base64); a statement's kind names which one signs it. */
export type MemberKeys = Pick<MemberDescriptor, 'governanceKey' | 'nodeKey'>;

/** author name → its keys, as in the latest world seen. */
export type KeyGuesses = Map<string, MemberKeys>;

/** Moves the guesses to the members of `world` (a member left out keeps its last keys). */
export function guessKeysFrom(
  world: { members: readonly (MemberKeys & { name: string })[] },
  keys: KeyGuesses,
): KeyGuesses {
  for (const m of world.members) keys.set(m.name, { governanceKey: m.governanceKey, nodeKey: m.nodeKey });
  return keys;
}

const STATEMENT_ENTRY_PREFIX = utf8Bytes('{"kind":"statement","statement":');
const SIGNED_INFIX = utf8Bytes('","statement":');
const SIGNATURE_OPEN = '{"signature":"'.length;

/**
 * statementId straight from a (canonical) statement entry: its bytes are the prefix, the
 * canonical bytes of the signed statement, and '}' — so no re-encoding is needed.
 */
export function statementIdOfEntry(bytes: Uint8Array): string | undefined {
  const n = STATEMENT_ENTRY_PREFIX.length;
  if (bytes.length <= n + 1 || bytes[bytes.length - 1] !== 0x7d) return undefined;
  if (!bytesEqual(bytes.subarray(0, n), STATEMENT_ENTRY_PREFIX)) return undefined;
  return toHex(sha256(bytes.subarray(n, bytes.length - 1)));
}

/**
 * The signing bytes of a statement entry's statement, cut from the entry: the signed statement
 * is {"signature":"<88 base64>","statement":<statement>}, so <statement> sits between a fixed
 * offset and the two closing braces. Only an accelerator: a cut in the wrong place cannot
 * verify, and the rules re-check a negative.
 */
export function signingBytesOfEntry(bytes: Uint8Array, signed: SignedStatement): Uint8Array {
  const start = STATEMENT_ENTRY_PREFIX.length + SIGNATURE_OPEN + signed.signature.length;
  const body = start + SIGNED_INFIX.length;
  if (bytes.length > body + 2 && bytesEqual(bytes.subarray(start, body), SIGNED_INFIX)) {
    const domain = utf8Bytes(`${statementDomain(signed.statement.kind)}\n`);
    const out = new Uint8Array(domain.length + bytes.length - 2 - body);
    out.set(domain);
    out.set(bytes.subarray(body, bytes.length - 2), domain.length);
    return out;
  }
  return statementSigningBytes(signed.statement);
}

const utf8 = new TextDecoder();

/**
 * Whether decodeEntry gives exactly JSON.parse of the entry's (canonical, checked) bytes: batch
 * headers and ballots, whose readers keep every field as read (exact key sets, values returned
 * unchanged). They are nearly every entry of a ledger, and a structured clone of the decoded
 * object costs several times what JSON.parse does.
 */
function isPlain(entry: LedgerEntry): boolean {
  return (
    entry.kind === 'batch' || (entry.kind === 'statement' && entry.statement.statement.kind === 'ballot')
  );
}

/** The checks as a worker sends them back: plain entries without their objects. */
export function forTransfer(checked: CheckedEntries): CheckedEntries {
  for (const c of checked.entries) {
    if (c.entry !== undefined && isPlain(c.entry)) {
      delete c.entry;
      c.plain = true;
    }
  }
  return checked;
}

/** The decoded entry of a check, parsing a plain one; undefined when the check has none. */
export function entryOf(bytes: Uint8Array, checked: CheckedEntry | undefined): LedgerEntry | undefined {
  if (checked?.plain === true) return JSON.parse(utf8.decode(bytes)) as LedgerEntry;
  return checked?.entry;
}

/**
 * Checks `entries`, the ledger's entries from index `start`. `keys` (updated in place by the
 * worlds met) are the guesses; `verify` false leaves signatures to the rules.
 */
export function checkEntries(
  entries: readonly Uint8Array[],
  start: number,
  keys: KeyGuesses,
  verify: boolean,
): CheckedEntries {
  const out: CheckedEntries = { entries: [], signaturesChecked: 0 };
  const keyBytes = new Map<string, Uint8Array>();
  let at = start;
  for (const bytes of entries) {
    const index = at++;
    if (index === 0) {
      out.entries.push({});
      continue;
    }
    let entry: LedgerEntry;
    try {
      entry = decodeEntryAt(bytes, index);
    } catch {
      out.failedAt = index; // the replay decodes it again to report the error
      break;
    }
    const checked: CheckedEntry = { entry };
    if (entry.kind === 'world') guessKeysFrom(entry.world, keys);
    if (entry.kind === 'statement') {
      const signed = entry.statement;
      checked.id = statementIdOfEntry(bytes) ?? statementId(signed);
      const author = keys.get(signed.statement.author);
      if (verify && author !== undefined) {
        const key = signerKeyOf(signed.statement.kind, author);
        let publicKey = keyBytes.get(key);
        if (publicKey === undefined) {
          publicKey = fromBase64(key, 32);
          keyBytes.set(key, publicKey);
        }
        checked.key = key;
        checked.ok = verifySignature(
          publicKey,
          signingBytesOfEntry(bytes, signed),
          fromBase64(signed.signature, 64),
        );
        out.signaturesChecked++;
      }
    }
    out.entries.push(checked);
  }
  return out;
}
