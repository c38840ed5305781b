// Response schemas of a root's own routes (root-routes.ts). World, member, statement, vote and
// evidence shapes are governance's (src/governance/schemas.ts); this file adds what only the HTTP
// API says: motions with tallies, statement status, the root's status, decisions for catch-up.
// They are the answers' contract (OpenAPI at /docs): test/api/root-routes.test.ts checks every
// answer against them, and that each body is exactly what the view returned.

// Declaration emit (the package's .d.ts) names TypeBox's symbol keys through these imports.
// biome-ignore lint/correctness/noUnusedImports: used by the emitted declarations only
import type { Hint, Kind, OptionalKind, ReadonlyKind } from '@sinclair/typebox';
import { type TSchema, Type } from '@sinclair/typebox';
import {
  CHANGE_TYPES,
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
    genesis: Type.Optional({
      ...SignedGenesisSchema,
      description: 'the signed genesis; left out when the client asks only for what changed (since)',
    }),
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
const Choice = Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('abstain')]);
const Result = Type.Union([Type.Literal('passed'), Type.Literal('expired'), Type.Literal('rejected')]);

const BallotSchema = Type.Object(
  {
    choice: Choice,
    createdMs: Count,
    id: Hash,
    reason: Type.Optional(Type.String({ description: 'why, as the member signed it' })),
  },
  strict,
);

const TallySchema = Type.Object(
  {
    yes: Count,
    no: Count,
    abstain: Count,
    voting: Type.Integer({
      minimum: 0,
      description:
        'voting members of the world counted against (seasoned ones for a policy change or a removal): the denominator',
    }),
    eligible: Type.Integer({
      minimum: 0,
      description: 'those of them whose ballot counts (not removed by it)',
    }),
    rule: Type.Union(
      [
        Type.Literal('approval'),
        Type.Literal('policy-change'),
        Type.Literal('removal'),
        Type.Literal('removal-unanimous'),
      ],
      {
        description:
          'which threshold counts (charter §7): approval, policy change, removal, or every other voting member for a removal in a federation of three or fewer',
      },
    ),
    threshold: Fraction,
    needed: Type.Integer({ minimum: 0, description: 'yes-ballots that pass: floor(num·voting/den) + 1' }),
    passes: Type.Boolean(),
    notVoted: Type.Integer({ minimum: 0, description: 'eligible members with no ballot' }),
    seasonedOnly: Type.Boolean({
      description: 'a policy change or a removal: only seasoned voting members count (charter §13)',
    }),
  },
  strict,
);

const DiffSchema = Type.Object(
  {
    type: Type.Union(CHANGE_TYPES.map((t) => Type.Literal(t))),
    member: Type.Union([Type.String(), Type.Null()], { description: 'null for a policy change' }),
    fields: Type.Array(
      Type.Object(
        {
          field: Type.String({ description: "a member field ('endpoints.http') or a policy field" }),
          old: Type.Unknown({ description: 'null where there was none (an admission)' }),
          new: Type.Unknown({ description: 'null where there will be none (a removal)' }),
        },
        strict,
      ),
    ),
  },
  { ...strict, description: 'one change of the motion, field by field: old → new' },
);

/** What open and decided motions both say (root-view.ts MotionFacts). */
const motionFacts = {
  id: Hash,
  shortId: Type.String({
    pattern: '^[0-9a-f]{8,64}$',
    description: 'the shortest prefix of the id, at least 8 hex digits, that no other statement here shares',
  }),
  author: Type.String({
    description: "the member who moved it, or '#system' for a motion the rules opened (evidence, duties)",
  }),
  summary: Type.Optional(Type.String({ description: "the mover's line for people, as signed" })),
  changes: Type.Array(ChangeSchema),
  diff: Type.Array(DiffSchema),
  against: Type.Object(
    { version: Type.Integer({ minimum: 1 }), hash: Hash },
    { ...strict, description: 'the world the diff and tally are against: in force (open) or when decided' },
  ),
  createdMs: Count,
  deadlineMs: Count,
  proposed: Type.Object(
    { index: Count, height: Count },
    { ...strict, description: 'where the motion (or the evidence that opened it) is in the ledger' },
  ),
  ballots: Type.Record(Type.String(), BallotSchema, { description: 'latest ballot per member name' }),
  tally: TallySchema,
};

