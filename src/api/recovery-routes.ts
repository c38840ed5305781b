// A root's recovery routes (charter §20): GET /recovery says what a recovery would name now —
// the last batch, the silence and the time lock, the validators and the witnesses — and the
// recovery this root holds, with its state; POST /recovery hands it a signed recovery, which it
// checks against the rules and its ledger and holds through the time lock. Nothing here trusts
// the caller: a recovery is only as good as its signatures.

import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { parseSignedRecovery, type Rejection, type SignedRecovery } from '../governance/index.ts';
import { ApiError } from './errors.ts';
import { RejectionSchema, responses } from './root-schemas.ts';

/** What a held recovery is doing. */
export type HeldRecoveryState = 'waiting' | 'refused' | 'adopted' | 'committed';

export interface RecoveryStatus {
  federation: string;
  /** The ledger as the last batch left it: what a recovery signed now names. */
  base: {
    height: number;
    timeMs: number;
    size: number;
    rootHash: string;
    worldHash: string;
    version: number;
  };
  /** A recovery signed now: its height, and the earliest time the silence allows. */
  next: { height: number; earliestMs: number };
  silenceMs: number;
  timeLockMs: number;
  /** Voting members of the world in force, and the quorum consensus needs of them. */
  validators: string[];
  quorum: number;
  witnesses: { name: string; key: string }[];
  witnessQuorum: number;
  /** The root's clock (ledger time), ms. */
  nowMs: number;
  /** The recovery this root holds, if any. */
  held: {
    id: string;
    timeMs: number;
    /** Its time plus the time lock: when the root appends it. */
    effectiveMs: number;
    remove: string[];
    state: HeldRecoveryState;
    /** Why it was refused. */
    reason?: string;
    /** Adopted: the recovered validators whose cosignature the checkpoint still lacks. */
    awaiting?: string[];
  } | null;
}

/** What the recovery routes read and do. */
export interface RecoveryView {
  recovery(): RecoveryStatus;
  /** Checks a signed recovery (untrusted JSON) now; holds it through its time lock when good. */
  submitRecovery(signed: SignedRecovery): { status: RecoveryStatus } | { rejection: Rejection };
}

const Count = Type.Integer({ minimum: 0 });
const Hash = Type.String({ pattern: '^[0-9a-f]{64}$' });

export const RecoveryStatusResponse = Type.Object(
  {
    federation: Type.String(),
    base: Type.Object(
      { height: Count, timeMs: Count, size: Count, rootHash: Hash, worldHash: Hash, version: Count },
      { additionalProperties: false, description: 'the last batch: what a recovery signed now names' },
    ),
    next: Type.Object(
      { height: Count, earliestMs: Count },
      {
        additionalProperties: false,
        description: "a recovery's height, and the first time the silence allows",
      },
    ),
    silenceMs: Count,
    timeLockMs: Count,
    validators: Type.Array(Type.String()),
    quorum: Count,
    witnesses: Type.Array(
      Type.Object({ name: Type.String(), key: Type.String() }, { additionalProperties: false }),
    ),
    witnessQuorum: Count,
    nowMs: Count,
    held: Type.Union([
      Type.Object(
        {
          id: Hash,
          timeMs: Count,
          effectiveMs: Count,
          remove: Type.Array(Type.String()),
          state: Type.Union([
            Type.Literal('waiting'),
            Type.Literal('refused'),
            Type.Literal('adopted'),
            Type.Literal('committed'),
          ]),
          reason: Type.Optional(Type.String()),
          awaiting: Type.Optional(Type.Array(Type.String())),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);

export async function recoveryRoutes(app: FastifyInstance, opts: { view: RecoveryView }): Promise<void> {
  const { view } = opts;
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.get(
    '/recovery',
    {
      schema: {
        operationId: 'getRecovery',
        tags: ['world'],
        summary: 'What a recovery would name now, and the recovery this root holds (charter §20)',
        response: responses({ 200: RecoveryStatusResponse }),
      },
    },
    async () => view.recovery(),
  );
  app.post(
    '/recovery',
    {
      schema: {
        operationId: 'submitRecovery',
        tags: ['world'],
        summary: 'Hand the root a signed recovery: checked now, appended after its time lock',
        description:
          '400 RECOVERY_MALFORMED: not a signed recovery. 422: the rules or this root refuse it (code and charter section).',
        body: Type.Object({
          recovery: Type.Object({}, { additionalProperties: true }),
          members: Type.Array(Type.Object({}, { additionalProperties: true })),
          witnesses: Type.Array(Type.Object({}, { additionalProperties: true })),
        }),
        response: responses({ 202: RecoveryStatusResponse, 422: RejectionSchema }, [400, 413]),
      },
    },
    async (req, reply) => {
      let signed: SignedRecovery;
      try {
        signed = parseSignedRecovery(req.body);
      } catch (err) {
        throw new ApiError(400, 'RECOVERY_MALFORMED', (err as Error).message);
      }
      const answer = view.submitRecovery(signed);
      if ('rejection' in answer) return reply.status(422).send(answer.rejection);
      return reply.status(202).send(answer.status);
    },
  );
}
