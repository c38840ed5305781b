// Response schemas of a root's own routes (root-routes.ts). World, member, statement, vote and
// evidence shapes are governance's (src/governance/schemas.ts); this file adds what only the HTTP
// API says: motions with tallies, statement status, the root's status, decisions for catch-up.
// They are the answers' contract (OpenAPI at /docs): test/api/root-routes.test.ts checks every
// answer against them, and that each body is exactly what the view returned.

import { type TSchema, Type } from '@sinclair/typebox';
import {
  ChangeSchema,
  EvidenceSchema,
  MemberSchema,
  SignedGenesisSchema,
  SignedVoteSchema,
  WorldSchema,
} from '../governance/index.ts';

const strict = { additionalProperties: false } as const;
const Count = Type.Integer({ minimum: 0 });
const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'lowercase hex SHA-256' });

/** Every error answer: a stable code for scripts, a sentence for people. */
export const ProblemSchema = Type.Object({ code: Type.String(), message: Type.String() });
/** A statement the rules refused: the code, what to do, and the charter section. */
export const RejectionSchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
  rule: Type.Optional(Type.String({ description: "the charter section, e.g. 'charter §9'" })),
});

export const WorldResponse = Type.Object(
  { version: Type.Integer({ minimum: 1 }), hash: Hash, world: WorldSchema },
  strict,
);

const InclusionSchema = Type.Object(
  {
    checkpointNote: Type.String({ description: 'a quorum-cosigned checkpoint note' }),
    inclusionProof: Type.Array(Type.String({ description: 'base64 SHA-256' })),
    entryIndex: Count,
    treeSize: Count,
  },
  strict,
);

export const WorldChainResponse = Type.Object(
  {
    genesis: SignedGenesisSchema,
    steps: Type.Array(
      Type.Object({ world: WorldSchema, causes: Type.Array(Type.String()), proof: InclusionSchema }, strict),
    ),
    head: Type.Union([InclusionSchema, Type.Null()], {
      description: 'the latest checkpoint with a proof of the last world',
    }),
  },
  strict,
);

export const MembersResponse = Type.Object(
  { version: Type.Integer({ minimum: 1 }), members: Type.Array(MemberSchema) },
  strict,
);

const Fraction = Type.Object({ num: Count, den: Count }, strict);
const OpenMotionSchema = Type.Object(
  {
    id: Hash,
    author: Type.String({
      description: "the member who moved it, or '#system' for a removal opened by evidence",
    }),
    changes: Type.Array(ChangeSchema),
    createdMs: Count,
    deadlineMs: Count,
    parent: Hash,
    ballots: Type.Record(
      Type.String(),
      Type.Object(
        {
          choice: Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('abstain')]),
          createdMs: Count,
          id: Hash,
        },
        strict,
      ),
      { description: 'latest ballot per member name' },
    ),
    status: Type.Literal('open'),
    tally: Type.Object(
      {
        yes: Count,
        no: Count,
        abstain: Count,
        voting: Count,
        eligible: Count,
        threshold: Fraction,
        needed: Count,
        passes: Type.Boolean(),
      },
      strict,
    ),
  },
  strict,
);
const Outcome = {
  id: Hash,
  result: Type.Union([Type.Literal('passed'), Type.Literal('expired'), Type.Literal('rejected')]),
  reason: Type.Optional(Type.String()),
  index: Count,
  height: Count,
};

export const MotionsResponse = Type.Object(
  { open: Type.Array(OpenMotionSchema), decided: Type.Array(Type.Object(Outcome, strict)) },
  strict,
);

export const MotionResponse = Type.Union([
  OpenMotionSchema,
  Type.Object({ ...Outcome, status: Type.Literal('decided') }, strict),
]);

export const SubmittedResponse = Type.Object({ id: Hash, status: Type.String() }, strict);

