// Statements: strict reading, signing and signature checks. Each statement
// is signed by its author's governance key over signingBytes('witan/v1/governance/<kind>',
// statement). Keys a statement introduces are proven held: an admitted candidate signs its
// own descriptor with both its keys, and a new governance or node key signs its
// key-possession bytes — so nobody is admitted with, or rotated to, a key they do not hold.

import { canonicalBytes, fromBase64, type Json, signingBytes, toBase64 } from '../codec/index.ts';
import {
  keyPairFromSeed,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  sign,
  verifySignature,
} from '../crypto/index.ts';
import { parseSignedVote } from '../wire/index.ts';
import {
  BALLOT_REASON_CHARS_MAX,
  CANDIDATE_DOMAIN,
  FEDERATION_PATTERN,
  HEIGHT_MAX,
  KEY_POSSESSION_DOMAIN,
  MEMBERS_MAX,
  MOTION_CHANGES_MAX,
  ORGANISATION_CHARS_MAX,
  statementDomain,
  TIME_MS_MAX,
} from './constants.ts';
import { parseObservations } from './duty-report.ts';
import {
  type MemberDescriptor,
  parseDescriptor,
  parseEndpoints,
  parseJurisdiction,
  parseName,
} from './model.ts';
import { parsePolicy } from './policy.ts';
import {
  hexHash,
  int,
  list,
  mlDsaKey,
  oneOf,
  prose,
  publicKey,
  record,
  ShapeError,
  signature,
  text,
} from './shape.ts';
import {
  BALLOT_CHOICES,
  type CandidateSignatures,
  CHANGE_TYPES,
  type Change,
  type Evidence,
  type RootStatementKind,
  type SignedStatement,
  STATEMENT_KINDS,
  type Statement,
  signerRoleOf,
} from './statement-types.ts';
import { parseZeroTierRoot } from './zerotier-root.ts';

/** A statement's canonical bytes must leave room for its ledger entry wrapper (≤ 65,535 bytes). */
export const STATEMENT_BYTES_MAX = 60_000;
/** A checkpoint note inside evidence: a checkpoint and a quorum of cosignatures fit easily. */
export const EVIDENCE_NOTE_CHARS_MAX = 16_384;
export const SUMMARY_CHARS_MAX = 1000;

const BASE = ['kind', 'federation', 'author', 'createdMs'] as const;
/** Fields a statement of one kind or another may have besides BASE. */
export const STATEMENT_KIND_FIELDS = [
  'parentWorld',
  'deadlineMs',
  'changes',
  'summary',
  'motion',
  'choice',
  'reason',
  'evidence',
  'endpoints',
  'nodeKey',
  'nodeKeySignature',
  'epoch',
  'observations',
  'mlDsaKey',
  'zerotier',
  'session',
  'commitment',
  'proofOfKnowledge',
  'sealingKey',
  'shares',
  'publicKey',
  'accused',
  'sealingSecret',
  'version',
  'worldNote',
  'planet',
  'moon',
] as const;

function parseChange(x: unknown, path: string): Change {
  const kind = oneOf(
    record(
      x,
      path,
      ['type'],
      [
        'candidate',
        'candidateSignatures',
        'member',
        'organisation',
        'jurisdiction',
        'endpoints',
        'governanceKey',
        'keySignature',
        'policy',
      ],
    ).type,
    `${path}.type`,
    CHANGE_TYPES,
  );
  switch (kind) {
    case 'admit': {
      const o = record(x, path, ['type', 'candidate', 'candidateSignatures']);
      const sigs = record(o.candidateSignatures, `${path}.candidateSignatures`, ['governance', 'node']);
      return {
        type: 'admit',
        candidate: parseDescriptor(o.candidate, `${path}.candidate`),
        candidateSignatures: {
          governance: signature(sigs.governance, `${path}.candidateSignatures.governance`),
          node: signature(sigs.node, `${path}.candidateSignatures.node`),
        },
      };
    }
    case 'remove':
    case 'reinstate': {
      const o = record(x, path, ['type', 'member']);
      return { type: kind, member: parseName(o.member, `${path}.member`) };
    }
    case 'update-member': {
      const o = record(x, path, ['type', 'member'], ['organisation', 'jurisdiction', 'endpoints']);
      const c: Change = { type: 'update-member', member: parseName(o.member, `${path}.member`) };
      if (o.organisation !== undefined)
        c.organisation = prose(o.organisation, `${path}.organisation`, ORGANISATION_CHARS_MAX);
      if (o.jurisdiction !== undefined)
        c.jurisdiction = parseJurisdiction(o.jurisdiction, `${path}.jurisdiction`);
      if (o.endpoints !== undefined) c.endpoints = parseEndpoints(o.endpoints, `${path}.endpoints`);
      if (Object.keys(o).length === 2) throw new ShapeError(`${path} changes nothing`);
      return c;
    }
    case 'replace-governance-key': {
      const o = record(x, path, ['type', 'member', 'governanceKey', 'keySignature']);
      return {
        type: 'replace-governance-key',
        member: parseName(o.member, `${path}.member`),
        governanceKey: publicKey(o.governanceKey, `${path}.governanceKey`),
        keySignature: signature(o.keySignature, `${path}.keySignature`),
      };
    }
    case 'change-policy': {
      const o = record(x, path, ['type', 'policy']);
      return { type: 'change-policy', policy: parsePolicy(o.policy, `${path}.policy`) };
    }
    case 'probation': {
      const o = record(x, path, ['type', 'member']);
      return { type: 'probation', member: parseName(o.member, `${path}.member`) };
    }
  }
}