const OpenMotionSchema = Type.Object(
  {
    ...motionFacts,
    status: Type.Literal('open'),
    parent: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'worldHash of the world it applies to' }),
  },
  strict,
);

const outcome = {
  result: Result,
  reason: Type.Optional(Type.String({ description: 'for a rejection: the code of the rule it broke' })),
  index: Type.Integer({ minimum: 0, description: 'ledger index of the outcome entry' }),
  height: Type.Integer({ minimum: 0, description: 'height of the batch that decided it' }),
  worldVersion: Type.Integer({ minimum: 1, description: 'the world in force after that batch' }),
  decidedMs: Type.Integer({ minimum: 0, description: "that batch's time, ledger ms" }),
};

const DecidedMotionSchema = Type.Object(
  { ...motionFacts, status: Type.Literal('decided'), ...outcome },
  strict,
);

export const MotionsResponse = Type.Object(
  { open: Type.Array(OpenMotionSchema), decided: Type.Array(DecidedMotionSchema) },
  strict,
);

export const MotionResponse = Type.Union([OpenMotionSchema, DecidedMotionSchema]);

/** 400 for an id: malformed, or a short id that names more than one statement. */
export const IdProblemSchema = Type.Object(
  {
    code: Type.String(),
    message: Type.String(),
    candidates: Type.Optional(
      Type.Array(Hash, { description: 'for AMBIGUOUS_ID: some of the statements the short id names' }),
    ),
  },
  strict,
);

/** 409 for a ballot on a motion already decided: what happened to it. */
export const MotionDecidedSchema = Type.Object(
  {
    code: Type.Literal('MOTION_DECIDED'),
    message: Type.String(),
    rule: Type.Optional(Type.String()),
    outcome: Type.Object({ id: Hash, ...outcome }, strict),
  },
  strict,
);

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
    relay: Type.Object(
      {
        reservations: Type.Integer({ minimum: 0, description: 'circuit relay reservations held now' }),
        circuits: Type.Integer({ minimum: 0, description: 'relayed connections open now' }),
        relayedBytes: Type.Integer({ minimum: 0, description: 'bytes relayed since the root started' }),
      },
      strict,
    ),
    rendezvous: Type.Object(
      { registrations: Type.Integer({ minimum: 0, description: 'rendezvous registrations stored now' }) },
      strict,
    ),
    timeMs: Type.Number({ description: "the root's clock, ms" }),
    version: Type.String({ description: 'the release this root runs' }),
    health: Type.Object(
      {
        verdict: Type.Union(
          ['healthy', 'degraded', 'behind', 'stalled'].map((v) => Type.Literal(v)),
          { description: 'the same verdict as GET /ready and witan status' },
        ),
        ready: Type.Boolean(),
        reasons: Type.Array(Type.Object({ code: Type.String(), message: Type.String() }, strict)),
      },
      strict,
    ),
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

/**
 * Statuses every route may answer whatever it does: 429 (this address sent more than the
 * per-minute budget; Retry-After says when its minute ends), 503 (the root sheds load while its
 * event loop lags; Retry-After says when to come back), 500 (a bug; the details are in the
 * root's log).
 */
export const EVERY_ROUTE_PROBLEMS: Record<number, TSchema> = {
  429: {
    ...ProblemSchema,
    description:
      'RATE_LIMITED: too many requests from this address this minute; retry after the Retry-After seconds',
  },
  500: { ...ProblemSchema, description: "INTERNAL: a bug; the operator finds the details in the root's log" },
  503: {
    ...ProblemSchema,
    description: 'OVERLOADED: the root sheds load; retry after the Retry-After seconds',
  },
};

/** A documented answer that is not JSON: its media type and what it holds. */
export type BodyOf = { description: string; content: Record<string, { schema: TSchema }> };

export function bodyOf(mediaType: string, description: string, format?: 'binary'): BodyOf {
  return { description, content: { [mediaType]: { schema: Type.String(format ? { format } : {}) } } };
}

/**
 * Response schemas by status: the success (and any other documented) answers, the problems this
 * route may answer as { code, message }, and the statuses every route may answer.
 */
export function responses(
  ok: Record<number, TSchema | BodyOf>,
  problems: number[] = [],
): Record<number, TSchema | BodyOf> {
  const out: Record<number, TSchema | BodyOf> = { ...EVERY_ROUTE_PROBLEMS };
  for (const status of problems) out[status] = ProblemSchema;
  return { ...out, ...ok };
}