export const StatementStatusResponse = Type.Union([
  Type.Object({ id: Hash, status: Type.Literal('committed'), index: Count, height: Count }, strict),
  Type.Object({ id: Hash, status: Type.Literal('pending') }, strict),
]);

export const StatusResponse = Type.Object(
  {
    member: Type.Union([Type.String(), Type.Null()]),
    federation: Type.String(),
    worldVersion: Type.Integer({ minimum: 1 }),
    height: Count,
    consensus: Type.Object(
      { height: Count, round: Count, step: Type.String(), active: Type.Boolean() },
      strict,
    ),
    ledger: Type.Object({ size: Count, checkpointCosigners: Type.Array(Type.String()) }, strict),
    pending: Count,
    peerId: Type.String(),
    addrs: Type.Array(Type.String()),
    peers: Type.Array(Type.String()),
    lastCommit: Type.Union([
      Type.Object({ height: Count, size: Count, timeMs: Count, atMs: Count }, strict),
      Type.Null(),
    ]),
    timeMs: Type.Number({ description: "the root's clock, ms" }),
  },
  strict,
);

export const DecisionsResponse = Type.Object(
  {
    decisions: Type.Array(
      Type.Object(
        {
          height: Count,
          round: Count,
          valueId: Hash,
          value: Type.String({ description: 'the batch value, base64' }),
          certificate: Type.Array(SignedVoteSchema),
        },
        strict,
      ),
    ),
  },
  strict,
);

export const EvidenceResponse = Type.Object({ evidence: Type.Array(EvidenceSchema) }, strict);

const Name = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,30}[a-z0-9]$' });
const B64Key = Type.String({
  pattern: '^[A-Za-z0-9+/]{43}=$',
  description: 'base64 of a 32-byte Ed25519 key',
});

/** GET /federation (src/api/federation-view.ts). */
export const FederationResponse = Type.Object(
  {
    key: Type.Union([
      Type.Object(
        {
          publicKey: B64Key,
          vkey: Type.String({ description: 'the C2SP vkey: <federation>+<key ID>+<base64(0x01 ‖ key)>' }),
          session: Hash,
          threshold: Count,
          participants: Type.Array(Name),
          holder: Type.Boolean(),
        },
        strict,
      ),
      Type.Null(),
    ]),
    ceremony: Type.Union([
      Type.Object(
        {
          session: Hash,
          phase: Type.Union([
            Type.Literal('commitments'),
            Type.Literal('shares'),
            Type.Literal('confirmations'),
          ]),
          participants: Type.Array(Name),
          threshold: Count,
          sent: Type.Array(Name),
          excluded: Type.Array(Name),
          thisRoot: Type.Union([
            Type.Literal('taking part'),
            Type.Literal('sitting out'),
            Type.Literal('not a participant'),
          ]),
        },
        strict,
      ),
      Type.Null(),
    ]),
    pendingWorlds: Type.Array(Count),
    faults: Type.Array(
      Type.Object(
        {
          member: Name,
          key: B64Key,
          job: Type.Union([
            Type.Object({ kind: Type.Literal('checkpoint'), size: Count, rootHash: Type.String() }, strict),
            Type.Object({ kind: Type.Literal('world'), version: Count, part: Type.String() }, strict),
          ]),
          code: Type.String(),
          message: Type.String(),
          evidence: Type.Object({ share: Type.String(), request: Type.String() }, strict),
          atMs: Count,
        },
        strict,
      ),
    ),
  },
  strict,
);

/** GET /federation/worlds. */
export const WorldNotesResponse = Type.Object(
  { worlds: Type.Array(Type.Object({ version: Count, note: Type.String() }, strict)) },
  strict,
);

/** Response schemas by status: `ok` for the success status, and the problems a route may answer. */
export function responses(ok: Record<number, TSchema>, problems: number[] = []): Record<number, TSchema> {
  const out: Record<number, TSchema> = { ...ok };
  for (const status of problems) out[status] = ProblemSchema;
  return out;
}