function parseEvidence(x: unknown, path: string): Evidence {
  const type = oneOf(record(x, path, ['type', 'first', 'second'], ['member']).type, `${path}.type`, [
    'votes',
    'checkpoints',
  ] as const);
  if (type === 'votes') {
    const o = record(x, path, ['type', 'first', 'second']);
    const parseVote = (v: unknown, p: string) => {
      try {
        return parseSignedVote(v);
      } catch (e) {
        throw new ShapeError(`${p}: ${(e as Error).message}`);
      }
    };
    return {
      type,
      first: parseVote(o.first, `${path}.first`),
      second: parseVote(o.second, `${path}.second`),
    };
  }
  const o = record(x, path, ['type', 'member', 'first', 'second']);
  const note = (v: unknown, p: string): string => {
    if (typeof v !== 'string' || v.length === 0 || v.length > EVIDENCE_NOTE_CHARS_MAX || !v.isWellFormed()) {
      throw new ShapeError(`${p} must be a signed note of at most ${EVIDENCE_NOTE_CHARS_MAX} characters`);
    }
    return v;
  };
  return {
    type,
    member: parseName(o.member, `${path}.member`),
    first: note(o.first, `${path}.first`),
    second: note(o.second, `${path}.second`),
  };
}

const HEX_POINT = /^[0-9a-f]{64}$/;
const HEX_SIGNATURE = /^[0-9a-f]{128}$/;
const HEX_NONCE = /^[0-9a-f]{48}$/;
const HEX_BOX = /^[0-9a-f]{96}$/;

function hex(x: unknown, where: string, pattern: RegExp, what: string): string {
  if (typeof x !== 'string' || !pattern.test(x))
    throw new ShapeError(`${where} must be ${what} in lowercase hex`);
  return x;
}

/** The statements a member's root makes (charter §22), signed by its node key. */
function parseRootStatement(
  x: unknown,
  path: string,
  kind: RootStatementKind,
  base: (o: Record<string, unknown>) => { federation: string; author: string; createdMs: number },
): Statement {
  switch (kind) {
    case 'dkg-commitment': {
      const o = record(x, path, [...BASE, 'session', 'commitment', 'proofOfKnowledge', 'sealingKey']);
      return {
        kind,
        ...base(o),
        session: hexHash(o.session, `${path}.session`),
        commitment: list(o.commitment, `${path}.commitment`, 2, MEMBERS_MAX).map((c, i) =>
          hex(c, `${path}.commitment[${i}]`, HEX_POINT, 'a 32-byte point'),
        ),
        proofOfKnowledge: hex(
          o.proofOfKnowledge,
          `${path}.proofOfKnowledge`,
          HEX_SIGNATURE,
          'a 64-byte proof',
        ),
        sealingKey: hex(o.sealingKey, `${path}.sealingKey`, HEX_POINT, 'a 32-byte X25519 key'),
      };
    }
    case 'dkg-shares': {
      const o = record(x, path, [...BASE, 'session', 'shares']);
      const shares = list(o.shares, `${path}.shares`, 1, MEMBERS_MAX - 1).map((v, i) => {
        const r = record(v, `${path}.shares[${i}]`, ['to', 'nonce', 'ciphertext']);
        return {
          to: parseName(r.to, `${path}.shares[${i}].to`),
          nonce: hex(r.nonce, `${path}.shares[${i}].nonce`, HEX_NONCE, 'a 24-byte nonce'),
          ciphertext: hex(r.ciphertext, `${path}.shares[${i}].ciphertext`, HEX_BOX, 'a 48-byte sealed share'),
        };
      });
      for (let i = 1; i < shares.length; i++) {
        if (!(shares[i - 1]!.to < shares[i]!.to))
          throw new ShapeError(`${path}.shares must be sorted by recipient, one each`);
      }
      return { kind, ...base(o), session: hexHash(o.session, `${path}.session`), shares };
    }
    case 'dkg-confirmation': {
      const o = record(x, path, [...BASE, 'session', 'publicKey']);
      return {
        kind,
        ...base(o),
        session: hexHash(o.session, `${path}.session`),
        publicKey: publicKey(o.publicKey, `${path}.publicKey`),
      };
    }
    case 'dkg-complaint': {
      const o = record(x, path, [...BASE, 'session', 'accused', 'sealingSecret']);
      return {
        kind,
        ...base(o),
        session: hexHash(o.session, `${path}.session`),
        accused: parseName(o.accused, `${path}.accused`),
        sealingSecret: hex(o.sealingSecret, `${path}.sealingSecret`, HEX_POINT, 'a 32-byte X25519 secret'),
      };
    }
    case 'federation-signature': {
      const o = record(x, path, [...BASE, 'version', 'worldNote'], ['planet', 'moon']);
      const s: Statement = {
        kind,
        ...base(o),
        version: int(o.version, `${path}.version`, 1, HEIGHT_MAX),
        worldNote: list(o.worldNote, `${path}.worldNote`, 1, 2).map((v, i) =>
          signature(v, `${path}.worldNote[${i}]`),
        ),
      };
      if (o.planet !== undefined) s.planet = signature(o.planet, `${path}.planet`);
      if (o.moon !== undefined) s.moon = signature(o.moon, `${path}.moon`);
      return s;
    }
  }
}

