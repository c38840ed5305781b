// A root's own HTTP routes (the ledger's tlog routes are in tlog-routes.ts): the world and
// its chain, members, motions with tallies, statement submission and status, and the
// decisions peers fetch to catch up. Writes are authenticated by the statement's own
// signature; nothing here trusts the caller. The routes read the root through a RootView
// (root-view.ts); root-schemas.ts describes every answer.

import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  parseSignedStatement,
  SHORT_ID_HEX_MIN,
  type SignedStatement,
  screenStatement,
  type World,
} from '../governance/index.ts';
import { WAIT_MS_PATTERN, waitFor } from './change-signal.ts';
import { ApiError } from './errors.ts';
import { outcomeWords } from './outcome-words.ts';
import { type ReadyAnswer, readyAnswersOf } from './ready-answers.ts';
import {
  DecisionsResponse,
  EvidenceResponse,
  IdProblemSchema,
  MembersResponse,
  MotionDecidedSchema,
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

const IdOrPrefix = Type.String({
  pattern: `^[0-9a-f]{${SHORT_ID_HEX_MIN},64}$`,
  description: `the id, or any prefix of it of at least ${SHORT_ID_HEX_MIN} lowercase hex digits`,
});
const Version = Type.String({ pattern: '^[1-9][0-9]{0,14}$' });

/** The documented 304 of a conditional GET: no body. */
const NotModified = Type.Null({ description: 'Not modified: If-None-Match named the current ETag' });

/** "…" after the first digits of an id: how messages name statements. */
const short = (id: string) => `${id.slice(0, 16)}…`;

/** Does an If-None-Match header (RFC 9110 §13.1.2: a list, weak tags compared weakly, or *) match? */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

type WorldAnswers = { hash: string; etag: string; ok: ReadyAnswer; notModified: ReadyAnswer };

/** GET /world's answers to the world of `hash`: the world as JSON, and the 304 to its ETag. */
function worldAnswers(world: World, hash: string): WorldAnswers {
  const etag = `"${hash}"`;
  const cached = { etag, 'cache-control': 'no-cache' };
  const json = JSON.stringify({ version: world.version, hash, world });
  return {
    hash,
    etag,
    ok: {
      status: 200,
      headers: { ...cached, 'content-type': 'application/json; charset=utf-8' },
      body: Buffer.from(json),
    },
    notModified: { status: 304, headers: cached, body: undefined },
  };
}

export async function rootRoutes(app: FastifyInstance, opts: { view: RootView }): Promise<void> {
  const { view } = opts;
  // The response schemas document the answers (OpenAPI at /docs) and the tests check every
  // answer against them; answers are written with JSON.stringify. Serializing through the
  // schemas would compile a validator per branch of every union (a member's jurisdiction is
  // one of 249 codes): seconds of CPU on a root's first requests, and a field a schema missed
  // would be dropped silently.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  /**
   * The full id a prefix names, or an answer already sent: 404 when it names nothing here, 400
   * AMBIGUOUS_ID with the candidates when it names more than one.
   */
  function resolve(
    reply: FastifyReply,
    prefix: string,
    what: 'motion' | 'statement',
    unknown: string,
  ): string | FastifyReply {
    const match = view.resolve(prefix, what);
    if (match.kind === 'one') return match.id;
    if (match.kind === 'none') throw new ApiError(404, 'NOT_FOUND', unknown);
    const more = match.more ? ' and more' : '';
    return reply.status(400).send({
      code: 'AMBIGUOUS_ID',
      message: `${prefix} names more than one ${what} on this root: ${match.candidates.join(', ')}${more}; give more digits`,
      candidates: match.candidates,
    });
  }

  // The world changes a few times a year and is read by every overlay peer: its answers (the
  // JSON as bytes, its ETag, the bodiless 304) are made once per world, not per request, and the
  // ETag is its hash, so a client that has it asks with If-None-Match and gets the 304. The
  // handler is synchronous: nothing on this path waits, and an async one costs a promise per
  // request. The same answers are sent before fastify (ready-answers.ts).
  let world: WorldAnswers | undefined;
  const worldAnswer = (ifNoneMatch: string | undefined): ReadyAnswer => {
    const state = view.state();
    if (world?.hash !== state.worldHash) world = worldAnswers(state.world, state.worldHash);
    return etagMatches(ifNoneMatch, world.etag) ? world.notModified : world.ok;
  };
  readyAnswersOf(app)?.exact('/world', (_path, headers) => worldAnswer(headers['if-none-match']));
  app.get(
    '/world',
    {
      schema: {
        operationId: 'getWorld',
        tags: ['world'],
        summary: 'The world in force',
        description:
          'ETag is the world hash in quotes; a request whose If-None-Match names it gets 304 without a body.',
        response: responses({ 200: WorldResponse, 304: NotModified }),
      },
    },
    (req, reply) => {
      const answer = worldAnswer(req.headers['if-none-match']);
      return reply.status(answer.status).headers(answer.headers).send(answer.body);
    },
  );

  app.get<{ Querystring: { since?: string } }>(
    '/world/chain',
    {
      schema: {
        operationId: 'getWorldChain',
        tags: ['world'],
        summary: 'Every world since genesis with the proof that the ledger committed it',
        description:
          'With since=<version>: only the steps from that version on (the first is the world the client has), the head, and no genesis (ledger/LEDGER.md §5.2).',
        querystring: Type.Object({ since: Type.Optional(Version) }),
        response: responses({ 200: WorldChainResponse }, [400]),
      },
    },
    async (req) => {
      const chain = await view.worldChain();
      if (req.query.since === undefined) return chain;
      const since = Number(req.query.since);
      const steps = chain.steps.filter((s) => s.world.version >= since);
      return { steps, head: steps.length > 0 ? chain.head : null };
    },
  );

  app.get(
    '/members',
    {
      schema: {
        operationId: 'getMembers',
        tags: ['world'],
        summary: 'Members of the world in force',
        response: responses({ 200: MembersResponse }),
      },
    },
    async () => {
      const { world } = view.state();
      return { version: world.version, members: world.members };
    },
  );

  app.get(
    '/motions',
    {
      schema: {
        operationId: 'listMotions',
        tags: ['motions'],
        summary: 'Open motions with their ballots and tallies, and the decided ones, newest first',
        response: responses({ 200: MotionsResponse }),
      },
    },
    async () => view.motions(DECIDED_MOTIONS_LISTED_MAX),
  );

  app.get<{ Params: { id: string } }>(
    '/motions/:id',
    {
      schema: {
        operationId: 'getMotion',
        tags: ['motions'],
        summary: 'One motion: its words, diff, ballots and tally, and how it was decided',
        params: Type.Object({ id: IdOrPrefix }),
        response: responses({ 200: MotionResponse, 400: IdProblemSchema }, [404]),
      },
    },
    async (req, reply) => {
      const notHere = (id: string) =>
        `no motion ${id} on this root (it may still be pending: GET /statements/${id})`;
      const id = resolve(reply, req.params.id, 'motion', notHere(req.params.id));
      if (typeof id !== 'string') return id;
      const motion = await view.motion(id);
      if (motion === undefined) throw new ApiError(404, 'NOT_FOUND', notHere(id));
      return motion;
    },
  );

  app.post<{ Body: unknown }>(
    '/statements',
    {
      schema: {
        operationId: 'submitStatement',
        tags: ['statements'],
        summary: 'Submit a signed statement (motion, ballot, evidence, self-update)',
        description:
          '422: the rules refuse it (code and charter section). 409 MOTION_DECIDED: a ballot on a motion already decided, with the outcome. 429 POOL_AUTHOR_FULL: the author already has its full share of the pending statements. 503 POOL_FULL: too many pending statements.',
        body: Type.Object({
          statement: Type.Object({}, { additionalProperties: true }),
          signature: Type.String(),
        }),
        response: responses(
          {
            202: SubmittedResponse,
            409: MotionDecidedSchema,
            422: RejectionSchema,
            429: RejectionSchema,
            503: RejectionSchema,
          },
          [400, 413],
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
      const { rejection } = result;
      if (rejection === null) {
        return reply.status(202).send({ id: result.id, status: view.statementStatus(result.id).status });
      }
      const s = signed.statement;
      // A ballot just too late is told what happened, not that there is no such motion.
      const decided =
        rejection.code === 'UNKNOWN_MOTION' && s.kind === 'ballot' ? view.outcome(s.motion) : undefined;
      if (decided !== undefined) {
        return reply.status(409).send({
          code: 'MOTION_DECIDED',
          message: `motion ${short(decided.id)} was already decided: ${outcomeWords(decided)}; ballots on it no longer count`,
          ...('rule' in rejection ? { rule: rejection.rule } : {}),
          outcome: decided,
        });
      }
      const status = rejection.code === 'POOL_FULL' ? 503 : rejection.code === 'POOL_AUTHOR_FULL' ? 429 : 422;
      return reply.status(status).send(rejection);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { wait?: string } }>(
    '/statements/:id',
    {
      schema: {
        operationId: 'getStatementStatus',
        tags: ['statements'],
        summary: 'Where a statement is: pending or committed; with wait, once it is no longer pending',
        description:
          'With `wait` (milliseconds), a pending statement is answered once it is committed or no longer in the pool, or when the wait ends (at most a bound of the root, a few seconds), whichever comes first: a long poll instead of asking again and again.',
        params: Type.Object({ id: IdOrPrefix }),
        querystring: Type.Object({ wait: Type.Optional(Type.String({ pattern: WAIT_MS_PATTERN })) }),
        response: responses({ 200: StatementStatusResponse, 400: IdProblemSchema }, [404]),
      },
    },
    async (req, reply): Promise<StatementStatus | FastifyReply> => {
      const unknown = `this root has not seen statement ${req.params.id}`;
      const id = resolve(reply, req.params.id, 'statement', unknown);
      if (typeof id !== 'string') return id;
      await waitFor(
        view.changes,
        Number(req.query.wait ?? 0),
        () => view.statementStatus(id).status !== 'pending',
      );
      const s = view.statementStatus(id);
      if (s.status === 'unknown') throw new ApiError(404, 'NOT_FOUND', unknown);
      return s;
    },
  );

  app.get(
    '/status',
    {
      schema: {
        operationId: 'getStatus',
        tags: ['status'],
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
        operationId: 'getDecisions',
        tags: ['consensus'],
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
      schema: {
        operationId: 'getEvidence',
        tags: ['consensus'],
        summary: 'Equivocation this root has seen',
        response: responses({ 200: EvidenceResponse }),
      },
    },
    async () => ({ evidence: view.evidence() }),
  );
}
