// signing.json of the governance vectors: the exact objects and bytes behind the signatures
// that are not statement signatures — a candidate's proof of its two keys, key-possession
// statements for a new governance key and a new node key, and consensus votes (the bytes
// validators sign, and which pairs are equivocation).

import { type Json, toBase64, toHex } from '../../src/codec/index.ts';
import { sign, verifySignature } from '../../src/crypto/index.ts';
import {
  CANDIDATE_DOMAIN,
  candidateBytes,
  KEY_POSSESSION_DOMAIN,
  type KeyRole,
  keyPossessionBytes,
  signCandidate,
  verifyCandidate,
} from '../../src/governance/index.ts';
import {
  CONSENSUS_VOTE_DOMAIN,
  type SignedVote,
  signVote,
  type VoteBody,
  verifyVote,
  voteSigningBytes,
  votesConflict,
} from '../../src/wire/index.ts';
import { descriptor, FEDERATION, gov, node } from './identities.ts';

function possession(member: string, role: KeyRole, secretKey: Uint8Array, publicKey: Uint8Array) {
  const key = toBase64(publicKey);
  const bytes = keyPossessionBytes(FEDERATION, member, role, key);
  const signature = sign(secretKey, bytes);
  if (!verifySignature(publicKey, bytes, signature)) throw new Error('key possession does not verify');
  return {
    note: `the new ${role} key of ${member} proves it is held`,
    signed: { federation: FEDERATION, member, role, key },
    signingBytesHex: toHex(bytes),
    signature: toBase64(signature),
  };
}

export function signingVectors(): Json {
  const candidate = descriptor('fir', 'FR');
  const candidateSignatures = signCandidate(
    FEDERATION,
    candidate,
    gov('fir').secretKey,
    node('fir').secretKey,
  );
  if (!verifyCandidate(FEDERATION, candidate, candidateSignatures))
    throw new Error('candidate does not verify');

  const alder = node('alder');
  const body = (type: VoteBody['type'], round: number, valueId: string | null): VoteBody => ({
    federation: FEDERATION,
    height: 5,
    round,
    type,
    valueId,
    validator: toBase64(alder.publicKey),
  });
  const votes: [string, string, SignedVote][] = [
    ['prevote-a', 'a prevote for a value', signVote(body('prevote', 0, 'aa'.repeat(32)), alder.secretKey)],
    [
      'prevote-b',
      'a prevote for another value, same height and round',
      signVote(body('prevote', 0, 'bb'.repeat(32)), alder.secretKey),
    ],
    [
      'prevote-nil',
      'a prevote for nil (valueId null), same height and round',
      signVote(body('prevote', 0, null), alder.secretKey),
    ],
    [
      'precommit-a',
      'a precommit for the value of prevote-a',
      signVote(body('precommit', 0, 'aa'.repeat(32)), alder.secretKey),
    ],
    [
      'prevote-a-round-1',
      'a prevote for another value in the next round',
      signVote(body('prevote', 1, 'bb'.repeat(32)), alder.secretKey),
    ],
    [
      'forged',
      'prevote-a’s body signed by another node key: does not verify',
      {
        ...body('prevote', 0, 'aa'.repeat(32)),
        signature: toBase64(
          sign(node('birch').secretKey, voteSigningBytes(body('prevote', 0, 'aa'.repeat(32)))),
        ),
      },
    ],
  ];
  const byName = new Map(votes.map(([name, , v]) => [name, v]));
  const pairs: [string, string][] = [
    ['prevote-a', 'prevote-b'],
    ['prevote-a', 'prevote-nil'],
    ['prevote-a', 'precommit-a'],
    ['prevote-a', 'prevote-a-round-1'],
    ['prevote-a', 'prevote-a'],
  ];
  return {
    description:
      'Signatures other than statements, with the exact value signed and its signing bytes (UTF-8(domain) ‖ 0x0A ‖ canonical JSON). Keys are in keys.json.',
    federation: FEDERATION,
    candidate: {
      note: 'fir, a candidate, signs {"candidate": its descriptor, "federation": F} with its governance key and with its node key; an admit change carries both as candidateSignatures',
      domain: CANDIDATE_DOMAIN,
      signed: { federation: FEDERATION, candidate },
      signingBytesHex: toHex(candidateBytes(FEDERATION, candidate)),
      candidateSignatures,
    },
    keyPossession: {
      domain: KEY_POSSESSION_DOMAIN,
      cases: [
        possession('birch', 'governance', gov('birch', 2).secretKey, gov('birch', 2).publicKey),
        possession('fir', 'node', node('fir', 2).secretKey, node('fir', 2).publicKey),
      ],
    },
    votes: {
      domain: CONSENSUS_VOTE_DOMAIN,
      note: 'validator = alder’s node key; signature = Ed25519 over signingBytesHex by that key; body = the vote without signature',
      cases: votes.map(([name, note, v]) => ({
        name,
        note,
        vote: v,
        signingBytesHex: toHex(voteSigningBytes(v)),
        verifies: verifyVote(v),
      })),
      conflicts: pairs.map(([a, b]) => ({
        first: a,
        second: b,
        equivocation: votesConflict(byName.get(a)!, byName.get(b)!),
      })),
    },
  } as unknown as Json;
}