/** Reads the statement body (without signature) from untrusted JSON. Throws ShapeError. */
export function parseStatement(x: unknown, path = 'statement'): Statement {
  const kind = oneOf(record(x, path, BASE, STATEMENT_KIND_FIELDS).kind, `${path}.kind`, STATEMENT_KINDS);
  const base = (o: Record<string, unknown>) => ({
    federation: text(o.federation, `${path}.federation`, 64, FEDERATION_PATTERN),
    author: parseName(o.author, `${path}.author`),
    createdMs: int(o.createdMs, `${path}.createdMs`, 0, TIME_MS_MAX),
  });
  switch (kind) {
    case 'motion': {
      const o = record(x, path, [...BASE, 'parentWorld', 'deadlineMs', 'changes'], ['summary']);
      const parent = record(o.parentWorld, `${path}.parentWorld`, ['hash', 'version']);
      const s: Statement = {
        kind,
        ...base(o),
        parentWorld: {
          hash: hexHash(parent.hash, `${path}.parentWorld.hash`),
          version: int(parent.version, `${path}.parentWorld.version`, 1, TIME_MS_MAX),
        },
        deadlineMs: int(o.deadlineMs, `${path}.deadlineMs`, 0, TIME_MS_MAX),
        changes: list(o.changes, `${path}.changes`, 1, MOTION_CHANGES_MAX).map((c, i) =>
          parseChange(c, `${path}.changes[${i}]`),
        ),
      };
      if (o.summary !== undefined) s.summary = prose(o.summary, `${path}.summary`, SUMMARY_CHARS_MAX);
      return s;
    }
    case 'ballot': {
      const o = record(x, path, [...BASE, 'motion', 'choice'], ['reason']);
      const s: Statement = {
        kind,
        ...base(o),
        motion: hexHash(o.motion, `${path}.motion`),
        choice: oneOf(o.choice, `${path}.choice`, BALLOT_CHOICES),
      };
      if (o.reason !== undefined) s.reason = prose(o.reason, `${path}.reason`, BALLOT_REASON_CHARS_MAX);
      return s;
    }
    case 'evidence': {
      const o = record(x, path, [...BASE, 'evidence']);
      return { kind, ...base(o), evidence: parseEvidence(o.evidence, `${path}.evidence`) };
    }
    case 'self-update': {
      const o = record(x, path, BASE, ['endpoints', 'nodeKey', 'nodeKeySignature', 'mlDsaKey', 'zerotier']);
      const s: Statement = { kind, ...base(o) };
      if (o.endpoints !== undefined) s.endpoints = parseEndpoints(o.endpoints, `${path}.endpoints`);
      if (o.mlDsaKey !== undefined) s.mlDsaKey = mlDsaKey(o.mlDsaKey, `${path}.mlDsaKey`);
      if (o.zerotier !== undefined) s.zerotier = parseZeroTierRoot(o.zerotier, `${path}.zerotier`);
      if ((o.nodeKey === undefined) !== (o.nodeKeySignature === undefined)) {
        throw new ShapeError(`${path}: nodeKey and nodeKeySignature come together`);
      }
      if (o.nodeKey !== undefined) {
        s.nodeKey = publicKey(o.nodeKey, `${path}.nodeKey`);
        s.nodeKeySignature = signature(o.nodeKeySignature, `${path}.nodeKeySignature`);
      }
      if (Object.keys(o).length === BASE.length) throw new ShapeError(`${path} changes nothing`);
      return s;
    }
    case 'duty-report': {
      const o = record(x, path, [...BASE, 'epoch', 'observations']);
      const b = base(o);
      return {
        kind,
        ...b,
        epoch: int(o.epoch, `${path}.epoch`, 0, TIME_MS_MAX),
        observations: parseObservations(o.observations, `${path}.observations`, b.author),
      };
    }
    default:
      return parseRootStatement(x, path, kind, base);
  }
}

