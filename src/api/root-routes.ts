// A root's own HTTP routes (the ledger's tlog routes are in tlog-routes.ts): the world and
// its chain, members, motions with tallies, statement submission and status, and the
// decisions peers fetch to catch up. Writes are authenticated by the statement's own
// signature; nothing here trusts the caller. The routes read the root through a RootView
// (root-view.ts); root-schemas.ts describes every answer.

import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  type GovernanceState,
  parseSignedStatement,
  type SignedStatement,
  screenStatement,
  tally,
} from '../governance/index.ts';
import { ApiError } from './errors.ts';
import {
  DecisionsResponse,
  EvidenceResponse,
  MembersResponse,
  MotionResponse,
  MotionsResponse,
  RejectionSchema,
  responses,
  StatementStatusResponse,
  StatusResponse,
  SubmittedResponse,
  WorldChainResponse,
  WorldResponse,
} from './root-schemas.ts';
import type { RootView, StatementStatus } from './root-view.ts';

/** Decisions returned per catch-up request. */
export const DECISIONS_PER_REQUEST_MAX = 64;
/** Decisions returned when the request names no limit. */
export const DECISIONS_PER_REQUEST_DEFAULT = 16;
/** Decided motions listed by GET /motions, newest first. */
export const DECIDED_MOTIONS_LISTED_MAX = 200;

const Id = Type.String({ pattern: '^[0-9a-f]{64}$' });

export async function rootRoutes(app: FastifyInstance, opts: { view: RootView }): Promise<void> {
  const { view } = opts;
  // The response schemas document the answers (OpenAPI at /docs) and the tests check every
  // answer against them; answers are written with JSON.stringify. Serializing through the
  // schemas would compile a validator per branch of every union (a member's jurisdiction is
  // one of 249 codes): seconds of CPU on a root's first requests, and a field a schema missed
  // would be dropped silently.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // The world changes a few times a year and is read by every overlay peer: its JSON is
  // made once per world, not per request.
  let worldBody = { hash: '', json: '' };
  app.get(
    '/world',
    { schema: { summary: 'The world in force', response: responses({ 200: WorldResponse }) } },
    async (_req, reply) => {
      const { world, worldHash } = view.state();
      if (worldBody.hash !== worldHash) {
        worldBody = {
          hash: worldHash,
          json: JSON.stringify({ version: world.version, hash: worldHash, world }),
        };
      }
      return reply.type('application/json; charset=utf-8').send(worldBody.json);
    },
  );

  app.get(
    '/world/chain',
    {
      schema: {
        summary: 'Every world since genesis with the proof that the ledger committed it',
        response: responses({ 200: WorldChainResponse }),
      },
    },
    async () => view.worldChain(),
  );

  app.get(
    '/members',
    { schema: { summary: 'Members of the world in force', response: responses({ 200: MembersResponse }) } },
    async () => {
      const { world } = view.state();
      return { version: world.version, members: world.members };
    },
  );

  app.get(
    '/motions',
    {
      schema: {
        summary: 'Open motions with tallies, and decided ones',
        response: responses({ 200: MotionsResponse }),
      },
    },
    async () => {
      const state = view.state();
      return {
        open: state.openMotions.map((m) => openMotion(state, m.id)),
        decided: view.decidedMotions(DECIDED_MOTIONS_LISTED_MAX),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/motions/:id',
    {
      schema: {
        summary: 'One motion: its ballots and tally, or its outcome',
        params: Type.Object({ id: Id }),
        response: responses({ 200: MotionResponse }, [400, 404]),
      },
    },
    async (req) => {
      const { id } = req.params;
      const state = view.state();
      if (state.openMotions.some((m) => m.id === id)) return openMotion(state, id);
      const outcome = view.outcome(id);
      if (outcome !== undefined) return { ...outcome, status: 'decided' };
      throw new ApiError(
        404,
        'NOT_FOUND',
        `no motion ${id} on this root (it may still be pending: GET /statements/${id})`,
      );
    },
  );

  app.post<{ Body: unknown }>(
    '/statements',
    {
      schema: {
        summary: 'Submit a signed statement (motion, ballot, evidence, self-update)',
        body: Type.Object({
          statement: Type.Object({}, { additionalProperties: true }),
          signature: Type.String(),
        }),
        response: responses(
          { 202: SubmittedResponse, 422: RejectionSchema, 429: RejectionSchema, 503: RejectionSchema },
          [400],
        ),
      },
    },
    async (req, reply) => {
      // The author and its signature first (screen.ts): a stranger's statement costs a lookup
      // and one signature check, never the strict reading or the rules.
      const screened = screenStatement(view.state().world, req.body);
      if ('code' in screened) {
        if (screened.code === 'MALFORMED_STATEMENT') throw new ApiError(400, screened.code, screened.message);
        return reply.status(422).send(screened);
      }
      let signed: SignedStatement;
      try {
        signed = parseSignedStatement(req.body, screened.bytes);
      } catch (err) {
        throw new ApiError(400, 'MALFORMED_STATEMENT', (err as Error).message);
      }
      const result = view.submit(signed, screened);
      if (result.rejection !== null) {
        const code = result.rejection.code;
        const status = code === 'POOL_FULL' ? 503 : code === 'POOL_AUTHOR_FULL' ? 429 : 422;
        return reply.status(status).send(result.rejection);
      }
      return reply.status(202).send({ id: result.id, status: view.statementStatus(result.id).status });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/statements/:id',
    {
      schema: {
        summary: 'Where a statement is: pending or committed',
        params: Type.Object({ id: Id }),
        response: responses({ 200: StatementStatusResponse }, [400, 404]),
      },
    },
    async (req): Promise<StatementStatus> => {
      const s = view.statementStatus(req.params.id);
      if (s.status === 'unknown') {
        throw new ApiError(404, 'NOT_FOUND', `this root has not seen statement ${req.params.id}`);
      }
      return s;
    },
  );

  app.get(
    '/status',
    {
      schema: {
        summary: "This root's view: height, round, peers, last commit",
        response: responses({ 200: StatusResponse }),
      },
    },
    async () => view.status(),
  );

  app.get<{ Querystring: { from: string; limit?: string } }>(
    '/consensus/decisions',
    {
      schema: {
        summary: 'Committed batch values with their commit certificates, for catch-up',
        querystring: Type.Object({
          from: Type.String({ pattern: '^[1-9][0-9]{0,14}$' }),
          limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })),
        }),
        response: responses({ 200: DecisionsResponse }, [400]),
      },
    },
    async (req) => {
      const limit = Math.min(
        Number(req.query.limit ?? DECISIONS_PER_REQUEST_DEFAULT),
        DECISIONS_PER_REQUEST_MAX,
      );
      return { decisions: await view.decisions(Number(req.query.from), limit) };
    },
  );

  app.get(
    '/evidence',
    {
      schema: { summary: 'Equivocation this root has seen', response: responses({ 200: EvidenceResponse }) },
    },
    async () => ({ evidence: view.evidence() }),
  );
}

function openMotion(state: GovernanceState, id: string) {
  const m = state.openMotions.find((x) => x.id === id)!;
  return { ...m, status: 'open', tally: tally(m, state.world, state.timeMs) };
}
