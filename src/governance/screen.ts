// The first look at a statement someone submits (a root's POST /statements, the statements gossip
// topic): its federation, its author (a member of the world in force) and the author's signature,
// checked on the object as it arrived, before the strict reading of every field and before any
// rule runs. Anyone may submit, so what a stranger can make a root do must stay cheap: reading
// five fields, one canonical encoding and one signature check.
//
// Verdicts are those of CHARTER §1–§2 in the charter's order for every statement that is
// well-formed (the strict reading keeps every field as it is, so the signed bytes are the same).
// A statement that is both malformed and not signed by a member is refused for its author or
// signature here; the strict reading would have named its shape (CHARTER §17 lists the order
// inside a batch, which is unchanged).

import { CodecError, canonicalBytes, concatBytes, type Json, toHex, utf8Bytes } from '../codec/index.ts';
import { sha256 } from '../crypto/index.ts';
import { statementDomain } from './constants.ts';
import { type Rejection, reject } from './errors.ts';
import type { World } from './model.ts';
import { authorRejection } from './rules.ts';
import { oneOf, record, ShapeError, signature } from './shape.ts';
import { STATEMENT_KINDS, type StatementKind } from './statement-types.ts';
import { STATEMENT_BYTES_MAX, STATEMENT_KIND_FIELDS, verifyB64 } from './statements.ts';

/** A statement that passed the screen: its id and the length of its canonical bytes. */
export interface Screened {
  id: string;
  bytes: number;
}

const NEWLINE = new Uint8Array([0x0a]);

/**
 * Screens untrusted JSON (`{"signature", "statement"}`) against the world in force: a
 * rejection (MALFORMED_STATEMENT when not even the envelope can be read, or the §1–§2 rule it
 * breaks), or the statement's id and canonical length. Never throws.
 */
export function screenStatement(world: World, x: unknown): Rejection | Screened {
  let fields: { kind: StatementKind; federation: string; author: string };
  let statement: Uint8Array;
  let sig: string;
  try {
    const o = record(x, 'signed statement', ['statement', 'signature']);
    sig = signature(o.signature, 'signature');
    const s = record(
      o.statement,
      'statement',
      ['kind', 'federation', 'author'],
      ['createdMs', ...STATEMENT_KIND_FIELDS],
    );
    const kind = oneOf(s.kind, 'statement.kind', STATEMENT_KINDS);
    if (typeof s.federation !== 'string') throw new ShapeError('statement.federation must be a string');
    if (typeof s.author !== 'string') throw new ShapeError('statement.author must be a string');
    fields = { kind, federation: s.federation, author: s.author };
    statement = canonicalBytes(o.statement as Json);
  } catch (e) {
    if (!(e instanceof ShapeError || e instanceof CodecError)) throw e;
    return reject('MALFORMED_STATEMENT', `The statement is malformed: ${e.message}.`);
  }
  // The canonical bytes of the signed statement, from the statement's: keys in order, and a
  // base64 signature needs no escaping (test/governance/screen.test.ts holds this against
  // canonicalBytes of the whole object).
  const signed = concatBytes(utf8Bytes(`{"signature":"${sig}","statement":`), statement, utf8Bytes('}'));
  if (signed.length > STATEMENT_BYTES_MAX) {
    return reject(
      'MALFORMED_STATEMENT',
      `The statement is malformed: statement is ${signed.length} bytes; the limit is ${STATEMENT_BYTES_MAX}.`,
    );
  }
  const message = concatBytes(utf8Bytes(statementDomain(fields.kind)), NEWLINE, statement);
  const rejection = authorRejection(world, fields, (key) => verifyB64(key, message, sig));
  return rejection ?? { id: toHex(sha256(signed)), bytes: signed.length };
}