/**
 * Parses and validates a signed statement. `canonicalLength`: the length of its canonical
 * bytes when the caller already knows it (it was decoded from canonical bytes, decodeEntry),
 * which spares encoding it again only to measure it.
 */
export function parseSignedStatement(x: unknown, canonicalLength?: number): SignedStatement {
  const o = record(x, 'signed statement', ['statement', 'signature']);
  const signed: SignedStatement = {
    statement: parseStatement(o.statement),
    signature: signature(o.signature, 'signature'),
  };
  let size: number;
  try {
    size = canonicalLength ?? canonicalBytes(signed as unknown as Json).length;
  } catch (e) {
    throw new ShapeError(`statement cannot be encoded: ${(e as Error).message}`);
  }
  if (size > STATEMENT_BYTES_MAX)
    throw new ShapeError(`statement is ${size} bytes; the limit is ${STATEMENT_BYTES_MAX}`);
  return signed;
}

export function statementSigningBytes(statement: Statement): Uint8Array {
  return signingBytes(statementDomain(statement.kind), statement as unknown as Json);
}

/**
 * Signs a statement with the author's governance key (32-byte seed) — a duty report or a root
 * statement with the author's node key (charter §21, §22; signerKeyOf says which).
 */
export function signStatement<S extends Statement>(statement: S, secretKey: Uint8Array): SignedStatement<S> {
  return { statement, signature: toBase64(sign(secretKey, statementSigningBytes(statement))) };
}

/** Which of the author's keys signs a statement of this kind (signerRoleOf): its node key or governance key. */
export function signerKeyOf(
  kind: Statement['kind'],
  author: Pick<MemberDescriptor, 'nodeKey' | 'governanceKey'>,
): string {
  return signerRoleOf(kind) === 'node' ? author.nodeKey : author.governanceKey;
}

/** Does `signature` (base64) verify over `message` under `key` (base64)? Never throws. */
export function verifyB64(key: string, message: Uint8Array, sig: string): boolean {
  try {
    return verifySignature(fromBase64(key, PUBLIC_KEY_BYTES), message, fromBase64(sig, SIGNATURE_BYTES));
  } catch {
    return false;
  }
}

/** Does `signed` verify under `key` (base64): the author's governance or node key, as signerKeyOf names. */
export function verifyStatementSignature(signed: SignedStatement, key: string): boolean {
  return verifyB64(key, statementSigningBytes(signed.statement), signed.signature);
}

export function candidateBytes(federation: string, candidate: MemberDescriptor): Uint8Array {
  return signingBytes(CANDIDATE_DOMAIN, { federation, candidate } as unknown as Json);
}

/** The candidate's proof that it holds both keys of its descriptor. */
export function signCandidate(
  federation: string,
  candidate: MemberDescriptor,
  governanceSecretKey: Uint8Array,
  nodeSecretKey: Uint8Array,
): CandidateSignatures {
  const bytes = candidateBytes(federation, candidate);
  return {
    governance: toBase64(sign(governanceSecretKey, bytes)),
    node: toBase64(sign(nodeSecretKey, bytes)),
  };
}

export function verifyCandidate(
  federation: string,
  candidate: MemberDescriptor,
  sigs: CandidateSignatures,
): boolean {
  const bytes = candidateBytes(federation, candidate);
  return (
    verifyB64(candidate.governanceKey, bytes, sigs.governance) &&
    verifyB64(candidate.nodeKey, bytes, sigs.node)
  );
}

export type KeyRole = 'governance' | 'node';

/** Bytes a new key signs to prove it is held: binds federation, member and role. */
export function keyPossessionBytes(
  federation: string,
  member: string,
  role: KeyRole,
  key: string,
): Uint8Array {
  return signingBytes(KEY_POSSESSION_DOMAIN, { federation, member, role, key });
}

/** Signs the key-possession bytes with the new key's secret; returns { key, signature } in base64. */
export function proveKeyPossession(
  federation: string,
  member: string,
  role: KeyRole,
  secretKey: Uint8Array,
): { key: string; signature: string } {
  const key = toBase64(keyPairFromSeed(secretKey).publicKey);
  return { key, signature: toBase64(sign(secretKey, keyPossessionBytes(federation, member, role, key))) };
}
